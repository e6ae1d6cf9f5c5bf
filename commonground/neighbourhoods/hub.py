"""The neighbourhood's hub: everything public about it, gathered from every app through core.sections (no app is
imported): profile and LSOAs, money, the plan and its objectives, delivery, decisions, places on the map, the
board's meetings and the dates coming up. The hub page and the API's hub document show the same."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from commonground.core import sections
from commonground.neighbourhoods import board as boards
from commonground.neighbourhoods import plans, services
from commonground.neighbourhoods.models import Board, Neighbourhood
from commonground.outcomes import dashboards
from commonground.places.models import AreaType


def gather(neighbourhood: Neighbourhood) -> dict:
    """Everything public about a neighbourhood, gathered from every app through core.sections: the hub page and
    the API's hub document show the same."""
    today = timezone.localdate()
    board = Board.objects.filter(neighbourhood=neighbourhood).first()
    plan = plans.latest_published(neighbourhood)
    document = plans.document(plan) if plan is not None else None
    money = sections.neighbourhood_money(neighbourhood)
    delivery = sections.neighbourhood_delivery(neighbourhood)
    meetings = list(board.meetings.exclude(published_at=None)) if board else []
    deadlines = sections.neighbourhood_deadlines(neighbourhood) + [
        {"title": f"Board meeting: {m.title}", "due": m.held_on, "statutory": False, "source": "neighbourhoods",
         "url": reverse("neighbourhoods:meeting", args=[neighbourhood.slug, m.pk])}
        for m in meetings if m.held_on >= today
    ]  # fmt: skip
    if board and neighbourhood.kind == Neighbourhood.Kind.PRIDE_IN_PLACE and not board.is_approved:
        deadlines.append({"title": "The board's membership approved by the council and the MP",
                          "url": reverse("neighbourhoods:board", args=[neighbourhood.slug]),
                          "due": boards.PHASE_TWO_BOARDS_BY, "statutory": False,
                          "source": "neighbourhoods"})  # fmt: skip
    lsoas = services.lsoa_rows(neighbourhood)
    wards = {}
    for row in lsoas:
        parent = row["area"].parent
        if parent is not None and parent.area_type.level == AreaType.Level.WARD:
            wards[parent.code] = parent
    return {
        "profile": services.profile(neighbourhood),
        "boundary": neighbourhood.boundary,
        "lsoas": lsoas,
        "wards": sorted(wards.values(), key=lambda w: w.name),
        "outcomes": dashboards.lsoas_dashboard([row["area"] for row in lsoas]),
        "board": board,
        "meetings": meetings,
        "plan": plan,
        "document": document,
        "engagement": neighbourhood.engagement.count(),
        "money": money,
        "money_totals": {key: sum(m[key] for m in money) for key in ("amount_pence", "spent_pence", "scheduled_pence")},
        "decisions": sections.neighbourhood_decisions(neighbourhood),
        "places": sections.neighbourhood_places(neighbourhood),
        "delivery": delivery,
        "delivery_totals": {"amount_pence": sum(d["amount_pence"] or 0 for d in delivery)},
        "deadlines": sorted(deadlines, key=lambda d: (d["due"], d["title"])),
        "happening": sections.neighbourhood_links(neighbourhood),
    }
