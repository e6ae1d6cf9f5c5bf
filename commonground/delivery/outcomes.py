"""Delivery on neighbourhood pages: the funded things there, for the hub's "Happening here" list and the
plan's delivery list under each objective (see commonground.core.sections)."""

from __future__ import annotations

from django.urls import reverse

from commonground.delivery.models import Record
from commonground.places.models import Area


def neighbourhood_links(neighbourhood) -> list[tuple[str, str]]:
    found = list(Record.objects.filter(neighbourhood=neighbourhood).order_by("-funded_on", "title")[:20])
    if not found:
        return []
    links = [(f"Funded: {r.title} ({r.get_status_display().lower()}, {r.progress}% done)", r.get_absolute_url())
             for r in found]  # fmt: skip
    count = Record.objects.filter(neighbourhood=neighbourhood).count()
    links.append((f"Delivery of all {count} funded project{'s' if count != 1 else ''} here",
                  f"{reverse('delivery:list')}?neighbourhood={neighbourhood.slug}"))  # fmt: skip
    return links


def neighbourhood_delivery(neighbourhood) -> list[dict]:
    return [
        {"objective": r.objective_ref, "title": r.title, "url": r.get_absolute_url(), "amount_pence": r.amount_pence,
         "status": r.get_status_display(), "source": "delivery"}
        for r in Record.objects.filter(neighbourhood=neighbourhood).order_by("funded_on", "id")
    ]  # fmt: skip


def links(area: Area | None) -> list[tuple[str, str]]:
    """Funded things in a ward (by its code) or a council."""
    if area is None:  # the home page's national list: nothing of this app's is listed there
        return []
    found = Record.objects.filter(ward_code=area.code) | Record.objects.filter(council=area)
    return [(f"Funded: {r.title} ({r.get_status_display().lower()})", r.get_absolute_url())
            for r in found.order_by("-funded_on", "title")[:20]]  # fmt: skip
