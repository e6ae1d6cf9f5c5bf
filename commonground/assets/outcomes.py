"""The Assets of Community Value section of area dashboards and the State of the Neighbourhood report
(see commonground.core.sections). An asset is placed by where it is: its point inside the area (point in
polygon), else its postcode's LSOA in the area; one with neither shows only on its council's dashboard."""

from __future__ import annotations

import re

from django.db.models import Count, Max
from django.urls import reverse

from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability
from commonground.assets import public_register, services
from commonground.assets.models import Asset, CaseEvent
from commonground.core.sections import TODO_HORIZON_DAYS, Section
from commonground.engine import geometry
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places import services as places
from commonground.places.models import Area, AreaType

TITLES = ("metropolitan borough council", "borough council", "city council", "district council", "county council",
          "council")  # fmt: skip


def _same_council(council: str, area: Area) -> bool:
    """ "Demo Borough Council" is Demo Borough; "Blackpool Council" is Blackpool."""
    name = re.sub(r"\s+", " ", council.lower()).strip()
    names = {name} | {name.removesuffix(" " + title) for title in TITLES}
    return area.name.lower() in names


def assets_in(area: Area | None) -> list[Asset]:
    """The assets (nominated or listed, not withdrawn) in an area, or everywhere."""
    assets = list(public_register.register().order_by("name", "id"))
    if area is None:
        return assets
    located = [a for a in assets if a.latitude is not None and a.longitude is not None]
    points = places.contains_points(area, [(a.longitude, a.latitude) for a in located])
    inside = dict(zip((a.pk for a in located), points, strict=True))
    found = []
    for asset in assets:
        where = inside.get(asset.pk)
        if where is None and asset.postcode:
            where = places.postcode_in(area, asset.postcode)
        if where is None:  # no location known: its council's own dashboard only
            where = area.area_type.level == AreaType.Level.LOCAL_AUTHORITY and _same_council(asset.council.name, area)
        if where:
            found.append(asset)
    return found


def next_deadline(asset: Asset, today) -> str:
    """The first deadline among the periods running now (the full moratorium, not the interim one, once a
    group has asked to bid), e.g. "full moratorium ends 2026-09-01"."""
    running = services.case_of(asset, today).running(today)
    if not running:
        return ""
    period = min(running, key=lambda p: (p.last_day, p.key))
    return f"{period.name.lower()} ends {period.last_day.isoformat()}"


def section(area: Area | None) -> dict | None:
    assets = assets_in(area)
    if not assets:
        return None
    today = services.today()
    rows = [{"asset": a.name, "council": a.council.name, "status": a.status_label, "clock": next_deadline(a, today)}
            for a in assets]  # fmt: skip
    return {
        "summary": f"{len(assets)} asset{'s' if len(assets) != 1 else ''} nominated or listed as of community value.",
        "columns": [("asset", "Asset"), ("council", "Council"), ("status", "Status"), ("clock", "Next deadline")],
        "rows": rows,
        "tiles": [
            {"label": "Assets of community value", "value": len(assets), "unit": "", "note": "nominated or listed"}
        ],
    }


def links(area: Area | None) -> list[tuple[str, str]]:
    """The assets in this area, each linked to its page."""
    return [(f"{a.name}: {a.status_label.lower()}", reverse("assets:detail", args=[a.pk])) for a in assets_in(area)]


SECTIONS = [Section("assets", "Assets listed and their clocks", 70, section)]


def version() -> str:
    """Changes whenever an asset is added or a case event recorded; the clocks also move with the date."""
    events = CaseEvent.objects.aggregate(n=Count("id"), last=Max("id"))
    return f"assets:{Asset.objects.count()}:{events['n']}:{events['last']}:{services.today().isoformat()}"


def todo(user) -> list[dict]:
    """Every running statutory clock of a case in the officer's council, due within the horizon or overdue."""
    items = []
    for due in public_register.deadlines(within_days=TODO_HORIZON_DAYS):
        asset = due["asset"]
        if not user_can(user, Capability.RUN_PROCESSES, services.asset_scope(asset)):
            continue
        items.append({
            "title": f"{asset.name} ({asset.council.name}): {due['period']} ends",
            "action": "Check the case and record the next step",
            "url": reverse("assets:detail", args=[asset.pk]),
            "due": due["last_day"],
            "statutory": True,
            "source": "Assets of community value",
        })  # fmt: skip
    return items


def located_in(neighbourhood) -> list[Asset]:
    """Assets on the public register whose map point lies in one of the neighbourhood's LSOAs."""
    shapes = [f["geometry"] for f in neighbourhoods.geojson(neighbourhood)["features"]]
    if not shapes:
        return []
    boxes = [(geometry.bounds(s), s) for s in shapes]
    found = []
    for asset in public_register.register().exclude(latitude=None).exclude(longitude=None).order_by("name"):
        x, y = asset.longitude, asset.latitude
        if any(w <= x <= e and s <= y <= n and geometry.contains(shape, x, y) for (w, s, e, n), shape in boxes):
            found.append(asset)
    return found


def neighbourhood_places(neighbourhood) -> list[dict]:
    return [
        {"kind": "Asset of community value", "title": a.name, "url": reverse("assets:detail", args=[a.pk]),
         "latitude": a.latitude, "longitude": a.longitude, "state": a.status_label, "source": "assets"}
        for a in located_in(neighbourhood)
    ]  # fmt: skip


def neighbourhood_deadlines(neighbourhood) -> list[dict]:
    """The statutory clocks of the assets in the neighbourhood (they are on the public register)."""
    here = {a.pk for a in located_in(neighbourhood)}
    if not here:
        return []
    return [
        {"title": f"{d['asset'].name}: {d['period']} ends", "url": reverse("assets:detail", args=[d["asset"].pk]),
         "due": d["last_day"], "statutory": True, "source": "assets"}
        for d in public_register.deadlines(within_days=365)
        if d["asset"].pk in here
    ]  # fmt: skip
