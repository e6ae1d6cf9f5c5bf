"""PB rules with ring-fences against the same rules without them, in the same run (a ratio).

Each value of a PROJECTS column gets a floor: `--factor` × its share of the approvals (or points),
at most `--factor` × what its projects cost, rounded down to 0.1% of the budget. The .pb file is
read once; each timing is one tally (MES preparation included), the median of `--repeats`. Usage:
python benchmarks/pb_constrained.py [--pabulib ../shared/pabulib] [--case FILE:COLUMN ...]
                                    [--rules R ...] [--factor 0.5] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from commonground.engine.pb import constrained, pabulib, rules
from commonground.engine.pb.constraints import Infeasible, RingFence

CASES = ["Poland_Warszawa_2026:category", "France_Toulouse_2024:district"]


def floors(election, column: str, factor: Fraction) -> list[RingFence]:
    """A floor for every value of `column`, from its share of the support and of the cost."""
    weights = election.ballot_points if election.ballot_points is not None else None
    support = np.bincount(election.ballot_projects, weights=weights, minlength=election.n_projects)
    fences = []
    values = sorted({v for row in election.projects for v in (x.strip() for x in row[column].split(",")) if v})
    for value in values:
        fence = RingFence(column, value, Fraction(0))
        inside = fence.members(election)
        voted = Fraction(int(support[inside].sum()), int(support.sum()))
        costs = Fraction(sum(election.costs[p] for p in inside)) / election.budget
        share = Fraction(int(factor * min(voted, costs) * 1000), 1000)
        if share:
            fences.append(RingFence(column, value, share))
    return fences


def median_seconds(repeats: int, call, *args):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = call(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pabulib", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "pabulib")
    parser.add_argument("--case", nargs="*", default=CASES, help="FILE:COLUMN, a floor for each value of COLUMN")
    parser.add_argument("--rules", nargs="*", default=list(constrained.RULES))
    parser.add_argument("--factor", type=Fraction, default=Fraction(1, 2))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print("| file | floors | rule | without | with | ratio | winners changed | every floor met |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for case in args.case:
        name, column = case.split(":")
        election = pabulib.read(args.pabulib / f"{name}.pb")
        fences = floors(election, column, args.factor)
        total = sum((f.min_share for f in fences), Fraction(0))
        described = f"{len(fences)} by {column}, {float(total):.1%} in all"
        for rule in args.rules:
            plain, winners = median_seconds(args.repeats, rules.tally, election, rule)
            try:
                fenced, outcome = median_seconds(args.repeats, constrained.tally, election, rule, fences)
            except Infeasible as exc:
                print(f"| {name} | {described} | {rule} | {plain:.2f} s | infeasible: {exc} | | | |", flush=True)
                continue
            print(
                f"| {name} | {described} | {rule} | {plain:.2f} s | {fenced:.2f} s | {fenced / plain:.1f}× "
                f"| {len(set(winners) ^ set(outcome.winners))} | {all(r.met for r in outcome.fences)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
