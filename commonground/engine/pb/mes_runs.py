"""One MES run: the election prepared once, a float run within its error bound, and the exact fallback."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from commonground.engine.pb.profile import Election, supporter_lists

EPS = 1e-12  # relative error margin per round, ~4500 × the float64 unit round-off

fast_sum = np.add.reduce  # ndarray.sum without its Python-level wrapper: the hot loops call it ~10^5 times


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
        if election.ballot_points is None:
            self.points = None
        else:  # exact, for the interval proof's affine tie-break
            points = election.ballot_points[positive][order]
            self.points = [points[bounds[p] : bounds[p + 1]] for p in range(n_projects)]
        self.total_sat = np.array([s.sum() for s in self.sats])
        self.price_sat = [float(s[0]) if s.size and (s == s[0]).all() else s for s in self.sats]  # see capped_price
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


NEIGHBOUR_PAIRS = 20_000_000  # beyond this many pairs (or projects squared), every project counts as a neighbour


def _neighbours(election: Election) -> list[np.ndarray | slice]:
    """For each project, the projects on a ballot with it (itself included), from every pair of
    entries on each ballot; all projects (a slice) where the pairs would take too much memory."""
    lengths = np.diff(election.ballot_ptr)
    n = election.n_projects
    if max(int((lengths.astype(np.int64) ** 2).sum()), n * n) > NEIGHBOUR_PAIRS:
        return [slice(None)] * n
    per_entry = np.repeat(lengths, lengths)  # each entry's ballot length
    first = np.repeat(election.ballot_ptr[:-1], lengths)  # each entry's ballot start
    a = np.repeat(np.arange(per_entry.size), per_entry)
    b = np.repeat(first, per_entry) + np.arange(a.size) - np.repeat(np.cumsum(per_entry) - per_entry, per_entry)
    pairs = np.zeros(n * n, dtype=bool)
    pairs[election.ballot_projects[a] * n + election.ballot_projects[b]] = True
    return [np.flatnonzero(row) for row in pairs.reshape(n, n)]


def capped_price(
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
        uncapped_sat = total_sat - (n_capped * sat if uniform else fast_sum(sat[capped]))
        rho = (cost - fast_sum(money[capped])) / uncapped_sat
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
                total = fast_sum(m)
                slack = slacks[p] * (t + 2)
                if total < costs[p] - slack:
                    remaining.discard(p)
                    stale[p] = np.inf
                    continue
                if total <= costs[p] + slack:
                    raise _TooClose
                rho, uncapped_sat = capped_price(m, prep.price_sat[p], costs[p], prep.total_sat[p], stale[p])
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
