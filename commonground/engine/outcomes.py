"""Comparisons and changes for outcome dashboards: group means, direction of change, map classes.

Pure NumPy, no Django: the dashboard service feeds arrays in and caches what comes out.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

HIGHER_MORE_NEED = "higher_more_need"
HIGHER_LESS_NEED = "higher_less_need"


def group_means(values: np.ndarray, groups: Sequence[Hashable]) -> dict[Hashable, tuple[float, int]]:
    """Mean and count of `values` per group label; None labels are left out."""
    values = np.asarray(values, dtype=float)
    labels = np.asarray([g if g is not None else "" for g in groups], dtype=object)
    result: dict[Hashable, tuple[float, int]] = {}
    if values.size == 0:
        return result
    keys, inverse = np.unique(labels.astype(str), return_inverse=True)
    sums = np.bincount(inverse, weights=values, minlength=len(keys))
    counts = np.bincount(inverse, minlength=len(keys))
    originals = {str(g): g for g in labels}
    for i, key in enumerate(keys):
        if key == "":
            continue
        result[originals[key]] = (float(sums[i] / counts[i]), int(counts[i]))
    return result


def change(previous: float | None, latest: float | None, direction: str, tolerance: float = 1e-9) -> str | None:
    """'better', 'worse' or 'same' from one period to the next, given which way is more need."""
    if previous is None or latest is None:
        return None
    delta = latest - previous
    if abs(delta) <= tolerance:
        return "same"
    if direction == HIGHER_MORE_NEED:
        return "better" if delta < 0 else "worse"
    if direction == HIGHER_LESS_NEED:
        return "better" if delta > 0 else "worse"
    return "up" if delta > 0 else "down"


def quantile_breaks(values: Sequence[float], classes: int = 5) -> list[float]:
    """Upper bounds of equal-count classes (quantiles), for shading a map by any measure."""
    data = np.asarray([v for v in values if v is not None], dtype=float)
    if data.size == 0:
        return []
    edges = np.quantile(data, np.linspace(0, 1, classes + 1)[1:])
    return [float(e) for e in np.unique(edges)]


def class_of(value: float | None, breaks: Sequence[float]) -> int | None:
    """0-based class of a value against upper bounds from quantile_breaks."""
    if value is None or not breaks:
        return None
    return int(min(np.searchsorted(np.asarray(breaks), value, side="left"), len(breaks) - 1))
