"""The life of an asset-of-community-value case, and the guards on each step.

Pure (no Django). A case is rebuilt by replaying its recorded steps in order; each step checks
its guard first and raises `Refused` (with the reason and the rule) instead of changing anything.
Time moves a case on by itself (the interim moratorium runs out, a listing expires), so every
step first brings the case up to the step's date with `advance`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from commonground.engine import clocks
from commonground.engine.asset_rules import (
    Body,
    ExemptGround,
    LandUse,
    ValueClaim,
    community_value,
    may_be_listed,
    may_bid,
    may_nominate,
)
from commonground.engine.asset_status import IN_MORATORIUM, ON_THE_LIST, Status
from commonground.engine.clocks import Awaiting, PendingClock, Period, RuleSet
from commonground.engine.right_to_buy import FirstRefusal
from commonground.engine.steps import Refused, step

# A disposal to a community interest group is not barred by the moratorium.
CIG_SALE = "Localism Act 2011 s.95(1); SI 2012/2421 reg 13, Sch. 3"


def _refusal(pending: PendingClock) -> Refused:
    """A step whose guard needs a clock that waits on regulations cannot be checked, so it is refused."""
    return Refused(
        f"{pending.name} {pending.pending} ({pending.pending.waits_on}): this step cannot be checked until then",
        pending.citation,
    )


@dataclass
class Case(FirstRefusal):
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
    # Community Right to Buy (2026): first refusal, price, independent valuation, progress check.
    offered_on: dt.date | None = None
    price_agreed_pence: int | None = None
    price_agreed_on: dt.date | None = None
    valuation_requested_on: dt.date | None = None
    valuation_pence: int | None = None
    valuation_on: dt.date | None = None
    valuer: str = ""
    progress_check_on: dt.date | None = None
    progress_found_on: dt.date | None = None
    progress_sufficient: bool | None = None
    today: dt.date | None = None
    history: list[tuple[dt.date, str, Status]] = field(default_factory=list)
    unreplayed: list[tuple[str, dt.date, str]] = field(default_factory=list)

    # --- time ---------------------------------------------------------------------------------

    def _require_order(self, on: dt.date) -> None:
        if self.today is not None and on < self.today:
            raise Refused(f"steps are recorded in date order: {on.isoformat()} is before {self.today.isoformat()}")

    def _last(self, clock: Callable[..., Period], *args) -> dt.date | None:
        """A clock's last day, or None while its length waits on regulations (time cannot end it)."""
        try:
            return clock(*args).last_day
        except PendingClock:
            return None

    def _clock(self, clock: Callable[..., Period], *args) -> Period:
        """A clock a guard needs; a pending one refuses the step (it cannot be checked yet)."""
        try:
            return clock(*args)
        except PendingClock as pending:
            raise _refusal(pending) from None

    def advance(self, on: dt.date) -> Status | None:
        """Let the clocks run up to `on` (moratoria end, the listing expires); pending clocks never run out."""
        if self.today is None or on > self.today:
            self.today = on
        expiry = self._last(clocks.listing, self.listed_on, self.rules) if self.listed_on else None
        if self.status in ON_THE_LIST and expiry is not None and on > expiry:
            self._move(expiry + dt.timedelta(days=1), "listing expired", Status.DELISTED)
            return self.status
        if self.disposal_notice_on is not None and self.status in IN_MORATORIUM | {Status.PROTECTED_PERIOD}:
            notice = self.disposal_notice_on
            interim = self._last(clocks.interim_moratorium, notice, self.rules)
            protected = self._last(clocks.protected_period, notice, self.rules)
            if (
                self.status is Status.INTERIM_MORATORIUM
                and self.bid_request_on is None
                and interim is not None
                and on > interim
            ):
                self._move(interim + dt.timedelta(days=1), "interim moratorium ended", Status.PROTECTED_PERIOD)
            if self.status in (Status.FULL_MORATORIUM, Status.FIRST_REFUSAL):
                full = self._last(clocks.full_moratorium, notice, self.rules)
                if full is not None and on > full:
                    self._move(full + dt.timedelta(days=1), "full moratorium ended", Status.PROTECTED_PERIOD)
            if self.status is Status.PROTECTED_PERIOD and protected is not None and on > protected:
                self._move(protected + dt.timedelta(days=1), "protected period ended", Status.LISTED)
        return self.status

    def _move(self, on: dt.date, what: str, to: Status) -> None:
        self.status = to
        self.history.append((on, what, to))

    def _note(self, on: dt.date, what: str) -> None:
        self.history.append((on, what, self.status))

    def _step(self, on: dt.date) -> None:
        self._require_order(on)
        self.advance(on)

    def _expect(self, allowed: set[Status], doing: str) -> None:
        if self.status not in allowed:
            now = self.status.label.lower() if self.status else "not yet nominated"
            raise Refused(f"cannot {doing} while the case is {now}")

    # --- steps --------------------------------------------------------------------------------

    @step
    def nominate(
        self, on: dt.date, body: Body, use: LandUse = LandUse.COMMUNITY, claim: ValueClaim | None = None
    ) -> None:
        self._step(on)
        self._expect({None, Status.NOT_LISTED, Status.WITHDRAWN, Status.DELISTED}, "nominate")
        may_nominate(body).refuse()
        may_be_listed(use, self.rules).refuse()
        if claim is not None:
            community_value(self.rules, claim).refuse()
        fresh = Case(rules=self.rules)
        for name in ("decided_on", "listed_on", "review_requested_on", "review_decided_on", "sold_on",
                     "exempt_ground", "ended_on"):  # fmt: skip
            setattr(self, name, None)
        self._clear_disposal(fresh)
        self.nominated_on = on
        self._move(on, "nominated", Status.NOMINATED)

    def _clear_disposal(self, fresh: Case | None = None) -> None:
        """Forget the last disposal's notice, bid request, offer, price, valuation and progress check."""
        fresh = fresh or Case(rules=self.rules)
        for name in ("disposal_notice_on", "bid_request_on", "offered_on", "price_agreed_pence", "price_agreed_on",
                     "valuation_requested_on", "valuation_pence", "valuation_on", "valuer", "progress_check_on",
                     "progress_found_on", "progress_sufficient"):  # fmt: skip
            setattr(self, name, getattr(fresh, name))

    @step
    def enter_published(
        self, on: dt.date, listed: bool | None, nominated_on: dt.date | None = None, group: str = ""
    ) -> None:
        """A case entered from the council's own published list: nominated (by `group`, as published), and
        decided on `on` when `listed` is not None. The list is the council's record, so the nominator's
        eligibility is not re-checked."""
        self._step(on)
        self._expect({None, Status.NOT_LISTED, Status.WITHDRAWN, Status.DELISTED}, "enter a published case")
        for name in ("decided_on", "listed_on", "review_requested_on", "review_decided_on", "sold_on",
                     "exempt_ground", "ended_on"):  # fmt: skip
            setattr(self, name, None)
        self._clear_disposal()
        self.nominated_on = nominated_on or on
        if listed is None:
            self._move(on, "nominated (from the council's published list)", Status.NOMINATED)
        elif listed:
            self.decided_on = self.listed_on = on
            self._move(on, "listed (from the council's published list)", Status.LISTED)
        else:
            self.decided_on = self.ended_on = on
            self._move(on, "not listed (from the council's published list)", Status.NOT_LISTED)

    @step
    def register_interest(self, on: dt.date, group: str = "") -> None:
        """A group's request to bid as the council's published list records it (the list gives no date: it is
        entered on the day of the owner's notice, inside the interim moratorium, s.95(3))."""
        self._step(on)
        self._expect({Status.INTERIM_MORATORIUM}, "record a published interest")
        self._clock(clocks.interim_moratorium, self.disposal_notice_on, self.rules)
        self.bid_request_on = on
        self._move(on, "a community interest group asked to bid (from the council's published list)",
                   Status.FULL_MORATORIUM)  # fmt: skip

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
        window = self._clock(clocks.review_request, self.decided_on or on, self.rules)
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
        window = self._clock(clocks.tribunal_appeal, self.review_decided_on, self.rules)
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
            protected = self._clock(clocks.protected_period, self.disposal_notice_on, self.rules)
            raise Refused(
                "a protected period is still running: no new moratorium can start until it ends on "
                f"{protected.last_day.isoformat()}",
                protected.citation,
            )
        self._clear_disposal()
        self.disposal_notice_on = on
        self._move(on, "disposal notified", Status.INTERIM_MORATORIUM)

    @step
    def request_to_bid(self, on: dt.date, body: Body) -> None:
        """A community interest group asks in writing to be treated as a potential bidder (s.95(3), s.98)."""
        self._step(on)
        may_bid(body).refuse()
        if self.status in (Status.FULL_MORATORIUM, Status.FIRST_REFUSAL):
            interim = self._clock(clocks.interim_moratorium, self.disposal_notice_on, self.rules)
            if on > interim.last_day:
                raise Refused(
                    f"the interim moratorium ended on {interim.last_day.isoformat()}: a request must arrive within it",
                    interim.citation,
                )
            self._note(on, "further bid request")
            return
        if self.status is not Status.INTERIM_MORATORIUM:
            if self.disposal_notice_on is not None and self.status is Status.PROTECTED_PERIOD:
                interim = self._clock(clocks.interim_moratorium, self.disposal_notice_on, self.rules)
                raise Refused(
                    f"the interim moratorium ended on {interim.last_day.isoformat()}: a request must arrive within it",
                    interim.citation,
                )
            self._expect({Status.INTERIM_MORATORIUM}, "ask to bid")
        self._clock(clocks.interim_moratorium, self.disposal_notice_on, self.rules)  # in time? needs its length
        self.bid_request_on = on
        self._move(on, "community interest group asked to bid", Status.FULL_MORATORIUM)

    @step
    def withdraw_disposal(self, on: dt.date) -> None:
        self._step(on)
        self._expect(IN_MORATORIUM | {Status.PROTECTED_PERIOD}, "withdraw a disposal notice")
        self._move(on, "owner withdrew the intended disposal", Status.LISTED)

    # --- sales -------------------------------------------------------------------------------------------

    def check_disposal(self, on: dt.date, to_community_interest_group: bool, exempt: ExemptGround | None = None) -> str:
        """Why a disposal on `on` is allowed (the rule), or `Refused` when the moratorium forbids it."""
        status = self.status
        if status not in ON_THE_LIST:
            return "the land is not listed: no moratorium applies"
        if exempt is not None:
            if self.rules.exempt_disposals is not None:
                pending = self.rules.exempt_disposals
                raise Refused(
                    f"exempt disposals under {self.rules.key} {pending} ({pending.waits_on})",
                    self.rules.first_refusal_citation or self.rules.source,
                )
            return f"exempt disposal: {exempt.label} ({exempt.citation})"
        if status in IN_MORATORIUM and self.rules.right_of_first_refusal:
            return self._check_first_refusal(to_community_interest_group)
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
            if self.rules.right_of_first_refusal:
                lapsed = self.rules.first_refusal_citation
                return f"the moratorium is over: the group's first refusal has lapsed ({lapsed})"
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

    def interim(self) -> Period | Awaiting | None:
        if self.disposal_notice_on is None:
            return None
        return clocks.attempt(clocks.interim_moratorium, self.disposal_notice_on, self.rules)

    def full(self) -> Period | Awaiting | None:
        if self.disposal_notice_on is None or self.bid_request_on is None:
            return None
        return clocks.attempt(clocks.full_moratorium, self.disposal_notice_on, self.rules)

    def protected(self) -> Period | Awaiting | None:
        if self.disposal_notice_on is None:
            return None
        return clocks.attempt(clocks.protected_period, self.disposal_notice_on, self.rules)

    def periods(self) -> list[Period | Awaiting]:
        """Every period this case has started, oldest first; one waiting on regulations says so."""
        found: list[Period | Awaiting] = []
        if self.nominated_on is not None:
            found.append(clocks.attempt(clocks.nomination_decision, self.nominated_on, self.rules))
        if self.listed_on is not None:
            found.append(clocks.attempt(clocks.listing, self.listed_on, self.rules))
            found.append(clocks.attempt(clocks.review_request, self.decided_on or self.listed_on, self.rules))
        if self.review_requested_on is not None:
            found.append(clocks.attempt(clocks.review_decision, self.review_requested_on, self.rules))
        if self.review_decided_on is not None:
            found.append(clocks.attempt(clocks.tribunal_appeal, self.review_decided_on, self.rules))
        if self.disposal_notice_on is not None:
            found.extend(p for p in (self.interim(), self.full(), self.protected()) if p is not None)
        if self.valuation_requested_on is not None:
            found.append(clocks.attempt(clocks.valuation_timetable, self.valuation_requested_on, self.rules))
        return found

    def running(self, today: dt.date) -> list[Period]:
        """The computed periods still open on `today` that matter for the current status."""
        relevant = {
            Status.NOMINATED: {"nomination_decision"},
            Status.LISTED: {"listing", "review_request", "tribunal_appeal"},
            Status.UNDER_REVIEW: {"review_decision", "listing"},
            Status.APPEAL: {"listing"},
            Status.INTERIM_MORATORIUM: {"interim_moratorium", "protected_period"},
            Status.FULL_MORATORIUM: {"full_moratorium", "protected_period"},
            Status.FIRST_REFUSAL: {"full_moratorium", "protected_period", "valuation"},
            Status.PROTECTED_PERIOD: {"protected_period", "listing"},
        }.get(self.status, set())
        return [p for p in self.periods() if not p.pending and p.key in relevant and p.begins <= today <= p.last_day]

    def waiting(self) -> list[Awaiting]:
        """The periods of this case that wait on regulations (shown as such, never as dates)."""
        return [p for p in self.periods() if p.pending]


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
    "enter_published": Case.enter_published,
    "register_interest": Case.register_interest,
    "offer_to_group": Case.offer_to_group,
    "agree_price": Case.agree_price,
    "request_valuation": Case.request_valuation,
    "set_valuation": Case.set_valuation,
    "request_progress_check": Case.request_progress_check,
    "find_progress": Case.find_progress,
    "dispose": Case.dispose,
    "delist": Case.delist,
}


def replay(
    rules: RuleSet, steps: list[tuple[str, dt.date, dict]], today: dt.date | None = None, tolerant: bool = False
) -> Case:
    """Rebuild a case from its recorded steps (name, date, keyword arguments), then run the clocks to today.

    `tolerant`: a stored step the rule set now refuses (e.g. one recorded under the Bill's proposal, whose
    clock now waits on regulations) is listed in `case.unreplayed` instead of stopping the replay."""
    case = Case(rules=rules)
    for name, on, kwargs in steps:
        try:
            STEPS[name](case, on, **kwargs)
        except Refused as refused:
            if not tolerant:
                raise
            case.unreplayed.append((name, on, str(refused)))
    if today is not None:
        case.advance(today)
    return case
