"""Deprivation-style composite indices: ranks, the IoD exponential transform, weights, deciles.

Method: The English Indices of Deprivation 2019, Technical Report (McLennan et al., MHCLG,
September 2019), chapter 3 and appendices. Pure NumPy; no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

# IoD 2019 Technical Report, table 3.1: domain weights of the Index of Multiple Deprivation.
IMD2019_WEIGHTS: dict[str, float] = {
    "income": 0.225,
    "employment": 0.225,
    "education": 0.135,
    "health": 0.135,
    "crime": 0.093,
    "barriers": 0.093,
    "living_environment": 0.093,
}
IMD2019_DOMAIN_NAMES: dict[str, str] = {
    "income": "Income",
    "employment": "Employment",
    "education": "Education, Skills and Training",
    "health": "Health Deprivation and Disability",
    "crime": "Crime",
    "barriers": "Barriers to Housing and Services",
    "living_environment": "Living Environment",
}

# IoD 2019 Technical Report, appendix: the exponential transformation constant (23) that
# stretches the most deprived end so deprivation in one domain is not cancelled by another.
EXPONENTIAL_CONSTANT = 23.0


def ranks_most_deprived_first(scores: ArrayLike, higher_is_more_deprived: bool = True) -> NDArray[np.int64]:
    """Ordinal ranks, 1 = most deprived; ties keep input order (as the published files do)."""
    values = np.asarray(scores, dtype=float)
    if np.isnan(values).any():
        raise ValueError(f"cannot rank: {int(np.isnan(values).sum())} missing values")
    key = -values if higher_is_more_deprived else values
    order = np.argsort(key, kind="stable")
    ranks = np.empty(values.size, dtype=np.int64)
    ranks[order] = np.arange(1, values.size + 1)
    return ranks


def tied_ranks_most_deprived_first(scores: ArrayLike) -> NDArray[np.int64]:
    """Competition ranks (1, 2, 2, 4), 1 = highest: equal scores share a rank, as in the IoD files.

    Used before the exponential transform so tied domain scores get the same transformed value.
    """
    from scipy.stats import rankdata

    return rankdata(-np.asarray(scores, dtype=float), method="min").astype(np.int64)


def exponential_transform(ranks: ArrayLike, n: int | None = None) -> NDArray[np.float64]:
    """X = -23 ln(1 - R(1 - exp(-100/23))), R = scaled rank, 1/N least deprived .. 1 most deprived.

    IoD 2019 Technical Report, appendix on combining domains (the same transform since IoD 2004).
    Output runs from about 0 (least deprived) to 100 (most deprived).
    """
    r = np.asarray(ranks, dtype=float)
    total = r.size if n is None else n
    scaled = (total + 1 - r) / total
    return -EXPONENTIAL_CONSTANT * np.log(1 - scaled * (1 - np.exp(-100 / EXPONENTIAL_CONSTANT)))


def normal_scores(values: ArrayLike, higher_is_more_need: bool = True) -> NDArray[np.float64]:
    """Rank-based normal scores, y = Φ⁻¹(r / (n + 1)), r = 1 for the least need.

    IoD 2019 Technical Report, appendix on standardisation: used to put indicators with
    different units on one scale before they are combined within a domain.
    """
    from scipy.special import ndtri

    x = np.asarray(values, dtype=float)
    ranks_least_first = ranks_most_deprived_first(x, higher_is_more_deprived=not higher_is_more_need)
    return ndtri(ranks_least_first / (x.size + 1))


def deciles(ranks: ArrayLike, n: int | None = None) -> NDArray[np.int64]:
    """Decile 1 = most deprived 10%: ceil(rank × 10 / N), which matches the published IoD files."""
    r = np.asarray(ranks, dtype=float)
    total = r.size if n is None else n
    return np.ceil(r * 10 / total).astype(np.int64)


@dataclass(frozen=True)
class IndexResult:
    score: NDArray[np.float64]
    rank: NDArray[np.int64]
    decile: NDArray[np.int64]


def weighted_exponential_index(domain_ranks: NDArray, weights: ArrayLike) -> IndexResult:
    """Combine domains given as ranks (rows = areas, columns = domains, 1 = most deprived)."""
    ranks = np.asarray(domain_ranks, dtype=float)
    w = np.asarray(weights, dtype=float)
    if ranks.ndim != 2 or ranks.shape[1] != w.size:
        raise ValueError(f"need one weight per domain column: {ranks.shape[1]} columns, {w.size} weights")
    score = exponential_transform(ranks, n=ranks.shape[0]) @ w
    rank = ranks_most_deprived_first(score)
    return IndexResult(score=score, rank=rank, decile=deciles(rank))


def imd_from_domain_ranks(domain_ranks: NDArray) -> IndexResult:
    """The IMD 2019 from the seven domain ranks, columns in IMD2019_WEIGHTS order."""
    return weighted_exponential_index(domain_ranks, list(IMD2019_WEIGHTS.values()))


def imd_from_domain_scores(domain_scores: NDArray) -> IndexResult:
    """The IMD 2019 from the seven domain scores (higher = more deprived), ranked first."""
    scores = np.asarray(domain_scores, dtype=float)
    ranks = np.column_stack([tied_ranks_most_deprived_first(scores[:, j]) for j in range(scores.shape[1])])
    return imd_from_domain_ranks(ranks)
