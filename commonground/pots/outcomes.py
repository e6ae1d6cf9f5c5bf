"""Pots on neighbourhood and area pages (see commonground.core.sections)."""

from __future__ import annotations

from commonground.places.models import Area
from commonground.pots.models import Pot


def neighbourhood_links(neighbourhood) -> list[tuple[str, str]]:
    return [(f"Pot of money: {p.name}", p.get_absolute_url()) for p in Pot.objects.filter(neighbourhood=neighbourhood)]


def links(area: Area | None) -> list[tuple[str, str]]:
    if area is None:  # the home page's national list: nothing of this app's is listed there
        return []
    return [(f"Pot of money: {p.name}", p.get_absolute_url()) for p in Pot.objects.filter(council=area)]
