"""Shaping public services in headless Chromium: a council records a decision, the assessment shows the two
left-behind neighbourhoods it touches, a neighbourhood board responds, the council answers, and the
assessment is on the public register; the new pages pass axe with no Content-Security-Policy violations."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from tests.e2e.conftest import OFFICER, _cli_env
from tests.e2e.test_browser import serious_violations, sign_in

pytestmark = pytest.mark.e2e
BOARD = ("board-services@example.org", "board passphrase 2026")
TITLE = "Open the Brookfield and Larkrise libraries four days a week, not six"


def _neighbourhood(data_dir, name: str, ward: str) -> str:
    made = subprocess.run(
        [sys.executable, "-m", "commonground.cli", "neighbourhoods", "create", "--name", name, "--ward", ward],
        env=_cli_env(data_dir), text=True, check=True, capture_output=True,
    )  # fmt: skip
    return made.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def places(server, server_data_dir):
    """Two neighbourhoods drawn from the demo borough's two left-behind wards, and a board member of one."""
    brookfield = _neighbourhood(server_data_dir, "Brookfield Libraries Area", "X05000002")
    larkrise = _neighbourhood(server_data_dir, "Larkrise Libraries Area", "X05000012")
    subprocess.run(
        [sys.executable, "-m", "commonground.cli", "users", "create", BOARD[0], "--name", "Bea Board",
         "--role", "board_member", "--scope", f"neighbourhood:{brookfield}", "--password-stdin"],
        env=_cli_env(server_data_dir), input=BOARD[1] + "\n", text=True, check=True, capture_output=True,
    )  # fmt: skip
    return {"brookfield": brookfield, "larkrise": larkrise}


def _csp_watch(page) -> list[str]:
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    return blocked


def test_a_council_decision_touches_two_left_behind_neighbourhoods_a_board_responds_and_the_council_answers(
    server, page, places
):
    blocked = _csp_watch(page)
    problems: dict[str, list[str]] = {}
    sign_in(page, server, *OFFICER)
    page.goto(f"{server}/impact/")
    page.get_by_role("link", name="Record a decision under consideration").click()
    page.get_by_role("button", name="Save the draft").click()  # nothing filled in: the error summary
    assert page.locator(".govuk-error-summary").is_visible()
    problems["record with errors"] = serious_violations(page)
    page.get_by_label("Public body making the decision").select_option(label="Demo Borough Council")
    page.get_by_label("Decision under consideration").fill(TITLE)
    page.get_by_label("What is proposed and why").fill("Save £60,000 a year across two branch libraries.")
    page.get_by_label("Wards it covers (optional)").fill("X05000002, X05000012")
    page.get_by_label("Review date").fill((dt.date.today() + dt.timedelta(days=365)).isoformat())
    page.get_by_role("button", name="Save the draft").click()

    assert page.locator("h1").inner_text() == TITLE
    rows = page.locator("#neighbourhoods tbody tr")
    for name in ("Brookfield Libraries Area", "Larkrise Libraries Area"):
        row = rows.filter(has_text=name)
        assert row.count() == 1 and "Left behind" in row.inner_text()
    assert "left-behind neighbourhood" in page.locator("#where ~ .govuk-warning-text").first.inner_text()
    assert page.locator("#wards tbody tr").count() == 2
    page.wait_for_selector("#impact-map[data-map-ready=true]", timeout=15_000)
    assert page.locator("#impact-map .leaflet-overlay-pane path").count() == 10
    problems["draft"] = serious_violations(page)

    page.get_by_role("link", name="Record an impact").click()
    page.get_by_label("Where").select_option(label="Larkrise Libraries Area (neighbourhood)")
    page.get_by_label("Who is affected").select_option(label="Age")
    page.get_by_label("Negative").check()
    page.get_by_label("The impact").fill("Older residents lose a warm, free place two days a week.")
    page.get_by_label("Mitigation").fill("A home library service on the closed days.")
    problems["impact form"] = serious_violations(page)
    page.get_by_role("button", name="Record the impact").click()
    page.get_by_role("link", name="Publish version 1").click()
    page.get_by_role("button", name="Publish version 1").click()
    assert "Published" in page.locator("#status").inner_text()
    record_url = page.url.split("#")[0]
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, server, *BOARD)
    page.goto(record_url)
    page.get_by_role("link", name="Respond to this assessment").click()
    page.get_by_label("Your response").fill("The board asks you to keep Saturday mornings: that is when families come.")
    page.get_by_label("The board of Brookfield Libraries Area").check()
    problems["respond"] = serious_violations(page)
    page.get_by_role("button", name="Publish my response").click()
    response = page.locator(".govuk-summary-card").filter(has_text="keep Saturday mornings")
    assert "Bea Board, for the board of Brookfield Libraries Area" in response.inner_text()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, server, *OFFICER)
    page.goto(record_url)
    page.get_by_role("link", name="Answer: you said, we did").click()
    page.get_by_label("What the body did").fill(
        "We kept Saturday mornings and close on Mondays and Wednesdays instead."
    )
    page.get_by_role("button", name="Publish the answer").click()
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{server}/impact/")
    page.get_by_label("Words or reference").fill("libraries four days")
    page.get_by_role("button", name="Search").click()
    page.locator("#register").get_by_role("link", name=TITLE).click()
    answered = page.locator(".govuk-summary-card").filter(has_text="keep Saturday mornings").inner_text()
    assert "Demo Borough Council answered" in answered and "close on Mondays and Wednesdays" in answered
    page.wait_for_selector("#impact-map[data-map-ready=true]", timeout=15_000)
    problems["published record"] = serious_violations(page)
    page.goto(f"{server}/impact/")
    page.wait_for_selector("#impact-register-map[data-map-ready=true]", timeout=15_000)
    assert page.locator("#register").get_by_role("link", name=TITLE).is_visible()
    problems["register"] = serious_violations(page)
    assert {where: found for where, found in problems.items() if found} == {}
    assert blocked == []


def test_spending_and_procurement_pages_pass_axe(server, page, places):
    blocked = _csp_watch(page)
    problems = {}
    for path in ["/spending/", "/spending/places/X05000002/", f"/spending/neighbourhoods/{places['brookfield']}/",
                 "/procurement/", "/procurement/missions/", "/bodies/"]:  # fmt: skip
        page.goto(server + path)
        assert page.locator("h1").count() == 1, path
        if page.locator(".cg-map").count():
            page.wait_for_selector(".cg-map[data-map-ready]", timeout=15_000)
        problems[path] = serious_violations(page)
    sign_in(page, server, *OFFICER)
    for path in ["/spending/import/", "/spending/pools/new/", "/procurement/new/", "/impact/reviews/", "/bodies/new/"]:
        page.goto(server + path)
        assert page.locator("h1").count() == 1, path
        problems[path] = serious_violations(page)
    page.goto(f"{server}/procurement/new/")
    page.get_by_label("Social value weight, %").fill("10")
    page.get_by_role("button", name="Set up the tender").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert "The weights must add up to 100%" in page.locator(".govuk-error-summary").inner_text()
    problems["tender with errors"] = serious_violations(page)
    assert {where: found for where, found in problems.items() if found} == {}
    assert blocked == []
