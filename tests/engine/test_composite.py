"""The composite index builder: specs, transforms, errors, and the shipped specs on real data."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from commonground.engine import composite, imd_files, indices
from commonground.engine.composite import SpecError
from commonground.engine.tables import DataError, read_csv

SPECS = files("commonground") / "specs"

TWO_DOMAINS = """
[index]
name = "Test"
id_column = "code"
[[domain]]
slug = "a"
weight = 0.5
transform = "none"
[[domain.indicator]]
column = "count"
denominator = "people"
direction = "higher_more_need"
transform = ["rate_per_1000"]
[[domain]]
slug = "b"
weight = 0.5
transform = "none"
[[domain.indicator]]
column = "distance"
direction = "higher_less_need"
"""


def frame(rows):
    return pd.DataFrame(rows, columns=["code", "count", "people", "distance"]).astype(str)


def test_rate_direction_and_weights():
    spec = composite.parse_spec(TWO_DOMAINS)
    result = composite.build(spec, frame([["X1", 10, 1000, 2.0], ["X2", 30, 1000, 5.0]]))
    assert result.domain_scores["a"].tolist() == [10.0, 30.0]
    assert result.domain_scores["b"].tolist() == [-2.0, -5.0]  # oriented: higher = more need
    assert result.score.tolist() == pytest.approx([0.5 * 10 - 0.5 * 2, 0.5 * 30 - 0.5 * 5])
    assert result.rank.tolist() == [2, 1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("weight = 0.5\ntransform", "weight = 0.9\ntransform", 1), "domain weights add up to 1.4"),
        (('direction = "higher_less_need"', 'direction = "sideways"', 1), r"domain\[1\].indicator\[0\].direction"),
        (('transform = ["rate_per_1000"]', 'transform = ["square"]', 1), "'square' is not one of"),
        (('denominator = "people"\n', "", 1), "rate_per_1000 needs a 'denominator'"),
        (('id_column = "code"', "", 1), "index: missing key 'id_column'"),
    ],
)
def test_spec_errors_name_the_key(change, message):
    old, new, count = change
    with pytest.raises(SpecError, match=message):
        composite.parse_spec(TWO_DOMAINS.replace(old, new, count))


def test_data_errors_name_row_and_column():
    spec = composite.parse_spec(TWO_DOMAINS)
    with pytest.raises(DataError, match=r"row 3, column 'people': denominator must be above zero"):
        composite.build(spec, frame([["X1", 10, 1000, 2.0], ["X2", 30, 0, 5.0]]))
    with pytest.raises(DataError, match=r"row 2, column 'distance': 'far' is not a number"):
        composite.build(spec, frame([["X1", 10, 1000, "far"], ["X2", 30, 10, 5.0]]))
    with pytest.raises(DataError, match="area code X1 appears more than once"):
        composite.build(spec, frame([["X1", 10, 1000, 2.0], ["X1", 30, 10, 5.0]]))


def test_imd2019_spec_reproduces_the_imd_engine_exactly(national_data):
    path = national_data / "imd2019" / "imd2019_england_lsoa11.csv"
    spec, result = composite.build_from_files(SPECS / "imd2019.toml", path)
    direct = indices.imd_from_domain_ranks(imd_files.read_domains(path).values)
    assert spec.name == "Index of Multiple Deprivation 2019"
    assert np.allclose(result.score, direct.score, rtol=0, atol=1e-12)
    assert np.array_equal(result.rank, direct.rank)


def test_open_community_need_proxy_spec_runs_on_the_iod_indicators(national_data):
    path = national_data / "imd2019" / "imd2019_england_lsoa11_indicators.csv"
    spec, result = composite.build_from_files(SPECS / "community_need_proxy.toml", path)
    assert set(spec.proxies) == {"connectedness", "participation", "civic_assets"}
    assert result.score.size == 32_844
    assert np.isfinite(result.score).all()
    assert set(np.bincount(result.decile)[1:].tolist()) == {3284, 3285}  # ten equal tenths of 32,844
    # remoter LSOAs (longer road distances to a GP) must score as more in need on connectedness
    distances = read_csv(path)["road_distance_to_a_gp_surgery_indicator_km"].astype(float).to_numpy()
    far, near = distances > np.quantile(distances, 0.9), distances < np.quantile(distances, 0.1)
    assert result.domain_scores["connectedness"][far].mean() > result.domain_scores["connectedness"][near].mean()
