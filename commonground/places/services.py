"""Queries other apps and pages use to read places; nothing here writes."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from commonground.accounts.scopes import Scope
from commonground.engine import population
from commonground.places.models import Area, AreaType, AreaValue, DataSet, Postcode


def demo_data_loaded() -> bool:
    return Area.objects.filter(is_demo=True).exists()


def borough_summaries() -> list[dict]:
    """Each local authority with its ward and LSOA counts and population."""
    authorities = Area.objects.filter(area_type__level=AreaType.Level.LOCAL_AUTHORITY).annotate(
        wards=Count("children", filter=Q(children__area_type__level=AreaType.Level.WARD), distinct=True),
        lsoas=Count("children__children", distinct=True),
    )
    return [
        {
            "code": a.code,
            "name": a.name,
            "is_demo": a.is_demo,
            "wards": a.wards,
            "lsoas": a.lsoas,
            "population": a.population,
        }
        for a in authorities.order_by("name")
    ]


def find_area(code: str, type_code: str | None = None) -> Area | None:
    """The area with this code; where geographies share a code, the earliest loaded (2011-based)
    one unless `type_code` (e.g. lsoa21) names another."""
    areas = Area.objects.select_related("area_type", "parent").filter(code=code.strip().upper())
    if type_code:
        areas = areas.filter(area_type__code=type_code)
    return areas.order_by("area_type_id").first()


def area_profile(area: Area) -> dict:
    """Everything the area page and the API show for one area."""
    values = area.values.select_related("measure__dataset").order_by(
        "measure__dataset__name", "measure__order", "measure__slug"
    )
    children = area.children.select_related("area_type").order_by("code")
    ancestors = []
    parent = area.parent
    while parent is not None:
        ancestors.insert(0, parent)
        parent = parent.parent
    return {"area": area, "values": list(values), "children": list(children), "ancestors": ancestors}


def population_profile(area: Area) -> dict | None:
    """The area's people by age band and by sex (counts and shares of each group), or None when
    no population dataset covers it. Panels default their quotas from it; PB compares voters with it."""
    counts = dict(
        area.values.filter(measure__slug__in=[b.slug for b in population.BANDS]).values_list("measure__slug", "value")
    )
    if len(counts) < len(population.BANDS):
        return None
    shares = population.shares(counts)
    groups = [
        {
            "key": group.key,
            "label": group.label,
            "bands": [
                {"key": b.key, "label": b.label, "count": int(counts[b.slug]), "share": shares[group.key][b.key]}
                for b in group.bands
            ],
        }
        for group in population.GROUPS
    ]
    return {"total": int(sum(counts[b.slug] for b in population.AGE.bands)), "groups": groups}


def lsoa_ids_within(area: Area) -> set[int]:
    """The LSOAs inside an area, found by walking down the parent chain (one query per level)."""
    found: set[int] = set()
    level = {area.pk}
    if area.area_type.level == AreaType.Level.LSOA:
        return level
    for _ in range(len(AreaType.Level)):
        rows = list(Area.objects.filter(parent_id__in=level).values_list("id", "area_type__level"))
        found.update(pk for pk, kind in rows if kind == AreaType.Level.LSOA)
        level = {pk for pk, kind in rows if kind != AreaType.Level.LSOA}
        if not level:
            break
    return found


def has_postcodes(area: Area) -> bool:
    """Whether the postcode lookup covers any of the area's LSOAs."""
    return Postcode.objects.filter(area_id__in=lsoa_ids_within(area)).exists()


def postcode_lsoa_ids(postcode: str) -> set[int]:
    """The LSOAs (one per vintage loaded) a normalised postcode lies in; empty when it is unknown."""
    return set(Postcode.objects.filter(postcode=postcode).values_list("area_id", flat=True))


# Datasets that give an area its deprivation and community-need figures; national first, demo second.
INDEX_DATASETS = ("imd2019", "imd2025", "demo-imd")
NEED_DATASETS = ("cni2019", "demo-cni")
CNI_DOMAINS = (
    ("civic_assets_score", "Civic assets"),
    ("connectedness_score", "Connectedness"),
    ("engaged_community_score", "Active and engaged community"),
)


