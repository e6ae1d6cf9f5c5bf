"""Resident ballots without Django: who may vote, and the count.

The rules are the Mayor of London's Resident Ballot Requirement (GLA Capital Funding Guide,
Section 8, in force from 18 July 2018; see docs/ballots.md). Dates are `datetime.date`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

MINIMUM_AGE = 16  # CFG s.8: residents aged 16 or over
RECOMMENDED_WINDOW = dt.timedelta(weeks=3)  # shorter windows are allowed but warned about


class Category(StrEnum):
    """The three ways a resident qualifies (CFG s.8 eligibility criteria)."""

    SOCIAL_TENANT = "social_tenant"
    RESIDENT_OWNER = "resident_owner"
    HOUSING_REGISTER = "housing_register"


CATEGORY_LABELS: dict[Category, str] = {
    Category.SOCIAL_TENANT: "Social tenant named on a tenancy dated on or before the Offer's publication",
    Category.RESIDENT_OWNER: (
        "Resident leaseholder or freeholder, only or principal home for at least a year before the Offer"
    ),
    Category.HOUSING_REGISTER: "Resident on the housing register for at least a year before the Offer",
}

# What the qualifying date means for each category.
QUALIFYING_DATE_MEANING: dict[Category, str] = {
    Category.SOCIAL_TENANT: "the date of the tenancy agreement",
    Category.RESIDENT_OWNER: "the date they started living there as their only or principal home",
    Category.HOUSING_REGISTER: "the date they joined the housing register",
}


def one_year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (29 February falls back to 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def ineligibility_reasons(
    category: str,
    qualifying_date: dt.date | None,
    date_of_birth: dt.date | None,
    offer_published_on: dt.date,
    age_counted_on: dt.date,
) -> list[str]:
    """Why an entry may not go on the roll; an empty list means eligible."""
    reasons: list[str] = []
    try:
        kind = Category(category)
    except ValueError:
        return [f"category must be one of {', '.join(c.value for c in Category)}, not {category!r}"]
    if date_of_birth is None:
        reasons.append("date of birth is missing")
    elif age_on(date_of_birth, age_counted_on) < MINIMUM_AGE:
        reasons.append(
            f"not aged {MINIMUM_AGE} or over on {age_counted_on:%d %B %Y} (born {date_of_birth:%d %B %Y})"
        )  # CFG s.8: aged 16 or over
    if qualifying_date is None:
        reasons.append(f"{QUALIFYING_DATE_MEANING[kind]} is missing")
        return reasons
    published = f"{offer_published_on:%d %B %Y}"
    if kind is Category.SOCIAL_TENANT and qualifying_date > offer_published_on:
        # CFG s.8: named on a tenancy agreement dated on or before the Landlord Offer's publication
        reasons.append(
            f"tenancy dated {qualifying_date:%d %B %Y}, after the Landlord Offer was published on {published}"
        )
    if kind in (Category.RESIDENT_OWNER, Category.HOUSING_REGISTER):
        latest = one_year_before(offer_published_on)
        if qualifying_date > latest:
            # CFG s.8: at least one year before the Landlord Offer's publication
            what = "living there since" if kind is Category.RESIDENT_OWNER else "on the housing register since"
            reasons.append(
                f"{what} {qualifying_date:%d %B %Y}: less than a year before the Landlord Offer "
                f"was published on {published} (needs {latest:%d %B %Y} or earlier)"
            )
    return reasons


def window_warnings(opens: dt.datetime, closes: dt.datetime) -> list[str]:
    if closes <= opens:
        return ["voting must close after it opens"]
    if closes - opens < RECOMMENDED_WINDOW:
        days = (closes - opens).days
        return [f"the voting window is {days} days: shorter than the 3 weeks residents usually get"]
    return []


@dataclass(frozen=True)
class Result:
    options: list[str]
    votes: dict[str, int]
    spoilt: int
    electorate: int

    @property
    def valid(self) -> int:
        return sum(self.votes.values())

    @property
    def papers(self) -> int:
        return self.valid + self.spoilt

    @property
    def turnout(self) -> Fraction:
        """Ballot papers received (spoilt included) as a share of the roll."""
        return Fraction(self.papers, self.electorate) if self.electorate else Fraction(0)

    @property
    def majority_option(self) -> str | None:
        """The option with more than half of the valid votes cast, or None (CFG s.8: simple majority)."""
        for option in self.options:
            if 2 * self.votes[option] > self.valid:
                return option
        return None

    def share(self, option: str) -> Fraction:
        return Fraction(self.votes[option], self.valid) if self.valid else Fraction(0)

    def as_dict(self) -> dict:
        return {
            "options": [
                {"option": o, "votes": self.votes[o], "share_of_valid": round(float(self.share(o)), 6)}
                for o in self.options
            ],
            "valid_votes": self.valid,
            "spoilt": self.spoilt,
            "papers": self.papers,
            "electorate": self.electorate,
            "turnout": round(float(self.turnout), 6),
            "majority": self.majority_option,
        }


def count(options: list[str], votes: Mapping[str, int], spoilt: int, electorate: int) -> Result:
    """The result from per-option totals; refuses totals that cannot be right."""
    if len(set(options)) != len(options) or len(options) < 2:
        raise ValueError("a ballot needs at least two different options")
    unknown = set(votes) - set(options)
    if unknown:
        raise ValueError(f"votes for options not on the ballot: {', '.join(sorted(unknown))}")
    totals = {o: int(votes.get(o, 0)) for o in options}
    if any(v < 0 for v in totals.values()) or spoilt < 0:
        raise ValueError("vote totals cannot be negative")
    result = Result(options=list(options), votes=totals, spoilt=int(spoilt), electorate=int(electorate))
    if result.papers > electorate:
        raise ValueError(f"{result.papers} ballot papers but only {electorate} electors on the roll")
    return result


def readd(options: list[str], papers: Iterable[str | None], electorate: int) -> Result:
    """Re-add published ballot papers (one option each, or None for a spoilt paper)."""
    votes = dict.fromkeys(options, 0)
    spoilt = 0
    for choice in papers:
        if choice is None or choice == "":
            spoilt += 1
        elif choice in votes:
            votes[choice] += 1
        else:
            raise ValueError(f"a ballot paper names {choice!r}, which is not an option")
    return count(options, votes, spoilt, electorate)
