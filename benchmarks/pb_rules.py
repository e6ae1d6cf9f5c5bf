"""PB rules against pabutools 1.2.3 in the same run (a ratio, since machines are noisy).

Each timing includes parsing the .pb file. Usage:
python benchmarks/pb_rules.py [--pabulib ../shared/pabulib] [--files NAME ...]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from commonground.engine.pb import pabulib, rules

DEFAULT = ["Netherlands_Assen_2024", "Hungary_Veszprem_2025", "Poland_Swiecie_2023",
           "Poland_Wieliczka_2023_Green_Budget", "France_Toulouse_2024"]  # fmt: skip


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pabulib", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "pabulib")
    parser.add_argument("--files", nargs="*", default=DEFAULT)
    args = parser.parse_args()
    print("| file | rule | ours | pabutools | ratio | same winners |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in args.files:
        path = args.pabulib / f"{name}.pb"
        for rule in ("greedy", "mes"):
            t_ours, ours = timed(lambda path=path, rule=rule: ours_winners(path, rule))
            t_ref, ref = timed(lambda path=path, rule=rule: reference_winners(path, rule))
            print(f"| {name} | {rule} | {t_ours:.2f} s | {t_ref:.2f} s | {t_ref / t_ours:.1f}× | {ours == ref} |")


def ours_winners(path: Path, rule: str) -> list[str]:
    election = pabulib.read(path)
    return sorted(rules.greedy(election) if rule == "greedy" else rules.mes(election))


def reference_winners(path: Path, rule: str) -> list[str]:
    from pabutools.election import Additive_Cardinal_Sat, Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    inst, prof = parse_pabulib(str(path))
    sat = Additive_Cardinal_Sat if inst.meta["vote_type"] in ("cumulative", "scoring") else Cost_Sat
    result = (
        greedy_utilitarian_welfare(inst, prof, sat_class=sat)
        if rule == "greedy"
        else method_of_equal_shares(inst, prof, sat_class=sat)
    )
    return sorted(p.name for p in result)


if __name__ == "__main__":
    main()
