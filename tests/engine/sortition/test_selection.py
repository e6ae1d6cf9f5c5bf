"""Selection lotteries: invariants on every run, the oracle's maximin optimum, the published LEXIMIN."""

from __future__ import annotations

import csv
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.engine.sortition import model
from commonground.engine.sortition.leximin import METHODS, select
from tests.engine.sortition.conftest import SORTITION, check_lottery, load, solved
from tests.engine.sortition.oracle import oracle_maximin

SHARED_INSTANCE = pytest.mark.reference("sortition")


def run(pool, quotas, k, method, **options):
    dist = select(pool, quotas, k, method, **options)
    check_lottery(pool, quotas, k, dist.weights, dist.panels, dist.probabilities)
    return dist


@pytest.mark.parametrize("method", METHODS)
def test_every_method_keeps_the_invariants(method):
    pool, quotas, k = load("replication_20")
    dist = run(pool, quotas, k, method, draws=300)
    assert dist.probabilities.sum() == pytest.approx(k)
    result = dist.to_json()
    assert result["size"] == k and set(result["probabilities"]) == set(pool.ids)
    assert result["min_probability"] == pytest.approx(dist.probabilities.min())


@pytest.mark.parametrize("name", ["practitioner_22", pytest.param("example_large_200", marks=SHARED_INSTANCE)])
@pytest.mark.parametrize("method", ["leximin", "maximin"])
def test_invariants_on_larger_instances(name, method):
    pool, quotas, k = load(name)
    dist = solved(name, method)
    check_lottery(pool, quotas, k, dist.weights, dist.panels, dist.probabilities)


@pytest.mark.parametrize(
    "name", ["replication_20", "practitioner_22", pytest.param("example_small_20", marks=SHARED_INSTANCE)]
)
def test_least_chance_equals_the_oracle_maximin(name):
    pool, quotas, k = load(name)
    ours = solved(name, "leximin").probabilities.min()
    assert ours == pytest.approx(oracle_maximin(pool, quotas, k), abs=1e-6)
    assert solved(name, "maximin").probabilities.min() == pytest.approx(ours, abs=1e-6)


def test_leximin_beats_maximin_lexicographically():
    best = np.sort(solved("practitioner_22", "leximin").probabilities)
    other = np.sort(solved("practitioner_22", "maximin").probabilities)
    differ = np.flatnonzero(np.abs(best - other) > 1e-6)
    assert len(differ) and best[differ[0]] > other[differ[0]]


def published_leximin(name: str) -> list[tuple[float, float]]:
    with open(SORTITION / "replication_reference_output" / f"{name}_prob_allocs_data.csv") as handle:
        return [
            (float(row["percentile of pool members"]), float(row["selection probability"]))
            for row in csv.DictReader(handle)
            if row["algorithm"].lower() == "leximin"
        ]


@pytest.mark.reference("sortition")
@pytest.mark.parametrize("name", ["example_small_20", "example_large_200"])
def test_probabilities_match_the_published_leximin(name):
    pool, quotas, k = load(name)
    ours = np.sort(solved(name, "leximin").probabilities)
    published = published_leximin(name)
    assert len(published) == pool.n
    for percentile, probability in published:
        assert ours[round(percentile * pool.n / 100)] == pytest.approx(probability, abs=1e-4)


@st.composite
def instances(draw, households: bool = False):
    """Small random pools whose quotas are met by at least one random panel."""
    n = draw(st.integers(4, 14))
    k = draw(st.integers(1, min(n, 6)))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    feature_sizes = draw(st.lists(st.integers(2, 3), min_size=1, max_size=3))
    features = [f"f{j}" for j in range(len(feature_sizes))]
    values = {f: [f"v{v}" for v in range(size)] for f, size in zip(features, feature_sizes, strict=True)}
    codes = np.array([[rng.randrange(size) for size in feature_sizes] for _ in range(n)], dtype=np.int64)
    homes = [f"h{rng.randrange(max(2, n - 3))}" if households else None for _ in range(n)]
    if households:  # a reference panel with one person per household
        first = {}
        for i, h in enumerate(homes):
            first.setdefault(h, i)
        candidates = list(first.values())
        k = min(k, len(candidates))
    else:
        candidates = list(range(n))
    reference = rng.sample(candidates, k)
    bounds = {}
    for j, f in enumerate(features):
        bounds[f] = {}
        for v, value in enumerate(values[f]):
            have = int((codes[reference, j] == v).sum())
            bounds[f][value] = (rng.randint(0, have), rng.randint(have, k))
    pool = model.Pool([f"p{i}" for i in range(n)], features, values, codes, homes if households else [])
    return pool, model.Quotas(bounds), k


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_random_pools_match_the_oracle(instance):
    pool, quotas, k = instance
    dist = run(pool, quotas, k, "leximin")
    assert dist.probabilities.min() == pytest.approx(oracle_maximin(pool, quotas, k), abs=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(households=True))
