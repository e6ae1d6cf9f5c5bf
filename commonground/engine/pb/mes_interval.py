"""The add1 jump's interval proof: every MES run in an endowment interval at once, bounded (docs/pb.md)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from commonground.engine.pb.mes_runs import EPS, Prepared, capped_price, fast_sum


@dataclass
class _Branch:
    """One possible history of the runs in an endowment interval: the projects bought so far, and
    bounds on every voter's money that hold at every endowment whose run has this history."""

    bought: tuple[int, ...]
    low: np.ndarray  # money at least this much
    high: np.ndarray  # money at most this much
    remaining: set[int]
    floor: np.ndarray  # per project, a lower bound on its price from here on (from `high`)
    ceiling: np.ndarray  # per project, its price with `low` money (inf: maybe unaffordable)
    fresh: np.ndarray  # floor computed from the current bounds
    priced: np.ndarray  # ceiling computed from the current bounds (only where it may be needed)
    fixed: dict[int, Fraction | None]  # _fixed_price of priced projects, computed where a tie needed it
    # Money as exact affine functions of the endowment, following `bought` (_affine_money): None until a
    # tie needs it; `affine_ok` is False once that cannot hold (merged histories, or a purchase that caps
    # different supporters at the two ends of the interval).
    affine: _Affine | None = None
    affine_ok: bool = True

    def copy(self) -> _Branch:
        return _Branch(self.bought, self.low.copy(), self.high.copy(), set(self.remaining), self.floor.copy(),
                       self.ceiling.copy(), self.fresh.copy(), self.priced.copy(), dict(self.fixed),
                       None if self.affine is None else self.affine.copy(), self.affine_ok)  # fmt: skip


@dataclass
class Proof:
    """What interval_run found, and what it cost (add1 weighs that against unit runs)."""

    outcomes: frozenset[frozenset[int]] | None  # every set the runs may buy; None: too many to follow
    rounds: int  # rounds followed, summed over branches (each on both bounds)
    branched: bool = False  # some round left more than one project possibly cheapest


def interval_run(
    prep: Prepared,
    low: Fraction,
    high: Fraction,
    max_branches: int = 8,
    settle: bool = False,
) -> Proof:
    """Every set of projects MES may buy at an endowment in [low, high] (a superset of the sets it
    does buy), or None when the possibilities are too many to follow.

    All those runs are followed at once with bounds on each voter's money: with more money a price is
    never higher and money after paying (max(0, money - rho × sat)) never lower, so the run at `low`
    bounds every run from below and the run at `high` from above while they buy the same projects.
    When the bounds leave more than one project possibly cheapest, each is followed as its own
    branch; where a project is affordable at some endowments and not at others, a branch also ends.
    Branches that have bought the same set are merged (the union of their bounds). Floats
    throughout, rounded outwards. With `settle`, a near-tie is first put to the exact affine test
    (_affine_winner), which costs more but settles ties that hold across the whole interval.
    """
    lo_e, hi_e = float(low), float(high)
    n_voters, n_projects = prep.election.n_voters, prep.election.n_projects
    floor = np.full(n_projects, np.inf)
    floor[prep.candidates] = [prep.initial_rho[p] * (1 - 4 * EPS) for p in prep.candidates]
    branches = [_Branch((), np.full(n_voters, lo_e), np.full(n_voters, hi_e), set(prep.candidates), floor,
                        np.full(n_projects, np.inf), np.zeros(n_projects, dtype=bool),
                        np.zeros(n_projects, dtype=bool), {})]  # fmt: skip
    slacks = (EPS * (prep.n_supporters * hi_e + prep.cost)).tolist()
    costs = prep.cost.tolist()
    margin = 4 * EPS * hi_e  # absolute float error of one voter's money after one payment
    free = frozenset(prep.free)
    outcomes: set[frozenset[int]] = set()
    rounds = 0
    branched = False
    between = (low, high) if settle else None
    while branches:
        rounds += len(branches)
        grown: list[_Branch] = []
        for branch in branches:
            cheapest, may_end = _cheapest(prep, branch, slacks, costs, between)
            branched |= len(cheapest) > 1
            if may_end:
                outcomes.add(frozenset(branch.bought) | free)
            for i, p in enumerate(cheapest):
                child = branch.copy() if i < len(cheapest) - 1 else branch
                _buy(prep, child, p, margin)
                grown.append(child)
        if len(grown) > 1:
            merged: dict[frozenset[int], _Branch] = {}
            for child in grown:
                key = frozenset(child.bought)
                merged[key] = _merge(merged[key], child) if key in merged else child
            grown = list(merged.values())
        if len(grown) > max_branches:
            return Proof(None, rounds, branched)
        branches = grown
    return Proof(frozenset(outcomes), rounds, branched)


