"""The first pages with England loaded from the national data pack (loaded once for the module, about a
minute): one edition of each council, search that finds a council's wards, IoD 2025 labelled, maps, and an
England dashboard that counts the wards of one vintage."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

from commonground.places import importers, left_behind, services
from commonground.places.models import Area, AreaType, AreaValue

pytestmark = [pytest.mark.reference("data"), pytest.mark.django_db]
TABLES = ("places_postcode", "places_areavalue", "places_measure", "places_dataset", "places_area_also_in",
          "places_area", "places_areatype")  # fmt: skip


@pytest.fixture(scope="module")
def england(django_db_setup, django_db_blocker, national_data):
    """England loaded into the test database once for the module (committed), removed again after it."""
    from tests.conftest import reference_missing

    if reference_missing("data"):
        pytest.skip("the national data pack is missing")
    with django_db_blocker.unblock():
        with mock.patch("commonground.places.importers.record"):  # no audit rows to outlive the module
            summary = importers.load(national_data, "test")
        yield summary
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608


@pytest.fixture(autouse=True)
def _fresh_caches():
    from django.core.cache import cache

    from commonground.outcomes import dashboards

    cache.clear()
    dashboards._TABLES.clear()


def test_everything_in_the_pack_loads_with_the_current_geography(england):
    assert {s["dataset"]: s["status"] for s in england}["cni2023"] == "loaded"
    current = services.current_types()
    expected = {"lsoa": "lsoa21", "msoa": "msoa21", "ward": "ward24", "local_authority": "lad24", "region": "rgn19"}
    assert {level: t.code for level, t in current.items()} == expected
    assert Area.objects.filter(area_type__code="lad24", population__isnull=True).count() == 0
    assert Area.objects.filter(area_type__code="lad19", population__isnull=True).count() == 0


def test_home_names_each_council_once_with_its_population(client, england):
    html = client.get("/").content.decode()
    councils = re.findall(r'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="/places/'
                          r'(E0[6-9]\d+)/">([^<]+)</a>', html)  # fmt: skip
    assert len(councils) == 296 and len({code for code, _ in councils}) == 296
    assert "None" not in html and "Allerdale" not in html  # abolished in 2023: an older edition only
    knowsley = Area.objects.get(code="E08000011", area_type__code="lad24")
    assert html.count(">Knowsley</a>") == 1 and f"{knowsley.population:,}" in html
    assert len(html) < 150_000  # the table is folded away; the page is a short start
    assert 'id="home-q"' in html and 'id="left-behind-count"' in html


def test_search_for_hartlepool_returns_the_council_and_its_wards_first(client, england):
    found = services.search("Hartlepool")
    wards = set(Area.objects.filter(area_type__code="ward24", parent__code="E06000001").values_list("code", flat=True))
    assert [(a.code, a.area_type.code) for a in found.areas[:1]] == [("E06000001", "lad24")]
    assert {a.code for a in found.areas[1 : 1 + len(wards)]} == wards and len(wards) == 12
    assert len({a.code for a in found.areas}) == len(found.areas)
    page = client.get(reverse("places:area-list"), {"q": "Knowsley"}).content.decode()
    assert page.count('href="/places/E08000011/"') == 1 and "Ward (2024)" in page


def test_knowsley_shows_iod_2025_with_its_label_and_a_map(client, england):
    html = client.get("/places/E08000011/").content.decode()
    assert "Local authority (2024)" in html and "Deprivation (IMD) score, IoD 2025" in html
    assert "Deprivation: the seven domains (IoD 2025)" in html and "Indices of Deprivation 2019" not in html
    assert "Population None" not in html and re.search(r"Population</dt><dd[^>]*>1\d\d,\d\d\d", html)
    assert 'data-geojson-url="/api/areas/E08000011/map?type=lad24"' in html
    features = client.get("/api/areas/E08000011/map?type=lad24").json()["features"]
    assert len(features) > 90 and all(1 <= f["properties"]["imd_decile"] <= 10 for f in features)
    older = client.get("/places/E08000011/?type=lad19").content.decode()
    assert "Deprivation (IMD) score, IoD 2019" in older and "See it in the current geography" in older


def test_the_england_dashboard_counts_the_wards_of_one_vintage(client, england):
    html = client.get(reverse("outcomes:nation")).content.decode()
    wards = AreaType.objects.get(code="ward24").areas.count()
    assert wards == 6_784
    assert re.search(r"6,784\s*</[^>]+>\s*.*wards \(2024\)", html, re.S)
    assert "14,2" not in html and "than before" not in html


def test_left_behind_lists_keep_their_editions_apart(client, england):
    default = left_behind.left_behind_areas()
    assert (default["edition"].key, default["area_type"].code) == ("2025", "ward24")
    historical = left_behind.left_behind_areas("2019")
    assert len(historical["rows"]) == 226 and {r["area"].area_type.code for r in historical["rows"]} == {"ward17"}
    lsoas = AreaValue.objects.filter(measure__dataset__slug="cni2023", measure__slug="left_behind", value=1,
                                     area__area_type__code="lsoa21").count()  # fmt: skip
    assert lsoas == 1_262
    assert "IoD 2019" not in client.get(reverse("places:left-behind")).content.decode()
