"""A neighbourhood's plan: a 10-year vision, objectives from the published list of interventions tied to
wellbeing measures, a 4-year investment plan by year and source, and the engagement that shaped it.

Why versions: a plan the board approved or the public read must stay as it was. Only a draft changes; an
edit after approval starts the next draft version (a copy), and publishing stores the version exported
(`Plan.snapshot`), which the page, the PDF and the API then show. Every change is audit-logged.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from commonground.audit.service import record
from commonground.core import sections
from commonground.engine import population
from commonground.neighbourhoods import services
from commonground.neighbourhoods.models import (
    INVESTMENT_YEARS,
    BoardMember,
    Decision,
    EngagementEvent,
    Investment,
    Neighbourhood,
    Objective,
    Plan,
    StrategicObjective,
    financial_year,
)
from commonground.neighbourhoods.services import NeighbourhoodError, published
from commonground.places import services as places

# "a short 'vision statement' that articulates this vision (maximum 250 words)" (PfN 10-year vision checklist).
VISION_STATEMENT_WORDS = 250
OUTSIDE = "outside"  # engagement participants who live outside the neighbourhood
_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def words(text: str) -> int:
    return len(text.split())


def latest(neighbourhood: Neighbourhood) -> Plan | None:
    return neighbourhood.plans.order_by("-version").first()


def version_of(neighbourhood: Neighbourhood, number: int) -> Plan | None:
    """Version `number`, or None (also for numbers no database integer holds, as typed into an address)."""
    return neighbourhood.plans.filter(version=number).first() if 1 <= number < 2**31 else None


def latest_published(neighbourhood: Neighbourhood) -> Plan | None:
    return neighbourhood.plans.filter(status=Plan.Status.PUBLISHED).order_by("-version").first()


def _editable(plan: Plan) -> None:
    if plan.status != Plan.Status.DRAFT:
        raise NeighbourhoodError(
            f"version {plan.version} is {plan.get_status_display().lower()} and cannot change: edit a new draft"
        )


@transaction.atomic
def draft_for(actor, neighbourhood: Neighbourhood) -> Plan:
    """The plan's draft version, started (as a copy of the latest version, if any) when there is none."""
    Neighbourhood.objects.select_for_update().get(pk=neighbourhood.pk)
    previous = latest(neighbourhood)
    if previous is not None and previous.status == Plan.Status.DRAFT:
        return previous
    if previous is None:
        plan = Plan.objects.create(neighbourhood=neighbourhood, version=1, title=f"{neighbourhood.name} plan")
    else:
        plan = Plan.objects.create(
            neighbourhood=neighbourhood, version=previous.version + 1, title=previous.title,
            first_year=previous.first_year, local_context=previous.local_context, vision=previous.vision,
            vision_statement=previous.vision_statement, case_for_change=previous.case_for_change,
            next_ref=previous.next_ref,
        )  # fmt: skip
        copies = {}
        for old in previous.objectives.all():
            new = Objective.objects.create(plan=plan, ref=old.ref, title=old.title, description=old.description,
                                           theme_id=old.theme_id)  # fmt: skip
            new.strategic.set(old.strategic.all())
            new.measures.set(old.measures.all())
            new.engagement.set(old.engagement.all())
            copies[old.pk] = new
        Investment.objects.bulk_create(
            Investment(plan=plan, objective=copies.get(i.objective_id), year=i.year, source=i.source,
                       capital_pence=i.capital_pence, revenue_pence=i.revenue_pence, note=i.note)
            for i in previous.investments.all()
        )  # fmt: skip
    record(actor, "neighbourhoods.plan_draft", plan,
           after={"version": plan.version, "copied_from": previous.version if previous else None})  # fmt: skip
    return plan