def _cheapest(
    prep: Prepared, branch: _Branch, slacks: list, costs: list, between: tuple[Fraction, Fraction] | None
) -> tuple[list[int], bool]:
    """The projects that may be the cheapest this round at some endowment in the branch, and
    whether at some endowment none is affordable (the run ends here)."""
    best = np.inf
    scanned: list[int] = []
    floor, ceiling, fresh, priced = branch.floor, branch.ceiling, branch.fresh, branch.priced
    for q in floor.argsort(kind="stable").tolist():
        if floor[q] == np.inf or floor[q] > best:
            break
        if not fresh[q]:
            high = branch.high[prep.supporters[q]]
            reach = fast_sum(high)
            if reach < costs[q] - slacks[q]:
                branch.remaining.discard(q)
                floor[q] = np.inf
                continue
            if reach > costs[q] + slacks[q]:  # else barely affordable at best: the earlier floor stands
                rho, uncapped = capped_price(high, prep.price_sat[q], costs[q], prep.total_sat[q], floor[q])
                floor[q] = max(floor[q], rho - slacks[q] / uncapped - 4 * EPS * rho)
            fresh[q] = True
            if floor[q] > best:
                continue  # cannot be cheapest: its ceiling is not needed
        if not priced[q]:
            low = branch.low[prep.supporters[q]]
            if fast_sum(low) > costs[q] + slacks[q]:
                rho, uncapped = capped_price(low, prep.price_sat[q], costs[q], prep.total_sat[q], floor[q])
                ceiling[q] = rho + slacks[q] / uncapped + 4 * EPS * rho
            else:
                ceiling[q] = np.inf
            priced[q] = True
            branch.fixed.pop(q, None)
        scanned.append(q)
        best = min(best, ceiling[q])
    cheapest = [q for q in scanned if floor[q] <= best]
    if len(cheapest) > 1:
        for q in cheapest:
            if q not in branch.fixed:
                branch.fixed[q] = _fixed_price(prep, branch, q)
        exact = {q: rho for q in cheapest if (rho := branch.fixed[q]) is not None}
        if exact:
            # A project whose price is the same at every endowment here loses to a cheaper one, or to
            # an equal one with a lower id (pabutools' tie-break), at all of them.
            least = min(exact.values())
            winner = min((q for q in exact if exact[q] == least), key=prep.id_rank.get)
            cheapest = [q for q in cheapest if q == winner or (q not in exact and floor[q] <= least)]
    if between is not None and len(cheapest) > 1 and _may_lead_throughout(cheapest, floor, ceiling):
        settled = _affine_winner(prep, branch, cheapest, *between)
        if settled is not None:
            return settled, best == np.inf and not settled
    return cheapest, best == np.inf


def _fixed_price(prep: Prepared, branch: _Branch, q: int) -> Fraction | None:
    """q's exact price when it is the same at every endowment in the branch, else None.

    That holds when its supporters with no money at the top of the bounds have none at all, and
    the others have more than their share even at the bottom: then rho = cost / (satisfaction of
    the supporters with money), in whole numbers (under cost satisfaction, 1 / their number).
    """
    sup = prep.supporters[q]
    high = branch.high[sup]
    rich = high > 0
    n_rich = int(np.count_nonzero(rich))
    if not n_rich:
        return None
    sats = prep.sats[q][rich]
    if prep.election.ballot_points is None:
        rho = Fraction(1, n_rich)
    else:
        rho = Fraction(prep.election.costs[q]) / int(round(sats.sum()))
    share = float(rho) * sats
    if (branch.low[sup][rich] - share <= 4 * EPS * (share + high[rich])).any():
        return None
    return rho


