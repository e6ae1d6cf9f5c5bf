"""PB rules, exact: greedy utilitarian welfare and the Method of Equal Shares (with add1).

Definitions: Peters, Pierczyński and Skowron, "Proportional participatory budgeting with additive
utilities" (NeurIPS 2021) for MES; pabutools 1.2.3 for the conventions this must reproduce:
satisfaction is the project's cost for approval-type ballots (Cost_Sat) and the points given for
cumulative and scoring ballots (Additive_Cardinal_Sat) and Borda points for ordinal ones
(Additive_Borda_Sat); ties go to the lexicographically smallest
project id. Arithmetic is in Fractions where budgets are compared, so no float rounding can change
a winner.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from commonground.engine.pb.profile import Election, with_borda_points


def satisfactions(election: Election) -> np.ndarray:
    """Each ballot entry's satisfaction: the project's cost (approval) or the points (cardinal)."""
    if election.ballot_points is not None:
        return election.ballot_points.astype(object)
    costs = np.array(election.costs, dtype=object)
    return costs[election.ballot_projects]


def project_satisfaction(election: Election) -> list:
    """Each project's total satisfaction, exactly: approvals × cost, or the points given."""
    if election.ballot_points is not None:
        points = np.zeros(election.n_projects, dtype=np.int64)
        np.add.at(points, election.ballot_projects, election.ballot_points)
        return [int(x) for x in points]
    return [int(n) * c for n, c in zip(election.approvals().tolist(), election.costs, strict=True)]


def _supporters(election: Election, sats: np.ndarray) -> list[list[tuple[int, object]]]:
    voters = election.voter_of_entry()
    supporters: list[list[tuple[int, object]]] = [[] for _ in range(election.n_projects)]
    for voter, project, sat in zip(voters.tolist(), election.ballot_projects.tolist(), sats.tolist(), strict=True):
        if sat > 0:
            supporters[project].append((voter, sat))
    return supporters


@dataclass
class GreedyStep:
    """One project's turn in a greedy count: funded or why not, and the money left before it."""

    project: int
    funded: bool
    why: str  # funded | did-not-fit | below-threshold | after-stop
    left: Fraction


def greedy_steps(election: Election, city: bool = False) -> list[GreedyStep]:
    """Every project's turn in greedy order (the one implementation behind greedy and city_greedy).

    Plain (pabutools' greedy_utilitarian_welfare): total satisfaction per unit of cost, ties to the
    project id, skipping what does not fit. `city`: as the city ran it (pabulib META): most support
    first (approvals, or points for cumulative ballots), ties to the cheaper project then the lower
    id; projects below `min_project_score_threshold` are out; with a "no-skip" rule, stop at the
    first project that does not fit.
    """
    ids = election.project_ids
    threshold = 0.0
    no_skip = False
    if city:
        weights = election.ballot_points if election.ballot_points is not None else None
        support = np.bincount(election.ballot_projects, weights=weights, minlength=election.n_projects)
        threshold = float(election.meta.get("min_project_score_threshold", 0) or 0)
        no_skip = "no-skip" in election.meta.get("rule", "")
        order = sorted(range(election.n_projects), key=lambda p: (-support[p], election.costs[p], ids[p]))
    else:
        total = project_satisfaction(election)

        def density(p: int) -> Fraction | float:
            if total[p] <= 0:
                return Fraction(0)
            return float("inf") if election.costs[p] == 0 else Fraction(total[p]) / Fraction(election.costs[p])

        order = sorted(sorted(range(election.n_projects), key=lambda p: ids[p]), key=lambda p: -density(p))
    left = Fraction(election.budget)
    steps = []
    stopped = False
    for p in order:
        if stopped:
            steps.append(GreedyStep(p, False, "after-stop", left))
        elif city and support[p] < threshold:
            steps.append(GreedyStep(p, False, "below-threshold", left))
        elif election.costs[p] <= left:
            steps.append(GreedyStep(p, True, "funded", left))
            left -= election.costs[p]
        else:
            steps.append(GreedyStep(p, False, "did-not-fit", left))
            stopped = no_skip
    return steps


def greedy(election: Election) -> list[str]:
    """Projects by total satisfaction per unit of cost (ties: project id), skipping what does not fit."""
    return [election.project_ids[s.project] for s in greedy_steps(election) if s.funded]


def has_city_settings(election: Election) -> bool:
    """True when the file records the city's own greedy settings (a vote threshold or no-skip)."""
    rule = election.meta.get("rule", "")
    return "min_project_score_threshold" in election.meta or "no-skip" in rule or "threshold" in rule


