"""The community-need measures read the CNI 2023 (2021 LSOAs and above) where it is loaded, beside the
CNI 2019 of 2017 wards; dashboards never compare the two editions (see dashboards._one_edition)."""

from django.db import migrations

SOURCES = (("connectedness", "connectedness_score"), ("engaged-community", "engaged_community_score"))


def add(apps, schema_editor):
    WellbeingMeasure = apps.get_model("outcomes", "WellbeingMeasure")
    MeasureSource = apps.get_model("outcomes", "MeasureSource")
    for slug, measure_slug in SOURCES:
        measure = WellbeingMeasure.objects.filter(slug=slug).first()
        if measure is None:  # a council removed it
            continue
        MeasureSource.objects.get_or_create(
            measure=measure, dataset_slug="cni2023", measure_slug=measure_slug, defaults={"period": "2023"}
        )
        if measure.period == "2019 (one release)":
            measure.period = "Editions of 2019 and 2023 (not comparable)"
            measure.save(update_fields=["period"])


def remove(apps, schema_editor):
    apps.get_model("outcomes", "MeasureSource").objects.filter(dataset_slug="cni2023").delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0003_priority_status")]

    operations = [migrations.RunPython(add, remove)]
