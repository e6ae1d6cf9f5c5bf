"""Signed checkpoints catch what the chain alone cannot: a rewritten chain and a truncated log (issue 19)."""

from __future__ import annotations

import json
import os
import stat

import pytest
from django.db import connection

from commonground.audit import chain, checkpoints, service
from commonground.audit.models import AuditRecord
from tests.conftest import run_cli


@pytest.fixture
def key(tmp_path, monkeypatch):
    path = tmp_path / "keys" / "audit.pem"
    monkeypatch.setenv("COMMONGROUND_AUDIT_KEY", str(path))
    checkpoints.make_key(path)
    return path


@pytest.fixture
def five(db):
    return [service.record("test", f"test.step{i}", before={"i": i}, after={"i": i + 1}) for i in range(5)]


def _rewrite_from(seq: int, new_after: dict) -> None:
    """What an attacker with write access to the table does: change one record and re-hash every later one
    with the project's own function, so the chain checks out again."""
    rows = list(AuditRecord.objects.order_by("seq").values())
    prev = rows[seq - 2]["hash"] if seq > 1 else chain.GENESIS_HASH
    with connection.cursor() as cursor:
        for row in rows[seq - 1 :]:
            if row["seq"] == seq:
                row["after"] = new_after
            entry = AuditRecord(**row)
            entry.prev_hash = prev
            entry.hash = chain.record_hash(prev, entry.as_chain_dict())
            cursor.execute(
                "UPDATE audit_auditrecord SET after = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [json.dumps(row["after"]), entry.prev_hash, entry.hash, row["seq"]],
            )
            prev = entry.hash


def test_the_key_is_private_and_never_overwritten(key):
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    with pytest.raises(checkpoints.CheckpointError, match="never overwritten"):
        checkpoints.make_key(key)


@pytest.mark.sqlite  # the rewrite needs raw UPDATEs, which PostgreSQL's trigger refuses
def test_a_rewritten_chain_passes_alone_but_not_against_a_checkpoint(key, five, tmp_path):
    point = tmp_path / "cp.json"
    point.write_text(service.checkpoint().as_json())
    _rewrite_from(2, {"i": 99})
    assert service.verify() == (5, None)  # the chain alone is fooled
    count, problems = service.verify_against([point])
    assert count == 5 and problems == [f"{point}: record 5 changed since {json.loads(point.read_text())['time']}: "
                                       "the log was rewritten"]  # fmt: skip


@pytest.mark.sqlite
def test_a_truncated_log_is_caught(key, five, tmp_path):
    point = tmp_path / "cp.json"
    point.write_text(service.checkpoint().as_json())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE seq > 3")
    assert service.verify() == (3, None)
    _, problems = service.verify_against([point])
    assert problems == [
        f"{point}: record 5 is missing: the log was truncated after it was checkpointed (3 records now)"
    ]


def test_an_altered_or_foreign_checkpoint_is_refused(key, five, tmp_path):
    point = tmp_path / "cp.json"
    good = json.loads(service.checkpoint().as_json())
    point.write_text(json.dumps({**good, "seq": 4}))
    assert service.verify_against([point])[1] == [
        f"{point}: the signature does not match its statement (the file was altered)"
    ]
    point.write_text(json.dumps(good))
    assert service.verify_against([point], trusted_fingerprint="0" * 16)[1] == [
        f"{point}: signed by key {good['key_fingerprint']}, not the trusted key 0000000000000000"
    ]
    assert service.verify_against([point], trusted_fingerprint=good["key_fingerprint"]) == (5, [])


def test_checkpoints_are_written_on_a_schedule_when_the_head_moves(key, five, tmp_path):
    import datetime as dt

    now = dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC)
    hour = dt.timedelta(hours=1)
    first = service.write_scheduled_checkpoint(tmp_path / "cps", hour, now)
    assert first is not None and json.loads(first.read_text())["seq"] == 5
    service.record("test", "test.more")
    assert service.write_scheduled_checkpoint(tmp_path / "cps", hour, now + dt.timedelta(minutes=5)) is None
    later = service.write_scheduled_checkpoint(tmp_path / "cps", hour, now + hour)
    assert later is not None and json.loads(later.read_text())["seq"] == 6
    assert service.write_scheduled_checkpoint(tmp_path / "cps", hour, now + 3 * hour) is None  # head unchanged


