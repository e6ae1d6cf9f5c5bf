"""Community impact assessments: where a decision lands, the profile beside it, frozen versions, responses,
answers, moderation, reviews; audit without personal data."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from commonground.audit.models import AuditRecord
from commonground.impact import services
from commonground.impact.models import Engagement, FrozenVersion, Impact, Version
from tests.impact.conftest import ASHBY, BROOKFIELD, LARKRISE


def test_a_decision_by_wards_shows_the_two_left_behind_neighbourhoods_it_touches(draft, hoods):
    version = draft.draft
    profile = services.footprint(version.lsoa_codes)
    assert profile["lsoas"] == 10
    assert profile["left_behind_neighbourhoods"] == ["Brookfield", "Larkrise"]
    assert [h["name"] for h in profile["neighbourhoods"]] == ["Brookfield", "Larkrise"]  # not Ashby Park
    brookfield = profile["neighbourhoods"][0]
    assert brookfield["left_behind_wards"] == ["Brookfield"] and brookfield["left_behind_share"] == 1
    assert brookfield["lsoas_touched"] == brookfield["lsoas_total"] == 5
    groups = {g["key"]: g for g in brookfield["population_groups"]["groups"]}
    assert sum(b["count"] for b in groups["age"]["bands"]) == brookfield["population"] == 8523
    wards = {w["code"]: w for w in profile["wards"]}
    assert set(wards) == {BROOKFIELD, LARKRISE}
    assert (
        wards[BROOKFIELD]["left_behind"] is True
        and "left-behind neighbourhood" in wards[BROOKFIELD]["left_behind_reason"]
    )
    # Demo wards are ranked among the demo borough's wards; deciles are national, so they have none.
    assert wards[BROOKFIELD]["imd_rank"] is not None and wards[BROOKFIELD]["cni_rank"] is not None
    assert wards[BROOKFIELD]["imd_decile"] is None
    assert profile["population_groups"]["total"] == profile["population"]


def test_service_sites_by_postcode_and_by_latitude_and_longitude(officer, council, hoods):
    assessment = services.create(officer, council, title="Move the Brookfield clinic", proposal="p",
                                 postcodes=["XX2 1DH"], points=[[54.45, 2.61]])  # fmt: skip
    version = assessment.draft
    assert version.lsoa_codes == ["X01000006", "X01000056"]
    assert version.where_notes == ["Postcode XX2 1DH is in LSOA X01000006 (Demo Borough 006A)",
                                   "The site at 54.45, 2.61 is in LSOA X01000056 (Demo Borough 056A)"]  # fmt: skip
    profile = services.footprint(version.lsoa_codes)
    assert [(h["name"], h["lsoas_touched"]) for h in profile["neighbourhoods"]] == [("Brookfield", 1), ("Larkrise", 1)]
    with pytest.raises(services.ImpactError, match="the postcode ZZ9 9ZZ is not in the loaded postcode lookup"):
        services.update(officer, version, postcodes=["ZZ9 9ZZ"])
    with pytest.raises(services.ImpactError, match="no loaded LSOA boundary contains the point 10.0, 10.0"):
        services.update(officer, version, points=[[10.0, 10.0]])
    with pytest.raises(services.ImpactError, match="no loaded ward has the code E05999999"):
        services.update(officer, version, ward_codes=["E05999999"])
    assert services.parse_postcodes("xx2 1dh, XX21DS") == ["XX2 1DH", "XX2 1DS"]
    with pytest.raises(services.ImpactError, match="latitude first"):
        services.parse_points("200, 1")


def test_publishing_freezes_the_version_and_its_profile(draft, officer, hoods):
    version = draft.draft
    assert services.publish_problems(version) == ["Record at least one impact, by place or group"]
    with pytest.raises(services.ImpactError, match="say how a negative impact will be avoided"):
        services.add_impact(officer, version, "", "everyone", "negative", "Fewer opening hours")
    impact = services.add_impact(officer, version, f"n:{hoods['Brookfield'].slug}", "socio_economic", "negative",
                                 "No free computers on Tuesdays", "Computers at the community centre")  # fmt: skip
    assert impact.place_label == "Brookfield (neighbourhood)"
    services.add_engagement(
        officer,
        version,
        Engagement.Kind.ENGAGEMENT_LOG,
        "Library users' meeting",
        dt.date(2026, 9, 1),
        f"/neighbourhoods/{hoods['Brookfield'].slug}/",
        "Keep Saturday",
    )
    published = services.publish(officer, version)
    assert published.is_published and published.profile["left_behind_neighbourhoods"] == ["Brookfield", "Larkrise"]
    draft.refresh_from_db()
    assert draft.published_version == 1 and draft.neighbourhoods == [hoods["Brookfield"].slug, hoods["Larkrise"].slug]
    published.title = "Something else"
    with pytest.raises(FrozenVersion):
        published.save()
    with pytest.raises(FrozenVersion):
        Impact.objects.create(version=published, direction="positive", description="x")
    with pytest.raises(FrozenVersion):
        published.impacts.first().delete()
    with pytest.raises(FrozenVersion):
        services.update(officer, published, title="Changed")
    second = services.new_version(officer, draft, "Cabinet decided: Tuesdays only in Larkrise")
    assert second.number == 2 and second.status == Version.Status.DRAFT
    assert second.impacts.count() == 1 and second.engagement.count() == 1
    services.update(officer, second, ward_codes=[LARKRISE], decision="adjust", decision_reasons="Brookfield kept")
    services.publish(officer, second)
    draft.refresh_from_db()
    assert draft.published_version == 2 and draft.neighbourhoods == [hoods["Larkrise"].slug]
    assert Version.objects.get(assessment=draft, number=1).profile["lsoas"] == 10  # the first stays as published


def test_responses_signed_answered_and_hidden_with_a_reason_and_no_names_in_the_audit(
    published, board_member, resident, officer, hoods
):
    assert services.board_choices(board_member, published) == [(hoods["Brookfield"].slug, "Brookfield")]
    assert services.board_choices(resident, published) == []
    board = services.respond(board_member, published, "The board asks for Saturday hours instead.",
                             hoods["Brookfield"].slug)  # fmt: skip
    assert (board.signed_as, board.board_name) == ("Bola Board", "Brookfield")
    with pytest.raises(services.ImpactError, match="only for the board of a neighbourhood you sit on"):
        services.respond(resident, published, "I speak for Larkrise", hoods["Larkrise"].slug)
    rude = services.respond(resident, published, "Some abusive words about a named officer")
    services.answer(officer, board, "We kept Saturday mornings open in Brookfield.")
    with pytest.raises(services.ImpactError, match="say why"):
        services.hide_response(officer, rude, " ")
    services.hide_response(officer, rude, "Abusive language about a named person")
    with pytest.raises(services.ImpactError, match="hidden response cannot be answered"):
        services.answer(officer, rude, "x")
    log = json.dumps(list(AuditRecord.objects.values("actor_label", "object_label", "before", "after")), default=str)
    for private in ("Bola", "Board", "abusive words", "Saturday", "resi@example.org", "board@example.org"):
        assert private not in log
    assert AuditRecord.objects.filter(action="impact.hide_response").exists()


def test_reviews_fall_due_and_are_recorded(published, officer):
    due_on = published.published.review_date
    assert services.due_reviews(due_on - dt.timedelta(days=1)) == []
    due = services.due_reviews(due_on + dt.timedelta(days=3))
    assert [(d["reference"], d["days_overdue"]) for d in due] == [(published.reference, 3)]
    services.record_review(officer, published, due_on, "Visits held up.", due_on + dt.timedelta(days=180))
    assert services.due_reviews(due_on + dt.timedelta(days=3)) == []
    assert services.review_due_on(published) == due_on + dt.timedelta(days=180)


def test_register_search_and_links_on_place_and_neighbourhood_pages(published, hoods, council):
    from commonground.impact import outcomes
    from commonground.places.models import Area

    assert services.register(query="libraries") == [published]
    assert services.register(query="swimming") == []
    assert services.register(neighbourhood=hoods["Brookfield"].slug) == [published]
    assert services.register(neighbourhood=hoods["Ashby Park"].slug) == []
    assert services.register(ward=BROOKFIELD.lower()) == [published]
    assert services.register(body=council.slug, decision="undecided") == [published]
    assert outcomes.neighbourhood_links(hoods["Brookfield"])[0][1] == published.get_absolute_url()
    assert outcomes.neighbourhood_links(hoods["Ashby Park"]) == []
    assert outcomes.links(Area.objects.get(code=BROOKFIELD))[0][1] == published.get_absolute_url()
    assert outcomes.links(Area.objects.get(code=ASHBY)) == []
    geo = services.register_geojson([published])
    assert len(geo["features"]) == 10 and geo["features"][0]["properties"]["assessment"] == published.reference


def test_reviews_are_reminded_through_the_outbox_once_and_followers_hear_of_publication(
    draft, officer, hoods, make_user, council
):
    from commonground.notify import services as notify
    from commonground.notify.models import Notice

    follower = make_user("follows@example.org")
    notify.follow(follower, f"neighbourhood:{hoods['Brookfield'].slug}")
    nurse = make_user("nurse@example.org")
    council.members.add(nurse)
    version = draft.draft
    services.add_impact(officer, version, "", "everyone", "positive", "Longer Saturday hours")
    services.publish(officer, version)
    told = Notice.objects.get(template="impact.published")
    assert told.recipient_email == "follows@example.org" and draft.reference in told.body
    due_on = version.review_date
    assert services.remind(due_on - dt.timedelta(days=8)) == 0
    assert services.remind(due_on - dt.timedelta(days=7)) == 2  # the named nurse and the council's officer
    assert services.remind(due_on) == 0  # each reminder once per review date and person
    sent = Notice.objects.filter(template="impact.review_due").order_by("recipient_email")
    assert [n.recipient_email for n in sent] == ["nurse@example.org", "officer@example.org"]
    assert "(7 days away)" in sent[0].body and f"/impact/{draft.reference}/review/" in sent[0].body
    assert sent[0].scope_councils == ",X09000001,"
    services.record_review(officer, draft, due_on, "Held up.", due_on + dt.timedelta(days=90))
    assert services.remind(due_on + dt.timedelta(days=90)) == 2  # the next review date is a new reminder


def test_the_engagement_form_points_to_the_neighbourhoods_engagement_logs(client, draft, officer, hoods):
    from django.urls import reverse

    client.force_login(officer)
    page = client.get(reverse("impact:add-engagement", args=[draft.reference])).content.decode()
    assert f"/neighbourhoods/{hoods['Brookfield'].slug}/engagement/" in page and 'id="engagement-logs"' in page
