"""The life of an asset-of-community-value case, and the guards on each step.

Pure (no Django). A case is rebuilt by replaying its recorded steps in order; each step checks
its guard first and raises `Refused` (with the reason and the rule) instead of changing anything.
Time moves a case on by itself (the interim moratorium runs out, a listing expires), so every
step first brings the case up to the step's date with `advance`.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from commonground.engine import clocks
from commonground.engine.clocks import Period, RuleSet


class Refused(Exception):
    """A step the law does not allow; `reason` says why in plain words, `citation` which rule."""

    def __init__(self, reason: str, citation: str = "") -> None:
        super().__init__(f"{reason} ({citation})" if citation else reason)
        self.reason = reason
        self.citation = citation


class BodyKind(StrEnum):
    PARISH_COUNCIL = "parish_council"
    NEIGHBOURHOOD_FORUM = "neighbourhood_forum"
    CHARITY = "charity"
    COMPANY_LIMITED_BY_GUARANTEE = "company_limited_by_guarantee"
    COOPERATIVE_OR_CBS = "cooperative_or_cbs"
    COMMUNITY_INTEREST_COMPANY = "community_interest_company"
    UNINCORPORATED = "unincorporated"
    OTHER = "other"

    @property
    def label(self) -> str:
        return BODY_LABELS[self]


BODY_LABELS = {
    BodyKind.PARISH_COUNCIL: "Parish or town council",
    BodyKind.NEIGHBOURHOOD_FORUM: "Neighbourhood forum",
    BodyKind.CHARITY: "Charity",
    BodyKind.COMPANY_LIMITED_BY_GUARANTEE: "Company limited by guarantee",
    BodyKind.COOPERATIVE_OR_CBS: "Co-operative or community benefit society",
    BodyKind.COMMUNITY_INTEREST_COMPANY: "Community interest company",
    BodyKind.UNINCORPORATED: "Unincorporated group",
    BodyKind.OTHER: "Individual, private company or other body",
}

# Bodies that must not distribute surplus to members (SI 2012/2421 reg 5(1); reg 12 for bidders).
NON_PROFIT_REQUIRED = {BodyKind.COMPANY_LIMITED_BY_GUARANTEE, BodyKind.COOPERATIVE_OR_CBS, BodyKind.UNINCORPORATED}
UNINCORPORATED_MINIMUM_MEMBERS = 21  # SI 2012/2421 reg 5(1)(c): 21 individuals on the local electoral register


@dataclass(frozen=True)
class Body:
    """A group as the nomination or bid request describes it."""

    kind: BodyKind
    local_connection: bool  # activities wholly or partly in the council's (or a neighbouring) area: reg 4
    distributes_surplus: bool = False
    members_on_register: int = 0  # unincorporated groups: members on the council's or a neighbour's register


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reasons: tuple[str, ...]
    citation: str

    def refuse(self) -> None:
        if not self.allowed:
            raise Refused("; ".join(self.reasons), self.citation)


def may_nominate(body: Body) -> Verdict:
    """Who may nominate: a parish council, or a voluntary or community body with a local connection."""
    citation = "Localism Act 2011 s.89(2); SI 2012/2421 regs 4-5"
    reasons = []
    if body.kind is BodyKind.OTHER:
        reasons.append(
            "only a parish council or a voluntary or community body may nominate, not an individual "
            "or a profit-making business"
        )
    if not body.local_connection:
        reasons.append(
            "the group needs a local connection: its activities must be wholly or partly concerned "
            "with this council's area or a neighbouring one"
        )
    if body.kind in NON_PROFIT_REQUIRED and body.distributes_surplus:
        reasons.append(
            f"a {body.kind.label.lower()} may nominate only if it does not distribute any surplus to its members"
        )
    if body.kind is BodyKind.UNINCORPORATED and body.members_on_register < UNINCORPORATED_MINIMUM_MEMBERS:
        reasons.append(
            f"an unincorporated group needs at least {UNINCORPORATED_MINIMUM_MEMBERS} members on the "
            f"electoral register of this council or a neighbouring one (you said "
            f"{body.members_on_register})"
        )
    return Verdict(not reasons, tuple(reasons) or ("may nominate",), citation)


def may_bid(body: Body) -> Verdict:
    """Who may ask to be treated as a bidder (a "community interest group"): narrower than who may nominate."""
    citation = "Localism Act 2011 s.95(3), (6); SI 2012/2421 reg 12"
    reasons = []
    if body.kind is BodyKind.UNINCORPORATED:
        reasons.append(
            "an unincorporated group may nominate but cannot bid: it must first incorporate "
            "(for example as a charity, CIC, company limited by guarantee or community benefit society)"
        )
    elif body.kind is BodyKind.NEIGHBOURHOOD_FORUM:
        reasons.append("a neighbourhood forum may nominate but is not a community interest group, so cannot bid")
    elif body.kind is BodyKind.OTHER:
        reasons.append(
            "only a parish council, charity, community interest company, or a non-profit company or "
            "society with a local connection may bid"
        )
    if body.kind is not BodyKind.PARISH_COUNCIL and not body.local_connection:
        reasons.append("the group needs a local connection to this council's area or a neighbouring one")
    if body.kind in NON_PROFIT_REQUIRED and body.distributes_surplus:
        reasons.append("a company or society may bid only if it does not distribute surplus to its members")
    return Verdict(not reasons, tuple(reasons) or ("may bid",), citation)


class LandUse(StrEnum):
    COMMUNITY = "community"
    RESIDENCE = "residence"
    CARAVAN_SITE = "caravan_site"
    OPERATIONAL_LAND = "operational_land"


def may_be_listed(use: LandUse) -> Verdict:
    """Homes, caravan sites and statutory undertakers' operational land cannot be listed."""
    citation = "SI 2012/2421 reg 3, Sch. 1"
    reasons = {
        LandUse.RESIDENCE: "a building wholly or partly used as a residence (with its land) cannot be listed",
        LandUse.CARAVAN_SITE: "land with a caravan site licence cannot be listed",
        LandUse.OPERATIONAL_LAND: "a statutory undertaker's operational land cannot be listed",
    }
    if use in reasons:
        return Verdict(False, (reasons[use],), citation)
    return Verdict(True, ("may be listed",), citation)


