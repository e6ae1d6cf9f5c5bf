"""Backup and restore keep every row exactly: the audit chain still verifies afterwards (issue 19)."""

from __future__ import annotations

import gzip
import json
import os
import stat

import pytest

from commonground.accounts.models import User
from commonground.audit import service as audit
from commonground.audit.models import AuditRecord
from commonground.core import backup
from tests.conftest import run_cli


@pytest.fixture
def busy(demo, make_user):
    """The demo, an account, and audit records whose timestamps carry microseconds."""
    make_user("someone@example.org")
    for i in range(3):
        audit.record("test", f"test.step{i}", after={"i": i})
    assert any(r.created_at.microsecond % 1000 for r in AuditRecord.objects.all())  # not whole milliseconds
    return backup.table_digests()


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_the_same_rows_and_a_verified_chain(busy, tmp_path):
    path = tmp_path / "cg.backup"
    counts = backup.backup(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert counts["audit_auditrecord"] == AuditRecord.objects.count() > 3
    with pytest.raises(backup.BackupError, match="already holds accounts"):
        backup.restore(path)
    restored = backup.restore(path, replace=True)
    assert restored == counts
    assert backup.table_digests() == busy
    assert audit.verify() == (counts["audit_auditrecord"], None)
    assert User.objects.get(email="someone@example.org").check_password("correct horse battery")


@pytest.mark.django_db(transaction=True)
def test_a_damaged_or_foreign_backup_is_refused_and_nothing_changes(busy, tmp_path):
    path = tmp_path / "cg.backup"
    backup.backup(path)
    with gzip.open(path, "rt") as handle:
        lines = handle.read().splitlines()
    cut = tmp_path / "cut.backup"
    with gzip.open(cut, "wt") as handle:
        handle.write("\n".join(lines[:-5]) + "\n")
    with pytest.raises(backup.BackupError, match="ends early"):
        backup.restore(cut, replace=True)
    other = tmp_path / "other.backup"
    header = json.loads(lines[0])
    with gzip.open(other, "wt") as handle:
        handle.write("\n".join([json.dumps({**header, "schema": {"audit": "0001_initial"}}), *lines[1:]]) + "\n")
    with pytest.raises(backup.BackupError, match="another version of the schema"):
        backup.restore(other, replace=True)
    (tmp_path / "junk").write_text("not a backup")
    with pytest.raises(backup.BackupError, match="not a Common Ground backup"):
        backup.restore(tmp_path / "junk", replace=True)
    assert backup.table_digests() == busy


@pytest.mark.sqlite
def test_commands_back_up_into_a_fresh_database(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    slow = 300  # each command migrates a fresh database first: minutes on a busy 2-core machine
    assert run_cli("init-demo", env={"COMMONGROUND_DATA_DIR": str(first)}, timeout=slow).returncode == 0
    made = run_cli(
        "backup", "--out", str(tmp_path / "cg.backup"), env={"COMMONGROUND_DATA_DIR": str(first)}, timeout=slow
    )
    assert made.returncode == 0, made.stderr
    restored = run_cli("restore", str(tmp_path / "cg.backup"), env={"COMMONGROUND_DATA_DIR": str(second)}, timeout=slow)
    assert restored.returncode == 0, restored.stderr
    verified = run_cli("audit", "verify", env={"COMMONGROUND_DATA_DIR": str(second)})
    assert verified.returncode == 0 and "Audit chain intact" in verified.stdout
    again = run_cli("restore", str(tmp_path / "cg.backup"), env={"COMMONGROUND_DATA_DIR": str(second)}, timeout=slow)
    assert again.returncode == 1 and again.stderr.startswith("Error: this database already holds accounts")
