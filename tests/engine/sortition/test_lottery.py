"""The verifiable draw: replayable from the published files, and close to the fair distribution."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from commonground.engine.sortition import lottery
from tests.engine.sortition.conftest import check_lottery, load, solved


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    pool, quotas, k = load("practitioner_22")
    path = tmp_path_factory.mktemp("draw") / "distribution.json"
    path.write_text(json.dumps(solved("practitioner_22", "leximin").to_json()))
    return pool, quotas, k, path


def test_replaying_gives_the_same_panel(published):
    pool, quotas, k, path = published
    first = lottery.draw(lottery.read_distribution(path), "03 17 22 31 44 49 (bonus 08)")
    again = lottery.draw(lottery.read_distribution(path), "03 17 22 31 44 49 (bonus 08)")
    assert first == again
    other = lottery.draw(lottery.read_distribution(path), "05 09 12 30 41 47 (bonus 02)")
    assert other["lottery_sha256"] == first["lottery_sha256"] and other["ticket"] != first["ticket"]
    check_lottery(
        pool,
        quotas,
        k,
        [1.0],
        [first["panel"]],
        np.bincount([pool.ids.index(m) for m in first["panel"]], minlength=pool.n),
    )


def test_the_lottery_is_uniform_over_valid_panels_and_the_change_is_bounded(published):
    pool, quotas, k, path = published
    dist = lottery.read_distribution(path)
    lot = lottery.build_lottery(dist, 1000)
    assert len(lot.tickets) == 1000
    chances = lot.chances(dist.ids)
    check_lottery(pool, quotas, k, [1 / 1000] * 1000, lot.tickets, [chances[i] for i in pool.ids])
    change = max(abs(chances[i] - p) for i, p in zip(dist.ids, dist.probabilities, strict=True))
    assert change == pytest.approx(lot.max_change, abs=1e-12)
    # each panel's ticket count moves by less than one, so nobody's chance moves by more than
    # (panels containing them) / m; in practice far less
    containing = np.zeros(len(dist.ids))
    index = {pid: i for i, pid in enumerate(dist.ids)}
    for panel in dist.panels:
        containing[[index[m] for m in panel]] += 1
    assert lot.max_change <= containing.max() / 1000
    assert lot.max_change < 0.02
    assert lottery.build_lottery(dist, 10000).max_change < lot.max_change


def test_pipage_rounding_keeps_the_total_and_the_expectation():
    rng = random.Random(1)
    target = np.array([0.3, 1.7, 2.25, 0.75, 0.5, 0.5, 4.0])
    total = np.zeros(len(target))
    for _ in range(4000):
        counts = lottery.pipage_round(target, rng)
        assert counts.sum() == 10
        assert (counts >= np.floor(target)).all() and (counts <= np.ceil(target)).all()
        total += counts
    assert np.allclose(total / 4000, target, atol=0.05)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not a panel distribution"),
        ('{"probabilities": {"a": 1}, "panels": [{"weight": 0.5, "members": ["a"]}]}', "sum to 1"),
        ('{"probabilities": {"a": 1}, "panels": [{"weight": 1, "members": ["b"]}]}', "unknown member 'b'"),
    ],
)
def test_bad_distribution_files(tmp_path, text, message):
    path = tmp_path / "d.json"
    path.write_text(text)
    with pytest.raises(lottery.SortitionError, match=message):
        lottery.read_distribution(path)