class ExemptGround(StrEnum):
    """Disposals the moratorium does not apply to (recorded with the ground)."""

    GIFT = "gift"
    WILL_OR_INTESTACY = "will_or_intestacy"
    ESTATE_DEBTS = "estate_debts"
    FAMILY = "family"
    PART_LISTED = "part_listed"
    GOING_CONCERN = "going_concern"
    COURT_ORDER = "court_order"
    SEPARATION = "separation"
    INCAPACITY = "incapacity"
    PLANNING_OBLIGATION_OR_OPTION = "planning_obligation_or_option"
    OTHER_SCHEDULE_3 = "other_schedule_3"

    @property
    def label(self) -> str:
        return EXEMPT_GROUNDS[self][0]

    @property
    def citation(self) -> str:
        return EXEMPT_GROUNDS[self][1]


EXEMPT_GROUNDS: dict[ExemptGround, tuple[str, str]] = {
    ExemptGround.GIFT: ("Gift (including to trustees of a settlement)", "Localism Act 2011 s.95(5)(a)"),
    ExemptGround.WILL_OR_INTESTACY: ("By personal representatives under a will or intestacy", "s.95(5)(b)"),
    ExemptGround.ESTATE_DEBTS: ("By personal representatives to pay debts, taxes or legacies", "s.95(5)(c)"),
    ExemptGround.FAMILY: ("Between members of a family", "Localism Act 2011 s.95(5)(d)"),
    ExemptGround.PART_LISTED: ("Part-listed disposal of a prescribed description", "Localism Act 2011 s.95(5)(e)"),
    ExemptGround.GOING_CONCERN: ("Sale of a business as a going concern with the land", "Localism Act 2011 s.95(5)"),
    ExemptGround.COURT_ORDER: ("Under an order of a court or tribunal", "SI 2012/2421 reg 13, Sch. 3 para 1"),
    ExemptGround.SEPARATION: ("Under a separation agreement", "SI 2012/2421 reg 13, Sch. 3 para 2"),
    ExemptGround.INCAPACITY: ("Under a statutory provision about incapacity", "SI 2012/2421 reg 13, Sch. 3 para 3"),
    ExemptGround.PLANNING_OBLIGATION_OR_OPTION: (
        "Under a s.106 planning obligation, or an option, pre-emption or first-refusal right made before listing",
        "SI 2012/2421 reg 13, Sch. 3 para 4",
    ),
    ExemptGround.OTHER_SCHEDULE_3: ("Another disposal listed in Schedule 3", "SI 2012/2421 reg 13, Sch. 3"),
}


