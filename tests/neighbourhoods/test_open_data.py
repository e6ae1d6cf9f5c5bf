"""The public data of every app in the API (OpenAPI): funds and awards, PB processes and results, panels'
published chances, the assets register (JSON and GeoJSON), ballots; drafts and personal data stay out."""

from __future__ import annotations

import pytest

from commonground.fund.models import Fund
from tests.everything import build


@pytest.fixture
def everything(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build()


def test_every_app_public_data_is_in_the_schema(client, db):
    paths = set(client.get("/api/openapi.json").json()["paths"])
    wanted = {
        "/api/funds", "/api/funds/{slug}", "/api/funds/{slug}/awards/{code}", "/api/budgeting/processes",
        "/api/budgeting/processes/{slug}/results", "/api/panels", "/api/panels/{slug}", "/api/assets",
        "/api/assets/map",
        "/api/assets/{asset_id}", "/api/ballots", "/api/ballots/{ballot_id}/result", "/api/neighbourhoods/{slug}/hub",
        "/api/neighbourhoods/{slug}/map",
    }  # fmt: skip
    assert wanted <= paths, wanted - paths


def test_funds_and_awards(client, everything):
    fund, award = everything["fund"], everything["award"]
    funds = client.get("/api/funds").json()
    assert [f["slug"] for f in funds] == [fund.slug]
    assert funds[0]["awarded_pence"] == sum(a.amount_pence for a in fund.awards.all()) > 0
    detail = client.get(f"/api/funds/{fund.slug}").json()
    assert award.ward_code in [a["ward_code"] for a in detail["awards_list"]] and detail["method"]
    one = client.get(f"/api/funds/{fund.slug}/awards/{award.ward_code.lower()}").json()
    assert one["amount_pence"] == award.amount_pence and one["paid_pence"] == 0
    Fund.objects.filter(pk=fund.pk).update(status=Fund.Status.DRAFT)  # a draft is not public
    assert client.get("/api/funds").json() == []
    assert client.get(f"/api/funds/{fund.slug}").status_code == 404
    assert client.get(f"/api/funds/{fund.slug}/awards/{award.ward_code}").status_code == 404


def test_panels_publish_chances_by_pseudonym_only(client, everything):
    panel = everything["panel"]
    listed = client.get("/api/panels").json()
    assert [p["slug"] for p in listed] == [panel.slug] and listed[0]["pool"] == 6
    detail = client.get(f"/api/panels/{panel.slug}").json()
    assert len(detail["chances"]) == 6 and detail["uniform_chance"] == pytest.approx(2 / 6)
    assert sum(c["probability"] for c in detail["chances"]) == pytest.approx(2, abs=1e-6)
    assert "Person 1" not in str(detail) and "woman" not in str(detail)  # no names, no details
    assert client.get("/api/panels/no-such-panel").status_code == 404


def test_the_assets_register_as_json_and_geojson(client, everything):
    asset = everything["asset"]
    listed = client.get("/api/assets").json()
    assert [(a["id"], a["name"], a["status"]) for a in listed] == [(asset.pk, "The Mill Hall", asset.status)]
    assert client.get(f"/api/assets/{asset.pk}").json()["postcode"] == asset.postcode
    assert client.get("/api/assets/999999").status_code == 404
    shapes = client.get("/api/assets/map")
    assert shapes["Content-Type"] == "application/geo+json"
    assert shapes.json()["features"][0]["geometry"]["coordinates"] == [2.41, 54.65]
    assert "friends@example.org" not in str(listed)  # the nominator's contact stays private


def test_pb_processes_and_ballots(client, everything):
    processes = client.get("/api/budgeting/processes").json()
    assert everything["process"].slug in [p["slug"] for p in processes]
    ballots = client.get("/api/ballots").json()
    assert [(b["title"], b["phase"]) for b in ballots] == [("Mill estate ballot", "setup")]
