"""Shared fixtures. Engine tests need no database; others use pytest-django's `db`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Templates resolve {% static %} without a collectstatic manifest during tests."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def make_user(db):
    from commonground.accounts.models import RoleGrant, User
    from commonground.accounts.roles import Role

    def make(
        email: str = "resident@example.org",
        roles: tuple[Role, ...] = (),
        password: str = "correct horse battery",  # noqa: S107  (test fixture)
    ):
        user = User.objects.create_user(email=email, password=password, full_name=email.split("@")[0].title())
        for role in roles:
            RoleGrant.objects.get_or_create(user=user, role=role)
        return user

    return make


@pytest.fixture
def demo(db):
    from commonground.places import demo as demo_module

    return demo_module.load()


def run_cli(*args: str, env: dict | None = None, input: str | None = None, timeout: int = 120):
    """Run the installed `commonground` command as a user would, in a separate process."""
    full_env = {**os.environ, "COLUMNS": "250", **(env or {})}
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    if "DATABASE_URL" not in (env or {}):
        full_env.pop("DATABASE_URL", None)  # each command gets its own SQLite file, never the test database
    return subprocess.run(
        [sys.executable, "-m", "commonground.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=timeout,
    )
