"""The Method of Equal Shares, fast: NumPy rounds in floats with exact fallback, and the add1 "jump".

MES (Peters, Pierczyński and Skowron, NeurIPS 2021) as pabutools 1.2.3 runs it: every voter starts
with the same endowment; each round buys the project whose supporters can pay for it at the lowest
price per unit of satisfaction rho (ties to the lowest project id), each supporter paying
min(what they have, rho × satisfaction).

Floats are used only where the decision is clear by a wide margin: every comparison that decides
the outcome (is a project affordable; which price is lowest) is checked against a bound on the float
error (`_slack`), and any comparison inside that margin sends the whole run to the exact Fraction
implementation (`exact_run`), so results never depend on rounding.

The add1 loop (raise the endowment by one unit until the outcome overspends or is exhaustive) jumps
over endowments where no outcome can stop it. More money never raises a price and never lowers
anyone's money after a purchase, so bounds on every voter's money hold for every run in an
endowment interval at once. `interval_run` follows all those runs together with such bounds,
branching where nearly tied projects may swap, and returns every set they may buy (docs/pb.md has
the argument); when none of them stops the loop, it jumps the whole interval. The loop doubles the
interval while that holds and otherwise halves it, down to a single unit step, which is an ordinary
run and always exact; where proofs cost more than the runs they save, it sweeps unit runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from commonground.engine.pb.profile import Election, supporter_lists

EPS = 1e-12  # relative error margin per round, ~4500 × the float64 unit round-off
PROBE_AFTER = 4  # add1 tries a jump wider than the last that failed after 4 proofs at half its width
FADE = 0.75  # add1 weighs proofs' cost against unit runs over its last few proofs


_sum = np.add.reduce  # ndarray.sum without its Python-level wrapper: the hot loops call it ~10^5 times


class _TooClose(Exception):
    """A float comparison fell inside its error margin: decide it in exact arithmetic instead."""


@dataclass
class Round:
    project: int
    rho: float  # price per unit of satisfaction paid by each supporter who could afford it
    rho_exact: Fraction | None = None  # set when the run was exact
    paid: float = 0.0  # total paid by supporters (= cost)


@dataclass
class Trace:
    """One MES run: what was bought, in which round, at what price, and everyone's money at the end."""

    endowment: Fraction
    free: list[int]  # supported projects costing nothing, funded outright
    rounds: list[Round]
    money: np.ndarray  # each voter's money left at the end (float)
    exact: bool = False

    @property
    def selected(self) -> list[int]:
        return self.free + [r.project for r in self.rounds]


class Prepared:
    """Per-project supporter arrays of an election, built once and reused by every run."""

    def __init__(self, election: Election):
        self.election = election
        n_projects = election.n_projects
        voters = election.voter_of_entry()
        projects = election.ballot_projects
        if election.ballot_points is not None:
            sat_f = election.ballot_points.astype(float)
        else:
            sat_f = np.array([float(c) for c in election.costs])[projects] if projects.size else np.zeros(0)
        positive = sat_f > 0
        voters, projects, sat_f = voters[positive], projects[positive], sat_f[positive]
        order = np.lexsort((voters, projects))
        voters, projects, sat_f = voters[order], projects[order], sat_f[order]
        bounds = np.searchsorted(projects, np.arange(n_projects + 1))
        self.supporters = [voters[bounds[p] : bounds[p + 1]] for p in range(n_projects)]
        self.sats = [sat_f[bounds[p] : bounds[p + 1]] for p in range(n_projects)]
        self.total_sat = np.array([s.sum() for s in self.sats])
        self.price_sat = [float(s[0]) if s.size and (s == s[0]).all() else s for s in self.sats]  # see _price
        self.n_supporters = np.array([s.size for s in self.sats], dtype=float)
        self.cost = np.array([float(c) for c in election.costs])
        self.free = [p for p in range(n_projects) if self.supporters[p].size and election.costs[p] == 0]
        self.candidates = [p for p in range(n_projects) if self.supporters[p].size and election.costs[p] > 0]
        self.initial_rho = {p: self.cost[p] / self.total_sat[p] for p in self.candidates}
        # Projects sharing a supporter: buying one changes only these projects' prices.
        self.neighbours = _neighbours(election)
        rank = sorted(range(n_projects), key=lambda p: election.project_ids[p])
        self.id_rank = {p: r for r, p in enumerate(rank)}
        self._exact_supporters = None

    def exact_supporters(self):
        if self._exact_supporters is None:
            self._exact_supporters = supporter_lists(self.election)
        return self._exact_supporters


