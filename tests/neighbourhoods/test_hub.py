"""The neighbourhood page is the hub: profile and map (with a table when there is no JavaScript), money,
the plan and its objectives, delivery, decisions, assets by location, outcomes, the board and dates coming up;
the same as JSON and GeoJSON; ward and council pages link to the neighbourhoods that overlap them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.everything import build


@pytest.fixture
def everything(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build()


def test_the_hub_gathers_everything_about_the_neighbourhood(client, everything):
    hood = everything["hood"]
    page = client.get(reverse("neighbourhoods:detail", args=[hood.slug])).content.decode()
    for expected in (
        'id="neighbourhood-map"', "The map needs JavaScript", 'id="lsoas"', "X01000006",  # map and its table
        "Demo Wealth Fund: Brookfield", "Brookfield CIL", 'data-testid="money-total"',  # money
        "Brookfield 2036", "1. Places for young people", "£500,000",  # the plan and its objectives
        "Community garden", "Skate park",  # delivery
        "Brookfield Decides", "PB round", "Brookfield panel", "Citizens&#x27; panel", "Mill estate ballot",
        "The Mill Hall", "Asset of community value",  # assets by location
        'id="outcomes-table"', "Income deprivation", reverse("outcomes:area", args=["X05000002"]),
        "Brookfield Neighbourhood Board", "Board meeting",
        "Brookfield Decides: ideas close", "Mill estate ballot: voting opens",  # coming up
        "Ask to be verified as a resident",
    ):  # fmt: skip
        assert expected in page, expected
    assert page.count('class="govuk-table cg-table--stack"') >= 7
    assert "Rae Resident" not in page and "Flat 1, Cotton Court" not in page  # the verification request is private


def test_officers_see_who_is_waiting_to_be_verified(client, everything):
    client.force_login(everything["control"])
    page = client.get(reverse("neighbourhoods:detail", args=[everything["hood"].slug])).content.decode()
    assert "Residents waiting to be verified</a>: 1." in page
    client.force_login(everything["resident"])
    page = client.get(reverse("neighbourhoods:detail", args=[everything["hood"].slug])).content.decode()
    assert "You have asked to be verified" in page and "Residents waiting" not in page


def weighted_mean(hood, dataset_name: str, measure: str) -> float:
    """The population-weighted mean of an LSOA measure over the neighbourhood's LSOAs, computed here apart."""
    from commonground.neighbourhoods import services
    from commonground.places.models import AreaValue

    areas = {a.pk: a.population for a in services.areas_of(hood)}
    values = AreaValue.objects.filter(area_id__in=areas, measure__slug=measure, measure__dataset__name=dataset_name)
    pairs = [(areas[v.area_id], v.value) for v in values]
    return sum(p * v for p, v in pairs) / sum(p for p, _ in pairs)


def test_the_hub_as_json_and_geojson(client, everything):
    hood = everything["hood"]
    data = client.get(f"/api/neighbourhoods/{hood.slug}/hub").json()
    assert data["neighbourhood"]["slug"] == hood.slug and len(data["lsoas"]) == 5
    kinds = {m["kind"] for m in data["money"]}
    assert kinds == {"Community Wealth Fund award", "Pot (Community Infrastructure Levy)"} or len(kinds) == 2
    assert data["money_totals"]["amount_pence"] == sum(m["amount_pence"] for m in data["money"])
    assert data["plan"]["objectives"] == [{"ref": 1, "title": "Places for young people", "total_pence": 50_000_000}]
    assert {d["kind"] for d in data["decisions"]} == {"PB round", "Citizens' panel", "Resident ballot"}
    assert [p["title"] for p in data["places"]] == ["The Mill Hall"]
    assert data["outcomes"]["wards"][0]["code"] == "X05000002"
    income = next(m for m in data["outcomes"]["measures"] if m["slug"] == "income-deprivation")
    assert income["value"] == pytest.approx(weighted_mean(hood, income["source"], "income_score"), abs=0.01)
    assert income["lsoas_with_figures"] == income["lsoas"] == 5
    assert data["board"]["meetings"][0]["title"] == "Board meeting"
    assert "Rae Resident" not in str(data) and "friends@example.org" not in str(data)
    shapes = client.get(f"/api/neighbourhoods/{hood.slug}/map")
    assert shapes["Content-Type"] == "application/geo+json"
    features = shapes.json()["features"]
    assert [f["geometry"]["type"] for f in features].count("Polygon") == 5
    point = next(f for f in features if f["geometry"]["type"] == "Point")
    assert point["geometry"]["coordinates"] == [2.41, 54.65] and point["properties"]["name"] == "The Mill Hall"
    polygons = [f["properties"] for f in features if f["geometry"]["type"] == "Polygon"]
    assert all("imd_decile" in p and p["population"] > 0 for p in polygons)  # demo areas carry no national deciles
    assert client.get("/api/neighbourhoods/nowhere/hub").status_code == 404


def test_ward_and_council_pages_link_to_the_neighbourhoods_they_overlap(client, everything):
    hood = everything["hood"]
    for code in ("X05000002", "X09000001"):
        page = client.get(reverse("places:area-detail", args=[code])).content.decode()
        assert f'href="{hood.get_absolute_url()}"' in page, code
    larkrise = client.get(reverse("places:area-detail", args=["X05000012"])).content.decode()
    assert "Make a neighbourhood of Larkrise" in larkrise and "/neighbourhoods/new/?ward=X05000012" in larkrise
