"""Panel work: import the pool, run the selection, hold the public draw. Each step is one
transaction with its audit record; the engine (commonground.engine.sortition) does the maths."""

from __future__ import annotations

import csv
import io
import json
import math
import secrets

from django.db import transaction
from django.utils.text import slugify

from commonground.audit.service import record
from commonground.engine import population
from commonground.engine.sortition import lottery, model
from commonground.engine.sortition.leximin import select
from commonground.engine.sortition.model import InfeasibleQuotas, SortitionError
from commonground.engine.sortition.replacement import replace
from commonground.panels.models import Panel, Replacement, Volunteer
from commonground.places.models import Area
from commonground.places.services import population_profile

# Panels are of adults: children (0–15) are left out of the age quotas. Labels are the values the
# pool file must use in its age_band and sex columns.
PANEL_AGE_BANDS = {"16_64": "16-64", "65_plus": "65+"}
PANEL_SEXES = {"female": "female", "male": "male"}


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


def duplicate_volunteers(pool_csv: str) -> list[str]:
    """The same person registered twice under different ids: rows sharing an email address or a phone
    number (columns named *email*, *phone* or *mobile*). Each finding names both rows."""
    rows = list(csv.DictReader(io.StringIO(pool_csv.lstrip("\ufeff"))))
    columns = [c for c in (rows[0] if rows else {}) if c and any(k in c.lower() for k in ("email", "phone", "mobile"))]
    found: list[str] = []
    for column in columns:
        digits_only = "email" not in column.lower()
        first: dict[str, int] = {}
        for number, row in enumerate(rows, start=2):
            raw = (row.get(column) or "").strip()
            key = "".join(ch for ch in raw if ch.isdigit()) if digits_only else raw.casefold()
            if not key:
                continue
            if key in first:
                found.append(f"rows {first[key]} and {number} have the same {column} ({raw})")
            else:
                first[key] = number
    return found


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "panel"
    slug, n = base, 1
    while Panel.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def suggested_quotas(area: Area, size: int) -> str | None:
    """Quotas (feature,value,min,max) in proportion to the area's adults by age band and sex, or None
    when no population figures are loaded. Each band gets the whole numbers either side of its exact
    share of the seats, so the quotas can always be met together (floors sum to at most the size and
    ceilings to at least it); organisers edit them before importing."""
    profile = population_profile(area)
    if profile is None:
        return None
    counts = {(g["key"], b["key"]): b["count"] for g in profile["groups"] for b in g["bands"]}
    rows = ["feature,value,min,max"]
    for feature, group, labels in (("age_band", population.AGE, PANEL_AGE_BANDS), ("sex", population.SEX, PANEL_SEXES)):
        # The sexes are counted over all ages (the bands have no sex-by-age split): their shares stand for adults'.
        adults = {b.key: counts[(group.key, b.key)] for b in group.bands if b.key in labels}
        total = sum(adults.values())
        for key, label in labels.items():
            exact = size * adults[key] / total if total else 0
            rows.append(f"{feature},{label},{math.floor(exact)},{math.ceil(exact)}")
    return "\n".join(rows) + "\n"


def create_panel(actor, *, title, purpose, size, payment_per_day_pence, quotas_csv, pool_csv, household_columns,
                 area=None):  # fmt: skip
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
            area=area,
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


def _pseudonymous(panel: Panel, result: dict) -> dict:
    """The engine's lottery with every person id swapped for the volunteer's pseudonym."""
    pseudonym = dict(panel.volunteers.values_list("person_id", "pseudonym"))
    return {
        "size": result["size"],
        "method": result["method"],
        "min_probability": result["min_probability"],
        "probabilities": {pseudonym[pid]: p for pid, p in result["probabilities"].items()},
        "panels": [
            {"weight": p["weight"], "members": sorted(pseudonym[m] for m in p["members"])} for p in result["panels"]
        ],
    }


def _computing(panel_id: int) -> bool:
    """Read from the database, not the object in hand: the worker may have queued or finished since."""
    return Panel.objects.filter(pk=panel_id).exclude(job="").exists()


def run_selection(actor, panel: Panel, progress=None) -> Panel:
    """The fair lottery over panels; published with pseudonyms so anyone can replay the draw."""
    quotas, pool = parse(panel.quotas_csv, panel.pool_csv, panel.household_columns)
    dist = select(pool, quotas, panel.size, panel.method, progress)
    result = dist.to_json()
    published = _pseudonymous(panel, result)
    with transaction.atomic():
        before = {"status": panel.status}
        panel.distribution_json = json.dumps(published)
        panel.min_probability = result["min_probability"]
        panel.status = Panel.Status.SELECTED
        panel.save(update_fields=["distribution_json", "min_probability", "status"])
        volunteers = list(panel.volunteers.all())
        for volunteer in volunteers:
            volunteer.probability = result["probabilities"][volunteer.person_id]
            volunteer.selected = False
        Volunteer.objects.bulk_update(volunteers, ["probability", "selected"], batch_size=500)
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
    if _computing(panel.pk):
        raise SortitionError("the chances are being recomputed; draw when they are published")
    dist = lottery.parse_distribution(panel.distribution_json.encode(), "published distribution")
    result = lottery.draw(dist, seed)
    with transaction.atomic():
        before = {"status": panel.status}
        panel.seed = seed
        panel.draw_result = result
        panel.status = Panel.Status.DRAWN
        panel.save(update_fields=["seed", "draw_result", "status"])
        panel.volunteers.update(selected=False, response="", replacement=None)
        panel.volunteers.filter(pseudonym__in=result["panel"]).update(
            selected=True, response=Volunteer.Response.NO_REPLY
        )
        record(actor, "panels.draw", panel, before=before, after={"seed": seed, "ticket": result["ticket"]})
    return panel


