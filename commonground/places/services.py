"""Queries other apps and pages use to read places; nothing here writes (but national.py's stored figures).

One geography is current (AreaType.is_current: 2021 LSOAs and MSOAs, 2024 wards and districts): lists,
searches, pages and maps show it by default, and an older edition is one click away, labelled with its
year. Relative indices (the IoD, the CNI) are never compared across editions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q

from commonground.accounts.scopes import Scope
from commonground.engine import population, postcodes
from commonground.places import national
from commonground.places.models import Area, AreaType, AreaValue, DataSet, Measure, Postcode

# Datasets that give an area its deprivation and community-need figures, the latest edition first.
INDEX_DATASETS = ("imd2025", "imd2019", "demo-imd")
NEED_DATASETS = ("cni2023", "need-proxy-2025", "cni2019", "demo-cni")
POPULATION_DATASETS = ("population-mid2022", "population-mid2019", "demo-population")
CNI_DOMAINS = (
    ("civic_assets_score", "Civic assets"),
    ("connectedness_score", "Connectedness"),
    ("engaged_community_score", "Active and engaged community"),
    ("connectedness_score", "Connectedness (proxy)"),
    ("participation_score", "Barriers to taking part (proxy)"),
)
LEVEL_ORDER = {AreaType.Level.LOCAL_AUTHORITY: 0, AreaType.Level.WARD: 1, AreaType.Level.REGION: 2,
               AreaType.Level.MSOA: 3, AreaType.Level.LSOA: 4}  # fmt: skip
PLURALS = {AreaType.Level.LOCAL_AUTHORITY: "local authorities", AreaType.Level.WARD: "wards",
           AreaType.Level.REGION: "regions", AreaType.Level.MSOA: "MSOAs", AreaType.Level.LSOA: "LSOAs"}  # fmt: skip


def demo_data_sql() -> str:
    """The demo banner's question as SQL (a row if any demo area is loaded; the partial index of demo areas
    answers it), for a page's busiest path to ask inside a statement of its own: one round trip fewer."""
    return f"SELECT 1 FROM {connection.ops.quote_name(Area._meta.db_table)} WHERE is_demo LIMIT 1"  # noqa: S608  (a name from the model)


def demo_data_known(request, showing: bool) -> None:
    """For a view that read demo_data_sql inside a statement of its own: the page's banner uses that answer
    instead of asking again (context_processors.demo)."""
    request.showing_demo_data = showing


def demo_data_loaded() -> bool:
    """Asked by every page, for the demo banner: one fixed statement."""
    with connection.cursor() as cursor:
        cursor.execute(demo_data_sql())
        return cursor.fetchone() is not None


def national_data_loaded() -> bool:
    return Area.objects.filter(is_demo=False).exists()


# The current geography ---------------------------------------------------------------------------------


def current_types() -> dict[str, AreaType]:
    """Per level, the area type pages show by default: the current one that has areas, else the latest
    vintage that has (national data before demo data). Which types have areas is stored per data version
    (places.national): with fresh statistics PostgreSQL answers it by reading all 81,432 areas (about 10 ms, three
    times a ward's profile)."""
    loaded = national.stored("types-with-areas", lambda: list(AreaType.objects.filter(
        Exists(Area.objects.filter(area_type=OuterRef("pk")))).values_list("pk", flat=True)))  # fmt: skip
    types = AreaType.objects.filter(pk__in=loaded)
    found: dict[str, AreaType] = {}
    for t in sorted(types, key=lambda t: (not t.is_current, t.code.endswith("-demo"), -(t.vintage or 0), t.code)):
        found.setdefault(t.level, t)
    return found


def type_label(area_type: AreaType) -> str:
    """ "wards (2024)", "LSOAs (2011)", or "wards" for the demo's: how a list or a rank says what its areas are."""
    plural = PLURALS.get(area_type.level, area_type.name.lower())
    return f"{plural} ({area_type.vintage})" if area_type.vintage and area_type.level != "region" else plural


def stored_figure(key: str, compute, current: str | None = None):
    """A figure over every area of a type, computed once per data version and stored (see places.national)."""
    return national.stored(key, compute, current)


def borough_summaries() -> list[dict]:
    """Each local authority of the current geography (and the demo's) with its ward count and population.
    Stored per data version (places.national): counting every council's wards took 160-185 ms a home page."""
    return national.stored("boroughs", _borough_summaries)


