"""The asset case state machine: every guard refuses with a reason, and time moves the case on."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from commonground.engine import clocks
from commonground.engine.asset_case import Case, replay
from commonground.engine.asset_rules import (
    Body,
    BodyKind,
    ExemptGround,
    LandUse,
    UseWhen,
    ValueClaim,
    community_value,
    may_be_listed,
    may_bid,
    may_nominate,
)
from commonground.engine.asset_status import Status
from commonground.engine.clocks import Length, Unit
from commonground.engine.steps import Refused

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


# --- Community Right to Buy (English Devolution and Community Empowerment Act 2026, c. 23) ---------------

RTB = clocks.RIGHT_TO_BUY_2026
# As if the regulations were made and the ACV schedule commenced: a test-set commencement date and the
# interim window the new regulations would fix (the real rule set keeps it pending).
MADE = replace(RTB, in_force_from=D(2027, 1, 1), interim_moratorium=Length(6, Unit.WEEKS))


@pytest.mark.parametrize(
    ("claim", "allowed_2011", "allowed_2026", "why"),
    [
        (ValueClaim(UseWhen.CURRENT), True, True, ""),
        (ValueClaim(UseWhen.CURRENT, social=False, economic=True), False, True, "only social wellbeing"),
        (ValueClaim(UseWhen.RECENT_PAST), True, True, ""),
        (ValueClaim(UseWhen.EARLIER_PAST), False, True, "recent past"),
        (ValueClaim(UseWhen.EARLIER_PAST, realistic_future=False), False, False, "within the next five years"),
        (ValueClaim(UseWhen.CURRENT, realistic_future=False), False, False, "can continue"),
        (ValueClaim(UseWhen.CURRENT, social=False), False, False, "say how its use furthers"),
    ],
)
def test_test_of_community_value_widened_in_2026(claim, allowed_2011, allowed_2026, why):
    old, new = community_value(clocks.LOCALISM_2011, claim), community_value(RTB, claim)
    assert (old.allowed, new.allowed) == (allowed_2011, allowed_2026)
    assert why in " ".join(old.reasons + new.reasons)
    assert old.citation == "Localism Act 2011 s.88(1), (2)"  # 2011: social; "recent past"; next five years
    assert "new Localism Act s.86B" in new.citation and "enacted numbering unconfirmed" in new.citation


def test_value_test_applies_when_nominating():
    with pytest.raises(Refused, match="recent past"):
        Case().nominate(D(2026, 1, 5), CHARITY, claim=ValueClaim(UseWhen.EARLIER_PAST))
    case = Case(rules=MADE)
    case.nominate(D(2027, 2, 1), CHARITY, claim=ValueClaim(UseWhen.EARLIER_PAST, social=False, economic=True))
    assert case.status is Status.NOMINATED


def test_sports_grounds_listed_and_flagged_differently_in_2026():
    assert may_be_listed(LandUse.SPORTS_GROUND).reasons == ("may be listed",)  # s.88(6): sporting interests
    verdict = may_be_listed(LandUse.SPORTS_GROUND, RTB)
    assert verdict.allowed and "treats sports grounds differently" in verdict.reasons[0]
    assert "not confirmed" in verdict.reasons[0] and "Bill Sch 29" in verdict.reasons[0]


def rtb_case(rules=RTB, notice: D | None = None, bid: D | None = None) -> Case:
    case = Case(rules=rules)
    case.nominate(D(2027, 2, 1), CHARITY)
    case.decide(D(2027, 2, 20), listed=True)
    if notice:
        case.notify_disposal(notice)
    if bid:
        case.request_to_bid(bid, CHARITY)
    return case


def test_2026_steps_needing_pending_clocks_are_refused_naming_the_regulation():
    case = rtb_case(notice=None)
    assert [p.key for p in case.waiting()] == ["nomination_decision", "listing", "review_request"]
    with pytest.raises(Refused, match="waits on regulations") as refused:
        case.request_review(D(2027, 3, 1))
    assert "new ACV regulations" in refused.value.reason and case.status is Status.LISTED
    assert case.advance(D(2040, 1, 1)) is Status.LISTED  # a listing's length is pending: it never runs out by itself
    case = rtb_case(notice=D(2027, 3, 2))
    assert case.status is Status.INTERIM_MORATORIUM and case.advance(D(2030, 1, 1)) is Status.INTERIM_MORATORIUM
    with pytest.raises(Refused, match="interim .expression-of-interest. window"):
        case.request_to_bid(D(2030, 1, 1), CHARITY)
    with pytest.raises(Refused, match="exempt disposals under right-to-buy-2026 waits on regulations"):
        case.dispose(D(2030, 1, 1), False, ExemptGround.FAMILY)


def test_first_refusal_valuation_progress_check_and_sale_to_the_group():
    case = rtb_case(MADE, notice=D(2027, 3, 2), bid=D(2027, 3, 20))
    assert case.status is Status.FULL_MORATORIUM and case.full().last_day == D(2028, 3, 1)  # 12 months
    with pytest.raises(Refused, match="first refusal until 2028-03-01: the owner may not sell to anyone else"):
        case.dispose(D(2027, 4, 1), to_community_interest_group=False)
    with pytest.raises(Refused, match="offer the asset to the group"):
        case.dispose(D(2027, 4, 1), to_community_interest_group=True)
    with pytest.raises(Refused, match="cannot agree a price while the case is full moratorium"):
        case.agree_price(D(2027, 4, 1), 45_000_000)
    case.offer_to_group(D(2027, 4, 1))
    assert case.status is Status.FIRST_REFUSAL
    with pytest.raises(Refused, match="must be asked for before"):
        case.set_valuation(D(2027, 4, 2), 40_000_000, "A Valuer FRICS")
    case.request_valuation(D(2027, 4, 2))
    assert [p.key for p in case.waiting()][-1] == "valuation"  # its timetable waits on regulations
    case.request_progress_check(D(2027, 6, 1))
    with pytest.raises(Refused, match="still awaits the council's finding"):
        case.request_progress_check(D(2027, 6, 2))
    case.find_progress(D(2027, 6, 20), sufficient=False)
    assert case.status is Status.FIRST_REFUSAL and case.progress_sufficient is False  # effect pending: recorded
    case.set_valuation(D(2027, 7, 1), 40_000_000, "A Valuer FRICS")
    with pytest.raises(Refused, match="already fixed at £400,000 .set by an independent valuer"):
        case.agree_price(D(2027, 7, 2), 38_000_000)
    why = case.dispose(D(2027, 9, 1), to_community_interest_group=True)
    assert "£400,000, set by an independent valuer" in why and "first refusal" in why
    assert case.status is Status.SOLD


def test_agreed_price_needs_no_valuation_and_first_refusal_lapses_after_the_last_day():
    case = rtb_case(MADE, notice=D(2028, 2, 29), bid=D(2028, 3, 10))
    case.offer_to_group(D(2028, 3, 11))
    case.agree_price(D(2028, 3, 12), 25_000_050)
    with pytest.raises(Refused, match="no valuation is needed"):
        case.request_valuation(D(2028, 3, 13))
    assert case.full().last_day == D(2029, 2, 28)  # no 29 February 2029
    assert case.advance(D(2029, 2, 28)) is Status.FIRST_REFUSAL  # the last day is inside
    with pytest.raises(Refused, match="first refusal until 2029-02-28"):
        case.dispose(D(2029, 2, 28), to_community_interest_group=False)
    assert case.advance(D(2029, 3, 1)) is Status.PROTECTED_PERIOD
    assert case.history[-1] == (D(2029, 3, 1), "full moratorium ended", Status.PROTECTED_PERIOD)
    assert "first refusal has lapsed" in case.dispose(D(2029, 3, 1), to_community_interest_group=False)


def test_first_refusal_steps_do_not_exist_under_the_2011_rules():
    case = listed_case(D(2026, 3, 2))
    case.request_to_bid(D(2026, 3, 20), CHARITY)
    for act in (lambda: case.offer_to_group(D(2026, 4, 1)), lambda: case.request_progress_check(D(2026, 4, 1))):
        with pytest.raises(Refused, match="exists only under the Community Right to Buy") as refused:
            act()
        assert "Bill Sch 27/29" in refused.value.citation
    assert case.status is Status.FULL_MORATORIUM


def test_transitional_case_keeps_the_2011_clocks_after_commencement():
    # Nominated and listed under the 2011 rules; the 2026 regime commences (test-set date) before the owner's
    # notice: the case keeps the 2011 clocks. A new nomination after commencement gets the new rule set.
    commenced = replace(MADE, in_force_from=D(2027, 1, 1))
    rules = clocks.rules_for_new_case(commenced, D(2026, 6, 1))
    assert rules is clocks.LOCALISM_2011
    case = Case(rules=rules)
    case.nominate(D(2026, 6, 1), CHARITY)
    case.decide(D(2026, 7, 1), listed=True)
    case.notify_disposal(D(2027, 3, 2))  # after commencement
    case.request_to_bid(D(2027, 3, 20), CHARITY)
    assert (case.interim().last_day, case.full().last_day, case.protected().last_day) == (
        D(2027, 4, 12),  # 6 weeks, Localism Act 2011 s.95(3)(a), (6)
        D(2027, 9, 1),  # 6 months, not 12
        D(2028, 9, 1),  # 18 months
    )
    assert "s.95(1), (3)" in str(pytest.raises(Refused, case.dispose, D(2027, 5, 1), False).value)
    new = Case(rules=clocks.rules_for_new_case(commenced, D(2027, 2, 1)))
    new.nominate(D(2027, 2, 1), CHARITY)
    assert new.rules.key == "right-to-buy-2026" and new.rules.right_of_first_refusal


def test_replay_lists_stored_steps_the_rules_now_refuse():
    steps = [
        ("nominate", D(2026, 1, 5), {"body": CHARITY}),
        ("decide", D(2026, 2, 1), {"listed": True}),
        ("notify_disposal", D(2026, 3, 2), {}),
        ("request_to_bid", D(2026, 3, 20), {"body": CHARITY}),  # stored under the Bill's 6-week proposal
    ]
    with pytest.raises(Refused, match="waits on regulations"):
        replay(clocks.ruleset("right-to-buy"), steps)
    case = replay(clocks.ruleset("right-to-buy"), steps, today=D(2026, 12, 1), tolerant=True)
    assert case.status is Status.INTERIM_MORATORIUM
    assert [(name, on) for name, on, _ in case.unreplayed] == [("request_to_bid", D(2026, 3, 20))]
    assert replay(clocks.LOCALISM_2011, steps, today=D(2026, 12, 1)).status is Status.PROTECTED_PERIOD
