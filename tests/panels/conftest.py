"""Panels queue their long computations; tests run the real database worker to carry them out."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture
def run_worker(db):
    """Run every task waiting in the database queue, as `commonground worker --batch` does."""

    def run() -> None:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)

    return run
