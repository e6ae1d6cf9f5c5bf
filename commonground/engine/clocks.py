"""Statutory clocks for Assets of Community Value: every deadline, one function each, with its citation.

Pure (no Django): the CLI, the web app and the tests all call these functions, so a date shown on
a public asset page is the same date `commonground assets clocks` prints.

Period convention, used everywhere (Dodds v Walker [1981] 1 WLR 1441, HL; the corresponding-date
rule): a period "of N weeks/months/years beginning with day D" ends at the end of the day before the
corresponding day N weeks/months/years later; where that month has no corresponding day (31 Aug
+ 6 months), it ends at the end of that month's last day. A period "of N days beginning with D"
ends at the end of day D + N - 1. Every function returns the *last day inside* the period.

Two dated rule sets, chosen per council and fixed per case when it starts (never mixed inside a
case): `localism-2011` (the Community Right to Bid, in force) and `right-to-buy-2026` (the Community
Right to Buy enacted by the English Devolution and Community Empowerment Act 2026, c. 23, Royal
Assent 29 April 2026, awaiting commencement regulations). The old key `right-to-buy` (the Bill's
proposal) is read as an alias of `right-to-buy-2026`.

A period the law leaves to regulations not yet made (or that we could not confirm from the text) is
`Pending`: it names what it waits on, and computing its clock raises `PendingClock` rather than
guessing a figure. Users see "waits on regulations".
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


class PendingKind(StrEnum):
    REGULATIONS = "regulations"  # the Act leaves it to regulations not yet made
    UNCONFIRMED = "unconfirmed"  # the law fixes it, but we could not confirm the figure from its text


@dataclass(frozen=True)
class Pending:
    """A length the law has not fixed yet: `waits_on` names the regulation (or text) it waits on."""

    waits_on: str
    kind: PendingKind = PendingKind.REGULATIONS

    def __str__(self) -> str:
        return "waits on regulations" if self.kind is PendingKind.REGULATIONS else "not confirmed"


class PendingClock(ValueError):
    """Raised when a clock whose length is `Pending` is computed: the message names what it waits on."""

    def __init__(self, name: str, pending: Pending, key: str = "", begins: dt.date | None = None,
                 citation: str = "") -> None:  # fmt: skip
        super().__init__(f"{name}: {pending} ({pending.waits_on})")
        self.name = name
        self.pending = pending
        self.key = key
        self.begins = begins
        self.citation = citation


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


def year_start(end: dt.date, length: Length) -> dt.date:
    """First day of the period of `length` (months or years) *ending with* `end`: the day after the same
    date `length` earlier (or after that month's last day when it has no such date). Used for "the 1 year
    ending with the previous day" (LURA 2023 Part 10's vacancy condition)."""
    months = length.count * (12 if length.unit is Unit.YEARS else 1)
    if length.unit in (Unit.DAYS, Unit.WEEKS):
        days = length.count * (7 if length.unit is Unit.WEEKS else 1)
        return end - dt.timedelta(days=days - 1)
    index = end.year * 12 + (end.month - 1) - months
    year, month = divmod(index, 12)
    day = min(end.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day) + dt.timedelta(days=1)


def last_day(start: dt.date, length: Length | Pending) -> dt.date:
    """Last day inside the period of `length` beginning with `start` (the convention in the module docstring)."""
    if isinstance(length, Pending):
        raise PendingClock("this period", length, begins=start)
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


Span = Length | Pending

# Default citations of each period under the 2011 scheme; a rule set may override them.
CITATIONS_2011 = {
    "nomination_decision": "SI 2012/2421 reg 7",
    "listing": "Localism Act 2011 s.87(3)",
    "review_request": "Localism Act 2011 s.92; SI 2012/2421 reg 8, Sch. 2 para 1",
    "review_decision": "SI 2012/2421 reg 8, Sch. 2",
    "tribunal_appeal": "SI 2012/2421 reg 11; SI 2009/1976 r.22(1)(b)",
    "interim_moratorium": "Localism Act 2011 s.95(3)(a), (6)",
    "full_moratorium": "Localism Act 2011 s.95(3)(b), (6)",
    "protected_period": "Localism Act 2011 s.95(4), (6)",
    "compensation_claim": "Localism Act 2011 s.99; SI 2012/2421 reg 14",
}


@dataclass(frozen=True)
class RuleSet:
    """One dated set of periods and rules. `status`: "law" (in force), "enacted" (awaiting commencement)."""

    key: str
    title: str
    status: str
    in_force_from: dt.date | None  # None: the commencement date is not yet set
    source: str
    nomination_decision: Span
    listing: Span
    review_request: Span
    review_decision: Span
    tribunal_appeal: Span
    interim_moratorium: Span
    full_moratorium: Span
    protected_period: Span
    compensation_claim: Span
    citations: dict[str, str] = field(default_factory=dict)
    # The test of community value: economic as well as social; past use at any time, not only the recent past.
    economic_value: bool = False
    past_use_any_time: bool = False
    value_test_citation: str = "Localism Act 2011 s.88(1), (2)"
    # The community group's first refusal at a price agreed or set by an independent valuer.
    right_of_first_refusal: bool = False
    first_refusal_citation: str = ""
    valuation_timetable: Span | None = None
    valuation_basis: Pending | None = None
    progress_check_consequence: Pending | None = None
    exempt_disposals: Pending | None = None  # None: the 2011 grounds (s.95(5); SI 2012/2421 Sch 3)
    sports_grounds: Pending | None = None  # sports grounds treated differently; the detail waits on this
    commencement: Pending | None = None  # what the commencement date waits on, while it is None
    predecessor: str | None = None  # the rule set new cases use until this one is in force
    notes: tuple[str, ...] = field(default=())

    def citation(self, key: str) -> str:
        return self.citations.get(key, CITATIONS_2011.get(key, ""))

    def in_force(self, on: dt.date) -> bool:
        return self.in_force_from is not None and on >= self.in_force_from


LOCALISM_2011 = RuleSet(
    key="localism-2011",
    title="Community Right to Bid (Localism Act 2011 Part 5 Ch. 3; SI 2012/2421)",
    status="law",
    in_force_from=dt.date(2012, 9, 21),  # SI 2012/2421 reg 1; SI 2012/2420 commencement
    source="Localism Act 2011 ss.87-108; Assets of Community Value (England) Regulations 2012 (SI 2012/2421)",
    nomination_decision=Length(8, Unit.WEEKS),  # SI 2012/2421 reg 7
    listing=Length(5, Unit.YEARS),  # Localism Act 2011 s.87(3)
    review_request=Length(8, Unit.WEEKS),  # SI 2012/2421 reg 8, Sch. 2 para 1
    review_decision=Length(8, Unit.WEEKS),  # SI 2012/2421 reg 8, Sch. 2
    tribunal_appeal=Length(28, Unit.DAYS),  # SI 2012/2421 reg 11; SI 2009/1976 r.22(1)(b)
    interim_moratorium=Length(6, Unit.WEEKS),  # Localism Act 2011 s.95(3)(a), (6)
    full_moratorium=Length(6, Unit.MONTHS),  # Localism Act 2011 s.95(3)(b), (6)
    protected_period=Length(18, Unit.MONTHS),  # Localism Act 2011 s.95(4), (6)
    compensation_claim=Length(13, Unit.WEEKS),  # Localism Act 2011 s.99; SI 2012/2421 reg 14
)

# The Act's ACV schedule: Bill Sch 27 (as introduced, July 2025), Sch 29 in the Lords; it replaces Localism
# Act 2011 Part 5 Ch 3 with new sections 86A, 86B, ... The enacted schedule's number was not confirmed.
EDCE = "English Devolution and Community Empowerment Act 2026 (c. 23)"
EDCE_SCHEDULE = f"{EDCE}, ACV schedule (Bill Sch 27/29; enacted numbering unconfirmed)"
NEW_REGULATIONS = "new ACV regulations under the 2026 Act (replacing SI 2012/2421; none made yet)"

RIGHT_TO_BUY_2026 = RuleSet(
    key="right-to-buy-2026",
    title=f"Community Right to Buy ({EDCE}; Royal Assent 29 April 2026)",
    status="enacted",
    in_force_from=None,  # EDCE Act 2026 commencement section: ACV schedule by commencement regulations, not yet made
    source=f"{EDCE_SCHEDULE}, amending Localism Act 2011 Part 5 Ch 3",
    # Each Pending below names what it waits on; computing it raises PendingClock.
    nomination_decision=Pending(f"{NEW_REGULATIONS}: the nomination decision period (old law: 8 weeks, reg 7)"),
    listing=Pending(f"{NEW_REGULATIONS}: how long a listing lasts (old law: 5 years, s.87(3))"),
    review_request=Pending(f"{NEW_REGULATIONS}: review of a listing (old law: SI 2012/2421 reg 8, Sch 2)"),
    review_decision=Pending(f"{NEW_REGULATIONS}: review of a listing (old law: SI 2012/2421 reg 8, Sch 2)"),
    tribunal_appeal=Pending(f"{NEW_REGULATIONS}: appeal against a listing (old law: SI 2012/2421 reg 11)"),
    interim_moratorium=Pending(f"{NEW_REGULATIONS}: the interim (expression-of-interest) window (old law: 6 weeks)"),
    full_moratorium=Length(12, Unit.MONTHS),  # EDCE Act 2026 ACV schedule (Bill Sch 27/29): 12-month moratorium
    protected_period=Pending(
        f"the enacted text of the {EDCE} ACV schedule (no protected period confirmed; old law: 18 months)",
        PendingKind.UNCONFIRMED,
    ),
    compensation_claim=Pending(f"{NEW_REGULATIONS}: owners' compensation (old law: s.99; reg 14)"),
    citations={
        "nomination_decision": f"{EDCE_SCHEDULE}; period waits on {NEW_REGULATIONS}",
        "listing": f"{EDCE_SCHEDULE} (new Localism Act s.86A-); duration waits on {NEW_REGULATIONS}",
        "review_request": f"{EDCE_SCHEDULE}; review waits on {NEW_REGULATIONS}",
        "review_decision": f"{EDCE_SCHEDULE}; review waits on {NEW_REGULATIONS}",
        "tribunal_appeal": f"{EDCE_SCHEDULE}; appeal waits on {NEW_REGULATIONS}",
        "interim_moratorium": f"{EDCE_SCHEDULE}; window waits on {NEW_REGULATIONS}",
        "full_moratorium": f"{EDCE_SCHEDULE}: moratorium of 12 months (start day as under Localism Act 2011 s.95(6))",
        "protected_period": f"{EDCE_SCHEDULE}: protected period not confirmed in the enacted text",
        "compensation_claim": f"{EDCE_SCHEDULE}; compensation waits on {NEW_REGULATIONS}",
    },
    economic_value=True,  # Bill Sch 27/29, new Localism Act s.86B: "economic or social wellbeing or ... interests"
    past_use_any_time=True,  # Bill Sch 27/29, new Localism Act s.86B: "a time in the past" (no longer "recent")
    value_test_citation=f"{EDCE_SCHEDULE}, new Localism Act s.86B",
    right_of_first_refusal=True,  # Bill Sch 27/29: the community group has the first opportunity to buy
    first_refusal_citation=f"{EDCE_SCHEDULE}: community right of first refusal",
    valuation_timetable=Pending(f"{NEW_REGULATIONS}: the valuation timetable"),
    valuation_basis=Pending(f"{NEW_REGULATIONS}: the valuation basis (market value per the government's statement)"),
    progress_check_consequence=Pending(f"{NEW_REGULATIONS}: what follows the council's progress finding"),
    exempt_disposals=Pending(f"{NEW_REGULATIONS}: exempt disposals (old law: s.95(5); SI 2012/2421 Sch 3)"),
    sports_grounds=Pending(
        f"the enacted text of the {EDCE} ACV schedule on sports grounds (Bill Sch 29; detail unconfirmed)",
        PendingKind.UNCONFIRMED,
    ),
    commencement=Pending(f"commencement regulations under the {EDCE} for the ACV schedule"),
    predecessor=LOCALISM_2011.key,
    notes=(
        "Enacted (Royal Assent 29 April 2026) but not in force until commencement regulations are made; cases "
        "begun under the Localism Act 2011 finish under it.",
        "The community group has first refusal during a 12-month moratorium, at a price agreed or set by an "
        "independent valuer at market value; the owner may ask the council to check the group is making progress.",
    ),
)

RULESETS: dict[str, RuleSet] = {r.key: r for r in (LOCALISM_2011, RIGHT_TO_BUY_2026)}
ALIASES = {"right-to-buy": RIGHT_TO_BUY_2026.key}  # the Bill's proposal, as stored before the Act
DEFAULT_RULESET = LOCALISM_2011.key


def canonical(key: str) -> str:
    return ALIASES.get(key, key)


def ruleset(key: str) -> RuleSet:
    try:
        return RULESETS[canonical(key)]
    except KeyError:
        raise ValueError(f"unknown rule set {key!r}: choose one of {', '.join(RULESETS)}") from None


def rules_for_new_case(chosen: RuleSet | str, on: dt.date) -> RuleSet:
    """The rule set a case begun on `on` is fixed to: the council's choice once it is in force, else the
    rule set it replaces (a choice of the 2026 regime takes effect only when its commencement date is set
    and reached; cases begun earlier finish under the old law)."""
    rules = ruleset(chosen) if isinstance(chosen, str) else chosen
    while not rules.in_force(on) and rules.predecessor is not None:
        rules = ruleset(rules.predecessor)
    return rules


def in_force_note(rules: RuleSet) -> str:
    """One line on whether a rule set is in force, for pages and the command line."""
    if rules.in_force_from is not None:
        return f"in force since {rules.in_force_from:%d %B %Y}"
    waits = rules.commencement.waits_on if rules.commencement else "commencement"
    return f"not in force: waits on {waits}"


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

    pending = False

    def as_dict(self) -> dict:
        data = asdict(self)
        data["begins"] = self.begins.isoformat()
        data["last_day"] = self.last_day.isoformat()
        return data

    def days_left(self, today: dt.date) -> int:
        """Whole days still inside the period after today (0 on its last day; negative once over)."""
        return (self.last_day - today).days


@dataclass(frozen=True)
class Awaiting:
    """A period that has begun but whose length waits on regulations: shown, never computed."""

    key: str
    name: str
    begins: dt.date | None
    waits_on: str
    citation: str
    kind: PendingKind = PendingKind.REGULATIONS

    pending = True
    last_day = None

    @property
    def length(self) -> str:
        return "waits on regulations" if self.kind is PendingKind.REGULATIONS else "not confirmed"

    def as_dict(self) -> dict:
        return {"key": self.key, "name": self.name, "begins": self.begins.isoformat() if self.begins else None,
                "last_day": None, "pending": True, "length": self.length, "waits_on": self.waits_on,
                "citation": self.citation}  # fmt: skip

    @classmethod
    def of(cls, error: PendingClock) -> Awaiting:
        return cls(error.key, error.name, error.begins, error.pending.waits_on, error.citation, error.pending.kind)


def period(key: str, name: str, begins: dt.date, length: Span, citation: str, note: str = "") -> Period:
    """A period of `length` beginning with `begins`; a Pending length raises PendingClock naming what it waits on."""
    if isinstance(length, Pending):
        raise PendingClock(name, length, key, begins, citation)
    return Period(key, name, str(length), begins, last_day(begins, length), citation, note)


def attempt(clock: Callable[..., Period], *args) -> Period | Awaiting:
    """The period, or what it waits on when its length is pending (for pages that show both)."""
    try:
        return clock(*args)
    except PendingClock as pending:
        return Awaiting.of(pending)


# --- One function per deadline ----------------------------------------------------------------


def nomination_decision(received: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # SI 2012/2421 reg 7: decide within 8 weeks beginning with the day the nomination is received.
    return period(
        "nomination_decision",
        "Council decides the nomination",
        received,
        rules.nomination_decision,
        rules.citation("nomination_decision"),
    )


def listing(listed: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # Localism Act 2011 s.87(3): entry removed at the end of 5 years beginning with the date of entry.
    return period("listing", "Listing lasts", listed, rules.listing, rules.citation("listing"))


def review_request(listing_notice: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # Localism Act 2011 s.92; SI 2012/2421 reg 8 & Sch. 2 para 1: owner asks within 8 weeks of the listing notice.
    return period(
        "review_request",
        "Owner may ask for a review",
        listing_notice,
        rules.review_request,
        rules.citation("review_request"),
        "or such longer period as the council allows in writing",
    )


def review_decision(review_requested: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # SI 2012/2421 Sch. 2: review decided within 8 weeks of the request (longer if agreed in writing).
    return period(
        "review_decision",
        "Council decides the review",
        review_requested,
        rules.review_decision,
        rules.citation("review_decision"),
        "or such longer period as the owner and council agree in writing",
    )


def tribunal_appeal(review_decision_given: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # SI 2012/2421 reg 11; Tribunal Procedure (First-tier Tribunal) (GRC) Rules 2009 r.22: appeal within 28 days.
    return period(
        "tribunal_appeal",
        "Owner may appeal to the First-tier Tribunal (GRC)",
        review_decision_given,
        rules.tribunal_appeal,
        rules.citation("tribunal_appeal"),
    )


def interim_moratorium(notice_received: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # Localism Act 2011 s.95(6): 6 weeks beginning with the day the council receives the s.95(2) notice.
    return period(
        "interim_moratorium",
        "Interim moratorium",
        notice_received,
        rules.interim_moratorium,
        rules.citation("interim_moratorium"),
        "a community interest group may ask in writing to be treated as a potential bidder",
    )


def full_moratorium(notice_received: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # Localism Act 2011 s.95(3)(b), (6): 6 months from the same day, if a group asked to bid in the interim period;
    # EDCE Act 2026 ACV schedule (Bill Sch 27/29): 12 months, the community group holding first refusal.
    note = "the community group has first refusal" if rules.right_of_first_refusal else ""
    return period(
        "full_moratorium", "Full moratorium", notice_received, rules.full_moratorium,
        rules.citation("full_moratorium"), note,
    )  # fmt: skip


def protected_period(notice_received: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # Localism Act 2011 s.95(4), (6): 18 months from the same day; no new moratorium may start inside it.
    return period(
        "protected_period",
        "Protected period",
        notice_received,
        rules.protected_period,
        rules.citation("protected_period"),
        "the owner may sell freely once any moratorium is over",
    )


def compensation_claim(ended: dt.date, rules: RuleSet = LOCALISM_2011) -> Period:
    # Localism Act 2011 s.99; SI 2012/2421 reg 14: a private owner claims in writing within 13 weeks.
    return period(
        "compensation_claim",
        "Owner may claim compensation",
        ended,
        rules.compensation_claim,
        rules.citation("compensation_claim"),
        "private owners only; in writing",
    )


def valuation_timetable(requested: dt.date, rules: RuleSet) -> Period:
    # EDCE Act 2026 ACV schedule (Bill Sch 27/29): price set by an independent valuer; timetable waits on regulations.
    if rules.valuation_timetable is None:
        raise ValueError(f"{rules.key} has no independent valuation")
    return period(
        "valuation", "Independent valuation", requested, rules.valuation_timetable,
        f"{rules.first_refusal_citation}; timetable per regulations",
    )  # fmt: skip


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


def disposal_report(
    notice_received: dt.date, rules: RuleSet, bid_request: dt.date | None = None
) -> list[Period | Awaiting]:
    """Like `disposal_periods`, but a pending period is shown as what it waits on instead of raising."""
    interim = attempt(interim_moratorium, notice_received, rules)
    found: list[Period | Awaiting] = [interim]
    if bid_request is not None:
        if bid_request < notice_received or (interim.last_day is not None and bid_request > interim.last_day):
            disposal_periods(notice_received, rules, bid_request)  # raises with the reason
        found.append(attempt(full_moratorium, notice_received, rules))
    found.append(attempt(protected_period, notice_received, rules))
    return found


CLOCKS: dict[Event, Callable[[dt.date, RuleSet], Period]] = {
    Event.NOMINATION_RECEIVED: nomination_decision,
    Event.LISTED: listing,
    Event.LISTING_NOTICE: review_request,
    Event.REVIEW_REQUESTED: review_decision,
    Event.REVIEW_DECISION: tribunal_appeal,
    Event.MORATORIUM_END: compensation_claim,
    Event.DELISTED: compensation_claim,
}


def clocks(
    event: Event, on: dt.date, rules: RuleSet = LOCALISM_2011, bid_request: dt.date | None = None
) -> list[Period]:
    """Every period an event starts, in order (raises PendingClock when one waits on regulations)."""
    if bid_request is not None and event is not Event.DISPOSAL_NOTICE:
        raise ValueError("--bid-request only applies to a disposal-notice")
    if event is Event.DISPOSAL_NOTICE:
        return disposal_periods(on, rules, bid_request)
    return [CLOCKS[event](on, rules)]


def report(
    event: Event, on: dt.date, rules: RuleSet = LOCALISM_2011, bid_request: dt.date | None = None
) -> list[Period | Awaiting]:
    """Every period an event starts, pending ones shown as what they wait on (the command line's view)."""
    if bid_request is not None and event is not Event.DISPOSAL_NOTICE:
        raise ValueError("--bid-request only applies to a disposal-notice")
    if event is Event.DISPOSAL_NOTICE:
        return disposal_report(on, rules, bid_request)
    return [attempt(CLOCKS[event], on, rules)]
