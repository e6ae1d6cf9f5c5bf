"""Community impact assessments: record, place, publish (frozen), respond, answer, moderate, review.

Where a decision lands is worked out from what the body gives: wards, LSOAs or districts chosen, service
sites given as postcodes (through the loaded ONS postcode lookup) or as latitude and longitude (the LSOA
whose boundary contains the point). From those LSOAs come the wards and the neighbourhoods it touches and
their profile: population by age and sex, deprivation, community need and left-behind status.

Every change is audit-logged with counts and references only: never a response's text or a person's name.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.models import RoleGrant
from commonground.accounts.roles import Capability, Role, roles_allowed
from commonground.accounts.scopes import Scope
from commonground.audit.service import record
from commonground.engine import geometry, population
from commonground.impact.models import Assessment, Engagement, FrozenVersion, Impact, Response, Review, Version
from commonground.neighbourhoods import services as neighbourhoods
from commonground.notify import services as notify
from commonground.places import services as places
from commonground.places.models import Area, AreaType, AreaValue
from commonground.publicbodies import services as bodies

_CODE = re.compile(r"^[A-Z]\d{8}$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
MAX_PLACES = 2000

__all__ = ["FrozenVersion", "ImpactError"]


class ImpactError(ValueError):
    """An assessment that cannot be changed as asked; the message says why in plain words."""


def today() -> dt.date:
    return timezone.localdate()


# Where ----------------------------------------------------------------------------------------


def normalise_postcode(text: str) -> str:
    """A postcode in its published form ("XX1 1AN"); ImpactError when it cannot be one."""
    compact = re.sub(r"\s+", "", text.upper())
    if not _POSTCODE.match(compact):
        raise ImpactError(f"{text.strip()!r} is not a postcode")
    return f"{compact[:-3]} {compact[-3:]}"


def _prefer_vintage(areas: list[Area]) -> dict[str, Area]:
    """One Area per LSOA code, of the most preferred vintage loaded."""
    order = {v: i for i, v in enumerate(places.LSOA_VINTAGES)}
    chosen: dict[str, Area] = {}
    for area in sorted(areas, key=lambda a: order.get(a.area_type.code, 99)):
        chosen.setdefault(area.code, area)
    return chosen


def _lsoas_by_level(codes: list[str], level: str, label: str) -> list[Area]:
    found = []
    for code in codes:
        area = (
            Area.objects.filter(code=code, area_type__level=level)
            .select_related("area_type")
            .order_by("-area_type_id")
            .first()
        )
        if area is None:
            raise ImpactError(f"no loaded {label} has the code {code}")
        found += places.lsoas_of(area)
    return found


def _point_lsoa(latitude: float, longitude: float, councils: list[Area]) -> Area | None:
    ids: set[int] = set()
    for council in councils:
        ids |= places.lsoa_ids_within(council)
    candidates = Area.objects.filter(area_type__level=AreaType.Level.LSOA).exclude(geometry="")
    if ids:
        candidates = candidates.filter(pk__in=ids)
    for area in candidates.select_related("area_type").iterator(chunk_size=500):
        shape = json.loads(area.geometry)
        west, south, east, north = geometry.bounds(shape)
        if west <= longitude <= east and south <= latitude <= north and geometry.contains(shape, longitude, latitude):
            return area
    return None


def resolve_where(
    wards=(), lsoas=(), districts=(), postcodes=(), points=(), councils=()
) -> tuple[list[str], list[str]]:
    """The LSOA codes a decision touches, sorted, and a note of how each postcode or point was placed.

    Raises ImpactError naming the first code, postcode or point that cannot be placed."""
    found: list[Area] = []
    notes: list[str] = []
    for code in lsoas:
        areas = list(Area.objects.filter(code=code, area_type__level=AreaType.Level.LSOA).select_related("area_type"))
        if not areas:
            raise ImpactError(f"no loaded LSOA has the code {code}")
        found += areas
    found += _lsoas_by_level(list(wards), AreaType.Level.WARD, "ward")
    found += _lsoas_by_level(list(districts), AreaType.Level.LOCAL_AUTHORITY, "district or council")
    for postcode in postcodes:
        ids = places.postcode_lsoa_ids(postcode)
        if not ids:
            raise ImpactError(f"the postcode {postcode} is not in the loaded postcode lookup (live postcodes only)")
        areas = list(Area.objects.filter(pk__in=ids).select_related("area_type"))
        best = next(iter(_prefer_vintage(areas).values()))
        found.append(best)
        notes.append(f"Postcode {postcode} is in LSOA {best.code} ({best.name})")
    council_areas = list(councils)
    for latitude, longitude in points:
        area = _point_lsoa(latitude, longitude, council_areas)
        if area is None:
            raise ImpactError(f"no loaded LSOA boundary contains the point {latitude}, {longitude}")
        found.append(area)
        notes.append(f"The site at {latitude}, {longitude} is in LSOA {area.code} ({area.name})")
    codes = sorted(_prefer_vintage(found))
    if len(codes) > MAX_PLACES:
        raise ImpactError(f"the decision touches {len(codes):,} LSOAs: assess it in parts of at most {MAX_PLACES:,}")
    return codes, notes


def parse_codes(text: str, what: str) -> list[str]:
    codes = [c.upper() for c in re.split(r"[\s,;]+", text or "") if c]
    bad = [c for c in codes if not _CODE.match(c)]
    if bad:
        raise ImpactError(f"{bad[0]} is not {what} code: codes are a letter and 8 digits, like E05000650")
    return sorted(set(codes))


def parse_postcodes(text: str) -> list[str]:
    return sorted({normalise_postcode(p) for p in re.split(r"[\n,;]+", text or "") if p.strip()})


def parse_points(text: str) -> list[list[float]]:
    """Lines of "latitude, longitude" as numbers in range."""
    points = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p for p in re.split(r"[\s,;]+", line.strip()) if p]
        try:
            latitude, longitude = (float(p) for p in parts)
        except ValueError:
            raise ImpactError(f"{line.strip()!r} is not a latitude and longitude, like 53.4794, -2.2453") from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ImpactError(f"{line.strip()!r} is out of range: latitude first (-90 to 90), then longitude")
        points.append([latitude, longitude])
    return points


# Profile --------------------------------------------------------------------------------------


def _lsoa_areas(codes: list[str]) -> list[Area]:
    areas = list(
        Area.objects.filter(code__in=codes, area_type__level=AreaType.Level.LSOA).select_related(
            "area_type", "parent__area_type"
        )
    )
    return list(_prefer_vintage(areas).values())


def _population(areas: list[Area]) -> dict | None:
    """People by age band and sex, summed over LSOAs (None unless every LSOA has the population bands)."""
    if not areas:
        return None
    slugs = [b.slug for b in population.BANDS]
    rows = AreaValue.objects.filter(area_id__in=[a.pk for a in areas], measure__slug__in=slugs).values_list(
        "area_id", "measure__slug", "value"
    )
    counts: dict[str, float] = defaultdict(float)
    seen: dict[int, int] = defaultdict(int)
    for area_id, slug, value in rows:
        counts[slug] += value
        seen[area_id] += 1
    if len(seen) < len(areas) or any(n < len(slugs) for n in seen.values()):
        return None
    groups = []
    for group in population.GROUPS:
        total = sum(counts[b.slug] for b in group.bands) or 1
        groups.append(
            {
                "key": group.key,
                "label": group.label,
                "bands": [
                    {"label": b.label, "count": int(counts[b.slug]), "share": round(counts[b.slug] / total, 4)}
                    for b in group.bands
                ],
            }
        )
    return {"total": int(sum(counts[b.slug] for b in population.AGE.bands)), "groups": groups}


def _ward_row(ward: Area, touched: int) -> dict:
    grouped = places.figures(ward)
    imd = places.deprivation(ward, grouped)
    need = places.community_need(ward, grouped)
    return {
        "code": ward.code, "name": ward.name, "url": ward.get_absolute_url(), "population": ward.population,
        "lsoas_touched": touched, "lsoas_total": len(places.lsoa_ids_within(ward)),
        "imd_decile": imd["decile"] if imd else None, "imd_rank": imd["rank"] if imd else None,
        "imd_of": imd["of"] if imd else None, "cni_rank": need["rank"] if need else None,
        "cni_of": need["of"] if need else None,
        "left_behind": need["left_behind"] if need else None,
        "left_behind_reason": places.left_behind_reason(ward, imd, need),
    }  # fmt: skip


def _neighbourhood_row(n, codes: set[str], wards: dict[str, dict]) -> dict:
    summary = neighbourhoods.profile(n)
    areas = neighbourhoods.areas_of(n)
    lsoas_here = [a for a in areas if a.code in codes]
    in_left_behind = []
    people_left_behind = 0
    for area in areas:
        parent = area.parent
        if parent is None:
            continue
        if parent.code not in wards:
            wards[parent.code] = _ward_row(parent, 0)
        if wards[parent.code]["left_behind"]:
            people_left_behind += area.population or 0
            if wards[parent.code]["name"] not in in_left_behind:
                in_left_behind.append(wards[parent.code]["name"])
    total = summary["population"] or 0
    return {
        "slug": n.slug, "name": n.name, "url": n.get_absolute_url(), "population": total,
        "lsoas_touched": len(lsoas_here), "lsoas_total": len(areas),
        "people_touched": sum(a.population or 0 for a in lsoas_here),
        "imd_score": summary["imd_score"], "imd_dataset": summary["dataset"].name if summary["dataset"] else None,
        "share_most_deprived_lsoas": summary["share_most_deprived_lsoas"],
        "left_behind": bool(in_left_behind), "left_behind_wards": in_left_behind,
        "left_behind_share": round(people_left_behind / total, 4) if total else None,
        "population_groups": _population(areas),
    }  # fmt: skip


def footprint(codes: list[str]) -> dict:
    """The profile of the places a decision touches: its LSOAs, wards and neighbourhoods, explained."""
    areas = _lsoa_areas(codes)
    code_set = {a.code for a in areas}
    summary = places.summary_of(areas) if areas else {"population": 0, "imd_score": None, "dataset": None}
    by_ward: dict[int, list[Area]] = defaultdict(list)
    for area in areas:
        if area.parent is not None and area.parent.area_type.level == AreaType.Level.WARD:
            by_ward[area.parent_id].append(area)
    ward_rows: dict[str, dict] = {}
    ward_areas = {a.pk: a for a in Area.objects.filter(pk__in=by_ward).select_related("area_type", "parent")}
    for ward_id, inside in by_ward.items():
        ward = ward_areas[ward_id]
        ward_rows[ward.code] = _ward_row(ward, len(inside))
    touched_wards = [ward_rows[c] for c in sorted(ward_rows, key=lambda c: ward_rows[c]["name"])]
    found = {}
    for ward_id in by_ward:
        for n in neighbourhoods.overlapping(ward_areas[ward_id]):
            boundary = n.boundary
            if boundary is not None and code_set & set(boundary.lsoas):
                found[n.slug] = n
    all_wards = dict(ward_rows)
    hoods = [_neighbourhood_row(found[s], code_set, all_wards) for s in sorted(found, key=lambda s: found[s].name)]
    councils = places.councils_of(areas) if areas else []
    return {
        "lsoas": len(areas),
        "lsoa_codes": sorted(code_set),
        "population": summary["population"],
        "imd_score": summary.get("imd_score"),
        "imd_dataset": summary["dataset"].name if summary.get("dataset") else None,
        "population_groups": _population(areas),
        "wards": touched_wards,
        "neighbourhoods": hoods,
        "left_behind_neighbourhoods": [h["name"] for h in hoods if h["left_behind"]],
        "left_behind_wards": [w["name"] for w in touched_wards if w["left_behind"]],
        "councils": [{"code": c.code, "name": c.name} for c in councils],
        "is_demo": bool(areas) and all(a.is_demo for a in areas),
        "computed_at": timezone.now().isoformat(timespec="seconds"),
    }


def profile_of(version: Version) -> dict:
    """The frozen profile of a published version, or today's for a draft."""
    return version.profile if version.is_published and version.profile else footprint(version.lsoa_codes)


