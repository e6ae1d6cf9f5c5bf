"""The neighbourhoods API: each neighbourhood's LSOAs, population and deprivation, its boundary, and its
published plan (every version as it was published).

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public
from commonground.core.api import Problem
from commonground.neighbourhoods import plans, services
from commonground.neighbourhoods.models import Neighbourhood, Plan

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


class PlanListItem(Schema):
    code: str
    name: str


class PlanMeasure(Schema):
    slug: str
    name: str


class PlanMoney(Schema):
    capital_pence: int
    revenue_pence: int
    total_pence: int


class PlanObjective(PlanMoney):
    ref: int
    title: str
    description: str
    theme: PlanListItem | None
    business_case_needed: bool
    strategic_objectives: list[PlanListItem]
    measures: list[PlanMeasure]
    engagement: list[int]


class PlanInvestmentLine(PlanMoney):
    objective: int | None
    year: str
    source: str
    source_label: str
    note: str


class PlanYearTotal(PlanMoney):
    year: str


class PlanSourceTotal(PlanMoney):
    source: str
    source_label: str


class PlanInvestment(PlanMoney):
    lines: list[PlanInvestmentLine]
    by_year: list[PlanYearTotal]
    by_source: list[PlanSourceTotal]


class PlanEngagementEvent(Schema):
    id: int
    kind: str
    kind_label: str
    held_on: str
    place: str
    participants: int
    ages: dict[str, int]
    areas: dict[str, int]
    heard: str
    changed: str
    objectives: list[int]


class PlanEngagementShare(Schema):
    key: str
    label: str
    participants: int
    participant_share: float | None
    population_share: float | None


class PlanEngagementSummary(Schema):
    events: int
    participants: int
    has_population: bool
    ages: list[PlanEngagementShare]
    areas: list[PlanEngagementShare]
    outside: int
    age_not_known: int
    area_not_known: int


class PlanEngagement(Schema):
    events: list[PlanEngagementEvent]
    summary: PlanEngagementSummary


class PlanApprovingDecision(Schema):
    meeting: str
    held_on: str
    number: int
    title: str
    url: str


class PlanApproval(Schema):
    on: str
    by: str
    decision: PlanApprovingDecision | None


class PlanNeighbourhood(Schema):
    slug: str
    name: str
    is_demo: bool
    councils: list[str]


class PlanHorizon(Schema):
    first: str
    last: str


class PlanVersion(Schema):
    version: int
    published_at: str
    url: str
    pdf: str


class PlanDocument(Schema):
    neighbourhood: PlanNeighbourhood
    version: int
    status: str
    title: str
    approval: PlanApproval | None
    published_at: str | None
    horizon: PlanHorizon
    investment_years: list[str]
    local_context: str
    vision: str
    vision_statement: str
    vision_statement_words: int
    case_for_change: str
    strategic_objectives: list[PlanListItem]
    objectives: list[PlanObjective]
    investment: PlanInvestment
    engagement: PlanEngagement
    pdf: str
    versions: list[PlanVersion]


@router.get(
    "/neighbourhoods/{slug}/plan",
    response={200: PlanDocument, 404: Problem},
    summary="The neighbourhood's published plan: vision, objectives, investment plan and engagement",
    description="The latest published version, or `version=N` for an earlier one, exactly as it was published; "
    "`versions` lists every published version with its page and PDF.",
)
@public
def neighbourhood_plan(request: HttpRequest, slug: str, version: int | None = None):
    neighbourhood = Neighbourhood.objects.filter(slug=slug).first()
    published = neighbourhood.plans.filter(status=Plan.Status.PUBLISHED) if neighbourhood else Plan.objects.none()
    plan = plans.latest_published(neighbourhood) if neighbourhood and version is None else None
    if neighbourhood and version is not None:
        plan = plans.version_of(neighbourhood, version)
    if plan is not None and plan.status != Plan.Status.PUBLISHED:
        plan = None
    if plan is None:
        return Status(404, {"detail": f"No published plan {'version ' + str(version) + ' ' if version else ''}for "
                                      f"neighbourhood {slug!r}"})  # fmt: skip
    versions = [
        {"version": p.version, "published_at": p.published_at.isoformat(),
         "url": reverse("neighbourhoods:plan-version", args=[slug, p.version]),
         "pdf": reverse("neighbourhoods:plan-pdf", args=[slug, p.version])}
        for p in published.order_by("version")
    ]  # fmt: skip
    return Status(200, {**plans.document(plan), "versions": versions})
