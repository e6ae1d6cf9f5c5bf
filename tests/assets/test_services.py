"""Asset services: each step replays the case, stores the timeline, audits and notifies, atomically."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest

from commonground.assets import council_settings, public_register, services
from commonground.assets.models import Asset, BidRequest, CaseEvent, Nomination, Sale
from commonground.audit.models import AuditRecord
from commonground.engine import clocks
from commonground.engine.asset_rules import Body, BodyKind, UseWhen, ValueClaim
from commonground.engine.asset_status import Status
from commonground.engine.clocks import Length, Unit
from commonground.notify.models import Notice
from tests.assets.conftest import CHARITY

D = dt.date


def test_nomination_creates_case_timeline_audit_and_notices(nominated):
    assert nominated.status == Status.NOMINATED and nominated.postcode == "DE1 1AA"
    assert nominated.ruleset == "localism-2011"
    assert list(nominated.events.values_list("step", flat=True)) == ["nominate"]
    assert AuditRecord.objects.filter(action="assets.nominate").count() == 1
    event = services.notices(nominated).get(template="assets.event")
    assert (event.recipient_role, event.recipient_email) == ("nominator", "friends@example.org")
    assert "Council decides the nomination: last day 01 March 2026" in event.body
    assert (event.related_type, event.related_label) == ("assets.asset", "The Red Lion")
    reminder = services.notices(nominated).get(template="assets.reminder")  # a week before the decision is due
    assert reminder.due_at == services.reminder_moment(D(2026, 3, 1)) and reminder.status == "queued"
    assert reminder.subject == "The Red Lion: Council decides the nomination: last day 01 March 2026"


def test_decision_needs_reasons_and_updates_nomination(nominated, officer, fixed_today):
    fixed_today["today"] = D(2026, 2, 1)
    with pytest.raises(services.AssetError, match="reasons"):
        services.decide(officer, nominated, False, " ", D(2026, 2, 1))
    services.decide(officer, nominated, False, "Mainly residential.", D(2026, 2, 1))
    nomination = Nomination.objects.get(asset=nominated)
    assert nomination.outcome == Nomination.Outcome.NOT_LISTED and nomination.reasons == "Mainly residential."
    assert Asset.objects.get(pk=nominated.pk).status == Status.NOT_LISTED


def test_issue_path_and_moratorium_clock(listed, officer, organiser, fixed_today):
    fixed_today["today"] = D(2026, 3, 2)
    services.notify_disposal(officer, listed, D(2026, 3, 2), "Brewery plc", "owner@example.org")
    fixed_today["today"] = D(2026, 3, 20)
    services.request_to_bid(organiser, listed, "Red Lion Community Pub Ltd", CHARITY, "bid@example.org", D(2026, 3, 20))
    listed.refresh_from_db()
    assert listed.status == Status.FULL_MORATORIUM
    case = services.case_of(listed, D(2026, 4, 11))
    lines = public_register.clock_lines(case, D(2026, 4, 11))
    assert lines[0]["text"] == "Full moratorium ends in 143 days"
    assert lines[0]["period"].last_day == D(2026, 9, 1)
    row = public_register.register_row(listed, D(2026, 4, 11))
    assert (row["interim_moratorium_last_day"], row["full_moratorium_last_day"], row["protected_period_last_day"]) == (
        "2026-04-12",
        "2026-09-01",
        "2027-09-01",
    )
    roles = set(
        services.notices(listed).filter(subject__contains="potential bidder").values_list("recipient_role", flat=True)
    )
    assert roles == {"nominator", "owner", "bidder"}


def test_refused_step_leaves_nothing_behind(listed, organiser, fixed_today):
    fixed_today["today"] = D(2026, 3, 3)
    events, notes, audits = CaseEvent.objects.count(), Notice.objects.count(), AuditRecord.objects.count()
    group = Body(BodyKind.UNINCORPORATED, True, members_on_register=40)
    with pytest.raises(services.AssetError, match="cannot bid"):
        services.request_to_bid(organiser, listed, "Drinkers", group, "d@example.org", D(2026, 3, 3))
    with pytest.raises(services.AssetError, match="cannot ask to bid while the case is listed"):
        services.request_to_bid(organiser, listed, "Friends", CHARITY, "d@example.org", D(2026, 3, 3))
    assert (CaseEvent.objects.count(), Notice.objects.count(), AuditRecord.objects.count()) == (
        events,
        notes,
        audits,
    )
    assert not BidRequest.objects.exists()


def test_sale_during_moratorium_refused_unless_to_group(listed, officer, fixed_today):
    fixed_today["today"] = D(2026, 3, 10)
    services.notify_disposal(officer, listed, D(2026, 3, 2))
    with pytest.raises(services.AssetError, match="interim moratorium runs until 2026-04-12"):
        services.record_sale(officer, listed, D(2026, 3, 10), False, "Developer Ltd")
    assert not Sale.objects.exists()
    why = services.record_sale(officer, listed, D(2026, 3, 10), True, "Red Lion CBS")
    assert "community interest group" in why
    assert Sale.objects.get().lawful_because == why
    assert Asset.objects.get(pk=listed.pk).status == Status.SOLD


def test_exempt_sale_recorded_with_ground(listed, officer, fixed_today):
    fixed_today["today"] = D(2026, 3, 10)
    why = services.record_sale(officer, listed, D(2026, 3, 10), False, "Son", "family")
    assert "s.95(5)(d)" in why and Sale.objects.get().exempt_ground == "family"


def test_future_dates_refused(listed, officer, fixed_today):
    fixed_today["today"] = D(2026, 3, 1)
    with pytest.raises(services.AssetError, match="in the future"):
        services.notify_disposal(officer, listed, D(2026, 3, 2))


def test_officer_steps_review_and_appeal(listed, officer, fixed_today):
    fixed_today["today"] = D(2026, 5, 1)
    services.record_step(officer, listed, "request_review", D(2026, 2, 20))
    services.record_step(officer, listed, "decide_review_keep", D(2026, 3, 10), "Still a pub.")
    services.record_step(officer, listed, "appeal", D(2026, 4, 1))
    listed.refresh_from_db()
    assert listed.status == Status.APPEAL
    with pytest.raises(services.AssetError, match="cannot ask for a review"):
        services.record_step(officer, listed, "request_review", D(2026, 4, 2))


def test_reminders_once_per_party_per_period(listed, officer, fixed_today):
    fixed_today["today"] = D(2026, 3, 2)
    services.notify_disposal(officer, listed, D(2026, 3, 2), "Brewery plc", "owner@example.org")
    interim = services.notices(listed).filter(template="assets.reminder", subject__contains="Interim moratorium")
    # Scheduled when the owner gave notice, for a week before the last day, one per party.
    assert sorted(interim.values_list("recipient_role", flat=True)) == ["nominator", "owner"]
    assert {n.due_at for n in interim} == {services.reminder_moment(D(2026, 4, 12))}
    assert services.remind(D(2026, 3, 20)) == 0 and services.remind(D(2026, 4, 6)) == 0  # made once
    note = interim.get(recipient_role="owner")
    assert note.subject == "The Red Lion: Interim moratorium: last day 12 April 2026"
    assert "Localism Act 2011 s.95(3)(a), (6)" in note.body
    # The listing decided, the nomination's deadline reminder is moot: cancelled, never sent.
    assert services.notices(listed).get(subject__contains="Council decides the nomination").status == "cancelled"


def test_owner_without_email_gets_letters(listed, officer, fixed_today):
    fixed_today["today"] = D(2026, 3, 2)
    services.notify_disposal(officer, listed, D(2026, 3, 2), "Brewery plc")
    letter = services.notices(listed).filter(recipient_role="owner", template="assets.event").get()
    assert letter.channel == "letter" and letter.recipient_name == "Brewery plc"
    assert letter.postal_address == "1 High Street\nDemoton\nDE1 1AA"


def test_long_vacancy_flag_is_the_rental_auction_vacancy_condition(db, organiser, officer, fixed_today):
    fixed_today["today"] = D(2026, 3, 2)
    asset = services.nominate(
        organiser,
        council=council_settings.council_named("Demo Borough Council"),
        name="Old Bank",
        address="2 High St",
        postcode="",
        community_use="Was a bank",
        land_use="community",
        body_name="Town Trust",
        body=CHARITY,
        contact_email="t@example.org",
        received_on=D(2026, 3, 2),
        vacant_since=D(2025, 1, 1),
    )
    # LURA 2023 Part 10: unoccupied throughout the year ending with the previous day (2025-01-01 to 2025-12-31).
    assert public_register.long_vacant(asset, D(2026, 1, 1))
    assert not public_register.long_vacant(asset, D(2025, 12, 31))
    services.set_vacancy(officer, asset, None)
    assert not public_register.long_vacant(Asset.objects.get(pk=asset.pk), D(2026, 3, 2))


def test_register_csv_and_geojson(listed, fixed_today):
    text = public_register.register_csv(public_register.register(), D(2026, 3, 2))
    assert text.splitlines()[0].startswith("id,name,address")
    assert "The Red Lion" in text and "2031-01-31" in text
    data = public_register.register_geojson(public_register.register(), D(2026, 3, 2))
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [-1.5, 52.5]}


def test_clocks_move_cached_status_on_remind(listed, officer, fixed_today):
    fixed_today["today"] = D(2026, 3, 2)
    services.notify_disposal(officer, listed, D(2026, 3, 2))
    fixed_today["today"] = D(2026, 4, 13)
    services.remind()
    assert Asset.objects.get(pk=listed.pk).status == Status.PROTECTED_PERIOD
    assert AuditRecord.objects.filter(action="assets.clock").count() == 1


def test_ruleset_chosen_per_case_only_before_the_decision(nominated, officer, fixed_today, monkeypatch):
    with pytest.raises(services.AssetError, match="was not in force when this case began .2026-01-05.: it is not in"):
        services.set_ruleset(officer, nominated, "right-to-buy")  # the 2026 Act awaits commencement regulations
    monkeypatch.setitem(clocks.RULESETS, "right-to-buy-2026", replace(clocks.RIGHT_TO_BUY_2026,
                                                                      in_force_from=D(2026, 1, 1)))  # fmt: skip
    services.set_ruleset(officer, nominated, "right-to-buy")
    assert Asset.objects.get(pk=nominated.pk).ruleset == "right-to-buy-2026"
    fixed_today["today"] = D(2026, 2, 1)
    services.decide(officer, nominated, True, "Pub.", D(2026, 2, 1))
    with pytest.raises(services.AssetError, match="never mixes rule sets"):
        services.set_ruleset(officer, nominated, "localism-2011")
    with pytest.raises(ValueError, match="unknown rule set"):
        services.set_ruleset(officer, nominated, "nope")


# As if the 2026 Act's ACV schedule were commenced on 1 January 2027 and its regulations set the interim window.
MADE = replace(clocks.RIGHT_TO_BUY_2026, in_force_from=D(2027, 1, 1), interim_moratorium=Length(6, Unit.WEEKS))


def nominate(organiser, council, on, name="The Red Lion"):
    return services.nominate(
        organiser, council=council, name=name, address="1 High Street", postcode="", community_use="Pub",
        land_use="community", body_name="Friends", body=CHARITY, contact_email="f@example.org", received_on=on,
        claim=ValueClaim(UseWhen.CURRENT, social=False, economic=True) if on.year > 2026 else None,
    )  # fmt: skip


def test_transitional_case_keeps_2011_clocks_and_new_nominations_get_the_2026_rules(
    db, organiser, officer, fixed_today, monkeypatch
):
    council = council_settings.council_named("Demo Borough Council")
    council = council_settings.set_council(officer, council, ruleset="right-to-buy-2026")  # chosen before commencement
    fixed_today["today"] = D(2026, 6, 1)
    old = nominate(organiser, council, D(2026, 6, 1))
    assert old.ruleset == "localism-2011"  # the 2026 regime is not in force: 2011 rules for this case
    fixed_today["today"] = D(2026, 7, 1)
    services.decide(officer, old, True, "Pub.", D(2026, 7, 1))
    monkeypatch.setitem(clocks.RULESETS, "right-to-buy-2026", MADE)  # commencement date set and reached
    fixed_today["today"] = D(2027, 3, 2)
    services.notify_disposal(officer, old, D(2027, 3, 2))
    row = public_register.register_row(Asset.objects.get(pk=old.pk), D(2027, 3, 2))
    assert (row["ruleset"], row["interim_moratorium_last_day"], row["protected_period_last_day"]) == (
        "localism-2011", "2027-04-12", "2028-09-01",
    )  # fmt: skip
    new = nominate(organiser, council, D(2027, 3, 2), name="The Crown")
    assert new.ruleset == "right-to-buy-2026"
    assert "economic" in json.dumps(new.events.get().arguments["claim"])


def test_first_refusal_price_and_progress_check_through_the_services(db, organiser, officer, fixed_today, monkeypatch):
    monkeypatch.setitem(clocks.RULESETS, "right-to-buy-2026", MADE)
    council = council_settings.council_named("Demo Borough Council")
    council = council_settings.set_council(officer, council, ruleset="right-to-buy-2026")
    fixed_today["today"] = D(2027, 2, 1)
    asset = nominate(organiser, council, D(2027, 2, 1))
    services.decide(officer, asset, True, "Pub.", D(2027, 2, 1))
    fixed_today["today"] = D(2027, 3, 20)
    services.notify_disposal(officer, asset, D(2027, 3, 2), "Brewery plc", "owner@example.org")
    services.request_to_bid(organiser, asset, "Red Lion CBS", CHARITY, "cbs@example.org", D(2027, 3, 20))
    assert public_register.register_row(Asset.objects.get(pk=asset.pk), D(2027, 3, 20))["full_moratorium_last_day"] == (
        "2028-03-01"
    )
    with pytest.raises(services.AssetError, match="first refusal until 2028-03-01"):
        services.record_sale(officer, asset, D(2027, 3, 20), False, "Developer")
    services.record_step(officer, asset, "offer_to_group", D(2027, 3, 20))
    services.record_step(officer, asset, "request_valuation", D(2027, 3, 20))
    services.record_step(officer, asset, "request_progress_check", D(2027, 3, 20))
    services.record_step(officer, asset, "find_progress_insufficient", D(2027, 3, 20))
    services.record_price(officer, asset, "valuation", D(2027, 3, 20), 40_000_000, "A Valuer FRICS")
    why = services.record_sale(officer, asset, D(2027, 3, 20), True, "Red Lion CBS")
    assert "£400,000, set by an independent valuer" in why
    assert Asset.objects.get(pk=asset.pk).status == Status.SOLD
    actions = list(AuditRecord.objects.filter(action__startswith="assets.").values_list("action", flat=True))
    assert {"assets.offer_to_group", "assets.set_valuation", "assets.find_progress", "assets.dispose"} <= set(actions)


def test_council_area_scopes_notices(listed, officer, fixed_today):
    from commonground.places.models import Area, AreaType

    kind = AreaType.objects.create(code="lad-test", level=AreaType.Level.LOCAL_AUTHORITY, name="LAD")
    Area.objects.create(area_type=kind, code="E09000007", name="Camden")
    with pytest.raises(services.AssetError, match="no local authority area with the code 'E09000099'"):
        council_settings.set_council(officer, listed.council, code="E09000099")
    council_settings.set_council(officer, listed.council, code="e09000007", organisation="local-authority:CMD")
    assert AuditRecord.objects.filter(action="assets.council").last().after["code"] == "E09000007"
    fixed_today["today"] = D(2026, 3, 2)
    services.notify_disposal(officer, Asset.objects.get(pk=listed.pk), D(2026, 3, 2), "Brewery plc", "o@example.org")
    notice = Notice.objects.filter(subject__contains="intended disposal").first()
    assert notice.scope_councils == ",E09000007,"
