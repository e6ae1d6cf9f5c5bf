"""The public register of published assessments: search, filters and the map."""

from __future__ import annotations

from django.db.models import Q

from commonground.impact.models import Assessment, Version
from commonground.impact.where import geojson


def register(query: str = "", body: str = "", neighbourhood: str = "", ward: str = "", decision: str = ""):
    """Published assessments matching the filters, newest first."""
    found = Assessment.objects.exclude(published_version=None).select_related("body").order_by("-published_at")
    if query:
        found = found.filter(
            Q(published_title__icontains=query)
            | Q(reference__iexact=query)
            | Q(body__name__icontains=query)
            | Q(versions__status=Version.Status.PUBLISHED, versions__proposal__icontains=query)
        ).distinct()
    if body:
        found = found.filter(body__slug=body)
    rows = list(found)
    if neighbourhood:
        rows = [a for a in rows if neighbourhood in a.neighbourhoods]
    if ward:
        rows = [a for a in rows if ward.upper() in a.wards]
    if decision:
        rows = [a for a in rows if (a.published and a.published.decision == decision)]
    return rows


def register_bodies() -> list:
    """The bodies with published assessments, for the register's filter."""
    found = {a.body.pk: a.body for a in Assessment.objects.exclude(published_version=None).select_related("body")}
    return sorted(found.values(), key=lambda b: b.name)


def touching(codes: set[str]) -> list[Assessment]:
    """Published assessments whose footprint shares an LSOA with `codes`."""
    return [
        a for a in Assessment.objects.exclude(published_version=None).order_by("-published_at") if codes & set(a.lsoas)
    ]


def register_geojson(assessments: list[Assessment]) -> dict:
    features = []
    for assessment in assessments[:200]:
        data = geojson(assessment.lsoas, {"assessment": assessment.reference, "title": assessment.published_title})
        for feature in data["features"]:
            feature["properties"]["name"] = f"{assessment.published_title} ({feature['properties']['code']})"
        features += data["features"]
    return {"type": "FeatureCollection", "features": features}
