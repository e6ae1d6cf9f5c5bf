"""Panel work: import the pool, run the selection, hold the public draw. Each step is one
transaction with its audit record; the engine (commonground.engine.sortition) does the maths."""

from __future__ import annotations

import csv
import io
import json
import secrets

from django.db import transaction
from django.utils.text import slugify

from commonground.audit.service import record
from commonground.engine.sortition import lottery, model
from commonground.engine.sortition.leximin import select
from commonground.panels.models import Panel, Volunteer


def household_list(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def parse(quotas_csv: str, pool_csv: str, household_columns: str) -> tuple[model.Quotas, model.Pool]:
    """Both files through the engine's readers (errors name the file, row and field)."""
    quotas = model.read_quotas("quotas file", text=quotas_csv)
    pool = model.read_pool("pool file", quotas, household_columns=household_list(household_columns), text=pool_csv)
    return quotas, pool


def shared_households(pool: model.Pool) -> int:
    """How many addresses have more than one volunteer (only one of them can be on the panel)."""
    seen: dict[str, int] = {}
    for h in pool.households:
        if h is not None:
            seen[h] = seen.get(h, 0) + 1
    return sum(1 for n in seen.values() if n > 1)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "panel"
    slug, n = base, 1
    while Panel.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_panel(actor, *, title, purpose, size, payment_per_day_pence, quotas_csv, pool_csv, household_columns):
    quotas, pool = parse(quotas_csv, pool_csv, household_columns)
    rows = list(csv.DictReader(io.StringIO(pool_csv.lstrip("\ufeff"))))
    numbers = list(range(1, pool.n + 1))
    secrets.SystemRandom().shuffle(numbers)  # pseudonyms carry nothing from the file's order
    width = len(str(pool.n))
    with transaction.atomic():
        panel = Panel.objects.create(
            title=title,
            slug=_unique_slug(title),
            purpose=purpose,
            size=size,
            payment_per_day_pence=payment_per_day_pence,
            quotas_csv=quotas_csv,
            pool_csv=pool_csv,
            household_columns=",".join(household_list(household_columns)),
            created_by=actor,
        )
        Volunteer.objects.bulk_create(
            Volunteer(
                panel=panel,
                row=i + 2,
                person_id=pid,
                pseudonym=f"V{numbers[i]:0{width}d}",
                details={k.strip(): (v or "").strip() for k, v in rows[i].items() if k},
            )
            for i, pid in enumerate(pool.ids)
        )
        record(actor, "panels.create", panel, after={"size": size, "pool": pool.n, "quotas": len(quotas.items())})
    return panel


def run_selection(actor, panel: Panel, progress=None) -> Panel:
    """The fair lottery over panels; published with pseudonyms so anyone can replay the draw."""
    quotas, pool = parse(panel.quotas_csv, panel.pool_csv, panel.household_columns)
    dist = select(pool, quotas, panel.size, panel.method, progress)
    result = dist.to_json()
    pseudonym = dict(panel.volunteers.values_list("person_id", "pseudonym"))
    published = {
        "size": result["size"],
        "method": result["method"],
        "min_probability": result["min_probability"],
        "probabilities": {pseudonym[pid]: p for pid, p in result["probabilities"].items()},
        "panels": [
            {"weight": p["weight"], "members": sorted(pseudonym[m] for m in p["members"])} for p in result["panels"]
        ],
    }
    with transaction.atomic():
        before = {"status": panel.status}
        panel.distribution_json = json.dumps(published)
        panel.min_probability = result["min_probability"]
        panel.status = Panel.Status.SELECTED
        panel.save(update_fields=["distribution_json", "min_probability", "status"])
        for volunteer in panel.volunteers.all():
            volunteer.probability = result["probabilities"][volunteer.person_id]
            volunteer.selected = False
            volunteer.save(update_fields=["probability", "selected"])
        record(
            actor,
            "panels.select",
            panel,
            before=before,
            after={"status": panel.status, "min_probability": panel.min_probability, "panels": len(result["panels"])},
        )
    return panel


def hold_draw(actor, panel: Panel, seed: str) -> Panel:
    """Round to 1,000 tickets and pick one with SHA-256 of the public seed (replayable)."""
    dist = lottery.parse_distribution(panel.distribution_json.encode(), "published distribution")
    result = lottery.draw(dist, seed)
    with transaction.atomic():
        before = {"status": panel.status}
        panel.seed = seed
        panel.draw_result = result
        panel.status = Panel.Status.DRAWN
        panel.save(update_fields=["seed", "draw_result", "status"])
        panel.volunteers.update(selected=False)
        panel.volunteers.filter(pseudonym__in=result["panel"]).update(selected=True)
        record(actor, "panels.draw", panel, before=before, after={"seed": seed, "ticket": result["ticket"]})
    return panel
