"""The panels API: published citizens' panels with each volunteer's published chance of selection (by pseudonym,
never a name or a detail) and who was drawn. Drafts stay private.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

from django.db.models import Count
from django.http import HttpRequest
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public
from commonground.core.api import Problem

router = Router(tags=["panels"])


class PanelSummary(Schema):
    slug: str
    title: str
    purpose: str
    area_code: str | None
    size: int
    pool: int
    status: str
    method: str
    least_chance: float | None
    url: str


class PanelChance(Schema):
    pseudonym: str
    probability: float
    selected: bool


class PanelReplacement(Schema):
    number: int
    seats: int
    least_chance: float
    drawn: bool


class PanelDetail(PanelSummary):
    uniform_chance: float | None
    chances: list[PanelChance]
    seed: str
    distribution: str | None
    replacements: list[PanelReplacement]


def _published():
    from commonground.panels.models import Panel

    return (
        Panel.objects.exclude(status=Panel.Status.DRAFT)
        .select_related("area")
        .annotate(pool=Count("volunteers"))
        .order_by("-created_at")
    )


def _summary(panel) -> dict:
    return {
        "slug": panel.slug, "title": panel.title, "purpose": panel.purpose,
        "area_code": panel.area.code if panel.area_id else None, "size": panel.size, "pool": panel.pool,
        "status": panel.status, "method": panel.method, "least_chance": panel.min_probability,
        "url": f"/panels/{panel.slug}/",
    }  # fmt: skip


@router.get("/panels", response=list[PanelSummary], summary="Published citizens' panels chosen by lot")
@public
def panel_list(request: HttpRequest):
    return [_summary(p) for p in _published()]


@router.get(
    "/panels/{slug}",
    response={200: PanelDetail, 404: Problem},
    summary="One published panel: every volunteer's chance of selection by pseudonym, who was drawn, the seed",
)
@public
def panel_detail(request: HttpRequest, slug: str):
    panel = _published().filter(slug=slug[:80]).first()
    if panel is None:
        return Status(404, {"detail": f"No published panel {slug!r}"})
    volunteers = panel.volunteers.exclude(probability=None).order_by("probability", "pseudonym")
    return Status(200, {
        **_summary(panel), "uniform_chance": panel.size / panel.pool if panel.pool else None,
        "chances": [{"pseudonym": v.pseudonym, "probability": v.probability, "selected": v.selected}
                    for v in volunteers],
        "seed": panel.seed,
        "distribution": f"/panels/{panel.slug}/distribution.json" if panel.distribution_json else None,
        "replacements": [{"number": r.number, "seats": r.seats, "least_chance": r.min_probability,
                          "drawn": bool(r.draw_result)} for r in panel.replacements.order_by("number")],
    })  # fmt: skip