def _neighbours(election: Election) -> list[np.ndarray]:
    """For each project, the projects on a ballot with it (itself included), from every pair of
    entries on each ballot."""
    lengths = np.diff(election.ballot_ptr)
    per_entry = np.repeat(lengths, lengths)  # each entry's ballot length
    first = np.repeat(election.ballot_ptr[:-1], lengths)  # each entry's ballot start
    a = np.repeat(np.arange(per_entry.size), per_entry)
    b = np.repeat(first, per_entry) + np.arange(a.size) - np.repeat(np.cumsum(per_entry) - per_entry, per_entry)
    n = election.n_projects
    pairs = np.zeros(n * n, dtype=bool)
    pairs[election.ballot_projects[a] * n + election.ballot_projects[b]] = True
    return [np.flatnonzero(row) for row in pairs.reshape(n, n)]


def _price(
    money: np.ndarray, sat: np.ndarray | float, cost: float, total_sat: float, known: float = 0.0
) -> tuple[float, float]:
    """The lowest rho with sum(min(money, rho × sat)) = cost (the supporters can afford it).

    Fixed point of: the capped are those with money/sat < rho; rho = (cost - their money) /
    (satisfaction of the others). Starting from no one capped, or from those below `known` (a
    price no higher than the answer, such as this project's price in an earlier round), rho only
    rises and the capped set only grows, so it ends at the same value as pabutools' sorted scan.
    `sat` is one number when every supporter has the same satisfaction (cost satisfaction on
    approval ballots), which spares a division and a sum per supporter.
    """
    uniform = isinstance(sat, float)
    ratio, scale = (money, sat) if uniform else (money / sat, 1.0)  # capped: ratio < rho × scale
    rho = cost / total_sat
    uncapped_sat = total_sat
    # The cut only rises: a supporter whose ratio equals rho exactly would otherwise be capped and
    # uncapped in turn as rho's last bit rounds either way, for ever.
    cut = max(rho, known * (1 - 1e-9))
    n_capped = 0
    while True:
        capped = (ratio < cut * scale).nonzero()[0]
        if capped.size == n_capped:
            break
        n_capped = capped.size
        uncapped_sat = total_sat - (n_capped * sat if uniform else _sum(sat[capped]))
        rho = (cost - _sum(money[capped])) / uncapped_sat
        cut = max(cut, rho)
    return rho, uncapped_sat


def _slacks(prep: Prepared, endowment: float) -> np.ndarray:
    """Per project, a bound on the float error of a sum of its supporters' money in one round
    (absolute, in currency); multiply by the number of rounds so far + 2."""
    return EPS * (prep.n_supporters * endowment + prep.cost)


