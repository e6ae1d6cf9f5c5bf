"""Community Wealth Fund arithmetic: eligibility, allocation in whole pounds, drawdown schedules.

Pure and deterministic: the same inputs always give the same awards, to the pound, so anyone can
replay a published allocation. Money is integer pounds here; the apps store pence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np

from commonground.engine.tables import DataError, codes, find_column, numeric, read_csv

# Big Local (Local Trust, 2010–2026): 150 areas of roughly 9,000 residents, each given about £1m
# over 10–15 years. These are the defaults of the "big-local" policy; both can be changed.
BIG_LOCAL_POUNDS = 1_000_000
BIG_LOCAL_RESIDENTS = 9_000
TIE_BREAK = "larger fractional remainder first; equal remainders by ward code, A→Z"
# Bounds on inputs, far beyond real ones, so a typing slip in a file is an error and not an overflow.
MOST_POUNDS = 10**12
MOST_PEOPLE = 100_000_000  # more than live in the UK
MOST_NEED = 1_000_000  # an index value or score


class Policy(StrEnum):
    BIG_LOCAL = "big-local"
    EQUAL = "equal"
    PER_CAPITA = "per-capita"
    NEEDS_WEIGHTED = "needs-weighted"


class Profile(StrEnum):
    EVEN = "even"
    FRONT_LOADED = "front-loaded"
    START_UP = "start-up"


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    local_authority: str
    population: int
    need: float = 1.0  # the index value used by needs-weighted (higher = more need)
    region: str = ""


@dataclass(frozen=True)
class AllocationPolicy:
    policy: Policy
    total: int
    years: int
    profile: Profile = Profile.EVEN
    floor: int = 0
    cap: int | None = None
    pounds_per_block: int = BIG_LOCAL_POUNDS
    residents_per_block: int = BIG_LOCAL_RESIDENTS
    start_year_share: float = 0.05  # the start-up profile's first (planning) year

    def __post_init__(self) -> None:
        if not 0 < self.total <= MOST_POUNDS:
            raise ValueError(f"the fund total must be a positive number of pounds up to £{MOST_POUNDS:,}")
        if not 1 <= self.years <= 50:
            raise ValueError("years must be between 1 and 50")
        if self.floor < 0 or (self.cap is not None and self.cap < self.floor):
            raise ValueError("the floor must be at least 0 and no more than the cap")
        if not 0 < self.start_year_share < 1:
            raise ValueError("the start-up year's share must be between 0 and 1")

    def describe(self) -> dict:
        data = asdict(self)
        data["policy"], data["profile"] = str(self.policy), str(self.profile)
        data["tie_break"] = TIE_BREAK
        return data


@dataclass(frozen=True)
class Award:
    place: Place
    amount: int
    schedule: tuple[int, ...]


@dataclass(frozen=True)
class Allocation:
    policy: AllocationPolicy
    awards: tuple[Award, ...]
    data_version: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total_awarded(self) -> int:
        return sum(a.amount for a in self.awards)

    @property
    def unallocated(self) -> int:
        return self.policy.total - self.total_awarded


def largest_remainder(total: int, weights: Sequence[int], codes: Sequence[str]) -> np.ndarray:
    """Split `total` whole pounds in proportion to integer `weights` (Hamilton's method).

    Exact integer arithmetic: each area gets floor(total × w / W); the pounds left over go one
    each to the largest remainders, ties broken by code A→Z. The sum is exactly `total`.
    """
    w = [int(x) for x in weights]
    if any(x < 0 for x in w):
        raise ValueError("weights cannot be negative")
    whole = sum(w)
    if whole == 0:
        raise ValueError("nothing to share in proportion to: every weight is zero")
    shares = [total * x // whole for x in w]
    remainders = [total * x % whole for x in w]
    left = total - sum(shares)
    order = sorted(range(len(w)), key=lambda i: (-remainders[i], codes[i]))
    for i in order[:left]:
        shares[i] += 1
    return np.array(shares, dtype=np.int64)


def places_from_csv(path: Path | str) -> tuple[list[Place] | None, np.ndarray]:
    """The places in a CSV of eligible wards (ward_code required; ward_name, local_authority and
    population together make each a Place, need optional) and their codes; None for the places
    when the file gives codes alone, so the caller looks the rest up."""
    frame = read_csv(path)
    ward_codes = codes(frame, path, find_column(frame, path, ["ward_code", "code", "geoCode"], "the ward code"))
    has = {c.lower(): c for c in frame.columns}
    if not {"ward_name", "local_authority", "population"} <= set(has):
        return None, ward_codes
    population = numeric(frame, path, has["population"])
    need = numeric(frame, path, has["need"]) if "need" in has else np.ones(len(ward_codes))
    for i, p in enumerate(population):
        if not 0 < p <= MOST_PEOPLE or p != int(p):
            raise DataError(path, f"population must be a whole number from 1 to {MOST_PEOPLE:,}", row=i + 2,
                            column=has["population"])  # fmt: skip
    columns = zip(ward_codes, frame[has["ward_name"]], frame[has["local_authority"]], population, need, strict=True)
    return [Place(c, n, la, int(p), float(w)) for c, n, la, p, w in columns], ward_codes


def _integer_weights(values: Sequence[float]) -> list[int]:
    """Float weights as integers, to a millionth: exact apportionment needs integers."""
    return [int(round(v * 1_000_000)) for v in values]


def allocate(places: Sequence[Place], policy: AllocationPolicy) -> Allocation:
    """Awards for every eligible place under the policy; never more than the fund in total."""
    if not places:
        raise ValueError("no eligible places")
    ordered = sorted(places, key=lambda p: p.code)
    codes = [p.code for p in ordered]
    for p in ordered:
        if p.population <= 0 and policy.policy is not Policy.EQUAL:
            raise ValueError(f"{p.code} has no population: {policy.policy} needs one")
        if p.population > MOST_PEOPLE:
            raise ValueError(f"{p.code}: a population of {p.population:,} is more than {MOST_PEOPLE:,}")
        if not (math.isfinite(p.need) and abs(p.need) <= MOST_NEED):
            raise ValueError(f"{p.code}: a need of {p.need:g} is not a number from -{MOST_NEED:,} to {MOST_NEED:,}")
    notes: list[str] = []
    if policy.policy is Policy.EQUAL:
        amounts = largest_remainder(policy.total, [1] * len(ordered), codes)
    elif policy.policy is Policy.PER_CAPITA:
        amounts = largest_remainder(policy.total, [p.population for p in ordered], codes)
    elif policy.policy is Policy.NEEDS_WEIGHTED:
        if any(p.need <= 0 for p in ordered):
            raise ValueError("needs-weighted needs a positive need value for every place")
        amounts = largest_remainder(policy.total, _integer_weights([p.population * p.need for p in ordered]), codes)
    else:
        amounts = _big_local(ordered, policy, notes)
    if policy.policy is not Policy.BIG_LOCAL and (policy.floor or policy.cap is not None):
        amounts = _clamp(amounts, policy, codes, notes)
    awards = tuple(Award(p, int(a), schedule(int(a), policy)) for p, a in zip(ordered, amounts, strict=True))
    return Allocation(policy, awards, data_version(ordered), tuple(notes))


def _big_local(places: list[Place], policy: AllocationPolicy, notes: list[str]) -> np.ndarray:
    """£1m per 9,000 residents, clamped to [floor, cap]; scaled down pro rata if over the fund."""
    target = [p.population * policy.pounds_per_block / policy.residents_per_block for p in places]
    clamped = [max(policy.floor, t) if policy.cap is None else min(policy.cap, max(policy.floor, t)) for t in target]
    wanted = [int(c) for c in clamped]  # whole pounds, rounding down
    if sum(wanted) <= policy.total:
        notes.append(f"All targets fit: £{policy.total - sum(wanted):,} of the fund stays unallocated.")
        return np.array(wanted, dtype=np.int64)
    notes.append(f"Targets add up to £{sum(wanted):,}, more than the fund: awards scaled down pro rata to "
                 f"population, then the floor and cap applied.")  # fmt: skip
    raw = [p.population for p in places]
    return _clamp(largest_remainder(policy.total, raw, [p.code for p in places]), policy, [p.code for p in places],
                  notes)  # fmt: skip


def _clamp(amounts: np.ndarray, policy: AllocationPolicy, codes: list[str], notes: list[str]) -> np.ndarray:
    """Apply a floor and cap to a proportional split by water-filling: capped places are fixed at
    the cap and the rest re-split; floors are raised only if the fund allows."""
    amounts = amounts.copy()
    fixed = np.zeros(amounts.size, dtype=bool)
    for _ in range(amounts.size):
        over = ~fixed & (amounts > (policy.cap if policy.cap is not None else np.iinfo(np.int64).max))
        if not over.any():
            break
        amounts[over] = policy.cap
        fixed |= over
        free = ~fixed
        if not free.any():
            break
        left = policy.total - int(amounts[fixed].sum())
        amounts[free] = largest_remainder(
            left, amounts[free].tolist(), [c for c, f in zip(codes, free, strict=True) if f]
        )
    under = amounts < policy.floor
    if under.any():
        if policy.floor * amounts.size > policy.total:
            raise ValueError(f"the floor of £{policy.floor:,} for {amounts.size} places exceeds the fund")
        raise_to = int((policy.floor - amounts[under]).sum())
        donors = ~under & (amounts > policy.floor)
        amounts[under] = policy.floor
        taken = largest_remainder(raise_to, (amounts[donors] - policy.floor).tolist(),
                                  [c for c, d in zip(codes, donors, strict=True) if d])  # fmt: skip
        amounts[donors] -= taken
        notes.append(
            f"{int(under.sum())} awards raised to the floor of £{policy.floor:,}, taken pro rata from the rest."
        )
    return amounts


def schedule(amount: int, policy: AllocationPolicy) -> tuple[int, ...]:
    """Yearly drawdown in whole pounds, adding up exactly to the award."""
    years = policy.years
    if policy.profile is Profile.EVEN:
        weights = [1] * years
    elif policy.profile is Profile.FRONT_LOADED:
        weights = list(range(years, 0, -1))  # year 1 largest, falling by one step a year
    else:
        if years < 2:
            return (amount,)
        first = int(round(policy.start_year_share * 1_000_000))
        rest = (1_000_000 - first) // (years - 1)
        weights = [first] + [rest] * (years - 1)
    return tuple(int(x) for x in largest_remainder(amount, weights, [f"{i:03d}" for i in range(years)]))


def planned_dates(start: dt.date, years: int) -> dict:
    """360Giving plannedDates: start, end (the day before the anniversary) and duration in months."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February start, non-leap end year
        anniversary = dt.date(start.year + years, 3, 1)
    return {"startDate": start.isoformat(), "endDate": (anniversary - dt.timedelta(days=1)).isoformat(),
            "duration": years * 12}  # fmt: skip


def data_version(places: Sequence[Place]) -> str:
    """SHA-256 of the eligible places as used (sorted, canonical JSON): anyone can check a replay."""
    rows = [asdict(p) for p in sorted(places, key=lambda p: p.code)]
    return hashlib.sha256(json.dumps(rows, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# --- eligibility -------------------------------------------------------------------------------


class Eligibility(StrEnum):
    LEFT_BEHIND = "left-behind"
    IMD_DECILE_1 = "imd-decile-1"
    CUSTOM = "custom"
    THRESHOLD = "threshold"


def eligible_by_threshold(
    values: dict[str, float], *, at_most: float | None = None, at_least: float | None = None
) -> set[str]:
    """Codes whose index value is within the bounds (e.g. IMD rank at most 743)."""
    return {
        code for code, v in values.items() if (at_most is None or v <= at_most) and (at_least is None or v >= at_least)
    }
