"""`commonground panel select|draw|replace` as a user runs them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.engine.sortition.conftest import check_lottery, load
from tests.material import practitioner_pool

pytestmark = pytest.mark.sqlite  # no database involved: run once

FIXTURE = practitioner_pool()


def select(*extra: str):
    return run_cli(
        "panel", "select", "--features", str(FIXTURE / "features.csv"), "--people", str(FIXTURE / "candidates.csv"),
        "--size", "22", *extra,
    )  # fmt: skip


@pytest.mark.parametrize("method", ["leximin", "legacy"])
def test_select_prints_a_checked_lottery(method):
    result = select(
        "--method", method, "--draws", "100", "--household-columns", "primary_address1,primary_zip", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    pool, quotas, k = load("practitioner_22")
    assert data["size"] == 22
    weights = [p["weight"] for p in data["panels"]]
    check_lottery(
        pool, quotas, k, weights, [p["members"] for p in data["panels"]], [data["probabilities"][i] for i in pool.ids]
    )
    assert data["min_probability"] == pytest.approx(min(data["probabilities"].values()))


def test_draw_and_replace(tmp_path):
    result = select()
    assert result.returncode == 0, result.stderr
    (tmp_path / "d.json").write_text(result.stdout)
    draws = [
        run_cli("panel", "draw", "--distribution", str(tmp_path / "d.json"), "--seed", "1 2 3 4 5 6", "--panels", "500")
        for _ in range(2)
    ]
    assert draws[0].returncode == 0, draws[0].stderr
    assert draws[0].stdout == draws[1].stdout
    drawn = json.loads(draws[0].stdout)
    assert drawn["tickets"] == 500 and len(drawn["panel"]) == 22 and drawn["max_probability_change"] < 0.05
    (tmp_path / "w.json").write_text(draws[0].stdout)
    gone = drawn["panel"][:2]
    result = run_cli(
        "panel", "replace", "--features", str(FIXTURE / "features.csv"), "--people", str(FIXTURE / "candidates.csv"),
        "--panel", str(tmp_path / "w.json"), "--dropped", ",".join(gone),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["size"] == 2 and data["dropped"] == gone and len(data["staying"]) == 20
    assert all(not set(p["members"]) & set(drawn["panel"]) for p in data["panels"])


def test_errors_are_one_line(tmp_path):
    bad = tmp_path / "people.csv"
    bad.write_text("id,Gender,age_bracket,geo_bucket,edu_level\nx,Robot,16-29,Glasgow,Level 1\n")
    result = run_cli(
        "panel", "select", "--features", str(FIXTURE / "features.csv"), "--people", str(bad), "--size", "1"
    )
    assert result.returncode != 0
    assert result.stderr.startswith("Error:") and "row 2, field 'Gender': 'Robot'" in result.stderr
    result = select("--method", "best")
    assert result.returncode != 0 and "method must be one of" in result.stderr
    result = select("--size", "200")
    assert result.returncode != 0 and "larger than the pool" in result.stderr
