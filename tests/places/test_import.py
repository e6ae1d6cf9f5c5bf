"""`commonground data load` importers on a slice of the real data pack (two districts), run in full.

National ranks need every LSOA, so the IMD and CNI files are the full ones; the lookups are cut down
to Blackpool and Hartlepool, so only their areas are created and only their values are written.
"""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pytest

from commonground.audit.models import AuditRecord
from commonground.engine import national, population
from commonground.engine.tables import DataError
from commonground.places import importers, services
from commonground.places.models import Area, AreaValue, DataSet
from tests.conftest import SHARED

pytestmark = pytest.mark.reference("data")
DISTRICTS = {"E06000009", "E06000001"}  # Blackpool, Hartlepool
FULL_FILES = [
    "imd2019/File_2_-_IoD2019_Domains_of_Deprivation.csv",
    "imd2019/File_6_-_IoD2019_Population_Denominators.csv",
    "cni/cni2019_england_ward17.csv",
    "population/lsoa11_population_mid2019_EW.csv",
    "lookups/lookup_ltla19_region19.csv",
    "boundaries/boundaries_lsoa11.geojson",
    "boundaries/boundaries_ltla19.geojson",
    "boundaries/boundaries_left_behind_areas_ward17_uk.geojson",
    "imd2025/imd2025_england_lsoa21.csv",
    "lookups/lookup_lsoa11_lsoa21_ltla22.csv",
    "lookups/lookup_ltla21_region21.csv",
]


def _filtered(source, dest, keep) -> set[str]:
    with source.open(encoding="utf-8-sig", newline="") as f_in, dest.open("w", encoding="utf-8", newline="") as f_out:
        reader = csv.DictReader(f_in)
        writer = csv.DictWriter(f_out, fieldnames=reader.fieldnames)
        writer.writeheader()
        kept = set()
        for row in reader:
            if keep(row):
                writer.writerow(row)
                kept.add(row.get("lsoa11_code") or row.get("lsoa21_code"))
    return kept


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    data = SHARED / "data"
    root = tmp_path_factory.mktemp("pack")
    for relative in FULL_FILES:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).symlink_to(data / relative)
    lsoas = _filtered(data / "lookups/lookup_lsoa11_ltla19.csv", root / "lookups/lookup_lsoa11_ltla19.csv",
                      lambda r: r["ltla19_code"] in DISTRICTS)  # fmt: skip
    _filtered(data / "lookups/lookup_lsoa11_ward17.csv", root / "lookups/lookup_lsoa11_ward17.csv",
              lambda r: r["lsoa11_code"] in lsoas)  # fmt: skip
    _filtered(data / "lookups/lookup_lsoa21_ward24_ltla24.csv", root / "lookups/lookup_lsoa21_ward24_ltla24.csv",
              lambda r: r["ltla24_code"] in DISTRICTS)  # fmt: skip
    return root


@pytest.fixture
def loaded(db, pack):
    return importers.load(pack, "test")


def value(code: str, dataset: str, measure: str) -> float:
    return AreaValue.objects.get(area__code=code, measure__dataset__slug=dataset, measure__slug=measure).value


def test_load_creates_areas_values_and_an_audit_record_per_dataset(loaded):
    assert [(s["dataset"], s["status"]) for s in loaded] == [
        ("geography-2011", "loaded"),
        ("imd2019", "loaded"),
        ("cni2019", "loaded"),
        ("population-mid2019", "loaded"),
        ("geography-2021", "loaded"),
        ("imd2025", "loaded"),
        ("cni2023", "skipped (files not present)"),
        ("need-proxy-2025", "skipped (files not present)"),
        ("population-mid2022", "skipped (files not present)"),
    ]
    assert Area.objects.filter(area_type__code="lad19").count() == 2
    assert Area.objects.filter(area_type__code="lsoa11").count() == 152  # 94 Blackpool + 58 Hartlepool
    bloomfield = Area.objects.get(code="E05001645")
    assert (bloomfield.name, bloomfield.parent.name, bloomfield.parent.parent.name) == (
        "Bloomfield",
        "Blackpool",
        "North West",
    )
    assert bloomfield.population == sum(bloomfield.children.values_list("population", flat=True))
    assert bloomfield.geometry.startswith('{"type":')  # left-behind ward shape from the boundaries file
    assert Area.objects.filter(area_type__code="lsoa11").exclude(geometry="").count() == 152
    assert AuditRecord.objects.filter(action="places.load_dataset").count() == 6
    assert DataSet.objects.get(slug="cni2019").is_third_party


def test_values_equal_the_engine_on_the_full_national_files(loaded, pack):
    lsoas = national.imd2019_lsoas(pack)
    i = int(np.flatnonzero(lsoas.codes == "E01012681")[0])
    assert value("E01012681", "imd2019", "imd_score") == pytest.approx(lsoas.score[i])
    assert value("E01012681", "imd2019", "imd_rank") == lsoas.rank[i]
    full_wards = national.imd2019_wards17(SHARED / "data").set_index("code")
    assert value("E05001645", "imd2019", "imd_score") == pytest.approx(full_wards.loc["E05001645", "score"])
    assert value("E05001645", "cni2019", "left_behind") == 1
    assert value("E05001645", "cni2019", "published_left_behind") == 1
    assert value("E06000009", "imd2019", "imd_rank") <= 5  # Blackpool is among the most deprived districts


