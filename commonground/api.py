"""The JSON API (OpenAPI at /api/openapi.json, explorer at /api/docs).

Every operation carries `public` or `requires(...)` from accounts.permissions, like every page.
Annotations are real objects here (no postponed evaluation) because django-ninja reads them
through the permission wrappers.
"""

import csv
import hashlib
import io
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema, Status

from commonground import __version__
from commonground.accounts.permissions import public, requires
from commonground.accounts.roles import Capability
from commonground.audit.models import AuditRecord
from commonground.outcomes import services as outcome_services
from commonground.outcomes.models import WellbeingMeasure
from commonground.places import services as place_services
from commonground.places.models import Area, AreaType
from commonground.places.services import area_profile, find_area

api = NinjaAPI(
    docs_decorator=public,
    title="Common Ground API",
    version=__version__,
    description="Open data on neighbourhoods, funds and decisions. Figures carry their source and licence.",
    urls_namespace="api",
)

MAX_PAGE = 500


class AreaSummary(Schema):
    code: str
    name: str
    level: str
    area_type: str
    parent_code: str | None
    population: int | None
    is_demo: bool


class AreaPage(Schema):
    count: int
    offset: int
    limit: int
    results: list[AreaSummary]


class MeasureValue(Schema):
    measure: str
    name: str
    value: float
    unit: str
    direction: str
    dataset: str
    source: str
    licence: str


class AreaDetail(AreaSummary):
    values: list[MeasureValue]
    children: list[AreaSummary]


class Problem(Schema):
    detail: str


class Me(Schema):
    email: str
    full_name: str
    roles: list[str]


class AuditEntry(Schema):
    seq: int
    created_at: str
    actor: str
    action: str
    object_type: str
    object_label: str
    hash: str


def _summary(area: Area) -> dict:
    return {
        "code": area.code,
        "name": area.name,
        "level": area.area_type.level,
        "area_type": area.area_type.code,
        "parent_code": area.parent.code if area.parent_id else None,
        "population": area.population,
        "is_demo": area.is_demo,
    }


MAX_OFFSET = 10**9  # past any real list, and inside PostgreSQL's bigint for OFFSET + LIMIT


def _page_bounds(offset: int, limit: int) -> tuple[int, int]:
    return min(max(offset, 0), MAX_OFFSET), min(max(limit, 1), MAX_PAGE)


@api.get("/health", summary="Service status", tags=["service"])
@public
def health(request: HttpRequest) -> dict:
    return {"status": "ok", "version": __version__}


@api.get(
    "/areas",
    response=AreaPage,
    summary="List areas",
    tags=["places"],
    description="Filter by level (lsoa, ward, local_authority, region) and parent code; paginated.",
)
@public
def list_areas(
    request: HttpRequest,
    level: AreaType.Level | None = None,
    parent: str | None = None,
    offset: int = 0,
    limit: int = 100,
):
    offset, limit = _page_bounds(offset, limit)
    areas = Area.objects.select_related("area_type", "parent").order_by("code")
    if level:
        areas = areas.filter(area_type__level=level)
    if parent:
        areas = areas.filter(parent__code=parent.upper())
    return {
        "count": areas.count(),
        "offset": offset,
        "limit": limit,
        "results": [_summary(a) for a in areas[offset : offset + limit]],
    }


@api.get(
    "/areas/{code}", response={200: AreaDetail, 404: Problem}, summary="One area with its figures", tags=["places"]
)
@public
def get_area(request: HttpRequest, code: str, type: str | None = None):  # noqa: A002  (the query name users see)
    area = find_area(code, type)
    if area is None:
        return Status(404, {"detail": f"No area has the code {code!r}"})
    profile = area_profile(area)
    values = [
        {
            "measure": v.measure.slug,
            "name": v.measure.name,
            "value": v.value,
            "unit": v.measure.unit,
            "direction": v.measure.direction,
            "dataset": v.measure.dataset.slug,
            "source": v.measure.dataset.source,
            "licence": v.measure.dataset.licence,
        }
        for v in profile["values"]
    ]
    return Status(200, {**_summary(area), "values": values, "children": [_summary(c) for c in profile["children"]]})


class Domain(Schema):
    slug: str
    name: str
    weight: float
    score: float | None
    rank: int | None
    decile: int | None


class Deprivation(Schema):
    dataset: str
    licence: str
    score: float
    rank: int
    of: int
    decile: int
    extent: float | None
    share_most_deprived: float | None
    domains: list[Domain]


class NeedDomain(Schema):
    slug: str
    name: str
    score: float


class CommunityNeed(Schema):
    dataset: str
    licence: str
    third_party: bool
    score: float
    rank: int
    of: int
    domains: list[NeedDomain]
    left_behind: bool | None


