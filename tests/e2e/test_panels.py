"""A citizens' panel in Chromium: import the pool, publish the chances, hold the seeded draw, record
replies and draw a replacement."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import OFFICER
from tests.e2e.test_browser import sign_in
from tests.material import practitioner_least_chance, practitioner_pool

pytestmark = pytest.mark.e2e

FIXTURE = practitioner_pool()


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
    # The worker computes in the background; the page polls its progress and reloads when it is done.
    page.wait_for_selector("table.cg-chart-source[data-chart-ready=true]", timeout=60_000)
    assert f"The least chance is {practitioner_least_chance():.4f}" in page.content()
    page.get_by_label("Public seed").fill("4 8 15 16 23 42")
    page.get_by_role("button", name="Draw the panel").click()
    assert page.get_by_role("heading", name="The panel drawn").is_visible()
    assert "Public seed 4 8 15 16 23 42" in page.locator("main").inner_text()

    # Replies, then a replacement draw. Some single seats cannot be refilled within the quotas (the
    # page says so); the organiser then tries the next member, as they would for real.
    replies = page.locator("table", has_text="Members invited to the panel")
    for row in range(22):
        replies.get_by_role("link", name="Record reply").nth(row).click()
        page.get_by_label("Declined").check()
        page.get_by_role("button", name="Save the reply").click()
        page.get_by_role("button", name="Compute the replacement chances").click()
        page.wait_for_selector("[data-testid=job-progress]", state="detached", timeout=60_000)
        if page.get_by_role("heading", name="Hold replacement draw 1").count():
            break
        assert "nobody left in the pool can fill the seats" in page.content()
        replies.get_by_role("link", name="Record reply").nth(row).click()
        page.get_by_label("Confirmed").check()
        page.get_by_role("button", name="Save the reply").click()
    page.get_by_label("Public seed").fill("1 2 3 4 5 6")
    page.get_by_role("button", name="Draw the replacements").click()
    main = page.locator("main").inner_text()
    assert "The replacements have been drawn" in main and "Public seed 1 2 3 4 5 6 picked ticket" in main


def test_quotas_suggested_from_a_demo_ward(server, page):
    sign_in(page, server, *OFFICER)
    page.goto(f"{server}/panels/new/")
    page.get_by_label("Area code").fill("X05000003")
    page.get_by_label("Members the quotas are for").fill("20")
    page.get_by_role("button", name="Suggest quotas").click()
    quotas = page.get_by_label("Quotas", exact=True).input_value()
    assert quotas.startswith("feature,value,min,max\nage_band,16-64,") and "\nsex,female," in quotas
    assert page.locator("#id_size").input_value() == "20" and page.locator("#id_area").input_value() == "X05000003"
