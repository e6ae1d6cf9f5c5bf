"""The commands as an administrator runs them: `commonground worker` sends due notices with no cron job."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time

import pytest

from tests.conftest import run_cli
from tests.notify.servers import SmtpServer

pytestmark = pytest.mark.sqlite


def _env(tmp_path, **extra) -> dict:
    """The test's own data directory, and no mail settings from the environment the tests run in."""
    unset = dict.fromkeys(("COMMONGROUND_EMAIL_BACKEND", "COMMONGROUND_EMAIL_HOST", "COMMONGROUND_NOTIFY_API_KEY"), "")
    return {**unset, "COMMONGROUND_DATA_DIR": str(tmp_path), **extra}


def test_the_worker_started_by_serve_sends_a_due_notice(tmp_path):
    smtp = SmtpServer()
    env = _env(tmp_path, COMMONGROUND_EMAIL_HOST="127.0.0.1", COMMONGROUND_EMAIL_PORT=str(smtp.port),
               COMMONGROUND_NOTIFY_INTERVAL="0.5")  # fmt: skip
    assert run_cli("migrate", env=env).returncode == 0
    queued = run_cli("notify", "test", "officer@example.org", env=env)
    assert queued.returncode == 0, queued.stderr
    assert "Queued notice 1. Mail is sent by SMTP through 127.0.0.1" in queued.stdout
    full_env = {**os.environ, "COLUMNS": "250", **env}
    full_env.pop("DATABASE_URL", None)
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    worker = subprocess.Popen([sys.executable, "-m", "commonground.cli", "worker"], env=full_env,  # noqa: S603
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while not smtp.state.messages and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=60)[0].decode()
        smtp.close()
    assert [m.recipients for m in smtp.state.messages] == [["officer@example.org"]], output
    listed = json.loads(run_cli("notify", "list", "--format", "json", env=env).stdout)
    assert [(n["id"], n["status"], n["attempts"]) for n in listed] == [(1, "sent", 1)]


def test_send_due_and_list_with_the_default_private_outbox(tmp_path):
    env = _env(tmp_path)
    assert run_cli("migrate", env=env).returncode == 0
    assert run_cli("notify", "test", "someone@example.org", env=env).returncode == 0
    sent = run_cli("notify", "send-due", env=env)
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.strip() == "Sent 1; 0 to try again; 0 failed; 0 waiting for a daily limit"
    (written,) = (tmp_path / "outbox").iterdir()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600 and b"someone@example.org" in written.read_bytes()
    listing = run_cli("notify", "list", env=env).stdout
    assert "sent" in listing and "test: Common Ground test email" in listing
    bad = run_cli("notify", "list", "--status", "lost", env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("Error: --status must be one of queued")
    bad = run_cli("notify", "test", "not-an-address", env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("Error: 'not-an-address' is not an email address")
    bad = run_cli("notify", "send-due", "--at", "tomorrow", env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("Error: --at must be a date and time")
