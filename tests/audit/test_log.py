"""The audit log in the database: appends, append-only guards and verification."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from commonground.audit import service
from commonground.audit.models import AppendOnlyError, AuditRecord


@pytest.fixture
def three_records(make_user):
    user = make_user()
    return [service.record(user, f"test.step{i}", user, before={"i": i}, after={"i": i + 1}) for i in range(3)]


def test_records_are_chained_in_sequence(three_records):
    first, second, third = three_records
    assert [r.seq for r in three_records] == [1, 2, 3]
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert first.actor_label == f"account {first.actor_id}"  # never the email (issue 19: no personal data)
    assert first.object_label == f"account {first.actor_id}"
    assert first.object_type == "accounts.User"
    count, broken = service.verify()
    assert (count, broken) == (3, None)


def test_anonymous_and_command_line_actors(db):
    anon = service.record(None, "test.anon")
    cli = service.record("commonground init-demo", "test.cli")
    assert (anon.actor_id, anon.actor_label) == (None, "anonymous")
    assert cli.actor_label == "commonground init-demo"


def test_orm_cannot_change_or_remove_records(three_records):
    entry = AuditRecord.objects.get(seq=2)
    entry.action = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.filter(seq=2).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get(seq=2).action == "test.step1"


@pytest.mark.sqlite
def test_verify_names_a_record_altered_behind_the_apps_back(three_records):
    """SQLite has no roles, so anyone with the file can edit it: verify must catch that.

    On PostgreSQL the edit itself is refused (next test)."""
    assert connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET action = 'forged' WHERE seq = 2")
    count, broken = service.verify()
    assert broken is not None and broken.seq == 2
    assert "altered" in broken.reason


@pytest.mark.postgresql
def test_postgresql_role_cannot_update_or_delete_audit_rows(three_records):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone()[0] is False, "the test must run as the app's ordinary role"
    for statement in ("UPDATE audit_auditrecord SET action = 'forged' WHERE seq = 2",
                      "DELETE FROM audit_auditrecord WHERE seq = 3"):  # fmt: skip
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditRecord.objects.count() == 3
    assert service.verify() == (3, None)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    """Eight threads append at once; the advisory lock keeps sequence numbers unique and gapless."""
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for i in range(10):
                service.record(f"worker {worker}", "test.concurrent", after={"i": i})
        except BaseException as exc:  # noqa: BLE001  (collected and asserted below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert list(AuditRecord.objects.values_list("seq", flat=True)) == list(range(1, 81))
    assert service.verify() == (80, None)
