"""Share an amount published for a whole area among its parts by a declared allocation key, exactly.

Why: public bodies publish spending by council, service or ward, almost never by neighbourhood. A
neighbourhood's share can only be estimated, and an estimate is honest only when its key is declared:
by population (each resident counts the same) or need-weighted (each resident weighted by the IMD score
of the LSOA they live in, so more deprived places take a larger share). Callers label the result an
estimate and show the key. Pure: Fractions in, Fractions out; no floats, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

POPULATION = "population"
NEED = "need"
KEYS = {
    POPULATION: "by population: the part's share of the whole area's residents",
    NEED: "need-weighted: residents weighted by their LSOA's IMD score (higher score, larger share)",
}


class AllocationError(ValueError):
    """The key cannot be applied (an unknown key, no residents, no IMD scores)."""


@dataclass(frozen=True)
class Lsoa:
    code: str
    population: int
    imd_score: Fraction | None = None


def weight(lsoas: list[Lsoa], key: str) -> Fraction:
    """The allocation weight of a set of LSOAs under `key`."""
    if key == POPULATION:
        return Fraction(sum(a.population for a in lsoas))
    if key == NEED:
        missing = [a.code for a in lsoas if a.imd_score is None]
        if missing:
            raise AllocationError(f"no IMD score is loaded for {', '.join(missing[:5])}: use the population key")
        return sum((a.population * a.imd_score for a in lsoas), Fraction(0))
    raise AllocationError(f"unknown allocation key {key!r}: use one of {', '.join(KEYS)}")


def share(part: list[Lsoa], whole: list[Lsoa], key: str) -> Fraction:
    """The part's share of the whole (0 to 1); the part's LSOAs must lie within the whole's."""
    whole_codes = {a.code for a in whole}
    outside = [a.code for a in part if a.code not in whole_codes]
    if outside:
        raise AllocationError(f"{', '.join(outside[:5])} lie outside the area the amount was published for")
    total = weight(whole, key)
    if total <= 0:
        raise AllocationError("the area has no residents (or no need) to share the amount among")
    return weight(part, key) / total


def allocate(amount: int | Fraction, weights: Mapping[str, Fraction | int]) -> dict[str, Fraction]:
    """`amount` split among the keys of `weights` in proportion, exactly (the parts add up to the amount)."""
    total = sum((Fraction(w) for w in weights.values()), Fraction(0))
    if total <= 0:
        raise AllocationError("nothing to allocate by: every weight is zero")
    return {k: Fraction(amount) * Fraction(w) / total for k, w in weights.items()}
