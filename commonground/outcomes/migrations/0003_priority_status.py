"""Plan priorities moved to the fund app (fund 0003 copied them first)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0002_default_framework"),
        ("fund", "0003_priority_status"),
    ]

    operations = [
        migrations.DeleteModel(
            name="PriorityLink",
        ),
    ]
