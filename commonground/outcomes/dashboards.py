"""Dashboards for a ward, a local authority or the nation.

Every figure a page shows comes from `area_dashboard()` or `national_dashboard()` (pages, the PDF
report and the open data API all read the same dict). National comparisons are computed once per
data version and stored (places.services.stored_figure), so every worker reads them after a restart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
from django.core.cache import cache
from django.db import connection

from commonground.core import sections
from commonground.engine import outcomes as engine
from commonground.outcomes.framework import framework
from commonground.outcomes.models import WellbeingMeasure
from commonground.places import services as places
from commonground.places.models import Area, AreaType, AreaValue, DataSet

LICENCE = "Open Government Licence v3.0"
LICENCE_NOTE = (
    "Figures are published under the Open Government Licence v3.0 unless their source says otherwise; "
    "each source below names its licence. Licensed third-party figures are shown on pages but not re-published."
)
CACHE_SECONDS = 3600


# Data version: one query for this app's figures, and each app's own version() for its sections -----------------

VERSION_SQL = "SELECT (SELECT MAX(id) FROM outcomes_measurechange), (SELECT MAX(id) FROM outcomes_signal)"


def data_version() -> str:
    """A short token that changes whenever any figure on a dashboard could change (for ETags and caches)."""
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    parts = [str(v) for v in row] + sections.versions()
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


# Comparison tables are stored once per data version (places.national: every worker, after every restart, reads
# the same small rows) and held in this process after the first read. Cleared whenever the data version changes.
_TABLES: dict = {}


# National comparison tables ----------------------------------------------------------------------------------


def _region_of(area_type_id: int) -> dict[int, int | None]:
    """Area id → its region's id, whether the region is the parent (districts) or grandparent (wards)."""
    rows = Area.objects.filter(area_type_id=area_type_id).values_list(
        "id", "parent_id", "parent__area_type__level", "parent__parent_id", "parent__parent__area_type__level"
    )
    region = AreaType.Level.REGION
    return {i: (p if pl == region else gp if gpl == region else None) for i, p, pl, gp, gpl in rows}


def _deciles(area_type_id: int) -> dict[int, int]:
    """Area id → IMD decile, of the latest edition an area has."""
    found: dict[int, int] = {}
    for slug in reversed(places.INDEX_DATASETS):  # later (newer) editions overwrite
        found.update(
            (a, int(v))
            for a, v in AreaValue.objects.filter(
                area__area_type_id=area_type_id, measure__slug="imd_decile", measure__dataset__slug=slug
            ).values_list("area_id", "value")
        )
    return found


def groups_of(area: Area) -> tuple[int | None, int | None]:
    """The area's IMD decile (latest edition) and region id: the groups its comparisons are made in."""
    deciles = dict(
        AreaValue.objects.filter(
            area=area, measure__slug="imd_decile", measure__dataset__slug__in=places.INDEX_DATASETS
        ).values_list("measure__dataset__slug", "value")
    )
    decile = next((int(deciles[d]) for d in places.INDEX_DATASETS if d in deciles), None)
    region = AreaType.Level.REGION
    parent = area.parent
    if parent is not None and parent.area_type.level != region:
        parent = parent.parent
    return decile, parent.pk if parent is not None and parent.area_type.level == region else None


def _compute_table(dataset_slug: str, measure_slug: str, area_type_id: int) -> dict:
    """Mean and count of one figure over all areas of a type, overall, by IMD decile and by region (JSON-ready)."""
    pairs = list(
        AreaValue.objects.filter(
            measure__dataset__slug=dataset_slug, measure__slug=measure_slug, area__area_type_id=area_type_id
        ).values_list("area_id", "value")
    )
    ids = [a for a, _ in pairs]
    values = np.array([v for _, v in pairs], dtype=float)
    if ("groups", area_type_id) not in _TABLES:  # shared by every measure of this area type
        _TABLES[("groups", area_type_id)] = (_deciles(area_type_id), _region_of(area_type_id))
    deciles, regions = _TABLES[("groups", area_type_id)]
    by_decile = engine.group_means(values, [deciles.get(a) for a in ids])
    by_region = engine.group_means(values, [regions.get(a) for a in ids])
    return {
        "all": engine.group_means(values, ["all"] * len(ids)).get("all"),
        "by_decile": [[k, m, n] for k, (m, n) in by_decile.items()],
        "by_region": [[k, m, n] for k, (m, n) in by_region.items()],
    }


