"""The asset case state machine: every guard refuses with a reason, and time moves the case on."""

from __future__ import annotations

import datetime as dt

import pytest

from commonground.engine import clocks
from commonground.engine.asset_case import (
    Body,
    BodyKind,
    Case,
    ExemptGround,
    LandUse,
    Refused,
    Status,
    may_be_listed,
    may_bid,
    may_nominate,
    replay,
)

D = dt.date
CHARITY = Body(BodyKind.CHARITY, local_connection=True)
GROUP_21 = Body(BodyKind.UNINCORPORATED, local_connection=True, members_on_register=21)


@pytest.mark.parametrize(
    ("body", "allowed", "why"),
    [
        (Body(BodyKind.PARISH_COUNCIL, True), True, ""),
        (Body(BodyKind.NEIGHBOURHOOD_FORUM, True), True, ""),
        (CHARITY, True, ""),
        (Body(BodyKind.COMMUNITY_INTEREST_COMPANY, True), True, ""),
        (Body(BodyKind.COMPANY_LIMITED_BY_GUARANTEE, True), True, ""),
        (Body(BodyKind.COMPANY_LIMITED_BY_GUARANTEE, True, distributes_surplus=True), False, "surplus"),
        (Body(BodyKind.COOPERATIVE_OR_CBS, True, distributes_surplus=True), False, "surplus"),
        (GROUP_21, True, ""),
        (Body(BodyKind.UNINCORPORATED, True, members_on_register=20), False, "at least 21 members"),
        (Body(BodyKind.UNINCORPORATED, True, distributes_surplus=True, members_on_register=30), False, "surplus"),
        (Body(BodyKind.CHARITY, False), False, "local connection"),
        (Body(BodyKind.OTHER, True), False, "not an individual"),
    ],
)
def test_who_may_nominate(body, allowed, why):
    verdict = may_nominate(body)
    assert verdict.allowed is allowed
    assert why in " ".join(verdict.reasons)
    assert "s.89(2)" in verdict.citation


@pytest.mark.parametrize(
    ("body", "allowed", "why"),
    [
        (Body(BodyKind.PARISH_COUNCIL, True), True, ""),
        (CHARITY, True, ""),
        (Body(BodyKind.COMMUNITY_INTEREST_COMPANY, True), True, ""),
        (Body(BodyKind.COMPANY_LIMITED_BY_GUARANTEE, True), True, ""),
        (Body(BodyKind.COOPERATIVE_OR_CBS, True), True, ""),
        (Body(BodyKind.COOPERATIVE_OR_CBS, True, distributes_surplus=True), False, "surplus"),
        (GROUP_21, False, "cannot bid"),
        (Body(BodyKind.NEIGHBOURHOOD_FORUM, True), False, "neighbourhood forum"),
        (Body(BodyKind.CHARITY, False), False, "local connection"),
        (Body(BodyKind.OTHER, True), False, "only a parish council"),
    ],
)
def test_who_may_bid(body, allowed, why):
    verdict = may_bid(body)
    assert verdict.allowed is allowed
    assert why in " ".join(verdict.reasons)
    assert "reg 12" in verdict.citation


def test_homes_caravan_sites_and_operational_land_cannot_be_listed():
    assert may_be_listed(LandUse.COMMUNITY).allowed
    for use in (LandUse.RESIDENCE, LandUse.CARAVAN_SITE, LandUse.OPERATIONAL_LAND):
        assert not may_be_listed(use).allowed
    with pytest.raises(Refused, match="residence"):
        Case().nominate(D(2026, 1, 5), CHARITY, LandUse.RESIDENCE)


def test_nomination_by_small_group_refused_with_reason():
    with pytest.raises(Refused) as refused:
        Case().nominate(D(2026, 1, 5), Body(BodyKind.UNINCORPORATED, True, members_on_register=12))
    assert "you said 12" in refused.value.reason
    assert "reg" in refused.value.citation


