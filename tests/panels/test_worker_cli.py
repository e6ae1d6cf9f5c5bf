"""`commonground worker --batch` in its own process carries out a selection queued from the web app."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import run_cli
from tests.material import practitioner_least_chance
from tests.panels.test_panels import FIXTURE

pytestmark = pytest.mark.sqlite

SETUP = textwrap.dedent(
    """
    import os, sys, django
    os.environ["DJANGO_SETTINGS_MODULE"] = "commonground.settings"
    django.setup()
    from commonground.accounts.models import User
    from commonground.panels import services, tasks
    from commonground.panels.models import Job, Panel
    if sys.argv[1] == "queue":
        user = User.objects.create_user(email="o@example.org", password="a long password here")
        panel = services.create_panel(user, title="Worker panel", purpose="Test", size=22, payment_per_day_pence=0,
            quotas_csv=open(sys.argv[2]).read(), pool_csv=open(sys.argv[3]).read(), household_columns="")
        tasks.start_job(user, panel, Job.SELECTION)
    panel = Panel.objects.get()
    print(panel.status, panel.job or "-", round(panel.min_probability or 0, 6))
    """
)


def _django(tmp_path, *args: str) -> str:
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", SETUP, *args], capture_output=True, text=True, env=env, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_worker_batch_publishes_a_queued_selection_and_exits(tmp_path):
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path)}
    assert run_cli("migrate", env=env).returncode == 0
    queued = _django(tmp_path, "queue", str(FIXTURE / "features.csv"), str(FIXTURE / "candidates.csv"))
    assert queued == "draft select 0"
    result = run_cli("worker", "--batch", env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert _django(tmp_path, "show") == f"selected - {round(practitioner_least_chance(), 6)}"  # as the engine gives
    again = run_cli("worker", "--batch", env=env)  # nothing waiting: it exits at once
    assert again.returncode == 0
