"""Where a decision lands: the places given, resolved to LSOAs, and the footprint and maps drawn from them.

Where a decision lands is worked out from what the body gives: wards, LSOAs or districts chosen, service
sites given as postcodes (through the loaded ONS postcode lookup) or as latitude and longitude (the LSOA
whose boundary contains the point). From those LSOAs come the wards and the neighbourhoods it touches and
their profile: population by age and sex, deprivation, community need and left-behind status.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

from django.utils import timezone

from commonground.engine import geometry, population
from commonground.impact.errors import ImpactError
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places import services as places
from commonground.places.models import Area, AreaType, AreaValue

_CODE = re.compile(r"^[A-Z]\d{8}$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
MAX_PLACES = 2000


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


def lsoa_areas(codes: list[str]) -> list[Area]:
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
    areas = lsoa_areas(codes)
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


def geojson(codes: list[str], properties: dict | None = None) -> dict:
    """The LSOAs as a FeatureCollection with their IMD decile, for the maps."""
    areas = [a for a in lsoa_areas(codes) if a.geometry]
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
