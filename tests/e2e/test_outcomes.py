"""Outcome dashboards in headless Chromium: the trend and comparison charts and the measure map are drawn,
the measure chooser works, and the pages pass axe."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import OFFICER
from tests.e2e.test_browser import serious_violations, sign_in

pytestmark = pytest.mark.e2e


def test_ward_dashboard_draws_charts_and_map(server, page):
    page.goto(f"{server}/outcomes/areas/X05000002/")
    assert page.locator("h1").inner_text().startswith("Wellbeing dashboard: Brookfield")
    page.wait_for_selector("#trend-table[data-chart-ready=true]", timeout=15_000)
    page.wait_for_selector("#comparison-table[data-chart-ready=true]", timeout=15_000)
    page.wait_for_selector("#outcomes-map[data-map-ready=true]", timeout=15_000)
    assert page.locator("canvas").count() == 2
    assert page.locator("#outcomes-map .leaflet-overlay-pane path").count() == 12  # the borough's wards
    assert page.locator("#outcomes-map-legend li").count() >= 2
    problems = serious_violations(page)

    page.get_by_label("Show another measure on the charts and the map").select_option("crime")
    page.get_by_role("button", name="Show", exact=True).click()
    assert page.url.endswith("measure=crime#measure")
    assert page.locator("#measure").inner_text() == "Crime"
    page.wait_for_selector("#outcomes-map[data-map-ready=true]", timeout=15_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Every figure as CSV").click()
    assert download.value.suggested_filename == "X05000002-dashboard.csv"
    assert (
        page.get_by_role("link", name="Download the State of the Neighbourhood report (PDF)")
        .get_attribute("href")
        .endswith("/outcomes/areas/X05000002/report.pdf?type=ward-demo")
    )
    assert problems == []


def test_outcome_pages_have_no_serious_accessibility_violations(server, page):
    problems = {}
    for path in ["/outcomes/", "/outcomes/areas/X09000001/", "/outcomes/framework/", "/outcomes/measures/crime/"]:
        page.goto(server + path)
        assert page.locator("h1").count() == 1, path
        if path != "/outcomes/framework/" and "measures" not in path:
            page.wait_for_selector(".cg-map[data-map-ready=true]", timeout=15_000)
        problems[path] = serious_violations(page)
    sign_in(page, server, *OFFICER)
    for path in ["/outcomes/measures/new/", "/outcomes/measures/crime/change/", "/outcomes/signals/new/"]:
        page.goto(server + path)
        assert page.locator("h1").count() == 1, path
        problems[path] = serious_violations(page)
    page.get_by_role("button", name="Record signal").click()
    assert page.locator(".govuk-error-summary").is_visible()
    problems["signal with errors"] = serious_violations(page)
    assert {path: found for path, found in problems.items() if found} == {}