@transaction.atomic
def update_vision(actor, plan: Plan, *, title: str, first_year: int, local_context: str, vision: str,
                  vision_statement: str, case_for_change: str) -> Plan:  # fmt: skip
    _editable(plan)
    if not title.strip():
        raise NeighbourhoodError("give the plan a title")
    if words(vision_statement) > VISION_STATEMENT_WORDS:
        raise NeighbourhoodError(
            f"the vision statement has {words(vision_statement)} words: it can have at most {VISION_STATEMENT_WORDS}"
        )
    years = {financial_year(first_year + i) for i in range(INVESTMENT_YEARS)}
    stranded = sorted(set(plan.investments.values_list("year", flat=True)) - years)
    if stranded:
        raise NeighbourhoodError(f"money is planned in {', '.join(stranded)}: move or remove it first")
    fields = {"title": title.strip(), "first_year": first_year, "local_context": local_context.strip(),
              "vision": vision.strip(), "vision_statement": vision_statement.strip(),
              "case_for_change": case_for_change.strip()}  # fmt: skip
    changed = sorted(k for k, v in fields.items() if getattr(plan, k) != v)
    for key, value in fields.items():
        setattr(plan, key, value)
    plan.save(update_fields=[*fields, "updated_at"])
    record(actor, "neighbourhoods.plan_vision", plan,
           after={"changed": changed, "vision_statement_words": words(plan.vision_statement)})  # fmt: skip
    return plan


@transaction.atomic
def save_objective(actor, plan: Plan, *, title: str, description: str, theme, strategic, measures,
                   objective: Objective | None = None) -> Objective:  # fmt: skip
    """An objective chosen from the list of interventions (theme None: off the list, so a business case is
    needed), the strategic objectives it serves and the wellbeing measures that should show it working."""
    _editable(plan)
    if not title.strip():
        raise NeighbourhoodError("give the objective a title")
    if objective is None:
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        objective = Objective(plan=plan, ref=plan.next_ref)  # never reused, so filed projects stay put
        plan.next_ref += 1
        plan.save(update_fields=["next_ref"])
    elif objective.plan_id != plan.pk:
        raise NeighbourhoodError("that objective belongs to another version")
    objective.title, objective.description, objective.theme = title.strip(), description.strip(), theme
    objective.save()
    objective.strategic.set(strategic)
    objective.measures.set(measures)
    record(actor, "neighbourhoods.plan_objective", plan, after={
        "ref": objective.ref, "theme": theme.code if theme else None,
        "strategic": sorted(s.code for s in strategic), "measures": sorted(m.slug for m in measures),
    })  # fmt: skip
    return objective


@transaction.atomic
def remove_objective(actor, objective: Objective) -> None:
    _editable(objective.plan)
    if objective.investments.exists():
        raise NeighbourhoodError(f"objective {objective.ref} has money planned: move or remove it first")
    objective.delete()
    record(actor, "neighbourhoods.plan_objective_remove", objective.plan, before={"ref": objective.ref})


@transaction.atomic
def add_investment(actor, plan: Plan, *, objective: Objective | None, year: str, source: str, capital_pence: int,
                   revenue_pence: int, note: str = "") -> Investment:  # fmt: skip
    _editable(plan)
    if year not in plan.years:
        raise NeighbourhoodError(f"the investment plan covers {plan.years[0]} to {plan.years[-1]}, not {year}")
    if source not in Investment.Source.values:
        raise NeighbourhoodError(f"source must be one of {', '.join(Investment.Source.values)}")
    if capital_pence < 0 or revenue_pence < 0 or capital_pence + revenue_pence == 0:
        raise NeighbourhoodError("enter the capital or revenue money, or both")
    if objective is not None and objective.plan_id != plan.pk:
        raise NeighbourhoodError("that objective belongs to another version")
    line = Investment.objects.create(
        plan=plan, objective=objective, year=year, source=source, capital_pence=capital_pence,
        revenue_pence=revenue_pence, note=note.strip(),
    )  # fmt: skip
    record(actor, "neighbourhoods.plan_investment", plan, after={
        "line": line.pk, "objective": objective.ref if objective else None, "year": year, "source": source,
        "capital_pence": capital_pence, "revenue_pence": revenue_pence,
    })  # fmt: skip
    return line


@transaction.atomic
def remove_investment(actor, line: Investment) -> None:
    _editable(line.plan)
    line.delete()
    total = line.capital_pence + line.revenue_pence
    record(actor, "neighbourhoods.plan_investment_remove", line.plan,
           before={"year": line.year, "source": line.source, "total_pence": total})  # fmt: skip


