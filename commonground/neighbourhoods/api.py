"""The neighbourhoods API: each neighbourhood's LSOAs, population and deprivation, its boundary, and its
published plan (every version as it was published).

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public, requires
from commonground.accounts.roles import Capability
from commonground.core import sections
from commonground.core.api import Problem
from commonground.neighbourhoods import hub, plans, services, verification
from commonground.neighbourhoods.models import Neighbourhood, Plan
from commonground.neighbourhoods.views import scope_of_slug

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


# The hub ----------------------------------------------------------------------------------------------------


class HubLsoa(Schema):
    code: str
    name: str
    population: int | None
    imd_decile: int | None


class HubMoney(Schema):
    kind: str
    title: str
    url: str
    amount_pence: int
    spent_pence: int
    scheduled_pence: int
    note: str
    source: str


class HubMoneyTotals(Schema):
    amount_pence: int
    spent_pence: int
    scheduled_pence: int


class HubObjective(Schema):
    ref: int
    title: str
    total_pence: int


class HubPlan(Schema):
    version: int
    title: str
    published_at: str
    url: str
    pdf: str
    api: str
    investment_total_pence: int
    objectives: list[HubObjective]


class HubDelivery(Schema):
    objective: int | None
    title: str
    url: str
    amount_pence: int | None
    status: str
    source: str


class HubDecision(Schema):
    kind: str
    title: str
    url: str
    state: str
    due: str | None
    source: str


class HubPlace(Schema):
    kind: str
    title: str
    url: str
    latitude: float
    longitude: float
    state: str
    source: str


class HubDate(Schema):
    title: str
    url: str
    due: str
    statutory: bool
    source: str


class HubMeeting(Schema):
    title: str
    held_on: str
    url: str


class HubBoard(Schema):
    name: str
    kind: str
    url: str
    approved: bool
    meetings: list[HubMeeting]


class HubWard(Schema):
    code: str
    name: str
    dashboard: str


class HubMeasure(Schema):
    theme: str
    measure: str
    slug: str
    unit: str
    direction: str
    value: float
    label: str
    source: str
    lsoas_with_figures: int
    lsoas: int


class HubOutcomes(Schema):
    note: str
    measures: list[HubMeasure]
    wards: list[HubWard]


class NeighbourhoodHub(Schema):
    neighbourhood: NeighbourhoodSummary
    population: int
    imd_score: float | None
    explained: str
    lsoas: list[HubLsoa]
    money: list[HubMoney]
    money_totals: HubMoneyTotals
    plan: HubPlan | None
    delivery: list[HubDelivery]
    decisions: list[HubDecision]
    places: list[HubPlace]
    outcomes: HubOutcomes
    board: HubBoard | None
    coming_up: list[HubDate]
    map: str


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


@router.get(
    "/neighbourhoods/{slug}/hub",
    response={200: NeighbourhoodHub, 404: Problem},
    summary="Everything public about a neighbourhood: profile, money, plan, delivery, decisions, places, dates",
    description="What the neighbourhood's page shows, gathered from every app: money in pence (awarded or put in, "
    "spent, scheduled), the latest published plan's objectives, funded projects, PB rounds, panels and ballots with "
    "their state, mapped places (assets of community value), the published board and meetings, and dates coming up.",
)
@public
def neighbourhood_hub(request: HttpRequest, slug: str):
    neighbourhood = Neighbourhood.objects.filter(slug=slug).first()
    if neighbourhood is None:
        return Status(404, {"detail": f"No neighbourhood {slug!r}"})
    found = hub.gather(neighbourhood)
    plan, document, board = found["plan"], found["document"], found["board"]
    profile = found["profile"]
    published_board = board is not None and board.published_at is not None
    return Status(200, {
        "neighbourhood": _summary(neighbourhood), "population": profile["population"],
        "imd_score": profile["imd_score"], "explained": profile["explained"],
        "lsoas": [{k: r[k] for k in ("code", "name", "population", "imd_decile")} for r in found["lsoas"]],
        "money": found["money"], "money_totals": found["money_totals"],
        "plan": None if plan is None else {
            "version": plan.version, "title": plan.title, "published_at": plan.published_at.isoformat(),
            "url": reverse("neighbourhoods:plan", args=[slug]), "pdf": reverse("neighbourhoods:plan-pdf-latest",
                                                                                args=[slug]),
            "api": f"/api/neighbourhoods/{slug}/plan", "investment_total_pence": document["investment"]["total_pence"],
            "objectives": [{"ref": o["ref"], "title": o["title"], "total_pence": o["total_pence"]}
                           for o in document["objectives"]],
        },
        "delivery": [{k: d.get(k) for k in ("objective", "title", "url", "amount_pence", "status", "source")}
                     for d in found["delivery"]],
        "decisions": [{**d, "due": _day(d["due"])} for d in found["decisions"]],
        "places": found["places"],
        "outcomes": {
            "note": "Each measure for exactly the neighbourhood's LSOAs: their figures averaged, weighted by "
                    "population, latest edition only. Trends and comparisons are on the wards' dashboards.",
            "measures": found["outcomes"],
            "wards": [{"code": w.code, "name": w.name, "dashboard": f"/api/outcomes/areas/{w.code}/dashboard"}
                      for w in found["wards"]],
        },
        "board": None if not published_board else {
            "name": board.name, "kind": board.kind, "url": reverse("neighbourhoods:board", args=[slug]),
            "approved": board.is_approved,
            "meetings": [{"title": m.title, "held_on": m.held_on.isoformat(),
                          "url": reverse("neighbourhoods:meeting", args=[slug, m.pk])} for m in found["meetings"]],
        },
        "coming_up": [{**d, "due": d["due"].isoformat()} for d in found["deadlines"]],
        "map": f"/api/neighbourhoods/{slug}/map",
    })  # fmt: skip


@router.get(
    "/neighbourhoods/{slug}/map",
    summary="GeoJSON of the neighbourhood: its LSOAs (with IMD decile and population) and its mapped places",
    url_name="neighbourhood_map",
)
@public
def neighbourhood_map(request: HttpRequest, slug: str):
    neighbourhood = Neighbourhood.objects.filter(slug=slug).first()
    if neighbourhood is None:
        return JsonResponse({"detail": f"No neighbourhood {slug!r}"}, status=404)
    collection = services.geojson(neighbourhood)
    for n, place in enumerate(sections.neighbourhood_places(neighbourhood), start=1):
        collection["features"].append({
            "type": "Feature",
            "properties": {"code": f"place-{n}", "name": place["title"], "kind": place["kind"], "state": place["state"],
                           "url": place["url"]},
            "geometry": {"type": "Point", "coordinates": [place["longitude"], place["latitude"]]},
        })  # fmt: skip
    return JsonResponse(collection, content_type="application/geo+json")


# Verifying residents (officers in scope) --------------------------------------------------------------------


class VerificationRequestOut(Schema):
    id: int
    neighbourhood: str
    account: int
    full_name: str
    address: str
    postcode: str
    postcode_check: str
    reply_by: str
    asked_at: str


@router.get(
    "/neighbourhoods/{slug}/verification-requests",
    response={200: list[VerificationRequestOut], 404: Problem},
    summary="Residents waiting to be verified in the neighbourhood (officers who verify residents there)",
)
@requires(Capability.VERIFY_RESIDENTS, scope=scope_of_slug)
def verification_requests(request: HttpRequest, slug: str):
    neighbourhood = Neighbourhood.objects.get(slug=slug)
    return Status(200, [
        {"id": r.pk, "neighbourhood": slug, "account": r.user_id, "full_name": r.full_name, "address": r.address,
         "postcode": r.postcode, "postcode_check": r.postcode_check, "reply_by": r.reply_by,
         "asked_at": r.asked_at.isoformat()}
        for r in verification.queue(request.user, neighbourhood)
    ])  # fmt: skip
