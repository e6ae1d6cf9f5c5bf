"""High street rental auctions (LURA 2023 Part 10, ss.191-218, Sch 20; SI 2024/1139): the vacancy condition
computed exactly from occupation, designation, the letting notices, counter-notice, appeal, auction and lease.
Each test names the rule it checks; "unconfirmed" marks figures known only from secondary sources."""

from __future__ import annotations

import datetime as dt

import pytest

from commonground.engine import rental_auctions as ra
from commonground.engine.clocks import PendingClock
from commonground.engine.high_street_vacancy import (
    Occupation,
    first_day_met,
    unoccupied_days,
    vacancy_condition,
    vacant_since,
)
from commonground.engine.rental_auction_periods import appeal
from commonground.engine.rental_auctions import HighStreetUse, LettingStatus
from commonground.engine.steps import Refused

D = dt.date
SHOP = HighStreetUse.SHOP_OR_OFFICE


# --- vacancy condition: unoccupied on the day and throughout the year ending with the previous day, or for at
# least 366 days in the two years ending with the previous day (LURA 2023 Part 10; section number unconfirmed).


def test_vacant_throughout_the_year_ending_with_the_previous_day():
    empty = vacant_since(D(2025, 3, 2))
    assert not vacancy_condition(empty, D(2026, 3, 1)).met  # 2025-03-01 (occupied) is inside that year
    met = vacancy_condition(empty, D(2026, 3, 2))
    assert met.met and met.limb == "a" and met.year == (D(2025, 3, 2), D(2026, 3, 1))
    assert first_day_met(empty, D(2025, 3, 2)) == D(2026, 3, 2)
    assert "s.193 or s.194" in met.citation


def test_leap_year_the_year_ending_28_february_2028_starts_1_march_2027():
    empty = vacant_since(D(2027, 3, 1))
    assert first_day_met(empty, D(2027, 3, 1)) == D(2028, 2, 29)
    assert vacancy_condition(empty, D(2028, 2, 29)).year == (D(2027, 3, 1), D(2028, 2, 28))
    assert vacancy_condition(empty, D(2028, 3, 1)).unoccupied_in_year == 366  # the year holds 29 February


def test_366_days_in_two_years_counted_exactly():
    record = [Occupation(None, D(2024, 12, 31)), Occupation(D(2026, 1, 1), D(2026, 6, 30))]  # empty all 2025
    assert vacancy_condition(record, D(2026, 7, 1)).unoccupied_in_two_years == 365
    assert not vacancy_condition(record, D(2026, 7, 1)).met
    met = vacancy_condition(record, D(2026, 7, 2))
    assert met.met and met.limb == "b" and met.unoccupied_in_two_years == 366
    leap = [Occupation(None, D(2023, 12, 31)), Occupation(D(2025, 1, 1), D(2025, 6, 30))]  # empty all 2024 (366)
    assert vacancy_condition(leap, D(2025, 7, 1)).limb == "b"  # exactly 366 days is enough


def test_occupied_on_the_day_fails_and_overlaps_count_once():
    record = [Occupation(None, D(2024, 1, 1)), Occupation(D(2026, 3, 2), D(2026, 3, 2))]
    assert "occupied on 2026-03-02" in vacancy_condition(record, D(2026, 3, 2)).reason
    overlapping = [Occupation(D(2025, 1, 1), D(2025, 3, 31)), Occupation(D(2025, 2, 1), D(2025, 4, 30))]
    assert unoccupied_days(overlapping, D(2025, 1, 1), D(2025, 12, 31)) == 365 - 120


# --- designation (s.191; 28-day engagement, SI 2024/1139, regulation number unconfirmed) -------------------


def test_designation_after_28_days_engagement_and_withdrawal_at_any_time():
    street = ra.Designation()
    street.start_engagement(D(2025, 1, 6))
    assert street.periods()[0].last_day == D(2025, 2, 2)
    with pytest.raises(Refused, match="runs until 2025-02-02") as refused:
        street.designate(D(2025, 2, 2))
    assert "28 days" in refused.value.citation and "unconfirmed" in refused.value.citation
    street.designate(D(2025, 2, 3))
    assert street.in_force(D(2025, 2, 3)) and not street.in_force(D(2025, 2, 2))
    street.withdraw(D(2026, 1, 1))  # s.191(4): varied or withdrawn at any time
    assert not street.in_force(D(2026, 1, 1)) and street.in_force(D(2025, 12, 31))


# --- letting notices, counter-notice, appeal, auction and tenancy --------------------------------------------

EMPTY = vacant_since(D(2024, 6, 1))


MARCH_2 = D(2026, 3, 2)


def served(on: D = MARCH_2) -> ra.Letting:
    case = ra.Letting()
    case.serve_initial_notice(on, designated=True, occupation=EMPTY, local_benefit=True, use=SHOP)
    return case


def test_initial_notice_lasts_10_weeks_and_final_notice_only_after_8():
    case = served()
    assert [(p.key, p.last_day) for p in case.periods()] == [
        ("initial_notice", D(2026, 5, 10)),  # s.195 (number unconfirmed): 10 weeks
        ("final_notice_wait", D(2026, 4, 26)),  # s.198 (number unconfirmed): after 8 weeks
    ]
    with pytest.raises(Refused, match="from 2026-04-27"):
        case.serve_final_notice(D(2026, 4, 26))
    case.serve_final_notice(D(2026, 4, 27))
    assert case.periods()[2].last_day == D(2026, 8, 2)  # s.198 (number unconfirmed): up to 14 weeks
    assert case.advance(D(2026, 8, 2)) is LettingStatus.FINAL_NOTICE
    assert case.advance(D(2026, 8, 3)) is LettingStatus.LAPSED


