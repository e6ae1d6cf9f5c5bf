"""Neighbourhoods: made from a ward, a list of LSOAs or the left-behind list; redrawn in versions; profiled.

Every change is audit-logged. Other apps ask here where a neighbourhood lies (its scope) and which
neighbourhoods overlap an area; they never read these tables.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import slugify

from commonground.accounts.scopes import Scope
from commonground.audit.service import record
from commonground.neighbourhoods.models import Boundary, Neighbourhood, Objective, Plan, VerificationRequest
from commonground.places import services as places
from commonground.places.models import Area, AreaType, AreaValue


class NeighbourhoodError(ValueError):
    """A neighbourhood that cannot be made or changed as asked; the message says why in plain English."""


# Sent with kind="board", "meeting" or "plan" and obj when a board's membership, a meeting or a plan version
# becomes public: the hook where the notify outbox tells the people who follow the neighbourhood.
published = Signal()


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "neighbourhood"
    slug, n = base, 2
    while Neighbourhood.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def lsoa_codes_of_ward(code: str) -> tuple[list[str], str]:
    """The LSOA codes of a ward (a 2024 ward's 2021 LSOAs by preference) and a note of where they came from."""
    wards = Area.objects.filter(code=code.strip().upper(), area_type__level=AreaType.Level.WARD).select_related(
        "area_type"
    )
    ward = next((w for w in wards if w.area_type.code == "ward24"), None) or wards.first()
    if ward is None:
        raise NeighbourhoodError(f"no loaded ward has the code {code!r}")
    codes = [a.code for a in places.lsoas_of(ward)]
    if not codes:
        raise NeighbourhoodError(f"the ward {ward.name} ({ward.code}) has no LSOAs loaded")
    return codes, f"ward {ward.code} ({ward.name}, {ward.area_type.name})"


@transaction.atomic
def create(actor, name: str, lsoa_codes: list[str], kind: str = Neighbourhood.Kind.OTHER, drawn_from: str = "",
           description: str = "") -> Neighbourhood:  # fmt: skip
    """A new neighbourhood of these LSOAs (all of one vintage), in the councils they lie in."""
    name = name.strip()
    if not name:
        raise NeighbourhoodError("give the neighbourhood a name")
    if kind not in Neighbourhood.Kind.values:
        raise NeighbourhoodError(f"kind must be one of {', '.join(Neighbourhood.Kind.values)}, not {kind!r}")
    try:
        vintage, areas = places.lsoas(lsoa_codes)
    except LookupError as exc:
        raise NeighbourhoodError(str(exc)) from None
    councils = places.councils_of(areas)
    try:
        neighbourhood = Neighbourhood.objects.create(
            name=name, slug=_unique_slug(name), kind=kind, description=description,
            is_demo=all(a.is_demo for a in areas), created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
    except IntegrityError as exc:  # two people chose the same name at the same moment
        raise NeighbourhoodError(f"a neighbourhood called {name!r} was created just now: try again") from exc
    neighbourhood.councils.set(councils)
    Boundary.objects.create(neighbourhood=neighbourhood, version=1, vintage=vintage,
                            lsoas=[a.code for a in areas], drawn_from=drawn_from, reason="first drawn")  # fmt: skip
    record(actor, "neighbourhoods.create", neighbourhood,
           after={"kind": kind, "lsoas": len(areas), "vintage": vintage, "councils": [c.code for c in councils],
                  "drawn_from": drawn_from})  # fmt: skip
    return neighbourhood


@transaction.atomic
def redraw(actor, neighbourhood: Neighbourhood, lsoa_codes: list[str], reason: str, drawn_from: str = "") -> Boundary:
    """A new boundary version; the earlier ones stay, so older figures keep the boundary they describe."""
    if not reason.strip():
        raise NeighbourhoodError("say why the boundary changes")
    try:
        vintage, areas = places.lsoas(lsoa_codes)
    except LookupError as exc:
        raise NeighbourhoodError(str(exc)) from None
    current = Neighbourhood.objects.select_for_update().get(pk=neighbourhood.pk).boundary
    codes = [a.code for a in areas]
    if current is not None and current.lsoas == codes and current.vintage == vintage:
        raise NeighbourhoodError("the boundary is unchanged")
    boundary = Boundary.objects.create(
        neighbourhood=neighbourhood, version=(current.version if current else 0) + 1, vintage=vintage, lsoas=codes,
        drawn_from=drawn_from, reason=reason.strip(),
    )  # fmt: skip
    neighbourhood.councils.set(places.councils_of(areas))
    record(actor, "neighbourhoods.redraw", neighbourhood,
           before={"version": current.version if current else None, "lsoas": len(current.lsoas) if current else 0},
           after={"version": boundary.version, "lsoas": len(codes), "reason": boundary.reason})  # fmt: skip
    return boundary


def areas_of(neighbourhood: Neighbourhood) -> list[Area]:
    boundary = neighbourhood.boundary
    if boundary is None:
        return []
    return list(Area.objects.filter(area_type__code=boundary.vintage, code__in=boundary.lsoas).order_by("code"))


def profile(neighbourhood: Neighbourhood) -> dict:
    """Population and IMD of exactly this neighbourhood, as the IoD aggregates higher areas, explained."""
    areas = areas_of(neighbourhood)
    summary = places.summary_of(areas)
    dataset = summary["dataset"]
    if dataset is None:
        explained = "No deprivation index is loaded for its LSOAs yet."
    else:
        explained = (
            f"{dataset.name}: the population-weighted average of the IMD scores of its {len(areas)} LSOAs "
            f"(higher is more deprived), as the Indices aggregate wards and districts; "
            f"{summary['share_most_deprived_lsoas']:.0%} of its LSOAs are in England's most deprived 10%."
        )
    return {**summary, "explained": explained, "councils": list(neighbourhood.councils.order_by("name"))}


def scope_of(neighbourhood: Neighbourhood) -> Scope:
    return Scope.of(neighbourhood.councils.values_list("code", flat=True), [neighbourhood.slug])


def councils_of(slug: str) -> list[str]:
    """GSS codes of the councils a neighbourhood lies in; LookupError when there is no such neighbourhood."""
    neighbourhood = Neighbourhood.objects.filter(slug=slug).first()
    if neighbourhood is None:
        raise LookupError(f"there is no neighbourhood {slug!r}")
    return sorted(neighbourhood.councils.values_list("code", flat=True))


def overlapping(area: Area) -> list[Neighbourhood]:
    """Neighbourhoods that share an LSOA with a ward or district, for the area's page."""
    codes = {a.code for a in places.lsoas_of(area)}
    if not codes:
        return []
    candidates = Neighbourhood.objects.filter(councils__in=places.councils_of([area])).distinct()
    return [n for n in candidates if (b := n.boundary) is not None and codes & set(b.lsoas)]


def lsoa_codes(neighbourhood: Neighbourhood) -> set[str]:
    boundary = neighbourhood.boundary
    return set(boundary.lsoas) if boundary is not None else set()


def overlaps(neighbourhood: Neighbourhood, area: Area | None) -> bool:
    """Whether an area (an LSOA, ward or council) shares an LSOA with the neighbourhood, for apps that list their
    things in a neighbourhood by where they are."""
    if area is None:
        return False
    level = area.area_type.level
    codes = {area.code} if level == AreaType.Level.LSOA else {a.code for a in places.lsoas_of(area)}
    return bool(codes & lsoa_codes(neighbourhood))


def lsoa_rows(neighbourhood: Neighbourhood) -> list[dict]:
    """Each of its LSOAs with its population and IMD decile (the latest index loaded): the map's table."""
    areas = areas_of(neighbourhood)
    deciles: dict[int, dict[str, float]] = {}
    values = AreaValue.objects.filter(
        area_id__in=[a.pk for a in areas], measure__slug="imd_decile", measure__dataset__slug__in=places.INDEX_DATASETS
    ).values_list("area_id", "measure__dataset__slug", "value")
    for area_id, dataset, value in values:
        deciles.setdefault(area_id, {})[dataset] = value
    rows = []
    for a in areas:
        found = deciles.get(a.pk, {})
        decile = next((found[d] for d in ("imd2025", "demo-imd", "imd2019") if d in found), None)
        rows.append({"code": a.code, "name": a.name, "population": a.population,
                     "imd_decile": int(decile) if decile is not None else None, "area": a})  # fmt: skip
    return rows


def geojson(neighbourhood: Neighbourhood) -> dict:
    """Its LSOAs as a FeatureCollection (the boundary is their union), with the population and IMD decile of each."""
    features = [
        {"type": "Feature",
         "properties": {"code": r["code"], "name": r["name"], "neighbourhood": neighbourhood.slug,
                        "population": r["population"], "imd_decile": r["imd_decile"]},
         "geometry": json.loads(r["area"].geometry)}
        for r in lsoa_rows(neighbourhood)
        if r["area"].geometry
    ]  # fmt: skip
    return {"type": "FeatureCollection", "name": neighbourhood.name, "features": features}


def objectives_of(slug: str) -> list[tuple[int, str]]:
    """(ref, title) of the objectives in a neighbourhood's latest plan version, for apps that file funded projects
    under them (refs stay the same from version to version)."""
    plan = Plan.objects.filter(neighbourhood__slug=slug).order_by("-version").first()
    return list(Objective.objects.filter(plan=plan).values_list("ref", "title")) if plan else []


def find(slug: str) -> Neighbourhood | None:
    """The neighbourhood with this slug, for apps that link their things to one (None: there is none)."""
    return Neighbourhood.objects.filter(slug=(slug or "").strip().lower()[:80]).first()


def names() -> list[tuple[str, str]]:
    """(slug, name) of every neighbourhood, for choosing one in a form."""
    return list(Neighbourhood.objects.order_by("name").values_list("slug", "name"))


def erase_old_verification_requests(at: dt.datetime | None = None) -> int:
    """Blank the name, address, postcode and reason of requests decided more than
    COMMONGROUND_VERIFICATION_KEEP_DAYS ago; the account, neighbourhood, dates, evidence kinds and outcome
    stay. The worker runs it daily (neighbourhoods.verification.erase_old is the same); returns how many were erased."""
    at = at or timezone.now()
    cutoff = at - dt.timedelta(days=settings.COMMONGROUND_VERIFICATION_KEEP_DAYS)
    old = VerificationRequest.objects.filter(decided_at__lt=cutoff, erased_at__isnull=True)
    ids = list(old.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        erased = VerificationRequest.objects.filter(pk__in=ids).update(
            full_name="", address="", postcode="", reason="", erased_at=at
        )
        record("commonground worker", "neighbourhoods.verification_erased",
               object_type="neighbourhoods.VerificationRequest", after={"requests": ids})  # fmt: skip
    return erased
