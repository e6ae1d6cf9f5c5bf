"""Money into decisions and delivery (issue 20) in headless Chromium: an officer imports the council's
developer-contributions files, works out the neighbourhood portion of CIL and makes it a pot; a PB round
draws £60,000 from it with a 50/25/25 ring-fence; residents apply; a panel scores them (one member
recused); residents vote with codes; the winners keep every ring-fence; a delivery update carries a photo;
the grants publish as valid 360Giving. Every new page is checked with axe."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import uuid

import pytest

from tests.conftest import REPO
from tests.e2e.conftest import OFFICER, _cli_env, create_account
from tests.e2e.test_browser import serious_violations, sign_in, sign_up
from tests.fund.test_fund import validate_360giving
from tests.money import image

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.reference("standards"),
    pytest.mark.skipif(
        importlib.util.find_spec("commonground.engine.pb.constrained") is None,
        reason="the ring-fence engine (commonground.engine.pb.constrained) is not installed",
    ),
]
FIXTURES = REPO / "tests" / "contributions" / "fixtures"
SLUG = "brookfield-people-powered"
# (title, who leads it, cost): the shortlist can keep 50/25/25 of £60,000 only by funding exactly these five.
APPLICATIONS = [
    ("Food bank van", "A voluntary, community or faith group", 18_000),
    ("Lunch club", "A voluntary, community or faith group", 12_000),
    ("Pocket park", "Residents", 15_000),
    ("Youth radio", "Young people", 10_000),
    ("Skate jam", "Young people", 5_000),
    ("Tool library", "Residents", 9_000),
]


def move_on(page, server: str, to: str) -> None:
    page.goto(f"{server}/budgeting/{SLUG}/")
    page.get_by_role("button", name=f"Move to: {to}").click()
    assert page.get_by_test_id("phase").inner_text() == to, page.locator(".govuk-notification-banner").all_inner_texts()


def score_all(page, server: str, marks: dict[str, str]) -> None:
    """Score every application the member may (each criterion the same mark)."""
    for title, mark in marks.items():
        page.goto(f"{server}/budgeting/{SLUG}/scoring/")
        page.get_by_role("link", name=re.compile(f"^(Score it|Change your scores) ?: {title}$")).click()
        for fieldset in page.locator("form fieldset").all():
            fieldset.get_by_label(mark, exact=True).check()
        page.get_by_role("button", name="Save the scores").click()
        assert f"Scores saved for {title}" in page.content()


def test_contributions_to_pot_to_ring_fenced_pb_to_delivery(server, server_data_dir, browser, tmp_path):
    problems: dict[str, list[str]] = {}
    blocked: list[str] = []
    officer = browser.new_context().new_page()
    officer.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    subprocess.run([sys.executable, "-m", "commonground.cli", "neighbourhoods", "create", "--name", "Brookfield",
                    "--ward", "X05000002"], env=_cli_env(server_data_dir), check=True, capture_output=True)  # fmt: skip
    sign_in(officer, server, *OFFICER)

    # Developer contributions in the national standard -> the neighbourhood portion of CIL -> a pot.
    officer.goto(f"{server}/contributions/X09000001/import/")
    problems["import form"] = serious_violations(officer)
    files = (("Developer agreements", "developer-agreement"), ("Contributions", "developer-agreement-contribution"),
             ("Transactions", "developer-agreement-transaction"))  # fmt: skip
    for label, name in files:
        officer.get_by_label(label, exact=True).set_input_files(str(FIXTURES / f"{name}.csv"))
    officer.get_by_role("button", name="Import the files").click()
    assert "Imported: 4 agreements added" in officer.content()
    problems["council contributions"] = serious_violations(officer)
    officer.goto(f"{server}/contributions/X09000001/deadlines/")
    assert "DAC-001" in officer.get_by_test_id("clocks").inner_text()
    problems["spend-by dates"] = serious_violations(officer)
    officer.goto(f"{server}/contributions/X09000001/zones/new/")
    officer.get_by_label("Name of the zone").fill("Brookfield")
    officer.get_by_label("Wards (GSS codes)").fill("X05000002")
    officer.get_by_label("Neighbourhood (optional)").select_option("brookfield")
    officer.get_by_role("button", name="Set up the zone").click()
    assert officer.get_by_test_id("portion-2025").inner_text() == "£67,500"
    assert "Reg 59F" in officer.get_by_test_id("explanation").inner_text()
    problems["zone"] = serious_violations(officer)
    officer.get_by_role("button", name=re.compile("^Make a pot")).click()
    assert officer.get_by_test_id("amount").inner_text() == "£67,500"
    problems["pot"] = serious_violations(officer)

    # A PB round for the neighbourhood, drawing £60,000 from the pot, ring-fenced 50/25/25.
    officer.goto(f"{server}/budgeting/new/")
    officer.get_by_label("Name of the process").fill("Brookfield People Powered")
    officer.get_by_label("Area code (optional)").fill("X05000002")
    officer.get_by_label("Neighbourhood (optional)").select_option("brookfield")
    officer.get_by_label("People apply with a form").check()
    officer.get_by_label("Priorities applications must serve (optional)").fill("Young people stay\nA busy high street")
    officer.get_by_label("Budget, in whole pounds").fill("1")
    officer.get_by_label("Approval: tick the projects you support").check()
    officer.get_by_label("Method of Equal Shares").check()
    officer.get_by_label("Holders of one-time voting codes", exact=True).check()
    officer.get_by_role("button", name="Create the process").click()
    assert officer.url == f"{server}/budgeting/{SLUG}/"
    officer.get_by_role("link", name="Money from pots").click()
    officer.get_by_label("How much of it, in whole pounds?").fill("60000")
    officer.get_by_role("button", name="Set the money aside").click()
    assert officer.get_by_test_id("budget").inner_text().startswith("£60,000 from Brookfield: neighbourhood CIL")
    officer.get_by_role("link", name="Ring-fences").click()
    for n, (whose, share) in enumerate((("vcfs", "50"), ("resident", "25"), ("youth", "25")), start=1):
        officer.get_by_label(f"Ring-fence {n}: whose projects").select_option(whose)
        officer.get_by_label(f"Ring-fence {n}: at least, per cent of the budget").fill(share)
    problems["ring-fences form"] = serious_violations(officer)
    officer.get_by_role("button", name="Save the ring-fences").click()
    assert (
        "At least 25% of the £60,000 (£15,000) goes to youth-led projects."
        in officer.get_by_test_id("fences").inner_text()
    )
    officer.get_by_role("link", name="Scoring criteria").click()
    officer.get_by_label("Criterion 1", exact=True).fill("Serves a priority")
    officer.get_by_label("Criterion 1: weight").fill("60")
    officer.get_by_label("Criterion 2 (optional)", exact=True).fill("Can be delivered")
    officer.get_by_label("Criterion 2: weight").fill("40")
    officer.get_by_role("button", name="Publish the criteria").click()
    panel = [create_account(server_data_dir, (f"panel{n}-{uuid.uuid4().hex[:6]}@example.org", "panel passphrase 2026"),
                            f"Panel Member {n}", "resident") for n in (1, 2)]  # fmt: skip
    officer.get_by_role("link", name="Scoring panel").click()
    for email, _ in panel:
        officer.get_by_label("Email address of the panel member's account").fill(email)
        officer.get_by_role("button", name="Add to the panel").click()
    problems["panel"] = serious_violations(officer)
    move_on(officer, server, "Collecting ideas")
    problems["process page"] = serious_violations(officer)

    # Applications to the published form.
    applicant = browser.new_context().new_page()
    sign_up(applicant, server, f"applicant-{uuid.uuid4().hex[:8]}@example.org")
    for title, kind, cost in APPLICATIONS:
        applicant.goto(f"{server}/budgeting/{SLUG}/")
        applicant.get_by_role("link", name="Apply for funding").click()
        applicant.get_by_label("Name of the project").fill(title)
        applicant.get_by_label("Describe it in one sentence").fill(f"{title} for Brookfield")
        applicant.get_by_label(kind, exact=True).check()
        if kind.startswith("A voluntary"):
            applicant.get_by_label("Name of your group (if a group applies)").fill(f"{title} group")
        applicant.get_by_label("Young people stay").check()
        applicant.get_by_label("Budget line 1: what it buys", exact=True).fill("Everything")
        applicant.get_by_label("Budget line 1: cost in whole pounds").fill(f"{cost:,}")
        if title == "Food bank van":
            problems["application form"] = serious_violations(applicant)
        applicant.get_by_role("button", name="Send the application").click()
        assert "Your application is in" in applicant.content(), applicant.locator(
            ".govuk-error-summary"
        ).all_inner_texts()
    move_on(officer, server, "Scoring applications")

    # The panel scores: the first member declares an interest in the van and cannot score it.
    first, second = browser.new_context().new_page(), browser.new_context().new_page()
    sign_in(first, server, *panel[0])
    first.goto(f"{server}/budgeting/{SLUG}/scoring/")
    problems["scoring list"] = serious_violations(first)
    first.get_by_role("link", name="Declare an interest in Food bank van").click()
    first.get_by_label("What is your interest?").fill("I drive for the food bank")
    first.get_by_role("button", name="Declare the interest").click()
    van = first.get_by_role("link", name="Food bank van", exact=True).get_attribute("href")
    first.goto(server + van.replace("/proposals/", "/scoring/"))
    assert "so you cannot score it" in first.content()
    marks = {t: ("1" if t == "Tool library" else "4") for t, _, _ in APPLICATIONS}
    score_all(first, server, {t: m for t, m in marks.items() if t != "Food bank van"})
    problems["score form"] = serious_violations(first)
    sign_in(second, server, *panel[1])
    score_all(second, server, marks)
    officer.goto(f"{server}/budgeting/{SLUG}/moderation/")
    problems["moderation"] = serious_violations(officer)
    move_on(officer, server, "Council review")
    officer.get_by_role("link", name="The panel's scores and the shortlist").click()
    scores = officer.get_by_test_id("scores").inner_text()
    assert "1 declared an interest and did not score" in scores and "Panel Member" not in scores
    problems["scores"] = serious_violations(officer)
    move_on(officer, server, "Voting")

    # The vote, with codes.
    officer.get_by_role("link", name="Make voting codes").click()
    officer.get_by_label("How many codes?").fill("3")
    officer.get_by_role("button", name="Make the codes").click()
    codes = [c.strip() for c in officer.get_by_test_id("codes").locator("code").all_inner_texts()]
    voter = browser.new_context().new_page()
    for code, choice in zip(
        codes, (["Food bank van", "Youth radio", "Skate jam"], ["Pocket park"], ["Lunch club"]), strict=True
    ):
        voter.goto(f"{server}/budgeting/{SLUG}/vote/")
        assert "goes to resident-led projects." in voter.get_by_test_id("fences").inner_text()
        voter.get_by_label("Voting code").fill(code)
        for title in choice:
            voter.get_by_label(re.compile(f"^{title} \\(£")).check()
        voter.get_by_label("I am 16 or older and live in the area").check()
        if code == codes[0]:
            problems["ballot"] = serious_violations(voter)
        voter.get_by_role("button", name="Cast my vote").click()
        assert voter.locator("h1").inner_text() == "Your vote is recorded"
    move_on(officer, server, "Results")

    # Winners within every ring-fence.
    voter.goto(f"{server}/budgeting/{SLUG}/results/")
    fences = voter.get_by_test_id("fences").inner_text()
    assert fences.count("Yes") == 3 and "No" not in fences.split("Kept", 1)[1]
    assert "5 projects funded, costing £60,000 of the £60,000 budget" in voter.get_by_test_id("summary").inner_text()
    assert "--constraints brookfield-people-powered-ring-fences.toml" in voter.get_by_test_id("replay").inner_text()
    problems["results"] = serious_violations(voter)

    # A delivery update with a photo (its location stripped), public on the record and the neighbourhood page.
    photo = tmp_path / "van.jpg"
    photo.write_bytes(image("JPEG", size=(320, 240), gps=True))
    officer.goto(f"{server}/budgeting/{SLUG}/results/")
    officer.get_by_role("link", name=re.compile("^Not started, 0% done ?: Food bank van$")).click()
    officer.get_by_role("link", name="Post an update").click()
    officer.get_by_label("In progress").check()
    officer.get_by_label("Progress, per cent done").fill("40")
    officer.get_by_label("Spent so far, in pounds").fill("5,000")
    officer.get_by_label("What has happened?").fill("The van is bought and on the road.")
    officer.get_by_label("A photo (optional)").set_input_files(str(photo))
    officer.get_by_label("What does the photo show? (needed with a photo)").fill("The new van outside the hall")
    problems["delivery update form"] = serious_violations(officer)
    officer.get_by_role("button", name="Publish the update").click()
    picture = officer.get_by_alt_text("The new van outside the hall")
    assert picture.is_visible() and picture.evaluate("img => img.naturalWidth") == 320
    assert officer.get_by_test_id("status").inner_text() == "In progress"
    problems["delivery record"] = serious_violations(officer)
    voter.goto(f"{server}/neighbourhoods/brookfield/")
    assert "Funded: Food bank van (in progress, 40% done)" in voter.content()

    # The grants as 360Giving, valid against the official schema, with ward codes.
    data = voter.request.get(f"{server}/pots/360giving.json").json()
    van_grant = next(g for g in data["grants"] if g["title"] == "Food bank van")
    assert van_grant["beneficiaryLocation"][0]["geoCode"] == "X05000002"
    assert van_grant["beneficiaryLocation"][0]["geoCodeType"] == "WD"
    validate_360giving(data)

    assert {page: found for page, found in problems.items() if found} == {}
    assert blocked == []
