"""The places API: areas, their figures and maps, and the left-behind list.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public
from commonground.core.api import Problem, page_bounds
from commonground.places import left_behind
from commonground.places import services as place_services
from commonground.places.models import Area, AreaType
from commonground.places.services import area_profile, find_area

router = Router(tags=["places"])


class AreaSummary(Schema):
    code: str
    name: str
    level: str
    area_type: str
    vintage: int | None
    is_current: bool
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


def _summary(area: Area) -> dict:
    return {
        "code": area.code,
        "name": area.name,
        "level": area.area_type.level,
        "area_type": area.area_type.code,
        "vintage": area.area_type.vintage,
        "is_current": area.area_type.is_current,
        "parent_code": area.parent.code if area.parent_id else None,
        "population": area.population,
        "is_demo": area.is_demo,
    }


@router.get(
    "/areas",
    response=AreaPage,
    summary="List areas",
    tags=["places"],
    description="The current geography (2021 LSOAs and MSOAs, 2024 wards and districts) unless `type` names an "
    "area type (e.g. lad19) or `all_editions` is true. Filter by level and parent code; paginated.",
)
@public
def list_areas(
    request: HttpRequest,
    level: AreaType.Level | None = None,
    parent: str | None = None,
    type: str | None = None,  # noqa: A002  (the query name users see)
    all_editions: bool = False,
    offset: int = 0,
    limit: int = 100,
):
    offset, limit = page_bounds(offset, limit)
    areas = Area.objects.select_related("area_type", "parent").order_by("code", "area_type_id")
    if type:
        areas = areas.filter(area_type__code=type)
    elif not all_editions:
        areas = areas.filter(area_type__is_current=True)
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


@router.get(
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
    edition: str
    licence: str
    score: float
    rank: int | None
    of: int
    among: str
    decile: int | None
    extent: float | None
    share_most_deprived: float | None
    domains: list[Domain]


class NeedDomain(Schema):
    slug: str
    name: str
    score: float


class CommunityNeed(Schema):
    dataset: str
    edition: str
    is_proxy: bool
    licence: str
    third_party: bool
    score: float
    rank: int | None
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


@router.get(
    "/areas/{code}/indicators",
    response={200: Indicators, 404: Problem},
    tags=["places"],
    summary="Deprivation, community need and left-behind status of one area",
    description="IMD score, rank, decile and seven domains of one IoD edition (the latest, or `edition`, e.g. "
    "2019); community need when loaded; the left-behind reason in plain English. Editions are never compared.",
)
@public
def area_indicators(request: HttpRequest, code: str, type: str | None = None, edition: str | None = None):  # noqa: A002
    area = find_area(code, type)
    if area is None:
        return Status(404, {"detail": f"No area has the code {code!r}"})
    grouped = place_services.figures(area)
    imd = place_services.deprivation(area, grouped, edition)
    need = place_services.community_need(area, grouped, edition)
    body = {"code": area.code, "name": area.name, "level": area.area_type.level, "is_demo": area.is_demo,
            "deprivation": None, "community_need": None,
            "left_behind_reason": place_services.left_behind_reason(area, imd, need)}  # fmt: skip
    if imd:
        body["deprivation"] = {**imd, **_dataset_fields(imd["dataset"])}
    if need:
        body["community_need"] = {**need, **_dataset_fields(need["dataset"]),
                                  "third_party": need["dataset"].is_third_party}  # fmt: skip
    return Status(200, body)


@router.get("/areas/{code}/map", summary="GeoJSON of the area's neighbourhoods, with IMD deciles", tags=["places"])
@public
def area_map(request: HttpRequest, code: str, type: str | None = None):  # noqa: A002
    area = find_area(code, type)
    if area is None:
        return JsonResponse({"detail": f"No area has the code {code!r}"}, status=404)
    return JsonResponse({"type": "FeatureCollection", "features": place_services.map_features(area)})


@router.get(
    "/left-behind",
    response=list[LeftBehindWard],
    tags=["places"],
    summary="Left-behind areas: most deprived 10% on both the IMD and community need",
    description="One edition at a time (`edition` 2025, the default, or 2019; never mixed) at one geography "
    "(`geography`: ward24, the default, lsoa21, msoa21 or lad24 for 2025; ward17 for 2019).",
)
@public
def left_behind_list(request: HttpRequest, edition: str | None = None, geography: str | None = None):
    return left_behind.left_behind_areas(edition, geography)["rows"]
