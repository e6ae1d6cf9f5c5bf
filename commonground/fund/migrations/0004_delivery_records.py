"""Every committed award gets its public delivery record (commonground.delivery), as new ones do on commit."""

from django.db import migrations


def forwards(apps, schema_editor):
    Award = apps.get_model("fund", "Award")
    Record = apps.get_model("delivery", "Record")
    for award in Award.objects.filter(fund__status="committed").select_related("fund", "area__parent"):
        reference = f"cwf:{award.fund.slug}:{award.ward_code}"
        if Record.objects.filter(reference=reference).exists():
            continue
        Record.objects.create(
            reference=reference, source="cwf", title=f"{award.fund.name}: {award.ward_name}"[:200],
            summary=f"Long-term, resident-led funding for {award.ward_name} over {award.fund.years} years.",
            origin_url=f"/funds/{award.fund.slug}/awards/{award.ward_code}/",
            recipient_name=f"{award.ward_name} community partnership", amount_pence=award.amount_pence,
            council=award.area.parent, ward_code=award.ward_code, funded_on=award.fund.committed_at.date(),
            planned_end=award.planned_end,
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("fund", "0003_priority_status"), ("delivery", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
