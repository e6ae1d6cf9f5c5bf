"""Double disadvantage on the current indices, and the selection methods, against the national data pack."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from commonground.engine import geography, national, selection
from commonground.engine.indices import deciles


@pytest.fixture(scope="module")
def source(national_data):
    return national.PackSource(national_data)


def r_quantile_decile_1(ranks: np.ndarray) -> np.ndarray:
    """Decile 1 as R's `cut(x, quantile(x, 0:10/10), include.lowest = TRUE)` gives it (compositr::quantise)."""
    return ranks <= np.quantile(ranks, 0.1)  # type 7, R's default


def test_the_cni_2023_files_left_behind_flag_is_reproduced_exactly_and_uses_imd_2019(national_data):
    """The CNI 2023 file's `Left Behind Area?` (1,305 TRUE) was added by humaniverse/IMD
    (data-raw/cni2023_england_lsoa21.R): CNI decile 1 (R quantiles of the rank) and IMD decile 1, where
    the IMD is the 2019 edition on 2011 LSOAs joined through ONS's LSOA11→LSOA21 lookup (a 2021 LSOA is
    flagged if any of its 2011 LSOAs is). So it is not the IoD 2025 rule, which gives 1,262 (below)."""
    cni = pd.read_csv(national_data / "cni/cni2023_england_lsoa21.csv")
    imd2019 = pd.read_csv(national_data / "imd2019/imd2019_england_lsoa11.csv")[["lsoa11_code", "IMD_decile"]]
    pairs = pd.read_csv(national_data / "lookups/lookup_lsoa11_lsoa21_ltla22.csv")[["lsoa11_code", "lsoa21_code"]]
    cni["cni_decile_1"] = r_quantile_decile_1(cni["Community Needs Index 2023 Rank"].to_numpy())
    joined = cni.merge(pairs, on="lsoa21_code", how="left").merge(imd2019, on="lsoa11_code", how="left")
    joined["flag"] = joined["cni_decile_1"] & (joined["IMD_decile"] == 1)
    ours = cni["lsoa21_code"].map(joined.groupby("lsoa21_code")["flag"].any())
    published = cni["Left Behind Area?"].astype(str).str.upper() == "TRUE"
    assert int(published.sum()) == 1_305
    assert (ours == published).all()


def test_the_2025_rule_on_2021_lsoas_is_decile_1_on_both_current_indices(national_data, source):
    found = selection.select(selection.left_behind_spec("lsoa21"), source, near=0)
    imd = pd.read_csv(national_data / "imd2025/imd2025_england_lsoa21.csv")[["lsoa21_code", "IMD_decile"]]
    cni = pd.read_csv(national_data / "cni/cni2023_england_lsoa21.csv")
    cni["decile"] = deciles(cni["Community Needs Index 2023 Rank"].to_numpy())
    both = cni.merge(imd, on="lsoa21_code")
    published = set(both.loc[(both["decile"] == 1) & (both["IMD_decile"] == 1), "lsoa21_code"])
    assert (found.universe, found.cut) == (33_755, 3_375)  # rank 3,375 or better is the IoD's decile 1
    assert len(found.chosen) == len(published) == 1_262
    assert set(found.chosen["code"]) == published  # our recomputed IMD ranks agree with the published deciles
    flagged = set(cni.loc[cni["Left Behind Area?"].astype(str).str.upper() == "TRUE", "lsoa21_code"])
    print(f"\nIoD 2025 x CNI 2023: {len(published):,} LSOAs; {len(published & flagged):,} also in the file's 1,305")


def test_wider_thresholds_and_other_iod_measures_choose_supersets_or_other_areas(source):
    ten = selection.select(selection.left_behind_spec("ward24"), source, near=0)
    twenty = selection.select(selection.left_behind_spec("ward24", share=0.2), source, near=0)
    extent = selection.select(selection.left_behind_spec("ward24", measure="extent"), source, near=0)
    assert ten.universe == twenty.universe == 6_784
    assert set(ten.chosen["code"]) < set(twenty.chosen["code"])
    assert 150 < len(ten.chosen) < 260 and "imd_extent" in extent.chosen.columns


def test_iod_2025_district_summaries_follow_the_published_file(national_data, source):
    """Proportion of LSOAs in the most deprived 10% is unweighted: exact. Average score, average rank and
    extent are population-weighted; with 2021-LSOA populations carried over from mid-2019 (the pack has not
    the IoD's mid-2022 denominators) they order the districts as the file does to a Spearman 0.999."""
    parents = source.parents("lad24")
    lsoas = source.lsoas("imd2025")
    ours = geography.aggregate(lsoas, np.array([parents.get(c, "") for c in lsoas.codes], dtype=object))
    published = pd.read_csv(national_data / "imd2025/imd2025_england_ltla24.csv").set_index("ltla24_code")
    both = ours.set_index("code").join(published, how="inner")
    assert len(both) == 296
    proportion = "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally"
    assert (both["proportion_lsoas_most_deprived_10pc"] - both[proportion]).abs().max() <= 0.0001
    for column, theirs in (("average_rank", "imd_average_rank"), ("score", "imd_average_score"),
                           ("extent", "imd25_extent")):  # fmt: skip
        assert both[column].corr(both[theirs], method="spearman") > 0.999, column


def test_the_2019_method_gives_226_wards_219_of_them_published(national_data, source):
    method = selection.load_spec(selection.shipped_specs()["left-behind-2019"])
    found = selection.select(method, source, near=0)
    cni = pd.read_csv(national_data / "cni/cni2019_england_ward17.csv")
    published = set(cni.loc[cni["Left Behind Area?"].astype(str).str.upper() == "TRUE", "ward17_code"])
    assert (found.universe, found.cut, len(found.chosen)) == (7_433, 743, 226)
    assert len(set(found.chosen["code"]) & published) == 219


def test_pride_in_place_and_cwf_rerun_to_the_same_bytes(national_data, source):
    for name in ("pride-in-place-2", "cwf"):
        method = selection.load_spec(selection.shipped_specs()[name])
        first = selection.select(method, source).chosen.to_csv(index=False)
        again = selection.select(method, national.PackSource(national_data)).chosen.to_csv(index=False)
        assert first == again, name
    pride = selection.select(selection.load_spec(selection.shipped_specs()["pride-in-place-2"]), source)
    assert len(pride.chosen) == 142 and pride.chosen["council"].value_counts().max() <= 3
    cwf = selection.select(selection.load_spec(selection.shipped_specs()["cwf"]), source)
    assert cwf.chosen["population"].between(5_000, 15_000).all()
