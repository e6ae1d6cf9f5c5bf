"""England-wide recompute: 32,844 LSOA domain ranks → IMD → 2017 wards (score, rank, decile, extent).

Inputs are read once (file reading is not the recompute); then the recompute is timed, median of
repeats, next to a plain pandas groupby-apply baseline doing the same weighted means in the same run.
Usage: python benchmarks/places_recompute.py [--data ../shared/data] [--repeats 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from commonground.engine import geography, imd_files, indices, national


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    domains = imd_files.read_domains(args.data / "imd2019" / "File_2_-_IoD2019_Domains_of_Deprivation.csv")
    population = geography.align(
        geography.read_population(args.data / national.IMD2019_POPULATION), domains.lsoa_codes, "population"
    )
    lookup = geography.read_lookup(args.data / national.LOOKUP_LSOA11_WARD17, "lsoa11", "ward17")
    parent_of = np.array([lookup.get(c, "") for c in domains.lsoa_codes], dtype=object)

    def ours() -> pd.DataFrame:
        result = indices.imd_from_domain_ranks(domains.values)
        table = geography.LsoaTable(domains.lsoa_codes, result.score, result.rank, population)
        return geography.aggregate(table, parent_of)

    def baseline() -> pd.Series:
        result = indices.imd_from_domain_ranks(domains.values)
        frame = pd.DataFrame({"ward": parent_of, "score": result.score, "pop": population})
        frame = frame[frame["ward"] != ""]
        return frame.groupby("ward").apply(lambda g: np.average(g["score"], weights=g["pop"]), include_groups=False)

    wards = ours()
    check = baseline().reindex(wards["code"]).to_numpy()
    assert np.allclose(wards["score"].to_numpy(), check), "baseline and engine disagree"
    t_ours = median_seconds(ours, args.repeats)
    t_base = median_seconds(baseline, max(3, args.repeats // 5))
    print(f"| England recompute: {domains.values.shape[0]:,} LSOAs → {len(wards):,} wards | "
          f"{t_ours * 1000:.1f} ms | {t_base * 1000:.1f} ms | {t_base / t_ours:.1f}× |")  # fmt: skip


if __name__ == "__main__":
    main()
