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

from commonground.engine.pb import mes as fast
from commonground.engine.pb import mes_runs
from commonground.engine.pb.profile import Election, with_borda_points


def project_satisfaction(election: Election) -> list:
    """Each project's total satisfaction, exactly: approvals × cost, or the points given."""
    if election.ballot_points is not None:
        points = np.zeros(election.n_projects, dtype=np.int64)
        np.add.at(points, election.ballot_projects, election.ballot_points)
        return [int(x) for x in points]
    return [int(n) * c for n, c in zip(election.approvals().tolist(), election.costs, strict=True)]


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
    prep = mes_runs.Prepared(election)
    if not election.n_voters:  # no one voted (a site process closed with no ballots): no one has money
        return mes_runs.Trace(Fraction(0), [], [], np.zeros(0))
    if increment is None:
        return mes_runs.run(prep, Fraction(election.budget) / election.n_voters)
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


def equal_shares(election: Election, completion: bool | None = None) -> list[str]:
    """The Method of Equal Shares as cities run it: cost utilities, add1 until the next step would
    overspend, then greedy completion of what is left if `completion`, or, when None, if the
    election's META `rule` says so (e.g. "equalshares/add1" has none)."""
    return tally(election, "equal-shares", completion=completion)


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


@dataclass(frozen=True)
class Rule:
    """One PB rule, everything about it in one place: how `tally` and `explain` run it and, for the
    rules a web process can use (those with a label), what officers and residents are told and what
    the process's .pb file records as its META `rule`."""

    name: str  # as `commonground pb tally --rule` takes it
    family: str  # greedy | mes | phragmen: the count and the explainer that run it
    increment: int | None = None  # MES: None is plain MES, 1 the add1 loop
    stop_when_exhaustive: bool = True  # MES: pabutools' stop; False stops only on overspending, as cities do
    completion: bool | None = False  # greedy completion afterwards; None: the caller's, else the META's say
    approval_only: bool = False  # counts approval-type ballots only
    label: str = ""  # an officer's choice for a web process (empty: the command line only)
    plain: str = ""  # what it does, in plain English for residents
    meta: str = ""  # the .pb META `rule` of a process counted with it; {completion} is "/greedy" or ""

    def completes(self, election: Election, completion: bool | None = None) -> bool:
        """Whether greedy completion follows: fixed by the rule, else `completion`, else the election's META."""
        if self.completion is not None:
            return self.completion
        return completion if completion is not None else "greedy" in election.meta.get("rule", "")

    def meta_rule(self, completion: bool) -> str:
        return self.meta.format(completion="/greedy" if completion else "")


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            "equal-shares", "mes", increment=1, stop_when_exhaustive=False, completion=None,
            label="Method of Equal Shares", meta="equalshares/add1{completion}",
            plain="The Method of Equal Shares: the budget is split equally between voters, and a project wins when "
            "its supporters can pay for it together from their shares. Projects are bought cheapest per "
            "supporter first, so every group of residents gets projects in proportion to its size.",
        ),
        Rule(
            "greedy", "greedy", label="Most votes first (greedy)", meta="greedy",
            plain="Most votes first: projects are funded in order of votes (or points) per pound, skipping any "
            "that no longer fit, until the money runs out.",
        ),
        Rule(
            "phragmen", "phragmen", approval_only=True, label="Sequential Phragmén", meta="phragmen",
            plain="Sequential Phragmén: projects are funded one at a time, each time choosing the one whose "
            "supporters, sharing its cost, would carry the smallest load so far.",
        ),
        Rule("mes", "mes"),
        Rule("mes-add1", "mes", increment=1),
        Rule("mes-add1-greedy", "mes", increment=1, completion=True),
    )
}  # fmt: skip
WEB_RULES = [rule for rule in RULES.values() if rule.label]


def rule_named(name: str) -> Rule:
    if name not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, not {name!r}")
    return RULES[name]


def cardinal(election: Election, rule: Rule) -> Election:
    """Ordinal ballots counted with Borda points (pabutools' Additive_Borda_Sat); Phragmén needs approvals."""
    if election.vote_type != "ordinal":
        return election
    if rule.approval_only:
        raise ValueError(f"{rule.label or rule.name} applies to approval ballots only")
    return with_borda_points(election)


def tally(election: Election, rule: str, plain: bool = False, completion: bool | None = None) -> list[str]:
    """The winners of `election` under a named rule (RULES).

    `plain` makes greedy ignore the election's own threshold and no-skip settings; `completion` says
    whether greedy completion follows for a rule that leaves it open (equal-shares), instead of the
    election's META `rule`.
    """
    found = rule_named(rule)
    election = cardinal(election, found)
    if found.family == "greedy":
        return greedy(election) if plain or not has_city_settings(election) else city_greedy(election)
    if found.family == "phragmen":
        return phragmen(election)
    winners = mes(election, found.increment, found.stop_when_exhaustive)
    return complete_greedily(election, winners) if found.completes(election, completion) else winners
