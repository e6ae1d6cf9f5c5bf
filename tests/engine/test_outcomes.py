"""Comparisons and changes behind the outcome dashboards (no database)."""

import numpy as np
import pytest

from commonground.engine import outcomes


def test_group_means_leave_out_areas_without_a_group():
    means = outcomes.group_means(np.array([1.0, 3.0, 5.0, 7.0]), [1, 1, 2, None])
    assert means == {1: (2.0, 2), 2: (5.0, 1)}


def test_group_means_of_nothing_is_empty():
    assert outcomes.group_means(np.array([]), []) == {}


@pytest.mark.parametrize(
    ("previous", "latest", "direction", "expected"),
    [
        (10, 8, "higher_more_need", "better"),
        (10, 12, "higher_more_need", "worse"),
        (10, 12, "higher_less_need", "better"),
        (10, 8, "higher_less_need", "worse"),
        (10, 10, "higher_more_need", "same"),
        (10, 12, "neutral", "up"),
        (None, 12, "higher_more_need", None),
    ],
)
def test_change_follows_the_measures_direction(previous, latest, direction, expected):
    assert outcomes.change(previous, latest, direction) == expected


def test_quantile_breaks_give_equal_count_classes():
    values = list(range(1, 101))
    breaks = outcomes.quantile_breaks(values, 5)
    assert breaks == pytest.approx([20.8, 40.6, 60.4, 80.2, 100.0])
    counts = np.bincount([outcomes.class_of(v, breaks) for v in values])
    assert counts.tolist() == [20, 20, 20, 20, 20]


def test_classes_ignore_missing_values():
    assert outcomes.quantile_breaks([None, None]) == []
    assert outcomes.class_of(None, [1.0]) is None
    assert outcomes.class_of(5.0, []) is None
    assert outcomes.quantile_breaks([3.0, 3.0, 3.0]) == [3.0]
