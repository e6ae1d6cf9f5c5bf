"""The citizens' panels section of dashboards and the State of the Neighbourhood report (see
commonground.core.sections). A panel for an area (optional, given when it is created) shows on that
area's dashboard and on those of the areas it lies in; every panel shows at national level."""

from __future__ import annotations

from django.db.models import Count, Max, Q
from django.urls import reverse

from commonground.core.sections import Section
from commonground.neighbourhoods import services as neighbourhoods
from commonground.panels.models import Panel
from commonground.places.models import Area


def panels_in(area: Area | None):
    """Panels for this area or for an area inside it (a ward's panel shows on its council's dashboard)."""
    panels = Panel.objects.annotate(pool=Count("volunteers")).order_by("-created_at")
    if area is None:
        return panels
    return panels.filter(Q(area=area) | Q(area__parent=area) | Q(area__parent__parent=area))


def section(area: Area | None) -> dict | None:
    panels = list(panels_in(area))
    if not panels:
        return None
    rows = [
        {
            "panel": p.title,
            "size": p.size,
            "pool": p.pool,
            "stage": p.get_status_display(),
            "least_chance": round(p.min_probability, 4) if p.min_probability is not None else None,
        }
        for p in panels
    ]
    return {
        "summary": f"{len(panels)} panel{'s' if len(panels) != 1 else ''} chosen by lot.",
        "columns": [
            ("panel", "Panel"),
            ("size", "Seats"),
            ("pool", "Volunteers"),
            ("stage", "Stage"),
            ("least_chance", "Least chance of selection"),
        ],  # fmt: skip
        "rows": rows,
        "tiles": [{"label": "Panels", "value": len(panels), "unit": "", "note": "chosen by lot"}],
    }


def links(area: Area | None) -> list[tuple[str, str]]:
    """The panels for this area, each linked to its page."""
    return [(f"Citizens' panel: {p.title}", reverse("panels:detail", args=[p.slug])) for p in panels_in(area)]


SECTIONS = [Section("panels", "Panels held", 60, section)]


def version() -> str:
    latest = Panel.objects.aggregate(n=Count("id"), last=Max("id"))
    statuses = sorted(Panel.objects.values_list("status").annotate(n=Count("id")))
    return f"panels:{latest['n']}:{latest['last']}:{statuses}"


def neighbourhood_decisions(neighbourhood) -> list[dict]:
    """Published panels held for an area that shares an LSOA with the neighbourhood."""
    found = Panel.objects.exclude(status=Panel.Status.DRAFT).exclude(area=None).select_related("area__area_type")
    return [
        {"kind": "Citizens' panel", "title": p.title, "url": reverse("panels:detail", args=[p.slug]),
         "state": p.get_status_display(), "due": None, "source": "panels"}
        for p in found.order_by("-created_at")
        if neighbourhoods.overlaps(neighbourhood, p.area)
    ]  # fmt: skip
