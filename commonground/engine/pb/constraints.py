"""Ring-fences: least and most shares of a PB budget for the projects in a category, district or any
other PROJECTS column (issue 20), read from TOML or a .pb file's META, told in plain English, and
checked for feasibility exactly.

A ring-fence (field, value, min_share, max_share) holds the projects whose `field` contains `value`
(pabulib lists are comma-separated). An outcome meets it when the money spent on those projects is
at least min_share × budget (its floor) and at most max_share × budget (its cap). The rules that
respect ring-fences are in constrained.py; docs/pb.md, "Ring-fences", has the definitions.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from commonground.engine.pb.profile import Election, Number

KEYS = ("field", "value", "min_share", "max_share")
META_KEY = "ring_fences"
BITSET_BITS = 1 << 25  # a subset-sum bitset up to 4 MB; wider ranges use the branch and bound


class ConstraintsError(ValueError):
    """A ring-fence file or META entry that cannot be read, or names a column or value not in the election."""


class Infeasible(ConstraintsError):
    """No outcome meets every ring-fence: the message names the first one that cannot be met."""


@dataclass(frozen=True)
class RingFence:
    field: str  # a PROJECTS column, e.g. "category" or "district"
    value: str  # projects whose field contains this value are inside
    min_share: Fraction | None = None  # of the budget; None: no floor
    max_share: Fraction | None = None  # None: no cap

    @property
    def name(self) -> str:
        return f"{self.field} = {self.value}"

    def members(self, election: Election) -> list[int]:
        """The projects inside: the field equals the value or lists it among comma-separated values."""
        return [p for p, row in enumerate(election.projects) if self.value in _listed(row.get(self.field, ""))]


def _listed(cell: str) -> set[str]:
    return {cell.strip(), *(x.strip() for x in cell.split(","))}


def loads(text: str) -> list[RingFence]:
    """Ring-fences from TOML `[[ring_fence]]` tables; errors name the table and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConstraintsError(f"not valid TOML: {exc}") from None
    extra = sorted(set(data) - {"ring_fence"})
    if extra:
        raise ConstraintsError(f"unknown key {extra[0]!r}: the file holds ring_fence tables only")
    tables = data.get("ring_fence", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConstraintsError("ring_fence must be tables, each written [[ring_fence]]")
    return _distinct([_fence(table, f"ring_fence {number}") for number, table in enumerate(tables, start=1)])


def _distinct(fences: list[RingFence], where: str = "ring_fence") -> list[RingFence]:
    """The ring-fences, if no column and value is given twice (its bounds belong in one)."""
    for number, fence in enumerate(fences, start=1):
        for earlier, other in enumerate(fences[: number - 1], start=1):
            if (other.field, other.value) == (fence.field, fence.value):
                raise ConstraintsError(f"{where} {number}: {fence.name} is {where} {earlier} again")
    return fences


def read(path: Path | str) -> list[RingFence]:
    try:
        return loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConstraintsError(f"cannot read it: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConstraintsError(f"not UTF-8 text ({exc.reason})") from None


def _fence(table: dict, where: str, written: bool = False) -> RingFence:
    """One ring-fence from a TOML table, or (`written`) from a META entry whose shares are text."""
    for key in table:
        if key not in KEYS:
            raise ConstraintsError(f"{where}: unknown key {key!r} (the keys are {', '.join(KEYS)})")
    for key in ("field", "value"):
        if key not in table:
            raise ConstraintsError(f"{where}: {key} is missing")
        if not isinstance(table[key], str) or not table[key].strip():
            raise ConstraintsError(f"{where}: {key} must be a non-empty string")
    low, high = (_share(table, key, where, written) for key in ("min_share", "max_share"))
    if low is None and high is None:
        raise ConstraintsError(f"{where}: give min_share, max_share or both")
    if low is not None and high is not None and low > high:
        raise ConstraintsError(f"{where}: min_share {_decimal(low)} is more than max_share {_decimal(high)}")
    return RingFence(table["field"].strip(), table["value"].strip(), low, high)


def _share(table: dict, key: str, where: str, written: bool) -> Fraction | None:
    """A share as the exact decimal written (0.1 is 1/10, not the float nearest it)."""
    if key not in table:
        return None
    value = table[key]
    try:
        if written:
            share = Fraction(value)
        else:
            share = None if isinstance(value, bool) or not isinstance(value, int | float) else Fraction(repr(value))
    except (ValueError, ZeroDivisionError):
        share = None
    if share is None or not 0 <= share <= 1:
        raise ConstraintsError(f"{where}: {key} must be a number from 0 to 1 (0.25 is 25%), not {value!r}")
    return share


def check(fences: Sequence[RingFence], election: Election) -> None:
    """Every ring-fence names a PROJECTS column and a value some project has in it."""
    for number, fence in enumerate(fences, start=1):
        if fence.field not in election.project_columns:
            columns = ", ".join(election.project_columns)
            raise ConstraintsError(f"ring_fence {number}: field {fence.field!r} is not a PROJECTS column ({columns})")
        if not fence.members(election):
            raise ConstraintsError(f"ring_fence {number}: value {fence.value!r} is in no project's {fence.field}")


# The .pb META records the ring-fences of a published election so that a re-count reproduces it: key
# `ring_fences`, each ring-fence a URL query string, comma-separated. It has no semicolon, quote or
# space, so every .pb writer keeps it as it is.


def to_meta(fences: Sequence[RingFence]) -> str:
    """The META value for `fences`, e.g. field=category&value=youth-led&min_share=0.25."""
    parts = []
    for fence in fences:
        pairs = [("field", fence.field), ("value", fence.value)]
        pairs += [
            (key, _decimal(getattr(fence, key)))
            for key in ("min_share", "max_share")
            if getattr(fence, key) is not None
        ]
        parts.append(urlencode(pairs))
    return ",".join(parts)


def from_meta(meta: dict[str, str]) -> list[RingFence] | None:
    """The ring-fences a .pb file's META records, or None when it records none."""
    text = meta.get(META_KEY, "").strip()
    if not text:
        return None
    where = f"META {META_KEY}, ring-fence"
    fences = []
    for number, part in enumerate(text.split(","), start=1):
        pairs = parse_qsl(part, keep_blank_values=True)
        if len(dict(pairs)) != len(pairs):
            raise ConstraintsError(f"{where} {number}: a key is given twice")
        fences.append(_fence(dict(pairs), f"{where} {number}", written=True))
    return _distinct(fences, where)


def _decimal(share: Fraction) -> str:
    """A share written exactly: as a decimal where it has one (0.25), else as a fraction (1/3)."""
    for places in range(0, 19):
        scaled = share * 10**places
        if scaled.denominator == 1:
            text = f"{scaled.numerator:0{places + 1}d}"
            return text if not places else f"{text[:-places]}.{text[-places:]}"
    return str(share)


# Plain English for ballots and results pages.


def _projects(fence: RingFence) -> str:
    field = fence.field.lower()
    if field in ("category", "categories"):
        return f"{fence.value} projects"
    if field in ("target", "targets"):
        return f"projects for {fence.value}"
    if field in ("district", "neighborhood", "neighbourhood", "subunit", "ward", "area"):
        return f"projects in {fence.value}"
    return f"projects whose {fence.field} is {fence.value}"


def percent(share: Fraction) -> str:
    """A share as a percentage, e.g. 12.5%."""
    return f"{float(share * 100):.2f}".rstrip("0").rstrip(".") + "%"


def _money(amount: Number | Fraction, election: Election) -> str:
    from commonground.engine.pb.explain import money

    text = money(amount, election)
    return text.replace(".00", "", 1) if Fraction(amount).denominator == 1 else text


def sentences(fences: Sequence[RingFence], election: Election) -> list[str]:
    """One sentence per ring-fence, e.g. "At least 25% of the £200,000 (£50,000) goes to youth-led
    projects." (the budget and currency are the election's)."""
    budget = Fraction(election.budget)
    whole = _money(budget, election)
    said = []
    for fence in fences:
        low, high = fence.min_share, fence.max_share
        if low is not None and high is not None and low == high:
            head = f"Exactly {percent(low)} of the {whole} ({_money(low * budget, election)})"
        elif low is not None and high is not None:
            amounts = f"{_money(low * budget, election)} to {_money(high * budget, election)}"
            head = f"Between {percent(low)} and {percent(high)} of the {whole} ({amounts})"
        elif low is not None:
            head = f"At least {percent(low)} of the {whole} ({_money(low * budget, election)})"
        else:
            assert high is not None
            head = f"At most {percent(high)} of the {whole} ({_money(high * budget, election)})"
        said.append(f"{head} goes to {_projects(fence)}.")
    return said


def spent_sentence(fence: RingFence, spent: Number, election: Election) -> str:
    """What a ring-fence got, for a results page: "Youth-led projects got £60,000 (30% of the budget)."""
    share = Fraction(spent) / Fraction(election.budget)
    text = f"{_projects(fence)} got {_money(spent, election)} ({percent(share)} of the budget)."
    return text[0].upper() + text[1:]


# Feasibility, exactly.


@dataclass(frozen=True)
class _Part:
    """Ring-fences linked by projects that some floor may need: their completions interact."""

    fences: tuple[int, ...]
    projects: frozenset[int]  # the projects in these ring-fences that a floor may need


class Feasibility:
    """Whether a set of projects can be completed, within the budget, into one meeting every
    ring-fence: every cap holds now, and some further projects (from `eligible`) bring every floor
    up without breaking a cap or the budget.

    Adding projects never helps a cap, so only a floor's projects ever need adding. Ring-fences that
    share such projects form a part; parts interact only through the budget, so the set can be
    completed when the least extra money each part needs adds up to no more than what is left.
    That least is a subset-sum problem, solved exactly in whole numbers (money scaled by the common
    denominator): by a bitset for a part with one ring-fence, otherwise by branch and bound. Both
    are exponential at worst (even deciding whether overlapping ring-fences can be met is NP-hard),
    and fast on real elections; results are cached per part and the part's projects taken.
    """

    def __init__(self, election: Election, fences: Sequence[RingFence], eligible: Collection[int] | None = None):
        budget = Fraction(election.budget)
        floors = [f.min_share * budget if f.min_share else Fraction(0) for f in fences]
        caps = [f.max_share * budget if f.max_share is not None else None for f in fences]
        amounts = [Fraction(c) for c in election.costs] + [budget] + floors + [c for c in caps if c is not None]
        scale = math.lcm(*(a.denominator for a in amounts))
        self.cost = [int(Fraction(c) * scale) for c in election.costs]
        self.budget = int(budget * scale)
        self.floor = [int(f * scale) for f in floors]
        self.cap = [None if c is None else int(c * scale) for c in caps]
        allowed = set(range(election.n_projects)) if eligible is None else set(eligible)
        self.members = [frozenset(f.members(election)) & allowed for f in fences]
        self.fences_of: list[list[int]] = [[] for _ in range(election.n_projects)]
        for k, inside in enumerate(self.members):
            for p in inside:
                self.fences_of[p].append(k)
        needed = {p for k, inside in enumerate(self.members) if self.floor[k] > 0 for p in inside}
        root = list(range(len(fences)))

        def find(k: int) -> int:
            while root[k] != k:
                k = root[k]
            return k

        for p in needed:
            first, *others = self.fences_of[p]
            for k in others:
                root[find(k)] = find(first)
        groups: dict[int, list[int]] = {}
        for k in range(len(fences)):
            groups.setdefault(find(k), []).append(k)
        self.parts = [
            _Part(tuple(ks), frozenset(p for k in ks for p in self.members[k] if p in needed))
            for ks in groups.values()
            if any(self.floor[k] > 0 for k in ks)
        ]
        self._least: dict[tuple, tuple[int | None, int]] = {}  # least amount, or None: more than the cutoff
        self._some: dict[tuple, int] = {}  # an amount that some completion needs

    def spend(self, chosen: Collection[int]) -> list[int]:
        """Money (scaled) spent on each ring-fence's projects."""
        spend = [0] * len(self.members)
        for p in chosen:
            for k in self.fences_of[p]:
                spend[k] += self.cost[p]
        return spend

    def feasible(self, chosen: Collection[int]) -> bool:
        chosen = chosen if isinstance(chosen, set | frozenset) else set(chosen)
        left = self.budget - sum(self.cost[p] for p in chosen)
        spend = self.spend(chosen)
        if left < 0 or any(cap is not None and s > cap for s, cap in zip(spend, self.cap, strict=True)):
            return False
        short = [p for p in self.parts if any(spend[k] < self.floor[k] for k in p.fences)]
        # First any completion of each part within what is left (usually found at once), then, if
        # that fails, the least each part needs: only least amounts prove that no completion fits.
        for least in (False, True):
            rest = left
            for part in short:
                need = self._need(part, chosen, spend, rest, least)
                if need is None:
                    break
                rest -= need
            else:
                return True
        return False

    def _need(self, part: _Part, chosen: Collection[int], spend: list[int], cutoff: int, least: bool) -> int | None:
        """Extra money that meets the part's floors within its caps, at most `cutoff`: the least
        such amount if `least`, else any (None: none is at most `cutoff`)."""
        key = (part.fences, part.projects.intersection(chosen), tuple(spend[k] for k in part.fences))
        if key in self._least:
            found, tried = self._least[key]
            if found is not None or cutoff <= tried:
                return found if found is not None and found <= cutoff else None
        if not least and self._some.get(key, cutoff + 1) <= cutoff:
            return self._some[key]
        items = sorted((p for p in part.projects if p not in chosen), key=lambda p: -self.cost[p])
        short = [self.floor[k] - spend[k] for k in part.fences]
        room = [None if self.cap[k] is None else self.cap[k] - spend[k] for k in part.fences]
        if len(part.fences) == 1:  # the bitset finds the least amount whether asked or not
            found, least = _subset_sum([self.cost[p] for p in items], short[0], room[0], cutoff), True
        else:
            where = {k: j for j, k in enumerate(part.fences)}
            inside = [tuple(where[k] for k in self.fences_of[p] if k in where) for p in items]
            found = _branch_and_bound([self.cost[p] for p in items], inside, short, room, cutoff, least)
        if least or found is None:  # a least amount, or proof that nothing fits within the cutoff
            self._least[key] = (found, cutoff)
        else:
            self._some[key] = found
        return found


def _subset_sum(costs: list[int], short: int, room: int | None, cutoff: int) -> int | None:
    """The least sum of some of `costs` that is at least `short` and at most `room` and `cutoff`.

    A least such sum is below short + the largest cost (else dropping any item would still reach
    `short`), which bounds the bitset of reachable sums; in units of the costs' common divisor.
    """
    if not costs:
        return None
    limit = min(short + max(costs) - 1, cutoff, room if room is not None else cutoff)
    unit = math.gcd(*costs)
    low, high = -(-short // unit), limit // unit
    if low > high:
        return None
    if high > BITSET_BITS:
        return _branch_and_bound(costs, [(0,)] * len(costs), [short], [room], cutoff)
    mask = (1 << (high + 1)) - 1
    reach = 1
    for cost in costs:
        reach |= (reach << (cost // unit)) & mask
    above = reach >> low
    return None if not above else (low + (above & -above).bit_length() - 1) * unit


def _branch_and_bound(
    costs: list[int],
    inside: list[tuple[int, ...]],
    short: list[int],
    room: list[int | None],
    cutoff: int,
    least: bool = True,
) -> int | None:
    """The least total of items (costs, largest first; `inside` names each one's ring-fences) that
    brings every shortfall to 0 or below without taking any room below 0, if at most `cutoff`; or,
    unless `least`, the first such total found (largest items first, so usually at once).

    A node is cut when even the best case cannot beat the best found: each unmet ring-fence needs
    at least its shortfall, and a unit of money counts towards at most `widest` ring-fences, so the
    rest costs at least max(largest shortfall, total shortfall / widest); or when the items left in
    an unmet ring-fence cannot cover its shortfall.
    """
    short, room = list(short), list(room)
    n, m = len(costs), len(short)
    suffix = [[0] * m for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        suffix[i] = list(suffix[i + 1])
        for j in inside[i]:
            suffix[i][j] += costs[i]
    widest = max((len(f) for f in inside), default=1) or 1
    best, found = cutoff, False

    def go(i: int, extra: int) -> None:
        nonlocal best, found
        if found and not least:
            return
        unmet = [j for j in range(m) if short[j] > 0]
        if not unmet:
            if extra < best or (not found and extra == best):
                best, found = extra, True
            return
        bound = extra + max(max(short[j] for j in unmet), -(-sum(short[j] for j in unmet) // widest))
        if bound > best or (found and bound >= best) or any(suffix[i][j] < short[j] for j in unmet):
            return
        cost = costs[i]
        if all(room[j] is None or room[j] >= cost for j in inside[i]):
            for j in inside[i]:
                short[j] -= cost
                room[j] = None if room[j] is None else room[j] - cost
            go(i + 1, extra + cost)
            for j in inside[i]:
                short[j] += cost
                room[j] = None if room[j] is None else room[j] + cost
        go(i + 1, extra)

    go(0, 0)
    return best if found else None


def first_infeasible(
    election: Election, fences: Sequence[RingFence], eligible: Collection[int] | None = None, out: str = ""
) -> None:
    """Raise Infeasible naming the first ring-fence that cannot be met, alone or with those before it
    (`out`: why projects not `eligible` are out, e.g. "under the vote threshold")."""
    budget = Fraction(election.budget)
    allowed = set(range(election.n_projects)) if eligible is None else set(eligible)
    for number, fence in enumerate(fences, start=1):
        name = f"ring_fence {number} ({fence.name})"
        if not Feasibility(election, [fence], allowed).feasible(()):
            inside = [p for p in fence.members(election) if p in allowed]
            total = sum((Fraction(election.costs[p]) for p in inside), Fraction(0))
            low = (fence.min_share or 0) * budget
            missing = len(fence.members(election)) - len(inside)
            left_out = f" ({missing} of its {len(fence.members(election))} projects are {out})" if missing else ""
            if total < low:
                raise Infeasible(
                    f"{name} cannot be met: its projects cost {amount(total)} in all{left_out}, less than its "
                    f"floor of {amount(low)} ({percent(fence.min_share or Fraction(0))} of the budget)"
                )
            high = min(budget, fence.max_share * budget if fence.max_share is not None else budget)
            raise Infeasible(
                f"{name} cannot be met: no set of its projects{left_out} costs from {amount(low)} to {amount(high)}"
            )
        if not Feasibility(election, fences[:number], allowed).feasible(()):
            floors = sum((f.min_share or 0 for f in fences[:number]), Fraction(0))
            why = (
                f"the floors so far add up to {percent(floors)} of the budget"
                if floors > 1
                else "no set of projects meets them all within the budget"
            )
            raise Infeasible(f"{name} cannot be met together with the ring-fences before it: {why}")


def amount(money: Fraction) -> str:
    """Money without a currency, e.g. 241,868.15 or 50,000."""
    return f"{money.numerator:,}" if money.denominator == 1 else f"{float(money):,.2f}"