def float_run(prep: Prepared, endowment: Fraction) -> Trace:
    """One MES run in floats; raises _TooClose when a decision is within its error margin."""
    e = float(endowment)
    money = np.full(prep.election.n_voters, e)
    stale = np.full(prep.election.n_projects, np.inf)  # each project's last price: a lower bound
    stale[prep.candidates] = [prep.initial_rho[p] for p in prep.candidates]
    errs = np.zeros(prep.election.n_projects)
    fresh = np.zeros(prep.election.n_projects, dtype=bool)  # no supporter has paid since it was priced
    remaining = set(prep.candidates)
    rounds: list[Round] = []
    slacks = _slacks(prep, e).tolist()
    costs = prep.cost.tolist()
    unsure = np.zeros(prep.election.n_voters, dtype=bool)  # at 0.0 in floats but maybe not exactly
    while True:
        t = len(rounds)
        best = np.inf
        best_err = 0.0
        found: list[tuple[float, float, int]] = []
        for p in stale.argsort(kind="stable").tolist():
            if stale[p] == np.inf or stale[p] > best + 2 * best_err + EPS * best:
                break  # inf: bought, or unaffordable
            if fresh[p]:
                rho, err = stale[p], errs[p]
            else:
                m = money[prep.supporters[p]]
                total = _sum(m)
                slack = slacks[p] * (t + 2)
                if total < costs[p] - slack:
                    remaining.discard(p)
                    stale[p] = np.inf
                    continue
                if total <= costs[p] + slack:
                    raise _TooClose
                rho, uncapped_sat = _price(m, prep.price_sat[p], costs[p], prep.total_sat[p], stale[p])
                err = slack / uncapped_sat + EPS * rho  # rho = (cost - money of the capped) / uncapped_sat
                stale[p], errs[p], fresh[p] = rho, err, True
            found.append((rho, err, p))
            if rho < best:
                best, best_err = rho, err
        if not found:
            break
        close = [p for r, er, p in found if r <= best + er + best_err]
        if len(close) > 1:
            exact = {p: _exact_price(prep, p, money, unsure, e, t) for p in close}
            if None in exact.values():
                raise _TooClose
            exact_rho = min(exact.values())
            chosen = min((p for p in exact if exact[p] == exact_rho), key=prep.id_rank.get)
            best = float(exact_rho)
        else:
            chosen, exact_rho = close[0], None
        sup = prep.supporters[chosen]
        m = money[sup]
        share = best * prep.sats[chosen]
        pay = np.minimum(m, share)
        money[sup] = np.where(m - pay > 0, m - pay, 0.0)
        unsure[sup] |= (m <= share) & (m >= share - _voter_margin(e, share, t))
        rounds.append(Round(chosen, best, rho_exact=exact_rho, paid=float(pay.sum())))
        remaining.discard(chosen)
        stale[chosen] = np.inf
        fresh[prep.neighbours[chosen]] = False
    return Trace(endowment, list(prep.free), rounds, money)


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

    def copy(self) -> _Branch:
        return _Branch(self.bought, self.low.copy(), self.high.copy(), set(self.remaining), self.floor.copy(),
                       self.ceiling.copy(), self.fresh.copy(), self.priced.copy(), dict(self.fixed))  # fmt: skip


@dataclass
class Proof:
    """What interval_run found, and what it cost (add1 weighs that against unit runs)."""

    outcomes: frozenset[frozenset[int]] | None  # every set the runs may buy; None: too many to follow
    rounds: int  # rounds followed, summed over branches (each on both bounds)


def interval_run(
    prep: Prepared,
    low: Fraction,
    high: Fraction,
    max_branches: int = 8,
) -> Proof:
    """Every set of projects MES may buy at an endowment in [low, high] (a superset of the sets it
    does buy), or None when the possibilities are too many to follow.

    All those runs are followed at once with bounds on each voter's money: with more money a price is
    never higher and money after paying (max(0, money - rho × sat)) never lower, so the run at `low`
    bounds every run from below and the run at `high` from above while they buy the same projects.
    When the bounds leave more than one project possibly cheapest, each is followed as its own
    branch; where a project is affordable at some endowments and not at others, a branch also ends.
    Branches that have bought the same set are merged (the union of their bounds). Floats
    throughout, rounded outwards.
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
    while branches:
        rounds += len(branches)
        grown: list[_Branch] = []
        for branch in branches:
            cheapest, may_end = _cheapest(prep, branch, slacks, costs)
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
            return Proof(None, rounds)
        branches = grown
    return Proof(frozenset(outcomes), rounds)


def _cheapest(prep: Prepared, branch: _Branch, slacks: list, costs: list) -> tuple[list[int], bool]:
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
            reach = _sum(high)
            if reach < costs[q] - slacks[q]:
                branch.remaining.discard(q)
                floor[q] = np.inf
                continue
            if reach > costs[q] + slacks[q]:  # else barely affordable at best: the earlier floor stands
                rho, uncapped = _price(high, prep.price_sat[q], costs[q], prep.total_sat[q], floor[q])
                floor[q] = max(floor[q], rho - slacks[q] / uncapped - 4 * EPS * rho)
            fresh[q] = True
            if floor[q] > best:
                continue  # cannot be cheapest: its ceiling is not needed
        if not priced[q]:
            low = branch.low[prep.supporters[q]]
            if _sum(low) > costs[q] + slacks[q]:
                rho, uncapped = _price(low, prep.price_sat[q], costs[q], prep.total_sat[q], floor[q])
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
    return a


def _voter_margin(endowment: float, share, t: int):
    """A bound, wide by design, on the float error of one voter's money or share after t rounds."""
    return 1e-9 * (endowment + share) * (t + 2)


