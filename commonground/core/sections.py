"""Sections of area pages, dashboards and the State of the Neighbourhood report, one or more per app.

Why a registry here: pages that gather everything about a place (an area's profile, a dashboard, a
report) must not import the apps they gather, or every app would lean on every other. Instead each
installed app may provide `commonground/<app>/outcomes.py` with

    SECTIONS = [Section(slug, title, order, provider), ...]   # provider(area | None) -> dict | None
    def version() -> str                                      # optional: changes when its figures change
    def links(area) -> list[tuple[str, str]]                  # optional: (text, url) of its things (area None: nation)
    def neighbourhood_links(neighbourhood) -> list[...]       # optional: the same for a neighbourhood
    def neighbourhood_delivery(neighbourhood) -> list[dict]   # optional: its funded projects (see below)
    def neighbourhood_money(neighbourhood) -> list[dict]      # optional: its money (see below)
    def neighbourhood_decisions(neighbourhood) -> list[dict]  # optional: PB rounds, panels, ballots there
    def neighbourhood_places(neighbourhood) -> list[dict]     # optional: its things with a map point
    def neighbourhood_deadlines(neighbourhood) -> list[dict]  # optional: public dates coming up there
    def todo(user) -> list[dict]                              # optional: what this person must act on

A provider returns {"summary": str, "columns": [(key, label), ...], "rows": [dict, ...], "tiles": [...],
"dataset": slug or None}, or None when there is nothing for that area; area None means the nation.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import ModuleType

from django.apps import apps


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    order: int
    provider: Callable[[object], dict | None]


@cache
def modules() -> tuple[ModuleType, ...]:
    """Each installed Common Ground app's `outcomes` module, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.outcomes"
        if config.name.startswith("commonground.") and importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return tuple(found)


def registry() -> dict[str, Section]:
    sections = [s for module in modules() for s in getattr(module, "SECTIONS", ())]
    return {s.slug: s for s in sorted(sections, key=lambda s: s.order)}


def collect(area) -> list[dict]:
    """Every section's data for an area (or the nation), in report order."""
    result = []
    for section in registry().values():
        base = {"slug": section.slug, "title": section.title, "columns": [], "rows": [], "tiles": [], "dataset": None}
        data = section.provider(area)
        if data is None:
            result.append({**base, "status": "empty", "summary": "Nothing recorded for this area yet."})
        else:
            result.append({**base, "status": "ok", **data})
    return result


def versions() -> list[str]:
    return [str(module.version()) for module in modules() if hasattr(module, "version")]


def links(area) -> list[tuple[str, str]]:
    """What every app has in this area, as (text, url) pairs for the area's page."""
    return [link for module in modules() if hasattr(module, "links") for link in module.links(area)]


def neighbourhood_links(neighbourhood) -> list[tuple[str, str]]:
    """What every app has in this neighbourhood, as (text, url) pairs for its hub page."""
    return [
        link
        for module in modules()
        if hasattr(module, "neighbourhood_links")
        for link in module.neighbourhood_links(neighbourhood)
    ]


def neighbourhood_delivery(neighbourhood) -> list[dict]:
    """Funded projects every app delivers in this neighbourhood, for its plan's delivery list. Each is
    {"objective": the plan objective's ref (from neighbourhoods.services.objectives_of) or None, "title": str,
    "url": str, "amount_pence": int or None, "status": str, "source": the app's name for itself}."""
    return [
        item
        for module in modules()
        if hasattr(module, "neighbourhood_delivery")
        for item in module.neighbourhood_delivery(neighbourhood)
    ]


def _gather(hook: str, *args) -> list:
    return [item for module in modules() if hasattr(module, hook) for item in getattr(module, hook)(*args)]


def neighbourhood_money(neighbourhood) -> list[dict]:
    """Money for this neighbourhood from every app: {"kind": str (e.g. "Award", "Pot"), "title": str, "url": str,
    "amount_pence": int (awarded or put in), "spent_pence": int (paid out or spent), "scheduled_pence": int
    (committed or scheduled, not yet paid), "note": str, "source": str}. Public figures only."""
    return _gather("neighbourhood_money", neighbourhood)


def neighbourhood_decisions(neighbourhood) -> list[dict]:
    """Decisions residents take part in here: {"kind": str (e.g. "PB round", "Panel", "Ballot"), "title": str,
    "url": str, "state": str, "due": date or None (the next date in it), "source": str}."""
    return sorted(_gather("neighbourhood_decisions", neighbourhood), key=lambda d: (d["kind"], d["title"]))


def neighbourhood_places(neighbourhood) -> list[dict]:
    """Things with a location in the neighbourhood, for its map and the list beside it: {"kind": str, "title":
    str, "url": str, "latitude": float, "longitude": float, "state": str, "source": str}."""
    return sorted(_gather("neighbourhood_places", neighbourhood), key=lambda p: (p["kind"], p["title"]))


def neighbourhood_deadlines(neighbourhood) -> list[dict]:
    """Public dates coming up in the neighbourhood, soonest first: {"title": str, "url": str, "due": date,
    "statutory": bool, "source": str}."""
    return sorted(_gather("neighbourhood_deadlines", neighbourhood), key=lambda d: (d["due"], d["title"]))


TODO_HORIZON_DAYS = 90  # the to-do page lists dated things due within this many days (and everything overdue)


def todo(user) -> list[dict]:
    """What this person must act on, in their scope: {"title": str (what, and where), "action": str (what to do),
    "url": str (where to do it), "due": date or None, "statutory": bool (a deadline set in law or in a legal
    agreement), "source": str}. Statutory deadlines first, then dated things, soonest first, then the rest."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = _gather("todo", user)
    return sorted(items, key=lambda i: (not i["statutory"], i["due"] is None, i["due"] or date.max, i["title"]))
