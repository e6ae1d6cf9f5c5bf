"""The neighbourhood portion of the Community Infrastructure Levy, computed and explained.

The Community Infrastructure Levy Regulations 2010 (SI 2010/948), Part 7, as amended by SI 2013/982:
a charging authority passes a share of the CIL it receives from development in a parish (a "local
council") to that parish, or keeps it and spends it with the community where there is none. Each rule
below cites its regulation in a one-line comment; docs/money.md quotes what was read and marks what
could not be confirmed (the research notes could read reg 58A and reg 59A(1)-(7) word for word; the
payment dates of reg 59D and the no-parish rule of reg 59F come from five councils' published guidance).

Pure: dates, whole pence and exact fractions in, figures and plain-English lines out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

# Reg 59A(5) (England) and 59A(6) (Wales): 15% of the relevant CIL receipts go to the local council.
RATE_WITHOUT_PLAN = Fraction(15, 100)
# Reg 59A(3): 25% where a neighbourhood development plan is in place; 59A(4): 25% for development permitted by a
# neighbourhood development order or community right to build order.
RATE_WITH_PLAN = Fraction(25, 100)
# Reg 59A(7): the 15% share passed to a local council is capped at £100 per dwelling in its area in each financial
# year, multiplied by an index figure (reg 58A, "index figure" as in reg 40(6)); see Setting.index_factor.
CAP_PENCE_PER_DWELLING = 100_00
# Reg 59D: receipts of 1 April to 30 September are paid by 28 October of that financial year ...
FIRST_HALF_DUE = (10, 28)
# ... and receipts of 1 October to 31 March by 28 April of the following financial year.
SECOND_HALF_DUE = (4, 28)
CAP_YEARS = ("receipt", "payment")


class CilError(ValueError):
    """Settings or receipts that cannot be computed with; the message says which and why."""


@dataclass(frozen=True)
class Receipt:
    """CIL received by the charging authority from development in the area."""

    received_on: dt.date
    amount_pence: int
    neighbourhood_plan: bool = False  # reg 59A(3)/(4): the 25% share applies to it
    reference: str = ""


@dataclass(frozen=True)
class Setting:
    """Where the receipts arise and which rules apply there.

    `local_council`: a parish or town council exists (reg 59A: the share is passed to it); False: there
    is none (reg 59F: the charging authority keeps the share and agrees its use with the community).
    `dwellings`: council tax dwellings in the local council's area (reg 59A(7)), one figure or one per
    financial year. `index_factor`: the index-linking of the £100 cap. Reg 58A defines an index figure
    for it, but councils disagree on whether and how to apply it and the base year is unconfirmed, so it
    is a parameter and defaults to 1 (the £100 most councils' worked examples use). `cap_year`: which
    financial year the cap counts against: that of the receipts ("receipt", as councils' guidance reads
    it) or of the payment under reg 59D ("payment", a literal reading of "passed ... in each financial
    year"); unsettled, see docs/money.md. `local_rate`: where there is no local council, a council may
    set aside more than 15% as its neighbourhood portion by its own policy (Newham: 20%); never less.
    """

    local_council: bool = True
    dwellings: int | Mapping[int, int] | None = None
    index_factor: Fraction = Fraction(1)
    cap_year: str = "receipt"
    local_rate: Fraction | None = None

    def __post_init__(self) -> None:
        if self.cap_year not in CAP_YEARS:
            raise CilError(f"cap_year must be one of {', '.join(CAP_YEARS)}, not {self.cap_year!r}")
        if Fraction(self.index_factor) <= 0:
            raise CilError(f"the index factor must be more than 0, not {self.index_factor}")
        if self.local_rate is not None:
            if self.local_council:
                raise CilError("a local rate is only for areas without a parish or town council (reg 59F)")
            if not RATE_WITHOUT_PLAN <= Fraction(self.local_rate) <= 1:
                raise CilError(f"a local rate must be from 15% to 100%, not {percent(Fraction(self.local_rate))}")
        counts = self.dwellings.values() if isinstance(self.dwellings, Mapping) else [self.dwellings]
        if any(c is not None and (isinstance(c, bool) or not isinstance(c, int) or c < 0) for c in counts):
            raise CilError(f"dwellings must be a whole number of 0 or more, not {self.dwellings!r}")

    def dwellings_in(self, year: int) -> int | None:
        if isinstance(self.dwellings, Mapping):
            return self.dwellings.get(year)
        return self.dwellings

    @property
    def base_rate(self) -> Fraction:
        return Fraction(self.local_rate) if self.local_rate is not None else RATE_WITHOUT_PLAN


def financial_year(day: dt.date) -> int:
    """The financial year a day is in, named by the year it starts: 1 April 2025 to 31 March 2026 is 2025."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(year: int) -> str:
    """2025 -> "2025-26"."""
    return f"{year}-{(year + 1) % 100:02d}"


def half_year(day: dt.date) -> tuple[int, int]:
    """(financial year, 1 for 1 April-30 September or 2 for 1 October-31 March)."""
    return financial_year(day), 1 if 4 <= day.month <= 9 else 2


def payment_due(received_on: dt.date) -> dt.date:
    """The day by which a local council's share of CIL received on this day must be paid (reg 59D)."""
    year, half = half_year(received_on)
    if half == 1:
        return dt.date(year, *FIRST_HALF_DUE)  # reg 59D: 1 April-30 September -> 28 October, same financial year
    return dt.date(year + 1, *SECOND_HALF_DUE)  # reg 59D: 1 October-31 March -> 28 April, following financial year


def period_label(year: int, half: int) -> str:
    if half == 1:
        return f"1 April to 30 September {year}"
    return f"1 October {year} to 31 March {year + 1}"


@dataclass
class Payment:
    """One half-year's share (reg 59D), before and after the cap."""

    year: int  # financial year of the receipts
    half: int
    due: dt.date | None  # None where no local council is paid (reg 59F)
    without_plan_pence: int  # receipts at the 15% (or local) rate
    with_plan_pence: int  # receipts at the 25% rate
    share_without_plan_pence: int  # before the cap
    share_with_plan_pence: int
    passed_pence: int = 0  # after the cap (the neighbourhood portion)

    @property
    def receipts_pence(self) -> int:
        return self.without_plan_pence + self.with_plan_pence

    @property
    def share_pence(self) -> int:
        return self.share_without_plan_pence + self.share_with_plan_pence

    @property
    def period(self) -> str:
        return period_label(self.year, self.half)


@dataclass
class YearShare:
    """One financial year: receipts, the shares at each rate, the cap and what passes."""

    year: int
    receipts_pence: int = 0
    without_plan_pence: int = 0  # receipts at the 15% (or local) rate
    with_plan_pence: int = 0  # receipts at the 25% rate
    share_without_plan_pence: int = 0  # before the cap
    share_with_plan_pence: int = 0
    cap_pence: int | None = None
    passed_pence: int = 0
    payments: list[Payment] = field(default_factory=list)

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def over_cap_pence(self) -> int:
        return self.share_without_plan_pence + self.share_with_plan_pence - self.passed_pence


@dataclass
class Portion:
    setting: Setting
    years: list[YearShare]
    lines: list[str]

    @property
    def total_pence(self) -> int:
        return sum(y.passed_pence for y in self.years)

    def year(self, year: int) -> YearShare | None:
        return next((y for y in self.years if y.year == year), None)


def _share(amount_pence: int, rate: Fraction) -> int:
    """A share in whole pence, rounded down (the regulations say nothing of rounding; see docs/money.md)."""
    return int(amount_pence * rate)  # int() of a non-negative Fraction rounds down


def cap_pence(setting: Setting, year: int) -> int | None:
    """The reg 59A(7) cap for a financial year: £100 × dwellings × index factor (None: no cap applies)."""
    if not setting.local_council:
        return None  # reg 59F: the cap limits money passed to a local council; a council keeping the share has none
    dwellings = setting.dwellings_in(year)
    if dwellings is None:
        raise CilError(f"the number of council tax dwellings in {year_label(year)} is needed for the cap (reg 59A(7))")
    return int(CAP_PENCE_PER_DWELLING * dwellings * Fraction(setting.index_factor))


def portion(receipts: Iterable[Receipt], setting: Setting) -> Portion:
    """The neighbourhood portion of these receipts, financial year by year, with the reasons in plain English."""
    receipts = list(receipts)
    for r in receipts:
        if isinstance(r.amount_pence, bool) or not isinstance(r.amount_pence, int) or r.amount_pence < 0:
            raise CilError(f"receipt {r.reference or r.received_on}: the amount must be whole pence of 0 or more")
    base = setting.base_rate
    batches: dict[tuple[int, int], list[Receipt]] = {}
    for r in receipts:
        batches.setdefault(half_year(r.received_on), []).append(r)
    payments = []
    for (year, half), group in sorted(batches.items()):
        without = sum(r.amount_pence for r in group if not r.neighbourhood_plan)
        with_plan = sum(r.amount_pence for r in group if r.neighbourhood_plan)
        due = payment_due(group[0].received_on) if setting.local_council else None
        payments.append(
            Payment(year, half, due, without, with_plan, _share(without, base), _share(with_plan, RATE_WITH_PLAN))
        )

    def key(p: Payment) -> int:
        if setting.cap_year == "payment" and p.due is not None:
            return financial_year(p.due)
        return p.year

    years: dict[int, YearShare] = {}
    for p in sorted(payments, key=lambda p: (key(p), p.due or dt.date(p.year, 4, 1), p.half)):
        share = years.setdefault(key(p), YearShare(key(p)))
        if share.cap_pence is None and setting.local_council:
            share.cap_pence = cap_pence(setting, share.year)
        share.receipts_pence += p.receipts_pence
        share.without_plan_pence += p.without_plan_pence
        share.with_plan_pence += p.with_plan_pence
        share.share_without_plan_pence += p.share_without_plan_pence
        share.share_with_plan_pence += p.share_with_plan_pence
        capped = p.share_without_plan_pence
        if share.cap_pence is not None:
            used = sum(q.passed_pence - q.share_with_plan_pence for q in share.payments)
            capped = min(capped, max(0, share.cap_pence - used))  # reg 59A(7): only the 15% share counts to the cap
        p.passed_pence = capped + p.share_with_plan_pence
        share.passed_pence += p.passed_pence
        share.payments.append(p)
    ordered = [years[y] for y in sorted(years)]
    return Portion(setting, ordered, explain(setting, ordered))


def explain(setting: Setting, years: list[YearShare]) -> list[str]:
    """Why the portion is what it is, one line per rule applied, each naming its regulation."""
    base = setting.base_rate
    lines = []
    if setting.local_council:
        lines.append(
            "Reg 59A(2): the charging authority must pass a share of the CIL it receives from development in a "
            "parish or town council's area to that council."
        )
    else:
        lines.append(
            "Reg 59F: there is no parish or town council here, so the charging authority keeps the neighbourhood "
            "portion and spends it to support the development of the area, agreeing its use with the community."
        )
        if setting.local_rate is not None:
            lines.append(
                f"Council policy: the authority sets aside {percent(base)} (more than the 15% of reg 59A(5)) as the "
                "neighbourhood portion where there is no neighbourhood development plan."
            )
    for share in years:
        parts = [f"{share.label}: {money(share.receipts_pence)} received."]
        if share.without_plan_pence:
            rule = "Council policy under reg 59F" if setting.local_rate is not None else "Reg 59A(5)"
            parts.append(
                f"{rule}: {percent(base)} of the {money(share.without_plan_pence)} from development outside an area "
                f"with a neighbourhood development plan is {money(share.share_without_plan_pence)}."
            )
        if share.with_plan_pence:
            parts.append(
                f"Reg 59A(3): 25% of the {money(share.with_plan_pence)} from development where a neighbourhood "
                f"development plan is in place is {money(share.share_with_plan_pence)}, with no cap."
            )
        if share.cap_pence is not None:
            dwellings = setting.dwellings_in(share.year)
            index = "" if Fraction(setting.index_factor) == 1 else f" × index factor {_number(setting.index_factor)}"
            counted = "received" if setting.cap_year == "receipt" else "paid"
            cap = (
                f"Reg 59A(7): the 15% share {counted} in a financial year is capped at £100 × {dwellings:,} council "
                f"tax dwellings{index} = {money(share.cap_pence)}"
            )
            if share.over_cap_pence:
                cap += f"; {money(share.over_cap_pence)} over the cap stays with the charging authority."
            else:
                cap += ", which this year does not reach."
            parts.append(cap)
        elif setting.local_council is False and share.without_plan_pence:
            parts.append("No cap: reg 59A(7) limits only money passed to a local council.")
        parts.append(f"Neighbourhood portion: {money(share.passed_pence)}.")
        lines.append(" ".join(parts))
        if setting.local_council:
            for p in share.payments:
                lines.append(
                    f"Reg 59D: the {money(p.passed_pence)} from receipts of {p.period} is due to the local council "
                    f"by {p.due:%-d %B %Y}."
                )
    return lines


def money(pence: int) -> str:
    """£50,000 or £1,234.56."""
    pounds, rest = divmod(pence, 100)
    return f"£{pounds:,}" if not rest else f"£{pounds:,}.{rest:02d}"


def percent(share: Fraction) -> str:
    return _number(share * 100) + "%"


def _number(value: Fraction) -> str:
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.4f}".rstrip("0").rstrip(".")
