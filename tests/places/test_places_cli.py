"""`commonground places left-behind` and `places select` as a user runs them, on the generated mini pack:
from the files (--data) or from what `data load` loaded, the same rows either way, the same bytes on a rerun."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import run_cli
from tests.material import mini_national_pack

pytestmark = pytest.mark.sqlite


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A database of its own (SQLite in a temporary data directory) with the mini pack loaded."""
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    done = run_cli("data", "load", "--from", str(mini_national_pack()), env=env)
    assert done.returncode == 0, done.stderr
    return env


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_left_behind_2025_lists_codes_from_the_files_and_from_the_database_alike(loaded):
    pack = str(mini_national_pack())
    files = run_cli("places", "left-behind", "--edition", "2025", "--geography", "lsoa21", "--format", "csv",
                    "--data", pack, env=loaded)  # fmt: skip
    assert files.returncode == 0, files.stderr
    found = rows(files.stdout)
    assert found and list(found[0])[:2] == ["code", "name"]
    assert all(r["code"].startswith("E01") for r in found)
    database = run_cli("places", "left-behind", "--edition", "2025", "--geography", "lsoa21", "--format", "csv",
                       env=loaded)  # fmt: skip
    assert database.returncode == 0, database.stderr
    assert database.stdout == files.stdout
    assert "IoD 2025 and CNI 2023" in database.stderr
    wider = run_cli("places", "left-behind", "--geography", "lsoa21", "--threshold", "0.2", "--measure", "extent",
                    "--format", "json", env=loaded)  # fmt: skip
    assert wider.returncode == 0, wider.stderr
    assert len(json.loads(wider.stdout)) >= len(found) and "imd_extent" in json.loads(wider.stdout)[0]


def test_left_behind_2019_keeps_its_file_form_and_runs_on_the_database(loaded):
    pack = mini_national_pack()
    files = run_cli("places", "left-behind", "--edition", "2019", "--cni", str(pack / "cni/cni2019_england_ward17.csv"),
                    "--data", str(pack), "--format", "json", env=loaded)  # fmt: skip
    assert files.returncode == 0, files.stderr
    assert "left-behind wards (cut-off rank 1 of 12)" in files.stderr
    database = run_cli("places", "left-behind", "--edition", "2019", env=loaded)
    assert database.returncode == 0, database.stderr
    assert [r["code"] for r in rows(database.stdout)] == [w["code"] for w in json.loads(files.stdout)]


def test_select_reruns_a_shipped_method_byte_for_byte_and_explains_it(loaded):
    first = run_cli("places", "select", "--method", "pride-in-place-2", env=loaded)
    assert first.returncode == 0, first.stderr
    again = run_cli("places", "select", "--method", "pride-in-place-2", env=loaded)
    assert again.stdout == first.stdout
    chosen = rows(first.stdout)
    assert len(chosen) == 9 and chosen[0]["code"].startswith("E02")  # 12 MSOAs, at most 3 per council
    assert chosen[0]["reason"].startswith("need rank 1 of 12 2021 MSOAs")
    assert "Assumption: England chooses 142 places" in first.stderr.replace("\n", " ")
    assert "nearest not chosen" in first.stderr and "(the cap per council)" in first.stderr
    files = run_cli("places", "select", "--method", "pride-in-place-2", "--data", str(mini_national_pack()),
                    env=loaded)  # fmt: skip
    assert files.stdout == first.stdout
    as_json = run_cli("places", "select", "--method", "cwf", "--format", "json", env=loaded)
    assert as_json.returncode == 0, as_json.stderr
    assert all("code" in row for row in json.loads(as_json.stdout))


def test_select_takes_a_spec_file_and_names_what_is_wrong(loaded, tmp_path):
    spec = tmp_path / "mine.toml"
    spec.write_text('[method]\nname = "mine"\ntitle = "Mine"\nversion = "1"\ngeography = "ward24"\n\n'
                    '[[index]]\nkey = "imd"\ndataset = "imd2025"\n\n[need]\nshare = 0.25\n')  # fmt: skip
    done = run_cli("places", "select", "--method", str(spec), env=loaded)
    assert done.returncode == 0, done.stderr
    assert len(rows(done.stdout)) == 3  # the most deprived quarter of 12 wards
    spec.write_text(spec.read_text().replace('"imd2025"', '"imd2019"'))
    wrong = run_cli("places", "select", "--method", str(spec), env=loaded)
    assert wrong.returncode == 1
    assert wrong.stderr.startswith(f"Error: {spec}: index[0].dataset: imd2019 is on lsoa11 LSOAs")
    unknown = run_cli("places", "select", "--method", "nope", env=loaded)
    assert (
        unknown.stderr
        == "Error: --method must be one of cwf, left-behind-2019, pride-in-place-2 or a spec file, not 'nope'\n"
    )