def _borough_summaries() -> list[dict]:
    types = [t for t in current_types().values() if t.level == AreaType.Level.LOCAL_AUTHORITY]
    types += list(AreaType.objects.filter(level=AreaType.Level.LOCAL_AUTHORITY, code__endswith="-demo"))
    authorities = Area.objects.filter(area_type__in=types).annotate(
        wards=Count("children", filter=Q(children__area_type__level=AreaType.Level.WARD), distinct=True)
    )
    return [
        {"code": a.code, "name": a.name, "is_demo": a.is_demo, "wards": a.wards, "population": a.population,
         "url": a.get_absolute_url()}
        for a in authorities.select_related("area_type").order_by("is_demo", "name")
    ]  # fmt: skip


def find_area(code: str, type_code: str | None = None) -> Area | None:
    """The area with this code: of the current geography unless `type_code` (e.g. lad19) names an older
    one. GSS codes repeat across editions while a boundary is unchanged, so one URL serves both."""
    areas = Area.objects.select_related("area_type", "parent").filter(code=code.strip().upper())
    if type_code:
        areas = areas.filter(area_type__code=type_code)
    return areas.order_by("-area_type__is_current", "-area_type__vintage", "area_type_id").first()


def other_editions(area: Area) -> list[Area]:
    """The same code in other geographies (an unchanged ward, district or LSOA), newest first."""
    return list(
        Area.objects.filter(code=area.code)
        .exclude(pk=area.pk)
        .select_related("area_type")
        .order_by("-area_type__is_current", "-area_type__vintage")
    )


def area_profile(area: Area) -> dict:
    """Everything the area page and the API show for one area."""
    values = area.values.select_related("measure__dataset").order_by(
        "measure__dataset__name", "measure__order", "measure__slug"
    )
    children = sorted(area.children.select_related("area_type"),
                      key=lambda a: (LEVEL_ORDER.get(a.area_type.level, 9), a.code))  # fmt: skip
    if area.area_type.level == AreaType.Level.REGION:  # regions hold every vintage's districts
        current = current_types().get(AreaType.Level.LOCAL_AUTHORITY)
        children = [c for c in children if current is None or c.area_type_id == current.pk]
    ancestors = []
    parent = area.parent
    while parent is not None:
        ancestors.insert(0, parent)
        parent = parent.parent
    return {"area": area, "values": list(values), "children": list(children), "ancestors": ancestors}


def population_profile(area: Area) -> dict | None:
    """The area's people by age band and by sex (counts and shares of each group), or None when
    no population dataset covers it. Panels default their quotas from it; PB compares voters with it."""
    rows = area.values.filter(
        measure__slug__in=[b.slug for b in population.BANDS], measure__dataset__slug__in=POPULATION_DATASETS
    ).values_list("measure__dataset__slug", "measure__slug", "value")
    by_dataset: dict[str, dict[str, float]] = {}
    for dataset, slug, value in rows:
        by_dataset.setdefault(dataset, {})[slug] = value
    counts = next((by_dataset[d] for d in POPULATION_DATASETS if len(by_dataset.get(d, {})) == len(population.BANDS)),
                  None)  # fmt: skip
    if counts is None:
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
    """The LSOAs inside an area, found by walking down the parent chain (one query per level); an MSOA's
    are the LSOAs linked to it."""
    if area.area_type.level == AreaType.Level.LSOA:
        return {area.pk}
    if area.area_type.level == AreaType.Level.MSOA:
        return set(area.contains.values_list("id", flat=True))
    found: set[int] = set()
    level = {area.pk}
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


def contains_points(area: Area, points: list[tuple[float, float]]) -> list[bool]:
    """Which (longitude, latitude) points lie in the area: inside its published boundary, else inside one of
    its LSOAs (so a ward drawn from its LSOAs holds what they hold)."""
    from commonground.engine import shapes

    if area.geometry and not area.geometry_note:
        texts = [area.geometry]
    else:
        lsoas = Area.objects.filter(id__in=lsoa_ids_within(area)).exclude(geometry="")
        texts = lsoas.values_list("geometry", flat=True)
    return shapes.points_inside((json.loads(t) for t in texts), points)