def _may_lead_throughout(cheapest: list[int], floor: np.ndarray, ceiling: np.ndarray) -> bool:
    """Whether one project is, within float error, the cheapest on both bounds: the exact affine
    settlement (costly) can only succeed then; where the lead changes hands, the proof branches."""
    near = 1e-9
    return any(
        all(floor[w] <= floor[q] * (1 + near) and ceiling[w] <= ceiling[q] * (1 + near) for q in cheapest)
        for w in cheapest
    )


def _affine_winner(
    prep: Prepared, branch: _Branch, candidates: list[int], low: Fraction, high: Fraction
) -> list[int] | None:
    """Which of `candidates` every run following the branch's history buys next ([]: none is
    affordable), in exact arithmetic; None when that cannot be settled so.

    Along one history, while each purchase caps the same supporters at every endowment in the
    interval, every voter's money and every price is an affine function of the endowment (rho =
    (cost - money of the capped) / satisfaction of the others). An affine difference with the same
    sign at both ends has it throughout, so the project cheapest at both ends (ties to the lower id)
    is cheapest at every endowment between. This settles ties that last for thousands of units,
    which the float bounds cannot split: two projects whose capped supporters paid the same earlier
    price cost the same at every endowment (a 95-vote prefix of Veszprém 2025, over 60,000 units).
    """
    state = _affine_money(prep, branch, low, high)
    if state is None:
        return None
    prices: dict[int, tuple[Fraction, Fraction]] = {}
    for q in candidates:
        price = _affine_price(prep, state, q, low, high)
        if price is _MIXED:
            return None
        if price is not None:
            prices[q] = price[0]
    if not prices:
        return []
    rank = prep.id_rank
    at_low = min(prices, key=lambda q: (prices[q][0] + prices[q][1] * low, rank[q]))
    at_high = min(prices, key=lambda q: (prices[q][0] + prices[q][1] * high, rank[q]))
    return [at_low] if at_low == at_high else None


_MIXED = object()  # affordable at one end of the interval and not at the other


@dataclass
class _Affine:
    """Every voter's money after a branch's purchases as an exact affine function of the endowment:
    voter v has lines[classes[v]] = (intercept, slope). Voters with the same history share a line,
    so the exact work grows with the number of distinct histories, not of voters."""

    classes: np.ndarray
    lines: list[tuple[Fraction, Fraction]]
    done: int = 0  # purchases of the branch's `bought` applied

    def copy(self) -> _Affine:
        return _Affine(self.classes.copy(), list(self.lines), self.done)


def _affine_money(prep: Prepared, branch: _Branch, low: Fraction, high: Fraction) -> _Affine | None:
    """The branch's money as affine lines, brought up to date; None when it is not affine."""
    if not branch.affine_ok:
        return None
    if branch.affine is None:
        branch.affine = _Affine(np.zeros(prep.election.n_voters, dtype=np.int64), [(Fraction(0), Fraction(1))])
    state = branch.affine
    for p in branch.bought[state.done :]:
        price = _affine_price(prep, state, p, low, high)
        if price is None or price is _MIXED:  # not bought at both ends along this history
            branch.affine_ok, branch.affine = False, None
            return None
        (rho_a, rho_b), capped, groups, inverse = price
        first = len(state.lines)
        state.lines += [
            (Fraction(0), Fraction(0)) if g in capped else (a - rho_a * sat, b - rho_b * sat)
            for g, (a, b, sat, _) in enumerate(groups)
        ]
        state.classes[prep.supporters[p]] = first + inverse
        state.done += 1
    return state