def listed_case(notice: D | None = None) -> Case:
    case = Case()
    case.nominate(D(2026, 1, 5), GROUP_21)
    case.decide(D(2026, 2, 1), listed=True)
    if notice:
        case.notify_disposal(notice)
    return case


def test_issue_path_nominate_list_notice_bid_moratorium():
    case = listed_case(D(2026, 3, 2))
    assert case.status is Status.INTERIM_MORATORIUM
    case.request_to_bid(D(2026, 3, 20), CHARITY)
    assert case.status is Status.FULL_MORATORIUM
    assert case.full().last_day == D(2026, 9, 1)
    case.request_to_bid(D(2026, 4, 12), Body(BodyKind.PARISH_COUNCIL, True))  # a second group, still in time
    with pytest.raises(Refused, match="interim moratorium ended on 2026-04-12"):
        case.request_to_bid(D(2026, 4, 13), CHARITY)
    assert [p.key for p in case.running(D(2026, 5, 1))] == ["full_moratorium", "protected_period"]
    assert case.advance(D(2026, 9, 1)) is Status.FULL_MORATORIUM
    assert case.advance(D(2026, 9, 2)) is Status.PROTECTED_PERIOD
    assert case.advance(D(2027, 9, 2)) is Status.LISTED


def test_interim_ends_without_bid_request():
    case = listed_case(D(2026, 3, 2))
    assert case.advance(D(2026, 4, 12)) is Status.INTERIM_MORATORIUM
    assert case.advance(D(2026, 4, 13)) is Status.PROTECTED_PERIOD
    with pytest.raises(Refused, match="interim moratorium ended on 2026-04-12"):
        case.request_to_bid(D(2026, 4, 13), CHARITY)


def test_unincorporated_group_cannot_ask_to_bid():
    case = listed_case(D(2026, 3, 2))
    with pytest.raises(Refused, match="cannot bid"):
        case.request_to_bid(D(2026, 3, 3), GROUP_21)
    assert case.status is Status.INTERIM_MORATORIUM


def test_bid_request_needs_a_disposal_notice():
    with pytest.raises(Refused, match="cannot ask to bid while the case is listed"):
        listed_case().request_to_bid(D(2026, 3, 3), CHARITY)


def test_sale_during_moratorium_refused_except_to_community_interest_group():
    case = listed_case(D(2026, 3, 2))
    case.request_to_bid(D(2026, 3, 20), CHARITY)
    with pytest.raises(Refused, match="full moratorium runs until 2026-09-01"):
        case.dispose(D(2026, 6, 1), to_community_interest_group=False)
    assert case.status is Status.FULL_MORATORIUM
    why = case.dispose(D(2026, 6, 1), to_community_interest_group=True)
    assert "community interest group" in why and case.status is Status.SOLD


def test_sale_in_interim_refused_then_allowed_in_protected_period():
    case = listed_case(D(2026, 3, 2))
    with pytest.raises(Refused, match="interim moratorium runs until 2026-04-12"):
        case.dispose(D(2026, 3, 10), to_community_interest_group=False)
    why = case.dispose(D(2026, 5, 1), to_community_interest_group=False)
    assert "protected period" in why


def test_sale_without_notice_refused_and_exempt_disposal_recorded_with_ground():
    case = listed_case()
    with pytest.raises(Refused, match="must first notify"):
        case.dispose(D(2026, 3, 1), to_community_interest_group=False)
    with pytest.raises(Refused, match="must first notify"):
        case.dispose(D(2026, 3, 1), to_community_interest_group=True)
    why = case.dispose(D(2026, 3, 1), to_community_interest_group=False, exempt=ExemptGround.FAMILY)
    assert "s.95(5)(d)" in why and case.exempt_ground is ExemptGround.FAMILY


def test_exempt_disposal_allowed_during_moratorium():
    case = listed_case(D(2026, 3, 2))
    assert "Sch. 3 para 1" in case.dispose(D(2026, 3, 5), False, ExemptGround.COURT_ORDER)