def postcode_in(area: Area, postcode: str) -> bool | None:
    """Whether a postcode lies in the area (through the postcode lookup); None when the lookup does not know it."""
    normal = postcodes.normalise(postcode)
    lsoas = postcode_lsoa_ids(normal) if normal else set()
    return bool(lsoas & lsoa_ids_within(area)) if lsoas else None


# Search ------------------------------------------------------------------------------------------------


@dataclass
class SearchResults:
    areas: list[Area]  # the current geography: councils and wards first
    older: list[Area]  # matches found only in older editions
    postcode: str | None = None  # the query read as a postcode
    postcode_known: bool = False


def search(query: str, limit: int = 50) -> SearchResults:
    """Areas by name, postcode or code: councils, then wards, then the rest; the current geography first,
    each place once (older editions listed apart). A council's wards follow it, so searching for
    "Hartlepool" finds Hartlepool's wards although their names do not contain it."""
    query = re.sub(r"\s+", " ", query.strip())
    postcode = postcodes.normalise(query)
    found: list[Area] = []
    if postcode:  # the council, the ward and the LSOA the postcode lies in
        for lsoa in Area.objects.filter(id__in=postcode_lsoa_ids(postcode)).select_related("parent__parent"):
            found += [a for a in (lsoa.parent.parent if lsoa.parent else None, lsoa.parent, lsoa) if a]
    found += list(Area.objects.filter(code__iexact=query))
    words = query.lower()
    named = list(Area.objects.filter(name__icontains=query)[: limit * 20]) if len(query) >= 2 else []
    named.sort(key=lambda a: (a.name.lower() != words, not a.name.lower().startswith(words), a.name))
    found += named
    councils = [a.pk for a in named if a.name.lower() == words]
    found += list(Area.objects.filter(parent__in=councils, area_type__level=AreaType.Level.WARD).order_by("name"))
    position = {pk: i for i, pk in reversed(list(enumerate(a.pk for a in found)))}
    areas = Area.objects.filter(pk__in=position).select_related("area_type", "parent")
    ranked = sorted(areas, key=lambda a: (LEVEL_ORDER.get(a.area_type.level, 9), position[a.pk]))
    current = {t.pk for t in current_types().values()} | set(
        AreaType.objects.filter(code__endswith="-demo").values_list("pk", flat=True)
    )
    shown = [a for a in ranked if a.area_type_id in current]
    codes = {a.code for a in shown}
    older = [a for a in ranked if a.area_type_id not in current and a.code not in codes]
    known = bool(postcode) and Postcode.objects.filter(postcode=postcode).exists()
    return SearchResults(shown[:limit], older[:limit], postcode, known)


# Figures -----------------------------------------------------------------------------------------------


def figures(area: Area) -> dict[str, dict[str, AreaValue]]:
    """The area's values grouped by dataset slug, then measure slug."""
    grouped: dict[str, dict[str, AreaValue]] = {}
    for value in area.values.select_related("measure__dataset"):
        grouped.setdefault(value.measure.dataset.slug, {})[value.measure.slug] = value
    return grouped


def editions(grouped: dict[str, dict[str, AreaValue]], candidates: tuple[str, ...], slug: str) -> list[DataSet]:
    """The editions of an index the area has figures from, latest first."""
    return [grouped[d][slug].measure.dataset for d in candidates if slug in grouped.get(d, {})]


def _pick(grouped: dict[str, dict[str, AreaValue]], candidates: tuple[str, ...], edition: str | None,
          slug: str) -> dict[str, AreaValue]:  # fmt: skip
    """The figures of the edition asked for (e.g. "2019"), else of the latest edition the area has."""
    present = [d for d in candidates if slug in grouped.get(d, {})]
    asked = [d for d in present if edition and str(grouped[d][slug].measure.dataset.edition) == edition]
    return grouped[(asked or present)[0]] if present else {}


def _area_count(area_type: AreaType) -> int:
    return national.stored(f"areas:{area_type.pk}", Area.objects.filter(area_type=area_type).count)


def _highest(measure: Measure, area_type: AreaType) -> float | None:
    """The highest value of a measure among areas of a type (a rank's "of")."""
    ranks = measure.values.filter(area__area_type=area_type)
    return national.stored(f"highest:{measure.pk}:{area_type.pk}", lambda: ranks.aggregate(m=Max("value"))["m"])


