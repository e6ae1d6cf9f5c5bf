"""`commonground assets remind`, `assets council`, `assets export-register` and `assets import-register` as a user
runs them."""

from __future__ import annotations

import csv

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.sqlite


def test_council_ruleset_and_remind(tmp_path):
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path)}
    assert run_cli("migrate", env=env).returncode == 0
    result = run_cli("assets", "council", "Proposal Council", "--ruleset", "right-to-buy", env=env)
    assert result.returncode == 0, result.stderr
    assert (
        "Proposal Council: new cases use right-to-buy-2026 once in force (not in force: waits on commencement "
        "regulations"
        in result.stdout
        and "until then localism-2011" in result.stdout
    )
    bad = run_cli("assets", "council", "X", "--ruleset", "nope", env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("Error: unknown rule set 'nope'")
    result = run_cli("assets", "remind", "--date", "2026-04-06", env=env)
    assert result.returncode == 0, result.stderr
    assert "Queued 0 reminders" in result.stdout
    bad = run_cli("assets", "remind", "--date", "2026-02-30", env=env)
    assert bad.returncode == 1 and "--date must be a real date" in bad.stderr


def test_council_area_and_the_register_in_and_out(tmp_path):
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path)}
    assert run_cli("init-demo", env=env).returncode == 0
    bad = run_cli("assets", "council", "Demo Borough Council", "--code", "E09000099", env=env)
    assert bad.returncode == 1 and "no local authority area with the code 'E09000099'" in bad.stderr
    made = run_cli("assets", "council", "Demo Borough Council", "--code", "X09000001", "--organisation",
                   "local-authority:DMO", env=env)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "area X09000001 (Demo Borough); organisation local-authority:DMO" in made.stdout
    published = tmp_path / "published.csv"
    with published.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["reference", "name", "organisation", "decision", "decision-date",
                                                    "expiry-date", "point"])  # fmt: skip
        writer.writeheader()
        writer.writerow({"reference": "A-CV-1", "name": "The Magdala", "organisation": "local-authority:DMO",
                         "decision": "successful", "decision-date": "2024-12-01", "expiry-date": "2029-12-05",
                         "point": "POINT (-1.5 52.5)"})  # fmt: skip
    check = run_cli("assets", "import-register", str(published), "--council", "Demo Borough Council", "--check-only",
                    env=env)  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert "A-CV-1: expiry-date 2029-12-05 disagrees with our clocks: the listing's last day is 2029-11-30" in (
        check.stdout.replace("\n", " ")
    )
    loaded = run_cli("assets", "import-register", str(published), "--council", "Demo Borough Council", env=env)
    assert loaded.returncode == 0 and "Loaded 1 new and updated 0 of 1 assets" in loaded.stdout
    out = tmp_path / "out.csv"
    exported = run_cli("assets", "export-register", "--council", "Demo Borough Council", "--out", str(out), env=env)
    assert exported.returncode == 0, exported.stderr
    (row,) = csv.DictReader(out.open())
    assert (row["reference"], row["decision-date"], row["expiry-date"]) == ("A-CV-1", "2024-12-01", "2029-11-30")
    broken = tmp_path / "broken.csv"
    broken.write_text("reference,name,organisation,decision-date\nA,B,local-authority:DMO,2024-02-30\n")
    failed = run_cli("assets", "import-register", str(broken), "--council", "Demo Borough Council", env=env)
    assert failed.returncode == 1 and "nothing imported: line 2, decision-date: '2024-02-30' is not a real date" in (
        failed.stderr.replace("\n", " ")
    )
