"""End to end in headless Chromium against `commonground serve`: accounts, pages, accessibility."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import FUND_ADMIN, OFFICER, confirmation_path

pytestmark = pytest.mark.e2e
PASSWORD = "a long browser passphrase"


def sign_up(page, base: str, email: str, confirm: str = PASSWORD) -> None:
    """Create an account as a person does: the form, then the link in the confirmation email (read from the
    server's private outbox, where mail goes without configuration), then the confirm button."""
    page.goto(f"{base}/account/sign-up/")
    page.get_by_label("Full name").fill("Bea Browser")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(confirm)
    page.get_by_role("button", name="Create account").click()
    if page.locator(".govuk-error-summary").count():
        return
    page.goto(f"{base}{confirmation_path(email)}")
    page.get_by_role("button", name="Confirm and sign in").click()


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_up_sign_out_sign_in_and_browse(server, page):
    email = f"bea-{uuid.uuid4().hex[:8]}@example.org"
    sign_up(page, server, email)
    assert page.url == f"{server}/account/"
    assert page.locator("h1").inner_text() == "Your account"
    assert page.get_by_text(email).is_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()  # waits for the page after signing out

    sign_in(page, server, email, PASSWORD)
    assert page.locator("h1").inner_text() == "Your account"

    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "Community power, made practical"
    page.get_by_role("link", name="Demo Borough").first.click()
    assert page.locator("h1").inner_text().startswith("Demo Borough")
    page.get_by_role("link", name="Ashby Park").click()
    assert page.url == f"{server}/places/X05000001/"
    assert page.locator("h1").inner_text().startswith("Ashby Park")
    assert "demo data" in page.locator(".govuk-phase-banner").inner_text()


def test_search_to_ward_profile_draws_map_and_chart(server, page):
    page.goto(f"{server}/places/")
    page.get_by_label("Search by place name, postcode or code").fill("Brookfield")
    page.get_by_role("button", name="Search").click()
    page.locator("#search-results").get_by_role("link", name="Brookfield").click()
    assert page.url == f"{server}/places/X05000002/"
    assert "left-behind neighbourhood" in page.locator("#left-behind-status").inner_text()
    page.wait_for_selector("#area-map[data-map-ready=true]", timeout=15_000)
    assert page.locator("#area-map .leaflet-overlay-pane path").count() == 5  # the ward's five LSOAs
    page.wait_for_selector("table.cg-chart-source[data-chart-ready=true]", timeout=15_000)
    canvas = page.locator("figure.cg-chart canvas")
    assert canvas.count() == 1
    assert "Income" in canvas.get_attribute("aria-label") or "highest" in canvas.get_attribute("aria-label")
    box = canvas.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    # the chart really drew: some pixels on the canvas are the bar colour
    painted = page.evaluate(
        """() => { const c = document.querySelector('figure.cg-chart canvas');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0;
                   for (let i = 0; i < d.length; i += 4) {
                     if (d[i] === 29 && d[i + 1] === 112 && d[i + 2] === 184) n++;
                   }
                   return n; }"""
    )
    assert painted > 500


def test_forms_work_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    email = f"nojs-{uuid.uuid4().hex[:8]}@example.org"
    sign_up(page, server, email, confirm="not the same passphrase")
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Passwords do not match" in summary.inner_text()
    assert page.get_by_label("Full name").input_value() == "Bea Browser", "answers are kept"
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert page.url == f"{server}/account/sign-up/sent/"
    page.goto(f"{server}{confirmation_path(email)}")
    page.get_by_role("button", name="Confirm and sign in").click()
    assert page.url == f"{server}/account/"
    context.close()


PUBLIC_PAGES = ["/", "/places/", "/places/X09000001/", "/places/X05000001/", "/places/X01000001/",
                "/places/left-behind/", "/places/?q=brook",
                "/account/sign-up/", "/account/sign-in/", "/account/password-reset/", "/api-guide/", "/about/",
                "/accessibility/", "/places/NOT-A-CODE/"]  # fmt: skip
OFFICER_PAGES = ["/account/", "/account/people/", "/audit/", "/account/password/"]


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_main_pages_have_no_serious_accessibility_violations(server, page):
    blocked: list[str] = []  # the Content-Security-Policy allows no inline script or style: nothing may need one
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    problems: dict[str, list[str]] = {}
    for path in PUBLIC_PAGES:
        page.goto(server + path)
        assert page.locator("h1").count() == 1, path
        assert page.locator("html").get_attribute("lang") == "en"
        problems[path] = serious_violations(page)
    sign_up(page, server, "broken-address", confirm="nope")
    assert page.locator(".govuk-error-summary").is_visible()
    problems["sign-up with errors"] = serious_violations(page)
    sign_in(page, server, *OFFICER)
    for path in OFFICER_PAGES:
        page.goto(server + path)
        assert page.locator("h1").count() == 1, path
        problems[path] = serious_violations(page)
    page.goto(f"{server}/account/people/")
    page.get_by_role("link", name="Change roles for Olu Officer").click()
    problems["change roles"] = serious_violations(page)
    assert {path: found for path, found in problems.items() if found} == {}
    assert len(problems) == len(PUBLIC_PAGES) + len(OFFICER_PAGES) + 2
    assert blocked == []


def test_fund_administrator_creates_commits_and_pays_and_the_public_sees_it(server, page):
    sign_in(page, server, *FUND_ADMIN)
    page.goto(f"{server}/funds/")
    page.get_by_role("link", name="Create a fund").click()
    page.get_by_label("Fund name").fill("Browser Wealth Fund")
    page.get_by_label("Total to allocate, in pounds").fill("2000000")
    page.get_by_label("Start date").fill("2027-04-01")
    page.get_by_label("Years", exact=True).fill("10")
    page.get_by_label("Left-behind wards").check()
    page.get_by_label("Big Local").check()
    page.get_by_role("button", name="Preview the allocation").click()
    assert page.locator("#preview-count").inner_text() == "2"
    problems = serious_violations(page)
    page.get_by_role("button", name="Commit this allocation").click()
    assert page.url == f"{server}/funds/browser-wealth-fund/"
    assert "Allocation committed: 2 awards" in page.locator(".govuk-notification-banner").inner_text()
    page.wait_for_selector("#fund-map[data-map-ready=true]", timeout=15_000)
    assert page.locator("#fund-map .leaflet-overlay-pane path").count() == 2
    page.get_by_role("link", name="Brookfield").click()
    page.get_by_role("link", name="Record a payment or return").click()
    page.get_by_label("Amount, in pounds").fill("50000")
    page.get_by_label("Date", exact=True).fill("2027-05-01")
    page.get_by_role("button", name="Record", exact=True).click()
    assert page.locator("#award-paid").inner_text() == "£50,000"
    problems += serious_violations(page)
    page.get_by_role("link", name="Edit the community plan").click()
    page.locator("#priority-title").fill("A place for young people")
    page.get_by_role("button", name="Add priority").click()
    assert "A place for young people" in page.content()
    problems += serious_violations(page)
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{server}/funds/browser-wealth-fund/")
    assert "Why these places, and how much" in page.content()
    page.wait_for_selector("table.cg-chart-source[data-chart-ready=true]", timeout=15_000)
    problems += serious_violations(page)
    assert problems == []
