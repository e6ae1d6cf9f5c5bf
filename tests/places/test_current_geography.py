"""The current geography on a generated mini national pack (no ../shared): one edition of each area by
default, older ones a click away and labelled; populations, maps, search, dashboards and left-behind
lists that never mix IoD editions."""

from __future__ import annotations

import re
import shutil

import pytest
from django.urls import reverse

from commonground.outcomes import dashboards
from commonground.places import importers, left_behind, services
from commonground.places.models import Area, AreaType, AreaValue
from tests.material import mini_national_pack

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    from django.core.cache import cache

    cache.clear()
    dashboards._TABLES.clear()
    yield
    cache.clear()


@pytest.fixture
def mini(db):
    return importers.load(mini_national_pack(), "test")


def area(code: str, type_code: str) -> Area:
    return Area.objects.select_related("area_type").get(code=code, area_type__code=type_code)


def test_the_load_marks_the_current_geography_and_sums_populations(mini):
    assert [(s["dataset"], s["status"]) for s in mini] == [
        ("geography-2011", "loaded"), ("imd2019", "loaded"), ("cni2019", "loaded"), ("population-mid2019", "loaded"),
        ("geography-2021", "loaded"), ("imd2025", "loaded"), ("cni2023", "loaded"),
        ("need-proxy-2025", "skipped (files not present)"), ("population-mid2022", "skipped (files not present)"),
    ]  # fmt: skip
    current = dict(AreaType.objects.values_list("code", "is_current"))
    assert {c for c, yes in current.items() if yes} == {"lsoa21", "msoa21", "ward24", "lad24", "rgn19"}
    assert AreaType.objects.get(code="ward24").vintage == 2024
    for type_code in ("lad19", "lad24", "ward17", "ward24", "msoa21", "rgn19"):
        for a in Area.objects.filter(area_type__code=type_code):
            assert a.population and a.population > 0, (type_code, a.code)
    hartlepool = area("E06000001", "lad24")
    lsoas = Area.objects.filter(parent__parent=hartlepool)
    assert hartlepool.population == sum(lsoas.values_list("population", flat=True))
    assert "carried over" in hartlepool.area_type.population_note
    cumberland = area("E06000063", "lad24")  # new since the 2021 district→region lookup
    assert cumberland.parent.name == "North West"
    msoa = area("E02000001", "msoa21")
    assert msoa.contains.count() == 5 and msoa.parent == hartlepool


def test_maps_come_from_the_closest_vintage_or_are_drawn_with_a_note(mini):
    assert area("E05008942", "ward24").geometry and not area("E05008942", "ward24").geometry_note  # wards22
    bloomfield = area("E05015001", "ward24")  # redrawn in 2023: drawn from its LSOAs
    assert bloomfield.geometry.startswith('{"type":"Polygon"') and "joining its 2021 LSOAs" in bloomfield.geometry_note
    assert "joining its 2024 wards" in area("E06000063", "lad24").geometry_note
    assert area("E06000009", "lad24").geometry_note == ""  # same code in the 2019 boundaries
    assert "split from (E01000021)" in area("E01035001", "lsoa21").geometry_note
    assert Area.objects.filter(area_type__code="lsoa21", geometry="").count() == 0


def test_home_names_each_council_once_with_its_population(client, mini):
    html = client.get("/").content.decode()
    for name in ("Hartlepool", "Blackpool", "Cumberland"):
        assert html.count(f">{name}</a>") == 1, name
        population = area(Area.objects.get(name=name, area_type__code="lad24").code, "lad24").population
        assert f"{population:,}" in html
    assert "Allerdale" not in html and "None" not in html
    assert 'id="home-q"' in html and 'data-geojson-url="/places/districts.geojson"' in html
    assert 'id="left-behind-count"' in html and "IoD 2025 IMD and the CNI 2023" in html
    shapes = client.get("/places/districts.geojson").json()["features"]
    assert sorted(f["properties"]["code"] for f in shapes) == ["E06000001", "E06000009", "E06000063"]
    assert all(1 <= f["properties"]["imd_decile"] <= 10 for f in shapes)


