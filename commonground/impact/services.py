"""Community impact assessments: record, place, publish (frozen), start new versions and review. The footprint
is worked out in `where`; responses and the public register have their own modules.

Every change is audit-logged with counts and references only: never a response's text or a person's name.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.models import RoleGrant
from commonground.accounts.roles import Capability, roles_allowed
from commonground.accounts.scopes import Scope
from commonground.audit.service import record
from commonground.impact.errors import ImpactError
from commonground.impact.models import Assessment, Engagement, FrozenVersion, Impact, Review, Version
from commonground.impact.where import footprint, lsoa_areas, resolve_where
from commonground.notify import services as notify
from commonground.places import services as places
from commonground.publicbodies import services as bodies


def today() -> dt.date:
    return timezone.localdate()


def profile_of(version: Version) -> dict:
    """The frozen profile of a published version, or today's for a draft."""
    return version.profile if version.is_published and version.profile else footprint(version.lsoa_codes)


# Records ----------------------------------------------------------------------------------------


def scope_of(assessment: Assessment) -> Scope:
    """Where an assessment lives: its body's councils, the councils and neighbourhoods it touches."""
    councils = set(bodies.scope_of(assessment.body).councils) | set(assessment.councils)
    draft = assessment.draft
    if draft is not None:
        councils |= {c.code for c in places.councils_of(lsoa_areas(draft.lsoa_codes))} if draft.lsoa_codes else set()
    return Scope.of(sorted(councils), assessment.neighbourhoods)


def _new_reference() -> str:
    year = today().year
    prefix = f"CIA-{year}-"
    taken = Assessment.objects.filter(reference__startswith=prefix).count()
    number = taken + 1
    while Assessment.objects.filter(reference=f"{prefix}{number:04d}").exists():
        number += 1
    return f"{prefix}{number:04d}"


WHERE_FIELDS = ("ward_codes", "lsoa_input", "district_codes", "postcodes", "points")
TEXT_FIELDS = ("title", "proposal", "decision_maker", "decision_due", "affected_communities", "evidence",
               "decision", "decision_reasons", "review_date", "change_note")  # fmt: skip


def _apply(version: Version, body, fields: dict) -> None:
    for name in TEXT_FIELDS:
        if name in fields:
            value = fields[name]
            if value is None and name not in ("decision_due", "review_date"):
                value = ""
            setattr(version, name, value)
    if not (version.title or "").strip():
        raise ImpactError("say what decision is under consideration")
    if any(name in fields for name in WHERE_FIELDS):
        for name in WHERE_FIELDS:
            setattr(version, name, list(fields.get(name, getattr(version, name)) or []))
        codes, notes = resolve_where(version.ward_codes, version.lsoa_input, version.district_codes,
                                     version.postcodes, [tuple(p) for p in version.points],
                                     list(body.councils.all()))  # fmt: skip
        version.lsoa_codes, version.where_notes = codes, notes
    if version.decision not in Version.Decision.values:
        raise ImpactError("choose a decision")


@transaction.atomic
def create(actor, body, **fields) -> Assessment:
    """A new assessment for `body` with its first draft (fields as on Version)."""
    if not bodies.acts_for(actor, body):
        raise ImpactError("you do not act for this body")
    assessment = Assessment.objects.create(body=body, reference=_new_reference(),
                                           created_by=actor if getattr(actor, "pk", None) else None)  # fmt: skip
    version = Version(assessment=assessment, number=1, proposal="")
    _apply(version, body, fields)
    version.save()
    assessment.councils = sorted(set(bodies.scope_of(body).councils))
    assessment.save(update_fields=["councils"])
    record(actor, "impact.create", assessment, object_label=assessment.reference,
           after={"body": body.slug, "version": 1, "lsoas": len(version.lsoa_codes)})  # fmt: skip
    return assessment


