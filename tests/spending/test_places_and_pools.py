"""A place's spending: in full where published for it, estimated by a declared key where published for a
bigger area, exactly; pooled budgets with contributions, shared outcomes, decisions (community members where
the agreement says so) and a prevention ledger shown on neighbourhood and council pages."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonground.audit.models import AuditRecord
from commonground.places.models import Area, AreaValue
from commonground.spending import pooled_budgets, services
from commonground.spending.models import Payment, PooledBudget
from tests.spending.conftest import BROOKFIELD, COUNCIL, GOOD_ROWS, transparency_csv


@pytest.fixture
def spent(council, officer):
    services.import_transparency(officer, council, "q1.csv", transparency_csv(GOOD_ROWS))
    grant = {"grants": [{"id": "360G-d-1", "title": "Youth club", "currency": "GBP", "amountAwarded": 6000,
                         "awardDate": "2025-06-01", "recipientOrganization": [{"name": "Brookfield Youth"}],
                         "fundingOrganization": [{"name": "Demo Community Trust"}],
                         "beneficiaryLocation": [{"geoCode": BROOKFIELD, "geoCodeType": "WD"}]}]}  # fmt: skip
    services.import_grants(officer, "g.json", json.dumps(grant).encode())


def _lsoas(ward: str) -> list[Area]:
    return list(Area.objects.filter(parent__code=ward))


def test_a_council_area_sees_its_spending_in_full_and_a_ward_an_estimate_by_population(spent):
    council_lsoas = list(Area.objects.filter(parent__parent__code=COUNCIL))
    whole = services.place_spending([a.code for a in council_lsoas])
    assert whole["total"] == 1745000 + 600000 and whole["estimated"] == 0
    assert {line["basis"] for line in whole["lines"]} == {"published for this place"}
    assert whole["year_labels"] == ["2025-26"]

    ward = services.place_spending([a.code for a in _lsoas(BROOKFIELD)])
    share = Fraction(sum(a.population for a in _lsoas(BROOKFIELD)), sum(a.population for a in council_lsoas))
    assert share == Fraction(8523, 108234)
    care = next(line for line in ward["lines"] if line["service"] == "Adult Social Care")
    assert care["basis"] == "estimate" and care["shares"] == [f"Demo Borough: {services.pct(share)}"]
    assert care["total"] == services.round_pence(Fraction(1430000) * share)  # £12,500 + £1,800, shared by population
    grant = next(line for line in ward["lines"] if line["source"] == "360Giving grant")
    assert grant["basis"] == "published for this place" and grant["total"] == 600000
    assert ward["total"] == services.round_pence(Fraction(1745000) * share + 600000)
    assert ward["estimated"] == services.round_pence(Fraction(1745000) * share)


def test_the_need_weighted_key_weights_residents_by_their_lsoas_imd_score(spent):
    def weight(areas):
        scores = dict(
            AreaValue.objects.filter(
                area__in=areas, measure__slug="imd_score", measure__dataset__slug="demo-imd"
            ).values_list("area_id", "value")
        )
        return sum(a.population * Fraction(str(scores[a.pk])) for a in areas)

    council_lsoas = list(Area.objects.filter(parent__parent__code=COUNCIL))
    need = services.place_spending([a.code for a in _lsoas(BROOKFIELD)], "need")
    share = weight(_lsoas(BROOKFIELD)) / weight(council_lsoas)
    assert share > Fraction(8523, 108234)  # Brookfield is the most deprived ward: a bigger share by need
    care = next(line for line in need["lines"] if line["service"] == "Adult Social Care")
    assert care["total"] == services.round_pence(Fraction(1430000) * share)
    with pytest.raises(services.SpendError, match="unknown allocation key"):
        services.place_spending([BROOKFIELD], "wealth")


def test_an_lsoa_takes_a_share_of_a_ward_grant_and_the_map_has_each_lsoa(spent):
    lsoa = Area.objects.get(code="X01000006")
    data = services.place_spending(["X01000006"])
    grant = next(line for line in data["lines"] if line["source"] == "360Giving grant")
    assert grant["basis"] == "estimate"
    assert grant["total"] == services.round_pence(Fraction(600000 * lsoa.population, 8523))
    geo = services.spend_geojson([a.code for a in _lsoas(BROOKFIELD)], "population")
    assert len(geo["features"]) == 5 and all(f["properties"]["spend_per_head"] > 0 for f in geo["features"])


def test_spend_pages_are_public_and_label_estimates(client, spent, hoods):
    page = client.get(reverse("spending:place", args=[BROOKFIELD])).content.decode()
    assert "Estimate" in page and "cg-table--stack" in page and 'data-label="2025-26"' in page
    assert "shared out by population" in page
    assert client.get(reverse("spending:place", args=[BROOKFIELD]), {"key": "need"}).status_code == 200
    assert client.get(reverse("spending:place-map", args=[BROOKFIELD])).json()["features"]
    hood = client.get(reverse("spending:neighbourhood", args=[hoods["Brookfield"].slug])).content.decode()
    assert "Public spending in Brookfield" in hood
    assert client.get(reverse("spending:neighbourhood", args=["no-such-place"])).status_code == 404
    assert client.get(reverse("spending:home")).status_code == 200
    batch = Payment.objects.first().batch
    listing = client.get(reverse("spending:import", args=[batch.pk])).content.decode()
    assert "REDACTED PERSONAL DATA" in listing and "Smith" not in listing
    api = client.get(f"/api/spending/places/{BROOKFIELD}").json()
    assert api["estimated_pence"] > 0 and api["lines"][0]["by_year_pence"]


def test_importing_through_the_page_lists_every_bad_row(client, council, officer):
    client.force_login(officer)
    bad = transparency_csv([GOOD_ROWS[0], [*GOOD_ROWS[1][:5], "yesterday", *GOOD_ROWS[1][6:]]])
    page = client.post(reverse("spending:import-file"), {
        "kind": "transparency", "body": f"body:{council.slug}",
        "file": SimpleUploadedFile("spend.csv", bad, content_type="text/csv")}).content.decode()  # fmt: skip
    assert "govuk-error-summary" in page and "1 row cannot be read; nothing was imported" in page
    assert "Line 3, Date: &#x27;yesterday&#x27; is not a date" in page
    good = client.post(reverse("spending:import-file"), {
        "kind": "transparency", "body": f"body:{council.slug}",
        "file": SimpleUploadedFile("spend.csv", transparency_csv(GOOD_ROWS), content_type="text/csv")})  # fmt: skip
    assert good.status_code == 302 and Payment.objects.count() == 5
    client.logout()
    assert client.get(reverse("spending:import-file")).status_code == 302


@pytest.fixture
def pool(council, nhs, officer, hoods):
    return pooled_budgets.create_pool(officer, "Brookfield and Larkrise Healthy Ageing Pool", council, [nhs], 2026,
                                      2028, "Falls and loneliness", True, "Two board members vote on every spend",
                                      [hoods["Brookfield"].slug, hoods["Larkrise"].slug])  # fmt: skip


def test_a_pooled_budget_with_community_decisions_and_a_prevention_ledger(pool, council, nhs, officer, hoods):
    pooled_budgets.set_contribution(officer, pool, council, 2026, 25_000_000)
    pooled_budgets.set_contribution(officer, pool, nhs, 2026, 40_000_000)
    pooled_budgets.set_contribution(officer, pool, nhs, 2027, 40_000_000)
    with pytest.raises(services.SpendError, match="the agreement runs from 2026-27 to 2028-29"):
        pooled_budgets.set_contribution(officer, pool, nhs, 2030, 1)
    summary = pooled_budgets.pool_summary(pool)
    assert summary["total"] == 105_000_000 and summary["totals"][0] == ("2026-27", 65_000_000)
    measure = pooled_budgets.measure_choices()[0][0]
    pooled_budgets.add_outcome(officer, pool, measure, "Up 5 points by 2029", "62%")
    with pytest.raises(services.SpendError, match="wellbeing framework's measures"):
        pooled_budgets.add_outcome(officer, pool, "not-a-measure", "x")
    officers_only = [{"name": "Olu Officer", "capacity": "officer", "body": council.name}]
    with pytest.raises(services.SpendError, match="record the community members who decided"):
        pooled_budgets.record_decision(officer, pool, dt.date(2026, 5, 1), "Fund falls classes", "Yes", officers_only)
    decided = pooled_budgets.record_decision(officer, pool, dt.date(2026, 5, 1), "Fund falls classes", "Yes",
                                             [*officers_only, {"name": "Amina Khan", "capacity": "board",
                                                         "body": "Brookfield board"}], 2_000_000)  # fmt: skip
    assert decided.community_members == 1
    item = pooled_budgets.add_prevention(officer, pool, "Falls prevention classes", "Emergency hospital care", 2026,
                                         2_000_000, "emergency admissions for falls a year", Decimal(120), Decimal(-30),
                                         6_000_000, hoods["Brookfield"].slug)  # fmt: skip
    pooled_budgets.observe_prevention(officer, item, dt.date(2027, 9, 1), Decimal(-22), 4_400_000,
                                      "NHS SUS data, 2026-27")  # fmt: skip
    summary = pooled_budgets.pool_summary(pool)
    assert (summary["invested"], summary["expected_saving"], summary["observed_saving"]) == (
        2_000_000,
        6_000_000,
        4_400_000,
    )
    audit = json.dumps(list(AuditRecord.objects.values("after")), default=str)
    assert "Amina" not in audit and "Olu" not in audit


def test_pools_show_on_neighbourhood_and_council_pages(client, pool, hoods):
    from commonground.spending import outcomes

    council = Area.objects.get(code=COUNCIL)
    assert outcomes.links(council)[-1][1] == pool.get_absolute_url()
    assert outcomes.links(Area.objects.get(code=BROOKFIELD))[-1][1] == pool.get_absolute_url()
    assert outcomes.neighbourhood_links(hoods["Brookfield"])[-1][1] == pool.get_absolute_url()
    hub = client.get(hoods["Brookfield"].get_absolute_url()).content.decode()
    assert "Pooled budget Brookfield and Larkrise Healthy Ageing Pool: prevention ledger" in hub
    area_page = client.get(council.get_absolute_url()).content.decode()
    assert pool.get_absolute_url() in area_page
    page = client.get(pool.get_absolute_url()).content.decode()
    assert "Two board members vote on every spend" in page and "Record a decision" not in page


def test_partners_run_the_pool_through_its_pages(client, pool, officer, make_user):
    client.force_login(officer)
    page = client.post(reverse("spending:decision", args=[pool.slug]), {
        "decided_on": "2026-06-01", "title": "Fund a lunch club", "decision": "Agreed",
        "deciders": "Olu Officer, officer, Demo Borough Council"})  # fmt: skip
    assert b"record the community members who decided" in page.content
    page = client.post(reverse("spending:decision", args=[pool.slug]), {
        "decided_on": "2026-06-01", "title": "Fund a lunch club", "decision": "Agreed", "amount": "1,500",
        "deciders": "Olu Officer, officer, Demo Borough Council\nAmina Khan, community, Brookfield"})  # fmt: skip
    assert page.status_code == 302 and pool.decisions.get().amount_pence == 150000
    client.force_login(make_user("someone@example.org"))
    assert client.get(reverse("spending:decision", args=[pool.slug])).status_code == 403
    assert client.get(reverse("spending:pool-create")).status_code == 403
    assert PooledBudget.objects.count() == 1