def test_search_puts_the_council_and_its_wards_first_once_each(client, mini, tmp_path):
    found = services.search("Hartlepool")
    first = [(a.code, a.area_type.code) for a in found.areas[:5]]
    assert first[0] == ("E06000001", "lad24")
    assert {c for c, t in first[1:]} == {"E05008942", "E05008943", "E05008944", "E05008945"}
    assert {t for c, t in first[1:]} == {"ward24"}
    assert len({a.code for a in found.areas}) == len(found.areas)  # each place once
    assert all(a.area_type.is_current for a in found.areas)
    assert {a.area_type.code for a in found.older} <= {"lsoa11", "ward17", "lad19"}
    assert not {a.code for a in found.older} & {a.code for a in found.areas}
    by_code = services.search("e05001645")  # a 2017 ward that no longer exists: an older edition
    assert by_code.areas == [] and [a.code for a in by_code.older] == ["E05001645"]
    onspd = tmp_path / "onspd.csv"
    onspd.write_text("pcds,doterm,lsoa11,lsoa21\nTS24 7AA,,E01000001,E01000001\n")
    importers.load_postcodes(onspd, "test")
    by_postcode = services.search("ts247aa")
    assert [(a.code, a.area_type.code) for a in by_postcode.areas] == [
        ("E06000001", "lad24"),
        ("E05008942", "ward24"),
        ("E01000001", "lsoa21"),
    ]
    page = client.get(reverse("places:area-list"), {"q": "Hartlepool"}).content.decode()
    assert page.index('href="/places/E06000001/"') < page.index('href="/places/E05008942/"')
    redrawn = client.get(reverse("places:area-list"), {"q": "Bloomfield"}).content.decode()
    assert 'href="/places/E05015001/"' in redrawn and "1 match in older editions of the geography" in redrawn
    assert 'href="/places/E05001645/?type=ward17"' in redrawn


def test_council_page_shows_iod_2025_labelled_with_a_map_and_links_the_older_edition(client, mini):
    html = client.get("/places/E06000001/").content.decode()
    assert "Local authority (2024)" in html and "Deprivation (IMD) score, IoD 2025" in html
    assert "Deprivation: the seven domains (IoD 2025)" in html and "English Indices of Deprivation 2025" in html
    assert "Indices of Deprivation 2019" not in html
    assert 'data-geojson-url="/api/areas/E06000001/map?type=lad24"' in html
    assert re.search(r"of 3 local authorities \(2024\) in England", html)
    assert 'href="/places/E06000001/?type=lad19"' in html and "Older edition" in html
    shapes = client.get("/api/areas/E06000001/map?type=lad24").json()["features"]
    assert len(shapes) == 20 and all(f["properties"]["imd_decile"] for f in shapes)
    older = client.get("/places/E06000001/?type=lad19").content.decode()
    assert "Local authority (2019)" in older and "IoD 2019" in older and "IoD 2025" not in older
    assert "See it in the current geography" in older
    assert client.get("/api/areas/E06000001").json()["area_type"] == "lad24"
    assert client.get("/api/areas/E06000001?type=lad19").json()["area_type"] == "lad19"
    region = client.get("/places/E12000001/").content.decode()  # regions carry both editions: the latest shown
    assert "Deprivation (IMD) score, IoD 2025" in region and "IoD 2019 figures for North East" in region
    region_2019 = client.get("/places/E12000001/?edition=2019").content.decode()
    assert "Deprivation (IMD) score, IoD 2019" in region_2019 and "Deprivation (IMD) score, IoD 2025" not in region_2019
    assert "(E01000021)" not in client.get("/places/E06000009/").content.decode()  # map notes without codes


def test_api_lists_the_current_geography_unless_asked(client, mini):
    assert client.get("/api/areas", {"level": "local_authority"}).json()["count"] == 3
    every = client.get("/api/areas", {"level": "local_authority", "all_editions": "true"}).json()
    assert every["count"] == 6 and {r["vintage"] for r in every["results"]} == {2019, 2024}
    assert client.get("/api/areas", {"type": "ward17"}).json()["count"] == 12
    indicators = client.get("/api/areas/E06000009/indicators").json()
    assert indicators["deprivation"]["edition"] == "IoD 2025" and indicators["community_need"]["edition"] == "CNI 2023"
    assert client.get("/api/areas/E12000002/indicators?edition=2019").json()["deprivation"]["edition"] == "IoD 2019"


def test_england_dashboard_counts_the_wards_of_one_vintage_and_compares_no_editions(client, mini):
    board = dashboards.national_dashboard()
    wards = next(t for t in board["tiles"] if t["label"] == "Wards")
    assert (wards["value"], wards["note"]) == (12, "wards (2024)")
    assert not [t for t in board["tiles"] if "than before" in t["note"]]
    deprivation = next(m for t in board["themes"] for m in t["measures"] if m["slug"] == "deprivation")
    assert [p["label"] for p in deprivation["series"]] == ["IoD 2025"] and deprivation["change"] is None
    region = dashboards.area_dashboard(Area.objects.get(code="E06000009", area_type__code="lad24"))
    income = next(m for t in region["themes"] for m in t["measures"] if m["slug"] == "income-deprivation")
    assert income["latest"]["label"] == "IoD 2025" and income["comparison"]["similar_label"].endswith("(IoD 2025)")
    page = client.get(reverse("outcomes:nation")).content.decode()
    assert "than before" not in page and "IoD 2025" in page
    assert client.get(reverse("outcomes:area", args=["E06000001"])).status_code == 200  # the 2024 district
    assert client.get(reverse("outcomes:area", args=["E06000001"]) + "?type=lad19").status_code == 200


