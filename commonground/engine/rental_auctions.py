"""High street rental auctions: long-vacant high-street premises let by the local authority.

Levelling-up and Regeneration Act 2023 (LURA) Part 10, ss.191-218 and Sch 20; the Local Authorities
(Rental Auctions) (England) and Town and Country Planning (General Permitted Development) (Amendment)
Regulations 2024 (SI 2024/1139); in force 2 December 2024. Pure (no Django): the pages, the command line
and the tests call these functions.

Citations: a section seen in the Act's text (ss.191, 192, 196, 197, 200, 201, 203, 204, 214, 218, Sch 20)
is cited plainly; one known only from secondary sources says "(number unconfirmed)". Periods follow the
convention of `clocks` (a period of N weeks beginning with day D; every date is the last day inside it).
The counter-notice and response periods come from a single consultation-era summary and are marked
unconfirmed; the appeal period was not found and is `Pending` (computing it raises PendingClock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from commonground.engine.clocks import Awaiting, Period, attempt
from commonground.engine.high_street_vacancy import Occupation, Vacancy, vacancy_condition
from commonground.engine.rental_auction_periods import (
    CITE,
    IN_FORCE_FROM,
    LURA,
    REGULATIONS,
    appeal,
    auction,
    counter_notice,
    engagement,
    final_notice,
    final_notice_wait,
    initial_notice,
    lease,
    response,
)
from commonground.engine.steps import Refused, step


class HighStreetUse(StrEnum):
    """LURA 2023 s.192(1)(a)-(f): the high-street uses."""

    SHOP_OR_OFFICE = "shop_or_office"
    SERVICES = "services"
    FOOD_AND_DRINK = "food_and_drink"
    ENTERTAINMENT = "entertainment"
    COMMUNAL_HALL = "communal_hall"
    LIGHT_INDUSTRY = "light_industry"

    @property
    def label(self) -> str:
        return USE_LABELS[self]


USE_LABELS = {
    HighStreetUse.SHOP_OR_OFFICE: "Use as a shop or office (s.192(1)(a))",
    HighStreetUse.SERVICES: "Services to persons who include visiting members of the public (s.192(1)(b))",
    HighStreetUse.FOOD_AND_DRINK: "Restaurant, bar, public house, café or other food or drink (s.192(1)(c))",
    HighStreetUse.ENTERTAINMENT: "Public entertainment or recreation (s.192(1)(d))",
    HighStreetUse.COMMUNAL_HALL: "Communal hall or meeting-place (s.192(1)(e))",
    HighStreetUse.LIGHT_INDUSTRY: "Manufacturing or industry compatible with the other uses (s.192(1)(f))",
}

# LURA 2023 Sch 20 (headed "Section 201"): the grounds of appeal against a final letting notice. Grounds 1-3
# are the Act's words (3 shortened where marked); 4-7 are as our research notes give them (the verbatim text
# of 4-7 was not confirmed).
APPEAL_GROUNDS = {
    1: "That the vacancy condition was not met in relation to the premises on the day on which the initial letting "
    "notice was served.",
    2: "That the premises cannot reasonably be considered suitable for the use identified in the final letting "
    "notice as the suitable high-street use.",
    3: "That the local authority's view that the local benefit condition was met … was one that no authority giving "
    "reasonable consideration to the matter could have reached.",
    4: "The local authority failed, while the initial letting notice was in force, to give consent under section 196 "
    "where required by section 197(1) (or would have been but for section 197(2)(c)).",
    5: "The landlord intends substantial works of construction, demolition or reconstruction and could not "
    "reasonably do them without retaining possession.",
    6: "The landlord intends to occupy the premises for its own business.",
    7: "The landlord intends to occupy the premises as its residence.",
}

# --- designation of high streets and town centres (s.191) ----------------------------------------------------


class DesignationStatus(StrEnum):
    ENGAGING = "engaging"
    DESIGNATED = "designated"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"engaging": "Community engagement", "designated": "Designated", "withdrawn": "Withdrawn"}[self.value]


@dataclass
class Designation:
    """A designated high street or town centre: engagement, designation, variations, withdrawal (s.191)."""

    status: DesignationStatus | None = None
    engagement_started_on: dt.date | None = None
    designated_on: dt.date | None = None
    withdrawn_on: dt.date | None = None
    history: list[tuple[dt.date, str]] = field(default_factory=list)

    def _order(self, on: dt.date) -> None:
        if self.history and on < self.history[-1][0]:
            raise Refused(f"steps are recorded in date order: {on.isoformat()} is before {self.history[-1][0]}")

    @step
    def start_engagement(self, on: dt.date) -> None:
        self._order(on)
        if self.status is not None:
            raise Refused("community engagement has already started")
        self.status, self.engagement_started_on = DesignationStatus.ENGAGING, on
        self.history.append((on, "community engagement started"))

    @step
    def designate(self, on: dt.date) -> None:
        self._order(on)
        if self.status is not DesignationStatus.ENGAGING:
            raise Refused("designate after a period of community engagement", CITE["engagement"])
        period = engagement(self.engagement_started_on)
        if on <= period.last_day:
            raise Refused(f"the 28-day community engagement runs until {period.last_day.isoformat()}: designate "
                          "after it", period.citation)  # fmt: skip
        if on < IN_FORCE_FROM:
            raise Refused(f"LURA 2023 Part 10 is in force from {IN_FORCE_FROM.isoformat()}", REGULATIONS)
        self.status, self.designated_on = DesignationStatus.DESIGNATED, on
        self.history.append((on, "designated"))

    @step
    def vary(self, on: dt.date) -> None:
        self._order(on)
        if self.status is not DesignationStatus.DESIGNATED:
            raise Refused("only a designation in force can be varied", f"{LURA} s.191(4)")
        self.history.append((on, "designation varied"))

    @step
    def withdraw(self, on: dt.date) -> None:
        self._order(on)
        if self.status is DesignationStatus.WITHDRAWN or self.status is None:
            raise Refused("there is no designation or engagement to withdraw", f"{LURA} s.191(4)")
        self.status, self.withdrawn_on = DesignationStatus.WITHDRAWN, on
        self.history.append((on, "withdrawn"))

    def in_force(self, on: dt.date) -> bool:
        """Designated on or before `on` and not withdrawn by then (s.191(4): withdrawn at any time)."""
        return (
            self.designated_on is not None
            and self.designated_on <= on
            and (self.withdrawn_on is None or on < self.withdrawn_on)
        )

    def periods(self) -> list[Period]:
        return [engagement(self.engagement_started_on)] if self.engagement_started_on else []


DESIGNATION_STEPS = {
    "start_engagement": Designation.start_engagement,
    "designate": Designation.designate,
    "vary": Designation.vary,
    "withdraw": Designation.withdraw,
}


# --- a letting case: notices, counter-notice, appeal, auction, tenancy ----------------------------------------


class LettingStatus(StrEnum):
    IDENTIFIED = "identified"
    INITIAL_NOTICE = "initial_notice"
    FINAL_NOTICE = "final_notice"
    COUNTER_NOTICE = "counter_notice"
    APPEAL = "appeal"
    AUCTION = "auction"
    SUCCESSFUL_BIDDER = "successful_bidder"
    LET = "let"
    LET_BY_LANDLORD = "let_by_landlord"
    WITHDRAWN = "withdrawn"
    QUASHED = "quashed"
    LAPSED = "lapsed"

    @property
    def label(self) -> str:
        return LETTING_LABELS[self]


LETTING_LABELS = {
    LettingStatus.IDENTIFIED: "Identified (long vacant)",
    LettingStatus.INITIAL_NOTICE: "Initial letting notice in force",
    LettingStatus.FINAL_NOTICE: "Final letting notice in force",
    LettingStatus.COUNTER_NOTICE: "Counter-notice served",
    LettingStatus.APPEAL: "Appeal to the county court",
    LettingStatus.AUCTION: "Rental auction",
    LettingStatus.SUCCESSFUL_BIDDER: "Successful bidder identified",
    LettingStatus.LET: "Let after the auction",
    LettingStatus.LET_BY_LANDLORD: "Let by the landlord with consent",
    LettingStatus.WITHDRAWN: "Notice withdrawn",
    LettingStatus.QUASHED: "Final notice quashed on appeal",
    LettingStatus.LAPSED: "Lapsed",
}
LIVE = {
    LettingStatus.INITIAL_NOTICE,
    LettingStatus.FINAL_NOTICE,
    LettingStatus.COUNTER_NOTICE,
    LettingStatus.APPEAL,
    LettingStatus.AUCTION,
    LettingStatus.SUCCESSFUL_BIDDER,
}
STARTABLE = {None, LettingStatus.IDENTIFIED, LettingStatus.WITHDRAWN, LettingStatus.QUASHED, LettingStatus.LAPSED}


@dataclass
class Letting:
    """One premises' rental auction case, built by replaying its steps; time lets notices and auctions lapse."""

    status: LettingStatus | None = LettingStatus.IDENTIFIED
    use: HighStreetUse | None = None
    vacancy: Vacancy | None = None
    initial_on: dt.date | None = None
    final_on: dt.date | None = None
    counter_on: dt.date | None = None
    response_on: dt.date | None = None
    confirmed: bool = False
    appeal_on: dt.date | None = None
    grounds: tuple[int, ...] = ()
    auction_on: dt.date | None = None
    bidder_on: dt.date | None = None
    lease_from: dt.date | None = None
    lease_years: int = 0
    lease_months: int = 0
    today: dt.date | None = None
    history: list[tuple[dt.date, str]] = field(default_factory=list)

    def _step(self, on: dt.date) -> None:
        if self.today is not None and on < self.today:
            raise Refused(f"steps are recorded in date order: {on.isoformat()} is before {self.today.isoformat()}")
        self.advance(on)

    def _expect(self, allowed: set, doing: str) -> None:
        if self.status not in allowed:
            raise Refused(f"cannot {doing} while the case is {self.status.label.lower()}")

    def _move(self, on: dt.date, what: str, to: LettingStatus) -> None:
        self.status = to
        self.history.append((on, what))

    def advance(self, on: dt.date) -> LettingStatus | None:
        """Let time run to `on`: an unanswered notice or an auction without a bidder lapses."""
        if self.today is None or on > self.today:
            self.today = on
        if self.status is LettingStatus.INITIAL_NOTICE:
            last = initial_notice(self.initial_on).last_day
            if on > last:
                self._move(last + dt.timedelta(days=1), "initial letting notice ran out", LettingStatus.LAPSED)
        if self.status in (LettingStatus.FINAL_NOTICE, LettingStatus.COUNTER_NOTICE):
            last = final_notice(self.final_on).last_day
            if on > last:
                self._move(last + dt.timedelta(days=1), "final letting notice ran out without an auction",
                           LettingStatus.LAPSED)  # fmt: skip
        if self.status is LettingStatus.AUCTION:
            last = auction(self.auction_on).last_day
            if on > last:
                self._move(last + dt.timedelta(days=1), "auction period ended without a successful bidder",
                           LettingStatus.LAPSED)  # fmt: skip
        return self.status

    @step
    def serve_initial_notice(
        self,
        on: dt.date,
        designated: bool,
        occupation: list[Occupation],
        local_benefit: bool,
        use: HighStreetUse,
        warehouse: bool = False,
    ) -> Vacancy:
        """Serve an initial letting notice (taking effect on `on`): qualifying premises, vacant, of local benefit."""
        self._step(on)
        self._expect(STARTABLE, "serve an initial letting notice")
        if on < IN_FORCE_FROM:
            raise Refused(f"LURA 2023 Part 10 is in force from {IN_FORCE_FROM.isoformat()}", REGULATIONS)
        if not designated:
            raise Refused("the premises must be on a designated high street or in a designated town centre on the "
                          "day the notice is served", CITE["qualifying"])  # fmt: skip
        if warehouse:
            raise Refused("premises used, or last used, wholly or mainly as a warehouse do not qualify",
                          CITE["qualifying"])  # fmt: skip
        vacancy = vacancy_condition(occupation, on)
        if not vacancy.met:
            raise Refused(f"the vacancy condition is not met: {vacancy.reason}", vacancy.citation)
        if not local_benefit:
            raise Refused("the authority must consider that occupying the premises for a suitable high-street use "
                          "would benefit the local economy, society or environment", CITE["local_benefit"])  # fmt: skip
        for name in ("final_on", "counter_on", "response_on", "appeal_on", "auction_on", "bidder_on", "lease_from"):
            setattr(self, name, None)
        self.confirmed, self.grounds, self.lease_years, self.lease_months = False, (), 0, 0
        self.initial_on, self.use, self.vacancy = on, HighStreetUse(use), vacancy
        self._move(on, "initial letting notice served", LettingStatus.INITIAL_NOTICE)
        return vacancy

    @step
    def let_with_consent(self, on: dt.date) -> None:
        """The landlord lets the premises with the authority's consent (s.196; the duty to consent, s.197(1))."""
        self._step(on)
        self._expect({LettingStatus.INITIAL_NOTICE, LettingStatus.FINAL_NOTICE, LettingStatus.COUNTER_NOTICE},
                     "record a letting by the landlord")  # fmt: skip
        self._move(on, "landlord let the premises with the authority's consent", LettingStatus.LET_BY_LANDLORD)

    @step
    def serve_final_notice(self, on: dt.date) -> None:
        self._step(on)
        self._expect({LettingStatus.INITIAL_NOTICE}, "serve a final letting notice")
        wait = final_notice_wait(self.initial_on)
        if on <= wait.last_day:
            raise Refused(f"a final letting notice may be served only after 8 weeks of the initial notice, from "
                          f"{(wait.last_day + dt.timedelta(days=1)).isoformat()}", wait.citation)  # fmt: skip
        self.final_on = on
        self._move(on, "final letting notice served", LettingStatus.FINAL_NOTICE)

    @step
    def serve_counter_notice(self, on: dt.date) -> str:
        """The landlord's counter-notice; the 14-day period is unconfirmed, so a late one is recorded, flagged."""
        self._step(on)
        self._expect({LettingStatus.FINAL_NOTICE}, "record a counter-notice")
        if self.counter_on is not None:
            raise Refused("the landlord has already served a counter-notice to this final letting notice")
        window = counter_notice(self.final_on)
        self.counter_on = on
        self._move(on, "landlord served a counter-notice", LettingStatus.COUNTER_NOTICE)
        return "" if on <= window.last_day else f"after the period ending {window.last_day} ({window.citation})"

    @step
    def respond(self, on: dt.date, confirm: bool) -> str:
        """The authority withdraws or confirms the final letting notice after a counter-notice."""
        self._step(on)
        self._expect({LettingStatus.COUNTER_NOTICE}, "respond to a counter-notice")
        window = response(self.counter_on)
        self.response_on = on
        late = "" if on <= window.last_day else f"after the period ending {window.last_day} ({window.citation})"
        if confirm:
            self.confirmed = True
            self._move(on, "authority confirmed the final letting notice", LettingStatus.FINAL_NOTICE)
        else:
            self._move(on, "authority withdrew the final letting notice", LettingStatus.WITHDRAWN)
        return late

    @step
    def appeal(self, on: dt.date, grounds: Iterable[int]) -> None:
        """The landlord appeals to the county court on Sch 20 grounds (period not confirmed: not checked)."""
        self._step(on)
        self._expect({LettingStatus.FINAL_NOTICE}, "appeal against the final letting notice")
        if not self.confirmed:
            raise Refused("an appeal follows a counter-notice and the authority's confirmation of the final notice",
                          CITE["appeal"])  # fmt: skip
        grounds = tuple(sorted(set(grounds)))
        if not grounds or any(g not in APPEAL_GROUNDS for g in grounds):
            raise Refused("an appeal names one or more of the seven grounds in Schedule 20", CITE["appeal"])
        self.appeal_on, self.grounds = on, grounds
        self._move(on, f"landlord appealed on ground{'s' if len(grounds) > 1 else ''} "
                       f"{', '.join(map(str, grounds))}", LettingStatus.APPEAL)  # fmt: skip

    @step
    def decide_appeal(self, on: dt.date, allowed: bool) -> None:
        self._step(on)
        self._expect({LettingStatus.APPEAL}, "record the court's decision")
        if allowed:
            self._move(on, "appeal allowed: the final letting notice is quashed", LettingStatus.QUASHED)
        else:
            self._move(on, "appeal dismissed", LettingStatus.FINAL_NOTICE)

    @step
    def start_auction(self, on: dt.date) -> None:
        """The authority arranges a rental auction while a final letting notice is in force (s.203(1))."""
        self._step(on)
        self._expect({LettingStatus.FINAL_NOTICE}, "start a rental auction")
        self.auction_on = on
        self._move(on, "rental auction started", LettingStatus.AUCTION)

    @step
    def successful_bidder(self, on: dt.date) -> None:
        """The auction identifies the successful bidder (s.203); the landlord must contract with them (s.204)."""
        self._step(on)
        self._expect({LettingStatus.AUCTION}, "record the successful bidder")
        self.bidder_on = on
        self._move(on, "successful bidder identified", LettingStatus.SUCCESSFUL_BIDDER)

    @step
    def grant_lease(self, on: dt.date, years: int, months: int = 0) -> Period:
        self._step(on)
        self._expect({LettingStatus.SUCCESSFUL_BIDDER}, "record the tenancy")
        try:
            term = lease(on, years, months)
        except ValueError as exc:
            raise Refused(str(exc)) from None
        self.lease_from, self.lease_years, self.lease_months = on, years, months
        self._move(on, f"tenancy granted for {term.length}", LettingStatus.LET)
        return term

    @step
    def withdraw(self, on: dt.date) -> None:
        """A letting notice may be withdrawn by the authority at any time (s.214(6))."""
        self._step(on)
        self._expect(LIVE, "withdraw the notice")
        self._move(on, "authority withdrew the letting notice", LettingStatus.WITHDRAWN)

    def periods(self) -> list[Period | Awaiting]:
        found: list[Period | Awaiting] = []
        if self.initial_on:
            found += [initial_notice(self.initial_on), final_notice_wait(self.initial_on)]
        if self.final_on:
            found += [final_notice(self.final_on), counter_notice(self.final_on)]
        if self.counter_on:
            found.append(response(self.counter_on))
        if self.response_on and self.confirmed:
            found.append(attempt(appeal, self.response_on))
        if self.auction_on:
            found.append(auction(self.auction_on))
        if self.lease_from:
            found.append(lease(self.lease_from, self.lease_years, self.lease_months))
        return found

    def running(self, today: dt.date) -> list[Period]:
        relevant = {
            LettingStatus.INITIAL_NOTICE: {"initial_notice", "final_notice_wait"},
            LettingStatus.FINAL_NOTICE: {"final_notice", "counter_notice"},
            LettingStatus.COUNTER_NOTICE: {"final_notice", "response"},
            LettingStatus.AUCTION: {"auction"},
            LettingStatus.LET: {"lease"},
        }.get(self.status, set())
        return [p for p in self.periods() if not p.pending and p.key in relevant and p.begins <= today <= p.last_day]


LETTING_STEPS = {
    "serve_initial_notice": Letting.serve_initial_notice,
    "let_with_consent": Letting.let_with_consent,
    "serve_final_notice": Letting.serve_final_notice,
    "serve_counter_notice": Letting.serve_counter_notice,
    "respond": Letting.respond,
    "appeal": Letting.appeal,
    "decide_appeal": Letting.decide_appeal,
    "start_auction": Letting.start_auction,
    "successful_bidder": Letting.successful_bidder,
    "grant_lease": Letting.grant_lease,
    "withdraw": Letting.withdraw,
}


def replay_letting(steps: list[tuple[str, dt.date, dict]], today: dt.date | None = None) -> Letting:
    case = Letting()
    for name, on, kwargs in steps:
        LETTING_STEPS[name](case, on, **kwargs)
    if today is not None:
        case.advance(today)
    return case


def replay_designation(steps: list[tuple[str, dt.date]]) -> Designation:
    designation = Designation()
    for name, on in steps:
        DESIGNATION_STEPS[name](designation, on)
    return designation
