"""Sortition against sortition-algorithms (GPL, test extra) maximin on HiGHS, in the same run.

For each instance: our maximin and the reference maximin (time, ratio, least chance of both) and
our full leximin (time, least chance). Generated pools are reproducible from their seed.
Usage:
python benchmarks/sortition.py [--shared ../shared/sortition] [--skip-reference NAME ...]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import sys
import time
from pathlib import Path

import numpy as np

from commonground.engine.sortition import model
from commonground.engine.sortition.leximin import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.engine.sortition.oracle import oracle_maximin  # noqa: E402

FILES = {
    "example_small_20": ("replication_examples/example_small_20/categories.csv",
                         "replication_examples/example_small_20/respondents.csv", 20),
    "sortition_algorithms_fixture": ("sortition_algorithms_fixture/features.csv",
                                     "sortition_algorithms_fixture/candidates.csv", 22),
    "example_large_200": ("replication_examples/example_large_200/categories.csv",
                          "replication_examples/example_large_200/respondents.csv", 200),
}  # fmt: skip


def generated(seed: int, n: int, k: int, sizes: list[int]) -> tuple[model.Pool, model.Quotas, int]:
    """A random pool with skewed feature values and quotas within ±20% of proportional."""
    rng = random.Random(seed)
    features = [f"f{j}" for j in range(len(sizes))]
    values = {f: [f"v{v}" for v in range(s)] for f, s in zip(features, sizes, strict=True)}
    shares = [[rng.random() + 0.2 for _ in range(s)] for s in sizes]
    codes = np.array([[rng.choices(range(s), weights=w)[0] for s, w in zip(sizes, shares, strict=True)]
                      for _ in range(n)])  # fmt: skip
    bounds = {}
    for j, f in enumerate(features):
        counts = np.bincount(codes[:, j], minlength=sizes[j])
        bounds[f] = {}
        for v, value in enumerate(values[f]):
            target = k * counts[v] / n
            bounds[f][value] = (int(np.floor(target * 0.8)), int(np.ceil(target * 1.2)))
    return model.Pool([f"p{i}" for i in range(n)], features, values, codes), model.Quotas(bounds), k


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "sortition")
    parser.add_argument("--skip-reference", nargs="*", default=[], help="instances to run without the reference")
    args = parser.parse_args()
    instances = {}
    for name, (features, people, k) in FILES.items():
        quotas = model.read_quotas(args.shared / features)
        instances[name] = (model.read_pool(args.shared / people, quotas), quotas, k)
    instances["generated n=300 k=30 (3 features)"] = generated(1, 300, 30, [2, 3, 4])
    instances["generated n=500 k=40 (4 features)"] = generated(2, 500, 40, [2, 4, 5, 3])
    print("| instance | n | k | ours maximin | reference maximin | ratio | |Δ least chance| | ours leximin |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, (pool, quotas, k) in instances.items():
        t_max, ours = timed(lambda pool=pool, quotas=quotas, k=k: select(pool, quotas, k, "maximin"))
        t_lex, lex = timed(lambda pool=pool, quotas=quotas, k=k: select(pool, quotas, k, "leximin"))
        least = lex.probabilities.min()
        if name in args.skip_reference:
            reference = "not run"
            ratio = delta = "–"
        else:
            with contextlib.redirect_stdout(io.StringIO()):
                t_ref, ref = timed(lambda pool=pool, quotas=quotas, k=k: oracle_maximin(pool, quotas, k))
            reference, ratio = f"{t_ref:.2f} s", f"{t_ref / t_max:.1f}×"
            delta = f"{max(abs(ref - least), abs(ref - ours.probabilities.min())):.1e}"
        print(
            f"| {name} | {pool.n} | {k} | {t_max:.2f} s | {reference} | {ratio} | {delta} | "
            f"{t_lex:.2f} s (least {least:.6f}) |",
            flush=True,
        )


if __name__ == "__main__":
    main()