def _affine_price(prep: Prepared, state: _Affine, p: int, low: Fraction, high: Fraction):
    """p's price as (intercept, slope) in the endowment, when p is affordable and caps the same
    supporters at both ends of the interval, with the capped groups and the supporters' groups
    (a group: supporters with the same money line and satisfaction); None when p is unaffordable
    at both ends; _MIXED otherwise."""
    cost = Fraction(prep.election.costs[p])
    classes = state.classes[prep.supporters[p]]
    if prep.points is None:  # cost satisfaction: every supporter's is the cost
        keys, inverse, counts = np.unique(classes, return_inverse=True, return_counts=True)
        groups = [(*state.lines[c], cost, int(n)) for c, n in zip(keys.tolist(), counts.tolist(), strict=True)]
    else:
        pairs = np.stack([classes, prep.points[p]], axis=1)
        keys, inverse, counts = np.unique(pairs, axis=0, return_inverse=True, return_counts=True)
        groups = [(*state.lines[c], Fraction(sat), int(n))
                  for (c, sat), n in zip(keys.tolist(), counts.tolist(), strict=True)]  # fmt: skip
    inverse = inverse.reshape(-1)
    intercept = sum(a * n for a, _, _, n in groups)
    slope = sum(b * n for _, b, _, n in groups)
    affordable = [intercept + slope * e >= cost for e in (low, high)]
    if affordable[0] != affordable[1]:
        return _MIXED
    if not affordable[0]:
        return None
    for first, second in ((low, high), (high, low)):
        capped = _capped(groups, first, cost)
        price = _price_capping(groups, capped, cost)
        if price is not None and _caps(groups, capped, price, second):
            return price, capped, groups, inverse
    return _MIXED


def _capped(groups: list, e: Fraction, cost: Fraction) -> set[int]:
    """The groups that pay all they have at endowment e (exact_run's scan, least money per unit of
    satisfaction first; supporters with the same money and satisfaction are capped together)."""
    capped: set[int] = set()
    paid, sat_left = Fraction(0), sum(sat * n for _, _, sat, n in groups)
    for g in sorted(range(len(groups)), key=lambda g: (groups[g][0] + groups[g][1] * e) / groups[g][2]):
        a, b, sat, n = groups[g]
        money = a + b * e
        if (cost - paid) / sat_left * sat <= money:
            break
        capped.add(g)
        paid, sat_left = paid + money * n, sat_left - sat * n
    return capped


def _price_capping(groups: list, capped: set[int], cost: Fraction) -> tuple[Fraction, Fraction] | None:
    """The price when exactly the `capped` groups pay all they have, as (intercept, slope); None if
    no one is left to pay the rest."""
    sat_left = sum(sat * n for g, (_, _, sat, n) in enumerate(groups) if g not in capped)
    if not sat_left:
        return None
    paid_a = sum(groups[g][0] * groups[g][3] for g in capped)
    paid_b = sum(groups[g][1] * groups[g][3] for g in capped)
    return (cost - paid_a) / sat_left, -paid_b / sat_left


def _caps(groups: list, capped: set[int], price: tuple[Fraction, Fraction], e: Fraction) -> bool:
    """Whether, at endowment e, the capped have at most their share and the others at least theirs."""
    rho = price[0] + price[1] * e
    return all(
        (a + b * e <= rho * sat) if g in capped else (a + b * e >= rho * sat) for g, (a, b, sat, _) in enumerate(groups)
    )


def _buy(prep: Prepared, branch: _Branch, p: int, margin: float) -> None:
    """Branch buys p: the lowest money pays the highest price, the highest money the lowest."""
    sup, sat = prep.supporters[p], prep.price_sat[p]
    for money, pay in ((branch.low, branch.ceiling[p] * sat + margin), (branch.high, branch.floor[p] * sat - margin)):
        left = money[sup] - pay
        money[sup] = np.maximum(left, 0.0, out=left)
    branch.bought += (p,)
    branch.remaining.discard(p)
    branch.floor[p] = np.inf
    branch.fresh[prep.neighbours[p]] = False
    branch.priced[prep.neighbours[p]] = False


def _merge(a: _Branch, b: _Branch) -> _Branch:
    """One branch for two histories that bought the same set: bounds holding for either."""
    np.minimum(a.low, b.low, out=a.low)
    np.maximum(a.high, b.high, out=a.high)
    a.remaining |= b.remaining
    np.minimum(a.floor, b.floor, out=a.floor)
    a.fresh[:] = False
    a.priced[:] = False
    a.fixed.clear()
    a.affine, a.affine_ok = None, False
    return a
