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