def test_no_new_moratorium_inside_protected_period():
    case = listed_case(D(2026, 3, 2))
    with pytest.raises(Refused, match="protected period is still running"):
        case.notify_disposal(D(2026, 6, 1))
    case.notify_disposal(D(2027, 9, 2))  # protected period over: a fresh notice starts fresh clocks
    assert case.interim().last_day == D(2027, 10, 13)


def test_review_window_and_single_review():
    case = listed_case()
    with pytest.raises(Refused, match="by 2026-03-28"):
        case.request_review(D(2026, 3, 29))
    case = listed_case()
    case.request_review(D(2026, 3, 28))
    assert case.status is Status.UNDER_REVIEW
    case.decide_review(D(2026, 4, 20), keep_listed=True)
    with pytest.raises(Refused, match="already had a review"):
        case.request_review(D(2026, 4, 21))


def test_appeal_needs_review_and_28_days():
    case = listed_case()
    with pytest.raises(Refused, match="review before appealing"):
        case.appeal(D(2026, 2, 10))
    case.request_review(D(2026, 2, 10))
    case.decide_review(D(2026, 3, 1), keep_listed=True)
    with pytest.raises(Refused, match="by 2026-03-28"):
        case.appeal(D(2026, 3, 29))
    case.appeal(D(2026, 3, 28))
    assert case.status is Status.APPEAL
    case.decide_appeal(D(2026, 6, 1), keep_listed=False)
    assert case.status is Status.DELISTED


def test_review_can_remove_listing():
    case = listed_case()
    case.request_review(D(2026, 2, 10))
    case.decide_review(D(2026, 3, 1), keep_listed=False)
    assert case.status is Status.DELISTED


def test_not_listed_and_renomination():
    case = Case()
    case.nominate(D(2026, 1, 5), CHARITY)
    with pytest.raises(Refused, match="cannot nominate while the case is nominated"):
        case.nominate(D(2026, 1, 6), CHARITY)
    case.decide(D(2026, 2, 1), listed=False)
    assert case.status is Status.NOT_LISTED
    case.nominate(D(2026, 6, 1), CHARITY)
    assert case.status is Status.NOMINATED and case.decided_on is None


def test_withdrawals():
    case = Case()
    case.nominate(D(2026, 1, 5), CHARITY)
    case.withdraw_nomination(D(2026, 1, 6))
    assert case.status is Status.WITHDRAWN
    case = listed_case(D(2026, 3, 2))
    case.withdraw_disposal(D(2026, 3, 3))
    assert case.status is Status.LISTED


def test_listing_expires_after_five_years():
    case = listed_case()
    assert case.advance(D(2031, 1, 31)) is Status.LISTED
    assert case.advance(D(2031, 2, 1)) is Status.DELISTED
    assert case.history[-1] == (D(2031, 2, 1), "listing expired", Status.DELISTED)


def test_steps_in_date_order_and_council_delisting():
    case = listed_case()
    with pytest.raises(Refused, match="date order"):
        case.notify_disposal(D(2026, 1, 1))
    case.delist(D(2026, 5, 1))
    assert case.status is Status.DELISTED


def test_replay_with_right_to_buy_rules():
    steps = [
        ("nominate", D(2026, 1, 5), {"body": CHARITY}),
        ("decide", D(2026, 2, 1), {"listed": True}),
        ("notify_disposal", D(2026, 3, 2), {}),
        ("request_to_bid", D(2026, 3, 20), {"body": CHARITY}),
    ]
    case = replay(clocks.RIGHT_TO_BUY, steps, today=D(2026, 12, 1))
    assert case.status is Status.FULL_MORATORIUM
    assert case.full().last_day == D(2027, 3, 1)
    assert replay(clocks.LOCALISM_2011, steps, today=D(2026, 12, 1)).status is Status.PROTECTED_PERIOD