def test_left_behind_lists_are_one_edition_and_one_geography_at_a_time(client, mini):
    default = left_behind.left_behind_areas()
    assert (default["edition"].key, default["area_type"].code) == ("2025", "ward24")
    assert default["geographies"] == ["ward24", "lsoa21", "msoa21", "lad24"]
    lsoas = left_behind.left_behind_areas("2025", "lsoa21")
    assert {r["area"].area_type.code for r in lsoas["rows"]} == {"lsoa21"} and len(lsoas["rows"]) >= 1
    flagged = set(
        AreaValue.objects.filter(
            measure__dataset__slug="cni2023", measure__slug="left_behind", value=1, area__area_type__code="lsoa21"
        ).values_list("area__code", flat=True)
    )
    assert {r["code"] for r in lsoas["rows"]} == flagged  # fmt: skip
    historical = left_behind.left_behind_areas("2019")
    assert {r["area"].area_type.code for r in historical["rows"]} <= {"ward17"}
    page = client.get(reverse("places:left-behind"), {"edition": "2025", "geography": "lsoa21"}).content.decode()
    assert "IoD 2025 IMD and the CNI 2023" in page and "Licensed third-party data" in page
    assert 'href="?edition=2019"' in page and "LSOAs (2021)" in page
    csv_text = client.get(reverse("places:left-behind-csv"), {"edition": "2025", "geography": "lsoa21"})
    assert csv_text["Content-Disposition"] == 'attachment; filename="left-behind-2025-lsoa21.csv"'
    assert client.get("/api/left-behind", {"edition": "2019"}).status_code == 200


def test_without_the_cni_the_open_proxy_is_used_and_labelled(client, db, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(mini_national_pack(), pack)
    (pack / "cni/cni2023_england_lsoa21.csv").unlink()
    summary = {s["dataset"]: s["status"] for s in importers.load(pack, "test")}
    assert summary["need-proxy-2025"] == "loaded" and summary["cni2023"].startswith("skipped")
    found = left_behind.left_behind_areas("2025", "lsoa21")
    assert found["need"].slug == "need-proxy-2025" and "open proxy" in found["rule"]
    assert "an open proxy built from IoD indicators, not OCSI's Community Needs Index" in client.get(
        "/places/E05015001/").content.decode()  # fmt: skip
    page = client.get(reverse("places:left-behind")).content.decode()
    assert "an open proxy built from IoD indicators, not OCSI&#x27;s CNI" in page


def test_2021_populations_come_from_the_mid_2022_file_when_present(db, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(mini_national_pack(), pack)
    rows = [line.split(",")[0] for line in (pack / "lookups/lookup_lsoa21_msoa21.csv").read_text().splitlines()[1:]]
    (pack / "population").mkdir(exist_ok=True)
    (pack / "population/lsoa21_population_mid2022.csv").write_text(
        "lsoa21_code,total,age_0_15,age_16_64,age_65_plus,females,males\n"
        + "".join(f"{code},1000,200,600,200,510,490\n" for code in rows)
    )
    summary = {s["dataset"]: s["status"] for s in importers.load(pack, "test")}
    assert summary["population-mid2022"] == "loaded"
    hartlepool = area("E06000001", "lad24")
    assert hartlepool.population == 20_000 and hartlepool.area_type.population_note == "ONS mid-2022 estimates"
    assert services.population_profile(hartlepool)["total"] == 20_000
    weight = AreaValue.objects.get(area__code="E01000001", area__area_type__code="lsoa21",
                                   measure__dataset__slug="imd2025", measure__slug="population_weight")  # fmt: skip
    assert weight.value == 1000


def test_similar_areas_are_those_in_the_same_national_decile_of_one_edition(mini):
    ward = area("E05015001", "ward24")
    board = dashboards.area_dashboard(ward)
    crime = next(m for t in board["themes"] for m in t["measures"] if m["slug"] == "crime")
    values = dict(
        AreaValue.objects.filter(
            measure__dataset__slug="imd2025", measure__slug="crime_score", area__area_type__code="ward24"
        ).values_list("area__code", "value")
    )
    deciles = dict(
        AreaValue.objects.filter(
            measure__dataset__slug="imd2025", measure__slug="imd_decile", area__area_type__code="ward24"
        ).values_list("area__code", "value")
    )
    same = [values[c] for c, d in deciles.items() if d == deciles["E05015001"]]
    assert crime["comparison"]["similar"] == pytest.approx(sum(same) / len(same))
    assert crime["comparison"]["england"] == pytest.approx(sum(values.values()) / len(values))
    assert crime["comparison"]["region_label"] == "North West"
