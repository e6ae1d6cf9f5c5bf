"""Dashboards: comparisons computed right, every chart with its table, downloads, licensed data withheld,
the section registry, and the PDF report (text extracted and checked)."""

from __future__ import annotations

import base64
import io
import re
import time
import types

import pytest
from django.urls import reverse
from pypdf import PdfReader

from commonground.core import sections
from commonground.outcomes import dashboards, figures, framework, report
from commonground.places.models import Area, AreaValue, DataSet
from tests.conftest import run_cli

pytestmark = pytest.mark.django_db


def crime_values():
    return dict(
        AreaValue.objects.filter(measure__dataset__slug="demo-imd", measure__slug="crime_score",
                                 area__area_type__level="ward").values_list("area__code", "value")
    )  # fmt: skip


def test_comparisons_are_means_of_all_areas_and_demo_areas_have_no_deciles(demo):
    """Demo ranks are among 12 invented wards, so there are no national deciles to call areas similar by
    (the mini national pack checks the decile comparison: tests/places/test_current_geography.py)."""
    ward = Area.objects.get(code="X05000002")
    board = dashboards.area_dashboard(ward)
    crime = next(m for t in board["themes"] for m in t["measures"] if m["slug"] == "crime")
    values = crime_values()
    comparison = crime["comparison"]
    assert comparison["this_area"] == values["X05000002"]
    assert comparison["similar"] is None and comparison["similar_label"] is None
    assert comparison["england"] == pytest.approx(sum(values.values()) / len(values))
    assert comparison["england_label"] == "All demo areas of this type"
    assert comparison["region"] is None  # the demo borough has no region
    assert board["area"]["parent"] == {"code": "X09000001", "name": "Demo Borough"}


def test_ward_dashboard_page_has_tables_for_every_chart_and_downloads(client, demo):
    page = client.get(reverse("outcomes:area", args=["X05000002"]) + "?measure=crime")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<h1") == 1
    assert 'data-chart="line"' in html and 'data-chart="bar"' in html
    assert (
        'data-value-property="value"' in html
        and "/api/outcomes/areas/X05000002/map?type=ward-demo&amp;measure=crime" in html
    )
    assert "Download the State of the Neighbourhood report (PDF)" in html
    assert html.count('class="govuk-table') >= 9 + 2
    for slug in ("pb", "panels", "assets"):
        assert f'id="section-{slug}"' in html
    assert "Nothing recorded for this area yet." in html  # every section is provided now
    csv_text = client.get(reverse("outcomes:area-csv", args=["X05000002"])).content.decode()
    assert csv_text.splitlines()[0] == ",".join(figures.CSV_COLUMNS)
    assert f"X05000002,Brookfield,safety,crime,Crime,2019,{crime_values()['X05000002']!r}" in csv_text
    assert client.get(reverse("outcomes:area", args=["E99999999"])).status_code == 404


def test_nation_and_local_authority_dashboards(client, demo):
    nation = client.get(reverse("outcomes:nation")).content.decode()
    assert "Wellbeing dashboard: Demo data" in nation and "Left-behind wards" in nation
    la = dashboards.area_dashboard(Area.objects.get(code="X09000001"))
    left = next(s for s in la["sections"] if s["slug"] == "left-behind")
    assert left["summary"].startswith("2 of Demo Borough's wards are left behind")
    collection = dashboards.map_collection(Area.objects.get(code="X09000001"), dashboards.find_measure("crime"))
    assert len(collection["features"]) == 12


def test_licensed_figures_are_shown_but_not_republished(client, demo):
    DataSet.objects.filter(slug="demo-cni").update(is_third_party=True)
    page = client.get(reverse("outcomes:area", args=["X05000002"])).content.decode()
    assert "Connectedness (community need)" in page and "licensed" in page
    api = client.get("/api/outcomes/areas/X05000002/dashboard").json()
    connected = next(m for t in api["themes"] for m in t["measures"] if m["slug"] == "connectedness")
    assert connected["series"] == [] and connected["latest"] is None and connected["third_party"]
    assert "connectedness" not in client.get("/api/outcomes/areas/X05000002/dashboard.csv").content.decode()
    figures = client.get("/api/outcomes/measures/connectedness/figures").json()
    assert figures["withheld"] is True and figures["results"] == []