@transaction.atomic
def update(actor, version: Version, **fields) -> Version:
    if version.is_published:
        raise FrozenVersion(f"{version} is published and cannot change: start a new version")
    before = {"lsoas": len(version.lsoa_codes), "decision": version.decision}
    try:
        _apply(version, version.assessment.body, fields)
    except ImpactError:
        version.refresh_from_db()  # nothing half changed, in the database or in memory
        raise
    version.save()
    record(actor, "impact.update", version.assessment, object_label=version.assessment.reference,
           before=before, after={"version": version.number, "lsoas": len(version.lsoa_codes),
                                 "decision": version.decision, "fields": sorted(fields)})  # fmt: skip
    return version


@transaction.atomic
def add_impact(actor, version: Version, place: str, group: str, direction: str, description: str,
               mitigation: str = "") -> Impact:  # fmt: skip
    if not description.strip():
        raise ImpactError("describe the impact")
    if direction not in Impact.Direction.values:
        raise ImpactError("say whether the impact is positive, negative, mixed or not known yet")
    if group not in Impact.Group.values:
        raise ImpactError("choose who is affected")
    if direction in (Impact.Direction.NEGATIVE, Impact.Direction.MIXED) and not mitigation.strip():
        raise ImpactError("say how a negative impact will be avoided, reduced or justified (the mitigation)")
    label = place_label(version, place)
    impact = Impact.objects.create(version=version, place=place, place_label=label, group=group, direction=direction,
                                   description=description.strip(), mitigation=mitigation.strip())  # fmt: skip
    record(actor, "impact.add_impact", version.assessment, object_label=version.assessment.reference,
           after={"version": version.number, "impact": impact.pk, "direction": direction, "group": group,
                  "place": place})  # fmt: skip
    return impact


def place_choices(version: Version) -> list[tuple[str, str]]:
    """Where an impact may fall: everywhere, each neighbourhood and each ward the decision touches."""
    profile = profile_of(version)
    choices = [("", "Everywhere the decision touches")]
    choices += [(f"n:{h['slug']}", f"{h['name']} (neighbourhood)") for h in profile["neighbourhoods"]]
    choices += [(f"w:{w['code']}", f"{w['name']} (ward)") for w in profile["wards"]]
    return choices


def place_label(version: Version, place: str) -> str:
    labels = dict(place_choices(version))
    if place not in labels:
        raise ImpactError("choose a place the decision touches")
    return labels[place]


@transaction.atomic
def remove_impact(actor, impact: Impact) -> None:
    version = impact.version
    impact.delete()
    record(actor, "impact.remove_impact", version.assessment, object_label=version.assessment.reference,
           before={"version": version.number, "impact": impact.pk})  # fmt: skip


@transaction.atomic
def add_engagement(actor, version: Version, kind: str, what: str, held_on=None, link: str = "",
                   summary: str = "") -> Engagement:  # fmt: skip
    if not what.strip():
        raise ImpactError("say what engagement was done")
    if kind not in Engagement.Kind.values:
        raise ImpactError("choose the kind of engagement")
    link = link.strip()
    if link.lower().startswith(("javascript:", "data:", "vbscript:")):
        raise ImpactError("give a web address starting https:// or a reference")
    row = Engagement.objects.create(version=version, kind=kind, what=what.strip(), held_on=held_on, link=link,
                                    summary=summary.strip())  # fmt: skip
    record(actor, "impact.add_engagement", version.assessment, object_label=version.assessment.reference,
           after={"version": version.number, "engagement": row.pk, "kind": kind})  # fmt: skip
    return row


@transaction.atomic
def remove_engagement(actor, row: Engagement) -> None:
    version = row.version
    row.delete()
    record(actor, "impact.remove_engagement", version.assessment, object_label=version.assessment.reference,
           before={"version": version.number, "engagement": row.pk})  # fmt: skip


def engagement_logs(version: Version) -> list[tuple[str, str]]:
    """(neighbourhood, address) of the engagement log of each neighbourhood the decision touches."""
    return [
        (h["name"], reverse("neighbourhoods:engagement", args=[h["slug"]]))
        for h in profile_of(version)["neighbourhoods"]
    ]


