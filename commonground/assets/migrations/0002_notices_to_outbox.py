"""Asset notices move into the one outbox (notify.Notice); the assets app's own table goes.

Sent notices keep their history. Unsent ones less than a week old are queued, so the worker sends
them; older unsent ones are cancelled rather than sent late (a reminder of a deadline long past would
mislead). The council's own copies had no address and become cancelled records.
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone

STILL_TIMELY = dt.timedelta(days=7)


def to_outbox(apps, schema_editor):
    Notification = apps.get_model("assets", "Notification")
    Notice = apps.get_model("notify", "Notice")
    moved = timezone.now()
    for old in Notification.objects.select_related("asset").iterator():
        if old.sent_at is not None:
            status = "sent"
        elif old.recipient_email and moved - old.created_at < STILL_TIMELY:
            status = "queued"
        else:
            status = "cancelled"
        Notice.objects.create(
            channel="email",
            recipient_email=old.recipient_email,
            recipient_role=old.recipient_role,
            subject=old.subject,
            body=old.body,
            template=f"assets.{old.kind}",
            related_type="assets.asset",
            related_id=str(old.asset_id),
            related_label=old.asset.name[:200],
            due_at=old.created_at,
            next_attempt_at=moved,
            status=status,
            attempts=1 if old.sent_at else 0,
            last_error="" if status != "cancelled" or old.sent_at else "not sent before the outbox moved",
            dedupe_key=old.dedupe_key,
            created_at=old.created_at,
            sent_at=old.sent_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0001_initial"),
        ("notify", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_outbox, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