def record_response(actor, volunteer: Volunteer, response: str) -> Volunteer:
    """A member's answer to the invitation (organisers only; the audit names the pseudonym, not the person)."""
    if not volunteer.selected:
        raise SortitionError(f"{volunteer.pseudonym} is not on the panel")
    if response not in Volunteer.Response.values:
        raise SortitionError(f"{response!r} is not a reply")
    with transaction.atomic():
        before = {"response": volunteer.response}
        volunteer.response = response
        volunteer.save(update_fields=["response"])
        record(actor, "panels.response", volunteer, before=before, after={"response": response})
    return volunteer


def leaving(panel: Panel) -> list[Volunteer]:
    """Members whose seats need refilling: they declined or dropped out and are still counted on the panel."""
    return list(panel.volunteers.filter(selected=True, response__in=Volunteer.LEFT).order_by("pseudonym"))


def open_replacement(panel: Panel) -> Replacement | None:
    """The replacement lottery published but not drawn yet, if any."""
    return panel.replacements.filter(draw_result__isnull=True).first()


def prepare_replacement(actor, panel: Panel, progress=None) -> Replacement:
    """Publish the lottery over replacement sets (engine `replace`: same method, quotas reduced by the
    members who stay) before the seed is known, as for the main draw. People who left in an earlier
    round are not in the pool any more."""
    if panel.status != Panel.Status.DRAWN:
        raise SortitionError("the panel has not been drawn yet")
    gone = leaving(panel)
    if not gone:
        raise SortitionError("no member has declined or dropped out")
    quotas, pool = parse(panel.quotas_csv, panel.pool_csv, panel.household_columns)
    earlier = set(
        panel.volunteers.filter(selected=False, response__in=Volunteer.LEFT).values_list("person_id", flat=True)
    )
    pool = pool.subset([i for i, pid in enumerate(pool.ids) if pid not in earlier])
    members = list(panel.volunteers.filter(selected=True).values_list("person_id", flat=True))
    try:
        request, dist = replace(pool, quotas, members, [v.person_id for v in gone], panel.method, progress)
    except InfeasibleQuotas as exc:
        raise InfeasibleQuotas(
            f"nobody left in the pool can fill the seats within the quotas (bounds below are what the members "
            f"who stay leave for the replacements): {exc}",
            exc.relaxations,
        ) from None
    published = _pseudonymous(panel, dist.to_json())
    pseudonym = dict(panel.volunteers.values_list("person_id", "pseudonym"))
    published["staying"] = sorted(pseudonym[pid] for pid in request.staying)
    published["dropped"] = [v.pseudonym for v in gone]
    with transaction.atomic():
        replacement = open_replacement(panel)
        before = None
        if replacement is None:
            number = panel.replacements.count() + 1
            replacement = Replacement(panel=panel, number=number, created_by=actor)
        else:
            before = {"dropped": json.loads(replacement.distribution_json)["dropped"]}
        replacement.seats = request.seats
        replacement.distribution_json = json.dumps(published)
        replacement.min_probability = published["min_probability"]
        replacement.save()
        record(
            actor,
            "panels.replacement_select",
            replacement,
            before=before,
            after={"dropped": published["dropped"], "seats": request.seats, "panels": len(published["panels"])},
        )
    return replacement


def hold_replacement_draw(actor, replacement: Replacement, seed: str) -> Replacement:
    """Pick the replacements with SHA-256 of the public seed, as the main draw (`lottery.draw`)."""
    if replacement.drawn:
        raise SortitionError("this replacement draw has already been held")
    if _computing(replacement.panel_id):
        raise SortitionError("the replacement chances are being recomputed; draw when they are published")
    panel = replacement.panel
    published = json.loads(replacement.distribution_json)
    if [v.pseudonym for v in leaving(panel)] != published["dropped"]:
        raise SortitionError(
            "the members' replies changed since the replacement chances were published: recompute them"
        )
    dist = lottery.parse_distribution(replacement.distribution_json.encode(), "published replacement distribution")
    result = lottery.draw(dist, seed)
    with transaction.atomic():
        replacement.seed = seed
        replacement.draw_result = result
        replacement.save(update_fields=["seed", "draw_result"])
        panel.volunteers.filter(pseudonym__in=published["dropped"]).update(selected=False)
        panel.volunteers.filter(pseudonym__in=result["panel"]).update(
            selected=True, response=Volunteer.Response.NO_REPLY, replacement=replacement
        )
        record(
            actor,
            "panels.replace",
            replacement,
            after={
                "seed": seed,
                "ticket": result["ticket"],
                "dropped": published["dropped"],
                "joined": result["panel"],
            },
        )
    return replacement