def test_etag_changes_when_the_data_changes(client, demo):
    first = client.get("/api/outcomes/areas/X05000002/dashboard")
    assert first["Cache-Control"] == "public, max-age=300"
    assert client.get("/api/outcomes/areas/X05000002/dashboard", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    framework.add_source("test", dashboards.find_measure("crime"), "survey-x", "crime", "2030")
    second = client.get("/api/outcomes/areas/X05000002/dashboard", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    body = second.json()
    assert body["licence"] == "Open Government Licence v3.0" and body["sources"][0]["licence"] == "CC0 1.0"


def test_an_app_can_plug_a_section_in(demo, monkeypatch):
    def pb_section(area):
        return {"summary": "1 process", "rows": [{"name": "Brookfield 2026", "spent": 12000}],
                "columns": [("name", "Process"), ("spent", "Spent (£)")]}  # fmt: skip

    plugin = types.SimpleNamespace(SECTIONS=[sections.Section("pb", "Participatory budgeting", 50, pb_section)])
    installed = sections.modules()
    monkeypatch.setattr(sections, "modules", lambda: (*installed, plugin))
    board = dashboards.area_dashboard(Area.objects.get(code="X05000002"))
    pb = next(s for s in board["sections"] if s["slug"] == "pb")
    assert pb["status"] == "ok" and pb["rows"][0]["spent"] == 12000
    assert [s["status"] for s in board["sections"] if s["slug"] in ("panels", "assets")] == [
        "empty",
        "empty",
    ]  # provided, nothing for this ward
    rows = figures.figure_rows(board)
    assert {"measure": "spent", "value": 12000, "kind": "pb", "comparison": "Brookfield 2026"}.items() <= next(
        r for r in rows if r["kind"] == "pb"
    ).items()


def test_state_of_the_neighbourhood_pdf(client, demo):
    started = time.perf_counter()
    response = client.get(reverse("outcomes:area-report", args=["X05000002"]))
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 3
    assert "State of the Neighbourhood:" in pages[0] and "Brookfield" in pages[0]
    board = dashboards.area_dashboard(Area.objects.get(code="X05000002"))
    text = "\n".join(pages)
    assert "8,523" in text  # population tile
    assert f"{crime_values()['X05000002']:.1f}" in text  # crime score, in the framework table
    assert "ranks 1 of 12" in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Sources: Demo Borough community need" in page
        assert f"Data version {board['data_version']}" in page
    for heading in (
        "Left-behind status",
        "Community Wealth Fund: awards and spend",
        "Panels held",
        "Assets listed and their clocks",
        "Participatory budgeting: processes and results",
    ):
        assert heading in text
    ward = Area.objects.get(code="X05000002")
    svg = base64.b64decode(report.map_svg(dashboards.map_collection(ward, dashboards.find_measure("crime")),
                                          "X05000002").split(",", 1)[1]).decode()  # fmt: skip
    assert svg.startswith("<?xml") and "<svg" in svg and len(re.findall(r"<path", svg)) >= 12  # one per ward at least
    assert elapsed < 30  # the real budget (5 s) is measured in benchmarks/, not asserted on a shared machine


@pytest.mark.sqlite
def test_report_command(tmp_path):
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path)}
    assert run_cli("init-demo", env=env).returncode == 0
    out = tmp_path / "brookfield.pdf"
    done = run_cli("report", "area", "X05000002", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout and "Brookfield" in done.stdout
    assert "Brookfield" in PdfReader(out).pages[0].extract_text()
    missing = run_cli("report", "area", "E99999999", "--out", str(out), env=env)
    assert missing.returncode == 1 and missing.stderr.startswith("Error: no ward or local authority has the code")