# A disposal to a community interest group is not barred by the moratorium.
CIG_SALE = "Localism Act 2011 s.95(1); SI 2012/2421 reg 13, Sch. 3"


class Status(StrEnum):
    NOMINATED = "nominated"
    NOT_LISTED = "not_listed"
    LISTED = "listed"
    UNDER_REVIEW = "under_review"
    APPEAL = "appeal"
    INTERIM_MORATORIUM = "interim_moratorium"
    FULL_MORATORIUM = "full_moratorium"
    PROTECTED_PERIOD = "protected_period"
    SOLD = "sold"
    WITHDRAWN = "withdrawn"
    DELISTED = "delisted"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# The asset stays listed during review and appeal (Localism Act 2011 s.92, SI 2012/2421 reg 11).
ON_THE_LIST = {
    Status.LISTED,
    Status.UNDER_REVIEW,
    Status.APPEAL,
    Status.INTERIM_MORATORIUM,
    Status.FULL_MORATORIUM,
    Status.PROTECTED_PERIOD,
}
IN_MORATORIUM = {Status.INTERIM_MORATORIUM, Status.FULL_MORATORIUM}
FINAL = {Status.NOT_LISTED, Status.WITHDRAWN, Status.DELISTED}


def step(method: Callable) -> Callable:
    """A refused step leaves the case exactly as it was (clock included)."""

    @functools.wraps(method)
    def wrapped(self: Case, *args, **kwargs):
        saved = copy.copy(self.__dict__)
        saved["history"] = list(self.history)
        try:
            return method(self, *args, **kwargs)
        except Refused:
            self.__dict__.update(saved)
            raise

    return wrapped