# Records ----------------------------------------------------------------------------------------


def scope_of(assessment: Assessment) -> Scope:
    """Where an assessment lives: its body's councils, the councils and neighbourhoods it touches."""
    councils = set(bodies.scope_of(assessment.body).councils) | set(assessment.councils)
    draft = assessment.draft
    if draft is not None:
        councils |= {c.code for c in places.councils_of(_lsoa_areas(draft.lsoa_codes))} if draft.lsoa_codes else set()
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


def board_choices(user, assessment: Assessment) -> list[tuple[str, str]]:
    """Neighbourhoods the decision touches whose board this person sits on (they may respond for it)."""
    version = assessment.published
    if version is None or not getattr(user, "is_authenticated", False):
        return []
    found = []
    for hood in (version.profile or {}).get("neighbourhoods", []):
        where = Scope.of([], [hood["slug"]])
        if any(g.role == Role.BOARD_MEMBER and g.covers(where) for g in user.grants):
            found.append((hood["slug"], hood["name"]))
    return found


@transaction.atomic
def respond(actor, assessment: Assessment, text: str, board: str = "") -> Response:
    """A public response on the record, signed by the account (for a board the person sits on)."""
    version = assessment.published
    if version is None:
        raise ImpactError("responses open when the assessment is published")
    text = text.strip()
    if not text:
        raise ImpactError("write your response")
    if len(text) > 10_000:
        raise ImpactError("keep your response under 10,000 characters")
    boards = dict(board_choices(actor, assessment))
    if board and board not in boards:
        raise ImpactError("you can respond only for the board of a neighbourhood you sit on")
    response = Response.objects.create(assessment=assessment, version=version, author=actor,
                                       signed_as=(actor.full_name or f"Account {actor.pk}")[:200], board=board,
                                       board_name=boards.get(board, ""), text=text)  # fmt: skip
    record(actor, "impact.respond", response, after={"assessment": assessment.reference, "version": version.number,
                                                     "board": board, "length": len(text)})  # fmt: skip
    return response


