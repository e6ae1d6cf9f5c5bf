"""The outcomes API: the wellbeing framework, dashboards and every figure on them.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

import csv
import hashlib
import io
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public
from commonground.core.api import Problem, page_bounds
from commonground.outcomes import dashboards, figures
from commonground.outcomes.models import WellbeingMeasure
from commonground.places.models import AreaType
from commonground.places.services import find_area

router = Router(tags=["outcomes"])

# --- Outcomes: wellbeing framework, dashboards and their figures (issue 9) --------------------------------
# Every figure on every dashboard, as JSON and CSV at stable URLs, with ETags (304 on a conditional
# GET), the licence and the sources. Licensed third-party figures (the CNI) are not re-published.

CSV_RESPONSE = {"description": "CSV, one row per figure", "content": {"text/csv": {"schema": {"type": "string"}}}}
NOT_MODIFIED = {"description": "Not modified since the ETag given in If-None-Match"}


class SourceInfo(Schema):
    slug: str
    name: str
    source: str
    source_url: str
    licence: str
    release_date: str | None
    third_party: bool


class SeriesPoint(Schema):
    period: str
    value: float
    dataset: str
    areas: int | None = None
    area_type: str | None = None


class Comparison(Schema):
    period: str
    this_area: float
    similar: float | None
    similar_count: int
    similar_label: str | None
    region: float | None
    region_count: int
    region_label: str | None
    england: float | None
    england_count: int
    england_label: str


class RegionValue(Schema):
    region: str
    value: float
    areas: int


class DashboardMeasure(Schema):
    slug: str
    name: str
    unit: str
    direction: str
    source: str
    geography: str
    period: str
    headline: bool
    series: list[SeriesPoint]
    latest: SeriesPoint | None
    change: str | None
    comparison: Comparison | None = None
    by_region: list[RegionValue] = []
    third_party: bool


class SignalOut(Schema):
    statement: str
    chosen_by: str
    method: str
    chosen_on: str


class ThemeOut(Schema):
    slug: str
    name: str
    cross_cutting: bool
    measures: list[DashboardMeasure]
    signals: list[SignalOut]


class Tile(Schema):
    label: str
    value: float
    unit: str
    note: str


class SectionOut(Schema):
    slug: str
    title: str
    status: str
    summary: str
    columns: list[list[str]]
    rows: list[dict[str, Any]]
    tiles: list[Tile]
    dataset: str | None


class AreaRef(Schema):
    code: str
    name: str


class DashboardArea(Schema):
    code: str
    name: str
    level: str
    area_type: str
    area_type_name: str
    population: int | None
    is_demo: bool
    parent: AreaRef | None


class Dashboard(Schema):
    scope: str
    area: DashboardArea
    tiles: list[Tile]
    themes: list[ThemeOut]
    sections: list[SectionOut]
    sources: list[SourceInfo]
    licence: str
    licence_note: str
    data_version: str
    generated: str


class MeasureSourceOut(Schema):
    dataset: str
    measure: str
    period: str


class FrameworkMeasure(Schema):
    slug: str
    name: str
    theme: str
    theme_name: str
    source: str
    unit: str
    direction: str
    geography: str
    period: str
    status: str
    headline: bool
    sources: list[MeasureSourceOut]


class MeasurePage(Schema):
    count: int
    offset: int
    limit: int
    licence: str
    results: list[FrameworkMeasure]


class AreaFigure(Schema):
    code: str
    name: str
    area_type: str
    value: float


class FigurePage(Schema):
    measure: str
    name: str
    unit: str
    period: str | None
    dataset: str | None
    withheld: bool
    licence: str
    sources: list[SourceInfo]
    count: int
    offset: int
    limit: int
    results: list[AreaFigure]


class MapCollection(Schema):
    type: str
    measure: str
    name: str
    features: list[dict[str, Any]]


def _conditional(request: HttpRequest, build, content_type: str = "application/json", filename: str = ""):
    """Answer 304 when the client's ETag still matches the data version; else build the body once."""
    version = dashboards.data_version()
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:12]
    etag = f'"{version}-{digest}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        body = build(version)
        if isinstance(body, HttpResponse):
            return body
        if content_type == "text/csv":
            response = HttpResponse(body, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        else:
            response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response


def _not_found(detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=404)


def _dashboard_area(code: str, type_code: str | None):
    area = find_area(code, type_code)
    if area is None or area.area_type.level not in (AreaType.Level.WARD, AreaType.Level.LOCAL_AUTHORITY):
        return None
    return area


def _rows_csv(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


@router.get(
    "/outcomes/measures",
    response={200: MeasurePage, 304: None},
    tags=["outcomes"],
    summary="The wellbeing framework: every measure, its theme, sources and status",
    description="Retired measures are included (status 'retired') so old reports still read; paginated.",
)
@public
def outcome_measures(request: HttpRequest, offset: int = 0, limit: int = 100):
    offset, limit = page_bounds(offset, limit)

    def build(version):
        measures = WellbeingMeasure.objects.select_related("theme").prefetch_related("sources")
        measures = measures.order_by("theme__order", "order", "slug")
        page = measures[offset : offset + limit]
        results = [
            {"slug": m.slug, "name": m.name, "theme": m.theme.slug, "theme_name": m.theme.name, "source": m.source,
             "unit": m.unit, "direction": m.direction, "geography": m.geography, "period": m.period,
             "status": m.status, "headline": m.headline,
             "sources": [{"dataset": s.dataset_slug, "measure": s.measure_slug, "period": s.period}
                         for s in m.sources.all()]}
            for m in page
        ]  # fmt: skip
        return {"count": measures.count(), "offset": offset, "limit": limit,
                "licence": dashboards.LICENCE, "results": results}  # fmt: skip

    return _conditional(request, build)


@router.get(
    "/outcomes/measures/{slug}/figures",
    response={200: FigurePage, 304: None, 404: Problem},
    tags=["outcomes"],
    summary="One measure's latest figure for every area of a level (the map's and comparisons' data)",
    description="Level: ward or local_authority. Paginated, ordered by area code. Licensed third-party "
    "figures are withheld (withheld: true).",
)
@public
def outcome_measure_figures(
    request: HttpRequest, slug: str, level: AreaType.Level = AreaType.Level.WARD, offset: int = 0, limit: int = 100
):
    offset, limit = page_bounds(offset, limit)
    measure = WellbeingMeasure.objects.prefetch_related("sources").filter(slug=slug).first()
    if measure is None:
        return Status(404, {"detail": f"No measure has the short name {slug!r}"})

    def build(version):
        return figures.measure_figures(measure, level, offset, limit)

    return _conditional(request, build)


@router.get(
    "/outcomes/measures/{slug}/figures.csv",
    response={200: None, 304: None, 404: Problem},
    openapi_extra={"responses": {200: CSV_RESPONSE}},
    tags=["outcomes"],
    summary="One measure's latest figure for every area of a level, as CSV (all rows)",
)
@public
def outcome_measure_figures_csv(request: HttpRequest, slug: str, level: AreaType.Level = AreaType.Level.WARD):
    measure = WellbeingMeasure.objects.prefetch_related("sources").filter(slug=slug).first()
    if measure is None:
        return Status(404, {"detail": f"No measure has the short name {slug!r}"})

    def build(version):
        page = figures.measure_figures(measure, level, 0, None)
        rows = [{**r, "measure": page["measure"], "period": page["period"], "dataset": page["dataset"]}
                for r in page["results"]]  # fmt: skip
        return _rows_csv(rows, ["code", "name", "area_type", "measure", "period", "value", "dataset"])

    return _conditional(request, build, "text/csv", f"{slug}-{level}.csv")


@router.get(
    "/outcomes/nation/dashboard",
    response={200: Dashboard, 304: None},
    tags=["outcomes"],
    summary="England's dashboard: averages per period, by region, and the national sections",
)
@public
def outcome_nation_dashboard(request: HttpRequest):
    return _conditional(request, lambda version: figures.publishable(
        dashboards.national_dashboard(version)))  # fmt: skip


@router.get(
    "/outcomes/nation/dashboard.csv",
    response={200: None, 304: None},
    openapi_extra={"responses": {200: CSV_RESPONSE}},
    tags=["outcomes"],
    summary="Every figure of England's dashboard as CSV",
)
@public
def outcome_nation_csv(request: HttpRequest):
    def build(version):
        rows = figures.figure_rows(dashboards.national_dashboard(version))
        return _rows_csv(rows, figures.CSV_COLUMNS)

    return _conditional(request, build, "text/csv", "england-dashboard.csv")


@router.get(
    "/outcomes/nation/map",
    response={200: MapCollection, 304: None, 404: Problem},
    tags=["outcomes"],
    summary="GeoJSON of England's local authorities with one measure's latest figure as `value`",
)
@public
def outcome_nation_map(request: HttpRequest, measure: str | None = None):
    chosen = dashboards.find_measure(measure)
    if chosen is None:
        return Status(404, {"detail": f"No measure has the short name {measure!r}"})
    return _conditional(request, lambda version: dashboards.map_collection(None, chosen, version))


@router.get(
    "/outcomes/areas/{code}/dashboard",
    response={200: Dashboard, 304: None, 404: Problem},
    tags=["outcomes"],
    summary="A ward's or local authority's dashboard: tiles, measures with trends and comparisons, sections",
)
@public
def outcome_area_dashboard(request: HttpRequest, code: str, type: str | None = None):  # noqa: A002
    area = _dashboard_area(code, type)
    if area is None:
        return Status(404, {"detail": f"No ward or local authority has the code {code!r}"})
    return _conditional(request, lambda version: figures.publishable(
        dashboards.area_dashboard(area, version)))  # fmt: skip


@router.get(
    "/outcomes/areas/{code}/dashboard.csv",
    response={200: None, 304: None, 404: Problem},
    openapi_extra={"responses": {200: CSV_RESPONSE}},
    tags=["outcomes"],
    summary="Every figure of an area's dashboard as CSV",
)
@public
def outcome_area_csv(request: HttpRequest, code: str, type: str | None = None):  # noqa: A002
    area = _dashboard_area(code, type)
    if area is None:
        return Status(404, {"detail": f"No ward or local authority has the code {code!r}"})

    def build(version):
        rows = figures.figure_rows(dashboards.area_dashboard(area, version))
        return _rows_csv(rows, figures.CSV_COLUMNS)

    return _conditional(request, build, "text/csv", f"{area.code}-dashboard.csv")


@router.get(
    "/outcomes/areas/{code}/map",
    response={200: MapCollection, 304: None, 404: Problem},
    tags=["outcomes"],
    summary="GeoJSON for an area's dashboard map (a ward among its neighbours, or a district's wards)",
)
@public
def outcome_area_map(request: HttpRequest, code: str, type: str | None = None, measure: str | None = None):  # noqa: A002
    area = _dashboard_area(code, type)
    if area is None:
        return Status(404, {"detail": f"No ward or local authority has the code {code!r}"})
    chosen = dashboards.find_measure(measure)
    if chosen is None:
        return Status(404, {"detail": f"No measure has the short name {measure!r}"})
    return _conditional(request, lambda version: dashboards.map_collection(area, chosen, version))
