"""End to end in headless Chromium: nominate → list → disposal notice → bid request → moratorium shown."""

from __future__ import annotations

import datetime as dt

import pytest

from commonground.engine import clocks
from tests.e2e.conftest import OFFICER, create_account
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.e2e
ORGANISER = ("organiser-assets@example.org", "organiser passphrase 2026")


@pytest.fixture(scope="module")
def organiser(server, server_data_dir):
    return create_account(server_data_dir, ORGANISER, "Ola Organiser", "organiser")


def test_nominate_list_notice_bid_and_moratorium_shown(server, page, organiser):
    today = dt.date.today()
    sign_in(page, server, *organiser)
    page.goto(f"{server}/assets/")
    page.get_by_role("link", name="Nominate an asset").click()
    page.get_by_label("Council", exact=True).fill("Demo Borough Council")
    page.get_by_label("Name of the building or land").fill("The Red Lion")
    page.get_by_label("Address", exact=True).fill("1 High Street, Demoton")
    page.get_by_label("Postcode", exact=True).fill("DE1 1AA")
    page.get_by_label("Latitude (optional, for the map)").fill("52.5")
    page.get_by_label("Longitude (optional, for the map)").fill("-1.5")
    page.get_by_label("A building or land used by the community").check()
    page.get_by_label("How does its use further").fill("The village's only pub and meeting room.")
    page.get_by_label("It is used this way now").check()
    page.locator("input[name=furthers][value=social]").check()
    page.locator("input[name=realistic_future][value=yes]").check()
    page.get_by_label("Name of your group").fill("Friends of the Red Lion")
    page.get_by_label("Unincorporated group", exact=True).check()
    page.locator("input[name=local_connection][value=yes]").check()
    page.locator("input[name=distributes_surplus][value=no]").check()
    page.get_by_label("Unincorporated groups only").fill("12")
    page.get_by_label("Email address for notices").fill("friends@example.org")
    page.get_by_role("button", name="Send the nomination").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert "at least 21 members" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Unincorporated groups only").fill("34")
    page.get_by_role("button", name="Send the nomination").click()
    assert page.locator("h1").inner_text() == "The Red Lion"
    assert page.locator("#asset-status").inner_text().lower() == "nominated"
    asset_url = page.url

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, *OFFICER)
    page.goto(asset_url)
    page.get_by_role("link", name="Decide the nomination").click()
    page.get_by_label("List it as an asset of community value").check()
    page.get_by_label("Reasons", exact=True).fill("A well-used community pub.")
    page.get_by_label("Date of the decision").fill(today.isoformat())
    page.get_by_role("button", name="Record the decision").click()
    assert page.locator("#asset-status").inner_text().lower() == "listed"

    page.get_by_role("link", name="Record a disposal notice").click()
    page.get_by_label("Date the council received the owner's notice").fill(today.isoformat())
    page.get_by_label("Owner's name").fill("Big Brewery plc")
    page.get_by_role("button", name="Record the notice").click()
    assert page.locator("#asset-status").inner_text().lower() == "interim moratorium"

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, *organiser)
    page.goto(asset_url)
    page.get_by_role("link", name="Ask to be treated as a potential bidder").click()
    page.get_by_label("Name of your group").fill("Red Lion Community Pub Ltd")
    page.get_by_label("Co-operative or community benefit society", exact=True).check()
    page.locator("input[name=local_connection][value=yes]").check()
    page.locator("input[name=distributes_surplus][value=no]").check()
    page.get_by_label("Email address for notices").fill("bid@example.org")
    page.get_by_role("button", name="Send the request").click()

    full = clocks.full_moratorium(today)
    assert page.locator("#asset-status").inner_text().lower() == "full moratorium"
    clock_text = page.locator("#clocks").inner_text()
    assert f"Full moratorium ends in {full.days_left(today)} days" in clock_text
    assert full.last_day.strftime("%-d %B %Y") in clock_text

    page.goto(f"{server}/assets/")
    assert page.get_by_role("link", name="The Red Lion").is_visible()
    page.wait_for_selector("#assets-map[data-map-ready]")
    assert page.locator("#assets-map").get_attribute("data-map-ready") == "true"
