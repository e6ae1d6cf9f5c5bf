"""The postcode lookup in the database: loading an ONS Postcode Directory file (replacing the last
load, all or nothing, audited), the Demo Borough's invented postcodes, and the LSOAs inside an area."""

from __future__ import annotations

import pytest

from commonground.audit.models import AuditRecord
from commonground.engine.tables import DataError
from commonground.places import importer_base, importers, services
from commonground.places.models import Area, Postcode
from tests.conftest import run_cli

HEADER = "pcd,pcds,dointr,doterm,lsoa11,lsoa21\n"


@pytest.fixture
def lsoas(db):
    types = importer_base.Importer.area_types()
    ward = Area.objects.create(area_type=types["ward17"], code="E05000001", name="Riverside")
    made = {
        code: Area.objects.create(area_type=types["lsoa11"], code=code, name=code, parent=ward)
        for code in ("E01000001", "E01000002")
    }
    made["E01099999"] = Area.objects.create(area_type=types["lsoa21"], code="E01099999", name="New LSOA")
    return made


def _file(tmp_path, rows: list[str], name: str = "onspd.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


GOOD = [
    "AB1 2CD,AB1 2CD,198001,,E01000001,E01099999",
    "AB1 2CE,AB1 2CE,198001,201904,E01000001,E01099999",  # terminated: skipped
    "AB1 3EF,AB1 3EF,198001,,E01000002,E01000002",  # its 2021 LSOA is not loaded
    "ZZ1 1ZZ,ZZ1 1ZZ,198001,,W01000001,W01000001",  # outside the loaded areas
]


def test_a_good_file_loads_live_postcodes_in_loaded_lsoas_and_is_audited(lsoas, tmp_path):
    counts = importers.load_postcodes(_file(tmp_path, GOOD), "test")
    assert counts == {"postcodes_lsoa11": 2, "postcodes_lsoa21": 1, "terminated": 1, "outside": 1, "replaced": 0}
    stored = sorted(Postcode.objects.values_list("postcode", "area__code", "area__area_type__code"))
    assert stored == [("AB1 2CD", "E01000001", "lsoa11"), ("AB1 2CD", "E01099999", "lsoa21"),
                      ("AB1 3EF", "E01000002", "lsoa11")]  # fmt: skip
    audit = AuditRecord.objects.get(action="places.load_postcodes")
    assert audit.after["postcodes_lsoa11"] == 2 and audit.after["columns"]["postcode"] == "pcds"
    assert services.postcode_lsoa_ids("AB1 2CD") == {lsoas["E01000001"].pk, lsoas["E01099999"].pk}
    assert services.postcode_lsoa_ids("AB1 2CE") == set()


def test_a_new_load_replaces_the_last_and_a_bad_one_changes_nothing(lsoas, tmp_path):
    importers.load_postcodes(_file(tmp_path, GOOD), "test")
    counts = importers.load_postcodes(_file(tmp_path, ["AB9 9ZZ,AB9 9ZZ,198001,,E01000002,"], "new.csv"), "test")
    assert counts["replaced"] == 3
    assert list(Postcode.objects.values_list("postcode", flat=True)) == ["AB9 9ZZ"]
    bad = _file(tmp_path, ["AB1 2CD,AB1 2CD,198001,,E01000001,", "NOPE,NOPE,198001,,E01000002,"], "bad.csv")
    with pytest.raises(DataError, match=r"bad.csv, row 3, column 'pcds': 'NOPE' is not a postcode"):
        importers.load_postcodes(bad, "test")
    assert list(Postcode.objects.values_list("postcode", flat=True)) == ["AB9 9ZZ"]
    assert AuditRecord.objects.filter(action="places.load_postcodes").count() == 2


def test_a_file_with_no_postcode_in_the_loaded_areas_is_refused(lsoas, tmp_path):
    with pytest.raises(DataError, match="none of its 1 rows is a live postcode in an LSOA in the database"):
        importers.load_postcodes(_file(tmp_path, [GOOD[3]]), "test")


def test_demo_postcodes_cover_every_demo_lsoa_and_survive_a_national_load(demo, lsoas, tmp_path):
    demo_lsoas = Area.objects.filter(is_demo=True, area_type__level="lsoa")
    assert Postcode.objects.filter(area__is_demo=True).count() == 480
    assert all(a.postcodes.count() == 8 for a in demo_lsoas)
    assert not Postcode.objects.exclude(postcode__startswith="XX").exists()
    importers.load_postcodes(_file(tmp_path, GOOD), "test")
    assert Postcode.objects.filter(area__is_demo=True).count() == 480


def test_the_lsoas_inside_an_area_are_found_down_the_parent_chain(demo):
    borough = Area.objects.get(code="X09000001")
    brookfield = Area.objects.get(code="X05000002")
    lsoa = brookfield.children.first()
    assert len(services.lsoa_ids_within(borough)) == 60
    assert services.lsoa_ids_within(brookfield) == set(brookfield.children.values_list("id", flat=True))
    assert len(services.lsoa_ids_within(brookfield)) == 5
    assert services.lsoa_ids_within(lsoa) == {lsoa.pk}
    assert services.has_postcodes(brookfield)
    Postcode.objects.filter(area__parent=brookfield).delete()
    assert not services.has_postcodes(brookfield)


@pytest.mark.sqlite
def test_the_command_fails_in_one_line_when_no_areas_are_loaded(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = run_cli("data", "load-postcodes", str(_file(tmp_path, GOOD)), env=env)
    assert result.returncode == 1
    assert "Error:" in result.stderr and "no LSOAs are loaded" in result.stderr
