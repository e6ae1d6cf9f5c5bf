"""Queries other apps and pages use to read places; nothing here writes."""

from __future__ import annotations

from django.db.models import Count, Q

from commonground.places.models import Area, AreaType


def demo_data_loaded() -> bool:
    return Area.objects.filter(is_demo=True).exists()


def borough_summaries() -> list[dict]:
    """Each local authority with its ward and LSOA counts and population."""
    authorities = Area.objects.filter(area_type__level=AreaType.Level.LOCAL_AUTHORITY).annotate(
        wards=Count("children", filter=Q(children__area_type__level=AreaType.Level.WARD), distinct=True),
        lsoas=Count("children__children", distinct=True),
    )
    return [
        {
            "code": a.code,
            "name": a.name,
            "is_demo": a.is_demo,
            "wards": a.wards,
            "lsoas": a.lsoas,
            "population": a.population,
        }
        for a in authorities.order_by("name")
    ]


def find_area(code: str) -> Area | None:
    """The area with this code; where vintages share a code, the most recently loaded type."""
    return (
        Area.objects.select_related("area_type", "parent")
        .filter(code=code.strip().upper())
        .order_by("-area_type_id")
        .first()
    )


def area_profile(area: Area) -> dict:
    """Everything the area page and the API show for one area."""
    values = area.values.select_related("measure__dataset").order_by(
        "measure__dataset__name", "measure__order", "measure__slug"
    )
    children = area.children.select_related("area_type").order_by("code")
    ancestors = []
    parent = area.parent
    while parent is not None:
        ancestors.insert(0, parent)
        parent = parent.parent
    return {"area": area, "values": list(values), "children": list(children), "ancestors": ancestors}