def figures(area: Area) -> dict[str, dict[str, AreaValue]]:
    """The area's values grouped by dataset slug, then measure slug."""
    grouped: dict[str, dict[str, AreaValue]] = {}
    for value in area.values.select_related("measure__dataset"):
        grouped.setdefault(value.measure.dataset.slug, {})[value.measure.slug] = value
    return grouped


def _pick(grouped: dict[str, dict[str, AreaValue]], candidates: tuple[str, ...]) -> dict[str, AreaValue]:
    return next((grouped[slug] for slug in candidates if slug in grouped), {})


def _ordinal_count(area: Area) -> int:
    return Area.objects.filter(area_type=area.area_type).count()


def deprivation(area: Area, grouped: dict[str, dict[str, AreaValue]]) -> dict | None:
    """IMD score, rank, decile and the seven domains, for the profile page and the API."""
    from commonground.engine.indices import IMD2019_DOMAIN_NAMES, IMD2019_WEIGHTS

    imd = _pick(grouped, INDEX_DATASETS)
    if "imd_score" not in imd:
        return None
    domains = [
        {
            "slug": slug,
            "name": name,
            "weight": IMD2019_WEIGHTS[slug],
            "weight_label": f"{IMD2019_WEIGHTS[slug] * 100:g}%",
            "score": imd[f"{slug}_score"].value if f"{slug}_score" in imd else None,
            "rank": int(imd[f"{slug}_rank"].value) if f"{slug}_rank" in imd else None,
            "decile": int(imd[f"{slug}_decile"].value) if f"{slug}_decile" in imd else None,
        }
        for slug, name in IMD2019_DOMAIN_NAMES.items()
    ]
    return {
        "dataset": imd["imd_score"].measure.dataset,
        "score": imd["imd_score"].value,
        "rank": int(imd["imd_rank"].value),
        "decile": int(imd["imd_decile"].value),
        "of": _ordinal_count(area),
        "extent": imd["imd_extent"].value if "imd_extent" in imd else None,
        "share_most_deprived": imd["imd_share_most_deprived"].value if "imd_share_most_deprived" in imd else None,
        "domains": domains,
    }


def community_need(area: Area, grouped: dict[str, dict[str, AreaValue]]) -> dict | None:
    need = _pick(grouped, NEED_DATASETS)
    if "cni_score" not in need:
        return None
    return {
        "dataset": need["cni_score"].measure.dataset,
        "score": need["cni_score"].value,
        "rank": int(need["cni_rank"].value),
        "of": int(need["cni_rank"].measure.values.aggregate(m=Max("value"))["m"]),
        "domains": [{"slug": s, "name": n, "score": need[s].value} for s, n in CNI_DOMAINS if s in need],
        "left_behind": bool(need["left_behind"].value) if "left_behind" in need else None,
        "left_behind_rule": need["left_behind"].measure if "left_behind" in need else None,
    }


def left_behind_reason(area: Area, imd: dict | None, need: dict | None) -> str | None:
    """Plain-English reason for the left-behind status, naming both ranks and the cut-off."""
    if need is None or need["left_behind"] is None or imd is None:
        return None
    share = 0.25 if need["dataset"].is_demo else 0.10
    cut_imd = cut_cni = int(need["of"] * share)  # both cut-offs use the CNI's ward universe, as the engine does
    ranks = (f"its deprivation rank is {imd['rank']:,} of {imd['of']:,} and its community-need rank is "
             f"{need['rank']:,} of {need['of']:,}")  # fmt: skip
    if need["left_behind"]:
        return (f"{area.name} is a left-behind neighbourhood: it is in the {share:.0%} most deprived wards and in "
                f"the {share:.0%} with the highest community need ({ranks}).")  # fmt: skip
    reasons = []
    if imd["rank"] > cut_imd:
        reasons.append(f"it is not in the {share:.0%} most deprived wards (that means a rank of {cut_imd:,} or better)")
    if need["rank"] > cut_cni:
        reasons.append(f"it is not in the {share:.0%} with the highest community need (rank {cut_cni:,} or better)")
    return f"{area.name} is not counted as left behind: {' and '.join(reasons) or 'see the ranks'} ({ranks})."


