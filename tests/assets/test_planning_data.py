"""The register in planning.data.gov.uk's asset-of-community-value layout: export, import, and the report of
published dates that disagree with our clocks; row errors name line and field and store nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from commonground.assets import council_settings, planning_data, public_register, services
from commonground.assets.models import Asset, CaseEvent
from commonground.audit.models import AuditRecord
from commonground.engine.asset_status import Status

D = dt.date
HEADER = ",".join(planning_data.FIELDS)


def sheet(*rows: dict) -> list[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=planning_data.FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({"organisation": "local-authority:DMO", **row})
    return buffer.getvalue().splitlines(keepends=True)


GOOD = {
    "reference": "ACV-1",
    "name": "The Magdala",
    "address-text": "2a South Hill Park, London",
    "description": "Pub",
    "point": "POINT (-0.163 51.556)",
    "nomination-date": "2024-03-01",
    "nominating-group": "Friends of the Magdala",
    "decision": "successful",
    "decision-date": "2024-04-01",
    "expiry-date": "2029-03-31",
    "start-date": "2024-03-01",
}


@pytest.fixture
def council(db):
    council = council_settings.council_named("Demo Borough Council")
    return council_settings.set_council("test", council, organisation="local-authority:DMO")


def test_export_in_the_national_layout(listed, fixed_today):
    council_settings.set_council("test", listed.council, organisation="local-authority:DMO")
    with pytest.raises(services.AssetError, match="no planning.data organisation"):
        planning_data.export_csv(council_settings.council_named("Elsewhere"))
    text = planning_data.export_csv(Asset.objects.get(pk=listed.pk).council, D(2026, 3, 2))
    header, row = list(csv.DictReader(io.StringIO(text))), text.splitlines()[0]
    assert row == HEADER
    (entry,) = header
    assert (entry["reference"], entry["organisation"], entry["point"]) == (
        str(listed.pk), "local-authority:DMO", "POINT (-1.500000 52.500000)",
    )  # fmt: skip
    expected = ("successful", "2026-02-01", "2031-01-31")
    assert (entry["decision"], entry["decision-date"], entry["expiry-date"]) == expected
    assert (entry["nomination-date"], entry["start-date"], entry["nominating-group"]) == (
        "2026-01-05", "2026-01-05", "Friends of the Red Lion",
    )  # fmt: skip


def test_import_loads_entries_and_reports_dates_that_disagree(council, fixed_today):
    fixed_today["today"] = D(2026, 3, 2)
    rows = sheet(
        GOOD,
        {**GOOD, "reference": "ACV-2", "name": "Old Library", "expiry-date": "2029-05-01",  # not 5 years
         "notification-to-sell-date": "2026-01-10", "interested-group": "Library CIC",
         "protected-period-start-date": "2026-02-21"},  # the end of the interim moratorium, not its start
        {**GOOD, "reference": "ACV-3", "name": "Bowls Club", "decision-date": "2024-06", "expiry-date": "",
         "interested-group": "Bowls CIC"},  # truncated date; interest without a notice
        {**GOOD, "reference": "ACV-4", "name": "Chapel", "decision": "unsuccessful", "expiry-date": ""},
    )  # fmt: skip
    report = planning_data.import_register(rows, council, "officer", check_only=True)
    assert not Asset.objects.exists() and report.findings["ACV-1"] == []
    assert report.findings["ACV-2"][0].startswith(
        "expiry-date 2029-05-01 disagrees with our clocks: the listing's last day is 2029-03-31 (5 years beginning "
        "with decision-date 2024-04-01; Localism Act 2011 s.87(3)"
    )
    assert "protected-period-start-date 2026-02-21 disagrees" in report.findings["ACV-2"][1]
    assert "decision-date 2024-06 is truncated" in report.findings["ACV-3"][0]
    assert "without a notification-to-sell-date" in report.findings["ACV-3"][1]
    assert report.lines()[-1] == "Checked 4 assets; 2 with dates that disagree with our clocks"

    report = planning_data.import_register(rows, council, "officer")
    assert report.created == 4 and Asset.objects.count() == 4
    magdala, library = Asset.objects.get(reference="ACV-1"), Asset.objects.get(reference="ACV-2")
    assert (magdala.status, magdala.latitude, magdala.longitude) == (Status.LISTED, 51.556, -0.163)
    assert library.status == Status.FULL_MORATORIUM  # notice 2026-01-10, a group's interest: 6 months
    assert public_register.register_row(library, D(2026, 3, 2))["full_moratorium_last_day"] == "2026-07-09"
    assert Asset.objects.get(reference="ACV-3").status == Status.LISTED  # no full date: no timeline
    assert not CaseEvent.objects.filter(asset__reference="ACV-3").exists()
    assert Asset.objects.get(reference="ACV-4").status == Status.NOT_LISTED
    assert AuditRecord.objects.filter(action="assets.register_import").count() == 1
    exported = {r["reference"]: r for r in planning_data.export_rows(council, D(2026, 3, 2))}
    assert (exported["ACV-2"]["nominating-group"], exported["ACV-2"]["interested-group"]) == (
        "Friends of the Magdala", "Library CIC",
    )  # fmt: skip
    assert exported["ACV-2"]["protected-period-start-date"] == "2026-01-10"
    again = planning_data.import_register(rows, council, "officer")  # the same list again: updates, no new cases
    assert (again.created, again.updated, CaseEvent.objects.count()) == (0, 4, 5)


def test_row_errors_name_line_and_field_and_store_nothing(council):
    rows = sheet(
        GOOD,
        {**GOOD, "reference": "ACV-2", "decision-date": "2024-13-01"},
        {**GOOD, "reference": "ACV-3", "point": "POINT (530000 180000)"},
        {**GOOD, "reference": "ACV-1", "organisation": "local-authority:CMD"},
        {**GOOD, "reference": "ACV-5", "decision": "listed", "geometry": "LINESTRING (0 0, 1 1)"},
    )
    with pytest.raises(planning_data.RegisterImportError) as failed:
        planning_data.import_register(rows, council, "officer")
    assert failed.value.errors == [
        "line 3, decision-date: '2024-13-01' is not a real date",
        "line 4, point: 'POINT (530000 180000)' is not in England as WGS84 longitude and latitude (British National "
        "Grid is not accepted)",
        "line 5, reference: ACV-1 already on line 2",
        "line 5, organisation: local-authority:CMD is not Demo Borough Council (local-authority:DMO)",
        "line 6, decision: 'listed' should be successful, unsuccessful or empty",
        "line 6, geometry: not a WKT POLYGON or MULTIPOLYGON",
    ]
    assert not Asset.objects.exists()
    with pytest.raises(planning_data.RegisterImportError, match="no column 'organisation'"):
        planning_data.import_register(["reference,name\n", "A,B\n"], council)


def test_truncated_and_timestamped_dates_parse():
    assert planning_data.parse_date("2024").full is None and planning_data.parse_date("2024-06").month == 6
    assert planning_data.parse_date("2024-06-30T10:15:00Z").full == D(2024, 6, 30)
    with pytest.raises(ValueError, match="not a date"):
        planning_data.parse_date("30/06/2024")
