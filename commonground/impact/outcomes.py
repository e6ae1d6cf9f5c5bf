"""Impact assessments on place and neighbourhood pages (see commonground.core.sections): the published
assessments whose footprint touches the area or the neighbourhood."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.urls import reverse

from commonground.core.sections import TODO_HORIZON_DAYS
from commonground.impact import public_register, services
from commonground.impact.models import Assessment, Response
from commonground.places import services as places
from commonground.places.models import Area, AreaType
from commonground.publicbodies import services as bodies


def links(area: Area | None) -> list[tuple[str, str]]:
    if area is None:  # the home page's national list: nothing of this app's is listed there
        return []
    if area.area_type.level not in (AreaType.Level.LSOA, AreaType.Level.WARD, AreaType.Level.LOCAL_AUTHORITY):
        return []
    if not Assessment.objects.exclude(published_version=None).exists():
        return []
    codes = {a.code for a in places.lsoas_of(area)} if area.area_type.level != AreaType.Level.LSOA else {area.code}
    return [(f"Community impact assessment: {a.published_title} ({a.body.name})", a.get_absolute_url())
            for a in public_register.touching(codes)[:20]]  # fmt: skip


def neighbourhood_links(neighbourhood) -> list[tuple[str, str]]:
    found = Assessment.objects.exclude(published_version=None).select_related("body").order_by("-published_at")
    return [(f"Community impact assessment: {a.published_title} ({a.body.name})", a.get_absolute_url())
            for a in found if neighbourhood.slug in a.neighbourhoods][:20]  # fmt: skip


def version() -> str:
    return f"impact:{Assessment.objects.aggregate(v=Max('published_at'))['v']}:{Response.objects.count()}"


def todo(user) -> list[dict]:
    """Reviews due (or overdue) of the assessments of the bodies this person acts for."""
    items = []
    for due in services.due_reviews(services.today() + dt.timedelta(days=TODO_HORIZON_DAYS)):
        if not bodies.acts_for(user, due["body"]):
            continue
        items.append({
            "title": f"Review of {due['title']} ({due['reference']}, {due['body'].name})",
            "action": "Look again at what the decision did and record the review",
            "url": reverse("impact:review", args=[due["reference"]]),
            "due": due["due"],
            "statutory": False,
            "source": "Community impact assessments",
        })  # fmt: skip
    return items
