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
run and always exact; where proofs cost more than the runs they save, it sweeps unit runs. A proof
that fails after branching is tried again settling near-ties exactly (`_affine_winner`): ties that
hold across the whole interval would otherwise send the loop to unit steps for tens of thousands
of units.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from commonground.engine.pb.mes_interval import interval_run
from commonground.engine.pb.mes_runs import Prepared, Trace, exact_run, run
from commonground.engine.pb.profile import Election

PROBE_AFTER = 4  # add1 tries a jump wider than the last that failed after 4 proofs at half its width
FADE = 0.75  # add1 weighs proofs' cost against unit runs over its last few proofs


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
    settle_wait = settle_gap = 0  # after settling fails to rule anything out, skip it for a growing while
    why = stop(frozenset(current.selected))
    while why is None:
        if jump > 1 and not sweep:
            runs, tried = runs + 1, tried + 1
            low, high = start + k * step, start + (k + jump) * step
            proof = interval_run(prep, low, high)
            proven = proof.outcomes is not None and all(stop(o) is None for o in proof.outcomes)
            cost = proof.rounds
            if not proven and proof.branched and settle_wait:
                settle_wait -= 1
            elif not proven and proof.branched:  # settle the near-ties exactly, as they may hold throughout
                unsettled, proof = proof.outcomes, interval_run(prep, low, high, settle=True)
                proven = proof.outcomes is not None and all(stop(o) is None for o in proof.outcomes)
                cost += proof.rounds
                useful = proof.outcomes != unsettled  # it ruled some sets out
                settle_gap = 0 if useful else min(2 * settle_gap + 1, 64)
                settle_wait = settle_gap
            spent, gained = FADE * spent + 2 * cost, FADE * gained + (jump if proven else 0)
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
