"""PB rules against pabutools 1.2.3 in the same run (a ratio, since machines are noisy).

Every rule on every file; each timing includes parsing the .pb file. pabutools runs in a child
process killed after `--timeout` seconds ("> timeout" in the table). Usage:
python benchmarks/pb_rules.py [--pabulib ../shared/pabulib] [--files NAME ...] [--rules R ...]
                              [--timeout 120] [--no-pabutools]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from commonground.engine.pb import pabulib, rules

# pabutools has no equal-shares with the cities' stop rule and completion.
REFERENCE = ("greedy", "mes", "mes-add1", "mes-add1-greedy", "phragmen")


def ours(path: str, rule: str) -> None:
    """Run by a child process: print the seconds and the winners (or why the rule does not apply)."""
    start = time.perf_counter()
    election = pabulib.read(Path(path))
    try:
        winners: list[str] | str = sorted(rules.tally(election, rule, plain=True))
    except ValueError as exc:
        winners = f"n/a ({exc})"
    print(json.dumps([time.perf_counter() - start, winners]))


def reference(path: str, rule: str) -> None:
    """Run by the child process: print the seconds and the winners as JSON."""
    from pabutools.election import Additive_Borda_Sat, Additive_Cardinal_Sat, Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen

    start = time.perf_counter()
    inst, prof = parse_pabulib(path)
    vote_type = inst.meta["vote_type"]
    sat = {"cumulative": Additive_Cardinal_Sat, "scoring": Additive_Cardinal_Sat, "ordinal": Additive_Borda_Sat}.get(
        vote_type, Cost_Sat
    )
    if rule == "greedy":
        result = greedy_utilitarian_welfare(inst, prof, sat_class=sat)
    elif rule == "phragmen":
        result = sequential_phragmen(inst, prof)
    else:
        increment = None if rule == "mes" else 1
        result = method_of_equal_shares(inst, prof, sat_class=sat, voter_budget_increment=increment)
        if rule == "mes-add1-greedy":
            result = greedy_utilitarian_welfare(inst, prof, sat_class=sat, initial_budget_allocation=result)
    print(json.dumps([time.perf_counter() - start, sorted(p.name for p in result)]))


def timed(side: str, path: Path, rule: str, timeout: float) -> tuple[float, list[str] | str] | None:
    """Seconds and winners of `ours` or `reference` in a fresh process, None after `timeout`."""
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import pb_rules; "
    code += f"pb_rules.{side}({str(path)!r}, {rule!r})"
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)  # noqa: S603 (our own code)
    except subprocess.TimeoutExpired:
        return None
    seconds, winners = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds, winners


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pabulib", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "pabulib")
    parser.add_argument("--files", nargs="*")
    parser.add_argument("--rules", nargs="*", default=list(rules.RULES))
    parser.add_argument("--timeout", type=float, default=120, help="seconds allowed to pabutools per run")
    parser.add_argument("--our-timeout", type=float, default=60, help="seconds allowed to ours per run")
    parser.add_argument("--no-pabutools", action="store_true")
    args = parser.parse_args()
    names = args.files or sorted(p.stem for p in args.pabulib.glob("*.pb"))
    print("| file | voters | rule | ours | pabutools | ratio | same winners |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in names:
        path = args.pabulib / f"{name}.pb"
        voters = pabulib.read(path).n_voters
        for rule in args.rules:
            mine = timed("ours", path, rule, args.our_timeout)
            if mine is None:
                print(f"| {name} | {voters:,} | {rule} | > {args.our_timeout:.0f} s | | | |", flush=True)
                continue
            seconds, winners = mine
            if isinstance(winners, str):
                print(f"| {name} | {voters:,} | {rule} | {winners} | | | |", flush=True)
                continue
            ref = None if args.no_pabutools or rule not in REFERENCE else timed("reference", path, rule, args.timeout)
            if ref is None:
                shown = "—" if args.no_pabutools or rule not in REFERENCE else f"> {args.timeout:.0f} s"
                print(f"| {name} | {voters:,} | {rule} | {seconds:.2f} s | {shown} | | |", flush=True)
            else:
                ratio = ref[0] / seconds
                print(
                    f"| {name} | {voters:,} | {rule} | {seconds:.2f} s | {ref[0]:.2f} s | {ratio:.1f}× "
                    f"| {winners == ref[1]} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