def map_features(area: Area) -> list[dict]:
    """GeoJSON features to draw on the area's map: its LSOAs (or its districts, for a region)."""
    import json

    level = area.area_type.level
    if level == AreaType.Level.LSOA:
        shapes = Area.objects.filter(pk=area.pk)
    elif level == AreaType.Level.WARD:
        shapes = area.children.all()
    elif level == AreaType.Level.LOCAL_AUTHORITY:
        shapes = Area.objects.filter(parent__parent=area, area_type__level=AreaType.Level.LSOA)
    else:
        shapes = area.children.all()
    shapes = list(shapes.exclude(geometry="").only("id", "code", "name", "geometry"))
    deciles = dict(
        AreaValue.objects.filter(
            area_id__in=[a.id for a in shapes], measure__slug="imd_decile", measure__dataset__slug__in=INDEX_DATASETS
        ).values_list("area_id", "value")
    )
    return [
        {
            "type": "Feature",
            "properties": {
                "code": a.code,
                "name": a.name,
                "imd_decile": int(deciles[a.id]) if a.id in deciles else None,
            },
            "geometry": json.loads(a.geometry),
        }
        for a in shapes
    ]


def combined_geometry(area: Area) -> str:
    """A MultiPolygon of the area's LSOA shapes, for wards the boundary files do not cover."""
    import json

    polygons = []
    for text in area.children.exclude(geometry="").values_list("geometry", flat=True):
        shape = json.loads(text)
        polygons.extend([shape["coordinates"]] if shape["type"] == "Polygon" else shape["coordinates"])
    return json.dumps({"type": "MultiPolygon", "coordinates": polygons}, separators=(",", ":")) if polygons else ""


def left_behind_wards(order: str = "imd_rank") -> list[dict]:
    """Every ward flagged left behind, with both ranks, ordered by a column name."""
    ids = list(
        AreaValue.objects.filter(
            measure__slug="left_behind", measure__dataset__slug__in=NEED_DATASETS, value=1
        ).values_list("area_id", flat=True)
    )
    wards = Area.objects.filter(id__in=ids).select_related("parent")
    wanted = AreaValue.objects.filter(
        area_id__in=ids,
        measure__slug__in=["imd_rank", "cni_rank", "imd_score", "imd_decile"],
        measure__dataset__slug__in=INDEX_DATASETS + NEED_DATASETS,
    ).select_related("measure")
    ranks = {(v.area_id, v.measure.slug): v.value for v in wanted}
    rows = [
        {
            "code": w.code,
            "name": w.name,
            "local_authority": w.parent.name if w.parent else "",
            "population": w.population,
            "imd_score": ranks.get((w.id, "imd_score")),
            "imd_rank": int(ranks[(w.id, "imd_rank")]) if (w.id, "imd_rank") in ranks else None,
            "cni_rank": int(ranks[(w.id, "cni_rank")]) if (w.id, "cni_rank") in ranks else None,
            "imd_decile": int(ranks[(w.id, "imd_decile")]) if (w.id, "imd_decile") in ranks else None,
            "is_demo": w.is_demo,
            "geometry": w.geometry or combined_geometry(w),
        }
        for w in wards
    ]
    key = order if order in {"name", "local_authority", "population", "imd_rank", "cni_rank"} else "imd_rank"
    return sorted(rows, key=lambda r: (r[key] is None, r[key] if r[key] is not None else 0, r["name"]))


def search(query: str, limit: int = 50) -> list[Area]:
    """Areas whose code matches exactly or whose name contains the words, larger areas first."""
    query = query.strip()
    if not query:
        return []
    by_code = list(Area.objects.filter(code__iexact=query).select_related("area_type", "parent"))
    level_order = {AreaType.Level.REGION: 0, AreaType.Level.LOCAL_AUTHORITY: 1, AreaType.Level.WARD: 2,
                   AreaType.Level.LSOA: 3}  # fmt: skip
    by_name = Area.objects.filter(name__icontains=query).select_related("area_type", "parent")[: limit * 4]
    ordered = sorted(by_name, key=lambda a: (level_order.get(a.area_type.level, 9), a.name))
    seen = {a.pk for a in by_code}
    return by_code + [a for a in ordered if a.pk not in seen][: limit - len(by_code)]


