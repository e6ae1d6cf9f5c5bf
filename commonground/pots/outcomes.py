"""Pots on neighbourhood and area pages (see commonground.core.sections)."""

from __future__ import annotations

from commonground.places.models import Area
from commonground.pots import services
from commonground.pots.models import Pot


def neighbourhood_links(neighbourhood) -> list[tuple[str, str]]:
    return [(f"Pot of money: {p.name}", p.get_absolute_url()) for p in Pot.objects.filter(neighbourhood=neighbourhood)]


def links(area: Area | None) -> list[tuple[str, str]]:
    if area is None:  # the home page's national list: nothing of this app's is listed there
        return []
    return [(f"Pot of money: {p.name}", p.get_absolute_url()) for p in Pot.objects.filter(council=area)]


def neighbourhood_money(neighbourhood) -> list[dict]:
    rows = []
    for pot in Pot.objects.filter(neighbourhood=neighbourhood).order_by("name"):
        b = services.balance(pot)
        rows.append({
            "kind": f"Pot ({pot.get_source_display()})", "title": pot.name, "url": pot.get_absolute_url(),
            "amount_pence": b.amount, "spent_pence": b.paid, "scheduled_pence": b.allocated - b.paid + b.reserved,
            "note": f"{services.money(b.available)} not yet decided", "source": "pots",
        })  # fmt: skip
    return rows
