"""The vacancy condition of a high street rental auction (LURA 2023 Part 10), from recorded occupation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from commonground.engine.clocks import Length, Unit, year_start
from commonground.engine.rental_auction_periods import CITE

# --- the vacancy condition, exactly, from recorded occupation ----------------------------------------------


@dataclass(frozen=True)
class Occupation:
    """A span of (substantial and sustained) occupation, both days inside; None: before records / still occupied.
    Occupation by a trespasser, or by someone living in premises not designed or adapted for living in, does
    not count (LURA 2023 Part 10; section number unconfirmed), so it is not recorded as occupation."""

    start: dt.date | None
    end: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


def vacant_since(day: dt.date) -> list[Occupation]:
    """The occupation record of premises known only to be empty since `day` (occupied, as far as we know, before)."""
    return [Occupation(None, day - dt.timedelta(days=1))]


def unoccupied_days(occupation: Iterable[Occupation], first: dt.date, last: dt.date) -> int:
    """Days from `first` to `last` (both inside) on which no recorded occupation covers the premises."""
    if last < first:
        return 0
    occupied = 0
    spans = sorted(
        (max(o.start or first, first), min(o.end or last, last))
        for o in occupation
        if (o.start or first) <= last and (o.end or last) >= first
    )
    covered_to = first - dt.timedelta(days=1)
    for start, end in spans:
        start = max(start, covered_to + dt.timedelta(days=1))
        if end >= start:
            occupied += (end - start).days + 1
            covered_to = end
    return (last - first).days + 1 - occupied


@dataclass(frozen=True)
class Vacancy:
    """Whether the vacancy condition is met on a day, which limb, and the counts behind it."""

    met: bool
    on: dt.date
    limb: str  # "a": throughout the year; "b": 366 days in two years; "": not met
    year: tuple[dt.date, dt.date]
    two_years: tuple[dt.date, dt.date]
    unoccupied_in_year: int
    unoccupied_in_two_years: int
    reason: str
    citation: str = CITE["vacancy"]


def vacancy_condition(occupation: Iterable[Occupation], on: dt.date) -> Vacancy:
    """LURA 2023 Part 10 (section unconfirmed): met on a day if the premises are unoccupied on that day and were
    unoccupied throughout the 1 year ending with the previous day, or for at least 366 days during the 2 years
    ending with the previous day."""
    occupation = list(occupation)
    previous = on - dt.timedelta(days=1)
    year = (year_start(previous, Length(1, Unit.YEARS)), previous)
    two_years = (year_start(previous, Length(2, Unit.YEARS)), previous)
    in_year = unoccupied_days(occupation, *year)
    in_two = unoccupied_days(occupation, *two_years)
    year_days = (year[1] - year[0]).days + 1
    counts = dict(year=year, two_years=two_years, unoccupied_in_year=in_year, unoccupied_in_two_years=in_two)
    if any(o.covers(on) for o in occupation):
        return Vacancy(False, on, "", **counts, reason=f"occupied on {on.isoformat()}")
    if in_year == year_days:
        why = f"unoccupied on {on.isoformat()} and throughout the year {year[0].isoformat()} to {year[1].isoformat()}"
        return Vacancy(True, on, "a", **counts, reason=why)
    if in_two >= 366:
        why = (f"unoccupied on {on.isoformat()} and for {in_two} days of the two years {two_years[0].isoformat()} "
               f"to {two_years[1].isoformat()} (at least 366)")  # fmt: skip
        return Vacancy(True, on, "b", **counts, reason=why)
    why = (f"unoccupied for {in_two} of the 366 days needed in the two years ending {previous.isoformat()}, and "
           f"not throughout the year ending then ({in_year} of {year_days} days)")  # fmt: skip
    return Vacancy(False, on, "", **counts, reason=why)


def first_day_met(occupation: Iterable[Occupation], since: dt.date, within_days: int = 800) -> dt.date | None:
    """The first day on or after `since` the vacancy condition is met (None if not within `within_days`)."""
    occupation = list(occupation)
    for offset in range(within_days + 1):
        day = since + dt.timedelta(days=offset)
        if vacancy_condition(occupation, day).met:
            return day
    return None
