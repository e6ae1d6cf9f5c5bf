"""Area profiles, search, the left-behind list and their API, on the demo borough."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_ward_profile_explains_every_number(client, demo):
    html = client.get(reverse("places:area-detail", args=["X05000002"])).content.decode()
    assert "Brookfield" in html
    assert "Brookfield is a left-behind neighbourhood" in html
    assert "its deprivation rank is 1 of 12 and its community-need rank is 3 of 12" in html
    assert "Deprivation (IMD) score" in html
    values = re.findall(r'data-value="([0-9.]+)"', html)
    assert len(values) == 7, "one bar per IMD domain"
    assert all(0 <= float(v) <= 100 for v in values)
    assert 'data-geojson-url="/api/areas/X05000002/map?type=ward-demo"' in html
    assert "22.5%" in html and "9.3%" in html
    assert html.count("<h1") == 1


def test_ward_that_is_not_left_behind_says_why(client, demo):
    html = client.get(reverse("places:area-detail", args=["X05000001"])).content.decode()
    assert "Ashby Park is not counted as left behind" in html
    assert "rank of 3 or better" in html


def test_search_by_name_and_by_code(client, demo):
    by_name = client.get(reverse("places:area-list"), {"q": "brook"}).content.decode()
    assert 'href="/places/X05000002/"' in by_name
    by_code = client.get(reverse("places:area-list"), {"q": "x01000007"}).content.decode()
    assert "1 place matching" in by_code and 'href="/places/X01000007/"' in by_code
    nothing = client.get(reverse("places:area-list"), {"q": "Atlantis"}).content.decode()
    assert "0 places matching" in nothing and "Check the spelling" in nothing


def test_left_behind_page_sorts_without_javascript_and_downloads(client, demo):
    page = client.get(reverse("places:left-behind"), {"sort": "cni_rank"}).content.decode()
    rows = re.findall(r'href="/places/(X05\d+)/"', page)
    assert rows == ["X05000012", "X05000002"]  # Larkrise (CNI rank 2) before Brookfield (3)
    assert (
        'aria-sort="ascending"><a class="govuk-link" href="?edition=demo&amp;geography=ward-demo&amp;sort=cni_rank"'
        in page
    )
    download = client.get(reverse("places:left-behind-csv"))
    assert download["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert {r["code"] for r in table} == {"X05000002", "X05000012"}
    geo = client.get(reverse("places:left-behind-geojson")).json()
    assert len(geo["features"]) == 2
    assert geo["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert len(geo["features"][0]["geometry"]["coordinates"]) == 5  # the ward's five LSOAs


def test_api_indicators_map_and_left_behind(client, demo):
    data = client.get("/api/areas/X05000002/indicators").json()
    assert data["deprivation"]["rank"] == 1 and data["deprivation"]["of"] == 12
    assert [d["slug"] for d in data["deprivation"]["domains"]][:2] == ["income", "employment"]
    assert data["community_need"]["left_behind"] is True
    assert data["community_need"]["third_party"] is False
    assert data["left_behind_reason"].startswith("Brookfield is a left-behind neighbourhood")
    shapes = client.get("/api/areas/X05000002/map").json()
    assert [f["properties"]["code"] for f in shapes["features"]] == [f"X0100000{i}" for i in range(6, 10)] + [
        "X01000010"
    ]
    assert all(f["properties"]["imd_decile"] is None for f in shapes["features"])  # deciles are national only
    assert all(f["properties"]["imd_score"] > 0 for f in shapes["features"])  # the demo map shades by score
    wards = client.get("/api/left-behind").json()
    assert {w["code"] for w in wards} == {"X05000002", "X05000012"}
    assert client.get("/api/areas/E05999999/indicators").status_code == 404
    assert client.get("/api/areas/E05999999/map").status_code == 404


def test_lsoa_and_borough_pages(client, demo):
    lsoa = client.get(reverse("places:area-detail", args=["X01000006"])).content.decode()
    assert "Deprivation rank" in lsoa and "of 60" in lsoa
    borough = client.get(reverse("places:area-detail", args=["X09000001"])).content.decode()
    assert "Areas within Demo Borough" in borough
    assert borough.count('data-value="') == 7


def test_demo_ranks_say_what_they_are_among_and_demo_areas_have_no_national_deciles(client, demo):
    borough = client.get(reverse("places:area-detail", args=["X09000001"])).content.decode()
    assert "1 of 1" not in borough and "decile" not in borough.lower()
    assert "Demo Borough is the only local authority, so a rank would compare it with nothing." in borough
    ward = client.get(reverse("places:area-detail", args=["X05000002"])).content.decode()
    assert "1 of 12 wards in Demo Borough (1 is the most deprived)" in ward and "decile" not in ward.lower()
    assert 'data-value-property="imd_score"' in ward  # the demo map shades by score, not by decile