def city_greedy(election: Election) -> list[str]:
    """Greedy as the city ran it (see greedy_steps). Reproduces the official winners of Warsaw
    2026, Łódź 2022, Katowice 2023, Wrocław 2015 and 2018, and Gdynia 2023."""
    return [election.project_ids[s.project] for s in greedy_steps(election, city=True) if s.funded]


def mes_trace(election: Election, increment: int | Fraction | None = None, stop_when_exhaustive: bool = True):
    """The MES run whose outcome `mes` returns (rounds, prices, money left), for explanations."""
    from commonground.engine.pb import mes as fast

    prep = fast.Prepared(election)
    if not election.n_voters:  # no one voted (a site process closed with no ballots): no one has money
        return fast.Trace(Fraction(0), [], [], np.zeros(0))
    if increment is None:
        return fast.run(prep, Fraction(election.budget) / election.n_voters)
    return fast.add1(election, increment, stop_when_exhaustive, prep=prep).trace


def mes(election: Election, increment: int | Fraction | None = None, stop_when_exhaustive: bool = True) -> list[str]:
    """Method of Equal Shares; with `increment`, the add1 loop: raise every voter's budget by
    `increment` while the outcome stays within the budget (computed by jumping, see mes.py).

    `stop_when_exhaustive` (pabutools' rule) also stops as soon as no further project would fit;
    cities running equal shares (equalshares.net "add1") stop only when the next step would
    overspend, which is `stop_when_exhaustive=False` and reproduces Wieliczka, Świecie and Assen.
    """
    trace = mes_trace(election, increment, stop_when_exhaustive)
    return [election.project_ids[p] for p in trace.selected]


def equal_shares(election: Election, completion: str | None = None) -> list[str]:
    """The Method of Equal Shares as cities run it: cost utilities, add1 until the next step would
    overspend, then, when the election's rule says so, greedy completion of what is left.

    `completion=None` reads the file's META `rule` (e.g. "equalshares/add1" has none).
    """
    if completion is None:
        completion = "greedy" if "greedy" in election.meta.get("rule", "") else "none"
    winners = mes(election, increment=1, stop_when_exhaustive=False)
    if completion not in ("greedy", "none"):
        raise ValueError(f"completion must be greedy or none, not {completion!r}")
    return complete_greedily(election, winners) if completion == "greedy" else winners


@dataclass
class PhragmenTrace:
    rounds: list[tuple[int, Fraction]]  # (project, its supporters' common load after buying it)
    stopped_at: int | None  # the cheapest-load project that did not fit, where counting stopped
    loads: list[Fraction]  # the distinct loads (shares of costs) voters have had
    level: np.ndarray  # each voter's load at the end, as an index into `loads`
    supporters: list[np.ndarray]
    too_dear: set[int]  # projects costing more than the whole budget

    def load_of(self, p: int) -> Fraction:
        """The total load of a project's supporters at the end, exactly."""
        counts = np.bincount(self.level[self.supporters[p]], minlength=len(self.loads))
        return sum((int(c) * self.loads[k] for k, c in enumerate(counts.tolist()) if c), Fraction(0))


