"""Tender evaluation with published weights: price, quality and social value, computed exactly.

Why: the Procurement Act 2023 lets a contracting authority award to "the most advantageous tender"
(s.19(1)) assessed against award criteria whose relative importance is set out in advance, for example
"weighting each as representing a percentage of total importance" (s.23(3)(b)(i)). PPN 002 (February
2025) asks central government bodies to give social value at least a 10% weighting; many councils use
20-30%, and the 30% baseline Common Ground suggests is a proposal, not a rule. The floor is a parameter.

Everything here is a Fraction: a score is never a float, so the award is reproducible to the last digit
and a tie is a real tie. Pure: no Django, no I/O.

Published formulas (the same words appear on the award page):
- price points = price weight x lowest price / this bid's price
- criterion points = criterion weight x moderated score / top of the scale
- total = price points + the points of every quality and social value criterion
- ties: the higher social value points, then the higher quality points, then the lower price, then
  the bid received first (TIE_RULE).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

QUALITY = "quality"
SOCIAL_VALUE = "social_value"
KINDS = (QUALITY, SOCIAL_VALUE)
SCALES = (5, 10)
FLOORS = (10, 20, 30)  # percentages a model may set as its social value floor
PRICE_FORMULA = "price points = price weight × lowest price ÷ this bid's price"
CRITERION_FORMULA = "criterion points = criterion weight × moderated score ÷ top of the scale"
TIE_RULE = (
    "If two or more bids have the same total, the one with more social value points wins; if still level, "
    "more quality points; then the lower price; then the bid received first."
)


class TenderError(ValueError):
    """A model, bid or score that cannot be evaluated; the message says what to fix."""


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    kind: str  # QUALITY or SOCIAL_VALUE
    weight: Fraction  # percentage points of the whole, e.g. 20 for 20%


@dataclass(frozen=True)
class Model:
    price_weight: Fraction
    quality_weight: Fraction
    social_value_weight: Fraction
    social_value_floor: Fraction
    scale_max: int
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Bid:
    key: str
    supplier: str
    price_pence: int
    received_order: int  # 1 for the bid received first


@dataclass
class BidResult:
    bid: Bid
    price_points: Fraction
    criterion_points: dict[str, Fraction]
    quality_points: Fraction
    social_value_points: Fraction
    total: Fraction
    rank: int = 0
    steps: list[str] = field(default_factory=list)


@dataclass
class Award:
    results: list[BidResult]  # best first
    winner: BidResult
    tie_broken_by: str  # "" when the winner's total was higher than every other bid's
    lowest_price_pence: int


def as_fraction(value) -> Fraction:
    """A weight or score from text, an int or a Decimal, exactly (never through a float)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        raise TenderError("weights and scores must be exact (whole numbers or decimals), not floating point")
    try:
        return Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise TenderError(f"{value!r} is not a number") from None


def check_model(model: Model) -> list[str]:
    """Everything wrong with a model, in plain words (empty when it can be published)."""
    problems = []
    weights = (model.price_weight, model.quality_weight, model.social_value_weight)
    if any(w < 0 for w in weights):
        problems.append("weights cannot be negative")
    total = sum(weights)
    if total != 100:
        problems.append(f"the weights must add up to 100%: price, quality and social value add up to {fmt(total)}%")
    if model.social_value_floor not in FLOORS:
        problems.append(f"the social value floor must be one of {', '.join(f'{f}%' for f in FLOORS)}")
    elif model.social_value_weight < model.social_value_floor:
        problems.append(
            f"social value is weighted {fmt(model.social_value_weight)}%, below this model's floor of "
            f"{fmt(model.social_value_floor)}%"
        )
    if model.scale_max not in SCALES:
        problems.append(f"scores run from 0 to 5 or from 0 to 10, not 0 to {model.scale_max}")
    keys = [c.key for c in model.criteria]
    if len(set(keys)) != len(keys):
        problems.append("two criteria have the same key")
    for kind, weight, label in ((QUALITY, model.quality_weight, "quality"),
                                (SOCIAL_VALUE, model.social_value_weight, "social value")):  # fmt: skip
        criteria = [c for c in model.criteria if c.kind == kind]
        if weight > 0 and not criteria:
            problems.append(f"{label} is weighted {fmt(weight)}% but has no criteria")
        if criteria and sum(c.weight for c in criteria) != weight:
            problems.append(
                f"the {label} criteria add up to {fmt(sum(c.weight for c in criteria))}%, "
                f"not the {fmt(weight)}% {label} weight"
            )
    for c in model.criteria:
        if c.kind not in KINDS:
            problems.append(f"criterion {c.name!r} must be quality or social value")
        if c.weight <= 0:
            problems.append(f"criterion {c.name!r} needs a weight above 0%")
    return problems


