"""A full resident ballot in headless Chromium: setup, roll, codes, votes, count, report."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import OFFICER, create_account
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.e2e
SCRUTINEER = ("scrutineer@example.org", "independent body passphrase 2026")
LONDON = ZoneInfo("Europe/London")
WINDOW_SECONDS = 100  # voting closes this long after setup: the count can only open after the close


@pytest.fixture(scope="session")
def scrutineer_account(server, server_data_dir):
    """The independent body's account, made with the CLI in the server's own data directory."""
    return create_account(server_data_dir, SCRUTINEER, "Ivy Independent", "scrutineer")


def test_full_ballot_setup_roll_vote_count_report(server, browser, scrutineer_account):
    officer = browser.new_context().new_page()
    sign_in(officer, server, *OFFICER)
    officer.goto(f"{server}/ballots/")
    officer.get_by_role("link", name="Set up a ballot").click()
    now = dt.datetime.now(LONDON)
    closes = now + dt.timedelta(seconds=WINDOW_SECONDS)
    officer.get_by_label("Ballot name").fill("Hillside estate ballot")
    officer.get_by_label("Estate", exact=True).fill("Hillside")
    officer.get_by_label("Question").fill("Are you in favour of the proposal for the regeneration of Hillside?")
    officer.get_by_label("Voting opens").fill(f"{now - dt.timedelta(minutes=1):%Y-%m-%d %H:%M:%S}")
    officer.get_by_label("Voting closes").fill(f"{closes:%Y-%m-%d %H:%M:%S}")
    officer.get_by_label("Independent body").select_option(label="Ivy Independent (scrutineer@example.org)")
    officer.get_by_label("Landlord Offer title").fill("Hillside Landlord Offer")
    officer.get_by_label("Landlord Offer", exact=True).fill("A new home for every tenant at the same rent.")
    officer.get_by_label("Offer published on").fill(f"{now:%Y-%m-%d}")
    officer.get_by_role("button", name="Set up the ballot").click()
    assert "shorter than the 3 weeks" in officer.locator(".govuk-error-summary").inner_text()
    officer.get_by_label("Yes, the voting window is meant to be shorter than 3 weeks").check()
    officer.get_by_role("button", name="Set up the ballot").click()
    assert officer.locator("h1").inner_text() == "Hillside estate ballot"
    ballot_url = officer.url
    officer.context.close()

    body = browser.new_context().new_page()
    sign_in(body, server, *scrutineer_account)
    body.goto(ballot_url)
    body.get_by_role("link", name="The roll, codes and marking voters").click()
    for name, born in [("Ada Tenant", "1960-02-03"), ("Ben Tenant", "1985-07-08"), ("Cat Tenant", "1999-11-12")]:
        body.get_by_role("link", name="Add a person").click()
        body.get_by_label("Full name").fill(name)
        body.get_by_label("Address on the estate").fill(f"{name.split()[0]}'s flat, Hillside")
        body.get_by_label("Date of birth").fill(born)
        body.get_by_label("Social tenant named on a tenancy").check()
        body.get_by_label("Qualifying date").fill("2015-04-01")
        body.get_by_label("Evidence").fill("Tenancy agreement seen")
        body.get_by_role("button", name="Add to the roll").click()
    assert body.locator("table").first.locator("tbody tr").count() == 3
    body.get_by_role("button", name="Issue voting codes").click()
    codes = body.locator("#codes td.cg-code").all_inner_texts()
    assert len(codes) == 3 and all(len(c.replace("-", "")) == 20 for c in codes)

    voter = browser.new_context().new_page()
    for code, choice in zip(codes, ["Yes", "Yes", "No"], strict=True):
        voter.goto(ballot_url + "vote/")
        assert "A new home for every tenant" in voter.locator("main").inner_text()
        voter.get_by_label(choice, exact=True).check()
        voter.get_by_label("Your voting code").fill(code)
        voter.get_by_role("button", name="Cast my vote").click()
        assert voter.locator("h1").inner_text() == "Your vote has been recorded"
    voter.goto(ballot_url + "vote/")
    voter.get_by_label("No", exact=True).check()
    voter.get_by_label("Your voting code").fill(codes[0])
    voter.get_by_role("button", name="Cast my vote").click()
    assert "already been recorded" in voter.locator(".govuk-error-summary").inner_text()
    assert voter.request.get(ballot_url + "result/").status == 404

    body.goto(ballot_url)
    assert body.get_by_role("button", name="Open the count").count() == 0  # voting still open
    time.sleep(max(0.0, (closes - dt.datetime.now(LONDON)).total_seconds() + 1))
    body.goto(ballot_url)
    body.get_by_role("button", name="Open the count").click()
    assert body.locator("h1").inner_text() == "Result: Hillside estate ballot"
    assert body.locator("#result-majority").inner_text().startswith("Yes, by a simple majority")
    assert body.locator("#result-turnout").inner_text() == "100.0%"
    body.locator("canvas").first.wait_for()  # the chart drawn from the table
    pdf = body.request.get(ballot_url + "report.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    papers = voter.request.get(ballot_url + "papers.json").json()
    assert sorted(p["vote"] for p in papers["papers"]) == ["No", "Yes", "Yes"]
    voter.context.close()
    body.context.close()