def _exact_price(
    prep: Prepared, p: int, money: np.ndarray, unsure: np.ndarray, endowment: float, t: int
) -> Fraction | None:
    """The exact rho of project p when its capped supporters are exactly those with no money left.

    Then rho = cost / (satisfaction of the supporters with money), in whole numbers, provided every
    supporter with money clearly has more than rho × satisfaction and every one at 0.0 is exactly
    at 0 (paid all they had by a clear margin). Such exact ties are common: two projects whose
    supporters with money left number the same tie at rho = 1 / that number under cost
    satisfaction. None when that cannot be proven (the caller then counts exactly).
    """
    sats = prep.sats[p]
    m = money[prep.supporters[p]]
    rich = m > 0
    if unsure[prep.supporters[p]][~rich].any() or not rich.any():
        return None
    total = int(rich.sum()) * Fraction(prep.election.costs[p]) if prep.election.ballot_points is None else None
    if total is None:
        total = Fraction(int(round(sats[rich].sum())))
    rho = Fraction(prep.election.costs[p]) / total
    share = float(rho) * sats[rich]
    if (m[rich] - share <= _voter_margin(endowment, share, t)).any():
        return None
    return rho


def exact_run(prep: Prepared, endowment: Fraction) -> Trace:
    """The same run in Fractions (pabutools' algorithm step by step); used when floats are too close."""
    election = prep.election
    supporters = prep.exact_supporters()
    costs = election.costs
    budgets = [Fraction(endowment)] * election.n_voters
    remaining = set(prep.candidates)
    afford = {p: Fraction(costs[p]) / sum(s for _, s in supporters[p]) for p in prep.candidates}
    total_sat = {p: sum(s for _, s in supporters[p]) for p in prep.candidates}
    rounds: list[Round] = []
    ids = election.project_ids
    while True:
        best: Fraction | None = None
        tied: list[int] = []
        for p in sorted(remaining, key=lambda q: afford[q]):
            supp = supporters[p]
            if sum(budgets[i] for i, _ in supp) < costs[p]:
                remaining.discard(p)
                continue
            if best is not None and afford[p] > best:
                break
            contribution = Fraction(0)
            denominator = total_sat[p]
            for i, sat in sorted(supp, key=lambda en: budgets[en[0]] / en[1]):
                factor = (costs[p] - contribution) / denominator
                if factor * sat <= budgets[i]:
                    afford[p] = factor
                    if best is None or factor < best:
                        best, tied = factor, [p]
                    elif factor == best:
                        tied.append(p)
                    break
                contribution += budgets[i]
                denominator -= sat
        if not tied:
            break
        chosen = min(tied, key=lambda q: ids[q])
        paid = Fraction(0)
        for i, sat in supporters[chosen]:
            pay = min(budgets[i], best * sat)
            budgets[i] -= pay
            paid += pay
        rounds.append(Round(chosen, float(best), rho_exact=best, paid=float(paid)))
        remaining.discard(chosen)
    money = np.array([float(b) for b in budgets])
    return Trace(Fraction(endowment), list(prep.free), rounds, money, exact=True)


def run(prep: Prepared, endowment: Fraction) -> Trace:
    """One MES run at `endowment`: floats when safe, else exact."""
    try:
        return float_run(prep, endowment)
    except _TooClose:
        return exact_run(prep, endowment)


@dataclass
class Add1Result:
    trace: Trace  # the run whose outcome is returned
    runs: int  # MES runs made (a measure of the jump's saving)
    steps: int  # currency units added to each voter's endowment


