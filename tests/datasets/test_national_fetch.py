"""The whole national fetch (download, then build the data pack's files) against the fake publisher in conftest.py.

Nothing here reaches the internet or needs the reference data pack, except the last test, which compares
the built files' columns with the pack's manifest.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
import shutil
import socket
from pathlib import Path

import pandas as pd
import pytest

from commonground.datasets import derive as derive_module
from commonground.datasets.derive import DERIVED, derive, plan
from commonground.datasets.fetch import FetchError, fetch
from commonground.datasets.sources import CATALOGUE, Source
from tests.conftest import run_cli
from tests.datasets.conftest import Publisher

PROVENANCE = "PROVENANCE.json"
IMD2025_PACK_COLUMNS = [
    "lsoa21_code",
    "IMD_decile",
    "Income_decile",
    "Employment_decile",
    "Education_decile",
    "Health_decile",
    "Crime_decile",
    "Housing_and_Services_decile",
    "Environment_decile",
    "IMD_rank",
    "Income_rank",
    "Employment_rank",
    "Education_rank",
    "Health_rank",
    "Crime_rank",
    "Housing_and_Services_rank",
    "Environment_rank",
    "IMD_score",
    "Income_score",
    "Employment_score",
    "Education_score",
    "Health_score",
    "Crime_score",
    "Housing_and_Services_score",
    "Environment_score",
]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_under(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


def fetch_all(dest: Path, sources: tuple[Source, ...]) -> tuple[list, list]:
    return fetch(dest, sources=sources, timeout=5), derive(dest)


def test_fetch_builds_the_pack_layout(tmp_path, publisher: Publisher, official):
    results, built = fetch_all(tmp_path, official)

    assert [r.status for r in results] == ["downloaded"] * len(CATALOGUE)
    assert [b.status for b in built] == ["built"] * len(DERIVED)
    lookups = tmp_path / "lookups"
    assert rows(lookups / "lookup_lsoa21_ward24_ltla24.csv")[2] == {
        "lsoa21_name": "Hartlepool 009A",
        "lsoa21_code": "E01011949",
        "ward24_name": "Burn Valley",
        "ward24_code": "E05008942",
        "ltla24_name": "Hartlepool",
        "ltla24_code": "E06000001",
    }
    assert len(rows(lookups / "lookup_lsoa21_ward24_ltla24.csv")) == 4  # paged two by two, all joined
    assert rows(lookups / "lookup_ltla24_region24.csv")[1] == {
        "ltla24_name": "Hartlepool",
        "ltla24_code": "E06000001",
        "region24_name": "North East",
        "region24_code": "E12000001",
    }
    lsoa11 = rows(lookups / "lookup_lsoa11_lsoa21_ltla22.csv")
    assert header(lookups / "lookup_lsoa11_lsoa21_ltla22.csv") == [
        "lsoa11_name",
        "lsoa11_code",
        "change_code",
        "lsoa21_name",
        "lsoa21_code",
        "ltla22_name",
        "ltla22_code",
    ]
    assert [(r["lsoa11_code"], r["change_code"], r["lsoa21_code"]) for r in lsoa11] == [
        ("E01000001", "U", "E01000001"),
        ("E01000002", "U", "E01000002"),
        ("E01011949", "S", "E01011949"),
        ("E01011949", "S", "E01000002"),
        ("W01000001", "U", "W01000001"),
    ]
    assert rows(lookups / "lookup_lsoa21_msoa21.csv") == [
        {"lsoa21_code": c, "lsoa21_name": n, "msoa21_code": m, "msoa21_name": mn}
        for c, n, m, mn in [
            ("E01000001", "City of London 001A", "E02000001", "City of London 001"),
            ("E01000002", "City of London 001B", "E02000001", "City of London 001"),
            ("E01011949", "Hartlepool 009A", "E02002491", "Hartlepool 009"),
            ("W01000001", "Isle of Anglesey 001A", "W02000001", "Isle of Anglesey 001"),
        ]
    ]
    assert header(lookups / "lookup_lsoa11_ltla19.csv") == ["lsoa11_name", "lsoa11_code", "ltla19_name", "ltla19_code"]
    assert rows(lookups / "lookup_lsoa11_ward17.csv")[0] == {"lsoa11_code": "E01000001", "ward17_code": "E05000001"}
    assert header(lookups / "lookup_ltla19_region19.csv") == [
        "ltla19_name",
        "ltla19_code",
        "region19_name",
        "region19_code",
    ]

    imd = rows(tmp_path / "imd2025/imd2025_england_lsoa21.csv")
    assert header(tmp_path / "imd2025/imd2025_england_lsoa21.csv") == IMD2025_PACK_COLUMNS
    assert [r["lsoa21_code"] for r in imd] == ["E01000001", "E01000002", "E01011949"]
    assert (imd[0]["IMD_rank"], imd[0]["IMD_decile"], imd[0]["IMD_score"], imd[1]["Crime_rank"]) == (
        "1234",
        "1",
        "0.125",
        "24",
    )  # thousands separator read; ranks stay whole numbers

    population = rows(tmp_path / "population/lsoa21_population_mid2024.csv")
    assert list(population[0]) == [
        "lsoa21_code",
        "pop_total_mid2024",
        "pop_0_15",
        "pop_16_64",
        "pop_65_plus",
        "pop_female",
        "pop_male",
    ]
    # Fixture bands for the first LSOA: female 10..14, male 20..24 (0-15, 16-29, 30-44, 45-64, 65+).
    assert population[0] == {
        "lsoa21_code": "E01000001",
        "pop_total_mid2024": "170",
        "pop_0_15": "30",
        "pop_16_64": "102",
        "pop_65_plus": "38",
        "pop_female": "60",
        "pop_male": "110",
    }
    assert [r["lsoa21_code"] for r in population][-1] == "W01000001"

    wards = json.loads((tmp_path / "boundaries/boundaries_wards24.geojson").read_text())
    assert wards["name"] == "boundaries_wards24"
    assert [f["properties"] for f in wards["features"]][1] == {
        "ward24_name": "Burn Valley",
        "ward24_code": "E05008942",
        "ltla24_code": "E06000001",
    }
    lsoas = json.loads((tmp_path / "boundaries/boundaries_lsoa21.geojson").read_text())
    assert lsoas["features"][0]["properties"] == {"lsoa21_name": "City of London 001A", "lsoa21_code": "E01000001"}
    geometry = lsoas["features"][0]["geometry"]
    assert geometry["type"] == "MultiPolygon"
    ring = geometry["coordinates"][0][0]
    assert ring == [[-1.2, 54.6], [-1.19, 54.6], [-1.19, 54.61], [-1.2, 54.61], [-1.2, 54.6]]  # 5 dp, repeat dropped
    assert [
        f["properties"]["ltla24_code"]
        for f in json.loads((tmp_path / "boundaries/boundaries_ltla24.geojson").read_text())["features"]
    ] == ["E09000001", "E06000001", "W06000001"]

    # Paging: every layer was asked for page after page, two features at a time, in WGS84 GeoJSON.
    pages = [p for p, _ in publisher.requests if "resultOffset=" in p]
    assert any("resultOffset=2" in p for p in pages) and all("outSR=4326" in p and "f=geojson" in p for p in pages)
    raw = json.loads((tmp_path / "raw/ons/OA_LSOA_MSOA_EW_DEC_2021_LU_v3.geojson").read_text())
    assert len(raw["features"]) == 12
    assert set(raw["features"][0]["properties"]) == {"LSOA21CD", "LSOA21NM", "MSOA21CD", "MSOA21NM"}
    assert not [p for p in files_under(tmp_path) if ".part" in p or ".pages" in p or p.endswith(".tmp")]


def test_provenance_lists_every_file_with_its_source_and_digest(tmp_path, official):
    fetch_all(tmp_path, official)

    files = json.loads((tmp_path / PROVENANCE).read_text())["files"]
    assert set(files) == {s.relative_path for s in CATALOGUE} | {d.relative_path for d in DERIVED}
    assert set(files) | {PROVENANCE} == files_under(tmp_path)
    for source in official:
        entry = files[source.relative_path]
        assert entry["kind"] == "download"
        assert entry["sha256"] == sha256_of(tmp_path / source.relative_path)
        assert entry["licence"] == "Open Government Licence v3.0"
        assert entry["publisher"] == source.publisher and entry["fetched"]
        assert (entry["pinned_sha256"], entry["verified"]) == (None, False)
        assert entry["url"] == entry["fetched_from"] == source.url  # the fake publisher's address
    for spec in DERIVED:
        entry = files[spec.relative_path]
        assert entry["kind"] == "derived" and entry["licence"] == "Open Government Licence v3.0" and entry["built"]
        assert entry["sha256"] == sha256_of(tmp_path / spec.relative_path)
        assert entry["derived_from"] == {p: files[p]["sha256"] for p in spec.inputs}
        assert entry["urls"] and entry["publisher"]
    assert "resultOffset" in files["raw/ons/LAD24_RGN24_EN_LU.geojson"]["query"]


def test_second_run_downloads_and_builds_nothing(tmp_path, publisher, official):
    fetch_all(tmp_path, official)
    past = 1_000_000_000
    for path in tmp_path.rglob("*"):
        os.utime(path, (past, past))
    publisher.requests.clear()

    results, built = fetch_all(tmp_path, official)

    assert publisher.requests == []
    assert {r.status for r in results} == {"unchanged"} and {b.status for b in built} == {"unchanged"}
    assert {p.stat().st_mtime for p in tmp_path.rglob("*") if p.is_file()} == {past}


def test_a_changed_input_rebuilds_only_what_depends_on_it(tmp_path, publisher, official):
    fetch_all(tmp_path, official)
    publisher.layers["LAD24_RGN24_EN_LU"][1]["properties"]["RGN24NM"] = "North East (renamed)"
    (tmp_path / "raw/ons/LAD24_RGN24_EN_LU.geojson").unlink()
    publisher.requests.clear()

    results, built = fetch_all(tmp_path, official)

    assert [r.relative_path for r in results if r.status == "downloaded"] == ["raw/ons/LAD24_RGN24_EN_LU.geojson"]
    assert [b.relative_path for b in built if b.status == "built"] == ["lookups/lookup_ltla24_region24.csv"]
    assert rows(tmp_path / "lookups/lookup_ltla24_region24.csv")[1]["region24_name"] == "North East (renamed)"
    edited = tmp_path / "lookups/lookup_lsoa11_ward17.csv"
    edited.write_text("lsoa11_code,ward17_code\n")
    [rebuilt] = [b for b in derive(tmp_path) if b.status == "built"]  # a derived file edited by hand is rebuilt
    assert rebuilt.relative_path == "lookups/lookup_lsoa11_ward17.csv" and len(rows(edited)) == 4


def one_file(publisher: Publisher, body: bytes, path: str = "/media/abc/File_7.csv") -> Source:
    publisher.serve({path: body})
    return Source("imd2025/File_7.csv", f"{publisher.base}{path}", None, "OGL", "test", "one file")


def test_an_interrupted_download_resumes_where_it_stopped(tmp_path, publisher):
    body = os.urandom(300_000)
    source = one_file(publisher, body)
    publisher.cut_once.add("/media/abc/File_7.csv")

    with pytest.raises(FetchError) as caught:
        fetch(tmp_path, sources=[source], timeout=5)
    message = str(caught.value)
    assert "imd2025/File_7.csv" in message and f"{publisher.base}/media/abc/File_7.csv" in message
    assert "150,000 of 300,000 bytes; run the command again to resume" in message
    assert files_under(tmp_path) == {"imd2025/.File_7.csv.part", "imd2025/.File_7.csv.part.json"}

    [result] = fetch(tmp_path, sources=[source], timeout=5)

    assert publisher.requests[-1][1]["Range"] == "bytes=150000-"
    assert result.status == "downloaded" and result.bytes == 300_000
    assert (tmp_path / "imd2025/File_7.csv").read_bytes() == body
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert files_under(tmp_path) == {"imd2025/File_7.csv", PROVENANCE}


def test_a_server_that_ignores_range_gets_a_fresh_download(tmp_path, publisher):
    body = os.urandom(200_000)
    source = one_file(publisher, body)
    publisher.cut_once.add("/media/abc/File_7.csv")
    with pytest.raises(FetchError):
        fetch(tmp_path, sources=[source], timeout=5)
    publisher.ranges = False

    [result] = fetch(tmp_path, sources=[source], timeout=5)

    assert publisher.requests[-1][1].get("Range") == "bytes=100000-"  # asked, ignored, answered in full
    assert (tmp_path / "imd2025/File_7.csv").read_bytes() == body and result.bytes == 200_000


def test_a_changed_file_is_not_spliced_onto_the_old_part(tmp_path, publisher):
    source = one_file(publisher, b"a" * 100_000)
    publisher.cut_once.add("/media/abc/File_7.csv")
    with pytest.raises(FetchError):
        fetch(tmp_path, sources=[source], timeout=5)
    publisher.files["/media/abc/File_7.csv"] = b"b" * 100_000  # re-issued: a new ETag, so If-Range fails

    fetch(tmp_path, sources=[source], timeout=5)

    assert (tmp_path / "imd2025/File_7.csv").read_bytes() == b"b" * 100_000


def test_an_interrupted_layer_continues_from_the_next_page(tmp_path, publisher, official):
    [lookup] = [s for s in official if s.relative_path == "raw/ons/LSOA21_WD24_LAD24_EW_LU.geojson"]
    publisher.fail_once.add("LSOA21_WD24_LAD24_EW_LU@2")

    with pytest.raises(FetchError, match=r"raw/ons/LSOA21_WD24_LAD24_EW_LU.geojson from http.*HTTP 500"):
        fetch(tmp_path, sources=[lookup], timeout=5)
    assert not (tmp_path / lookup.relative_path).exists()
    publisher.requests.clear()

    fetch(tmp_path, sources=[lookup], timeout=5)

    offsets = [p.split("resultOffset=")[1].split("&")[0] for p, _ in publisher.requests if "resultOffset=" in p]
    assert offsets == ["2"]  # page 0 was kept from the first run
    assert len(json.loads((tmp_path / lookup.relative_path).read_text())["features"]) == 4


def test_an_arcgis_error_names_the_file_and_the_message(tmp_path, publisher, official):
    [lookup] = [s for s in official if s.relative_path == "raw/ons/OA_LSOA_MSOA_EW_DEC_2021_LU_v3.geojson"]
    moved = dataclasses.replace(lookup, url=lookup.url.replace("_v3/", "_v4/"))
    with pytest.raises(FetchError) as caught:
        fetch(tmp_path, sources=[moved], timeout=5)
    assert str(caught.value).startswith("Could not download raw/ons/OA_LSOA_MSOA_EW_DEC_2021_LU_v3.geojson from ")
    assert "error 400: Invalid URL" in str(caught.value)
    assert files_under(tmp_path) == set()


def test_checksum_mismatch_names_the_file_and_leaves_nothing(tmp_path, publisher):
    source = dataclasses.replace(one_file(publisher, b"LSOA code (2021)\nE01000001\n"), sha256="0" * 64)
    with pytest.raises(FetchError) as caught:
        fetch(tmp_path, sources=[source], timeout=5)
    message = str(caught.value)
    assert message.startswith("Checksum mismatch for imd2025/File_7.csv from http://127.0.0.1")
    assert "0" * 64 in message and hashlib.sha256(b"LSOA code (2021)\nE01000001\n").hexdigest() in message
    assert files_under(tmp_path) == set()


def test_a_build_error_names_the_file_and_keeps_the_previous_version(tmp_path, publisher, official):
    fetch_all(tmp_path, official)
    before = (tmp_path / "imd2025/imd2025_england_lsoa21.csv").read_bytes()
    (tmp_path / "imd2025/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv").write_text(
        "LSOA code (2021),Crime Score\nE01000001,1\n"
    )
    with pytest.raises(FetchError) as caught:
        derive(tmp_path)
    assert str(caught.value) == (
        "Cannot build imd2025/imd2025_england_lsoa21.csv: File_7_IoD2025_All_Ranks_Scores_Deciles_Population_"
        "Denominators.csv has no column 'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% "
        "of LSOAs)'."
    )
    assert (tmp_path / "imd2025/imd2025_england_lsoa21.csv").read_bytes() == before
    assert not [p for p in files_under(tmp_path) if p.endswith(".tmp")]


def test_only_picks_sources_and_what_is_built_from_them():
    sources, derived = plan(["lookups/lookup_lsoa21"])
    assert [s.relative_path for s in sources] == [
        "raw/ons/LSOA21_WD24_LAD24_EW_LU.geojson",
        "raw/ons/OA_LSOA_MSOA_EW_DEC_2021_LU_v3.geojson",
    ]
    assert [d.relative_path for d in derived] == [
        "lookups/lookup_lsoa21_ward24_ltla24.csv",
        "lookups/lookup_lsoa21_msoa21.csv",
    ]
    sources, derived = plan(["imd2019/"])
    assert {s.publisher for s in sources} == {"Ministry of Housing, Communities and Local Government (MHCLG)"}
    assert derived == ()
    assert [d.relative_path for d in plan(["raw/ons/sape"])[1]] == ["population/lsoa21_population_mid2024.csv"]
    with pytest.raises(FetchError, match="Nothing matches nope/; paths start with boundaries/, imd2019/"):
        plan(["nope/"])


def test_the_loader_finds_every_file_it_requires():
    """The files `data load` requires today (commonground/places/importers.py), except the 2011-LSOA
    mid-2019 populations, which no official source publishes in that form (the fetch gives 2021 LSOAs)."""
    produced = {s.relative_path for s in CATALOGUE} | {d.relative_path for d in DERIVED}
    assert {
        "imd2019/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
        "lookups/lookup_lsoa11_ltla19.csv",
        "lookups/lookup_lsoa11_ward17.csv",
        "lookups/lookup_ltla19_region19.csv",
        "imd2025/imd2025_england_lsoa21.csv",
        "lookups/lookup_lsoa21_ward24_ltla24.csv",
        "lookups/lookup_lsoa11_lsoa21_ltla22.csv",
    } <= produced
    assert all(path in produced for spec in DERIVED for path in spec.inputs)


def test_datasets_modules_import_no_django():
    """The library is Django-free; only the command group (`data load` writes the database) uses Django."""
    for module in Path(derive_module.__file__).parent.glob("*.py"):
        if module.name != "cli.py":
            assert "django" not in module.read_text().lower(), module.name


# ---- the command -----------------------------------------------------------------------------------


def test_cli_fetches_from_a_mirror_and_a_second_run_downloads_nothing(tmp_path, publisher, mirror):
    dest = tmp_path / "national"
    first = run_cli("data", "fetch", "--to", str(dest), "--mirror", mirror)
    assert first.returncode == 0, first.stderr
    assert "lookups/lookup_lsoa21_ward24_ltla24.csv" in first.stdout and "built" in first.stdout
    assert header(dest / "lookups/lookup_lsoa21_ward24_ltla24.csv") == [
        "lsoa21_name",
        "lsoa21_code",
        "ward24_name",
        "ward24_code",
        "ltla24_name",
        "ltla24_code",
    ]
    assert len(json.loads((dest / "boundaries/boundaries_lsoa21.geojson").read_text())["features"]) == 4
    entry = json.loads((dest / PROVENANCE).read_text())["files"]["raw/ons/LAD24_RGN24_EN_LU.geojson"]
    assert entry["fetched_from"] == f"{mirror}/raw/ons/LAD24_RGN24_EN_LU.geojson"
    assert entry["url"].startswith("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/")
    publisher.requests.clear()

    second = run_cli("data", "fetch", "--to", str(dest), "--mirror", mirror)

    assert second.returncode == 0, second.stderr
    assert publisher.requests == []
    assert "downloaded" not in second.stdout and "built" not in second.stdout


def test_cli_offline_is_a_one_line_error_naming_the_file(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_cli("data", "fetch", "--to", str(tmp_path), "--mirror", f"http://127.0.0.1:{port}")
    assert result.returncode == 1
    [line] = [ln for ln in result.stderr.splitlines() if ln.strip()]
    first = CATALOGUE[0].relative_path
    assert line.startswith(f"Error: Could not download {first} from http://127.0.0.1:{port}/{first}: ")
    assert "refused" in line.lower()
    assert files_under(tmp_path) == set()


def test_cli_list_prints_every_source_without_fetching(tmp_path):
    result = run_cli("data", "fetch", "--list")
    assert result.returncode == 0, result.stderr
    for source in CATALOGUE:
        assert f"{source.relative_path}\n  publisher: {source.publisher}\n  url: {source.url}" in result.stdout
    assert result.stdout.count("licence: Open Government Licence v3.0") == len(CATALOGUE)
    assert result.stdout.count("sha256: not pinned") == len(CATALOGUE)
    assert "(paged FeatureServer query)" in result.stdout
    assert "boundaries/boundaries_wards24.geojson\n  built from: raw/ons/Wards_December_2024_Boundaries_UK_BGC" in (
        result.stdout
    )
    only = run_cli("data", "fetch", "--list", "--only", "imd2025/", "--mirror", "http://mirror.test/pack")
    assert "url: http://mirror.test/pack/imd2025/File_7_IoD2025" in only.stdout
    assert "raw/ons/" not in only.stdout and "imd2025/imd2025_england_lsoa21.csv\n  built from" in only.stdout
    assert run_cli("data", "fetch").stderr.startswith("Error: --to DIR is required")


# ---- against the reference data pack -----------------------------------------------------------------


@pytest.mark.reference("data")
def test_built_files_have_the_data_packs_columns(tmp_path, official, national_data):
    """Every built file the pack also has carries the pack's columns (GeoJSON: property names), in order."""
    fetch_all(tmp_path, official)
    manifest = {e["file"]: e["columns"] for e in json.loads((national_data / "manifest.json").read_text())}
    compared = 0
    for spec in DERIVED:
        if spec.relative_path not in manifest:
            continue
        compared += 1
        path = tmp_path / spec.relative_path
        if path.suffix == ".geojson":
            names = list(json.loads(path.read_text())["features"][0]["properties"]) + ["geometry"]
        else:
            names = header(path)
        assert names == manifest[spec.relative_path], spec.relative_path
    assert compared == 7