def comparison_table(version: str, dataset_slug: str, measure_slug: str, area_type_id: int) -> dict:
    """Mean of one figure over all areas of a type, by IMD decile and by region: {"all": (mean, n) or None,
    "by_decile": {decile: (mean, n)}, "by_region": {region id: (mean, n)}}."""
    if _TABLES.get("version") != version:
        _TABLES.clear()
        _TABLES["version"] = version
    key = (dataset_slug, measure_slug, area_type_id)
    table = _TABLES.get(key)
    if table is not None:
        return table
    stored = places.stored_figure(
        f"comparison:{dataset_slug}:{measure_slug}:{area_type_id}",
        lambda: _compute_table(dataset_slug, measure_slug, area_type_id),
    )
    table = {
        "all": tuple(stored["all"]) if stored["all"] else None,
        "by_decile": {k: (m, n) for k, m, n in stored["by_decile"]},
        "by_region": {k: (m, n) for k, m, n in stored["by_region"]},
    }
    _TABLES[key] = table
    return table


def precompute() -> int:
    """Store the comparison tables of every framework measure for the current wards and districts (after a data
    load, so the first visitors after it, and after every restart, find them ready). Returns how many."""
    types = [t for t in places.current_types().values() if t.level in (AreaType.Level.WARD,
                                                                        AreaType.Level.LOCAL_AUTHORITY)]  # fmt: skip
    version = data_version()
    done = 0
    for theme in framework(version=version):
        for m in theme.measures.all():
            for s in m.sources.all():
                for t in types:
                    comparison_table(version, s.dataset_slug, s.measure_slug, t.pk)
                    done += 1
    return done


# Dashboards ------------------------------------------------------------------------------------------------


def _dataset_info(ds: DataSet) -> dict:
    return {
        "slug": ds.slug,
        "name": ds.name,
        "source": ds.source,
        "source_url": ds.source_url,
        "licence": ds.licence,
        "release_date": ds.release_date.isoformat() if ds.release_date else None,
        "third_party": ds.is_third_party,
    }


def _area_info(area: Area) -> dict:
    return {
        "code": area.code,
        "name": area.name,
        "level": area.area_type.level,
        "area_type": area.area_type.code,
        "area_type_name": area.area_type.name,
        "population": area.population,
        "is_demo": area.is_demo,
        "parent": {"code": area.parent.code, "name": area.parent.name} if area.parent_id else None,
    }


def _measure_info(m: WellbeingMeasure) -> dict:
    return {
        "slug": m.slug,
        "name": m.name,
        "unit": m.unit,
        "direction": m.direction,
        "source": m.source,
        "geography": m.geography,
        "period": m.period,
        "headline": m.headline,
    }


def _datasets() -> dict[str, DataSet]:
    return {d.slug: d for d in DataSet.objects.all()}


