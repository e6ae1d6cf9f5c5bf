"""Community Wealth Fund arithmetic: exact pounds, stated tie-break, schedules, real left-behind wards."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonground.engine import fund, left_behind, national
from commonground.engine.fund import AllocationPolicy, Place, Policy, Profile


@given(
    st.integers(0, 10**9),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=60).filter(lambda w: sum(w) > 0),
)
def test_largest_remainder_is_exact_and_within_one_pound_of_the_quota(total, weights):
    codes = [f"E05{i:06d}" for i in range(len(weights))]
    shares = fund.largest_remainder(total, weights, codes)
    assert int(shares.sum()) == total
    for share, w in zip(shares, weights, strict=True):
        quota = Fraction(total * w, sum(weights))
        assert quota - 1 < share < quota + 1


def test_ties_go_to_the_lower_code():
    shares = fund.largest_remainder(10, [1, 1, 1], ["E05000003", "E05000001", "E05000002"])
    assert shares.tolist() == [3, 4, 3]  # E05000001 gets the odd pound


def places(n=5):
    return [Place(f"E05{i:06d}", f"Ward {i}", "Borough", 1000 * (i + 1), need=float(i + 1)) for i in range(n)]


@pytest.mark.parametrize("policy", list(Policy))
def test_every_policy_stays_within_the_fund_and_schedules_add_up(policy):
    result = fund.allocate(places(), AllocationPolicy(policy, total=1_000_003, years=12))
    assert result.total_awarded <= 1_000_003
    for award in result.awards:
        assert sum(award.schedule) == award.amount and len(award.schedule) == 12
    if policy is not Policy.BIG_LOCAL:
        assert result.total_awarded == 1_000_003


def test_policy_shapes():
    p = places()
    equal = fund.allocate(p, AllocationPolicy(Policy.EQUAL, total=100, years=1))
    assert sorted(a.amount for a in equal.awards) == [20] * 5
    per_capita = fund.allocate(p, AllocationPolicy(Policy.PER_CAPITA, total=15_000, years=1))
    assert [a.amount for a in per_capita.awards] == [1000, 2000, 3000, 4000, 5000]
    needs = fund.allocate(p, AllocationPolicy(Policy.NEEDS_WEIGHTED, total=55_000, years=1))
    assert [a.amount for a in needs.awards] == [1000, 4000, 9000, 16000, 25000]  # population × need


def test_big_local_targets_a_million_per_9000_residents_with_floor_and_cap():
    p = [Place("E05000001", "A", "X", 9_000), Place("E05000002", "B", "X", 4_500), Place("E05000003", "C", "X", 30_000)]
    roomy = fund.allocate(p, AllocationPolicy(Policy.BIG_LOCAL, total=10_000_000, years=10, floor=600_000,
                                              cap=1_500_000))  # fmt: skip
    assert [a.amount for a in roomy.awards] == [1_000_000, 600_000, 1_500_000]
    assert roomy.unallocated == 10_000_000 - 3_100_000
    tight = fund.allocate(p, AllocationPolicy(Policy.BIG_LOCAL, total=1_550_000, years=10, floor=300_000,
                                              cap=1_000_000))  # fmt: skip
    assert tight.total_awarded == 1_550_000
    amounts = [a.amount for a in tight.awards]
    # pro rata to population gives 320,690 / 160,345 / 1,068,965: C is capped at £1m, B raised to the floor
    assert amounts[1] == 300_000 and amounts[2] <= 1_000_000 and min(amounts) >= 300_000
    with pytest.raises(ValueError, match="exceeds the fund"):
        fund.allocate(p, AllocationPolicy(Policy.BIG_LOCAL, total=1_550_000, years=10, floor=600_000))


def test_cap_and_floor_on_a_proportional_split():
    p = places()
    capped = fund.allocate(p, AllocationPolicy(Policy.PER_CAPITA, total=15_000, years=1, cap=4_000))
    amounts = [a.amount for a in capped.awards]
    assert max(amounts) == 4_000 and sum(amounts) == 15_000
    floored = fund.allocate(p, AllocationPolicy(Policy.PER_CAPITA, total=15_000, years=1, floor=2_500))
    amounts = [a.amount for a in floored.awards]
    assert min(amounts) == 2_500 and sum(amounts) == 15_000
    with pytest.raises(ValueError, match="exceeds the fund"):
        fund.allocate(p, AllocationPolicy(Policy.PER_CAPITA, total=15_000, years=1, floor=4_000))


def test_schedules():
    even = fund.schedule(1_000_001, AllocationPolicy(Policy.EQUAL, total=1, years=10))
    assert even == (100_001,) + (100_000,) * 9
    front = fund.schedule(550, AllocationPolicy(Policy.EQUAL, total=1, years=10, profile=Profile.FRONT_LOADED))
    assert front == (100, 90, 80, 70, 60, 50, 40, 30, 20, 10)
    start = fund.schedule(1_000_000, AllocationPolicy(Policy.EQUAL, total=1, years=11, profile=Profile.START_UP))
    assert start[0] == 50_000 and set(start[1:]) == {95_000} and sum(start) == 1_000_000


def test_planned_dates_for_360giving():
    assert fund.planned_dates(dt.date(2027, 4, 1), 12) == {"startDate": "2027-04-01", "endDate": "2039-03-31",
                                                            "duration": 144}  # fmt: skip
    assert fund.planned_dates(dt.date(2028, 2, 29), 1)["endDate"] == "2029-02-28"


def test_bad_policies_are_refused():
    with pytest.raises(ValueError, match="positive number of pounds"):
        AllocationPolicy(Policy.EQUAL, total=0, years=10)
    with pytest.raises(ValueError, match="years"):
        AllocationPolicy(Policy.EQUAL, total=10, years=0)
    with pytest.raises(ValueError, match="no population"):
        fund.allocate([Place("E05000001", "A", "X", 0)], AllocationPolicy(Policy.PER_CAPITA, total=10, years=1))


def test_87_5m_over_12_years_across_the_real_left_behind_wards(national_data):
    wards = national.imd2019_wards17(national_data)
    cni = left_behind.read_cni(national_data / "cni" / "cni2019_england_ward17.csv")
    found = left_behind.left_behind(wards, cni)
    eligible = [Place(r.code, r.ward_name, r.local_authority, int(round(r.population))) for r in found.itertuples()]
    policy = AllocationPolicy(Policy.BIG_LOCAL, total=87_500_000, years=12, floor=250_000, cap=2_000_000)
    first = fund.allocate(eligible, policy)
    again = fund.allocate(list(reversed(eligible)), policy)
    assert first == again, "same inputs, same awards, whatever the input order"
    amounts = np.array([a.amount for a in first.awards])
    print(f"\n£87.5m over 12 years, big-local: {amounts.size} wards, min £{amounts.min():,}, "
          f"median £{int(np.median(amounts)):,}, max £{amounts.max():,}, total £{amounts.sum():,}")  # fmt: skip
    assert amounts.size == len(found) == 226
    assert amounts.sum() == 87_500_000  # the targets (~£1.1m each) exceed £87.5m, so it is scaled to fit
    assert amounts.min() == 250_000 and amounts.max() <= 2_000_000
    assert all(sum(a.schedule) == a.amount for a in first.awards)
    assert len(first.data_version) == 64