def chair_of(neighbourhood: Neighbourhood, on: dt.date) -> BoardMember | None:
    return (
        BoardMember.objects.filter(board__neighbourhood=neighbourhood, seat=BoardMember.Seat.INDEPENDENT_CHAIR)
        .serving(on)
        .first()
    )


@transaction.atomic
def approve(actor, plan: Plan, *, decision: Decision | None = None, chair_on: dt.date | None = None) -> Plan:
    """The board's approval: an agreed decision of one of its meetings, or the serving chair's own approval
    (signed in as themselves). The approved version is frozen."""
    _editable(plan)
    if (decision is None) == (chair_on is None):
        raise NeighbourhoodError("approve by a board decision or as the chair, not both")
    if not plan.vision_statement or not plan.objectives.exists():
        raise NeighbourhoodError("a plan needs a vision statement and at least one objective before approval")
    if decision is not None:
        if decision.meeting.board.neighbourhood_id != plan.neighbourhood_id:
            raise NeighbourhoodError("that decision was made by another neighbourhood's board")
        if decision.outcome != Decision.Outcome.AGREED:
            raise NeighbourhoodError("that decision was not agreed")
        plan.approved_by_decision, plan.approved_on = decision, decision.meeting.held_on
    else:
        chair = chair_of(plan.neighbourhood, chair_on)
        if chair is None or chair.user_id is None or chair.user_id != getattr(actor, "pk", None):
            raise NeighbourhoodError("only the independent chair serving that day, signed in, can approve as chair")
        if chair_on > timezone.localdate():
            raise NeighbourhoodError("an approval cannot be dated in the future")
        plan.approved_by_chair, plan.approved_on = chair, chair_on
    plan.status = Plan.Status.APPROVED
    plan.save(update_fields=["status", "approved_on", "approved_by_decision", "approved_by_chair", "updated_at"])
    record(actor, "neighbourhoods.plan_approve", plan, after={
        "version": plan.version, "on": plan.approved_on.isoformat(),
        "decision": decision.pk if decision else None, "chair": plan.approved_by_chair_id,
    })  # fmt: skip
    return plan


@transaction.atomic
def publish(actor, plan: Plan) -> Plan:
    """Publish an approved version as it stands: its export is stored and shown from then on."""
    if plan.status != Plan.Status.APPROVED:
        raise NeighbourhoodError("only a version the board has approved can be published")
    plan.status, plan.published_at = Plan.Status.PUBLISHED, timezone.now()
    plan.snapshot = export(plan)
    plan.save(update_fields=["status", "published_at", "snapshot", "updated_at"])
    record(actor, "neighbourhoods.plan_publish", plan, after={"version": plan.version})
    published.send(Plan, kind="plan", obj=plan)
    return plan


def document(plan: Plan) -> dict:
    """The version as people read it: as published, or (a draft or approved version) as it stands now."""
    return plan.snapshot if plan.status == Plan.Status.PUBLISHED and plan.snapshot else export(plan)


# Engagement -------------------------------------------------------------------------------------------------


def area_keys(neighbourhood: Neighbourhood) -> list[tuple[str, str]]:
    """(key, label) of the places engagement participants are counted by: its LSOAs, then outside it."""
    return [(a.code, f"{a.name} ({a.code})") for a in services.areas_of(neighbourhood)] + [
        (OUTSIDE, "Outside the neighbourhood")
    ]


