"""The neighbourhoods API: each neighbourhood's LSOAs, population and deprivation, and its boundary.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public
from commonground.core.api import Problem
from commonground.neighbourhoods import services
from commonground.neighbourhoods.models import Neighbourhood

router = Router(tags=["neighbourhoods"])


class NeighbourhoodSummary(Schema):
    slug: str
    name: str
    kind: str
    councils: list[str]
    is_demo: bool


class NeighbourhoodDetail(NeighbourhoodSummary):
    lsoas: list[str]
    lsoa_vintage: str
    boundary_version: int
    population: int
    imd_score: float | None
    imd_dataset: str | None
    share_most_deprived_lsoas: float | None
    explained: str


def _summary(n: Neighbourhood) -> dict:
    return {"slug": n.slug, "name": n.name, "kind": n.kind, "is_demo": n.is_demo,
            "councils": [c.code for c in n.councils.all()]}  # fmt: skip


@router.get("/neighbourhoods", response=list[NeighbourhoodSummary], summary="Neighbourhoods")
@public
def neighbourhood_list(request: HttpRequest):
    return [_summary(n) for n in Neighbourhood.objects.prefetch_related("councils")]


@router.get(
    "/neighbourhoods/{slug}",
    response={200: NeighbourhoodDetail, 404: Problem},
    summary="One neighbourhood: its LSOAs, population and IMD (population-weighted)",
)
@public
def neighbourhood_detail(request: HttpRequest, slug: str):
    neighbourhood = Neighbourhood.objects.filter(slug=slug).first()
    if neighbourhood is None:
        return Status(404, {"detail": f"No neighbourhood {slug!r}"})
    profile = services.profile(neighbourhood)
    boundary = neighbourhood.boundary
    return Status(200, {
        **_summary(neighbourhood), "lsoas": boundary.lsoas if boundary else [],
        "lsoa_vintage": boundary.vintage if boundary else "", "boundary_version": boundary.version if boundary else 0,
        "population": profile["population"], "imd_score": profile["imd_score"],
        "imd_dataset": profile["dataset"].slug if profile["dataset"] else None,
        "share_most_deprived_lsoas": profile["share_most_deprived_lsoas"], "explained": profile["explained"],
    })  # fmt: skip


@router.get("/neighbourhoods/{slug}/boundary", summary="GeoJSON of the neighbourhood's LSOAs")
@public
def neighbourhood_boundary(request: HttpRequest, slug: str):
    neighbourhood = Neighbourhood.objects.filter(slug=slug).first()
    if neighbourhood is None:
        return JsonResponse({"detail": f"No neighbourhood {slug!r}"}, status=404)
    return JsonResponse(services.geojson(neighbourhood), content_type="application/geo+json")