def publish_problems(version: Version) -> list[str]:
    problems = []
    if not version.proposal.strip():
        problems.append("Describe the proposal")
    if not version.lsoa_codes:
        problems.append("Say where the decision lands: wards, LSOAs, districts, postcodes or sites")
    if not version.impacts.exists():
        problems.append("Record at least one impact, by place or group")
    if version.review_date is None:
        problems.append("Set a review date")
    elif version.review_date <= today():
        problems.append("Set a review date in the future")
    if version.decision != Version.Decision.UNDECIDED and not version.decision_reasons.strip():
        problems.append("Give the reasons for the decision")
    return problems


@transaction.atomic
def publish(actor, version: Version) -> Version:
    """Freeze the version with the places' profile as it stands today, and put it on the register."""
    version = Version.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ImpactError("this version is already published")
    problems = publish_problems(version)
    if problems:
        raise ImpactError("; ".join(problems))
    profile = footprint(version.lsoa_codes)
    version.profile = profile
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.status = Version.Status.PUBLISHED
    version.save()
    assessment = version.assessment
    assessment.published_version = version.number
    assessment.published_title = version.title
    assessment.published_at = version.published_at
    assessment.lsoas = profile["lsoa_codes"]
    assessment.wards = [w["code"] for w in profile["wards"]]
    assessment.neighbourhoods = [h["slug"] for h in profile["neighbourhoods"]]
    assessment.councils = sorted(
        set(bodies.scope_of(assessment.body).councils) | {c["code"] for c in profile["councils"]}
    )
    assessment.save()
    _announce(assessment, version)
    record(actor, "impact.publish", assessment, object_label=assessment.reference,
           after={"version": version.number, "lsoas": profile["lsoas"], "neighbourhoods": assessment.neighbourhoods,
                  "left_behind_neighbourhoods": len(profile["left_behind_neighbourhoods"]),
                  "decision": version.decision, "review_date": version.review_date})  # fmt: skip
    return version


def _link(path: str) -> str:
    return f"{settings.COMMONGROUND_SITE_URL}{path}"


def _announce(assessment: Assessment, version: Version) -> int:
    """Everyone following a neighbourhood the decision touches hears of the published version, once."""
    made = 0
    councils = sorted(set(assessment.councils))
    for hood in version.profile["neighbourhoods"]:
        made += notify.announce(
            f"neighbourhood:{hood['slug']}",
            f"A decision touching {hood['name']}: {version.title}",
            f"{assessment.body.name} has published a community impact assessment of “{version.title}” "
            f"(version {version.number}), which touches {hood['name']}. Read it and respond on the record at "
            f"{_link(assessment.get_absolute_url())}",
            about=assessment,
            scope=Scope.of(councils, [hood["slug"]]),
            dedupe_key=f"impact.published:{assessment.reference}:{version.number}:{hood['slug']}",
            template="impact.published",
        )
    return made


@transaction.atomic
def new_version(actor, assessment: Assessment, change_note: str) -> Version:
    """A new draft copied from the latest published version (its impacts and engagement too)."""
    if assessment.draft is not None:
        raise ImpactError("there is already a draft version: edit it")
    source = assessment.published
    if source is None:
        raise ImpactError("publish the first version before starting another")
    if not change_note.strip():
        raise ImpactError("say why there is a new version")
    fields = {f.name: getattr(source, f.name) for f in Version._meta.concrete_fields
              if f.name not in ("id", "assessment", "number", "status", "profile", "published_at", "published_by",
                                "updated_at", "change_note")}  # fmt: skip
    draft = Version.objects.create(
        assessment=assessment, number=source.number + 1, change_note=change_note.strip()[:300], **fields
    )
    for impact in source.impacts.all():
        Impact.objects.create(
            version=draft,
            place=impact.place,
            place_label=impact.place_label,
            group=impact.group,
            direction=impact.direction,
            description=impact.description,
            mitigation=impact.mitigation,
        )
    for row in source.engagement.all():
        Engagement.objects.create(version=draft, kind=row.kind, what=row.what, held_on=row.held_on, link=row.link,
                                  summary=row.summary)  # fmt: skip
    record(actor, "impact.new_version", assessment, object_label=assessment.reference,
           after={"version": draft.number, "from": source.number})  # fmt: skip
    return draft


