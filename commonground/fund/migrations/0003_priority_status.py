"""Plan priorities keep their own status and measures (they were in outcomes.PriorityLink)."""

from django.db import migrations, models


def copy_links(apps, schema_editor):
    Priority = apps.get_model("fund", "Priority")
    PriorityLink = apps.get_model("outcomes", "PriorityLink")
    for link in PriorityLink.objects.all():
        priority = Priority.objects.get(pk=link.priority_id)
        priority.status = link.status
        priority.status_updated_at = link.updated_at
        priority.save(update_fields=["status", "status_updated_at"])
        priority.measures.set(link.measures.all())


class Migration(migrations.Migration):
    dependencies = [
        ("fund", "0002_community_plans"),
        ("outcomes", "0002_default_framework"),
    ]

    operations = [
        migrations.AddField(
            model_name="priority",
            name="measures",
            field=models.ManyToManyField(blank=True, related_name="plan_priorities", to="outcomes.wellbeingmeasure"),
        ),
        migrations.AddField(
            model_name="priority",
            name="status",
            field=models.CharField(
                choices=[
                    ("not_started", "Not started"),
                    ("on_track", "On track"),
                    ("at_risk", "At risk"),
                    ("done", "Done"),
                ],
                default="not_started",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="priority",
            name="status_updated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(copy_links, migrations.RunPython.noop),
    ]