@transaction.atomic
def hide_response(actor, response: Response, reason: str) -> Response:
    reason = reason.strip()
    if not reason:
        raise ImpactError("say why the response is hidden (the reason is shown in its place)")
    if response.hidden:
        raise ImpactError("this response is already hidden")
    response.hidden, response.hidden_reason, response.hidden_at = True, reason[:300], timezone.now()
    response.hidden_by = actor if getattr(actor, "pk", None) else None
    response.save()
    record(actor, "impact.hide_response", response, after={"assessment": response.assessment.reference,
                                                          "reason": response.hidden_reason})  # fmt: skip
    return response


@transaction.atomic
def answer(actor, response: Response, text: str) -> Response:
    """The body's answer: what it did about what was said."""
    text = text.strip()
    if not text:
        raise ImpactError("say what the body did about this response")
    if response.hidden:
        raise ImpactError("a hidden response cannot be answered")
    before = {"answered": bool(response.answer)}
    response.answer, response.answered_at = text, timezone.now()
    response.answered_by = actor if getattr(actor, "pk", None) else None
    response.save()
    record(actor, "impact.answer", response, before=before,
           after={"assessment": response.assessment.reference, "length": len(text)})  # fmt: skip
    return response


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


# Register ---------------------------------------------------------------------------------------


