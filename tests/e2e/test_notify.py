"""End to end against `commonground serve`: mail goes to the private outbox and the worker `serve`
started sends due notices; no reset token reaches the server's log; the outbox pages are accessible."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest

from tests.e2e.conftest import OFFICER, _cli_env
from tests.e2e.test_browser import serious_violations, sign_in

pytestmark = pytest.mark.e2e


def _wait_for(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.3)
    return found


def test_a_reset_link_reaches_only_the_private_outbox_never_the_log(server, server_data_dir, page):
    log = server_data_dir / "server.log"
    assert f"Mail is not sent: it is written to {server_data_dir / 'outbox'}" in log.read_text()
    before = set((server_data_dir / "outbox").glob("*.eml")) if (server_data_dir / "outbox").exists() else set()
    page.goto(f"{server}/account/password-reset/")
    page.get_by_label("Email", exact=True).fill(OFFICER[0])
    page.get_by_role("button", name="Send link").click()
    written = _wait_for(lambda: set((server_data_dir / "outbox").glob("*.eml")) - before)
    assert len(written) == 1
    link = re.search(r"http://[^/\s]+(/account/password-reset/[^/\s]+/([^/\s]+)/)", written.pop().read_text())
    page.goto(server + link.group(1))
    assert page.locator("h1").inner_text() == "Choose a new password"
    time.sleep(1)  # let the access log line be written
    text = log.read_text()
    assert "/account/password-reset/" in text and link.group(2) not in text


def test_the_worker_sends_a_queued_notice_and_the_officer_sees_it(server, server_data_dir, page):
    env = _cli_env(server_data_dir)
    queued = subprocess.run([sys.executable, "-m", "commonground.cli", "notify", "test", "e2e@example.org"],
                            env=env, capture_output=True, text=True, check=True)  # fmt: skip
    number = int(re.search(r"Queued notice (\d+)", queued.stdout).group(1))

    def sent():
        listed = subprocess.run([sys.executable, "-m", "commonground.cli", "notify", "list", "--format", "json"],
                                env=env, capture_output=True, text=True, check=True)  # fmt: skip
        return any(n["id"] == number and n["status"] == "sent" for n in json.loads(listed.stdout))

    assert _wait_for(sent, 90)
    sign_in(page, server, *OFFICER)
    page.goto(f"{server}/notify/")
    row = page.locator(f"#notice-{number}")
    assert "Sent" in row.inner_text() and "e2e@example.org" in row.inner_text()
    assert serious_violations(page) == []
    page.goto(f"{server}/notify/letters/")
    assert page.locator("h1").inner_text() == "Letters to print"
    assert serious_violations(page) == []
