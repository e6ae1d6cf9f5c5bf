"""`commonground index ...` and `commonground places left-behind` as a user runs them."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.sqlite  # no database involved: run once


def test_index_imd_writes_all_lsoas(national_data, tmp_path):
    out = tmp_path / "imd.csv"
    file2 = national_data / "imd2019" / "File_2_-_IoD2019_Domains_of_Deprivation.csv"
    result = run_cli("index", "imd", "--domain-ranks", str(file2), "--out", str(out))
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out)
    assert list(table.columns) == ["lsoa_code", "imd_score", "imd_rank", "imd_decile"]
    assert len(table) == 32_844
    published = pd.read_csv(national_data / "imd2019" / "imd2019_lsoa11_score_decile_NHSRpopulation.csv")
    merged = table.merge(published, on="lsoa_code")
    assert (merged["imd_score_x"] - merged["imd_score_y"]).abs().max() <= 0.0015
    assert (merged["imd_decile_x"] == merged["imd_decile_y"]).all()


def test_index_build_with_a_bad_spec_is_one_line_error(national_data, tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text('[index]\nname = "x"\nid_column = "lsoa11_code"\n[[domain]]\nslug = "a"\nweight = 2\n'
                    '[[domain.indicator]]\ncolumn = "Income_rank"\ndirection = "lower_more_need"\n')  # fmt: skip
    result = run_cli("index", "build", "--spec", str(spec), "--indicators",
                     str(national_data / "imd2019" / "imd2019_england_lsoa11.csv"))  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: {spec}: domain weights add up to 2, not 1"


def test_index_build_with_bad_data_names_row_and_column(tmp_path):
    from importlib.resources import files

    indicators = tmp_path / "ind.csv"
    header = "lsoa11_code,Income_rank,Employment_rank,Education_rank,Health_rank,Crime_rank,Housing_and_Access_rank"
    indicators.write_text(header + ",Environment_rank\nE01000001,1,1,1,1,1,1,1\nE01000002,2,2,n/a,2,2,2,2\n")
    result = run_cli("index", "build", "--spec", str(files("commonground") / "specs" / "imd2019.toml"),
                     "--indicators", str(indicators))  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: {indicators}, row 3, column 'Education_rank': 'n/a' is not a number"


def test_places_left_behind_json(national_data):
    result = run_cli("places", "left-behind", "--edition", "2019", "--cni",
                     str(national_data / "cni" / "cni2019_england_ward17.csv"), "--data", str(national_data),
                     "--format", "json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    wards = json.loads(result.stdout)
    assert 220 <= len(wards) <= 232
    assert set(wards[0]) == {"code", "ward_name", "local_authority", "population", "imd_score", "imd_rank",
                             "cni_score", "cni_rank"}  # fmt: skip
    assert "219 of them among the 225 the CNI file flags" in result.stderr.replace("\n", " ")


def test_places_left_behind_names_a_cni_file_of_the_wrong_edition(national_data):
    cni = national_data / "cni" / "cni2019_england_ward17.csv"
    result = run_cli("places", "left-behind", "--cni", str(cni), "--data", str(national_data))  # 2025 by default
    assert result.returncode == 1
    assert result.stderr.strip() == (f"Error: {cni}: its areas are not 2021 LSOAs (the first is E05000026): is it "
                                     "the 2019 ward file?")  # fmt: skip