class Indicators(Schema):
    code: str
    name: str
    level: str
    is_demo: bool
    deprivation: Deprivation | None
    community_need: CommunityNeed | None
    left_behind_reason: str | None


class LeftBehindWard(Schema):
    code: str
    name: str
    local_authority: str
    population: int | None
    imd_score: float | None
    imd_rank: int | None
    cni_rank: int | None
    is_demo: bool


def _dataset_fields(dataset) -> dict:
    return {"dataset": dataset.slug, "licence": dataset.licence}


@api.get(
    "/areas/{code}/indicators",
    response={200: Indicators, 404: Problem},
    tags=["places"],
    summary="Deprivation, community need and left-behind status of one area",
    description="IMD score, rank, decile and seven domains; CNI domains when loaded; the reason in plain English.",
)
@public
def area_indicators(request: HttpRequest, code: str, type: str | None = None):  # noqa: A002
    area = find_area(code, type)
    if area is None:
        return Status(404, {"detail": f"No area has the code {code!r}"})
    grouped = place_services.figures(area)
    imd = place_services.deprivation(area, grouped)
    need = place_services.community_need(area, grouped)
    body = {"code": area.code, "name": area.name, "level": area.area_type.level, "is_demo": area.is_demo,
            "deprivation": None, "community_need": None,
            "left_behind_reason": place_services.left_behind_reason(area, imd, need)}  # fmt: skip
    if imd:
        body["deprivation"] = {**imd, **_dataset_fields(imd["dataset"])}
    if need:
        body["community_need"] = {**need, **_dataset_fields(need["dataset"]),
                                  "third_party": need["dataset"].is_third_party}  # fmt: skip
    return Status(200, body)


@api.get("/areas/{code}/map", summary="GeoJSON of the area's neighbourhoods, with IMD deciles", tags=["places"])
@public
def area_map(request: HttpRequest, code: str, type: str | None = None):  # noqa: A002
    area = find_area(code, type)
    if area is None:
        return JsonResponse({"detail": f"No area has the code {code!r}"}, status=404)
    return JsonResponse({"type": "FeatureCollection", "features": place_services.map_features(area)})


@api.get(
    "/left-behind",
    response=list[LeftBehindWard],
    tags=["places"],
    summary="Left-behind wards: most deprived 10% on both IMD and CNI",
)
@public
def left_behind_list(request: HttpRequest):
    return place_services.left_behind_wards()


@api.get("/me", response=Me, summary="The signed-in user", tags=["accounts"])
@requires(Capability.USE_ACCOUNT)
def me(request: HttpRequest):
    user = request.user
    return {"email": user.email, "full_name": user.full_name, "roles": sorted(user.roles)}


@api.get("/audit", response=list[AuditEntry], summary="Audit log, newest first", tags=["audit"])
@requires(Capability.READ_AUDIT_LOG)
def audit_log(request: HttpRequest, offset: int = 0, limit: int = 100):
    offset, limit = _page_bounds(offset, limit)
    records = AuditRecord.objects.order_by("-seq")[offset : offset + limit]
    return [
        {
            "seq": r.seq,
            "created_at": r.created_at.isoformat(),
            "actor": r.actor_label,
            "action": r.action,
            "object_type": r.object_type,
            "object_label": r.object_label,
            "hash": r.hash,
        }
        for r in records
    ]


# Participatory budgeting --------------------------------------------------------------------------


class PBProcessSummary(Schema):
    slug: str
    title: str
    area_code: str | None
    budget_gbp: int
    phase: str
    ballot_type: str
    rule: str
    secret: bool


class PBProjectResult(Schema):
    project_id: str
    title: str
    cost_gbp: int
    ballots: int
    points: int
    won: bool
    why: str
    delivery: str
    spent_gbp: int


class PBResult(Schema):
    process: PBProcessSummary
    rule: str
    ballots: int
    spent_gbp: int
    winners: list[str]
    projects: list[PBProjectResult]
    pb_file_sha256: str
    replay: str
    licence: str


def _pb_summary(process) -> dict:
    return {
        "slug": process.slug,
        "title": process.title,
        "area_code": process.area.code if process.area else None,
        "budget_gbp": process.budget,
        "phase": process.phase,
        "ballot_type": process.ballot_type,
        "rule": process.rule,
        "secret": process.secret,
    }


@api.get("/pb/processes", response=list[PBProcessSummary], summary="Participatory budgeting processes", tags=["pb"])
@public
def pb_processes(request: HttpRequest):
    from commonground.budgeting.models import Process

    return [_pb_summary(p) for p in Process.objects.exclude(phase=Process.Phase.DRAFT).select_related("area")]


