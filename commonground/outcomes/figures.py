"""Flat rows of dashboard figures for CSV downloads and the open data API."""

from __future__ import annotations

from commonground.outcomes.dashboards import LICENCE, _dataset_info, _datasets
from commonground.outcomes.models import WellbeingMeasure
from commonground.places.models import AreaValue

# Flat rows for CSV downloads: one row per figure ------------------------------------------------------------

CSV_COLUMNS = [
    "area_code",
    "area_name",
    "theme",
    "measure",
    "measure_name",
    "period",
    "value",
    "unit",
    "kind",
    "dataset",
    "comparison",
]


def figure_rows(board: dict, *, publishable_only: bool = True) -> list[dict]:
    """Every figure of a dashboard as flat rows; licensed third-party figures left out when re-publishing."""
    area = board["area"]
    base = {"area_code": area["code"], "area_name": area["name"]}
    rows = [
        {
            **base,
            "theme": "",
            "measure": "tile",
            "measure_name": t["label"],
            "period": t.get("note", ""),
            "value": t["value"],
            "unit": t["unit"],
            "kind": "headline",
            "dataset": "",
            "comparison": "",
        }
        for t in board["tiles"]
    ]
    for theme in board["themes"]:
        for m in theme["measures"]:
            if m["third_party"] and publishable_only:
                continue
            common = {
                **base,
                "theme": theme["slug"],
                "measure": m["slug"],
                "measure_name": m["name"],
                "unit": m["unit"],
            }
            for point in m["series"]:
                rows.append(
                    {
                        **common,
                        "period": point["period"],
                        "value": point["value"],
                        "kind": "trend",
                        "dataset": point["dataset"],
                        "comparison": "",
                    }
                )
            cmp_ = m.get("comparison")
            if cmp_:
                for label in ("similar", "region", "england"):
                    if cmp_[label] is not None:
                        rows.append(
                            {
                                **common,
                                "period": cmp_["period"],
                                "value": cmp_[label],
                                "kind": "comparison",
                                "dataset": m["latest"]["dataset"],
                                "comparison": cmp_[f"{label}_label"],
                            }
                        )
            for r in m.get("by_region", []):
                rows.append(
                    {
                        **common,
                        "period": m["latest"]["period"],
                        "value": r["value"],
                        "kind": "region",
                        "dataset": m["latest"]["dataset"],
                        "comparison": r["region"],
                    }
                )
    for section in board["sections"]:
        for row in section["rows"]:
            for key, label in section["columns"]:
                value = row.get(key)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    rows.append(
                        {
                            **base,
                            "theme": section["slug"],
                            "measure": key,
                            "measure_name": label,
                            "period": row.get("period", ""),
                            "value": value,
                            "unit": row.get(f"{key}_unit", ""),
                            "kind": section["slug"],
                            "dataset": section.get("dataset") or "",
                            "comparison": row.get(section["columns"][0][0], ""),
                        }
                    )
    return rows


def publishable(board: dict) -> dict:
    """The dashboard with licensed third-party values blanked, for the open data API."""
    themes = []
    for theme in board["themes"]:
        measures = []
        for m in theme["measures"]:
            if m["third_party"]:
                m = {**m, "series": [], "latest": None, "comparison": None, "by_region": [], "change": None}
            measures.append(m)
        themes.append({**theme, "measures": measures})
    return {**board, "themes": themes}


def measure_figures(measure: WellbeingMeasure, level: str, offset: int, limit: int | None) -> dict:
    """The latest period's figure of a measure for every area of a level, paginated, for the open data API."""
    datasets = _datasets()
    chosen = None
    for source in sorted(measure.sources.all(), key=lambda s: s.period, reverse=True):
        values = AreaValue.objects.filter(
            area__area_type__level=level, measure__dataset__slug=source.dataset_slug, measure__slug=source.measure_slug
        )
        if source.dataset_slug in datasets and values.exists():
            chosen = (source, values)
            break
    body = {"measure": measure.slug, "name": measure.name, "unit": measure.unit, "period": None, "dataset": None,
            "withheld": False, "licence": LICENCE, "sources": [], "count": 0, "offset": offset,
            "limit": limit or 0, "results": []}  # fmt: skip
    if chosen is None:
        return body
    source, values = chosen
    dataset = datasets[source.dataset_slug]
    body.update(period=source.period, dataset=dataset.slug, licence=dataset.licence, sources=[_dataset_info(dataset)])
    if dataset.is_third_party:
        return {**body, "withheld": True}
    values = values.order_by("area__code", "area__area_type_id").values_list(
        "area__code", "area__name", "area__area_type__code", "value"
    )
    page = values[offset : offset + limit] if limit is not None else values[offset:]
    body["count"] = values.count()
    body["limit"] = limit if limit is not None else body["count"]
    body["results"] = [{"code": c, "name": n, "area_type": t, "value": v} for c, n, t, v in page]
    return body
