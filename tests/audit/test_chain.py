"""The hash chain on its own: no database."""

from __future__ import annotations

import copy

from commonground.audit import chain


def build(n: int) -> list[dict]:
    records, prev = [], chain.GENESIS_HASH
    for seq in range(1, n + 1):
        record = {
            "seq": seq, "created_at": f"2026-11-24T10:00:{seq:02d}+00:00", "actor_id": seq % 3 or None,
            "actor_label": f"user{seq}@example.org", "action": "test.action", "object_type": "places.Area",
            "object_id": str(seq), "object_label": f"Area {seq}", "before": {"n": seq - 1}, "after": {"n": seq},
            "prev_hash": prev,
        }  # fmt: skip
        record["hash"] = chain.record_hash(prev, record)
        prev = record["hash"]
        records.append(record)
    return records


def test_intact_chain_has_no_break():
    assert chain.first_break(build(20)) is None


def test_hash_is_sha256_of_previous_hash_and_canonical_record():
    import hashlib

    first = build(1)[0]
    expected = hashlib.sha256(chain.GENESIS_HASH.encode() + chain.canonical(first)).hexdigest()
    assert first["hash"] == expected
    assert len(first["hash"]) == 64


def test_altered_content_is_named():
    records = build(10)
    records[6]["after"] = {"n": 999}
    broken = chain.first_break(records)
    assert broken is not None and broken.seq == 7
    assert "altered" in str(broken)
    assert str(broken).startswith("audit record 7:")


def test_rehashed_record_breaks_the_next_link():
    records = build(10)
    records[3]["action"] = "forged"
    records[3]["hash"] = chain.record_hash(records[3]["prev_hash"], records[3])
    broken = chain.first_break(records)
    assert broken is not None and broken.seq == 5
    assert "prev_hash" in broken.reason


def test_missing_record_is_named():
    records = build(10)
    del records[4]
    broken = chain.first_break(records)
    assert broken is not None and broken.seq == 6
    assert "missing" in broken.reason


def test_key_order_and_json_form_do_not_matter():
    records = build(3)
    shuffled = [dict(reversed(list(copy.deepcopy(r).items()))) for r in records]
    assert chain.first_break(shuffled) is None