@dataclass
class Case:
    """One asset's case under one rule set, built by replaying its steps."""

    rules: RuleSet = clocks.LOCALISM_2011
    status: Status | None = None
    nominated_on: dt.date | None = None
    decided_on: dt.date | None = None
    listed_on: dt.date | None = None
    review_requested_on: dt.date | None = None
    review_decided_on: dt.date | None = None
    disposal_notice_on: dt.date | None = None
    bid_request_on: dt.date | None = None
    sold_on: dt.date | None = None
    exempt_ground: ExemptGround | None = None
    ended_on: dt.date | None = None
    today: dt.date | None = None
    history: list[tuple[dt.date, str, Status]] = field(default_factory=list)

    # --- time ---------------------------------------------------------------------------------

    def _require_order(self, on: dt.date) -> None:
        if self.today is not None and on < self.today:
            raise Refused(f"steps are recorded in date order: {on.isoformat()} is before {self.today.isoformat()}")

    def advance(self, on: dt.date) -> Status | None:
        """Let the clocks run up to `on` (moratoria end, the listing expires)."""
        if self.today is None or on > self.today:
            self.today = on
        expiry = clocks.listing(self.listed_on, self.rules).last_day if self.listed_on else None
        if self.status in ON_THE_LIST and expiry is not None and on > expiry:
            self._move(expiry + dt.timedelta(days=1), "listing expired", Status.DELISTED)
            return self.status
        if self.disposal_notice_on is not None and self.status in IN_MORATORIUM | {Status.PROTECTED_PERIOD}:
            interim = clocks.interim_moratorium(self.disposal_notice_on, self.rules)
            protected = clocks.protected_period(self.disposal_notice_on, self.rules)
            if self.status is Status.INTERIM_MORATORIUM and self.bid_request_on is None and on > interim.last_day:
                self._move(interim.last_day + dt.timedelta(days=1), "interim moratorium ended", Status.PROTECTED_PERIOD)
            if self.status is Status.FULL_MORATORIUM:
                full = clocks.full_moratorium(self.disposal_notice_on, self.rules)
                if on > full.last_day:
                    self._move(full.last_day + dt.timedelta(days=1), "full moratorium ended", Status.PROTECTED_PERIOD)
            if self.status is Status.PROTECTED_PERIOD and on > protected.last_day:
                self._move(protected.last_day + dt.timedelta(days=1), "protected period ended", Status.LISTED)
        return self.status

    def _move(self, on: dt.date, what: str, to: Status) -> None:
        self.status = to
        self.history.append((on, what, to))

    def _step(self, on: dt.date) -> None:
        self._require_order(on)
        self.advance(on)

    def _expect(self, allowed: set[Status], doing: str) -> None:
        if self.status not in allowed:
            now = self.status.label.lower() if self.status else "not yet nominated"
            raise Refused(f"cannot {doing} while the case is {now}")

    # --- steps --------------------------------------------------------------------------------

    @step
    def nominate(self, on: dt.date, body: Body, use: LandUse = LandUse.COMMUNITY) -> None:
        self._step(on)
        self._expect({None, Status.NOT_LISTED, Status.WITHDRAWN, Status.DELISTED}, "nominate")
        may_nominate(body).refuse()
        may_be_listed(use).refuse()
        self.nominated_on = on
        for attribute in (
            "decided_on",
            "listed_on",
            "review_requested_on",
            "review_decided_on",
            "disposal_notice_on",
            "bid_request_on",
            "sold_on",
            "exempt_ground",
            "ended_on",
        ):
            setattr(self, attribute, None)
        self._move(on, "nominated", Status.NOMINATED)

    @step
    def withdraw_nomination(self, on: dt.date) -> None:
        self._step(on)
        self._expect({Status.NOMINATED}, "withdraw the nomination")
        self.ended_on = on
        self._move(on, "nomination withdrawn", Status.WITHDRAWN)

    @step
    def decide(self, on: dt.date, listed: bool) -> None:
        """The council's decision (SI 2012/2421 reg 7); the written notice goes out the same day."""
        self._step(on)
        self._expect({Status.NOMINATED}, "decide a nomination")
        self.decided_on = on
        if listed:
            self.listed_on = on
            self._move(on, "listed", Status.LISTED)
        else:
            self.ended_on = on
            self._move(on, "not listed", Status.NOT_LISTED)  # s.90(6): goes on the unsuccessful-nominations list

    @step
    def request_review(self, on: dt.date) -> None:
        self._step(on)
        self._expect({Status.LISTED}, "ask for a review")
        if self.review_requested_on is not None:
            raise Refused("the owner has already had a review of this listing", "Localism Act 2011 s.92(1)")
        window = clocks.review_request(self.decided_on or on, self.rules)
        if on > window.last_day:
            raise Refused(f"a review had to be asked for by {window.last_day.isoformat()}", window.citation)
        self.review_requested_on = on
        self._move(on, "review requested", Status.UNDER_REVIEW)

    @step
    def decide_review(self, on: dt.date, keep_listed: bool) -> None:
        self._step(on)
        self._expect({Status.UNDER_REVIEW}, "decide a review")
        self.review_decided_on = on
        if keep_listed:
            self._move(on, "review upheld the listing", Status.LISTED)
        else:
            self.ended_on = on
            self._move(on, "review removed the listing", Status.DELISTED)

    @step
    def appeal(self, on: dt.date) -> None:
        self._step(on)
        self._expect({Status.LISTED}, "appeal to the tribunal")
        if self.review_decided_on is None:
            raise Refused("the owner must ask for a review before appealing", "SI 2012/2421 reg 11(1)")
        window = clocks.tribunal_appeal(self.review_decided_on, self.rules)
        if on > window.last_day:
            raise Refused(f"an appeal had to be made by {window.last_day.isoformat()}", window.citation)
        self._move(on, "appeal lodged", Status.APPEAL)

    @step
    def decide_appeal(self, on: dt.date, keep_listed: bool) -> None:
        self._step(on)
        self._expect({Status.APPEAL}, "record an appeal decision")
        if keep_listed:
            self._move(on, "appeal dismissed", Status.LISTED)
        else:
            self.ended_on = on
            self._move(on, "appeal allowed: removed from the list", Status.DELISTED)

    @step
    def notify_disposal(self, on: dt.date) -> None:
        """The owner's s.95(2) notice; the day the council receives it starts all three periods."""
        self._step(on)
        self._expect(
            {Status.LISTED, Status.UNDER_REVIEW, Status.APPEAL, Status.PROTECTED_PERIOD}, "notify an intended disposal"
        )
        if self.status is Status.PROTECTED_PERIOD:
            raise Refused(
                "a protected period is still running: no new moratorium can start until it ends on "
                f"{self.protected().last_day.isoformat()}",
                "Localism Act 2011 s.95(4), (6)",
            )
        self.disposal_notice_on = on
        self.bid_request_on = None
        self._move(on, "disposal notified", Status.INTERIM_MORATORIUM)

    @step
    def request_to_bid(self, on: dt.date, body: Body) -> None:
        """A community interest group asks in writing to be treated as a potential bidder (s.95(3), s.98)."""
        self._step(on)
        may_bid(body).refuse()
        if self.status is Status.FULL_MORATORIUM:
            interim = self.interim()
            if on > interim.last_day:
                raise Refused(
                    f"the interim moratorium ended on {interim.last_day.isoformat()}: a request must arrive within it",
                    interim.citation,
                )
            self.history.append((on, "further bid request", self.status))
            return
        if self.status is not Status.INTERIM_MORATORIUM:
            interim = self.interim()
            if interim is not None and self.status is Status.PROTECTED_PERIOD:
                raise Refused(
                    f"the interim moratorium ended on {interim.last_day.isoformat()}: a request must arrive within it",
                    interim.citation,
                )
            self._expect({Status.INTERIM_MORATORIUM}, "ask to bid")
        self.bid_request_on = on
        self._move(on, "community interest group asked to bid", Status.FULL_MORATORIUM)

    @step
    def withdraw_disposal(self, on: dt.date) -> None:
        self._step(on)
        self._expect(IN_MORATORIUM | {Status.PROTECTED_PERIOD}, "withdraw a disposal notice")
        self._move(on, "owner withdrew the intended disposal", Status.LISTED)

    def check_disposal(self, on: dt.date, to_community_interest_group: bool, exempt: ExemptGround | None = None) -> str:
        """Why a disposal on `on` is allowed (the rule), or `Refused` when s.95(1) forbids it."""
        status = self.status
        if status not in ON_THE_LIST:
            return "the land is not listed: no moratorium applies"
        if exempt is not None:
            return f"exempt disposal: {exempt.label} ({exempt.citation})"
        if status in IN_MORATORIUM:
            if to_community_interest_group:
                return f"sale to a community interest group during a moratorium ({CIG_SALE})"
            period = self.full() if status is Status.FULL_MORATORIUM else self.interim()
            raise Refused(
                f"the {status.label.lower()} runs until {period.last_day.isoformat()}: the owner may sell "
                "only to a community interest group before then",
                "Localism Act 2011 s.95(1), (3)",
            )
        if status is Status.PROTECTED_PERIOD:
            return "the moratorium is over and the protected period is running (Localism Act 2011 s.95(3), (4))"
        raise Refused(
            "the owner must first notify the council of the intended disposal and wait out the moratorium",
            "Localism Act 2011 s.95(1), (2)",
        )

    @step
    def dispose(self, on: dt.date, to_community_interest_group: bool, exempt: ExemptGround | None = None) -> str:
        self._step(on)
        self._expect(ON_THE_LIST, "record a sale")
        why = self.check_disposal(on, to_community_interest_group, exempt)
        self.sold_on = on
        self.exempt_ground = exempt
        self.ended_on = on
        self._move(on, "sold", Status.SOLD)
        return why

    @step
    def delist(self, on: dt.date) -> None:
        """The council removes the entry (e.g. the land no longer qualifies): s.87(5)(d), s.92."""
        self._step(on)
        self._expect(ON_THE_LIST | {Status.SOLD}, "remove from the list")
        self.ended_on = on
        self._move(on, "removed from the list", Status.DELISTED)

    # --- clocks ---------------------------------------------------------------------------------

    def interim(self) -> Period | None:
        return clocks.interim_moratorium(self.disposal_notice_on, self.rules) if self.disposal_notice_on else None

    def full(self) -> Period | None:
        if self.disposal_notice_on is None or self.bid_request_on is None:
            return None
        return clocks.full_moratorium(self.disposal_notice_on, self.rules)

    def protected(self) -> Period | None:
        return clocks.protected_period(self.disposal_notice_on, self.rules) if self.disposal_notice_on else None

    def periods(self) -> list[Period]:
        """Every period this case has started, oldest first (what the asset page and reminders show)."""
        found: list[Period] = []
        if self.nominated_on is not None:
            found.append(clocks.nomination_decision(self.nominated_on, self.rules))
        if self.listed_on is not None:
            found.append(clocks.listing(self.listed_on, self.rules))
            found.append(clocks.review_request(self.decided_on or self.listed_on, self.rules))
        if self.review_requested_on is not None:
            found.append(clocks.review_decision(self.review_requested_on, self.rules))
        if self.review_decided_on is not None:
            found.append(clocks.tribunal_appeal(self.review_decided_on, self.rules))
        if self.disposal_notice_on is not None:
            found.extend(clocks.disposal_periods(self.disposal_notice_on, self.rules, self.bid_request_on))
        return found

    def running(self, today: dt.date) -> list[Period]:
        """The periods still open on `today` that matter for the current status."""
        relevant = {
            Status.NOMINATED: {"nomination_decision"},
            Status.LISTED: {"listing", "review_request", "tribunal_appeal"},
            Status.UNDER_REVIEW: {"review_decision", "listing"},
            Status.APPEAL: {"listing"},
            Status.INTERIM_MORATORIUM: {"interim_moratorium", "protected_period"},
            Status.FULL_MORATORIUM: {"full_moratorium", "protected_period"},
            Status.PROTECTED_PERIOD: {"protected_period", "listing"},
        }.get(self.status, set())
        return [p for p in self.periods() if p.key in relevant and p.begins <= today <= p.last_day]


STEPS = {
    "nominate": Case.nominate,
    "withdraw_nomination": Case.withdraw_nomination,
    "decide": Case.decide,
    "request_review": Case.request_review,
    "decide_review": Case.decide_review,
    "appeal": Case.appeal,
    "decide_appeal": Case.decide_appeal,
    "notify_disposal": Case.notify_disposal,
    "request_to_bid": Case.request_to_bid,
    "withdraw_disposal": Case.withdraw_disposal,
    "dispose": Case.dispose,
    "delist": Case.delist,
}


def replay(rules: RuleSet, steps: list[tuple[str, dt.date, dict]], today: dt.date | None = None) -> Case:
    """Rebuild a case from its recorded steps (name, date, keyword arguments), then run the clocks to today."""
    case = Case(rules=rules)
    for name, on, kwargs in steps:
        STEPS[name](case, on, **kwargs)
    if today is not None:
        case.advance(today)
    return case
