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


@pytest.fixture(scope="session")
def server_data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e-data")


@pytest.fixture(scope="session")
def server(server_data_dir):
    data_dir = server_data_dir
    env = _cli_env(data_dir)
    subprocess.run([sys.executable, "-m", "commonground.cli", "migrate"], env=env, check=True, capture_output=True)
    create_account(data_dir, OFFICER, "Olu Officer", "council_officer")
    create_account(data_dir, FUND_ADMIN, "Fen Fund", "fund_administrator")
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
    yield base
    process.terminate()
    process.wait(timeout=20)


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