@transaction.atomic
def save_event(actor, neighbourhood: Neighbourhood, *, kind: str, held_on: dt.date, place: str, participants: int,
               ages: dict[str, int], areas: dict[str, int], heard: str, changed: str = "", objectives=(),
               event: EngagementEvent | None = None) -> EngagementEvent:  # fmt: skip
    """An engagement event with counts of who took part (by age band, by area; no names) and what changed."""
    if kind not in EngagementEvent.Kind.values:
        raise NeighbourhoodError(f"kind must be one of {', '.join(EngagementEvent.Kind.values)}")
    if held_on > timezone.localdate():
        raise NeighbourhoodError("record an event once it has happened")
    if not heard.strip():
        raise NeighbourhoodError("say what people said")
    bands = {b.key for b in population.AGE.bands}
    places_known = {k for k, _ in area_keys(neighbourhood)}
    if set(ages) - bands or set(areas) - places_known:
        raise NeighbourhoodError("count people by the neighbourhood's age bands and areas only")
    if any(n < 0 for n in [participants, *ages.values(), *areas.values()]):
        raise NeighbourhoodError("counts cannot be negative")
    for what, counts in (("age bands", ages), ("areas", areas)):
        if sum(counts.values()) > participants:
            raise NeighbourhoodError(f"the counts by {what} add up to more than the {participants} who took part")
    objectives = list(objectives)
    if any(o.plan.neighbourhood_id != neighbourhood.pk for o in objectives):
        raise NeighbourhoodError("that objective belongs to another neighbourhood's plan")
    event = event or EngagementEvent(neighbourhood=neighbourhood)
    before = {"participants": event.participants, "ages": event.ages, "areas": event.areas} if event.pk else None
    event.kind, event.held_on, event.place, event.participants = kind, held_on, place.strip(), participants
    event.ages = {k: v for k, v in ages.items() if v}
    event.areas = {k: v for k, v in areas.items() if v}
    event.heard, event.changed = heard.strip(), changed.strip()
    event.save()
    event.objectives.set(objectives)
    record(actor, "neighbourhoods.engagement", event, before=before, after={
        "kind": kind, "held_on": held_on.isoformat(), "participants": participants, "ages": event.ages,
        "areas": event.areas, "objectives": sorted(o.ref for o in objectives),
    })  # fmt: skip
    return event


def people(neighbourhood: Neighbourhood) -> dict:
    """Its residents by age band (None unless every LSOA has population figures) and by LSOA."""
    areas = services.areas_of(neighbourhood)
    ages = dict.fromkeys((b.key for b in population.AGE.bands), 0)
    for area in areas:
        profile = places.population_profile(area)
        if profile is None:
            ages = None
            break
        for band in next(g["bands"] for g in profile["groups"] if g["key"] == population.AGE.key):
            ages[band["key"]] += band["count"]
    return {"ages": ages if areas else None, "areas": {a.code: a.population or 0 for a in areas}}


def _shares(taken: dict[str, int], living: dict[str, int] | None) -> dict[str, tuple[float | None, float | None]]:
    known, total = sum(taken.values()), sum((living or {}).values())
    return {
        key: (n / known if known else None, living[key] / total if living and total else None)
        for key, n in taken.items()
    }


def engagement_summary(neighbourhood: Neighbourhood) -> dict:
    """Everyone who took part, by age band and by area, against the neighbourhood's own population: who the
    plan has heard from, and who it has not."""
    events = list(neighbourhood.engagement.all())
    living = people(neighbourhood)
    ages = {b.key: sum(e.ages.get(b.key, 0) for e in events) for b in population.AGE.bands}
    keys = area_keys(neighbourhood)
    areas = {k: sum(e.areas.get(k, 0) for e in events) for k, _ in keys if k != OUTSIDE}
    outside = sum(e.areas.get(OUTSIDE, 0) for e in events)
    age_shares, area_shares = _shares(ages, living["ages"]), _shares(areas, living["areas"])
    total = sum(e.participants for e in events)
    return {
        "events": len(events),
        "participants": total,
        "has_population": living["ages"] is not None,
        "ages": [{"key": b.key, "label": b.label, "participants": ages[b.key],
                  "participant_share": age_shares[b.key][0], "population_share": age_shares[b.key][1]}
                 for b in population.AGE.bands],
        "areas": [{"key": k, "label": label, "participants": areas[k],
                   "participant_share": area_shares[k][0], "population_share": area_shares[k][1]}
                  for k, label in keys if k != OUTSIDE],
        "outside": outside,
        "age_not_known": total - sum(ages.values()),
        "area_not_known": total - sum(areas.values()) - outside,
    }  # fmt: skip


# Export -----------------------------------------------------------------------------------------------------


def _money(lines: list[Investment]) -> dict:
    capital, revenue = sum(i.capital_pence for i in lines), sum(i.revenue_pence for i in lines)
    return {"capital_pence": capital, "revenue_pence": revenue, "total_pence": capital + revenue}


def _grouped(lines: list[Investment], key) -> dict[str, list[Investment]]:
    found: dict[str, list[Investment]] = {}
    for line in lines:
        found.setdefault(key(line), []).append(line)
    return found