@pytest.mark.django_db
def test_what_fetch_brings_loads_into_the_current_geography(tmp_path, official):
    """`data fetch --to DIR` then `data load --from DIR`: the 2021/2024 areas, IMD 2025 and the 2021-LSOA
    populations come from the fetched publications, not carried over from 2011."""
    from commonground.places import importers
    from commonground.places.models import Area, AreaValue

    fetch_all(tmp_path, official)
    shutil.rmtree(tmp_path / "imd2019")  # the fake publisher serves the 2019 edition's files as opaque bytes
    # Its File 7 ranks LSOAs among all of England's (1,234 of 33,755); among its three LSOAs they are 1 to 3.
    imd = tmp_path / "imd2025" / "imd2025_england_lsoa21.csv"
    frame = pd.read_csv(imd)
    for column in [c for c in frame.columns if c.endswith("_rank")]:
        frame[column] = frame[column].rank(method="first").astype(int)
    frame.to_csv(imd, index=False)
    summary = {row["dataset"]: row["status"] for row in importers.load(tmp_path, "test")}
    assert summary["geography-2021"] == summary["imd2025"] == "loaded"
    lsoa = Area.objects.get(code="E01011949", area_type__code="lsoa21")
    assert lsoa.parent.code == "E05008942" and lsoa.parent.parent.code == "E06000001"
    people = {
        r["lsoa21_code"]: r["pop_total_mid2024"]
        for r in rows(tmp_path / "population" / "lsoa21_population_mid2024.csv")
    }
    assert lsoa.population == int(people["E01011949"])  # ONS's 2021-LSOA estimate, not carried over from 2011
    assert lsoa.parent.parent.parent.code == "E12000001"  # region from the fetched 2024 lookup
    assert AreaValue.objects.filter(area=lsoa, measure__dataset__slug="imd2025", measure__slug="imd_score").exists()
