"""Sortition test helpers: the shared example instances and the invariants every lottery must keep."""

from __future__ import annotations

from collections import Counter
from functools import cache

import numpy as np
import pytest

from commonground.engine.sortition import model
from tests.conftest import SHARED
from tests.material import practitioner_pool, replication_pool

SORTITION = SHARED / "sortition"
# name: (directory, features file, people file, panel size); the generated ones need nothing beside the repository.
INSTANCES = {
    "practitioner_22": (practitioner_pool, "features.csv", "candidates.csv", 22),
    "replication_20": (replication_pool, "categories.csv", "respondents.csv", 20),
    "example_small_20": (
        lambda: SORTITION / "replication_examples/example_small_20",
        "categories.csv",
        "respondents.csv",
        20,
    ),
    "example_large_200": (
        lambda: SORTITION / "replication_examples/example_large_200",
        "categories.csv",
        "respondents.csv",
        200,
    ),
    "fixture_22": (lambda: SORTITION / "sortition_algorithms_fixture", "features.csv", "candidates.csv", 22),
}


def load(name: str) -> tuple[model.Pool, model.Quotas, int]:
    """A named instance; the shared ones are only loaded by tests marked `reference("sortition")`."""
    directory, features, people, k = INSTANCES[name]
    directory = directory()
    quotas = model.read_quotas(directory / features)
    return model.read_pool(directory / people, quotas), quotas, k


@cache
def solved(name: str, method: str):
    """The lottery for a shared instance, computed once per test session."""
    from commonground.engine.sortition.leximin import select

    pool, quotas, k = load(name)
    return select(pool, quotas, k, method)


def check_lottery(pool: model.Pool, quotas: model.Quotas, k: int, weights, panels, probabilities) -> None:
    """Every panel has k distinct members and meets every quota and the household rule; weights are
    a probability distribution; each person's chance is the weight of the panels containing them."""
    weights = np.asarray(weights, dtype=float)
    assert (weights >= 0).all()
    assert weights.sum() == pytest.approx(1.0, abs=1e-9)
    index = {pid: i for i, pid in enumerate(pool.ids)}
    chance = np.zeros(pool.n)
    for weight, members in zip(weights, panels, strict=True):
        rows = [index[m] if isinstance(m, str) else m for m in members]
        assert len(rows) == k == len(set(rows))
        for j, feature in enumerate(pool.features):
            got = Counter(pool.values[feature][pool.codes[r, j]] for r in rows)
            for value, (lo, hi) in quotas.bounds[feature].items():
                assert lo <= got.get(value, 0) <= hi, (feature, value, got.get(value, 0))
        if pool.households:
            homes = [pool.households[r] for r in rows if pool.households[r] is not None]
            assert len(homes) == len(set(homes))
        chance[rows] += weight
    assert np.allclose(chance, np.asarray(probabilities, dtype=float), atol=1e-9)
