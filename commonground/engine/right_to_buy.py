"""The Community Right to Buy (2026) steps of an asset case: first refusal, price, valuation, progress check."""

from __future__ import annotations

import datetime as dt

from commonground.engine import clocks
from commonground.engine.asset_status import Status
from commonground.engine.steps import Refused, step


def pounds(pence: int) -> str:
    return f"£{pence // 100:,}" + (f".{pence % 100:02d}" if pence % 100 else "")


class FirstRefusal:
    """The 2026 Act's steps and checks of a `Case` (whose fields they read and set)."""

    def _first_refusal(self, doing: str) -> None:
        if not self.rules.right_of_first_refusal:
            raise Refused(
                f"cannot {doing}: the community group's first refusal exists only under the Community Right to Buy "
                f"(rule set {clocks.RIGHT_TO_BUY_2026.key}), not under {self.rules.key}",
                clocks.RIGHT_TO_BUY_2026.first_refusal_citation,
            )

    def price(self) -> tuple[int, str] | None:
        """The price fixed for the group's purchase: agreed, or set by the independent valuer."""
        if self.price_agreed_pence is not None:
            return self.price_agreed_pence, "agreed by the owner and the group"
        if self.valuation_pence is not None:
            return self.valuation_pence, "set by an independent valuer"
        return None

    @step
    def offer_to_group(self, on: dt.date) -> None:
        """The owner offers the asset to the community group that holds first refusal (2026 Act)."""
        self._step(on)
        self._first_refusal("offer the asset to the community group")
        self._expect({Status.FULL_MORATORIUM}, "offer the asset to the community group")
        self.offered_on = on
        self._move(on, "offered to the community group (first refusal)", Status.FIRST_REFUSAL)

    @step
    def agree_price(self, on: dt.date, price_pence: int) -> None:
        """The owner and the group agree the price (2026 Act: agreed, else set by an independent valuer)."""
        self._step(on)
        self._first_refusal("agree a price")
        self._expect({Status.FIRST_REFUSAL}, "agree a price")
        if price_pence <= 0:
            raise Refused("a price must be more than nothing")
        fixed = self.price()
        if fixed is not None:
            raise Refused(f"the price is already fixed at {pounds(fixed[0])} ({fixed[1]})")
        self.price_agreed_pence, self.price_agreed_on = price_pence, on
        self._note(on, f"price agreed: {pounds(price_pence)}")

    @step
    def request_valuation(self, on: dt.date) -> None:
        """Without agreement, an independent valuer sets the price at market value (basis and timetable pending)."""
        self._step(on)
        self._first_refusal("ask for an independent valuation")
        self._expect({Status.FIRST_REFUSAL}, "ask for an independent valuation")
        if self.price() is not None:
            raise Refused("the price is already fixed: no valuation is needed")
        if self.valuation_requested_on is not None:
            raise Refused(f"an independent valuation was already asked for on {self.valuation_requested_on}")
        self.valuation_requested_on = on
        self._note(on, "independent valuation requested")

    @step
    def set_valuation(self, on: dt.date, price_pence: int, valuer: str = "") -> None:
        """Record the valuer's figure and its date (the valuation basis waits on regulations: nothing derived)."""
        self._step(on)
        self._first_refusal("record a valuation")
        self._expect({Status.FIRST_REFUSAL}, "record a valuation")
        if self.valuation_requested_on is None:
            raise Refused("an independent valuation must be asked for before its figure is recorded")
        if self.price() is not None:
            raise Refused(f"the price is already fixed at {pounds(self.price()[0])} ({self.price()[1]})")
        if price_pence <= 0:
            raise Refused("a valuation must be more than nothing")
        self.valuation_pence, self.valuation_on, self.valuer = price_pence, on, valuer
        self._note(on, f"independent valuer set the price: {pounds(price_pence)}")

    @step
    def request_progress_check(self, on: dt.date) -> None:
        """The owner asks the council to check the group is making progress (2026 Act)."""
        self._step(on)
        self._first_refusal("ask the council to check the group's progress")
        self._expect({Status.FULL_MORATORIUM, Status.FIRST_REFUSAL}, "ask the council to check the group's progress")
        if self.progress_check_on is not None and self.progress_found_on is None:
            raise Refused(f"the owner's request of {self.progress_check_on} still awaits the council's finding")
        self.progress_check_on, self.progress_found_on, self.progress_sufficient = on, None, None
        self._note(on, "owner asked the council to check the group's progress")

    @step
    def find_progress(self, on: dt.date, sufficient: bool) -> None:
        """The council's finding on the owner's request. Its consequence waits on regulations: recorded only."""
        self._step(on)
        self._first_refusal("record the council's progress finding")
        self._expect({Status.FULL_MORATORIUM, Status.FIRST_REFUSAL}, "record the council's progress finding")
        if self.progress_check_on is None or self.progress_found_on is not None:
            raise Refused("there is no progress check waiting for the council's finding")
        self.progress_found_on, self.progress_sufficient = on, sufficient
        self._note(on, f"council found the group {'is' if sufficient else 'is not'} making sufficient progress")

    def _check_first_refusal(self, to_group: bool) -> str:
        citation = self.rules.first_refusal_citation
        if to_group:
            fixed = self.price()
            if self.status is not Status.FIRST_REFUSAL or fixed is None:
                raise Refused(
                    "the sale to the community group follows its first refusal: offer the asset to the group and "
                    "fix the price (agreed, or set by an independent valuer) first",
                    citation,
                )
            return f"sale to the community group holding first refusal at {pounds(fixed[0])}, {fixed[1]} ({citation})"
        full = self.full()
        until = (
            f"until {full.last_day.isoformat()}"
            if full is not None and full.last_day is not None
            else "while the moratorium runs (its end waits on regulations)"
        )
        raise Refused(f"the community group has first refusal {until}: the owner may not sell to anyone else", citation)