def phragmen_trace(election: Election) -> PhragmenTrace:
    """Sequential Phragmén for approval ballots (Brill, Freeman, Janson, Lackner 2017; the PB form
    of Los, Christoff and Grossi 2022), as pabutools 1.2.3 runs it.

    Each step funds the project whose supporters' new common load (their loads so far plus the
    cost, shared equally) would be lowest, ties to the lower id. It stops, rather than skips, when
    a cheapest-load project does not fit. Voters funded together share one load, so loads are kept
    as a short list of exact values with each voter's index into it; candidates are ranked in
    floats and every project within 1e-9 of the best is re-ranked exactly.
    """
    if election.ballot_points is not None:
        raise ValueError("sequential Phragmén applies to approval ballots only")
    n_projects = election.n_projects
    voters, projects = election.voter_of_entry(), election.ballot_projects
    order = np.argsort(projects, kind="stable")
    bounds = np.searchsorted(projects[order], np.arange(n_projects + 1))
    supporters = [voters[order][bounds[p] : bounds[p + 1]] for p in range(n_projects)]
    n_supporters = np.diff(bounds)
    cost_f = np.array([float(c) for c in election.costs])
    level = np.zeros(election.n_voters, dtype=np.int64)
    loads = [Fraction(0)]
    remaining = {p for p in range(n_projects) if election.costs[p] <= election.budget}
    too_dear = set(range(n_projects)) - remaining
    spent = Fraction(0)
    rounds: list[tuple[int, Fraction]] = []
    ids = election.project_ids
    stopped_at = None
    trace = PhragmenTrace(rounds, None, loads, level, supporters, too_dear)
    while remaining:
        width = len(loads)
        counts = np.bincount(projects * width + level[voters], minlength=n_projects * width).reshape(n_projects, width)
        with np.errstate(divide="ignore", invalid="ignore"):
            value_f = (counts @ np.array([float(x) for x in loads]) + cost_f) / n_supporters
        value_f[n_supporters == 0] = np.inf
        live = sorted(remaining)
        best_f = value_f[live].min()
        if np.isinf(best_f):
            best: Fraction | float = float("inf")
            tied = live
        else:
            near = [p for p in live if value_f[p] <= best_f * (1 + 1e-9)]
            exact = {p: (trace.load_of(p) + election.costs[p]) / int(n_supporters[p]) for p in near}
            best = min(exact.values())
            tied = [p for p in near if exact[p] == best]
        over = [p for p in tied if spent + election.costs[p] > election.budget]
        if over:
            stopped_at = min(over, key=lambda q: ids[q])
            break
        pick = min(tied, key=lambda q: ids[q])
        if supporters[pick].size:
            loads.append(best)
            level[supporters[pick]] = len(loads) - 1
        rounds.append((pick, best))
        spent += election.costs[pick]
        remaining.discard(pick)
    trace.stopped_at = stopped_at
    return trace


def phragmen(election: Election) -> list[str]:
    """Sequential Phragmén (see phragmen_trace)."""
    return [election.project_ids[p] for p, _ in phragmen_trace(election).rounds]


def complete_greedily(election: Election, winners: list[str]) -> list[str]:
    """Spend what is left in greedy order (pabutools' completion by greedy utilitarian welfare)."""
    index = election.index_of
    left = Fraction(election.budget) - sum(Fraction(election.costs[index[w]]) for w in winners)
    chosen = list(winners)
    taken = set(winners)
    for pid in greedy_order(election):
        p = index[pid]
        if pid not in taken and election.costs[p] <= left:
            chosen.append(pid)
            taken.add(pid)
            left -= election.costs[p]
    return chosen


def greedy_order(election: Election) -> list[str]:
    """All project ids in greedy's order (density, then id), whether they fit or not."""
    return [election.project_ids[s.project] for s in greedy_steps(election)]


RULES = ("greedy", "mes", "mes-add1", "mes-add1-greedy", "equal-shares", "phragmen")


MES_RULES = ("mes", "mes-add1", "mes-add1-greedy", "equal-shares")


@dataclass
class MesSettings:
    increment: int | None  # None: plain MES; else the add1 loop's step
    stop_when_exhaustive: bool
    completion: bool  # greedy completion afterwards


def mes_settings(election: Election, rule: str) -> MesSettings:
    """How each MES-family rule name runs MES (`equal-shares` reads the file's META rule)."""
    if rule == "mes":
        return MesSettings(None, True, False)
    if rule in ("mes-add1", "mes-add1-greedy"):
        return MesSettings(1, True, rule == "mes-add1-greedy")
    if rule == "equal-shares":
        return MesSettings(1, False, "greedy" in election.meta.get("rule", ""))
    raise ValueError(f"{rule} is not a Method of Equal Shares rule")


def cardinal(election: Election, rule: str) -> Election:
    """Ordinal ballots counted with Borda points (pabutools' Additive_Borda_Sat); Phragmén needs approvals."""
    if election.vote_type != "ordinal":
        return election
    if rule == "phragmen":
        raise ValueError("sequential Phragmén applies to approval ballots only")
    return with_borda_points(election)


def tally(election: Election, rule: str, plain: bool = False) -> list[str]:
    """The winners of `election` under a named rule (the names `commonground pb tally` takes).

    `plain` makes greedy ignore the election's own threshold and no-skip settings.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, not {rule!r}")
    election = cardinal(election, rule)
    if rule == "greedy":
        return greedy(election) if plain or not has_city_settings(election) else city_greedy(election)
    if rule == "phragmen":
        return phragmen(election)
    settings = mes_settings(election, rule)
    winners = mes(election, settings.increment, settings.stop_when_exhaustive)
    return complete_greedily(election, winners) if settings.completion else winners
