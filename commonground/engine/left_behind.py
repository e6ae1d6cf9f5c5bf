"""Left-behind ("doubly disadvantaged") areas: in the most deprived share on both the IMD and the CNI.

Definition: OCSI for Local Trust, "Left behind? Understanding communities on the edge" (2019):
wards ranked in the most deprived 10% in England on both the Community Needs Index and the IMD.
The same rule runs on any edition and geography (IoD 2025 with CNI 2023 on 2021 LSOAs and above):
see commonground.engine.selection, which uses `cut_off` and `rank_among` from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from commonground.engine.indices import ranks_most_deprived_first
from commonground.engine.tables import codes, find_column, numeric, read_csv

CNI_CODE_COLUMNS = ["ward17_code", "ward_code", "wd17cd", "Ward code", "lsoa21_code", "LSOA Code"]
CNI_SCORE_COLUMNS = ["Community Needs Index score", "Community Needs Index 2023 Score", "CNI score", "cni_score"]
CNI_RANK_COLUMNS = ["Community Needs Index rank", "Community Needs Index 2023 Rank", "CNI rank", "cni_rank"]
CNI_NAME_COLUMNS = ["ward17_name", "ward_name", "wd17nm", "Ward name", "lsoa21_name", "LSOA Name"]
CNI_LA_COLUMNS = ["lad19_name", "ltla19_name", "la_name", "Local authority"]
CNI_FLAG_COLUMNS = ["Left Behind Area?", "left_behind"]


@dataclass(frozen=True)
class CniTable:
    codes: np.ndarray
    names: np.ndarray
    local_authorities: np.ndarray
    score: np.ndarray
    rank: np.ndarray  # 1 = most need
    published_flag: np.ndarray | None  # OCSI's own left-behind flag, when the file has one


def read_cni(path: Path | str) -> CniTable:
    frame = read_csv(path)
    code = codes(frame, path, find_column(frame, path, CNI_CODE_COLUMNS, "the ward code"))
    score = numeric(frame, path, find_column(frame, path, CNI_SCORE_COLUMNS, "the CNI score"))
    try:
        rank = numeric(frame, path, find_column(frame, path, CNI_RANK_COLUMNS, "the CNI rank")).astype(np.int64)
    except ValueError:
        rank = ranks_most_deprived_first(score)

    def optional(candidates: list[str]) -> np.ndarray:
        lowered = {c.lower(): c for c in frame.columns}
        found = next((lowered[c.lower()] for c in candidates if c.lower() in lowered), None)
        return frame[found].str.strip().to_numpy(dtype=object) if found else np.full(code.size, "", dtype=object)

    flag_text = optional(CNI_FLAG_COLUMNS)
    flag = np.isin(np.char.upper(flag_text.astype(str)), ["TRUE", "YES", "1"]) if (flag_text != "").any() else None
    return CniTable(code, optional(CNI_NAME_COLUMNS), optional(CNI_LA_COLUMNS), score, rank, flag)


def cut_off(share: float, n: int) -> int:
    """The last rank inside the top `share` of n areas: floor(share × n). 743 of 7,433 wards at 10%;
    3,375 of 33,755 LSOAs, which is exactly the IoD's decile 1 (ceil(rank × 10 / N) = 1)."""
    return int(np.floor(share * n + 1e-9))


def rank_among(values: np.ndarray) -> np.ndarray:
    """Ranks, 1 = most need (highest value), among the areas that have a value; NaN for the others.
    Ties keep input order, so callers sort by code first for a stable result."""
    values = np.asarray(values, dtype=float)
    ranks = np.full(values.size, np.nan)
    present = ~np.isnan(values)
    ranks[present] = ranks_most_deprived_first(values[present])
    return ranks


def left_behind(wards: pd.DataFrame, cni: CniTable, share: float = 0.10) -> pd.DataFrame:
    """Wards in the top `share` on both measures, ranked within the CNI's ward universe.

    `wards` has columns code, score (ward IMD, population-weighted). The IMD rank is recomputed
    over the CNI's wards that have an IMD score, so both cut-offs use the same universe:
    rank <= floor(share × number of CNI wards) (743 of 7,433 for CNI 2019).
    """
    universe = pd.DataFrame({"code": cni.codes, "cni_score": cni.score, "cni_rank": cni.rank,
                             "ward_name": cni.names, "local_authority": cni.local_authorities})  # fmt: skip
    merged = universe.merge(wards[["code", "score", "population"]], on="code", how="left")
    has_imd = merged["score"].notna().to_numpy()
    merged["imd_score"] = merged.pop("score")
    merged["imd_rank"] = rank_among(merged["imd_score"].to_numpy())
    cut = cut_off(share, len(merged))
    chosen = (merged["imd_rank"] <= cut) & (merged["cni_rank"] <= cut)
    result = merged[chosen].sort_values("imd_rank").reset_index(drop=True)
    result["imd_rank"] = result["imd_rank"].astype(int)
    result.attrs.update(cut=cut, wards=len(merged), wards_without_imd=int((~has_imd).sum()))
    return result[["code", "ward_name", "local_authority", "population", "imd_score", "imd_rank", "cni_score",
                   "cni_rank"]]  # fmt: skip