def _finish(key: str, head: dict, theme_rows: list, section_rows: list, sources: list, version) -> dict:
    """A dashboard: its own head (scope, area, tiles), then what every dashboard has; cached under `key`."""
    result = {**head, "themes": theme_rows, "sections": section_rows, "sources": sources, "licence": LICENCE,
              "licence_note": LICENCE_NOTE, "data_version": version,
              "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}  # fmt: skip
    cache.set(key, result, CACHE_SECONDS)
    return result


def _theme_row(theme, rows: list[dict], area_ids: tuple) -> dict:
    """A theme's part of a dashboard: its measures' rows and residents' signals for these areas."""
    return {"slug": theme.slug, "name": theme.name, "cross_cutting": theme.cross_cutting, "measures": rows,
            "signals": _signals(theme, area_ids)}  # fmt: skip


def _signals(theme, area_ids: tuple) -> list[dict]:
    """Residents' signals for a theme, chosen for any of these areas (None: everywhere)."""
    return [
        {
            "statement": s.statement,
            "chosen_by": s.chosen_by,
            "method": s.get_method_display(),
            "chosen_on": s.chosen_on.isoformat(),
        }
        for s in theme.signals.all()
        if s.area_id in area_ids
    ]


def area_dashboard(area: Area, version: str | None = None) -> dict:
    """Every figure on an area's dashboard (ward or local authority), cached per data version."""
    version = version or data_version()
    key = f"outcomes:area:{version}:{area.pk}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    datasets = _datasets()
    themes = framework(version=version)
    wanted = {(s.dataset_slug, s.measure_slug) for t in themes for m in t.measures.all() for s in m.sources.all()}
    own = {
        (ds, ms): v
        for ds, ms, v in AreaValue.objects.filter(
            area=area, measure__dataset__slug__in={d for d, _ in wanted}, measure__slug__in={m for _, m in wanted}
        ).values_list("measure__dataset__slug", "measure__slug", "value")
    }
    used: set[str] = set()
    region = None
    groups = None  # the area's IMD decile and region, read once
    theme_rows = []
    for theme in themes:
        rows = []
        for m in theme.measures.all():
            series = [
                {"period": s.period, "value": own[(s.dataset_slug, s.measure_slug)], "dataset": s.dataset_slug}
                for s in m.sources.all()
                if (s.dataset_slug, s.measure_slug) in own
            ]
            series = _one_edition(series, datasets)
            row = {
                **_measure_info(m),
                "series": series,
                "latest": series[-1] if series else None,
                "change": None,
                "comparison": None,
                "third_party": False,
                "relative": bool(series) and bool(datasets[series[-1]["dataset"]].family),
            }
            if series:
                latest = series[-1]
                ds = datasets[latest["dataset"]]
                used.update(s["dataset"] for s in series)
                row["third_party"] = ds.is_third_party
                if len(series) > 1:
                    row["change"] = engine.change(series[-2]["value"], latest["value"], m.direction)
                source = next(s for s in m.sources.all() if s.dataset_slug == latest["dataset"])
                table = comparison_table(version, source.dataset_slug, source.measure_slug, area.area_type_id)
                decile, region_id = groups if groups is not None else (groups := groups_of(area))
                if region_id and region is None:
                    region = Area.objects.filter(pk=region_id).values_list("name", flat=True).first()
                similar = table["by_decile"].get(decile) if decile else None
                in_region = table["by_region"].get(region_id) if region_id else None
                row["comparison"] = {
                    "period": latest["period"],
                    "this_area": latest["value"],
                    "similar": similar[0] if similar else None,
                    "similar_count": similar[1] if similar else 0,
                    "similar_label": f"{places.type_label(area.area_type).capitalize()} in IMD decile {decile} "
                    f"({datasets[latest['dataset']].edition_label})"
                    if decile
                    else None,
                    "region": in_region[0] if in_region else None,
                    "region_count": in_region[1] if in_region else 0,
                    "region_label": region,
                    "england": table["all"][0] if table["all"] else None,
                    "england_count": table["all"][1] if table["all"] else 0,
                    "england_label": "All demo areas of this type" if area.is_demo else "England",
                }
            rows.append(row)
        theme_rows.append(_theme_row(theme, rows, (None, area.pk, area.parent_id)))
    section_rows = sections.collect(area)
    used.update(s["dataset"] for s in section_rows if s.get("dataset"))
    head = {
        "scope": "area",
        "area": _area_info(area),
        "tiles": _tiles(area, theme_rows, section_rows, datasets),
    }
    return _finish(
        key,
        head,
        theme_rows,
        section_rows,
        [_dataset_info(datasets[s]) for s in sorted(used) if s in datasets],
        version,
    )


def _one_edition(series: list[dict], datasets: dict[str, DataSet]) -> list[dict]:
    """The points of a series that can be compared with its latest: never two editions of a relative index
    (MHCLG: the IoD is not a measure of change over time), so an IoD measure shows its latest edition only."""
    if not series:
        return series
    latest = series[-1]["dataset"]
    kept = [p for p in series if p["dataset"] == latest or places.comparable(p["dataset"], latest)]
    return [{**p, "label": _label(p, datasets)} for p in kept]


def _label(point: dict, datasets: dict[str, DataSet]) -> str:
    """What a figure is labelled with: its index edition ("IoD 2025"), else its period."""
    dataset = datasets.get(point["dataset"])
    return dataset.edition_label if dataset is not None and dataset.family else point["period"]


def _tiles(area: Area | None, themes: list[dict], section_rows: list[dict], datasets: dict[str, DataSet]) -> list[dict]:
    tiles = []
    if area is not None and area.population:
        note = area.area_type.population_note or "population"
        tiles.append({"label": "Population", "value": area.population, "unit": "people", "note": note})
    for section in section_rows:
        tiles.extend(section.get("tiles", []))
    for theme in themes:
        for m in theme["measures"]:
            if m["headline"] and m["latest"] is not None and not m["third_party"]:
                label = _label(m["latest"], datasets)
                trend = dict(BETTER).get(m["change"])
                tiles.append(
                    {
                        "label": m["name"],
                        "value": m["latest"]["value"],
                        "unit": m["unit"],
                        "note": f"{label}; {trend}" if trend else label,
                    }
                )
    return tiles


BETTER = (
    ("better", "better than before"),
    ("worse", "worse than before"),
    ("same", "no change"),
    ("up", "up"),
    ("down", "down"),
)


def national_dashboard(version: str | None = None) -> dict:
    """England (or the demo borough when only demo data is loaded): averages per period and by region."""
    version = version or data_version()
    key = f"outcomes:nation:{version}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    demo = not Area.objects.filter(is_demo=False).exists()
    datasets = _datasets()
    ward_type = (
        AreaType.objects.filter(code="ward-demo").first() if demo else places.current_types().get(AreaType.Level.WARD)
    )
    ward_types = [ward_type] if ward_type else []  # one vintage: wards of two editions are never added up
    regions = dict(Area.objects.filter(area_type__level=AreaType.Level.REGION).values_list("id", "name"))
    used: set[str] = set()
    theme_rows = []
    for theme in framework(version=version):
        rows = []
        for m in theme.measures.all():
            series, by_region = [], []
            for s in m.sources.all():
                if s.dataset_slug not in datasets or datasets[s.dataset_slug].is_demo != demo:
                    continue
                for t in ward_types:
                    table = comparison_table(version, s.dataset_slug, s.measure_slug, t.pk)
                    if table["all"]:
                        series.append(
                            {
                                "period": s.period,
                                "value": table["all"][0],
                                "dataset": s.dataset_slug,
                                "areas": table["all"][1],
                                "area_type": t.code,
                            }
                        )
                        by_region = [
                            {"region": regions.get(r, str(r)), "value": v, "areas": n}
                            for r, (v, n) in table["by_region"].items()
                        ]
                        used.add(s.dataset_slug)
            series.sort(key=lambda r: r["period"])
            series = _one_edition(series, datasets)
            third = bool(series) and datasets[series[-1]["dataset"]].is_third_party
            rows.append(
                {
                    **_measure_info(m),
                    "series": series,
                    "latest": series[-1] if series else None,
                    "change": engine.change(series[-2]["value"], series[-1]["value"], m.direction)
                    if len(series) > 1
                    else None,
                    "by_region": sorted(by_region, key=lambda r: r["region"]),
                    "third_party": third,
                    "relative": bool(series) and bool(datasets[series[-1]["dataset"]].family),
                }
            )
        theme_rows.append(_theme_row(theme, rows, (None,)))
    section_rows = sections.collect(None)
    wards = Area.objects.filter(area_type__in=ward_types).count()
    note = places.type_label(ward_type) if ward_type else "none loaded"
    tiles = [{"label": "Wards", "value": wards, "unit": "", "note": note}]
    tiles += _tiles(None, theme_rows, section_rows, datasets)[:6]
    head = {
        "scope": "nation",
        "area": {
            "code": "E92000001" if not demo else "DEMO",
            "name": "England" if not demo else "Demo data",
            "level": AreaType.Level.NATION,
            "area_type": "nation",
            "area_type_name": "Nation",
            "population": None,
            "is_demo": demo,
            "parent": None,
        },
        "tiles": tiles,
    }
    return _finish(key, head, theme_rows, section_rows, [_dataset_info(datasets[s]) for s in sorted(used)], version)


def find_measure(slug: str | None) -> WellbeingMeasure | None:
    measures = WellbeingMeasure.objects.prefetch_related("sources").filter(status=WellbeingMeasure.Status.ACTIVE)
    return (measures.filter(slug=slug).first() if slug else None) or measures.filter(headline=True).first()


def map_areas(area: Area | None) -> list[Area]:
    """What the dashboard map shows: a ward among its neighbours, a district's wards, or England's districts."""
    if area is None:
        demo = not Area.objects.filter(is_demo=False).exists()
        current = places.current_types()
        with_shape = Area.objects.filter(area_type__level=AreaType.Level.LOCAL_AUTHORITY, is_demo=demo).exclude(
            geometry=""
        )
        if not demo:
            with_shape = with_shape.filter(area_type=current.get(AreaType.Level.LOCAL_AUTHORITY))
        if with_shape.exists():
            return list(with_shape)
        return list(Area.objects.filter(area_type__level=AreaType.Level.WARD, is_demo=demo))  # no district shapes
    if area.area_type.level == AreaType.Level.WARD and area.parent_id:
        return list(Area.objects.filter(parent_id=area.parent_id, area_type_id=area.area_type_id))
    if area.area_type.level == AreaType.Level.WARD:
        return [area]
    return list(area.children.filter(area_type__level=AreaType.Level.WARD))


def map_collection(area: Area | None, measure: WellbeingMeasure, version: str | None = None) -> dict:
    """GeoJSON of the map's areas with the measure's latest value as `value` (cached per version)."""
    version = version or data_version()
    key = f"outcomes:map:{version}:{area.pk if area else 'nation'}:{measure.slug}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    shapes = map_areas(area)
    ids = [a.pk for a in shapes]
    values: dict[int, tuple[str, float]] = {}
    third_party = set(DataSet.objects.filter(is_third_party=True).values_list("slug", flat=True))
    for s in measure.sources.all():  # later periods overwrite earlier ones
        for area_id, value in AreaValue.objects.filter(
            area_id__in=ids, measure__dataset__slug=s.dataset_slug, measure__slug=s.measure_slug
        ).values_list("area_id", "value"):
            values[area_id] = (s.period, value, s.dataset_slug in third_party)
    features = []
    for a in shapes:
        geometry = a.geometry or places.combined_geometry(a)
        if not geometry:
            continue
        period, value, licensed = values.get(a.pk, (None, None, False))
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": a.code,
                    "name": a.name,
                    "value": None if licensed else value,
                    "period": period,
                    "measure": measure.slug,
                    "unit": measure.unit,
                },
                "geometry": json.loads(geometry),
            }
        )
    result = {"type": "FeatureCollection", "measure": measure.slug, "name": measure.name, "features": features}
    cache.set(key, result, CACHE_SECONDS)
    return result


