"""Developer contributions on area and neighbourhood pages (see commonground.core.sections)."""

from __future__ import annotations

from commonground.contributions.models import Agreement, CilZone
from commonground.places.models import Area


def neighbourhood_links(neighbourhood) -> list[tuple[str, str]]:
    return [
        (f"Neighbourhood CIL: {z.name}", z.get_absolute_url())
        for z in CilZone.objects.filter(neighbourhood=neighbourhood)
    ]


def links(area: Area | None) -> list[tuple[str, str]]:
    if area is None:  # the home page's national list: nothing of this app's is listed there
        return []
    from django.urls import reverse

    found = []
    if Agreement.objects.filter(council=area).exists():
        found.append(("Developer contributions (S106 and CIL)", reverse("contributions:council", args=[area.code])))
    count = Agreement.objects.filter(ward_code=area.code).count()
    if count:
        found.append(
            (
                f"{count} developer agreement{'s' if count != 1 else ''} in this ward",
                reverse("contributions:council", args=[area.parent.code]) if area.parent_id else "",
            )
        )
    return [link for link in found if link[1]]
