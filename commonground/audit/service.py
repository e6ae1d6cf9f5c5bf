"""Write to and check the audit log. Other apps call `record()`; nothing else writes audit rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from commonground.audit import chain, checkpoints
from commonground.audit.models import AuditRecord

# Serialise appends on PostgreSQL so two writers never race for the same sequence number.
_PG_LOCK_KEY = 0x436F6D6D6F6E  # "Common" as an integer


def _json_safe(value: Any) -> Any:
    return None if value is None else json.loads(json.dumps(value, default=str))


def record(
    actor: Any,
    action: str,
    obj: Model | None = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
) -> AuditRecord:
    """Append one record to the chain, inside the caller's transaction when there is one.

    The log holds no personal data: people are named by account id, and an object that describes a
    person (an account, an elector, a volunteer) by its `audit_label()` rather than its name. Callers
    put in `before`/`after` what changed, never who it is about.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_label = object_label or (obj.audit_label() if hasattr(obj, "audit_label") else str(obj))[:300]
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    fields = {
        "created_at": dt.datetime.now(dt.UTC),
        "actor_id": actor.pk if is_user else None,
        "actor_label": f"account {actor.pk}" if is_user else (actor if isinstance(actor, str) else "anonymous"),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_label": object_label,
        "before": _json_safe(before),
        "after": _json_safe(after),
    }
    if connection.vendor == "postgresql":
        # The advisory lock makes appends take turns until the caller commits, so no other writer can take
        # this sequence number: no savepoint (two round trips fewer on every audited change, every vote)
        # and nothing to retry. The lock is held to that commit: the vote paths append last, so theirs is short.
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
            return _append(fields)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return _append(fields)
        except IntegrityError:
            continue  # another writer took this sequence number first; read the new tail and retry
    raise RuntimeError("could not append to the audit log after 5 attempts")


def _append(fields: dict) -> AuditRecord:
    last = AuditRecord.objects.order_by("-seq").values("seq", "hash").first()
    seq = last["seq"] + 1 if last else 1
    prev_hash = last["hash"] if last else chain.GENESIS_HASH
    entry = AuditRecord(seq=seq, prev_hash=prev_hash, **fields)
    entry.hash = chain.record_hash(prev_hash, entry.as_chain_dict())
    entry.save()
    return entry


def verify() -> tuple[int, chain.Break | None]:
    """Recompute the whole chain; returns (records checked, first break or None)."""
    count = 0

    def rows():
        nonlocal count
        for entry in AuditRecord.objects.order_by("seq").iterator(chunk_size=2000):
            count += 1
            yield entry.as_chain_dict()

    broken = chain.first_break(rows())
    return count, broken


def record_count() -> int:
    return AuditRecord.objects.count()


def checkpoint(key=None) -> checkpoints.Checkpoint:
    """A signed statement of the log's head (its last record), to publish or keep elsewhere."""
    key = key or checkpoints.load_key()
    head = AuditRecord.objects.order_by("-seq").values("seq", "hash").first()
    if head is None:
        raise checkpoints.CheckpointError("the audit log is empty: there is no head to checkpoint")
    return checkpoints.sign(head["seq"], head["hash"], key)


def verify_against(files: list, trusted_fingerprint: str | None = None) -> tuple[int, list[str]]:
    """Check the chain, then that it still holds every checkpointed head with the same hash.

    Returns (records checked, problems); each problem names the file and what is missing or changed.
    """
    count, broken = verify()
    problems = [str(broken)] if broken is not None else []
    for path in files:
        try:
            point = checkpoints.read(path, trusted_fingerprint)
        except checkpoints.CheckpointError as exc:
            problems.append(str(exc))
            continue
        found = AuditRecord.objects.filter(seq=point.seq).values_list("hash", flat=True).first()
        if found is None:
            problems.append(f"{path}: record {point.seq} is missing: the log was truncated after it was checkpointed "
                            f"({count} records now)")  # fmt: skip
        elif found != point.head:
            problems.append(f"{path}: record {point.seq} changed since {point.time}: the log was rewritten")
    return count, problems


def write_scheduled_checkpoint(directory, every: dt.timedelta, now: dt.datetime | None = None) -> Path | None:
    """Write a checkpoint into `directory` when the head moved and the last one is older than `every`
    (the background worker calls this; nothing happens without a signing key)."""
    directory = Path(directory)
    now = now or dt.datetime.now(dt.UTC)
    try:
        key = checkpoints.load_key()
    except checkpoints.CheckpointError:
        return None
    head = AuditRecord.objects.order_by("-seq").values("seq", "hash").first()
    if head is None:
        return None
    existing = sorted(directory.glob("checkpoint-*.json")) if directory.is_dir() else []
    if existing:
        last = json.loads(existing[-1].read_text())
        if last["seq"] == head["seq"] or now - dt.datetime.fromisoformat(last["time"]) < every:
            return None
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    point = checkpoints.sign(head["seq"], head["hash"], key, now)
    path = directory / f"checkpoint-{point.seq:012d}.json"
    path.write_text(point.as_json())
    return path
