"""Demo data, area pages and the places API."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from commonground.demo import generate
from commonground.places.models import Area, AreaValue, DataSet


def test_demo_generator_is_seeded_and_matches_the_committed_files():
    first = generate.generate()
    assert first == generate.generate()
    for name, rows in first.items():
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        assert (generate.DATA_DIR / name).read_text(encoding="utf-8") == buffer.getvalue(), name
    assert generate.generate(seed=1) != first


def test_demo_codes_cannot_clash_with_gss_codes():
    areas = generate.generate()["areas.csv"][1:]
    assert len(areas) == 73
    assert sum(1 for a in areas if a[2] == "ward") == 12
    assert sum(1 for a in areas if a[2] == "lsoa") == 60
    for code, *_ in areas:
        assert code[0] == "X" and code[0] not in "EWSNKLM"
        assert len(code) == 9


def test_demo_populations_add_up():
    rows = generate.generate()["areas.csv"][1:]
    by_parent: dict[str, int] = {}
    for _code, _name, _level, parent, population in rows:
        if parent:
            by_parent[parent] = by_parent.get(parent, 0) + population
    for code, _name, level, _parent, population in rows:
        if level != "lsoa":
            assert by_parent[code] == population, code


@pytest.mark.django_db
def test_load_is_complete_and_repeatable(demo):
    from commonground.places import demo as demo_module

    assert demo == {
        "areas": 73,
        "measures": 11,
        "values": 660,
        "index_values": demo["index_values"],
        "population_values": 73 * 5,
        "postcodes": 60 * 8,  # live ones; every third LSOA also has a terminated postcode, skipped
    }
    assert demo["index_values"] > 60 * 17  # score, rank, weight and the seven domains' scores and ranks
    assert not AreaValue.objects.filter(measure__slug__endswith="_decile").exists()  # deciles are national only
    again = demo_module.load()
    assert again == demo
    assert Area.objects.count() == 73
    assert AreaValue.objects.count() == 660 + demo["index_values"] + 73 * 5
    assert set(DataSet.objects.values_list("slug", "is_demo")) == {
        ("demo-indicators", True),
        ("demo-imd", True),
        ("demo-cni", True),
        ("demo-population", True),
    }


@pytest.mark.django_db
def test_demo_population_profile_adds_up_to_each_area_population(demo):
    from commonground.places.services import population_profile

    for area in Area.objects.all():
        profile = population_profile(area)
        assert profile["total"] == area.population, area.code
        ages, sexes = profile["groups"]
        assert [b["key"] for b in ages["bands"]] == ["0_15", "16_64", "65_plus"]
        assert sum(b["count"] for b in sexes["bands"]) == area.population
        assert 0.1 < ages["bands"][0]["share"] < 0.3


@pytest.mark.django_db
def test_area_page_is_labelled_demo_and_links_up_and_down(client, demo):
    response = client.get(reverse("places:area-detail", args=["x05000001"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ashby Park" in html
    assert "Demo data: Ashby Park is fictional" in html
    assert "demo data</strong> for Demo Borough" in html
    assert html.count("<h1") == 1
    assert 'href="/places/X01000001/"' in html
    assert 'href="/places/X09000001/"' in html


@pytest.mark.django_db
def test_lsoa_page_lists_its_indicators_with_source(client, demo):
    html = client.get(reverse("places:area-detail", args=["X01000001"])).content.decode()
    assert "Income deprivation" in html
    assert "Demo Borough indicators, CC0 1.0" in html


@pytest.mark.django_db
def test_unknown_area_is_404_with_a_helpful_page(client, demo):
    response = client.get(reverse("places:area-detail", args=["E05999999"]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_home_lists_the_borough(client, demo):
    html = client.get("/").content.decode()
    assert "Demo Borough" in html
    assert "108,234" in html


@pytest.mark.django_db
def test_api_lists_areas_with_pagination(client, demo):
    page = client.get("/api/areas", {"level": "ward", "limit": 5, "offset": 10}).json()
    assert page["count"] == 12
    assert [a["code"] for a in page["results"]] == ["X05000011", "X05000012"]
    lsoas = client.get("/api/areas", {"parent": "X05000002"}).json()
    assert lsoas["count"] == 5
    assert all(a["parent_code"] == "X05000002" and a["level"] == "lsoa" for a in lsoas["results"])
    bad = client.get("/api/areas", {"level": "galaxy"})
    assert bad.status_code == 422
    assert "level" in bad.content.decode()


@pytest.mark.django_db
def test_api_area_detail_carries_values_and_licence(client, demo):
    data = client.get("/api/areas/X01000003").json()
    assert data["is_demo"] is True
    assert sum(v["dataset"] == "demo-indicators" for v in data["values"]) == 11
    measures = {v["measure"] for v in data["values"]}
    assert {"imd_score", "imd_rank", "income_score"} <= measures and "imd_decile" not in measures  # not national
    income = next(v for v in data["values"] if v["measure"] == "income")
    stored = AreaValue.objects.get(area__code="X01000003", measure__slug="income").value
    assert income["value"] == stored
    assert income["licence"] == "CC0 1.0"
    missing = client.get("/api/areas/E05999999")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No area has the code 'E05999999'"}


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_after_a_load_every_page_asks_for_demo_data_through_the_empty_index():
    """After a load the planner's statistics are refreshed (importers.analyse): without them PostgreSQL took a
    freshly loaded table of areas for half demo areas and read all of it to answer the demo banner's question.
    (Committed, not rolled back: ANALYZE's row counts outlive a rollback, and an empty table of values recorded
    with pages from earlier tests would be planned as empty by every later test; the flush resets them.)"""
    from django.db import connection

    from commonground.places import importers
    from commonground.places.models import AreaType

    kind = AreaType.objects.create(code="lsoa-test", name="Test LSOA", level=AreaType.Level.LSOA)
    Area.objects.bulk_create(Area(area_type=kind, code=f"E{n:08d}", name=f"Area {n}") for n in range(30_000))

    def plan() -> str:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN SELECT 1 FROM places_area WHERE is_demo LIMIT 1")
            return "\n".join(row[0] for row in cursor.fetchall())

    importers.analyse()
    assert "places_area_demo" in plan()
