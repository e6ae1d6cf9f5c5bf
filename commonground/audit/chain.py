"""The hash chain behind the audit log: each record carries the SHA-256 of the one before.

Pure functions over plain dicts, so the chain can be checked without Django and by third parties
from an export.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "before",
    "after",
)


def canonical(record: Mapping[str, Any]) -> bytes:
    """Stable byte form of a record's hashed fields (sorted keys, no spaces, UTF-8)."""
    return json.dumps(
        {name: record[name] for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    ).encode("utf-8")


def record_hash(prev_hash: str, record: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(record)).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit record {self.seq}: {self.reason}"


def first_break(records: Iterable[Mapping[str, Any]]) -> Break | None:
    """The first record (in sequence order) whose link or content does not check out."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for record in records:
        seq = record["seq"]
        if seq != expected_seq:
            return Break(seq, f"expected sequence number {expected_seq}: a record is missing or out of order")
        if record["prev_hash"] != expected_prev:
            return Break(seq, "prev_hash does not match the hash of the record before it")
        if record_hash(record["prev_hash"], record) != record["hash"]:
            return Break(seq, "content does not match its hash: the record was altered")
        expected_prev = record["hash"]
        expected_seq += 1
    return None
