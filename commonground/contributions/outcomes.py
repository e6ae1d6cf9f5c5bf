"""Developer contributions on area and neighbourhood pages (see commonground.core.sections)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability
from commonground.contributions import services
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


def todo(user) -> list[dict]:
    """Section 106 money with a spend-by date within a year (or passed) and still unspent, in the officer's
    councils: the agreement may require it repaid. A year ahead, as the reminders are (12, 6, 3 months)."""
    today = timezone.localdate()
    items = []
    for council in services.councils():
        if not user_can(user, Capability.RUN_PROCESSES, services.council_scope(council)):
            continue
        for row in services.clocks(council, today):
            clock = row["clock"]
            if clock.state in ("spent", "on-track") or clock.deadline > today + dt.timedelta(days=365):
                continue
            items.append({
                "title": f"{row['contribution'].reference} ({row['agreement'].reference}, {council.name}): "
                         f"£{clock.unspent_pence // 100:,} unspent",
                "action": "Spend or commit it by the spend-by date in the agreement",
                "url": reverse("contributions:deadlines", args=[council.code]),
                "due": clock.deadline,
                "statutory": True,
                "source": "Developer contributions (section 106)",
            })  # fmt: skip
    return items