def test_population_bands_add_up_from_lsoas_to_region_and_match_the_file(loaded):
    rows = {
        r["lsoa11_code"]: r
        for r in csv.DictReader((SHARED / "data/population/lsoa11_population_mid2019_EW.csv").open())
    }
    lsoa = Area.objects.filter(area_type__code="lsoa11").first()
    assert value(lsoa.code, "population-mid2019", "pop_65_plus") == float(rows[lsoa.code]["pop_65_plus"])
    blackpool = Area.objects.get(code="E06000009", area_type__code="lad19")
    lsoa_codes = Area.objects.filter(parent__parent=blackpool).values_list("code", flat=True)
    assert len(lsoa_codes) == 94
    for slug in ("pop_0_15", "pop_16_64", "pop_65_plus", "pop_female", "pop_male"):
        assert value("E06000009", "population-mid2019", slug) == sum(float(rows[c][slug]) for c in lsoa_codes)
    region = value("E12000002", "population-mid2019", "pop_female")  # North West: Blackpool only in this slice
    assert region == value("E06000009", "population-mid2019", "pop_female")
    profile = services.population_profile(blackpool)
    assert profile["total"] == sum(int(rows[c]["pop_total_mid2019"]) for c in lsoa_codes)
    for group in profile["groups"]:
        assert sum(b["count"] for b in group["bands"]) == profile["total"]
        assert sum(b["share"] for b in group["bands"]) == pytest.approx(1.0)


def test_population_bands_that_do_not_add_up_are_refused_with_row_and_column(tmp_path):
    bad = tmp_path / "people.csv"
    bad.write_text("lsoa11_code,pop_total_mid2019,pop_0_15,pop_16_64,pop_65_plus,pop_female,pop_male\n"
                   "E01000001,100,20,60,20,50,50\nE01000002,100,20,60,21,50,50\n")  # fmt: skip
    with pytest.raises(DataError, match=r"row 3.*pop_total_mid2019|pop_total_mid2019.*row 3") as caught:
        population.read_bands(bad)
    assert "add up to 101, not the total 100" in str(caught.value)
    bad.write_text("lsoa11_code,pop_0_15,pop_16_64,pop_65_plus,pop_female,pop_male\nE01000001,20,60,-1,50,50\n")
    with pytest.raises(DataError, match="whole number"):
        population.read_bands(bad)


def test_imd2025_on_2021_geography_sits_beside_2019(loaded, client):
    blackpool_2024 = Area.objects.get(code="E06000009", area_type__code="lad24")
    assert blackpool_2024.parent.code == "E12000002"  # North West
    assert Area.objects.filter(area_type__code="lsoa21", parent__parent=blackpool_2024).count() > 90
    assert AreaValue.objects.filter(area=blackpool_2024, measure__dataset__slug="imd2025",
                                    measure__slug="imd_rank").exists()  # fmt: skip
    default = client.get("/places/E06000009/").content.decode()  # the current geography by default
    assert "Local authority (2024)" in default and "English Indices of Deprivation 2025" in default
    assert 'href="/places/E06000009/?type=lad19"' in default  # the same code in the 2019 geography
    older = client.get("/places/E06000009/?type=lad19").content.decode()
    assert "Local authority (2019)" in older and "IoD 2019" in older
    assert "Deprivation rank" in older  # ranks here are among the slice's districts only


def test_loading_again_replaces_rather_than_duplicates(loaded, pack):
    areas, values = Area.objects.count(), AreaValue.objects.count()
    importers.load(pack, "test")
    assert (Area.objects.count(), AreaValue.objects.count()) == (areas, values)


def test_bad_row_names_file_row_and_column_and_keeps_the_earlier_load(loaded, pack, tmp_path):
    broken = tmp_path / "pack"
    shutil.copytree(pack, broken, symlinks=True)
    cni = broken / "cni/cni2019_england_ward17.csv"
    text = cni.read_text(encoding="utf-8-sig").splitlines()
    cells = text[5].split(",")
    cells[4] = "high"
    text[5] = ",".join(cells)
    cni.unlink()
    cni.write_text("\n".join(text) + "\n", encoding="utf-8")
    before = AreaValue.objects.filter(measure__dataset__slug="cni2019").count()
    with pytest.raises(DataError, match=r"cni2019_england_ward17.csv, row 6, column 'Civic Assets score': 'high'"):
        importers.load(broken, "test")
    assert AreaValue.objects.filter(measure__dataset__slug="cni2019").count() == before
    assert before > 0


def test_missing_directory_is_an_error(db, tmp_path):
    with pytest.raises(DataError, match="directory not found"):
        importers.load(tmp_path / "nope", "test")
