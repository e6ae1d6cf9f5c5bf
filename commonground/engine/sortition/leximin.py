"""Selection algorithms: LEXIMIN, MAXIMIN, Nash welfare and the LEGACY greedy draw.

LEXIMIN follows Flanigan, Gölz, Gupta, Hennig & Procaccia, "Fair algorithms for selecting
citizens' assemblies", Nature 596 (2021): column generation on the dual LP, with an integer program
(HiGHS, via highspy) pricing the next panel. We run it on groups of interchangeable people (see
model.group_pool): the leximin probabilities are unique and symmetric within a group, so the group
LP has the same optimum and the integer program stays small.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import highspy
import numpy as np

from commonground.engine.sortition.model import (
    Groups,
    InfeasibleQuotas,
    Pool,
    Quotas,
    Relaxation,
    SortitionError,
    group_pool,
)

METHODS = ("leximin", "maximin", "nash", "legacy")
Progress = Callable[[str, int, int], None]  # (what, done, total)

PRICING_TOLERANCE = 1e-9  # a new panel must beat the dual bound by this much (Nature 2021, Methods)
FIX_TOLERANCE = 1e-7  # dual values above this (relative to the largest) fix their group's probability
FIXED_SLACK = 1e-9  # fixed probabilities are kept as lower bounds with this much slack

_banner_shown = False


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance (the library prints a banner on stdout once per process)."""
    global _banner_shown
    if not _banner_shown:
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            solver = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _banner_shown = True
    else:
        solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("threads", 1)
    return solver


def _ints(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int32)


@dataclass
class Distribution:
    """A lottery over panels: `panels[j]` (pool indices) is drawn with probability `weights[j]`."""

    pool: Pool
    size: int
    method: str
    panels: list[list[int]]
    weights: np.ndarray

    @property
    def probabilities(self) -> np.ndarray:
        """Each person's chance: the total weight of the panels that contain them."""
        chance = np.zeros(self.pool.n)
        for weight, members in zip(self.weights, self.panels, strict=True):
            chance[members] += weight
        return chance

    def to_json(self) -> dict:
        chance = self.probabilities
        return {
            "size": self.size,
            "method": self.method,
            "min_probability": float(chance.min()) if len(chance) else 0.0,
            "probabilities": {pid: float(p) for pid, p in zip(self.pool.ids, chance, strict=True)},
            "panels": [
                {"weight": float(w), "members": [self.pool.ids[i] for i in members]}
                for w, members in zip(self.weights, self.panels, strict=True)
            ],
        }


class PanelSpace:
    """All panels of size k meeting the quotas (and the household rule), as an integer program over
    group counts; `best(w)` finds the panel that maximises sum of w[g] * count[g]."""

    def __init__(self, groups: Groups, quotas: Quotas, k: int):
        self.groups, self.k = groups, k
        G = len(groups.counts)
        self.solver = solver = new_highs()
        solver.setOptionValue("mip_rel_gap", 1e-10)
        solver.setOptionValue("mip_abs_gap", 1e-12)
        solver.addVars(G, np.zeros(G), groups.counts.astype(float))
        solver.changeColsIntegrality(G, _ints(range(G)), np.array([highspy.HighsVarType.kInteger] * G))
        solver.changeObjectiveSense(highspy.ObjSense.kMaximize)
        everyone = _ints(range(G))
        solver.addRow(k, k, G, everyone, np.ones(G))
        for q, row in enumerate(groups.quota_rows):
            cols = _ints(np.flatnonzero(groups.incidence[q]))
            solver.addRow(row.min, row.max, len(cols), cols, np.ones(len(cols)))
        for inside in groups.households:  # at most one person per household
            solver.addRow(-highspy.kHighsInf, 1, len(inside), _ints(inside), np.ones(len(inside)))

    def best(self, weights: np.ndarray) -> tuple[np.ndarray, float] | None:
        G = len(weights)
        self.solver.changeColsCost(G, _ints(range(G)), np.asarray(weights, dtype=float))
        self.solver.run()
        if self.solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        counts = np.rint(np.array(self.solver.getSolution().col_value)).astype(np.int64)
        return counts, float(counts @ weights)


