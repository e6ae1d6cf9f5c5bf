"""A citizens' panel in Chromium: import the pool, publish the chances, hold the seeded draw."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import SHARED
from tests.e2e.conftest import OFFICER
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.e2e

FIXTURE = SHARED / "sortition" / "sortition_algorithms_fixture"


def test_import_select_draw(server, page):
    sign_in(page, server, *OFFICER)
    page.goto(f"{server}/panels/new/")
    title = f"Climate panel {uuid.uuid4().hex[:6]}"
    page.get_by_label("Panel name").fill(title)
    page.get_by_label("Purpose").fill("Advise the council on its climate plan.")
    page.get_by_label("Panel size").fill("22")
    page.get_by_label("Payment per day, in pounds").fill("100")
    page.get_by_label("Quotas (CSV)").set_input_files(str(FIXTURE / "features.csv"))
    page.get_by_label("Volunteer pool (CSV)").set_input_files(str(FIXTURE / "candidates.csv"))
    page.get_by_role("button", name="Import the pool").click()
    assert page.locator("h1").inner_text() == title
    assert "Imported 150 volunteers" in page.content()
    page.get_by_role("button", name="Compute and publish the chances").click()
    page.wait_for_selector("table.cg-chart-source[data-chart-ready=true]", timeout=60_000)
    assert "The least chance is 0.0909" in page.content()
    page.get_by_label("Public seed").fill("4 8 15 16 23 42")
    page.get_by_role("button", name="Draw the panel").click()
    assert page.get_by_role("heading", name="The panel drawn").is_visible()
    assert "Public seed 4 8 15 16 23 42" in page.locator("main").inner_text()