def evaluate(model: Model, bids: Sequence[Bid], scores: Mapping[tuple[str, str], int]) -> Award:
    """Score every bid and pick the most advantageous tender; `scores[(bid key, criterion key)]` is the
    moderated score. Raises TenderError naming the first problem (a missing score, a bad price)."""
    problems = check_model(model)
    if problems:
        raise TenderError("; ".join(problems))
    if not bids:
        raise TenderError("there are no bids to evaluate")
    for bid in bids:
        if bid.price_pence <= 0:
            raise TenderError(f"{bid.supplier}'s price must be more than £0")
    missing = [(b.supplier, c.name) for b in bids for c in model.criteria if (b.key, c.key) not in scores]
    if missing:
        listed = "; ".join(f"{s}: {c}" for s, c in missing[:5])
        raise TenderError(f"{len(missing)} moderated score{'s are' if len(missing) != 1 else ' is'} missing ({listed})")
    lowest = min(b.price_pence for b in bids)
    results = []
    for bid in bids:
        price_points = model.price_weight * Fraction(lowest, bid.price_pence)
        steps = [f"Price: {fmt(model.price_weight)} × {pounds(lowest)} ÷ {pounds(bid.price_pence)} = "
                 f"{fmt(price_points)} points"]  # fmt: skip
        points = {}
        for c in model.criteria:
            score = scores[(bid.key, c.key)]
            if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= model.scale_max:
                raise TenderError(f"{bid.supplier}'s score for {c.name} must be a whole number from 0 to "
                                  f"{model.scale_max}, not {score!r}")  # fmt: skip
            points[c.key] = c.weight * Fraction(score, model.scale_max)
            steps.append(f"{c.name}: {fmt(c.weight)} × {score} ÷ {model.scale_max} = {fmt(points[c.key])} points")
        quality = sum((points[c.key] for c in model.criteria if c.kind == QUALITY), Fraction(0))
        social = sum((points[c.key] for c in model.criteria if c.kind == SOCIAL_VALUE), Fraction(0))
        total = price_points + quality + social
        steps.append(f"Total: {fmt(price_points)} + {fmt(quality)} + {fmt(social)} = {fmt(total)} points")
        results.append(BidResult(bid, price_points, points, quality, social, total, steps=steps))
    results.sort(key=_order)
    for rank, result in enumerate(results, start=1):
        result.rank = rank
    winner = results[0]
    tie_broken_by = ""
    level = [r for r in results[1:] if r.total == winner.total]
    if level:
        other = level[0]
        if winner.social_value_points != other.social_value_points:
            tie_broken_by = "more social value points"
        elif winner.quality_points != other.quality_points:
            tie_broken_by = "more quality points"
        elif winner.bid.price_pence != other.bid.price_pence:
            tie_broken_by = "the lower price"
        else:
            tie_broken_by = "received first"
    return Award(results=results, winner=winner, tie_broken_by=tie_broken_by, lowest_price_pence=lowest)


def _order(result: BidResult):
    return (-result.total, -result.social_value_points, -result.quality_points, result.bid.price_pence,
            result.bid.received_order, result.bid.key)  # fmt: skip


def fmt(value: Fraction | int, places: int = 4) -> str:
    """A fraction as a decimal: exact when it ends within `places` digits (28, 26.6667 is not), else
    rounded half up with the exact fraction beside it, e.g. "≈33.3333 (100/3)"."""
    value = Fraction(value)
    if (value * 10**places).denominator == 1:
        return _exact_decimal(value, places)
    return f"≈{_round_half_up(value, places)} ({value.numerator}/{value.denominator})"


def _exact_decimal(value: Fraction, places: int) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole, rest = divmod(value.numerator, value.denominator)
    digits = ""
    for _ in range(places):
        if rest == 0:
            break
        rest *= 10
        digit, rest = divmod(rest, value.denominator)
        digits += str(digit)
    return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"


def _round_half_up(value: Fraction, places: int) -> str:
    sign = "-" if value < 0 else ""
    scaled = abs(value) * 10**places
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    text = str(whole).rjust(places + 1, "0")
    return f"{sign}{text[:-places]}.{text[-places:]}"


def pounds(pence: int) -> str:
    whole, part = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{whole:,}" if part == 0 else f"{sign}£{whole:,}.{part:02d}"
