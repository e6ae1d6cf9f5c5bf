"""Readers for the English Indices of Deprivation files (2019 "File 2"/"File 5" and compact layouts)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from commonground.engine.indices import IMD2019_WEIGHTS
from commonground.engine.tables import DataError, codes, find_column, numeric, read_csv

CODE_COLUMNS = ["LSOA code (2011)", "LSOA code (2021)", "lsoa11_code", "lsoa21_code", "lsoa_code", "lsoa11cd"]

# Per domain: headers used for ranks in File 2 and the compact layouts (2019 and 2025).
RANK_COLUMNS: dict[str, list[str]] = {
    "income": ["Income Rank (where 1 is most deprived)", "Income_rank"],
    "employment": ["Employment Rank (where 1 is most deprived)", "Employment_rank"],
    "education": ["Education, Skills and Training Rank (where 1 is most deprived)", "Education_rank"],
    "health": ["Health Deprivation and Disability Rank (where 1 is most deprived)", "Health_rank"],
    "crime": ["Crime Rank (where 1 is most deprived)", "Crime_rank"],
    "barriers": ["Barriers to Housing and Services Rank (where 1 is most deprived)", "Housing_and_Access_rank",
                 "Housing_and_Services_rank"],
    "living_environment": ["Living Environment Rank (where 1 is most deprived)", "Environment_rank"],
}  # fmt: skip
# File 5 ("scores") headers; when present, scores are used instead of ranks.
SCORE_COLUMNS: dict[str, list[str]] = {
    "income": ["Income Score (rate)", "Income_score"],
    "employment": ["Employment Score (rate)", "Employment_score"],
    "education": ["Education, Skills and Training Score", "Education_score"],
    "health": ["Health Deprivation and Disability Score", "Health_score"],
    "crime": ["Crime Score", "Crime_score"],
    "barriers": ["Barriers to Housing and Services Score", "Housing_and_Access_score", "Housing_and_Services_score"],
    "living_environment": ["Living Environment Score", "Environment_score"],
}


@dataclass(frozen=True)
class DomainTable:
    """Seven IMD domains for every LSOA, either as ranks (1 = most deprived) or as scores."""

    lsoa_codes: np.ndarray
    values: np.ndarray  # rows = LSOAs, columns in IMD2019_WEIGHTS order
    kind: str  # "ranks" or "scores"


def _has_all(frame, options: dict[str, list[str]]) -> bool:
    lowered = {c.lower() for c in frame.columns}
    return all(any(o.lower() in lowered for o in opts) for opts in options.values())


def read_domains(path: Path | str, prefer: str = "ranks") -> DomainTable:
    """Read domain ranks when the file has them, else domain scores (File 5 layout).

    Published ranks come from unrounded scores, so where a file has both (File 7, the compact
    2025 table) the ranks reproduce the IMD more closely than the rounded scores: IMD 2025 to
    0.0007 from ranks against 0.17 from its 3-decimal scores.
    """
    frame = read_csv(path)
    code_column = find_column(frame, path, CODE_COLUMNS, "the LSOA code")
    lsoa = codes(frame, path, code_column)
    order = list(IMD2019_WEIGHTS)
    has_ranks, has_scores = _has_all(frame, RANK_COLUMNS), _has_all(frame, SCORE_COLUMNS)
    if has_scores and (prefer == "scores" or not has_ranks):
        kind, columns = "scores", SCORE_COLUMNS
    else:
        kind, columns = "ranks", RANK_COLUMNS
    matrix = np.column_stack(
        [numeric(frame, path, find_column(frame, path, columns[d], f"the {d} domain {kind[:-1]}")) for d in order]
    )
    if kind == "ranks":
        n = matrix.shape[0]
        for j, domain in enumerate(order):
            outside = np.flatnonzero((matrix[:, j] < 1) | (matrix[:, j] > n))
            if outside.size:
                column = find_column(frame, path, columns[domain], domain)
                raise DataError(path, f"a rank must be between 1 and {n} (the number of LSOAs)",
                                row=int(outside[0]) + 2, column=column)  # fmt: skip
    return DomainTable(lsoa_codes=lsoa, values=matrix, kind=kind)
