"""Statutory clocks for Assets of Community Value: every deadline, one function each, with its citation.

Pure (no Django): the CLI, the web app and the tests all call these functions, so a date shown on
a public asset page is the same date `commonground assets clocks` prints.

Period convention, used everywhere (Dodds v Walker [1981] 1 WLR 1441, HL; the corresponding-date
rule): a period "of N weeks/months/years beginning with day D" ends at the end of the day before the
corresponding day N weeks/months/years later; where that month has no corresponding day (31 Aug
+ 6 months), it ends at the end of that month's last day. A period "of N days beginning with D"
ends at the end of day D + N - 1. Every function returns the *last day inside* the period.

Two dated rule sets, chosen per council and fixed per case (never mixed inside a case):
`localism-2011` (current law) and `right-to-buy` (the Community Right to Buy proposed in the
English Devolution and Community Empowerment Bill, introduced July 2025: a proposal, not law).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Unit(StrEnum):
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


@dataclass(frozen=True)
class Length:
    count: int
    unit: Unit

    def __str__(self) -> str:
        singular = self.unit.value[:-1]
        return f"{self.count} {singular if self.count == 1 else self.unit.value}"


def corresponding_day(start: dt.date, length: Length) -> dt.date | None:
    """The day N units after `start` with the same day-of-month; None when that month has no such day."""
    if length.unit is Unit.DAYS:
        return start + dt.timedelta(days=length.count)
    if length.unit is Unit.WEEKS:
        return start + dt.timedelta(weeks=length.count)
    months = length.count * (12 if length.unit is Unit.YEARS else 1)
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if start.day > calendar.monthrange(year, month)[1]:
        return None
    return dt.date(year, month, start.day)


def last_day(start: dt.date, length: Length) -> dt.date:
    """Last day inside the period of `length` beginning with `start` (the convention in the module docstring)."""
    if length.count < 1:
        raise ValueError("a period must be at least 1 unit long")
    target = corresponding_day(start, length)
    if target is not None:
        return target - dt.timedelta(days=1)
    months = length.count * (12 if length.unit is Unit.YEARS else 1)
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, calendar.monthrange(year, month + 1)[1])


class Event(StrEnum):
    """Things that start a clock, as the CLI names them."""

    NOMINATION_RECEIVED = "nomination-received"
    LISTED = "listed"
    LISTING_NOTICE = "listing-notice"
    REVIEW_REQUESTED = "review-requested"
    REVIEW_DECISION = "review-decision"
    DISPOSAL_NOTICE = "disposal-notice"
    MORATORIUM_END = "moratorium-end"
    DELISTED = "delisted"


@dataclass(frozen=True)
class RuleSet:
    """One dated set of periods. `status` says whether it is law or a proposal."""

    key: str
    title: str
    status: str  # "law" or "proposal"
    in_force_from: dt.date | None
    source: str
    nomination_decision: Length
    listing: Length
    review_request: Length
    review_decision: Length
    tribunal_appeal: Length
    interim_moratorium: Length
    full_moratorium: Length
    protected_period: Length
    compensation_claim: Length
    long_vacancy: Length | None = None  # proposal only: vacancy that triggers the community's right
    right_of_first_refusal: bool = False
    notes: tuple[str, ...] = field(default=())


LOCALISM_2011 = RuleSet(
    key="localism-2011",
    title="Community Right to Bid (Localism Act 2011 Part 5 Ch. 3; SI 2012/2421)",
    status="law",
    in_force_from=dt.date(2012, 9, 21),  # SI 2012/2421 reg 1; SI 2012/2420 commencement
    source="Localism Act 2011 ss.87-108; Assets of Community Value (England) Regulations 2012 (SI 2012/2421)",
    nomination_decision=Length(8, Unit.WEEKS),
    listing=Length(5, Unit.YEARS),
    review_request=Length(8, Unit.WEEKS),
    review_decision=Length(8, Unit.WEEKS),
    tribunal_appeal=Length(28, Unit.DAYS),
    interim_moratorium=Length(6, Unit.WEEKS),
    full_moratorium=Length(6, Unit.MONTHS),
    protected_period=Length(18, Unit.MONTHS),
    compensation_claim=Length(13, Unit.WEEKS),
)

RIGHT_TO_BUY = RuleSet(
    key="right-to-buy",
    title="Community Right to Buy (proposal: English Devolution and Community Empowerment Bill, July 2025)",
    status="proposal",
    in_force_from=None,  # not in force: check the Bill's status before treating any of it as law
    source="English Devolution and Community Empowerment Bill (introduced July 2025), Community Right to Buy",
    nomination_decision=Length(8, Unit.WEEKS),
    listing=Length(5, Unit.YEARS),
    review_request=Length(8, Unit.WEEKS),
    review_decision=Length(8, Unit.WEEKS),
    tribunal_appeal=Length(28, Unit.DAYS),
    interim_moratorium=Length(6, Unit.WEEKS),
    full_moratorium=Length(12, Unit.MONTHS),  # proposal: moratorium extended from 6 to 12 months
    protected_period=Length(18, Unit.MONTHS),
    compensation_claim=Length(13, Unit.WEEKS),
    long_vacancy=Length(12, Unit.MONTHS),  # proposal: trigger for long-vacant high-street buildings
    right_of_first_refusal=True,  # proposal: first refusal at a price agreed or set by an independent valuer
    notes=(
        "Proposal, not law: periods other than the 12-month full moratorium follow the 2011 scheme.",
        "Right of first refusal at a price agreed or set by an independent valuer.",
    ),
)

RULESETS: dict[str, RuleSet] = {r.key: r for r in (LOCALISM_2011, RIGHT_TO_BUY)}
DEFAULT_RULESET = LOCALISM_2011.key


def ruleset(key: str) -> RuleSet:
    try:
        return RULESETS[key]
    except KeyError:
        raise ValueError(f"unknown rule set {key!r}: choose one of {', '.join(RULESETS)}") from None


@dataclass(frozen=True)
class Period:
    """One computed period: when it begins, its last day, and the rule behind it."""

    key: str
    name: str
    length: str
    begins: dt.date
    last_day: dt.date
    citation: str
    note: str = ""

    def as_dict(self) -> dict:
        data = asdict(self)
        data["begins"] = self.begins.isoformat()
        data["last_day"] = self.last_day.isoformat()
        return data

    def days_left(self, today: dt.date) -> int:
        """Whole days still inside the period after today (0 on its last day; negative once over)."""
        return (self.last_day - today).days


def _period(key: str, name: str, begins: dt.date, length: Length, citation: str, note: str = "") -> Period:
    return Period(key, name, str(length), begins, last_day(begins, length), citation, note)


# --- One function per deadline ----------------------------------------------------------------


def nomination_decision(received: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # SI 2012/2421 reg 7: decide within 8 weeks beginning with the day the nomination is received.
    return _period(
        "nomination_decision",
        "Council decides the nomination",
        received,
        rules.nomination_decision,
        "SI 2012/2421 reg 7",
    )


def listing(listed: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # Localism Act 2011 s.87(3): entry removed at the end of 5 years beginning with the date of entry.
    return _period("listing", "Listing lasts", listed, rules.listing, "Localism Act 2011 s.87(3)")


def review_request(listing_notice: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # Localism Act 2011 s.92; SI 2012/2421 reg 8 & Sch. 2 para 1: owner asks within 8 weeks of the listing notice.
    return _period(
        "review_request",
        "Owner may ask for a review",
        listing_notice,
        rules.review_request,
        "Localism Act 2011 s.92; SI 2012/2421 reg 8, Sch. 2 para 1",
        "or such longer period as the council allows in writing",
    )


def review_decision(review_requested: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # SI 2012/2421 Sch. 2: review decided within 8 weeks of the request (longer if agreed in writing).
    return _period(
        "review_decision",
        "Council decides the review",
        review_requested,
        rules.review_decision,
        "SI 2012/2421 reg 8, Sch. 2",
        "or such longer period as the owner and council agree in writing",
    )


def tribunal_appeal(review_decision_given: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # SI 2012/2421 reg 11; Tribunal Procedure (First-tier Tribunal) (GRC) Rules 2009 r.22: appeal within 28 days.
    return _period(
        "tribunal_appeal",
        "Owner may appeal to the First-tier Tribunal (GRC)",
        review_decision_given,
        rules.tribunal_appeal,
        "SI 2012/2421 reg 11; SI 2009/1976 r.22(1)(b)",
    )


def interim_moratorium(notice_received: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # Localism Act 2011 s.95(6): 6 weeks beginning with the day the council receives the s.95(2) notice.
    return _period(
        "interim_moratorium",
        "Interim moratorium",
        notice_received,
        rules.interim_moratorium,
        "Localism Act 2011 s.95(3)(a), (6)",
        "a community interest group may ask in writing to be treated as a potential bidder",
    )


def full_moratorium(notice_received: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # Localism Act 2011 s.95(3)(b), (6): 6 months from the same day, if a group asked to bid in the interim period.
    citation = "Localism Act 2011 s.95(3)(b), (6)"
    if rules.status == "proposal":
        citation += "; extended to 12 months by the Community Right to Buy proposal"
    return _period("full_moratorium", "Full moratorium", notice_received, rules.full_moratorium, citation)


def protected_period(notice_received: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # Localism Act 2011 s.95(4), (6): 18 months from the same day; no new moratorium may start inside it.
    return _period(
        "protected_period",
        "Protected period",
        notice_received,
        rules.protected_period,
        "Localism Act 2011 s.95(4), (6)",
        "the owner may sell freely once any moratorium is over",
    )


def compensation_claim(ended: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # Localism Act 2011 s.99; SI 2012/2421 reg 14: a private owner claims in writing within 13 weeks.
    return _period(
        "compensation_claim",
        "Owner may claim compensation",
        ended,
        rules.compensation_claim,
        "Localism Act 2011 s.99; SI 2012/2421 reg 14",
        "private owners only; in writing",
    )


def long_vacancy_watch(vacant_since: dt.date, rules: RuleSet = RIGHT_TO_BUY) -> Period | None:
    # Proposal (Community Right to Buy): a high-street building vacant for 12 months may trigger the right.
    if rules.long_vacancy is None:
        return None
    return _period(
        "long_vacancy",
        "Long-vacancy watch",
        vacant_since,
        rules.long_vacancy,
        "Community Right to Buy proposal (Bill introduced July 2025)",
        "proposal, not law",
    )


def is_long_vacant(vacant_since: dt.date | None, today: dt.date, rules: RuleSet) -> bool:
    """True once a building has been vacant for the whole long-vacancy period (right-to-buy rule set only)."""
    if vacant_since is None:
        return False
    watch = long_vacancy_watch(vacant_since, rules)
    return watch is not None and today > watch.last_day


def disposal_periods(notice_received: dt.date, rules: RuleSet, bid_request: dt.date | None = None) -> list[Period]:
    """The three s.95 periods; the full moratorium only when a bid request arrived inside the interim period."""
    interim = interim_moratorium(notice_received, rules)
    periods = [interim]
    if bid_request is not None:
        if bid_request < notice_received or bid_request > interim.last_day:
            raise ValueError(
                f"bid request {bid_request.isoformat()} is outside the interim moratorium "
                f"({notice_received.isoformat()} to {interim.last_day.isoformat()}): it does not start the full "
                "moratorium (Localism Act 2011 s.95(3))"
            )
        periods.append(full_moratorium(notice_received, rules))
    periods.append(protected_period(notice_received, rules))
    return periods


CLOCKS: dict[Event, Callable[[dt.date, RuleSet], list[Period]]] = {
    Event.NOMINATION_RECEIVED: lambda d, r: [nomination_decision(d, r)],
    Event.LISTED: lambda d, r: [listing(d, r)],
    Event.LISTING_NOTICE: lambda d, r: [review_request(d, r)],
    Event.REVIEW_REQUESTED: lambda d, r: [review_decision(d, r)],
    Event.REVIEW_DECISION: lambda d, r: [tribunal_appeal(d, r)],
    Event.MORATORIUM_END: lambda d, r: [compensation_claim(d, r)],
    Event.DELISTED: lambda d, r: [compensation_claim(d, r)],
}


def clocks(
    event: Event, on: dt.date, rules: RuleSet = LOCALISM_2011, bid_request: dt.date | None = None
) -> list[Period]:
    """Every period an event starts, in order."""
    if bid_request is not None and event is not Event.DISPOSAL_NOTICE:
        raise ValueError("--bid-request only applies to a disposal-notice")
    if event is Event.DISPOSAL_NOTICE:
        return disposal_periods(on, rules, bid_request)
    return CLOCKS[event](on, rules)
