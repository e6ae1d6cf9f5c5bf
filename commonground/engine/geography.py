"""Aggregate LSOA figures to wards, local authorities and regions (population-weighted).

Summary measures follow the IoD 2019 Technical Report, chapter on higher-level geographies (kept in
IoD 2025, File 10): average score and average rank (population-weighted), proportion of LSOAs in the
most deprived 10% nationally, and extent (population in the most deprived 30%, on a sliding weight).
Vectorised with NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from commonground.engine.indices import deciles, ranks_most_deprived_first
from commonground.engine.tables import DataError, codes, find_column, numeric, read_csv


def extent_weights(lsoa_ranks: np.ndarray, n: int) -> np.ndarray:
    """IoD extent weights: 1 in the most deprived 10%, then 0.95 at the 11th percentile falling
    linearly to 0.05 at the 30th, and 0 beyond (IoD 2019 Technical Report, "Extent").

    Percentile = ceil(100 × rank / N). Reproduces the published 2019 district extents to 1e-4.
    """
    percentile = np.ceil(100 * np.asarray(lsoa_ranks, dtype=float) / n)
    sliding = 0.95 - (percentile - 11) * 0.9 / 19
    return np.where(percentile <= 10, 1.0, np.where(percentile <= 30, sliding, 0.0))


@dataclass(frozen=True)
class LsoaTable:
    """National LSOA figures the aggregations start from; arrays aligned by position."""

    codes: np.ndarray
    score: np.ndarray
    rank: np.ndarray  # national rank, 1 = most deprived
    population: np.ndarray

    @property
    def n(self) -> int:
        return int(self.codes.size)


def aggregate(lsoas: LsoaTable, parent_of: np.ndarray) -> pd.DataFrame:
    """One row per parent area: population, LSOA count, score, rank, decile, average rank, proportion, extent.

    The average rank follows the IoD convention, the most deprived LSOA counting N: higher is more deprived.

    `parent_of[i]` is the parent code of LSOA i ("" or None where it has none: left out).
    """
    parents = pd.Series(parent_of, dtype=object).fillna("").to_numpy()
    keep = parents != ""
    index, uniques = pd.factorize(parents[keep], sort=True)
    k = uniques.size
    pop = lsoas.population[keep]
    weighted = np.bincount(index, weights=pop * lsoas.score[keep], minlength=k)
    population = np.bincount(index, weights=pop, minlength=k)
    if (population <= 0).any():
        bad = uniques[np.flatnonzero(population <= 0)[0]]
        raise ValueError(f"area {bad} has no population to weight by")
    score = weighted / population
    most_deprived = (lsoas.rank[keep] <= lsoas.n / 10).astype(float)
    count = np.bincount(index, minlength=k)
    proportion = np.bincount(index, weights=most_deprived, minlength=k) / count
    pop_share = np.bincount(index, weights=most_deprived * pop, minlength=k) / population
    extent = np.bincount(index, weights=extent_weights(lsoas.rank[keep], lsoas.n) * pop, minlength=k) / population
    reversed_rank = lsoas.n + 1 - lsoas.rank[keep]
    average_rank = np.bincount(index, weights=reversed_rank * pop, minlength=k) / population
    rank = ranks_most_deprived_first(score)
    return pd.DataFrame(
        {
            "code": uniques.astype(str),
            "population": population,
            "lsoas": count,
            "score": score,
            "rank": rank,
            "decile": deciles(rank),
            "average_rank": average_rank,
            "proportion_lsoas_most_deprived_10pc": proportion,
            "population_share_most_deprived_10pc": pop_share,
            "extent": extent,
        }
    )


def read_lookup(path: Path | str, child_prefix: str, parent_prefix: str) -> dict[str, str]:
    """Child→parent codes from a lookup CSV whose code columns start with the given prefixes.

    E.g. child_prefix="lsoa11", parent_prefix="ward17" for lookup_lsoa11_ward17.csv.
    """
    frame = read_csv(path)
    child = find_column(frame, path, [f"{child_prefix}_code", f"{child_prefix}cd", child_prefix], child_prefix)
    parent = find_column(frame, path, [f"{parent_prefix}_code", f"{parent_prefix}cd", parent_prefix], parent_prefix)
    children = codes(frame, path, child)
    return dict(zip(children, frame[parent].str.strip().str.upper(), strict=True))


def read_population(path: Path | str) -> dict[str, float]:
    """LSOA populations from File 6 or File 7 (IoD denominators) or an ONS mid-year table."""
    frame = read_csv(path)
    code = find_column(frame, path, ["LSOA code (2011)", "LSOA code (2021)", "lsoa11_code", "lsoa21_code",
                                     "lsoa_code", "LSOA21CD"], "the LSOA code")  # fmt: skip
    named = ["Total population: mid 2015 (excluding prisoners)", "Total population: mid 2022", "pop_total_mid2019",
             "pop_total_mid2022", "pop_total", "total", "total_population", "population", "All Ages"]  # fmt: skip
    # a newer table may name it otherwise ("population_total"): any one column saying "total" will do
    named += [c for c in frame.columns if "total" in c.lower()][:1]
    total = find_column(frame, path, named, "the total population")
    values = numeric(frame, path, total)
    negative = np.flatnonzero(values < 0)
    if negative.size:
        raise DataError(path, "population cannot be negative", row=int(negative[0]) + 2, column=total)
    return dict(zip(codes(frame, path, code), values, strict=True))


def align(values: dict[str, float], keys: np.ndarray, what: str) -> np.ndarray:
    """Values for `keys` in order; every key must be present."""
    out = np.array([values.get(k, np.nan) for k in keys], dtype=float)
    if np.isnan(out).any():
        missing = [k for k, v in zip(keys, out, strict=True) if np.isnan(v)][:5]
        raise ValueError(f"{what} is missing for {int(np.isnan(out).sum())} LSOAs, e.g. {missing}")
    return out