def precompute_ranks() -> None:
    """Store what ranks are "of" in the current geography: each type's area count and highest need rank."""
    ranks = list(Measure.objects.filter(slug="cni_rank", dataset__slug__in=NEED_DATASETS))
    for area_type in current_types().values():
        _area_count(area_type)
        for measure in ranks:
            if measure.values.filter(area__area_type=area_type).exists():
                _highest(measure, area_type)


def ranked_among(area: Area) -> tuple[int, str]:
    """How many areas a rank is among, and what they are: "7,180 wards (2017) in England"."""
    count = _area_count(area.area_type)
    where = "in Demo Borough" if area.is_demo else "in England"
    return count, f"{count:,} {type_label(area.area_type)} {where}"


def deprivation(area: Area, grouped: dict[str, dict[str, AreaValue]], edition: str | None = None) -> dict | None:
    """IMD score, rank, decile and the seven domains of one IoD edition, for the profile page and the API.
    A rank among fewer than two areas is not shown; demo areas have no decile (deciles are national)."""
    from commonground.engine.indices import IMD2019_DOMAIN_NAMES, IMD2019_WEIGHTS

    imd = _pick(grouped, INDEX_DATASETS, edition, "imd_score")
    if "imd_score" not in imd:
        return None

    def number(slug: str, kind=float):
        return kind(imd[slug].value) if slug in imd else None

    domains = [
        {
            "slug": slug,
            "name": name,
            "weight": IMD2019_WEIGHTS[slug],
            "weight_label": f"{IMD2019_WEIGHTS[slug] * 100:g}%",
            "score": number(f"{slug}_score"),
            "rank": number(f"{slug}_rank", int),
            "decile": number(f"{slug}_decile", int),
        }
        for slug, name in IMD2019_DOMAIN_NAMES.items()
    ]
    dataset = imd["imd_score"].measure.dataset
    count, among = ranked_among(area)
    return {
        "dataset": dataset,
        "edition": dataset.edition_label,
        "score": imd["imd_score"].value,
        "rank": number("imd_rank", int) if count > 1 else None,
        "decile": number("imd_decile", int),
        "of": count,
        "among": among,
        "kind": AreaType.Level(area.area_type.level).label.lower(),
        "extent": number("imd_extent"),
        "share_most_deprived": number("imd_share_most_deprived"),
        "domains": domains,
        "other_editions": [d for d in editions(grouped, INDEX_DATASETS, "imd_score") if d != dataset],
    }


def community_need(area: Area, grouped: dict[str, dict[str, AreaValue]], edition: str | None = None) -> dict | None:
    need = _pick(grouped, NEED_DATASETS, edition, "cni_score")
    if "cni_score" not in need:
        return None
    dataset = need["cni_score"].measure.dataset
    count = int(_highest(need["cni_rank"].measure, area.area_type))
    return {
        "dataset": dataset,
        "edition": dataset.edition_label,
        "is_proxy": dataset.slug == "need-proxy-2025",
        "score": need["cni_score"].value,
        "rank": int(need["cni_rank"].value) if count > 1 else None,
        "of": count,
        "domains": [
            {"slug": s, "name": n, "score": need[s].value}
            for s, n in CNI_DOMAINS
            if s in need and (n.endswith("(proxy)") == (dataset.slug == "need-proxy-2025"))
        ],  # fmt: skip
        "left_behind": bool(need["left_behind"].value) if "left_behind" in need else None,
        "left_behind_rule": need["left_behind"].measure if "left_behind" in need else None,
    }


