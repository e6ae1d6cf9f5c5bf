"""A real `commonground serve` (gunicorn, SQLite, demo data) and a real headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("COMMONGROUND_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
OFFICER = ("officer@example.org", "officer passphrase 2026")
FUND_ADMIN = ("fund@example.org", "fund admin passphrase 2026")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli_env(data_dir: Path) -> dict:
    env = {**os.environ, "COMMONGROUND_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def create_account(data_dir: Path, account: tuple[str, str], name: str, role: str) -> tuple[str, str]:
    """Make an account in the server's database with the CLI, as an administrator would."""
    subprocess.run(
        [sys.executable, "-m", "commonground.cli", "users", "create", account[0], "--name", name,
         "--role", role, "--password-stdin"],
        env=_cli_env(data_dir), input=account[1] + "\n", text=True, check=True, capture_output=True,
    )  # fmt: skip
    return account


SERVER_DATA: list[Path] = []  # the running server's data directory, for reading the mail it writes


@pytest.fixture(scope="session")
def server_data_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("e2e-data")
    SERVER_DATA[:] = [directory]
    return directory


def confirmation_path(email: str, timeout: float = 30) -> str:
    """The path of the newest sign-up confirmation link sent to `email` (mail lands in the data directory's
    private outbox when no email backend is configured)."""
    import email as email_parser
    import re

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((SERVER_DATA[0] / "outbox").glob("*.eml"), reverse=True):
            message = email_parser.message_from_bytes(path.read_bytes())
            if email in message.get("To", ""):
                body = message.get_payload(decode=True).decode() if not message.is_multipart() else str(message)
                found = re.search(r"https?://[^/\s]+(/account/confirm/[^\s]+/)", body)
                if found:
                    return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no confirmation email to {email} in {SERVER_DATA[0] / 'outbox'}")


def serve(data_dir: Path, **extra_env: str):
    """Migrate, then run `commonground serve` (with its worker) on a free loopback port until the generator is
    closed; yields the base address. `extra_env` adds settings, e.g. COMMONGROUND_EMAIL_HOST for SMTP."""
    env = {**_cli_env(data_dir), **extra_env}
    subprocess.run([sys.executable, "-m", "commonground.cli", "migrate"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = Path(data_dir) / "server.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "commonground.cli", "serve", "--port", str(port)],
            env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240  # a busy 2-core machine can take minutes to start gunicorn
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health/", timeout=2) as response:  # noqa: S310  (loopback)
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"commonground serve did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=60)  # gunicorn's graceful 10 s, then the task worker's task in hand


@pytest.fixture(scope="session")
def server(server_data_dir):
    data_dir = server_data_dir
    env = _cli_env(data_dir)
    subprocess.run([sys.executable, "-m", "commonground.cli", "migrate"], env=env, check=True, capture_output=True)
    create_account(data_dir, OFFICER, "Olu Officer", "council_officer")
    create_account(data_dir, FUND_ADMIN, "Fen Fund", "fund_administrator")
    yield from serve(data_dir)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install the Debian package 'chromium'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()
