"""The periods of a rental auction case, one function each, with the source of every length."""

from __future__ import annotations

import datetime as dt

from commonground.engine.clocks import Length, Pending, PendingKind, Period, Unit, period

LURA = "Levelling-up and Regeneration Act 2023"
REGULATIONS = "SI 2024/1139"
IN_FORCE_FROM = dt.date(2024, 12, 2)  # LURA 2023 (Commencement No. 6) Regulations 2024; SI 2024/1139

# --- periods, each with its source ---------------------------------------------------------------------
ENGAGEMENT = Length(28, Unit.DAYS)  # SI 2024/1139 (regulation number unconfirmed): 28-day minimum engagement
INITIAL_NOTICE = Length(10, Unit.WEEKS)  # LURA 2023 s.195 (number unconfirmed): initial letting notice, 10 weeks
FINAL_NOTICE_AFTER = Length(8, Unit.WEEKS)  # LURA 2023 s.198 (number unconfirmed): final notice after 8 weeks
FINAL_NOTICE = Length(14, Unit.WEEKS)  # LURA 2023 s.198 (number unconfirmed): final letting notice, up to 14 weeks
COUNTER_NOTICE = Length(14, Unit.DAYS)  # LURA 2023 s.201 (period unconfirmed: consultation-era summary only)
RESPONSE = Length(14, Unit.DAYS)  # LURA 2023 s.201 (period unconfirmed: consultation-era summary only)
APPEAL = Pending("the appeal period under LURA 2023 s.201 and SI 2024/1139 (not confirmed from the text)",
                 PendingKind.UNCONFIRMED)  # fmt: skip
AUCTION = Length(12, Unit.WEEKS)  # MHCLG to the Lords SLSC (9th Report 2024-25, App. 1): a 12-week auction period
LEASE_SHORTEST = Length(1, Unit.YEARS)  # SI 2024/1139 (provision unconfirmed): a tenancy of at least 1 year
LEASE_LONGEST = Length(5, Unit.YEARS)  # MHCLG to the SLSC: "a lease of up to five years" (no security of tenure)

CITE = {
    "designation": f"{LURA} s.191",
    "engagement": f"{REGULATIONS} (regulation number unconfirmed); 28 days per MHCLG to the Lords SLSC",
    "vacancy": f"{LURA} Part 10, vacancy condition (section number unconfirmed, believed s.193 or s.194)",
    "qualifying": f"{LURA} s.192(2), (3)",
    "local_benefit": f"{LURA} Part 10, local benefit condition (section number unconfirmed)",
    "initial_notice": f"{LURA} s.195 (number unconfirmed); 10 weeks",
    "final_notice_after": f"{LURA} s.198 (number unconfirmed); after 8 weeks of the initial notice",
    "final_notice": f"{LURA} s.198 (number unconfirmed); in force up to 14 weeks",
    "consent": f"{LURA} ss.196, 197(1)",
    "counter_notice": f"{LURA} s.201; 14 days (unconfirmed: consultation-era summary)",
    "response": f"{LURA} s.201; 14 days (unconfirmed: consultation-era summary)",
    "appeal": f"{LURA} s.201, Sch 20 (county court; period not confirmed)",
    "auction": f"{LURA} s.203; 12 weeks per MHCLG to the Lords SLSC ({REGULATIONS} provision unconfirmed)",
    "contract": f"{LURA} ss.203, 204",
    "lease": f"{LURA} s.204; 1 to 5 years, no security of tenure ({REGULATIONS}; provision unconfirmed)",
    "withdraw": f"{LURA} s.214(6)",
}


# --- one function per period -------------------------------------------------------------------------------


def engagement(started: dt.date) -> Period:
    # SI 2024/1139 (regulation number unconfirmed): at least 28 days' community engagement before designating.
    return period("engagement", "Community engagement before designation", started, ENGAGEMENT, CITE["engagement"],
                   "the authority may designate only after it")  # fmt: skip


def initial_notice(takes_effect: dt.date) -> Period:
    # LURA 2023 s.195 (number unconfirmed): an initial letting notice is in force for 10 weeks.
    return period(
        "initial_notice",
        "Initial letting notice in force",
        takes_effect,
        INITIAL_NOTICE,
        CITE["initial_notice"],
        "the landlord may let only with the authority's consent (ss.196, 197)",
    )


def final_notice_wait(initial_takes_effect: dt.date) -> Period:
    # LURA 2023 s.198 (number unconfirmed): no final letting notice until 8 weeks of the initial notice have run.
    return period(
        "final_notice_wait",
        "Before a final letting notice may be served",
        initial_takes_effect,
        FINAL_NOTICE_AFTER,
        CITE["final_notice_after"],
        "a final letting notice may be served after it",
    )


def final_notice(takes_effect: dt.date) -> Period:
    # LURA 2023 s.198 (number unconfirmed): a final letting notice is in force for up to 14 weeks.
    return period(
        "final_notice",
        "Final letting notice in force",
        takes_effect,
        FINAL_NOTICE,
        CITE["final_notice"],
        "the authority may arrange a rental auction while it is in force (s.203(1))",
    )


def counter_notice(final_served: dt.date) -> Period:
    # LURA 2023 s.201: the landlord's counter-notice (14 days: unconfirmed, consultation-era summary).
    return period(
        "counter_notice",
        "Landlord may serve a counter-notice",
        final_served,
        COUNTER_NOTICE,
        CITE["counter_notice"],
        "period unconfirmed",
    )


def response(counter_served: dt.date) -> Period:
    # LURA 2023 s.201: the authority withdraws or confirms the final notice (14 days: unconfirmed).
    return period(
        "response",
        "Authority withdraws or confirms the final notice",
        counter_served,
        RESPONSE,
        CITE["response"],
        "period unconfirmed",
    )


def appeal(confirmed_on: dt.date) -> Period:
    # LURA 2023 s.201, Sch 20: appeal to the county court; the period was not confirmed (raises PendingClock).
    return period("appeal", "Landlord may appeal to the county court", confirmed_on, APPEAL, CITE["appeal"])


def auction(started: dt.date) -> Period:
    # LURA 2023 s.203; MHCLG to the SLSC: a 12-week auction period.
    return period("auction", "Rental auction period", started, AUCTION, CITE["auction"])


def lease(starts: dt.date, years: int, months: int = 0) -> Period:
    # SI 2024/1139 (provision unconfirmed); MHCLG: a tenancy of 1 to 5 years, without security of tenure.
    total = years * 12 + months
    if total < 12 or total > 60:
        raise ValueError(f"a tenancy after a rental auction lasts 1 to 5 years, not {years} years {months} months "
                         f"({CITE['lease']})")  # fmt: skip
    length = Length(total, Unit.MONTHS) if months else Length(years, Unit.YEARS)
    return period("lease", "Tenancy granted after the auction", starts, length, CITE["lease"],
                   "no security of tenure")  # fmt: skip
