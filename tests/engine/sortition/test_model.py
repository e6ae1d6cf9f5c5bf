"""Reading quotas and pools in the practitioners' layouts; errors name the row and field."""

from __future__ import annotations

import pytest

from commonground.engine.sortition import model
from commonground.engine.sortition.leximin import select
from tests.engine.sortition.conftest import load

FEATURES = (
    "feature,value,min,max,min_flex,max_flex\ngender,f,1,2,0,2\ngender,m,1,2,0,2\nage,young,0,2,0,2\nage,old,1,2,0,2\n"
)
PEOPLE = (
    "id,name,gender,age,street,postcode\n"
    "a,A,f,young,1 High St,AB1\nb,B,m,old,2 High St,AB1\nc,C,f,old,1 high st,ab1\nd,D,m,young,3 Low Rd,AB2\n"
)


def test_both_layouts():
    pool, quotas, k = load("practitioner_22")
    assert pool.n == 150 and pool.ids[0] == "p0" and len(quotas.items()) == 20
    pool, quotas, k = load("replication_20")
    assert pool.n == 200 and pool.ids[:2] == ["0", "1"] and quotas.bounds["gender"]["female"] == (9, 20)


@pytest.mark.reference("sortition")
def test_both_layouts_as_published():
    pool, quotas, k = load("fixture_22")
    assert pool.n == 150 and pool.ids[0] == "p0" and len(quotas.items()) == 20
    pool, quotas, k = load("example_small_20")
    assert pool.n == 200 and pool.ids[:2] == ["0", "1"] and quotas.bounds["gender"]["female"] == (9, 20)


def test_households_group_people_at_one_address():
    quotas = model.read_quotas("f.csv", text=FEATURES)
    pool = model.read_pool("p.csv", quotas, household_columns=["street", "postcode"], text=PEOPLE)
    assert pool.ids == ["a", "b", "c", "d"]
    assert pool.households[0] == pool.households[2] != pool.households[1]  # case and spaces do not matter
    groups = model.group_pool(pool, quotas)
    assert groups.households == [[0, 2]]
    dist = select(pool, quotas, 2, "leximin")
    assert all(not {"a", "c"} <= {pool.ids[i] for i in p} for p in dist.panels)


@pytest.mark.parametrize(
    ("features", "people", "message"),
    [
        ("feature,value,min,max\ngender,f,x,2\n", None, r"row 2, field 'min': 'x' is not a whole number"),
        ("feature,value,min,max\ngender,f,3,2\n", None, r"row 2: min 3 is greater than max 2"),
        ("feature,value,min,max\ngender,f,1,2\ngender,f,1,2\n", None, r"row 3: gender=f appears twice"),
        ("feature,value,min,max\ngender,,1,2\n", None, r"row 2, field 'value': empty"),
        ("feature,value,min,max\ngender,f,-1,2\n", None, r"row 2, field 'min': -1 is negative"),
        ("name,low,high\n", None, r"header must be feature,value,min,max"),
        (FEATURES, "id,gender,age\na,f,young\nb,x,old\n", r"row 3, field 'gender': 'x' is not one of the quota values"),
        (FEATURES, "id,gender,age\na,f,young\na,m,old\n", r"row 3, field 'id': id 'a' already used on row 2"),
        (FEATURES, "id,gender\na,f\n", r"no column for feature\(s\) age"),
    ],
)
def test_errors_name_row_and_field(features, people, message):
    with pytest.raises(model.SortitionError, match=message):
        quotas = model.read_quotas("f.csv", text=features)
        model.read_pool("p.csv", quotas, text=people)


def test_infeasible_quotas_are_explained_with_the_smallest_relaxation():
    pool, quotas, k = load("replication_20")
    quotas.bounds["gender"]["female"] = (15, 20)  # with at least 9 men, at most 11 of 20 can be women
    with pytest.raises(model.InfeasibleQuotas) as caught:
        select(pool, quotas, k, "leximin")
    [change] = caught.value.relaxations
    assert (change.feature, change.value, change.bound, change.needed) in {
        ("gender", "female", "min", 11),
        ("gender", "male", "min", 5),
    }
    assert "lower min from" in str(caught.value) and "(pool has 100)" in str(caught.value)


def test_quota_sums_that_cannot_add_up():
    quotas = model.read_quotas("f.csv", text=FEATURES.replace("gender,f,1,2", "gender,f,1,1").replace("m,1,2", "m,1,1"))
    pool = model.read_pool("p.csv", quotas, text=PEOPLE)
    with pytest.raises(model.InfeasibleQuotas, match=r"gender=(f|m): raise max from 1 to 2") as caught:
        select(pool, quotas, 3, "leximin")
    assert len(caught.value.relaxations) == 1


def test_sizes_out_of_range():
    quotas = model.read_quotas("f.csv", text=FEATURES)
    pool = model.read_pool("p.csv", quotas, text=PEOPLE)
    with pytest.raises(model.SortitionError, match="larger than the pool"):
        select(pool, quotas, 5)
    with pytest.raises(model.SortitionError, match="at least 1"):
        select(pool, quotas, 0)