def add1(
    election: Election,
    increment: int | Fraction = 1,
    stop_when_exhaustive: bool = True,
    prep: Prepared | None = None,
) -> Add1Result:
    """MES with the endowment raised by `increment` while the outcome fits the budget (pabutools'
    `voter_budget_increment`); with `stop_when_exhaustive` also stop once no further project fits.
    Same outcome as raising by one increment at a time, but jumping where nothing can change."""
    prep = prep or Prepared(election)
    start = Fraction(election.budget) / election.n_voters
    step = Fraction(increment)
    budget = Fraction(election.budget)
    costs = [Fraction(c) for c in election.costs]
    verdicts: dict[frozenset[int], str | None] = {}  # proofs allow the same sets again and again

    def stop(chosen: frozenset[int]) -> str | None:
        if chosen in verdicts:
            return verdicts[chosen]
        spent = sum(costs[p] for p in chosen)
        why = None
        if spent > budget:
            why = "overspent"
        elif stop_when_exhaustive and all(spent + costs[p] > budget for p in prep.candidates if p not in chosen):
            why = "exhaustive"
        elif chosen.issuperset(prep.candidates):
            why = "exhaustive"  # every supported project is bought: more money changes nothing
        verdicts[chosen] = why
        return why

    # Invariant: no endowment start + i × step with i <= k stops the loop.
    k = 0
    current = run(prep, start)
    runs = 1
    jump = 2
    too_wide, held_back = np.inf, 0  # the last width whose proof failed; proofs since at half that width
    run_cost = len(current.rounds) + 1  # a run's cost, in rounds
    spent = gained = 0.0  # proofs' recent cost in rounds, and the units they jumped (both fading)
    tried = sweep = 0  # proofs since the last sweep; unit runs left in the current sweep
    sweep_length = 2
    why = stop(frozenset(current.selected))
    while why is None:
        if jump > 1 and not sweep:
            runs, tried = runs + 1, tried + 1
            proof = interval_run(prep, start + k * step, start + (k + jump) * step)
            proven = proof.outcomes is not None and all(stop(o) is None for o in proof.outcomes)
            spent, gained = FADE * spent + 2 * proof.rounds, FADE * gained + (jump if proven else 0)
            if tried >= 3:  # enough proofs to judge: where they cost more per unit than runs, sweep
                if spent > gained * run_cost:
                    sweep, sweep_length, tried, spent, gained = sweep_length, min(2 * sweep_length, 64), 0, 0, 0
                else:
                    sweep_length = 2
            if proven:
                k += jump  # no endowment in between stops, whichever of these sets it buys
                if 2 * jump < too_wide:
                    jump *= 2
                else:  # doubling failed lately: hold the width, and only now and then try wider
                    held_back += 1
                    if held_back >= PROBE_AFTER:
                        jump, held_back, too_wide = 2 * jump, 0, 4 * jump
            else:
                too_wide, held_back = jump, 0
                jump //= 2  # a stop, or possibilities too many to follow, within `jump`: look closer
            continue
        current, k, runs = run(prep, start + (k + 1) * step), k + 1, runs + 1
        why = stop(frozenset(current.selected))
        run_cost = len(current.rounds) + 1
        if sweep:
            sweep -= 1  # the jump's width is kept for the proofs after the sweep
        else:
            jump = 2
    if why == "overspent":
        k -= 1  # the last endowment whose outcome fits
    if current.endowment != start + k * step:
        current, runs = run(prep, start + k * step), runs + 1  # MES's own run, for explanations
    return Add1Result(current, runs, k)


def unit_steps_reference(
    election: Election, increment: int | Fraction = 1, stop_when_exhaustive: bool = True, max_steps: int | None = None
) -> Trace | None:
    """The add1 loop one increment at a time in exact arithmetic: the slow reference the jump is
    tested against. None when it has not stopped after `max_steps` increments."""
    prep = Prepared(election)
    budget = Fraction(election.budget)
    endowment = budget / election.n_voters
    current = exact_run(prep, endowment)
    previous = current
    while True:
        spent = sum(Fraction(election.costs[p]) for p in current.selected)
        if spent > budget:
            return previous
        chosen = set(current.selected)
        if stop_when_exhaustive and all(spent + election.costs[p] > budget for p in prep.candidates if p not in chosen):
            return current
        if chosen.issuperset(prep.candidates):
            return current  # every supported project is bought: more money changes nothing
        previous = current
        endowment += increment
        if max_steps is not None and endowment > budget / election.n_voters + max_steps * increment:
            return None
        current = exact_run(prep, endowment)
