"""Write to and check the audit log. Other apps call `record()`; nothing else writes audit rows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from commonground.audit import chain
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
    """Append one record to the chain, inside the caller's transaction when there is one."""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:300]
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    fields = {
        "created_at": dt.datetime.now(dt.UTC),
        "actor_id": actor.pk if is_user else None,
        "actor_label": str(actor) if is_user else (actor if isinstance(actor, str) else "anonymous"),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_label": object_label,
        "before": _json_safe(before),
        "after": _json_safe(after),
    }
    for _attempt in range(5):
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
                last = AuditRecord.objects.order_by("-seq").values("seq", "hash").first()
                seq = last["seq"] + 1 if last else 1
                prev_hash = last["hash"] if last else chain.GENESIS_HASH
                entry = AuditRecord(seq=seq, prev_hash=prev_hash, **fields)
                entry.hash = chain.record_hash(prev_hash, entry.as_chain_dict())
                entry.save()
                return entry
        except IntegrityError:
            continue  # another writer took this sequence number first; read the new tail and retry
    raise RuntimeError("could not append to the audit log after 5 attempts")


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
