"""PB rules that respect ring-fences (constraints.py): greedy with quotas, and the Method of Equal
Shares with ring-fences. Both are our own designs, built on the engine's greedy order and MES runs;
no published rule puts floors on MES (docs/pb.md, "Ring-fences", has the definitions and why every
ring-fence holds).

One test underlies both. A set of projects is *feasible* when it can be completed within the
budget into one that meets every ring-fence (constraints.Feasibility, exact); a project is
*admissible* after a feasible set when the set with it is still feasible. Admissibility is only
ever lost as the set grows, so a project passed over once can be dropped for good. With no
ring-fences, admissible means "fits the money left", and every rule here is today's rule exactly.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from commonground.engine.pb import mes_interval, mes_runs, rules
from commonground.engine.pb.constraints import Feasibility, RingFence, amount, check, first_infeasible, percent
from commonground.engine.pb.profile import Election, Number, with_borda_points

RULES = ("greedy", "mes", "mes-add1", "mes-add1-greedy", "equal-shares")


@dataclass
class FenceResult:
    """What one ring-fence got in the outcome."""

    fence: RingFence
    spent: Number
    share: Fraction  # of the budget
    met: bool

    def as_dict(self) -> dict:
        def share(value: Fraction | None) -> float | None:
            return None if value is None else float(value)

        return {
            "field": self.fence.field,
            "value": self.fence.value,
            "min_share": share(self.fence.min_share),
            "max_share": share(self.fence.max_share),
            "spent": self.spent,
            "share": float(self.share),
            "met": self.met,
        }

    def summary(self) -> str:
        """One line, e.g. "category = youth-led: 60,000 (30% of the budget), at least 25%: met"."""
        low, high = self.fence.min_share, self.fence.max_share
        bounds = [f"at least {percent(low)}"] if low is not None else []
        bounds += [f"at most {percent(high)}"] if high is not None else []
        got = f"{amount(Fraction(self.spent))} ({percent(self.share)} of the budget)"
        return f"{self.fence.name}: {got}, {' and '.join(bounds)}: {'met' if self.met else 'not met'}"


@dataclass
class Outcome:
    winners: list[str]  # in the order funded
    fences: list[FenceResult]


def tally(election: Election, rule: str, fences: Sequence[RingFence], plain: bool = False) -> Outcome:
    """The winners of `election` under `rule` with every ring-fence met (`plain`: greedy ignores
    the file's threshold and no-skip settings, as in rules.tally).

    Raises ConstraintsError for a ring-fence naming a column or value not in the election, and
    Infeasible, naming the first ring-fence that no outcome can meet.
    """
    if rule not in RULES:
        raise ValueError(f"with ring-fences the rule must be one of {', '.join(RULES)}, not {rule!r}")
    check(fences, election)
    if election.vote_type == "ordinal":
        election = with_borda_points(election)  # as rules.tally counts ordinal ballots
    if rule == "greedy":
        winners = greedy(election, fences, city=not plain and rules.has_city_settings(election))
    else:
        winners = equal_shares(election, fences, rule)
    return Outcome(winners, report(election, fences, winners))


def report(election: Election, fences: Sequence[RingFence], winners: Iterable[str]) -> list[FenceResult]:
    taken = {election.index_of[w] for w in winners}
    budget = Fraction(election.budget)
    results = []
    for fence in fences:
        spent = sum(election.costs[p] for p in fence.members(election) if p in taken)
        low = (fence.min_share or 0) * budget
        high = fence.max_share * budget if fence.max_share is not None else budget
        results.append(FenceResult(fence, spent, spent / budget, low <= spent <= high))
    return results


def _feasibility(
    election: Election, fences: Sequence[RingFence], eligible: Sequence[int], out: str = ""
) -> Feasibility:
    """The exact test for these projects, after making sure the empty outcome passes it (`out`:
    why the other projects are out, for the message)."""
    feasibility = Feasibility(election, fences, eligible)
    if not feasibility.feasible(()):
        first_infeasible(election, fences, eligible, out)
    return feasibility


def _take(order: Iterable[int], chosen: list[int], feasibility: Feasibility, until=None, stop_if_over=None) -> None:
    """Walk `order` adding each admissible project to `chosen`; stop once `until()` holds, or (city
    no-skip) at the first project costing more than the money left, `stop_if_over` being the budget."""
    taken = set(chosen)
    for p in order:
        if until is not None and until(taken):
            return
        if p in taken:
            continue
        if stop_if_over is not None and feasibility.cost[p] > stop_if_over - sum(feasibility.cost[q] for q in taken):
            return
        if feasibility.feasible(taken | {p}):
            chosen.append(p)
            taken.add(p)


def _fill_floors(order: Sequence[int], chosen: list[int], feasibility: Feasibility) -> None:
    """Each floor in turn (file order): its projects in `order`, each taken if admissible, until
    the floor is reached. Every floor is then met (docs/pb.md: an admissible project passed over
    would have been admissible earlier too)."""
    for k, inside in enumerate(feasibility.members):
        floor = feasibility.floor[k]
        if floor > 0:
            _take(
                (p for p in order if p in inside),
                chosen,
                feasibility,
                until=lambda taken, k=k, floor=floor: feasibility.spend(taken)[k] >= floor,
            )


def greedy(election: Election, fences: Sequence[RingFence], city: bool = False) -> list[str]:
    """Greedy with quotas: the engine's greedy order (rules.greedy_steps: votes per unit of cost,
    or the city's settings), each floor first filled from its own projects in that order, then
    every project in that order taken if admissible. With the city's no-skip rule, the second pass
    stops at the first project costing more than the money left; below-threshold projects are out.
    """
    no_skip = city and "no-skip" in election.meta.get("rule", "")
    # The order and the threshold without the stop: greedy_steps then walks every project.
    walked = replace(election, meta={**election.meta, "rule": ""}) if no_skip else election
    order = [s.project for s in rules.greedy_steps(walked, city=city) if s.why != "below-threshold"]
    feasibility = _feasibility(election, fences, order, "under the vote threshold")
    chosen: list[int] = []
    _fill_floors(order, chosen, feasibility)
    _take(order, chosen, feasibility, stop_if_over=feasibility.budget if no_skip else None)
    return [election.project_ids[p] for p in chosen]


def equal_shares(election: Election, fences: Sequence[RingFence], rule: str) -> list[str]:
    """The MES rules with ring-fences: the constrained run at the starting endowment (`run`), the
    add1 loop for the add1 rules (`add1`), then each unmet floor filled in greedy order, then the
    rule's greedy completion among admissible projects."""
    settings = rules.rule_named(rule)
    feasibility = _feasibility(election, fences, range(election.n_projects))
    chosen: list[int] = []
    if election.n_voters:
        prep = mes_runs.Prepared(election)
        trace = run(prep, Fraction(election.budget) / election.n_voters, feasibility)
        if settings.increment is not None:
            trace = add1(prep, feasibility, trace, settings.increment, settings.stop_when_exhaustive)
        chosen = list(trace.selected)
    order = [election.index_of[pid] for pid in rules.greedy_order(election)]
    _fill_floors(order, chosen, feasibility)
    if settings.completes(election):
        _take(order, chosen, feasibility)
    return [election.project_ids[p] for p in chosen]


def run(prep: mes_runs.Prepared, endowment: Fraction, feasibility: Feasibility) -> mes_runs.Trace:
    """MES at `endowment` where each round buys the cheapest affordable *admissible* project.

    Computed with the engine's own runs on shrinking candidate sets: run MES on the projects still
    admissible; at the first round whose purchase is not admissible, drop every project not
    admissible after the rounds before it and run again. The rounds before it are the same in the
    new run (each was the cheapest of a larger set), so only the later ones are checked again.
    """
    restricted = copy.copy(prep)
    free = set(prep.free)
    restricted.candidates = [p for p in prep.candidates if feasibility.feasible(free | {p})]
    checked = 0
    while True:
        trace = mes_runs.run(restricted, endowment)
        chosen = free | {r.project for r in trace.rounds[:checked]}
        for r in trace.rounds[checked:]:
            if not feasibility.feasible(chosen | {r.project}):
                restricted.candidates = [p for p in restricted.candidates
                                         if p in chosen or feasibility.feasible(chosen | {p})]  # fmt: skip
                break
            chosen.add(r.project)
            checked += 1
        else:
            return trace


def add1(
    prep: mes_runs.Prepared, feasibility: Feasibility, start: mes_runs.Trace, increment: int, stop_when_exhaustive: bool
) -> mes_runs.Trace:
    """The add1 loop with ring-fences: from the constrained run at the starting endowment, raise
    every voter's endowment by `increment` while plain MES's outcome stays feasible, keeping the
    last feasible one; with `stop_when_exhaustive`, also stop once no project is admissible.

    "Feasible" takes the place of "within the budget" in today's loop, so with no ring-fences this
    is mes.add1 exactly. Endowments where no outcome can stop the loop are jumped with mes's
    interval proof, doubling the jump while proofs hold and halving it when one fails.
    """
    candidates = frozenset(prep.candidates)
    verdicts: dict[frozenset[int], str | None] = {}

    def stop(chosen: frozenset[int]) -> str | None:
        if chosen not in verdicts:
            why = None
            if not feasibility.feasible(chosen):
                why = "infeasible"
            elif chosen >= candidates:
                why = "exhaustive"  # every supported project is bought: more money changes nothing
            elif stop_when_exhaustive and not any(feasibility.feasible(chosen | {p}) for p in candidates - chosen):
                why = "exhaustive"
            verdicts[chosen] = why
        return verdicts[chosen]

    if stop(frozenset(start.selected)):
        return start
    begin, step = start.endowment, Fraction(increment)
    k, width, last = 0, 2, start  # no endowment begin + i × step with i <= k stops the loop
    while True:
        if width > 1:
            proof = mes_interval.interval_run(prep, begin + (k + 1) * step, begin + (k + width) * step)
            if proof.outcomes is not None and all(stop(o) is None for o in proof.outcomes):
                k, width = k + width, 2 * width
            else:
                width //= 2
            continue
        trace = mes_runs.run(prep, begin + (k + 1) * step)
        why = stop(frozenset(trace.selected))
        if why == "infeasible":
            break
        k, last, width = k + 1, trace, 2
        if why:
            break
    return last if last.endowment == begin + k * step else mes_runs.run(prep, begin + k * step)
