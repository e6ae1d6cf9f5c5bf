"""The current geography (AreaType.vintage and is_current), MSOAs, boundary notes, and index editions."""

from django.db import migrations, models

# Area types loaded before this migration: (vintage, is_current). Demo types are the demo's only geography.
VINTAGES = {
    "lsoa11": (2011, False), "ward17": (2017, False), "lad19": (2019, False), "rgn19": (2019, True),
    "lsoa21": (2021, True), "ward24": (2024, True), "lad24": (2024, True),
    "lsoa-demo": (None, True), "ward-demo": (None, True), "lad-demo": (None, True),
}  # fmt: skip
EDITIONS = {"imd2019": ("IoD", 2019), "imd2025": ("IoD", 2025), "cni2019": ("CNI", 2019)}


def label(apps, schema_editor):
    AreaType = apps.get_model("places", "AreaType")
    DataSet = apps.get_model("places", "DataSet")
    for code, (vintage, current) in VINTAGES.items():
        AreaType.objects.filter(code=code).update(vintage=vintage, is_current=current)
    for slug, (family, edition) in EDITIONS.items():
        DataSet.objects.filter(slug=slug).update(family=family, edition=edition)


class Migration(migrations.Migration):
    dependencies = [("places", "0003_postcodes")]

    operations = [
        migrations.AddField(
            model_name="areatype",
            name="vintage",
            field=models.PositiveSmallIntegerField(blank=True, help_text="Year of the boundaries.", null=True),
        ),
        migrations.AddField(
            model_name="areatype",
            name="is_current",
            field=models.BooleanField(default=False, help_text="The geography pages show by default."),
        ),
        migrations.AddField(
            model_name="areatype",
            name="population_note",
            field=models.CharField(
                blank=True, help_text="Where its areas' populations come from, e.g. ONS mid-2022.", max_length=200
            ),
        ),
        migrations.AlterField(
            model_name="areatype",
            name="level",
            field=models.CharField(
                choices=[
                    ("lsoa", "Lower-layer Super Output Area"),
                    ("msoa", "Middle-layer Super Output Area"),
                    ("ward", "Ward"),
                    ("local_authority", "Local authority"),
                    ("region", "Region"),
                    ("nation", "Nation"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="area",
            name="geometry_note",
            field=models.CharField(
                blank=True,
                help_text="How the boundary was drawn when it is not the area's published one.",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="area",
            name="also_in",
            field=models.ManyToManyField(
                blank=True,
                help_text="Areas of another hierarchy it lies in (a 2021 LSOA's MSOA); its parent is its ward.",
                related_name="contains",
                to="places.area",
            ),
        ),
        migrations.AddField(
            model_name="dataset",
            name="family",
            field=models.CharField(
                blank=True,
                help_text="A relative index published in editions (IoD, CNI): never compared across.",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="dataset",
            name="edition",
            field=models.PositiveSmallIntegerField(blank=True, help_text="Year of the edition, e.g. 2025.", null=True),
        ),
        migrations.RunPython(label, migrations.RunPython.noop),
    ]