def test_random_pools_with_households(instance):
    pool, quotas, k = instance
    dist = run(pool, quotas, k, "leximin")
    assert dist.probabilities.min() == pytest.approx(oracle_maximin(pool, quotas, k, ["household"]), abs=1e-6)
    run(pool, quotas, k, "legacy", draws=50)


def test_impossible_people_get_zero_and_the_rest_still_share():
    pool, quotas, k = load("replication_20")
    quotas.bounds["gender"]["male"] = (0, 0)
    quotas.bounds["gender"]["female"] = (20, 20)
    quotas.bounds["leaning"] = {"liberal": (0, 20), "conservative": (0, 20)}
    dist = run(pool, quotas, k, "leximin")
    males = [i for i in range(pool.n) if pool.values["gender"][pool.codes[i, 0]] == "male"]
    assert dist.probabilities[males].max() == 0
    assert dist.probabilities.min() == 0


def test_unknown_method():
    pool, quotas, k = load("replication_20")
    with pytest.raises(model.SortitionError, match="method must be one of"):
        select(pool, quotas, k, "random")


def brute_force_leximin(pool, quotas, k) -> np.ndarray:
    """Leximin by enumeration and saturation (no duals): raise the least chance, then fix everyone
    whose chance cannot rise above it, and repeat."""
    from itertools import combinations

    from scipy.optimize import linprog

    panels = []
    for members in combinations(range(pool.n), k):
        ok = True
        for j, feature in enumerate(pool.features):
            got = np.bincount(pool.codes[list(members), j], minlength=len(pool.values[feature]))
            ok &= all(lo <= got[v] <= hi for v, (lo, hi) in enumerate(quotas.bounds[feature].values()))
        homes = [pool.households[i] for i in members if pool.households and pool.households[i] is not None]
        if ok and len(homes) == len(set(homes)):
            panels.append(members)
    A = np.zeros((pool.n, len(panels)))
    for j, members in enumerate(panels):
        A[list(members), j] = 1
    fixed = {i: 0.0 for i in range(pool.n) if not A[i].any()}
    m = len(panels)
    while len(fixed) < pool.n:
        free = [i for i in range(pool.n) if i not in fixed]
        # variables: weights (m), t; maximise t
        rows = [np.append(-A[i], 1.0) for i in free] + [np.append(-A[i], 0.0) for i in fixed]
        rhs = [0.0] * len(free) + [-(v - 1e-9) for v in fixed.values()]
        eq = [np.append(np.ones(m), 0.0)]
        best = linprog(
            np.append(np.zeros(m), -1.0), A_ub=rows, b_ub=rhs, A_eq=eq, b_eq=[1.0], bounds=[(0, None)] * (m + 1)
        )
        t = -best.fun
        rows_t = [np.append(-A[i], 0.0) for i in free]
        rhs_t = [-(t - 1e-9)] * len(free)
        for i in free:
            up = linprog(
                np.append(-A[i], 0.0), A_ub=rows_t + rows[len(free):], b_ub=rhs_t + rhs[len(free):],
                A_eq=eq, b_eq=[1.0], bounds=[(0, None)] * (m + 1),
            )  # fmt: skip
            if -up.fun <= t + 1e-7:
                fixed[i] = t
    return np.array([fixed[i] for i in range(pool.n)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(instances(), instances(households=True)).filter(lambda inst: inst[0].n <= 10))
def test_leximin_equals_brute_force_on_tiny_pools(instance):
    pool, quotas, k = instance
    ours = run(pool, quotas, k, "leximin").probabilities
    assert np.allclose(ours, brute_force_leximin(pool, quotas, k), atol=1e-6)