# A set of LSOAs (a neighbourhood) ---------------------------------------------------------------------------------

AVERAGED_UNITS = ("score", "0–100", "%", "per ")  # scores and rates: a population-weighted mean is meaningful


def averageable(unit: str) -> bool:
    """Whether a measure's figures for a group of LSOAs are their population-weighted mean (scores and rates,
    as the IoD summarises higher areas); counts, ranks and deciles are not averaged."""
    return any(word in (unit or "").lower() for word in AVERAGED_UNITS)


def lsoas_dashboard(lsoas: list[Area], version: str | None = None) -> list[dict]:
    """The wellbeing measures for exactly these LSOAs (a neighbourhood): each measure's LSOA figures averaged,
    weighted by population, latest edition only (never two editions of an index). Each row names how many of
    the LSOAs had a figure; measures with no LSOA figures, or that cannot be averaged, are left out."""
    weights = {a.pk: a.population or 0 for a in lsoas}
    if not weights:
        return []
    datasets = _datasets()
    rows = []
    for theme in framework(version=version or data_version()):
        for m in theme.measures.all():
            if not averageable(m.unit):
                continue
            series = []
            for s in m.sources.all():
                values = dict(
                    AreaValue.objects.filter(
                        area_id__in=weights, measure__dataset__slug=s.dataset_slug, measure__slug=s.measure_slug
                    ).values_list("area_id", "value")
                )
                total = sum(weights[a] for a in values)
                if values and total and s.dataset_slug in datasets:
                    mean = sum(v * weights[a] for a, v in values.items()) / total
                    series.append({"period": s.period, "value": round(mean, 2), "dataset": s.dataset_slug,
                                   "lsoas": len(values)})  # fmt: skip
            series = _one_edition(series, datasets)
            if series:
                latest = series[-1]
                rows.append({
                    "theme": theme.name, "measure": m.name, "slug": m.slug, "unit": m.unit, "direction": m.direction,
                    "value": latest["value"], "label": latest["label"], "source": datasets[latest["dataset"]].name,
                    "lsoas_with_figures": latest["lsoas"], "lsoas": len(weights),
                })  # fmt: skip
    return rows


def preload_report() -> None:
    """Import what the State of the Neighbourhood report needs (matplotlib, WeasyPrint: over half of a first
    report's seconds). `serve` calls it before gunicorn forks, so every worker starts with them; tests and
    commands still import them lazily. By name: importing outcomes.report here would close a circle."""
    import importlib

    for name in ("matplotlib.figure", "matplotlib.collections", "weasyprint"):
        importlib.import_module(name)
