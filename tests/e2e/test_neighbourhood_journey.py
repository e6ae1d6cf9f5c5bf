"""Issue 18's whole journey in headless Chromium against `commonground serve`, with mail sent by SMTP to a server
on loopback: an officer of Demo Borough makes a neighbourhood from the left-behind list and sets up its board; a
resident signs up and asks to be verified, and is told by email when the officer verifies them; the board's chair
writes and publishes the plan with its engagement log; a PB round runs in the neighbourhood and the verified
resident votes; its winners appear on the plan's delivery list and on the neighbourhood's page. Axe finds no
serious or critical problem on the pages on the way."""

from __future__ import annotations

import datetime as dt
import email
import re
import subprocess
import sys
import time

import pytest

from tests.e2e.conftest import _cli_env, serve
from tests.e2e.test_browser import serious_violations, sign_in
from tests.notify.servers import SmtpServer

pytestmark = pytest.mark.e2e
OFFICER = ("olu@demo-borough.example", "officer passphrase for the journey")
CHAIR = ("cleo@example.org", "chair passphrase for the journey")
RESIDENT = "rae@example.org"
PASSWORD = "resident passphrase for the journey"
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory, smtp):
    data_dir = tmp_path_factory.mktemp("journey")
    mail = {"COMMONGROUND_EMAIL_HOST": "127.0.0.1", "COMMONGROUND_EMAIL_PORT": str(smtp.port),
            "COMMONGROUND_NOTIFY_INTERVAL": "1"}  # fmt: skip
    running = serve(data_dir, **mail)
    base = next(running)
    env = {**_cli_env(data_dir), **mail}
    for (address, password), name, scope in ((OFFICER, "Olu Officer", ["--scope", "council:X09000001"]),
                                             (CHAIR, "Cleo Chair", [])):  # fmt: skip
        role = "council_officer" if scope else "resident"
        subprocess.run(
            [sys.executable, "-m", "commonground.cli", "users", "create", address, "--name", name, "--role", role,
             *scope, "--password-stdin"],
            env=env, input=password + "\n", text=True, check=True, capture_output=True,
        )  # fmt: skip
    yield base
    running.close()


