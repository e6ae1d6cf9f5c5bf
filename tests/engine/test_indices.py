"""The IoD method on small known answers, and the IMD 2019 reproduced from the full real files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonground.engine import imd_files, indices
from commonground.engine.tables import DataError


def test_exponential_transform_endpoints_and_shape():
    n = 1000
    x = indices.exponential_transform(np.arange(1, n + 1), n)
    assert x[0] == pytest.approx(100.0)  # most deprived: R = 1 gives exactly 100
    assert x[-1] == pytest.approx(-23 * np.log(1 - (1 / n) * (1 - np.exp(-100 / 23))))
    assert np.all(np.diff(x) < 0)
    # the transform stretches the deprived end: the top 10% span far more than the bottom 10%
    assert x[0] - x[99] > 10 * (x[899] - x[999])


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=200))
def test_ranks_are_a_permutation_with_1_for_the_highest(values):
    ranks = indices.ranks_most_deprived_first(values)
    assert sorted(ranks) == list(range(1, len(values) + 1))
    assert values[int(np.argmin(ranks))] == max(values)


def test_deciles_cut_at_tenths():
    assert list(indices.deciles([1, 10, 11, 100], n=100)) == [1, 1, 2, 10]


def test_normal_scores_are_symmetric_and_ordered():
    y = indices.normal_scores([3.0, 1.0, 2.0, 5.0, 4.0])
    assert np.argsort(y).tolist() == [1, 2, 0, 4, 3]
    assert y.sum() == pytest.approx(0.0, abs=1e-12)


def test_imd_from_scores_equals_imd_from_their_ranks():
    rng = np.random.default_rng(7)
    scores = rng.normal(size=(500, 7))
    ranks = np.column_stack([indices.ranks_most_deprived_first(scores[:, j]) for j in range(7)])
    a = indices.imd_from_domain_scores(scores)
    b = indices.imd_from_domain_ranks(ranks)
    assert np.array_equal(a.score, b.score)
    assert np.array_equal(a.rank, b.rank)


def test_imd2019_weights_are_the_published_ones():
    assert list(indices.IMD2019_WEIGHTS.values()) == [0.225, 0.225, 0.135, 0.135, 0.093, 0.093, 0.093]


def _published(national_data):
    frame = pd.read_csv(national_data / "imd2019" / "imd2019_lsoa11_score_decile_NHSRpopulation.csv")
    compact = pd.read_csv(national_data / "imd2019" / "imd2019_england_lsoa11.csv")
    return frame.set_index("lsoa_code")["imd_score"], compact.set_index("lsoa11_code")


@pytest.mark.parametrize("layout", ["File_2_-_IoD2019_Domains_of_Deprivation.csv", "imd2019_england_lsoa11.csv"])
def test_imd2019_reproduced_from_domain_ranks_on_all_32844_lsoas(national_data, layout, record_property):
    domains = imd_files.read_domains(national_data / "imd2019" / layout)
    assert domains.kind == "ranks"
    assert domains.values.shape == (32_844, 7)
    result = indices.imd_from_domain_ranks(domains.values)
    published_score, compact = _published(national_data)
    ours = pd.Series(result.score, index=domains.lsoa_codes)
    diff = (ours - published_score.reindex(ours.index)).abs()
    rank_diff = np.abs(result.rank - compact["IMD_rank"].reindex(domains.lsoa_codes).to_numpy())
    decile_mismatch = int((result.decile != compact["IMD_decile"].reindex(domains.lsoa_codes).to_numpy()).sum())
    record_property("max_abs_score_diff", float(diff.max()))
    record_property("max_rank_diff", int(rank_diff.max()))
    print(
        f"\n{layout}: max |score diff| {diff.max():.6f}, mean {diff.mean():.6f}, max rank diff {rank_diff.max()}, "
        f"ranks differing {(rank_diff > 0).sum()}, deciles differing {decile_mismatch}"
    )
    assert diff.max() <= 0.0015
    assert rank_diff.max() <= 2
    assert decile_mismatch <= 10


def test_imd2025_reproduced_from_domain_ranks_on_all_33755_lsoas(national_data):
    """Same method, 2021 LSOAs: the IoD 2025 kept the 2019 domain weights."""
    path = national_data / "imd2025" / "imd2025_england_lsoa21.csv"
    domains = imd_files.read_domains(path)
    assert domains.kind == "ranks" and domains.values.shape == (33_755, 7)
    result = indices.imd_from_domain_ranks(domains.values)
    published = pd.read_csv(path).set_index("lsoa21_code").reindex(domains.lsoa_codes)
    diff = np.abs(result.score - published["IMD_score"].to_numpy())
    print(f"\nIMD 2025: max |score diff| {diff.max():.6f}, max rank diff "
          f"{np.abs(result.rank - published['IMD_rank'].to_numpy()).max()}")  # fmt: skip
    assert diff.max() <= 0.001
    assert np.abs(result.rank - published["IMD_rank"].to_numpy()).max() <= 2
    assert np.array_equal(result.decile, published["IMD_decile"].to_numpy())


def test_domain_scores_are_used_when_a_file_has_no_ranks(tmp_path):
    path = tmp_path / "file5.csv"
    names = ["Income Score (rate)", "Employment Score (rate)", "Education, Skills and Training Score",
             "Health Deprivation and Disability Score", "Crime Score", "Barriers to Housing and Services Score",
             "Living Environment Score"]  # fmt: skip
    rows = [",".join(["E0100000" + str(i)] + [str(v) for v in np.random.default_rng(i).random(7)]) for i in range(5)]
    path.write_text("LSOA code (2011)," + ",".join(f'"{n}"' for n in names) + "\n" + "\n".join(rows) + "\n")
    table = imd_files.read_domains(path)
    assert table.kind == "scores"
    result = indices.imd_from_domain_scores(table.values)
    assert sorted(result.rank.tolist()) == [1, 2, 3, 4, 5]


def test_published_deciles_follow_ceil_rank_times_ten_over_n(national_data):
    _, compact = _published(national_data)
    assert np.array_equal(indices.deciles(compact["IMD_rank"].to_numpy()), compact["IMD_decile"].to_numpy())


def test_bad_domain_file_names_row_and_column(tmp_path):
    path = tmp_path / "domains.csv"
    header = "lsoa11_code,Income_rank,Employment_rank,Education_rank,Health_rank,Crime_rank,Housing_and_Access_rank,"
    path.write_text(header + "Environment_rank\nE01000001,1,1,1,1,1,1,1\nE01000002,2,x,2,2,2,2,2\n")
    with pytest.raises(DataError, match=r"domains.csv, row 3, column 'Employment_rank': 'x' is not a number"):
        imd_files.read_domains(path)
    path.write_text(header + "Environment_rank\nE01000001,1,1,1,1,1,1,1\nE01000002,2,2,2,2,2,9,2\n")
    with pytest.raises(DataError, match=r"row 3, column 'Housing_and_Access_rank': a rank must be between 1 and 2"):
        imd_files.read_domains(path)
    path.write_text("lsoa11_code,Income_rank\nE01000001,1\n")
    with pytest.raises(DataError, match="no column for the employment domain rank"):
        imd_files.read_domains(path)


def test_thousands_separators_and_bom_are_read(tmp_path):
    path = tmp_path / "file2.csv"
    cols = [f"{name} Rank (where 1 is most deprived)" for name in
            ["Income", "Employment", "Education, Skills and Training", "Health Deprivation and Disability", "Crime",
             "Barriers to Housing and Services", "Living Environment"]]  # fmt: skip
    header = "LSOA code (2011)," + ",".join(f'"{c}"' for c in cols)
    rows = ['E01000001,"1,001",1,1,1,1,1,1', "E01000002,1,2,2,2,2,2,2"]
    path.write_bytes(("\ufeff" + header + "\n" + "\n".join(rows) + "\n").encode("utf-8"))
    with pytest.raises(DataError, match="a rank must be between 1 and 2"):
        imd_files.read_domains(path)
    rows[0] = 'E01000001,"2",1,1,1,1,1,1'
    path.write_bytes(("\ufeff" + header + "\n" + "\n".join(rows) + "\n").encode("utf-8"))
    table = imd_files.read_domains(path)
    assert table.lsoa_codes.tolist() == ["E01000001", "E01000002"]
    assert table.values[0, 0] == 2