@api.get(
    "/pb/processes/{slug}/results",
    response={200: PBResult, 404: Problem},
    summary="Results of a PB process, with each project's support and why it won or lost",
    tags=["pb"],
)
@public
def pb_results(request: HttpRequest, slug: str):
    from commonground.budgeting.models import Process
    from commonground.budgeting.services import ballot_projects

    process = Process.objects.select_related("area").filter(slug=slug).first()
    if process is None or process.phase not in (Process.Phase.RESULTS, Process.Phase.DELIVERY):
        return Status(404, {"detail": f"No published results for {slug!r}"})
    result = process.result
    winners = set(result.winners)
    projects = [
        {
            "project_id": p.project_id,
            "title": p.title,
            "cost_gbp": p.cost,
            "ballots": result.support.get(p.project_id, {}).get("ballots", 0),
            "points": result.support.get(p.project_id, {}).get("points", 0),
            "won": p.project_id in winners,
            "why": result.explanations.get(p.project_id, ""),
            "delivery": p.delivery,
            "spent_gbp": p.spent,
        }
        for p in ballot_projects(process)
    ]
    return Status(
        200,
        {
            "process": _pb_summary(process),
            "rule": result.rule,
            "ballots": result.ballots,
            "spent_gbp": result.spent,
            "winners": result.winners,
            "projects": projects,
            "pb_file_sha256": result.sha256,
            "replay": f"commonground pb tally {process.slug}.pb --rule {result.rule}",
            "licence": "Open Government Licence v3.0",
        },
    )


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
    version = outcome_services.data_version()
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


@api.get(
    "/outcomes/measures",
    response={200: MeasurePage, 304: None},
    tags=["outcomes"],
    summary="The wellbeing framework: every measure, its theme, sources and status",
    description="Retired measures are included (status 'retired') so old reports still read; paginated.",
)
@public
def outcome_measures(request: HttpRequest, offset: int = 0, limit: int = 100):
    offset, limit = _page_bounds(offset, limit)

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
                "licence": outcome_services.LICENCE, "results": results}  # fmt: skip

    return _conditional(request, build)


@api.get(
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
    offset, limit = _page_bounds(offset, limit)
    measure = WellbeingMeasure.objects.prefetch_related("sources").filter(slug=slug).first()
    if measure is None:
        return Status(404, {"detail": f"No measure has the short name {slug!r}"})

    def build(version):
        return outcome_services.measure_figures(measure, level, offset, limit)

    return _conditional(request, build)


@api.get(
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
        page = outcome_services.measure_figures(measure, level, 0, None)
        rows = [{**r, "measure": page["measure"], "period": page["period"], "dataset": page["dataset"]}
                for r in page["results"]]  # fmt: skip
        return _rows_csv(rows, ["code", "name", "area_type", "measure", "period", "value", "dataset"])

    return _conditional(request, build, "text/csv", f"{slug}-{level}.csv")


@api.get(
    "/outcomes/nation/dashboard",
    response={200: Dashboard, 304: None},
    tags=["outcomes"],
    summary="England's dashboard: averages per period, by region, and the national sections",
)
@public
def outcome_nation_dashboard(request: HttpRequest):
    return _conditional(request, lambda version: outcome_services.publishable(
        outcome_services.national_dashboard(version)))  # fmt: skip


@api.get(
    "/outcomes/nation/dashboard.csv",
    response={200: None, 304: None},
    openapi_extra={"responses": {200: CSV_RESPONSE}},
    tags=["outcomes"],
    summary="Every figure of England's dashboard as CSV",
)
@public
def outcome_nation_csv(request: HttpRequest):
    def build(version):
        rows = outcome_services.figure_rows(outcome_services.national_dashboard(version))
        return _rows_csv(rows, outcome_services.CSV_COLUMNS)

    return _conditional(request, build, "text/csv", "england-dashboard.csv")


@api.get(
    "/outcomes/nation/map",
    response={200: MapCollection, 304: None, 404: Problem},
    tags=["outcomes"],
    summary="GeoJSON of England's local authorities with one measure's latest figure as `value`",
)
@public
def outcome_nation_map(request: HttpRequest, measure: str | None = None):
    chosen = outcome_services.find_measure(measure)
    if chosen is None:
        return Status(404, {"detail": f"No measure has the short name {measure!r}"})
    return _conditional(request, lambda version: outcome_services.map_collection(None, chosen, version))


@api.get(
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
    return _conditional(request, lambda version: outcome_services.publishable(
        outcome_services.area_dashboard(area, version)))  # fmt: skip


@api.get(
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
        rows = outcome_services.figure_rows(outcome_services.area_dashboard(area, version))
        return _rows_csv(rows, outcome_services.CSV_COLUMNS)

    return _conditional(request, build, "text/csv", f"{area.code}-dashboard.csv")


@api.get(
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
    chosen = outcome_services.find_measure(measure)
    if chosen is None:
        return Status(404, {"detail": f"No measure has the short name {measure!r}"})
    return _conditional(request, lambda version: outcome_services.map_collection(area, chosen, version))