def explain_infeasible(groups: Groups, k: int) -> list[Relaxation]:
    """The smallest total change to the quota bounds that lets some panel exist (an integer program)."""
    G, Q = len(groups.counts), len(groups.quota_rows)
    solver = new_highs()
    solver.addVars(G, np.zeros(G), groups.counts.astype(float))
    solver.changeColsIntegrality(G, _ints(range(G)), np.array([highspy.HighsVarType.kInteger] * G))
    solver.addVars(2 * Q, np.zeros(2 * Q), np.full(2 * Q, highspy.kHighsInf))
    solver.changeColsCost(2 * Q, _ints(range(G, G + 2 * Q)), np.ones(2 * Q))
    solver.addRow(k, k, G, _ints(range(G)), np.ones(G))
    for q, row in enumerate(groups.quota_rows):
        cols = list(np.flatnonzero(groups.incidence[q]))
        ones = [1.0] * len(cols)
        solver.addRow(row.min, highspy.kHighsInf, len(cols) + 1, _ints([*cols, G + q]), np.array([*ones, 1.0]))
        solver.addRow(-highspy.kHighsInf, row.max, len(cols) + 1, _ints([*cols, G + Q + q]), np.array([*ones, -1.0]))
    for inside in groups.households:
        solver.addRow(-highspy.kHighsInf, 1, len(inside), _ints(inside), np.ones(len(inside)))
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SortitionError(f"the pool cannot fill a panel of {k} at all (too few people or households)")
    slack = np.rint(solver.getSolution().col_value[G:]).astype(int)
    changes = []
    for q, row in enumerate(groups.quota_rows):
        if slack[q]:
            changes.append(Relaxation(row.feature, row.value, "min", row.min, row.min - int(slack[q])))
        if slack[Q + q]:
            changes.append(Relaxation(row.feature, row.value, "max", row.max, row.max + int(slack[Q + q])))
    return changes


def check_request(pool: Pool, quotas: Quotas, k: int) -> None:
    if k < 1:
        raise SortitionError(f"panel size must be at least 1, not {k}")
    if k > pool.n:
        raise SortitionError(f"panel size {k} is larger than the pool ({pool.n} people)")


def _infeasible(groups: Groups, k: int) -> InfeasibleQuotas:
    changes = explain_infeasible(groups, k)
    have = {}
    for q, row in enumerate(groups.quota_rows):
        have[(row.feature, row.value)] = int(groups.counts[groups.incidence[q] > 0].sum())
    reasons = []
    for change in changes:
        in_pool = have[(change.feature, change.value)]
        reasons.append(f"{change.describe()} (pool has {in_pool})")
    return InfeasibleQuotas(f"no panel of {k} meets the quotas; smallest relaxation: " + "; ".join(reasons), changes)


class _Columns:
    """Panels (group counts) found so far, deduplicated."""

    def __init__(self) -> None:
        self.seen: set[bytes] = set()
        self.list: list[np.ndarray] = []

    def add(self, counts: np.ndarray) -> bool:
        key = counts.tobytes()
        if key in self.seen:
            return False
        self.seen.add(key)
        self.list.append(counts)
        return True


def _initial_panels(space: PanelSpace, columns: _Columns) -> np.ndarray:
    """Panels covering every group that can be on some panel; returns which groups can."""
    groups = space.groups
    G = len(groups.counts)
    covered = np.zeros(G, dtype=bool)
    for c in columns.list:
        covered |= c > 0
    possible = np.ones(G, dtype=bool)
    while True:
        open_ = possible & ~covered
        if not open_.any():
            return possible
        weights = np.where(open_, 1.0 / groups.counts, 0.0)
        found = space.best(weights)
        assert found is not None  # noqa: S101 - feasibility was checked before
        counts, value = found
        if value <= 0.5 / groups.counts.max():
            possible &= ~open_  # no panel contains any of them
            continue
        columns.add(counts)
        covered |= counts > 0


