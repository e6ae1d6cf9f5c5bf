"""LSOA → ward / district aggregation and the left-behind list, on the full real files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from commonground.engine import geography, left_behind, national


@pytest.fixture(scope="module")
def lsoas(national_data):
    return national.imd2019_lsoas(national_data)


def test_extent_weights_follow_the_iod_sliding_scale():
    n = 1000
    w = geography.extent_weights(np.array([1, 100, 101, 110, 111, 290, 291, 300, 301, 1000]), n)
    step = 0.9 / 19  # percentiles 11..30 run from 0.95 down to 0.05
    assert w.tolist() == pytest.approx([1, 1, 0.95, 0.95, 0.95 - step, 0.95 - 18 * step, 0.05, 0.05, 0, 0])


def test_aggregate_small_known_answer():
    table = geography.LsoaTable(
        codes=np.array(["A", "B", "C", "D"]),
        score=np.array([10.0, 20.0, 30.0, 40.0]),
        rank=np.array([4, 3, 2, 1]),
        population=np.array([100.0, 300.0, 100.0, 100.0]),
    )
    out = geography.aggregate(table, np.array(["W1", "W1", "W2", ""], dtype=object)).set_index("code")
    assert out.loc["W1", "score"] == pytest.approx((10 * 100 + 20 * 300) / 400)
    assert out.loc["W2", "score"] == 30
    assert out.loc["W2", "rank"] == 1 and out.loc["W1", "rank"] == 2
    assert out.loc["W1", "population"] == 400
    assert out.loc["W1", "lsoas"] == 2
    assert "D" not in out.index and len(out) == 2


def test_district_summaries_match_the_published_iod2019_file(national_data, lsoas):
    """Average score, proportion of LSOAs in the most deprived 10% and extent, for all 317 districts."""
    lookup = geography.read_lookup(national_data / national.LOOKUP_LSOA11_LTLA19, "lsoa11", "ltla19")
    ours = geography.aggregate(lsoas, national.parents(lsoas, lookup)).set_index("code")
    published = pd.read_csv(national_data / "imd2019" / "imd2019_england_ltla19.csv").set_index("ltla19_code")
    assert len(ours) == len(published) == 317
    ours = ours.reindex(published.index)
    score_diff = (ours["score"] - published["Score"]).abs().max()
    proportion_diff = (ours["proportion_lsoas_most_deprived_10pc"] - published["Proportion"]).abs().max()
    extent_diff = (ours["extent"] - published["Extent"]).abs().max()
    print(f"\ndistricts: max |score diff| {score_diff:.5f}, proportion {proportion_diff:.5f}, extent {extent_diff:.5f}")
    assert score_diff <= 0.0015  # published to 3 dp; our LSOA scores are within 0.0014
    assert proportion_diff <= 0.00005 + 1e-9  # published to 4 dp
    assert extent_diff <= 0.0001


def test_left_behind_wards_recover_the_published_list(national_data, lsoas):
    wards = national.imd2019_wards17(national_data, lsoas)
    cni = left_behind.read_cni(national_data / "cni" / "cni2019_england_ward17.csv")
    published = set(cni.codes[cni.published_flag])
    assert len(published) == 225
    found = left_behind.left_behind(wards, cni)
    overlap = len(set(found["code"]) & published)
    print(f"\nleft-behind: {len(found)} found, {overlap} of the published 225 (cut-off rank {found.attrs['cut']})")
    assert found.attrs["cut"] == 743
    assert found.attrs["wards_without_imd"] == 12  # no LSOA is best-fitted to them
    assert overlap >= 219
    assert 220 <= len(found) <= 232
    assert (found["imd_rank"] <= 743).all() and (found["cni_rank"] <= 743).all()
    bloomfield = found.set_index("code").loc["E05001645"]
    assert (bloomfield["ward_name"], bloomfield["local_authority"]) == ("Bloomfield", "Blackpool")


def test_ward_2019_vintage_matches_an_independent_population_weighted_aggregation(national_data, lsoas):
    """Wards (2019) through the LSOA11→WD19 lookup, against humaniverse's published ward IMD file.

    Their extent differs from ours by up to one percentile step (0.047); ours matches the official
    district extents (test above), so only score and proportion are compared here.
    """
    lookup = geography.read_lookup(national_data / "lookups" / "lookup_lsoa11_ward19_names.csv", "lsoa", "ward")
    ours = geography.aggregate(lsoas, national.parents(lsoas, lookup)).set_index("code")
    theirs = pd.read_csv(national_data / "imd2019" / "imd2019_england_ward19_popweighted_humaniverse.csv")
    theirs = theirs.set_index("ward_code")
    assert len(ours) == len(theirs) == 7_180
    ours = ours.reindex(theirs.index)
    assert (ours["score"] - theirs["Score"]).abs().max() <= 0.0015
    assert (ours["proportion_lsoas_most_deprived_10pc"] - theirs["Proportion"]).abs().max() <= 1e-9


def test_imd2025_on_2021_lsoas_aggregates_to_2024_wards(national_data):
    from commonground.engine import imd_files, indices

    domains = imd_files.read_domains(national_data / "imd2025" / "imd2025_england_lsoa21.csv")
    result = indices.imd_from_domain_ranks(domains.values)
    table = geography.LsoaTable(domains.lsoa_codes, result.score, result.rank, np.ones(domains.lsoa_codes.size))
    lookup = geography.read_lookup(national_data / "lookups" / "lookup_lsoa21_ward24_ltla24.csv", "lsoa21", "ward24")
    wards = geography.aggregate(table, national.parents(table, lookup))
    assert wards["lsoas"].sum() == 33_755  # every English 2021 LSOA lands in a 2024 ward
    assert len(wards) > 6_500
    assert wards["rank"].min() == 1 and sorted(wards["rank"]) == list(range(1, len(wards) + 1))
