"""Measures may be published for MSOAs, the level the current geography added."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0004_current_editions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="wellbeingmeasure",
            name="geography",
            field=models.CharField(
                choices=[
                    ("lsoa", "Lower-layer Super Output Area"),
                    ("msoa", "Middle-layer Super Output Area"),
                    ("ward", "Ward"),
                    ("local_authority", "Local authority"),
                    ("region", "Region"),
                    ("nation", "Nation"),
                ],
                default="ward",
                max_length=20,
            ),
        ),
    ]