def _approval(plan: Plan) -> dict | None:
    if plan.approved_on is None:
        return None
    decision = plan.approved_by_decision
    return {
        "on": plan.approved_on.isoformat(),
        "by": "board_decision" if decision else "chair",
        "decision": {
            "meeting": decision.meeting.title, "held_on": decision.meeting.held_on.isoformat(),
            "number": decision.number, "title": decision.title,
            "url": reverse("neighbourhoods:meeting", args=[plan.neighbourhood.slug, decision.meeting_id]),
        } if decision else None,
    }  # fmt: skip


def export(plan: Plan) -> dict:
    """The version as one JSON-ready document: what the API returns, the PDF prints and publishing freezes."""
    neighbourhood = plan.neighbourhood
    objectives = list(plan.objectives.select_related("theme").prefetch_related("strategic", "measures", "engagement"))
    lines = list(plan.investments.select_related("objective"))
    events = list(neighbourhood.engagement.prefetch_related("objectives"))
    refs = {o.pk: o.ref for o in objectives}
    sources = dict(Investment.Source.choices)
    first, last = plan.horizon
    return {
        "neighbourhood": {"slug": neighbourhood.slug, "name": neighbourhood.name, "is_demo": neighbourhood.is_demo,
                          "councils": sorted(neighbourhood.councils.values_list("code", flat=True))},
        "version": plan.version,
        "status": plan.status,
        "title": plan.title,
        "approval": _approval(plan),
        "published_at": plan.published_at.isoformat() if plan.published_at else None,
        "horizon": {"first": first, "last": last},
        "investment_years": plan.years,
        "local_context": plan.local_context,
        "vision": plan.vision,
        "vision_statement": plan.vision_statement,
        "vision_statement_words": words(plan.vision_statement),
        "case_for_change": plan.case_for_change,
        "strategic_objectives": [{"code": s.code, "name": s.name} for s in StrategicObjective.objects.all()],
        "objectives": [
            {
                "ref": o.ref, "title": o.title, "description": o.description,
                "theme": {"code": o.theme.code, "name": o.theme.name} if o.theme else None,
                "business_case_needed": o.theme is None,
                "strategic_objectives": [{"code": s.code, "name": s.name} for s in o.strategic.all()],
                "measures": [{"slug": m.slug, "name": m.name} for m in o.measures.all()],
                **_money([i for i in lines if i.objective_id == o.pk]),
                "engagement": sorted(e.pk for e in o.engagement.all()),
            }
            for o in objectives
        ],
        "investment": {
            "lines": [{"objective": refs.get(i.objective_id), "year": i.year, "source": i.source,
                       "source_label": sources[i.source], **_money([i]), "note": i.note} for i in lines],
            "by_year": [{"year": year, **_money(group)} for year, group in _grouped(lines, lambda i: i.year).items()],
            "by_source": [{"source": source, "source_label": sources[source], **_money(group)}
                          for source, group in sorted(_grouped(lines, lambda i: i.source).items(),
                                                      key=lambda item: Investment.Source.values.index(item[0]))],
            **_money(lines),
        },
        "engagement": {
            "events": [{"id": e.pk, "kind": e.kind, "kind_label": e.get_kind_display(),
                        "held_on": e.held_on.isoformat(), "place": e.place, "participants": e.participants,
                        "ages": e.ages, "areas": e.areas,
                        "heard": e.heard, "changed": e.changed,
                        "objectives": sorted(refs[o.pk] for o in e.objectives.all() if o.pk in refs)}
                       for e in events],
            "summary": engagement_summary(neighbourhood),
        },
        "pdf": reverse("neighbourhoods:plan-pdf", args=[neighbourhood.slug, plan.version]),
    }  # fmt: skip


def delivery(neighbourhood: Neighbourhood) -> dict[int | None, list[dict]]:
    """Funded projects other apps report here, by the objective ref they are filed under (None: no objective)."""
    found: dict[int | None, list[dict]] = {}
    for item in sections.neighbourhood_delivery(neighbourhood):
        found.setdefault(item.get("objective"), []).append(item)
    return found


def render_pdf(document: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string("neighbourhoods/plan_pdf.html", {"plan": document})).write_pdf()