def _prepare(pool: Pool, quotas: Quotas, k: int) -> tuple[Groups, PanelSpace, _Columns, np.ndarray]:
    check_request(pool, quotas, k)
    groups = group_pool(pool, quotas)
    space = PanelSpace(groups, quotas, k)
    found = space.best(np.zeros(len(groups.counts)))
    if found is None:
        raise _infeasible(groups, k)
    columns = _Columns()
    columns.add(found[0])
    possible = _initial_panels(space, columns)
    return groups, space, columns, possible


def _stage(
    space: PanelSpace, columns: _Columns, fixed: np.ndarray, fixed_value: np.ndarray, possible: np.ndarray
) -> tuple[float, np.ndarray]:
    """One leximin stage by column generation on the dual LP (Nature 2021, Methods):
    min ŷ - Σ_fixed p_g y_g  s.t.  Σ_unfixed y_g = 1,  Σ_g y_g c_Pg/n_g <= ŷ for every panel P."""
    n = space.groups.counts.astype(float)
    G = len(n)
    lp = new_highs()
    upper = np.where(possible, highspy.kHighsInf, 0.0)
    lp.addVars(G, np.zeros(G), upper)
    lp.addVar(-highspy.kHighsInf, highspy.kHighsInf)
    cost = np.where(fixed, -np.maximum(fixed_value - FIXED_SLACK, 0.0), 0.0)
    lp.changeColsCost(G + 1, _ints(range(G + 1)), np.append(cost, 1.0))
    free = _ints(np.flatnonzero(~fixed & possible))
    lp.addRow(1, 1, len(free), free, np.ones(len(free)))

    def add_row(counts: np.ndarray) -> None:
        cols = np.flatnonzero(counts)
        lp.addRow(-highspy.kHighsInf, 0, len(cols) + 1, _ints([*cols, G]), np.append(counts[cols] / n[cols], -1.0))

    for c in columns.list:
        add_row(c)
    while True:
        lp.run()
        if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise SortitionError(f"the leximin LP failed: {lp.modelStatusToString(lp.getModelStatus())}")
        solution = np.array(lp.getSolution().col_value)
        y, bound = np.maximum(solution[:G], 0.0), solution[G]
        found = space.best(y / n)
        if found is None:
            raise SortitionError("the pricing integer program failed")
        counts, value = found
        if value <= bound + PRICING_TOLERANCE or not columns.add(counts):
            return float(lp.getInfo().objective_function_value), y
        add_row(counts)