def test_initial_notice_lapses_after_its_last_day_across_29_february():
    case = served(D(2028, 1, 1))
    assert case.periods()[0].last_day == D(2028, 3, 10) and case.periods()[1].last_day == D(2028, 2, 25)
    assert case.advance(D(2028, 3, 10)) is LettingStatus.INITIAL_NOTICE
    assert case.advance(D(2028, 3, 11)) is LettingStatus.LAPSED
    assert case.history[-1] == (D(2028, 3, 11), "initial letting notice ran out")


@pytest.mark.parametrize(
    ("kwargs", "why", "rule"),
    [
        ({"designated": False}, "designated high street", "s.192(2)"),
        ({"warehouse": True}, "warehouse", "s.192(2), (3)"),
        ({"occupation": vacant_since(D(2025, 6, 1))}, "vacancy condition is not met", "vacancy condition"),
        ({"local_benefit": False}, "local economy, society or environment", "local benefit"),
    ],
)
def test_initial_notice_guards(kwargs, why, rule):
    case = ra.Letting()
    arguments = {"designated": True, "occupation": EMPTY, "local_benefit": True, "use": SHOP, **kwargs}
    with pytest.raises(Refused, match=why) as refused:
        case.serve_initial_notice(D(2026, 3, 2), **arguments)
    assert rule in refused.value.citation and case.status is LettingStatus.IDENTIFIED
    with pytest.raises(Refused, match="in force from 2024-12-02"):  # SI 2024/1139; Commencement No. 6 Regs
        case.serve_initial_notice(D(2024, 12, 1), designated=True, occupation=EMPTY, local_benefit=True, use=SHOP)


def test_counter_notice_confirmation_appeal_auction_and_lease():
    case = served()
    case.serve_final_notice(D(2026, 4, 27))
    assert case.periods()[3].last_day == D(2026, 5, 10)  # counter-notice: 14 days (unconfirmed)
    assert case.serve_counter_notice(D(2026, 5, 8)) == ""
    assert case.periods()[4].last_day == D(2026, 5, 21)  # authority's response: 14 days (unconfirmed)
    with pytest.raises(Refused, match="cannot appeal"):
        case.appeal(D(2026, 5, 9), [1])
    assert case.respond(D(2026, 5, 20), confirm=True) == ""
    waiting = case.periods()[-1]
    assert waiting.pending and waiting.length == "not confirmed" and "county court" in waiting.citation
    with pytest.raises(PendingClock, match="not confirmed"):
        appeal(D(2026, 5, 20))
    with pytest.raises(Refused, match="seven grounds in Schedule 20"):
        case.appeal(D(2026, 5, 25), [8])
    case.appeal(D(2026, 5, 25), [5, 1])
    assert case.status is LettingStatus.APPEAL and case.grounds == (1, 5)
    case.decide_appeal(D(2026, 5, 30), allowed=False)
    case.start_auction(D(2026, 6, 1))  # s.203(1): while the final letting notice is in force
    assert case.periods()[-1].last_day == D(2026, 8, 23)  # 12-week auction period (MHCLG to the SLSC)
    case.successful_bidder(D(2026, 7, 15))
    with pytest.raises(Refused, match="1 to 5 years, not 6 years"):
        case.grant_lease(D(2026, 8, 1), 6)
    with pytest.raises(Refused, match="not 0 years 11 months"):
        case.grant_lease(D(2026, 8, 1), 0, 11)
    term = case.grant_lease(D(2026, 8, 1), 5)
    assert term.last_day == D(2031, 7, 31) and term.note == "no security of tenure"
    assert case.status is LettingStatus.LET


def test_late_counter_notice_recorded_and_flagged_withdrawal_and_appeal_allowed():
    case = served()
    case.serve_final_notice(D(2026, 4, 27))
    assert "after the period ending 2026-05-10" in case.serve_counter_notice(D(2026, 5, 11))
    case.respond(D(2026, 5, 12), confirm=False)
    assert case.status is LettingStatus.WITHDRAWN
    case = served()
    case.withdraw(D(2026, 3, 3))  # s.214(6): any time
    assert case.status is LettingStatus.WITHDRAWN
    case.serve_initial_notice(D(2026, 4, 1), designated=True, occupation=EMPTY, local_benefit=True, use=SHOP)
    case.let_with_consent(D(2026, 4, 20))  # ss.196, 197(1)
    assert case.status is LettingStatus.LET_BY_LANDLORD


def test_auction_without_bidder_lapses_and_the_seven_grounds():
    case = served()
    case.serve_final_notice(D(2026, 4, 27))
    case.start_auction(D(2026, 5, 1))
    assert case.advance(D(2026, 7, 23)) is LettingStatus.AUCTION
    assert case.advance(D(2026, 7, 24)) is LettingStatus.LAPSED
    assert sorted(ra.APPEAL_GROUNDS) == [1, 2, 3, 4, 5, 6, 7]  # LURA 2023 Sch 20
    assert ra.APPEAL_GROUNDS[1].startswith("That the vacancy condition was not met")


def test_replay_rebuilds_a_letting_case():
    steps = [
        ("serve_initial_notice", D(2026, 3, 2),
         {"designated": True, "occupation": EMPTY, "local_benefit": True, "use": SHOP}),
        ("serve_final_notice", D(2026, 4, 27), {}),
    ]  # fmt: skip
    assert ra.replay_letting(steps, today=D(2026, 5, 1)).status is LettingStatus.FINAL_NOTICE
    street = ra.replay_designation([("start_engagement", D(2025, 1, 6)), ("designate", D(2025, 2, 3))])
    assert street.in_force(D(2026, 3, 2))
