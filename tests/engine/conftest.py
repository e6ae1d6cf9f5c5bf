"""Engine tests: no database."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config, items):
    """Engine tests touch no database: run them once, in the SQLite pass."""
    for item in items:
        if "/tests/engine/" in str(item.fspath):
            item.add_marker(pytest.mark.sqlite)