def left_behind_reason(area: Area, imd: dict | None, need: dict | None) -> str | None:
    """Plain-English reason for the left-behind status, naming both editions, both ranks and the cut-off."""
    if need is None or need["left_behind"] is None or imd is None or imd["rank"] is None or need["rank"] is None:
        return None
    share = 0.25 if need["dataset"].is_demo else 0.10
    cut_imd = cut_cni = int(need["of"] * share)  # both cut-offs use the community-need index's universe
    plural = type_label(area.area_type)
    imd_edition, need_edition = ("", "") if area.is_demo else (f"{imd['edition']} ", f"{need['edition']} ")
    ranks = (f"its {imd_edition}deprivation rank is {imd['rank']:,} of {imd['of']:,} and its {need_edition}"
             f"community-need rank is {need['rank']:,} of {need['of']:,}")  # fmt: skip
    if need["left_behind"]:
        return (f"{area.name} is a left-behind neighbourhood: it is in the {share:.0%} most deprived {plural} and in "
                f"the {share:.0%} with the highest community need ({ranks}).")  # fmt: skip
    reasons = []
    if imd["rank"] > cut_imd:
        reasons.append(f"it is not in the {share:.0%} most deprived {plural} (that means a rank of {cut_imd:,} or "
                       "better)")  # fmt: skip
    if need["rank"] > cut_cni:
        reasons.append(f"it is not in the {share:.0%} with the highest community need (rank {cut_cni:,} or better)")
    return f"{area.name} is not counted as left behind: {' and '.join(reasons) or 'see the ranks'} ({ranks})."


def comparable(first: str, second: str) -> bool:
    """Whether a change between two datasets' figures can be called better or worse: never between two
    editions of a relative index (MHCLG: the IoD is not a measure of change over time; CNI 2023 and
    2019 differ in geography and indicators)."""
    families = dict(DataSet.objects.filter(slug__in=[first, second]).values_list("slug", "family"))
    return first == second or not (families.get(first) or families.get(second))


# Maps --------------------------------------------------------------------------------------------------


def map_areas(area: Area):
    """What an area's map draws: its LSOAs (a region: its districts), of the area's own geography."""
    level = area.area_type.level
    if level == AreaType.Level.LSOA:
        return Area.objects.filter(pk=area.pk)
    if level == AreaType.Level.MSOA:
        return area.contains.all()
    if level == AreaType.Level.WARD:
        return area.children.filter(area_type__level=AreaType.Level.LSOA)
    if level == AreaType.Level.LOCAL_AUTHORITY:
        return Area.objects.filter(parent__parent=area, area_type__level=AreaType.Level.LSOA)
    current = current_types().get(AreaType.Level.LOCAL_AUTHORITY)
    return area.children.filter(area_type=current) if current else area.children.all()


def map_features(area: Area) -> list[dict]:
    """GeoJSON features for the area's map."""
    return features(map_areas(area))


def features(areas) -> list[dict]:
    """GeoJSON features shaded by IMD decile (national data) or carrying the IMD score (demo data, which has
    no national deciles), each with its latest IoD edition's figures; a drawn boundary carries its note."""
    shapes = list(areas.exclude(geometry="").select_related("area_type").order_by("code"))
    values = AreaValue.objects.filter(
        area_id__in=[a.id for a in shapes],
        measure__slug__in=["imd_decile", "imd_score"],
        measure__dataset__slug__in=INDEX_DATASETS,
    ).order_by("-measure__dataset__edition")
    figures: dict[tuple[int, str], float] = {}
    for area_id, slug, value in values.values_list("area_id", "measure__slug", "value"):
        figures.setdefault((area_id, slug), value)
    return [
        {
            "type": "Feature",
            "properties": {
                "code": a.code,
                "name": a.name,
                "imd_decile": int(figures[(a.id, "imd_decile")]) if (a.id, "imd_decile") in figures else None,
                "imd_score": round(figures[(a.id, "imd_score")], 3) if (a.id, "imd_score") in figures else None,
                "note": a.geometry_note,
                "url": a.get_absolute_url(),
            },
            "geometry": json.loads(a.geometry),
        }
        for a in shapes
    ]


def map_notes(area: Area) -> list[str]:
    """How the boundaries on an area's map were drawn, where they are not the published ones."""
    notes = map_areas(area).exclude(geometry_note="").values_list("geometry_note", flat=True)
    return sorted({re.sub(r" \(E01\d+\)$", "", n) for n in notes[:500]})


def combined_geometry(area: Area) -> str:
    """A MultiPolygon of the area's LSOA shapes, for areas the boundary files do not cover."""
    polygons = []
    for text in map_areas(area).exclude(geometry="").values_list("geometry", flat=True):
        shape = json.loads(text)
        polygons.extend([shape["coordinates"]] if shape["type"] == "Polygon" else shape["coordinates"])
    return json.dumps({"type": "MultiPolygon", "coordinates": polygons}, separators=(",", ":")) if polygons else ""


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