@pytest.mark.sqlite
def test_commands_checkpoint_and_verify(tmp_path):
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path), "COMMONGROUND_AUDIT_KEY": str(tmp_path / "k" / "key.pem")}
    assert run_cli("init-demo", env=env).returncode == 0
    unsigned = run_cli("audit", "checkpoint", "--out", str(tmp_path / "cp.json"), env=env)
    assert unsigned.returncode == 1 and unsigned.stderr.startswith("Error: no signing key at")
    made = run_cli("audit", "keygen", env=env)
    assert made.returncode == 0, made.stderr
    signed = run_cli("audit", "checkpoint", "--out", str(tmp_path / "cp.json"), env=env)
    assert signed.returncode == 0 and "signed by key" in signed.stdout
    ok = run_cli("audit", "verify", "--checkpoint", str(tmp_path / "cp.json"), env=env)
    assert ok.returncode == 0 and "it holds all 1 checkpoint" in ok.stdout
    data = json.loads((tmp_path / "cp.json").read_text())
    (tmp_path / "future.json").write_text(json.dumps(data).replace(f'"seq": {data["seq"]}', '"seq": 999999'))
    bad = run_cli("audit", "verify", "--checkpoint", str(tmp_path / "future.json"), env=env)
    assert bad.returncode == 1
    assert [line for line in bad.stderr.splitlines() if line.strip()] == [
        f"Error: {tmp_path / 'future.json'}: the signature does not match its statement (the file was altered) "
        f"(checked {data['seq']} records)"
    ]


@pytest.mark.postgresql
def test_the_app_role_cannot_rewrite_or_unprotect_the_audit_table(tmp_path):
    """Migrations run as an owner role; the app's role may only SELECT and INSERT audit rows, so it can
    neither update, delete nor truncate them, nor disable the append-only trigger (issue 19)."""
    import secrets
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    owner_url = os.environ.get("COMMONGROUND_TEST_OWNER_URL")
    if not owner_url:
        pytest.fail("the PostgreSQL pass must set COMMONGROUND_TEST_OWNER_URL (scripts/test.sh makes the role)")
    name = f"cg_roles_{secrets.token_hex(4)}"
    app_url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))
    owner_db_url = urlunsplit(urlsplit(owner_url)._replace(path=f"/{name}"))
    with psycopg.connect(owner_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        env = {"DATABASE_URL": app_url, "COMMONGROUND_OWNER_DATABASE_URL": owner_db_url,
               "COMMONGROUND_DATA_DIR": str(tmp_path)}  # fmt: skip
        migrated = run_cli("migrate", env=env)
        assert migrated.returncode == 0, migrated.stderr
        loaded = run_cli("init-demo", env={"DATABASE_URL": app_url, "COMMONGROUND_DATA_DIR": str(tmp_path)})
        assert loaded.returncode == 0, loaded.stderr  # the app writes its tables and appends audit rows
        with psycopg.connect(app_url, autocommit=True) as app:
            count = app.execute("SELECT count(*) FROM audit_auditrecord").fetchone()[0]
            assert count > 0
            for statement, refusal in [
                ("UPDATE audit_auditrecord SET action = 'forged'", "permission denied"),
                ("DELETE FROM audit_auditrecord", "permission denied"),
                ("TRUNCATE audit_auditrecord", "permission denied"),
                ("ALTER TABLE audit_auditrecord DISABLE TRIGGER ALL", "must be owner"),
                ("DROP TRIGGER audit_append_only ON audit_auditrecord", "must be owner"),
            ]:
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match=refusal):
                    app.execute(statement)
            assert app.execute("SELECT count(*) FROM audit_auditrecord").fetchone()[0] == count
        verified = run_cli("audit", "verify", env={"DATABASE_URL": app_url, "COMMONGROUND_DATA_DIR": str(tmp_path)})
        assert verified.returncode == 0 and f"{count} records checked" in verified.stdout
    finally:
        with psycopg.connect(owner_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
