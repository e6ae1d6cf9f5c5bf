"""Social value in tenders: published weights with a floor, evaluators' scores and moderation, the award
computed exactly (the 30% worked example) and published with its explanation only after award; commitments
delivered by neighbourhood."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from commonground.accounts.models import RoleGrant
from commonground.accounts.roles import Role
from commonground.audit.models import AuditRecord
from commonground.procurement import model_data, services
from commonground.procurement.models import Tender

COUNCIL = "X09000001"


@pytest.fixture
def council(demo):
    from commonground.places.models import Area
    from commonground.publicbodies import services as bodies

    return bodies.council_body("test", Area.objects.get(code=COUNCIL))


@pytest.fixture
def officer(make_user):
    user = make_user("officer@example.org")
    RoleGrant.objects.create(user=user, role=Role.COUNCIL_OFFICER, scope=f"council:{COUNCIL}")
    return user


@pytest.fixture
def evaluators(make_user):
    return [make_user("eva@example.org"), make_user("evan@example.org")]


@pytest.fixture
def hood(demo):
    from commonground.neighbourhoods import services as neighbourhoods

    codes, drawn_from = neighbourhoods.lsoa_codes_of_ward("X05000003")
    return neighbourhoods.create("test", "Canal Side", codes, "pride_in_place", drawn_from)


@pytest.fixture
def tender(council, officer, evaluators, hood):
    found = services.create(officer, council, "Estate cleaning and caretaking", price=Decimal(40), quality=Decimal(30),
                            social_value=Decimal(30), floor=30, scale_max=5, neighbourhoods=[hood.slug])  # fmt: skip
    services.add_criterion(officer, found, "quality", "Service design", Decimal(20))
    services.add_criterion(officer, found, "quality", "Staffing", Decimal(10))
    services.add_criterion(officer, found, "social_value", "Jobs for local people", Decimal(20), "M1-local-jobs")
    services.add_criterion(officer, found, "social_value", "Net zero", Decimal(10), "M2-net-zero")
    services.add_bid(officer, found, "Alpha Services Ltd", 100_000_00)
    services.add_bid(officer, found, "Beta Facilities plc", 80_000_00)
    services.add_bid(officer, found, "Canal Side Community Co-op", 120_000_00, is_vcse=True)
    for evaluator in evaluators:
        services.add_evaluator(officer, found, evaluator)
    return found


# Moderated scores of the worked example (tests/engine/test_tender.py): Alpha 68, Beta 74, the Co-op 236/3.
MODERATED = {
    "Alpha Services Ltd": (4, 3, 2, 3),
    "Beta Facilities plc": (3, 3, 3, 2),
    "Canal Side Community Co-op": (4, 4, 5, 4),
}


def _score_and_moderate(tender, officer, evaluators):
    criteria = list(tender.criteria.order_by("kind", "order"))
    for bid in tender.bids.all():
        for criterion, agreed in zip(criteria, MODERATED[bid.supplier], strict=True):
            services.score(evaluators[0], bid, criterion, agreed)
            services.score(evaluators[1], bid, criterion, max(agreed - 1, 0))
            services.moderate(officer, bid, criterion, agreed, "Consensus at the moderation meeting")


def test_the_weights_are_published_rules_refused_when_broken(council, officer):
    with pytest.raises(services.TenderError, match="social value is weighted 20%, below this model's floor of 30%"):
        services.create(
            officer, council, "x", price=Decimal(50), quality=Decimal(30), social_value=Decimal(20), floor=30
        )
    with pytest.raises(services.TenderError, match="add up to 105%"):
        services.create(
            officer, council, "x", price=Decimal(45), quality=Decimal(30), social_value=Decimal(30), floor=10
        )
    found = services.create(officer, council, "x", price=Decimal(60), quality=Decimal(30), social_value=Decimal(10))
    with pytest.raises(services.TenderError, match="below this model's floor of 20%"):
        services.set_model(officer, found, Decimal(60), Decimal(30), Decimal(10), 20, 5)
    with pytest.raises(services.TenderError, match="choose the social value outcome"):
        services.add_criterion(officer, found, "social_value", "Vague", Decimal(10), "")


def test_a_30_percent_evaluation_scored_moderated_and_awarded_exactly(tender, officer, evaluators, make_user):
    assert services.start_problems(tender) == []
    services.start_evaluation(officer, tender)
    with pytest.raises(services.TenderError, match="fixed once scoring starts"):
        services.add_criterion(officer, tender, "quality", "Late addition", Decimal(5))
    bid = tender.bids.first()
    criterion = tender.criteria.first()
    with pytest.raises(services.TenderError, match="only the tender's evaluators"):
        services.score(make_user("nosy@example.org"), bid, criterion, 3)
    with pytest.raises(services.TenderError, match="from 0 to 5"):
        services.score(evaluators[0], bid, criterion, 6)
    with pytest.raises(services.TenderError, match="give the reason"):
        services.moderate(officer, bid, criterion, 3, " ")
    _score_and_moderate(tender, officer, evaluators)
    services.award(officer, tender)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED and tender.awarded_bid.supplier == "Canal Side Community Co-op"
    award = tender.award
    assert [(r["supplier"], r["total"], r["total_exact"]) for r in award["results"]] == [
        ("Canal Side Community Co-op", "≈78.6667 (236/3)", "236/3"),
        ("Beta Facilities plc", "74", "74/1"),
        ("Alpha Services Ltd", "68", "68/1"),
    ]
    assert award["results"][0]["price_points"] == "≈26.6667 (80/3)"
    assert award["results"][0]["social_value_points"] == "28" and award["weights"]["social_value"] == "30"
    assert award["tie_rule"].startswith("If two or more bids have the same total")
    assert award["criteria"][2]["mission"] == "Kick start economic growth"
    audit = json.dumps(list(AuditRecord.objects.values("actor_label", "after")), default=str)
    assert "eva@example.org" not in audit and "Consensus" not in audit


def test_the_model_and_scores_are_published_after_award_not_before(client, tender, officer, evaluators):
    services.start_evaluation(officer, tender)
    _score_and_moderate(tender, officer, evaluators)
    before = client.get(tender.get_absolute_url()).content.decode()
    assert "published when the contract is awarded" in before
    for secret in ("Jobs for local people", "Evaluator 1", "Alpha Services Ltd", "40%"):
        assert secret not in before
    assert client.get(f"/api/procurement/tenders/{tender.reference}").json()["award"] is None
    client.force_login(officer)
    preview = client.get(reverse("procurement:award", args=[tender.reference])).content.decode()
    assert "Award the contract to Canal Side Community Co-op" in preview
    client.post(reverse("procurement:award", args=[tender.reference]))
    client.logout()
    after = client.get(tender.get_absolute_url()).content.decode()
    for shown in (
        "Jobs for local people",
        "Evaluator 2",
        "Consensus at the moderation meeting",
        "236/3",
        "Canal Side Community Co-op</strong> submitted the most advantageous tender",
        "cg-table--stack",
    ):
        assert shown in after, shown
    assert "eva@example.org" not in after
    api = client.get(f"/api/procurement/tenders/{tender.reference}").json()
    assert api["awarded_to"] == "Canal Side Community Co-op" and api["award"]["results"][0]["total_exact"] == "236/3"


def test_evaluators_score_and_officers_moderate_through_the_pages(client, tender, officer, evaluators):
    services.start_evaluation(officer, tender)
    bids, criteria = list(tender.bids.all()), list(tender.criteria.all())
    client.force_login(evaluators[0])
    page = client.get(reverse("procurement:score", args=[tender.reference]))
    assert page.status_code == 200 and b"Not scored" in page.content
    assert client.get(reverse("procurement:moderate", args=[tender.reference])).status_code == 403
    client.post(reverse("procurement:score", args=[tender.reference]), {f"s_{bids[0].pk}_{criteria[0].pk}": "4"})
    assert tender.bids.first().scores.get().score == 4
    client.force_login(officer)
    assert client.get(reverse("procurement:score", args=[tender.reference])).status_code == 403  # not an evaluator
    missing = client.post(reverse("procurement:moderate", args=[tender.reference]),
                          {f"s_{bids[0].pk}_{criteria[0].pk}": "4"})  # fmt: skip
    assert b"Give the reason for the moderated score of Alpha Services Ltd on Service design" in missing.content
    data = {}
    for bid in bids:
        for criterion, agreed in zip(
            sorted(criteria, key=lambda c: (c.kind, c.order)), MODERATED[bid.supplier], strict=True
        ):
            data[f"s_{bid.pk}_{criterion.pk}"] = str(agreed)
            data[f"r_{bid.pk}_{criterion.pk}"] = "Agreed"
    assert client.post(reverse("procurement:moderate", args=[tender.reference]), data).status_code == 302
    assert services.preview(tender)[0].winner.bid.supplier == "Canal Side Community Co-op"


def test_commitments_are_tracked_as_delivered_by_neighbourhood(tender, officer, evaluators, hood):
    from commonground.procurement import outcomes

    services.start_evaluation(officer, tender)
    _score_and_moderate(tender, officer, evaluators)
    services.award(officer, tender)
    jobs = services.add_commitment(officer, tender, "local_jobs", "10 jobs for Canal Side residents", "FTE jobs",
                                   Decimal(10), hood.slug, dt.date(2028, 3, 31), "M1-local-jobs")  # fmt: skip
    carbon = services.add_commitment(officer, tender, "net_zero", "Electric vans", "tonnes CO2e", Decimal("12.5"))
    services.record_delivery(officer, jobs, dt.date(2027, 1, 10), Decimal(4), "Payroll extract, January 2027")
    services.record_delivery(officer, carbon, dt.date(2027, 3, 1), Decimal("3.25"), "Fleet report")
    with pytest.raises(services.TenderError, match="neighbourhood the contract serves"):
        services.record_delivery(officer, jobs, dt.date(2027, 2, 1), Decimal(1), "x", "elsewhere")
    summary = {row["commitment"].kind: row for row in services.delivery_summary(tender.commitments.all())}
    assert summary["local_jobs"]["delivered"] == 4 and summary["local_jobs"]["by_neighbourhood"] == [(hood.slug, 4)]
    assert summary["net_zero"]["share"] == Decimal("0.26")
    assert outcomes.neighbourhood_links(hood)[0][1].endswith("#delivery")


def test_the_missions_are_data_with_their_source(client, db):
    names = [m["name"] for m in model_data.missions()]
    assert names == ["Kick start economic growth", "Make Britain a clean energy superpower", "Take back our streets",
                     "Break down barriers to opportunity", "Build an NHS fit for the future"]  # fmt: skip
    assert model_data.source()["url"].startswith("https://www.gov.uk/")
    assert all(o["source_status"] in {"local", "secondary"} for o in model_data.outcomes().values())
    page = client.get(reverse("procurement:missions")).content.decode()
    assert "PPN 002" in page and "not PPN 002's own list" in page
