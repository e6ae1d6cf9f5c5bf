"""Ring-fences of a PB process: told in plain English, written as the ring-fence TOML `commonground pb
tally FILE.pb --rule R --constraints FILE.toml` reads and as the .pb file's META, and counted by the
constrained rules of commonground.engine.pb.constrained (greedy with quotas, Equal Shares with
ring-fences; docs/pb.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from commonground.budgeting.models import ApplicantKind, Process, RingFence
from commonground.engine.pb import constrained, constraints

FIELDS = tuple(RingFence.Field.values)
RULES_WITH_FENCES = ("equal-shares", "greedy")  # the web rules the constrained engine counts (not Phragmén)


class FenceError(ValueError):
    """Ring-fences that cannot be kept or counted; the message says which and why."""


def share(percent: Decimal | None) -> Fraction | None:
    return None if percent is None else Fraction(percent) / 100


def _percent(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return f"{text}%"


def _pounds(pence_or_pounds: Fraction) -> str:
    value = Fraction(pence_or_pounds)
    if value.denominator == 1:
        return f"£{value.numerator:,}"
    return f"£{float(value):,.2f}"


def projects_label(field: str, value: str) -> str:
    """Whose projects a ring-fence is for, in words: "projects led by young people"."""
    if field == RingFence.Field.APPLICANT_KIND:
        kinds = {
            ApplicantKind.VCFS: "projects led by voluntary, community or faith groups",
            ApplicantKind.RESIDENT: "resident-led projects",
            ApplicantKind.YOUTH: "youth-led projects",
        }
        return kinds.get(value, f"projects led by {value}")
    return f"{value} projects"


def sentence(fence: RingFence, budget: int) -> str:
    """One sentence for a ballot or results page, e.g. "At least 25% of the £200,000 (£50,000) goes to
    youth-led projects."""
    low, high = fence.min_percent, fence.max_percent
    whole = f"the {_pounds(Fraction(budget))}"
    if low is not None and high is not None and low == high:
        head = f"Exactly {_percent(low)} of {whole} ({_pounds(Fraction(low) * budget / 100)})"
    elif low is not None and high is not None:
        head = (
            f"Between {_percent(low)} and {_percent(high)} of {whole} "
            f"({_pounds(Fraction(low) * budget / 100)} to {_pounds(Fraction(high) * budget / 100)})"
        )
    elif low is not None:
        head = f"At least {_percent(low)} of {whole} ({_pounds(Fraction(low) * budget / 100)})"
    else:
        head = f"At most {_percent(high)} of {whole} ({_pounds(Fraction(high) * budget / 100)})"
    return f"{head} goes to {projects_label(fence.field, fence.value)}."


def sentences(process: Process) -> list[str]:
    return [sentence(f, process.budget) for f in process.ring_fences.all()]


def check(rows: Sequence[tuple[str, str, Decimal | None, Decimal | None]], rule: str) -> None:
    """Ring-fences as an officer sets them: known field, a value, shares from 0 to 100 with the least no
    more than the most, floors adding up to at most 100%, each once; a rule that can keep them."""
    seen = set()
    floors = Decimal(0)
    for number, (field, value, low, high) in enumerate(rows, start=1):
        where = f"Ring-fence {number}"
        if field not in FIELDS:
            raise FenceError(f"{where}: choose what it is by (who leads it, or category), not {field!r}")
        if not value.strip():
            raise FenceError(f"{where}: say which {dict(RingFence.Field.choices)[field].lower()} it is for")
        if low is None and high is None:
            raise FenceError(f"{where}: give a least share, a most share or both")
        for name, percent in (("least", low), ("most", high)):
            if percent is not None and not Decimal(0) <= percent <= Decimal(100):
                raise FenceError(f"{where}: the {name} share must be from 0% to 100%, not {percent}%")
        if low is not None and high is not None and low > high:
            raise FenceError(f"{where}: the least share ({low}%) is more than the most ({high}%)")
        if (field, value.strip()) in seen:
            raise FenceError(f"{where}: {projects_label(field, value.strip())} already have a ring-fence")
        seen.add((field, value.strip()))
        floors += low or 0
    if floors > 100:
        raise FenceError(f"The least shares add up to {floors}%: more than the whole budget")
    if rows and rule not in RULES_WITH_FENCES:
        raise FenceError("Ring-fences are kept by Equal Shares or greedy counting: choose one of those rules")


def to_engine(process: Process) -> list:
    """The process's ring-fences as the engine's RingFence values."""
    return [
        constraints.RingFence(f.field, f.value, share(f.min_percent), share(f.max_percent))
        for f in process.ring_fences.all()
    ]


def meta(process: Process) -> dict[str, str]:
    """The .pb META entry recording the ring-fences (the engine's own format), or nothing without any."""
    if not process.ring_fences.exists():
        return {}
    return {constraints.META_KEY: constraints.to_meta(to_engine(process))}


def toml(process: Process) -> str:
    """The ring-fences as the TOML file `commonground pb tally --constraints` reads."""
    lines = [
        f"# Ring-fences of {process.title} ({process.slug}), for: commonground pb tally {process.slug}.pb "
        f"--rule {process.rule} --constraints {process.slug}-ring-fences.toml"
    ]
    for f in process.ring_fences.all():
        lines += ["", "[[ring_fence]]", f'field = "{f.field}"', f'value = "{_toml_text(f.value)}"']
        for key, percent in (("min_share", f.min_percent), ("max_share", f.max_percent)):
            if percent is not None:
                lines.append(f"{key} = {_decimal(Decimal(percent) / 100)}")
    return "\n".join(lines) + "\n"


def _decimal(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if "." in text else f"{text}.0"


def _toml_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def feasible_or_why(election, fences: list) -> str | None:
    """None when some outcome within the budget meets every ring-fence; else why not, in plain words."""
    try:
        constraints.check(fences, election)
        if not constraints.Feasibility(election, fences).feasible(()):
            constraints.first_infeasible(election, fences)
    except constraints.ConstraintsError as exc:
        return str(exc)
    return None


def tally(election, rule: str, fences: list):
    """The engine's outcome (winners, and what each ring-fence got) for this election and rule."""
    try:
        return constrained.tally(election, rule, fences)
    except (constraints.ConstraintsError, ValueError) as exc:
        raise FenceError(f"The ring-fences cannot be kept: {exc}") from None


def explain(won: bool, won_without: bool, plain: str, fenced_sentences: list[str]) -> str:
    """Why a project won or lost when ring-fences applied, against what the rule alone would have done."""
    why_fences = " ".join(fenced_sentences)
    if won and won_without:
        return f"Funded. It would have been funded without the ring-fences too: {plain}".strip()
    if won:
        return f"Funded to keep the ring-fences ({why_fences}); without them it would not have been."
    if won_without:
        return (f"Not funded: it would have been without the ring-fences, but the money was needed to keep them "
                f"({why_fences}).")  # fmt: skip
    return f"Not funded, with or without the ring-fences: {plain}".strip()
