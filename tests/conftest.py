"""Shared fixtures. Engine tests need no database; others use pytest-django's `db`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("COMMONGROUND_SHARED", REPO.parent / "shared"))

# Checks against outside truth read the research material beside the repository (../shared): the
# national data pack, the pabulib elections, the published sortition outputs, the 360Giving schema.
# On a fresh clone it is absent, so those checks are skipped and counted; CI sets
# COMMONGROUND_REQUIRE_REFERENCE=1 and then a missing piece is a failure, never a skip.
REFERENCE = {
    "data": ("data/manifest.json", "the national data pack"),
    "pabulib": ("pabulib/Netherlands_Assen_2024.pb", "the 30 pabulib elections"),
    "sortition": ("sortition/replication_reference_output", "the published sortition outputs"),
    "standards": ("standards/360giving/360-giving-schema.json", "the 360Giving schema"),
}
REFERENCE_SKIP = "reference material missing:"
BRING_REFERENCE = "put the research pack at ../shared or point COMMONGROUND_SHARED at it (README, Tests)"


def reference_missing(kind: str) -> str | None:
    """Why the reference material `kind` cannot be read, or None when it is there."""
    relative, label = REFERENCE[kind]
    if (SHARED / relative).exists():
        return None
    return f"{label} is missing at {SHARED / relative}"


@pytest.fixture(scope="session")
def national_data() -> Path:
    """The national data pack; a test asking for it is marked `reference("data")` at collection."""
    return SHARED / "data"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "national_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.reference("data"))


def pytest_runtest_setup(item):
    """A test marked `reference(kind, ...)` runs only where that material is present (fails in CI if not)."""
    for marker in item.iter_markers("reference"):
        for kind in marker.args:
            why = reference_missing(kind)
            if why is None:
                continue
            if os.environ.get("COMMONGROUND_REQUIRE_REFERENCE") == "1":
                pytest.fail(f"{why}: CI needs ../shared ({BRING_REFERENCE})")
            pytest.skip(f"{REFERENCE_SKIP} {why}")


def pytest_terminal_summary(terminalreporter):
    """End the run by saying plainly how many checks against outside truth did not run, and how to run them."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and REFERENCE_SKIP in str(report.longrepr[2])
    ]
    if not skipped:
        return
    count_file = os.environ.get("COMMONGROUND_REFERENCE_COUNT")
    if count_file:
        with open(count_file, "a") as handle:
            handle.write(f"{len(skipped)}\n")
    terminalreporter.write_line(
        f"{len(skipped)} checks against outside truth did not run because ../shared is missing; to run them, "
        + BRING_REFERENCE,
        yellow=True,
    )


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


def run_cli(*args: str, env: dict | None = None, input: str | None = None, timeout: int = 300):
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


# Fields that hold personal data, by model (issue 19: the audit log must carry none of their values).
# Asset addresses and board members' names are not here: a building's address and a public office are
# published on purpose.
PERSONAL_DATA = {
    "accounts.User": ("email", "full_name"),
    "ballots.Elector": ("full_name", "address", "date_of_birth"),
    "budgeting.RollEntry": ("email",),
    "panels.Volunteer": ("person_id",),
    "notify.Notice": ("recipient_email", "recipient_name", "postal_address"),
    "assets.Nomination": ("contact_email",),
    "assets.BidRequest": ("contact_email",),
    "assets.BuyoutApplication": ("contact_email",),
    "neighbourhoods.VerificationRequest": ("full_name", "address", "postcode"),
}


def _identifying(value) -> str | None:
    """A value specific enough that finding it in a record means the record names a person. One-word
    names ("Officer", the fixtures' default) read as ordinary words, so a name counts from two words."""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value or "").strip()
    if "@" in text or (len(text) >= 8 and (" " in text or any(ch.isdigit() for ch in text))):
        return text
    return None


@pytest.fixture(autouse=True)
def _audit_holds_no_personal_data(request):
    """After every test that used the database, no audit record contains a value of a personal-data field:
    the whole suite's flows (ballot rolls, panels, sign-up, notices, ...) are the check's input."""
    if "db" not in request.fixturenames or "transactional_db" in request.fixturenames:
        yield
        return
    request.getfixturevalue("db")
    yield
    from django.apps import apps
    from django.db import connection

    from commonground.audit.models import AuditRecord

    if connection.closed_in_transaction:  # the worker's loop closes its connection at the end: nothing to read
        return

    records = [
        " ".join(str(part) for part in (r.actor_label, r.object_label, r.before, r.after))
        for r in AuditRecord.objects.all()
    ]
    if not records:
        return
    for label, fields in PERSONAL_DATA.items():
        model = apps.get_model(label)
        for row in model.objects.values_list(*fields):
            for field, value in zip(fields, row, strict=True):
                text = _identifying(value)
                leaked = text and next((r for r in records if text in r), None)
                assert not leaked, f"an audit record holds {label}.{field}: {leaked[:200]}"
