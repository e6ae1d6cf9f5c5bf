"""Engine tests: no database. Real-data tests read ../shared/data and fail loudly if it is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import SHARED


@pytest.fixture(scope="session")
def national_data() -> Path:
    path = Path(os.environ.get("COMMONGROUND_SHARED_DATA", SHARED / "data"))
    if not (path / "imd2019").is_dir():
        pytest.fail(f"the national data pack is missing at {path} (set COMMONGROUND_SHARED_DATA)")
    return path


def pytest_collection_modifyitems(config, items):
    """Engine tests touch no database: run them once, in the SQLite pass."""
    for item in items:
        if "/tests/engine/" in str(item.fspath):
            item.add_marker(pytest.mark.sqlite)