def _final_weights(
    columns: _Columns, n: np.ndarray, target: np.ndarray, possible: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    """Weights over the panels found that reach every group's target probability
    (min d s.t. Σλ = 1, Σ_P λ_P c_Pg/n_g + d >= target_g)."""
    m = len(columns.list)
    lp = new_highs()
    lp.addVars(m + 1, np.zeros(m + 1), np.full(m + 1, highspy.kHighsInf))
    lp.changeColsCost(1, _ints([m]), np.array([1.0]))
    lp.addRow(1, 1, m, _ints(range(m)), np.ones(m))
    matrix = np.array(columns.list, dtype=float).T / n[:, None]  # (G, m)
    for g in np.flatnonzero(possible):
        cols = np.flatnonzero(matrix[g])
        lp.addRow(target[g], highspy.kHighsInf, len(cols) + 1, _ints([*cols, m]), np.append(matrix[g, cols], 1.0))
    lp.run()
    if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SortitionError("could not combine the panels into a lottery")
    weights = np.maximum(np.array(lp.getSolution().col_value[:m]), 0.0)
    weights[weights < 1e-12] = 0.0
    weights /= weights.sum()
    keep = np.flatnonzero(weights)
    return [columns.list[j] for j in keep], weights[keep]


def leximin_groups(
    pool: Pool, quotas: Quotas, k: int, progress: Progress | None = None, stop_after_first: bool = False
) -> tuple[Groups, list[np.ndarray], np.ndarray]:
    """Group-level leximin (or maximin with `stop_after_first`): panels as group counts, weights."""
    groups, space, columns, possible = _prepare(pool, quotas, k)
    G = len(groups.counts)
    fixed = ~possible
    value = np.zeros(G)
    people_total = int(groups.counts.sum())
    while not fixed.all():
        z, y = _stage(space, columns, fixed, value, possible)
        free = ~fixed
        newly = free & (y > FIX_TOLERANCE * max(y[free].max(), 1e-300))
        if not newly.any():
            newly = free & (y == y[free].max())
        value[newly] = z
        fixed |= newly
        if stop_after_first:
            value[~fixed] = z
            fixed[:] = True
        if progress:
            progress(f"fixed {int(groups.counts[fixed].sum())} people", int(groups.counts[fixed].sum()), people_total)
    panels, weights = _final_weights(columns, groups.counts.astype(float), value, possible)
    return groups, panels, weights


def nash_groups(
    pool: Pool, quotas: Quotas, k: int, progress: Progress | None = None, max_rounds: int = 200
) -> tuple[Groups, list[np.ndarray], np.ndarray]:
    """Maximum Nash welfare (sum of log probabilities) by column generation: the gradient 1/p prices
    the next panel; weights over the panels found are fitted by the EM fixed point for mixtures."""
    groups, space, columns, possible = _prepare(pool, quotas, k)
    n = groups.counts.astype(float)
    live = np.flatnonzero(possible)
    people = n[live].sum()
    weights = np.full(len(columns.list), 1.0 / len(columns.list))
    for round_ in range(max_rounds):
        share = np.array(columns.list, dtype=float).T[live] / k  # column P: share of panel P per group
        for _ in range(300):
            update = weights * (share.T @ (n[live] / (share @ weights))) / people
            if np.abs(update - weights).max() < 1e-10:
                weights = update
                break
            weights = update
        chance = (np.array(columns.list, dtype=float).T / n[:, None]) @ weights
        gradient = np.zeros(len(n))
        gradient[live] = 1.0 / np.maximum(chance[live], 1e-12)
        found = space.best(gradient)
        if progress:
            progress("nash: panels found", round_ + 1, max_rounds)
        if found is None or found[1] <= people * (1 + 1e-4) or not columns.add(found[0]):
            break
        weights = np.append(weights * (1 - 1.0 / len(columns.list)), 1.0 / len(columns.list))
    keep = np.flatnonzero(weights > 1e-12)
    weights = weights[keep] / weights[keep].sum()
    return groups, [columns.list[j] for j in keep], weights


def _windows(members: list[int], count: int) -> list[list[int]]:
    """Equally likely subsets of `count` members giving each member the same chance count/len:
    consecutive runs (cyclically) starting at every multiple of gcd(count, len)."""
    size = len(members)
    if count == 0:
        return [[]]
    step = math.gcd(count, size)
    return [[members[(start + t) % size] for t in range(count)] for start in range(0, size, step)]


def expand(groups: Groups, panels: list[np.ndarray], weights: np.ndarray) -> tuple[list[list[int]], np.ndarray]:
    """Turn group-count panels into panels of people with exactly the same per-person chances:
    for each count panel, couple the groups' uniform window lotteries on one [0, 1) line."""
    people_panels: list[list[int]] = []
    people_weights: list[float] = []
    # a fixed shuffle inside each group, so people next to each other in the file (often friends or
    # family who registered together) are not drawn together more often than chance
    order = [sorted(m, key=lambda i: hashlib.sha256(str(i).encode()).digest()) for m in groups.members]
    for counts, weight in zip(panels, weights, strict=True):
        options = {g: _windows(order[g], int(c)) for g, c in enumerate(counts) if c > 0}
        cuts = sorted({Fraction(j, len(w)) for w in options.values() for j in range(len(w))} | {Fraction(1)})
        for left, right in zip(cuts, cuts[1:], strict=False):
            members = [p for w in options.values() for p in w[int(left * len(w))]]
            people_panels.append(sorted(members))
            people_weights.append(float(weight * (right - left)))
    return people_panels, np.array(people_weights)


def legacy(
    pool: Pool, quotas: Quotas, k: int, rng: random.Random, draws: int = 1000, progress: Progress | None = None
) -> tuple[list[list[int]], np.ndarray]:
    """The greedy draw used before 2021 (Nature 2021, "LEGACY"): repeatedly take the quota value
    whose unmet minimum is largest relative to the people left with it, add a random such person,
    drop anyone whose values are full (and their household); restart on a dead end. `draws` panels
    drawn this way, equally weighted, estimate its selection chances."""
    groups = group_pool(pool, quotas)
    check_request(pool, quotas, k)
    if PanelSpace(groups, quotas, k).best(np.zeros(len(groups.counts))) is None:
        raise _infeasible(groups, k)
    rows = groups.quota_rows
    has = np.zeros((len(rows), pool.n), dtype=bool)  # quota row x person
    for g, people in enumerate(groups.members):
        has[:, people] = groups.incidence[:, g][:, None] > 0
    mins = np.array([r.min for r in rows])
    maxs = np.array([r.max for r in rows])
    keys: dict[str, int] = {}
    household = np.array(
        [-1 if h is None else keys.setdefault(h, len(keys)) for h in (pool.households or [None] * pool.n)]
    )
    tally: dict[tuple[int, ...], int] = {}
    for draw in range(draws):
        for _attempt in range(1000):
            panel = _legacy_once(has, mins, maxs, household, k, rng)
            if panel is not None:
                key = tuple(sorted(panel))
                tally[key] = tally.get(key, 0) + 1
                break
        else:
            raise SortitionError("the legacy greedy draw kept reaching dead ends (1,000 attempts)")
        if progress and (draw + 1) % 50 == 0:
            progress("legacy draws", draw + 1, draws)
    return [list(p) for p in tally], np.array(list(tally.values()), dtype=float) / draws


def _legacy_once(has, mins, maxs, household, k, rng: random.Random) -> list[int] | None:
    left = np.ones(has.shape[1], dtype=bool)
    chosen = np.zeros(len(mins), dtype=np.int64)
    panel: list[int] = []
    while len(panel) < k:
        available = has[:, left].sum(axis=1)
        need = mins - chosen
        if (need > available).any():
            return None
        ratio = np.where(need > 0, need / np.maximum(available, 1), -1.0)
        if ratio.max() > 0:
            row = int(np.argmax(ratio))
            candidates = np.flatnonzero(left & has[row])
        else:
            candidates = np.flatnonzero(left)
        if len(candidates) == 0:
            return None
        person = int(candidates[rng.randrange(len(candidates))])
        panel.append(person)
        chosen += has[:, person]
        left[person] = False
        full = chosen >= maxs
        if full.any():
            left &= ~has[full].any(axis=0)
        if household[person] >= 0:
            left &= household != household[person]
    if ((chosen < mins) | (chosen > maxs)).any():
        return None
    return panel


def select(
    pool: Pool,
    quotas: Quotas,
    k: int,
    method: str = "leximin",
    progress: Progress | None = None,
    seed: int = 0,
    draws: int = 1000,
) -> Distribution:
    """A lottery over panels of size k meeting the quotas, fair by the chosen method."""
    if method not in METHODS:
        raise SortitionError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if method == "legacy":
        panels, weights = legacy(pool, quotas, k, random.Random(seed), draws=draws, progress=progress)
        return Distribution(pool, k, method, panels, weights)
    if method == "nash":
        groups, counts, weights = nash_groups(pool, quotas, k, progress)
    else:
        groups, counts, weights = leximin_groups(pool, quotas, k, progress, stop_after_first=method == "maximin")
    panels, people_weights = expand(groups, counts, weights)
    return Distribution(pool, k, method, panels, people_weights)
