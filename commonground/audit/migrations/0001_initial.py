from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="AuditRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveBigIntegerField(editable=False, unique=True)),
                ("created_at", models.DateTimeField(editable=False)),
                ("actor_id", models.BigIntegerField(blank=True, editable=False, null=True)),
                ("actor_label", models.CharField(editable=False, max_length=254)),
                ("action", models.CharField(db_index=True, editable=False, max_length=100)),
                ("object_type", models.CharField(blank=True, editable=False, max_length=100)),
                ("object_id", models.CharField(blank=True, editable=False, max_length=100)),
                ("object_label", models.CharField(blank=True, editable=False, max_length=300)),
                ("before", models.JSONField(blank=True, editable=False, null=True)),
                ("after", models.JSONField(blank=True, editable=False, null=True)),
                ("prev_hash", models.CharField(editable=False, max_length=64)),
                ("hash", models.CharField(editable=False, max_length=64, unique=True)),
            ],
            options={"ordering": ["seq"]},
        ),
    ]
