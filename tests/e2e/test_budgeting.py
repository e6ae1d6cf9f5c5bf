"""A PB process in headless Chromium: an officer sets it up, a resident proposes, the officer reviews
and prints voting codes, people vote with codes (one online, one at the event kiosk), and the
public reads the results with the chart drawn and the replay command."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.conftest import OFFICER
from tests.e2e.test_browser import serious_violations, sign_in, sign_up

pytestmark = pytest.mark.e2e
IDEAS = [("Community garden", "20000"), ("Youth club nights", "15000"), ("Benches on the green", "5000")]


def test_propose_review_vote_with_code_and_results(server, browser):
    officer = browser.new_context().new_page()
    resident = browser.new_context().new_page()
    voter = browser.new_context().new_page()
    problems: list[str] = []

    sign_in(officer, server, *OFFICER)
    officer.goto(f"{server}/budgeting/")
    officer.get_by_role("link", name="Set up a process").click()
    officer.get_by_label("Name of the process").fill("Browser Decides")
    officer.get_by_label("Area code (optional)").fill("X05000002")
    officer.get_by_label("Budget, in whole pounds").fill("30000")
    officer.get_by_label("Approval: tick the projects you support").check()
    officer.get_by_label("Method of Equal Shares").check()
    officer.get_by_label("Holders of one-time voting codes", exact=True).check()
    officer.get_by_role("button", name="Create the process").click()
    assert officer.url == f"{server}/budgeting/browser-decides/"
    problems += serious_violations(officer)
    officer.get_by_role("button", name="Move to: Collecting ideas").click()
    assert officer.get_by_test_id("phase").inner_text() == "Collecting ideas"

    sign_up(resident, server, f"ideas-{uuid.uuid4().hex[:8]}@example.org")
    resident.goto(f"{server}/budgeting/browser-decides/")
    for title, cost in IDEAS:
        resident.get_by_role("link", name="Propose an idea").click()
        resident.get_by_label("Name your idea").fill(title)
        resident.get_by_label("Describe it in one sentence").fill(f"{title} for Brookfield")
        resident.get_by_label("Roughly what would it cost, in whole pounds?").fill(cost)
        resident.get_by_role("button", name="Send your idea").click()
        assert "The council will check your idea" in resident.content()
        resident.goto(f"{server}/budgeting/browser-decides/")
    problems += serious_violations(resident)

    for title, _ in IDEAS:
        officer.goto(f"{server}/budgeting/browser-decides/")
        officer.get_by_role("link", name=f"Review {title}").click()
        officer.get_by_label("Yes: it is legal").check()
        officer.get_by_role("button", name="Save the review").click()
        assert "Review saved: On the ballot" in officer.content()
    officer.get_by_role("button", name="Move to: Council review").click()
    officer.get_by_role("button", name="Move to: Voting").click()
    assert officer.get_by_test_id("phase").inner_text() == "Voting"

    officer.get_by_role("link", name="Make voting codes").click()
    officer.get_by_label("How many codes?").fill("5")
    officer.get_by_role("button", name="Make the codes").click()
    codes = [c.strip() for c in officer.get_by_test_id("codes").locator("code").all_inner_texts()]
    assert len(codes) == 5 and all(re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){2}", c) for c in codes)

    voter.goto(f"{server}/budgeting/browser-decides/")
    voter.get_by_role("link", name="Vote", exact=True).click()
    voter.get_by_role("button", name="Cast my vote").click()  # empty: errors, nothing stored
    assert voter.locator(".govuk-error-summary").is_visible()
    problems += serious_violations(voter)
    voter.get_by_label("Voting code").fill(codes[0])
    voter.get_by_label("Community garden (£20,000)").check()
    voter.get_by_label("Benches on the green (£5,000)").check()
    voter.get_by_label("I am 16 or older and live in the area").check()
    voter.get_by_role("button", name="Cast my vote").click()
    assert voter.locator("h1").inner_text() == "Your vote is recorded"
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){2}", voter.get_by_test_id("receipt").inner_text())
    problems += serious_violations(voter)

    officer.goto(f"{server}/budgeting/browser-decides/")
    officer.get_by_role("button", name="Start the event kiosk on this device").click()
    assert officer.url == f"{server}/budgeting/browser-decides/kiosk/"
    assert officer.get_by_role("link", name="Sign in").is_visible()  # the kiosk is signed out
    assert officer.get_by_test_id("turnout").inner_text() == "1"
    for code in codes[1:3]:
        officer.get_by_label("Voting code").fill(code)
        officer.get_by_label("Youth club nights (£15,000)").check()
        officer.get_by_label("I am 16 or older and live in the area").check()
        officer.get_by_role("button", name="Cast my vote").click()
        assert "Ballot cast" in officer.locator(".govuk-notification-banner").inner_text()
    assert officer.get_by_test_id("turnout").inner_text() == "3"
    officer.get_by_label("Voting code").fill(codes[0])  # already used online
    officer.get_by_label("Youth club nights (£15,000)").check()
    officer.get_by_label("I am 16 or older and live in the area").check()
    officer.get_by_role("button", name="Cast my vote").click()
    assert "already been cast" in officer.locator(".govuk-error-summary").inner_text()
    problems += serious_violations(officer)

    sign_in(officer, server, *OFFICER)  # signing in again ends kiosk mode
    assert officer.goto(f"{server}/budgeting/browser-decides/kiosk/").status == 403
    officer.goto(f"{server}/budgeting/browser-decides/")
    officer.get_by_role("button", name="Move to: Results").click()
    voter.goto(f"{server}/budgeting/browser-decides/")
    voter.get_by_role("link", name="See the results").click()
    summary = voter.get_by_test_id("summary").inner_text()
    # Equal Shares: £10,000 each; benches (£5,000 from one voter) and youth nights (£7,500 from each of two)
    # are bought; the garden needs £20,000 from its one supporter, and add1 would overspend before that.
    assert summary == "2 projects funded, costing £20,000 of the £30,000 budget (£10,000 left over)."
    voter.wait_for_selector("table.cg-chart-source[data-chart-ready=true]", timeout=15_000)
    assert voter.locator("canvas").count() >= 1
    assert voter.get_by_test_id("replay").inner_text() == "commonground pb tally browser-decides.pb --rule equal-shares"
    problems += serious_violations(voter)
    assert problems == []