def register(query: str = "", body: str = "", neighbourhood: str = "", ward: str = "", decision: str = ""):
    """Published assessments matching the filters, newest first."""
    found = Assessment.objects.exclude(published_version=None).select_related("body").order_by("-published_at")
    if query:
        found = found.filter(
            Q(published_title__icontains=query)
            | Q(reference__iexact=query)
            | Q(body__name__icontains=query)
            | Q(versions__status=Version.Status.PUBLISHED, versions__proposal__icontains=query)
        ).distinct()
    if body:
        found = found.filter(body__slug=body)
    rows = list(found)
    if neighbourhood:
        rows = [a for a in rows if neighbourhood in a.neighbourhoods]
    if ward:
        rows = [a for a in rows if ward.upper() in a.wards]
    if decision:
        rows = [a for a in rows if (a.published and a.published.decision == decision)]
    return rows


def register_bodies() -> list:
    """The bodies with published assessments, for the register's filter."""
    found = {a.body.pk: a.body for a in Assessment.objects.exclude(published_version=None).select_related("body")}
    return sorted(found.values(), key=lambda b: b.name)


def touching(codes: set[str]) -> list[Assessment]:
    """Published assessments whose footprint shares an LSOA with `codes`."""
    return [
        a for a in Assessment.objects.exclude(published_version=None).order_by("-published_at") if codes & set(a.lsoas)
    ]


def geojson(codes: list[str], properties: dict | None = None) -> dict:
    """The LSOAs as a FeatureCollection with their IMD decile, for the maps."""
    areas = [a for a in _lsoa_areas(codes) if a.geometry]
    deciles = dict(
        AreaValue.objects.filter(
            area_id__in=[a.pk for a in areas],
            measure__slug="imd_decile",
            measure__dataset__slug__in=places.INDEX_DATASETS,
        ).values_list("area_id", "value")
    )
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(a.geometry),
         "properties": {"code": a.code, "name": a.name, "imd_decile": int(deciles[a.pk]) if a.pk in deciles else None,
                        **(properties or {})}}
        for a in areas
    ]}  # fmt: skip


def register_geojson(assessments: list[Assessment]) -> dict:
    features = []
    for assessment in assessments[:200]:
        data = geojson(assessment.lsoas, {"assessment": assessment.reference, "title": assessment.published_title})
        for feature in data["features"]:
            feature["properties"]["name"] = f"{assessment.published_title} ({feature['properties']['code']})"
        features += data["features"]
    return {"type": "FeatureCollection", "features": features}
