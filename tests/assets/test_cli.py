"""`commonground assets remind` and `assets council` as a user runs them."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.sqlite


def test_council_ruleset_and_remind(tmp_path):
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path)}
    assert run_cli("migrate", env=env).returncode == 0
    result = run_cli("assets", "council", "Proposal Council", "--ruleset", "right-to-buy", env=env)
    assert result.returncode == 0, result.stderr
    assert "Proposal Council: new cases use right-to-buy" in result.stdout
    bad = run_cli("assets", "council", "X", "--ruleset", "nope", env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("Error: unknown rule set 'nope'")
    result = run_cli("assets", "remind", "--date", "2026-04-06", env=env)
    assert result.returncode == 0, result.stderr
    assert "Queued 0 reminders" in result.stdout
    bad = run_cli("assets", "remind", "--date", "2026-02-30", env=env)
    assert bad.returncode == 1 and "--date must be a real date" in bad.stderr
