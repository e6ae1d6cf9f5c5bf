"""PB rules, exact: greedy utilitarian welfare and the Method of Equal Shares (with add1).

Definitions: Peters, Pierczyński and Skowron, "Proportional participatory budgeting with additive
utilities" (NeurIPS 2021) for MES; pabutools 1.2.3 for the conventions this must reproduce:
satisfaction is the project's cost for approval-type ballots (Cost_Sat) and the points given for
cumulative and scoring ballots (Additive_Cardinal_Sat); ties go to the lexicographically smallest
project id. Arithmetic is in Fractions where budgets are compared, so no float rounding can change
a winner.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from commonground.engine.pb.profile import Election


def satisfactions(election: Election) -> np.ndarray:
    """Each ballot entry's satisfaction: the project's cost (approval) or the points (cardinal)."""
    if election.ballot_points is not None:
        return election.ballot_points.astype(object)
    costs = np.array(election.costs, dtype=object)
    return costs[election.ballot_projects]


def _supporters(election: Election, sats: np.ndarray) -> list[list[tuple[int, object]]]:
    voters = election.voter_of_entry()
    supporters: list[list[tuple[int, object]]] = [[] for _ in range(election.n_projects)]
    for voter, project, sat in zip(voters.tolist(), election.ballot_projects.tolist(), sats.tolist(), strict=True):
        if sat > 0:
            supporters[project].append((voter, sat))
    return supporters


def greedy(election: Election) -> list[str]:
    """Projects by total satisfaction per unit of cost (ties: project id), skipping what does not fit."""
    sats = satisfactions(election)
    total = [0] * election.n_projects
    for project, sat in zip(election.ballot_projects.tolist(), sats.tolist(), strict=True):
        total[project] += sat
    ids = election.project_ids

    def density(p: int) -> Fraction | float:
        if total[p] <= 0:
            return Fraction(0)
        return float("inf") if election.costs[p] == 0 else Fraction(total[p]) / Fraction(election.costs[p])

    by_name = sorted(range(election.n_projects), key=lambda p: ids[p])
    order = sorted(by_name, key=lambda p: -density(p))
    left = Fraction(election.budget)
    chosen = []
    for p in order:
        if election.costs[p] <= left:
            chosen.append(ids[p])
            left -= election.costs[p]
    return chosen


def has_city_settings(election: Election) -> bool:
    """True when the file records the city's own greedy settings (a vote threshold or no-skip)."""
    rule = election.meta.get("rule", "")
    return "min_project_score_threshold" in election.meta or "no-skip" in rule or "threshold" in rule


def city_greedy(election: Election) -> list[str]:
    """Greedy as the city ran it (pabulib META): most support first (approvals, or points for
    cumulative ballots), ties to the cheaper project then the lower id; projects below
    `min_project_score_threshold` are out; with a "no-skip" rule, stop at the first project that
    does not fit. Reproduces the official winners of Warsaw 2026, Łódź 2022, Katowice 2023,
    Wrocław 2015 and 2018, and Gdynia 2023."""
    weights = election.ballot_points if election.ballot_points is not None else None
    support = np.bincount(election.ballot_projects, weights=weights, minlength=election.n_projects)
    threshold = float(election.meta.get("min_project_score_threshold", 0) or 0)
    no_skip = "no-skip" in election.meta.get("rule", "")
    order = sorted(range(election.n_projects), key=lambda p: (-support[p], election.costs[p], election.project_ids[p]))
    left = Fraction(election.budget)
    chosen = []
    for p in order:
        if support[p] < threshold:
            continue
        if election.costs[p] <= left:
            chosen.append(election.project_ids[p])
            left -= election.costs[p]
        elif no_skip:
            break
    return chosen


def mes_trace(election: Election, increment: int | Fraction | None = None, stop_when_exhaustive: bool = True):
    """The MES run whose outcome `mes` returns (rounds, prices, money left), for explanations."""
    from commonground.engine.pb import mes as fast

    prep = fast.Prepared(election)
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


def phragmen(election: Election) -> list[str]:
    """Sequential Phragmén for approval ballots (Brill, Freeman, Janson, Lackner 2017; the PB form
    of Los, Christoff and Grossi 2022), as pabutools 1.2.3 runs it.

    Each step funds the project whose supporters' new common load (their loads so far plus the
    cost, shared equally) would be lowest, ties to the lower id. It stops, rather than skips, when
    a cheapest-load project does not fit.
    """
    if election.ballot_points is not None:
        raise ValueError("sequential Phragmén applies to approval ballots only")
    supporters = [[] for _ in range(election.n_projects)]
    for voter, project in zip(election.voter_of_entry().tolist(), election.ballot_projects.tolist(), strict=True):
        supporters[project].append(voter)
    load = [Fraction(0)] * election.n_voters
    remaining = {p for p in range(election.n_projects) if election.costs[p] <= election.budget}
    spent = Fraction(0)
    chosen: list[str] = []
    ids = election.project_ids
    while remaining:
        best: Fraction | float | None = None
        tied: list[int] = []
        for p in remaining:
            supp = supporters[p]
            value = (sum(load[i] for i in supp) + election.costs[p]) / Fraction(len(supp)) if supp else float("inf")
            if best is None or value < best:
                best, tied = value, [p]
            elif value == best:
                tied.append(p)
        if any(spent + election.costs[p] > election.budget for p in tied):
            break
        pick = min(tied, key=lambda q: ids[q])
        for i in supporters[pick]:
            load[i] = best
        chosen.append(ids[pick])
        spent += election.costs[pick]
        remaining.discard(pick)
    return chosen


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
    budget = election.budget
    election.budget = sum(election.costs)
    try:
        return greedy(election)
    finally:
        election.budget = budget


RULES = ("greedy", "mes", "mes-add1", "mes-add1-greedy", "equal-shares", "phragmen")


def tally(election: Election, rule: str, plain: bool = False) -> list[str]:
    """The winners of `election` under a named rule (the names `commonground pb tally` takes).

    `plain` makes greedy ignore the election's own threshold and no-skip settings.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, not {rule!r}")
    if election.vote_type == "ordinal":
        raise ValueError(f"ordinal ballots are not supported by {rule} yet")
    if rule == "greedy":
        return greedy(election) if plain or not has_city_settings(election) else city_greedy(election)
    if rule == "equal-shares":
        return equal_shares(election)
    if rule == "phragmen":
        return phragmen(election)
    winners = mes(election, increment=None if rule == "mes" else 1)
    return complete_greedily(election, winners) if rule == "mes-add1-greedy" else winners