# LSOA geographies in the order a new neighbourhood prefers them: the current one first.
LSOA_VINTAGES = ("lsoa21", "lsoa-demo", "lsoa11")


def lsoas(codes: list[str], vintage: str | None = None) -> tuple[str, list[Area]]:
    """The LSOAs with these codes, all of one vintage (the first of LSOA_VINTAGES that has them all,
    or `vintage`); raises LookupError naming the codes no vintage knows."""
    wanted = sorted({c.strip().upper() for c in codes if c.strip()})
    if not wanted:
        raise LookupError("no LSOA codes given")
    found = Area.objects.filter(code__in=wanted, area_type__level=AreaType.Level.LSOA).select_related("area_type")
    by_vintage: dict[str, dict[str, Area]] = {}
    for area in found:
        by_vintage.setdefault(area.area_type.code, {})[area.code] = area
    for candidate in (vintage,) if vintage else LSOA_VINTAGES:
        areas = by_vintage.get(candidate, {})
        if len(areas) == len(wanted):
            return candidate, [areas[c] for c in wanted]
    best = max(by_vintage.values(), key=len, default={})
    missing = [c for c in wanted if c not in best]
    raise LookupError(f"no loaded LSOA has the code{'s' if len(missing) > 1 else ''} {', '.join(missing[:10])}")


def lsoas_of(area: Area) -> list[Area]:
    """The LSOAs inside a ward or district (the current vintage's own children)."""
    return list(Area.objects.filter(pk__in=lsoa_ids_within(area)).select_related("area_type").order_by("code"))


def councils_of(areas: list[Area]) -> list[Area]:
    """The local authorities these areas lie in (walking up the parent chain)."""
    ids = {a.pk for a in areas}
    councils: dict[int, Area] = {}
    for _ in range(len(AreaType.Level)):
        rows = Area.objects.filter(pk__in=ids).select_related("area_type", "parent__area_type")
        ids = set()
        for area in rows:
            if area.area_type.level == AreaType.Level.LOCAL_AUTHORITY:
                councils[area.pk] = area
            elif area.parent_id:
                ids.add(area.parent_id)
        if not ids:
            break
    return sorted(councils.values(), key=lambda a: a.code)


def summary_of(areas: list[Area]) -> dict:
    """Population and the deprivation figures of a set of LSOAs, aggregated as the IoD aggregates higher
    areas (English Indices of Deprivation 2019/2025 technical reports: population-weighted average score,
    share of LSOAs in the most deprived 10% nationally), from the latest index loaded for them."""
    ids = [a.pk for a in areas]
    population = {a.pk: a.population or 0 for a in areas}
    values = AreaValue.objects.filter(
        area_id__in=ids, measure__dataset__slug__in=INDEX_DATASETS, measure__slug__in=["imd_score", "imd_decile"]
    ).values_list("area_id", "measure__dataset__slug", "measure__slug", "value")
    by_dataset: dict[str, dict[str, dict[int, float]]] = {}
    for area_id, dataset, measure, value in values:
        by_dataset.setdefault(dataset, {}).setdefault(measure, {})[area_id] = value
    total = sum(population.values())
    result = {"population": total, "lsoas": len(areas), "dataset": None, "imd_score": None,
              "share_most_deprived_lsoas": None}  # fmt: skip
    for slug in ("imd2025", "demo-imd", "imd2019"):  # the current edition first
        scores = by_dataset.get(slug, {}).get("imd_score", {})
        if not scores or len(scores) < len(ids):
            continue
        weight = sum(population[i] for i in ids) or len(ids)
        score = sum(scores[i] * (population[i] if total else 1) for i in ids) / weight
        decile_one = sum(1 for i in ids if by_dataset[slug].get("imd_decile", {}).get(i) == 1)
        dataset = DataSet.objects.get(slug=slug)
        result.update(dataset=dataset, imd_score=round(score, 3), share_most_deprived_lsoas=decile_one / len(ids))
        break
    return result


def scope_of(area: Area | None) -> Scope | None:
    """Where an object tied to this area lives, for permission checks: the councils it lies in (None: no place)."""
    if area is None:
        return None
    return Scope.of(a.code for a in councils_of([area]))