# Reviews ----------------------------------------------------------------------------------------


def review_due_on(assessment: Assessment) -> dt.date | None:
    """When the decision is next due a review: the last review's next date, else the published version's."""
    last = assessment.reviews.order_by("-reviewed_on", "-id").first()
    if last is not None:
        return last.next_review
    version = assessment.published
    return version.review_date if version else None


def due_reviews(on: dt.date) -> list[dict]:
    """Published assessments whose review is due on or before `on`, most overdue first.

    This is the reminder list: the officer's page shows it, `commonground impact due-reviews` prints it,
    and `remind` (run daily by the worker) queues a notice from it to each of the body's reviewers."""
    due = []
    for assessment in Assessment.objects.exclude(published_version=None).select_related("body"):
        when = review_due_on(assessment)
        if when is not None and when <= on:
            due.append(
                {
                    "assessment": assessment,
                    "reference": assessment.reference,
                    "title": assessment.published_title,
                    "body": assessment.body,
                    "due": when,
                    "days_overdue": (on - when).days,
                }
            )
    return sorted(due, key=lambda d: (d["due"], d["reference"]))


REMIND_DAYS_BEFORE = 7


def reviewers(body) -> list:
    """Who is reminded of a body's reviews: the accounts named on it and the officers of the councils it
    serves (not site-wide roles, which would hear of every body's reviews)."""
    people = {u.pk: u for u in body.members.filter(is_active=True)}
    scopes = [f"council:{code}" for code in bodies.scope_of(body).councils]
    grants = RoleGrant.objects.filter(role__in=[r.value for r in roles_allowed(Capability.RUN_PROCESSES)],
                                      scope__in=scopes, user__is_active=True).select_related("user")  # fmt: skip
    for grant in grants:
        people.setdefault(grant.user_id, grant.user)
    return sorted(people.values(), key=lambda u: u.pk)


def remind(on: dt.date | None = None, days_before: int = REMIND_DAYS_BEFORE) -> int:
    """Queue a reminder to each reviewer of every review due within `days_before` days of `on` (or overdue),
    once per review date and person (the notify outbox delivers it). The worker runs this daily; returns
    how many notices were newly queued."""
    on = on or today()
    made = 0
    for due in due_reviews(on + dt.timedelta(days=days_before)):
        assessment, when = due["assessment"], due["due"]
        days = (when - on).days
        timing = f"is due on {when:%d %B %Y}" + (
            f" ({days} days away)" if days > 0 else " (overdue)" if days < 0 else ""
        )
        for person in reviewers(assessment.body):
            notice = notify.send(
                subject=f"Review due: {due['title']} ({assessment.reference})",
                body=f"The review of “{due['title']}” ({assessment.reference}) for {assessment.body.name} {timing}. "
                f"Look again at what the decision did to the places and people it touched, and record the review "
                f"at {_link(reverse('impact:review', args=[assessment.reference]))}",
                template="impact.review_due",
                email=person.email,
                name=person.full_name,
                role="officer",
                about=assessment,
                scope=scope_of(assessment),
                dedupe_key=f"impact.review:{assessment.reference}:{when.isoformat()}:{person.pk}",
            )
            made += notice.made
    return made


@transaction.atomic
def record_review(actor, assessment: Assessment, reviewed_on: dt.date, note: str, next_review=None) -> Review:
    if assessment.published is None:
        raise ImpactError("only a published assessment is reviewed")
    if not note.strip():
        raise ImpactError("say what the review found")
    if next_review is not None and next_review <= reviewed_on:
        raise ImpactError("the next review must come after this one")
    review = Review.objects.create(
        assessment=assessment,
        reviewed_on=reviewed_on,
        note=note.strip(),
        next_review=next_review,
        by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor, "impact.review", assessment, object_label=assessment.reference,
           after={"reviewed_on": reviewed_on, "next_review": next_review})  # fmt: skip
    return review