def mail_to(smtp, address: str, containing: str, timeout: float = 60) -> str:
    """The text of the newest message to `address` with `containing` in it, caught by the SMTP server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(smtp.state.messages):
            if address in message.recipients:
                parsed = email.message_from_bytes(message.data)
                parts = parsed.walk() if parsed.is_multipart() else [parsed]
                text = "\n".join(p.get_payload(decode=True).decode() for p in parts if p.get_content_type() ==
                                 "text/plain")  # fmt: skip
                if containing in text or containing in (parsed["Subject"] or ""):
                    return text
        time.sleep(0.3)
    raise AssertionError(f"no mail to {address} with {containing!r}: {[m.recipients for m in smtp.state.messages]}")


def test_a_neighbourhood_from_the_left_behind_list_to_its_delivered_projects(site, smtp, browser):  # noqa: PLR0915
    officer = browser.new_context().new_page()
    chair = browser.new_context().new_page()
    resident = browser.new_context().new_page()
    problems: dict[str, list[str]] = {}

    def check(page, name: str) -> None:
        problems[name] = serious_violations(page)

    # An officer finds Brookfield on the left-behind list and makes it a neighbourhood.
    sign_in(officer, site, *OFFICER)
    officer.goto(f"{site}/places/left-behind/")
    officer.locator("#left-behind-table").get_by_role("link", name="Brookfield").click()
    officer.get_by_role("link", name="Make a neighbourhood of Brookfield (council officers)").click()
    assert officer.get_by_label("Ward code").input_value() == "X05000002"
    officer.get_by_label("Name", exact=True).fill("Brookfield")
    officer.get_by_role("button", name="Create neighbourhood").click()
    assert officer.locator("h1").inner_text() == "Brookfield"
    hood = officer.url.rstrip("/").rsplit("/", 1)[1]
    check(officer, "the new neighbourhood's page")

    # Its board: the chair (with an account) seated, the membership published.
    officer.get_by_role("link", name="Set up the board").click()
    officer.get_by_label("Name of the board").fill("Brookfield Neighbourhood Board")
    officer.get_by_role("button", name="Save").click()
    officer.goto(f"{site}/neighbourhoods/{hood}/board/members/new/")
    officer.get_by_label("Full name").fill("Cleo Chair")
    officer.get_by_label("Independent chair").check()
    officer.get_by_label("Term starts").fill((TODAY - dt.timedelta(days=10)).isoformat())
    officer.get_by_label("Email address of their Common Ground account (optional)").fill(CHAIR[0])
    officer.get_by_role("button", name="Save").click()
    officer.get_by_role("button", name="Publish the membership").click()
    assert "Cleo Chair" in officer.locator("main").inner_text()
    check(officer, "the board")

    # A resident signs up (the confirmation link comes by SMTP) and asks to be verified.
    resident.goto(f"{site}/account/sign-up/")
    resident.get_by_label("Full name").fill("Rae Resident")
    resident.get_by_label("Email address").fill(RESIDENT)
    resident.get_by_label("Create a password").fill(PASSWORD)
    resident.get_by_label("Confirm your password").fill(PASSWORD)
    resident.get_by_role("button", name="Create account").click()
    link = re.search(r"https?://[^/\s]+(/account/confirm/\S+/)", mail_to(smtp, RESIDENT, "/account/confirm/"))
    resident.goto(site + link.group(1))
    resident.get_by_role("button", name="Confirm and sign in").click()
    resident.goto(f"{site}/neighbourhoods/{hood}/")
    resident.get_by_role("link", name="Ask to be verified as a resident").click()
    resident.get_by_role("button", name="Ask to be verified").click()  # empty: errors, nothing stored
    assert resident.locator(".govuk-error-summary").is_visible()
    check(resident, "asking to be verified, with errors")
    resident.get_by_label("Full name").fill("Rae Resident")
    resident.get_by_label("Address", exact=True).fill("1 Mill Street, Brookfield")
    resident.get_by_label("Postcode").fill("XX2 1DH")
    resident.get_by_label("By email").check()
    resident.get_by_role("button", name="Ask to be verified").click()
    assert "Your request to be verified for Brookfield is in" in resident.locator("main").inner_text()

    # The officer sees the request waiting, records the evidence seen and verifies; the resident is emailed.
    officer.goto(f"{site}/neighbourhoods/{hood}/")
    officer.get_by_role("link", name="Residents waiting to be verified").click()
    check(officer, "the verification queue")
    queue = officer.locator("main").inner_text()
    assert "Rae Resident" in queue and "XX2 1DH" in queue, queue
    officer.locator("#verification-queue").get_by_role("link", name=re.compile("Check and decide")).click()
    officer.locator("input[name=evidence]").first.check()
    officer.get_by_label("Verify: they live in the neighbourhood").check()
    check(officer, "deciding a verification")
    officer.get_by_role("button", name="Save the decision").click()
    told = mail_to(smtp, RESIDENT, "You are verified as a resident of Brookfield")
    assert f"/neighbourhoods/{hood}/" in told

    # The chair writes the plan, logs the engagement that shaped it, approves and publishes it.
    sign_in(chair, site, *CHAIR)
    chair.goto(f"{site}/neighbourhoods/{hood}/plan/manage/")
    chair.get_by_role("link", name="Write the vision").click()
    chair.get_by_label("Title").fill("Brookfield 2036")
    chair.get_by_label("Vision statement (optional)").fill("A place young people want to stay.")
    chair.get_by_role("button", name="Save").click()
    chair.get_by_role("link", name="Add an objective").click()
    chair.get_by_label("Objective", exact=True).fill("Places for young people")
    chair.locator("input[name=strategic]").first.check()
    chair.get_by_role("button", name="Save").click()
    chair.get_by_role("link", name="Add money").click()
    chair.get_by_label("Capital (£)").fill("50,000")
    chair.get_by_role("button", name="Add").click()
    chair.get_by_role("link", name="Record engagement").click()
    chair.get_by_label("Resident forum").check()
    chair.get_by_label("Date", exact=True).fill((TODAY - dt.timedelta(days=5)).isoformat())
    chair.get_by_label("Where").fill("Brookfield library")
    chair.get_by_label("How many people took part").fill("42")
    chair.get_by_label("What people said").fill("Somewhere for young people to meet")
    check(chair, "recording engagement")
    chair.get_by_role("button", name="Save").click()
    chair.goto(f"{site}/neighbourhoods/{hood}/plan/manage/")
    chair.get_by_role("link", name="Record the board's approval").click()
    chair.get_by_label("I approve it as the chair").check()
    chair.get_by_label("Date you approved it (if as the chair)").fill(TODAY.isoformat())
    chair.get_by_role("button", name="Approve").click()
    chair.get_by_role("button", name="Publish version 1").click()
    chair.goto(f"{site}/neighbourhoods/{hood}/plan/")
    assert "Brookfield 2036" in chair.locator("main").inner_text()
    check(chair, "the published plan")
    chair.goto(f"{site}/neighbourhoods/{hood}/engagement/")
    assert "Somewhere for young people to meet" in chair.locator("main").inner_text()
    check(chair, "the engagement log")

    # A PB round in the neighbourhood: ideas, review, a vote by the verified resident, results.
    officer.goto(f"{site}/budgeting/new/")
    officer.get_by_label("Name of the process").fill("Brookfield Decides")
    officer.get_by_label("Area code (optional)").fill("X05000002")
    officer.get_by_label("Neighbourhood (optional)").select_option(hood)
    officer.get_by_label("Budget, in whole pounds").fill("20000")
    officer.get_by_label("Approval: tick the projects you support").check()
    officer.get_by_label("Method of Equal Shares").check()
    officer.get_by_label("Verified residents (accounts checked by the council)").check()
    officer.get_by_role("button", name="Create the process").click()
    process = officer.url.rstrip("/").rsplit("/", 1)[1]
    officer.get_by_role("button", name="Move to: Collecting ideas").click()
    for title, cost in (("Youth radio", "8000"), ("Skate park", "12000")):
        resident.goto(f"{site}/budgeting/{process}/")
        resident.get_by_role("link", name="Propose an idea").click()
        resident.get_by_label("Name your idea").fill(title)
        resident.get_by_label("Describe it in one sentence").fill(f"{title} for Brookfield")
        resident.get_by_label("Roughly what would it cost, in whole pounds?").fill(cost)
        resident.get_by_role("button", name="Send your idea").click()
    for title in ("Youth radio", "Skate park"):
        officer.goto(f"{site}/budgeting/{process}/")
        officer.get_by_role("link", name=f"Review {title}").click()
        officer.get_by_label("Yes: it is legal").check()
        officer.get_by_role("button", name="Save the review").click()
    officer.get_by_role("button", name="Move to: Council review").click()
    officer.get_by_role("button", name="Move to: Voting").click()
    resident.goto(f"{site}/budgeting/{process}/")
    resident.get_by_role("link", name="Vote", exact=True).click()
    resident.get_by_label("Youth radio (£8,000)").check()
    resident.get_by_label("Skate park (£12,000)").check()
    resident.get_by_label("I am 16 or older and live in the area").check()
    resident.get_by_role("button", name="Cast my vote").click()
    assert resident.locator("h1").inner_text() == "Your vote is recorded"
    officer.goto(f"{site}/budgeting/{process}/")
    officer.get_by_role("button", name="Move to: Results").click()
    officer.goto(f"{site}/budgeting/{process}/results/")
    assert officer.get_by_test_id("summary").inner_text().startswith("2 projects funded")

    # The winners are on the plan's delivery list and on the neighbourhood's page (the hub).
    resident.goto(f"{site}/neighbourhoods/{hood}/plan/")
    plan_text = resident.locator("main").inner_text()
    assert "Youth radio" in plan_text and "Skate park" in plan_text
    check(resident, "the plan with its delivery list")
    resident.goto(f"{site}/neighbourhoods/{hood}/")
    delivery = resident.locator("#delivery-table").inner_text()
    assert "Youth radio" in delivery and "Skate park" in delivery
    decisions = resident.locator("#decisions-table").inner_text()
    assert "Brookfield Decides" in decisions and "PB round" in decisions
    assert "You are a verified resident of Brookfield" in resident.locator("main").inner_text()
    check(resident, "the neighbourhood's page with its delivered projects")
    hub = resident.request.get(f"{site}/api/neighbourhoods/{hood}/hub").json()
    assert {d["title"] for d in hub["delivery"]} >= {"Youth radio", "Skate park"}

    assert {name: found for name, found in problems.items() if found} == {}
