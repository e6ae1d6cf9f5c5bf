"""Delivery of PB winners moves to the delivery app (one public record for every funded thing): every
counted process's winners get a record, carrying over the status, spend and note recorded here; then the
old fields go."""

from django.db import migrations

STATUS = {"not_started": "not_started", "in_progress": "in_progress", "complete": "complete"}


def council_of(area):
    while area is not None and area.area_type.level != "local_authority":
        area = area.parent
    return area


def forwards(apps, schema_editor):
    Result = apps.get_model("budgeting", "Result")
    Proposal = apps.get_model("budgeting", "Proposal")
    Record = apps.get_model("delivery", "Record")
    Update = apps.get_model("delivery", "Update")
    for result in Result.objects.select_related("process__area__area_type", "process__area__parent"):
        process = result.process
        area = process.area
        ward = area.code if area is not None and area.area_type.level == "ward" else ""
        council = council_of(area)
        for proposal in Proposal.objects.filter(process=process, pk__in=[int(w) for w in result.winners]):
            reference = f"pb:{process.slug}:{proposal.pk}"
            if Record.objects.filter(reference=reference).exists():
                continue
            status = STATUS.get(proposal.delivery, "not_started")
            record = Record.objects.create(
                reference=reference, source="pb", title=proposal.title[:200], summary=proposal.summary,
                origin_url=f"/pb/{process.slug}/results/", recipient_name=council.name if council else "The council",
                amount_pence=(proposal.cost or 0) * 100, spent_pence=proposal.spent * 100, status=status,
                progress=100 if status == "complete" else 0, council=council, ward_code=ward,
                funded_on=result.computed_at.date(),
            )  # fmt: skip
            if proposal.delivery_note or proposal.spent or status != "not_started":
                Update.objects.create(record=record, posted_on=result.computed_at.date(),
                                      text=proposal.delivery_note or "Delivery recorded before this page existed.",
                                      status=status, progress=record.progress, spent_pence=record.spent_pence)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("budgeting", "0003_applications_scoring_ring_fences"),
        ("delivery", "0001_initial"),
        ("places", "0003_postcodes"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="proposal", name="delivery"),
        migrations.RemoveField(model_name="proposal", name="spent"),
        migrations.RemoveField(model_name="proposal", name="delivery_note"),
    ]
