"""Neighbourhoods on area pages and officers' to-do pages (see commonground.core.sections): the neighbourhoods
a ward or council overlaps, residents waiting to be verified, and boards whose membership is due for approval."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability
from commonground.neighbourhoods import board as boards
from commonground.neighbourhoods import services, verification
from commonground.neighbourhoods.models import Board, Neighbourhood
from commonground.places.models import Area, AreaType


def links(area: Area | None) -> list[tuple[str, str]]:
    """The neighbourhoods that share an LSOA with a ward or council (for the nation: every neighbourhood)."""
    if area is None:
        return [(f"Neighbourhood: {n.name}", n.get_absolute_url()) for n in Neighbourhood.objects.order_by("name")]
    if area.area_type.level not in (AreaType.Level.WARD, AreaType.Level.LOCAL_AUTHORITY):
        return []
    found = [(f"Neighbourhood: {n.name}", n.get_absolute_url()) for n in services.overlapping(area)]
    if not found and area.area_type.level == AreaType.Level.WARD:
        query = urlencode({"ward": area.code, "name": area.name})
        found.append((f"Make a neighbourhood of {area.name} (council officers)",
                      f"{reverse('neighbourhoods:create')}?{query}"))  # fmt: skip
    return found


def todo(user) -> list[dict]:
    items = []
    waiting: dict[int, list] = {}
    for request in verification.queue(user):
        waiting.setdefault(request.neighbourhood_id, []).append(request)
    for requests in waiting.values():
        neighbourhood, oldest = requests[0].neighbourhood, min(r.asked_at for r in requests)
        items.append({
            "title": f"{neighbourhood.name}: {len(requests)} resident{'s' if len(requests) != 1 else ''} waiting to "
                     f"be verified (since {timezone.localtime(oldest):%-d %B %Y})",
            "action": "Check their evidence and decide",
            "url": reverse("neighbourhoods:verification", args=[neighbourhood.slug]),
            "due": None,
            "statutory": False,
            "source": "Neighbourhoods",
        })  # fmt: skip
    unapproved = Board.objects.filter(neighbourhood__kind=Neighbourhood.Kind.PRIDE_IN_PLACE).filter(
        la_approved_on__isnull=True
    ) | Board.objects.filter(neighbourhood__kind=Neighbourhood.Kind.PRIDE_IN_PLACE, mp_approved_on__isnull=True)
    for board in unapproved.select_related("neighbourhood").distinct():
        if not user_can(user, Capability.RUN_PROCESSES, services.scope_of(board.neighbourhood)):
            continue
        items.append({
            "title": f"{board.name}: membership not yet approved by the council and the MP",
            "action": "Record both approvals: Pride in Place boards must be in place by then",
            "url": reverse("neighbourhoods:board", args=[board.neighbourhood.slug]),
            "due": boards.PHASE_TWO_BOARDS_BY,
            "statutory": False,
            "source": "Neighbourhoods",
        })  # fmt: skip
    return items
