"""The move of asset notices into the one outbox keeps their history and sends nothing stale."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("assets", "0001_initial"), ("notify", "0001_initial")]
AFTER = [("assets", "0002_notices_to_outbox")]


@pytest.mark.django_db(transaction=True)
def test_asset_notices_move_to_the_outbox():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    council = old.get_model("assets", "Council").objects.create(name="Demo Borough Council", slug="demo")
    asset = old.get_model("assets", "Asset").objects.create(
        council=council, name="The Red Lion", address="1 High Street", community_use="Pub"
    )
    Notification = old.get_model("assets", "Notification")
    sent_at = timezone.now() - dt.timedelta(days=30)
    rows = [
        ("event", "nominator", "a@example.org", "", sent_at, dt.timedelta(days=30)),
        (
            "reminder",
            "owner",
            "o@example.org",
            "remind:1:listing:2026-02-01:owner:o@example.org",
            None,
            dt.timedelta(days=1),
        ),
        ("event", "bidder", "b@example.org", "", None, dt.timedelta(days=40)),
        ("event", "council", "", "", None, dt.timedelta(days=1)),
    ]
    for kind, role, address, key, sent, age in rows:
        note = Notification.objects.create(
            asset=asset, kind=kind, recipient_role=role, recipient_email=address, subject=f"{role} notice",
            body="Body", dedupe_key=key, sent_at=sent,
        )  # fmt: skip
        Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - age)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    Notice = executor.loader.project_state(AFTER).apps.get_model("notify", "Notice")
    moved = {n.recipient_role: n for n in Notice.objects.all()}
    assert {role: n.status for role, n in moved.items()} == {
        "nominator": "sent",  # history kept
        "owner": "queued",  # recent and unsent: the worker sends it now
        "bidder": "cancelled",  # too old to send without misleading
        "council": "cancelled",  # had no address
    }
    assert moved["owner"].template == "assets.reminder" and moved["owner"].dedupe_key.startswith("remind:1:")
    assert (moved["nominator"].related_type, moved["nominator"].related_id) == ("assets.asset", str(asset.pk))
    assert moved["nominator"].sent_at is not None and moved["nominator"].related_label == "The Red Lion"
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
