"""The JSON API (OpenAPI at /api/openapi.json, explorer at /api/docs).

Every operation carries `public` or `requires(...)` from accounts.permissions, like every page.
Annotations are real objects here (no postponed evaluation) because django-ninja reads them
through the permission wrappers.
"""

from django.http import HttpRequest, JsonResponse
from ninja import NinjaAPI, Schema, Status

from commonground import __version__
from commonground.accounts.permissions import public, requires
from commonground.accounts.roles import Capability
from commonground.audit.models import AuditRecord
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


def _page_bounds(offset: int, limit: int) -> tuple[int, int]:
    return max(offset, 0), min(max(limit, 1), MAX_PAGE)


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
