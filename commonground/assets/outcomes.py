"""The Assets of Community Value section of area dashboards and the State of the Neighbourhood report
(see commonground.core.sections). Assets belong to a listing council, matched to the local
authority by name: the area itself, or the ward's local authority."""

from __future__ import annotations

from django.db.models import Count, Max
from django.urls import reverse

from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability
from commonground.assets import services
from commonground.assets.models import Asset, CaseEvent
from commonground.core.sections import TODO_HORIZON_DAYS, Section
from commonground.engine import geometry
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places.models import Area, AreaType


def section(area: Area | None) -> dict | None:
    assets = Asset.objects.select_related("council")
    if area is not None:
        authority = area if area.area_type.level == AreaType.Level.LOCAL_AUTHORITY else area.parent
        if authority is None:
            return None
        assets = assets.filter(council__name__iexact=authority.name)
    assets = list(assets.order_by("name"))
    if not assets:
        return None
    today = services.today()
    rows = []
    for asset in assets:
        row = services.register_row(asset, today)
        clock = next(
            (
                (label, row[key])
                for key, label in [
                    ("interim_moratorium_last_day", "interim moratorium ends"),
                    ("full_moratorium_last_day", "full moratorium ends"),
                    ("protected_period_last_day", "protected period ends"),
                    ("listing_last_day", "listing expires"),
                ]
                if row[key] and row[key] >= today.isoformat()
            ),
            ("", ""),
        )
        rows.append(
            {
                "asset": asset.name,
                "council": asset.council.name,
                "status": asset.status_label,
                "clock": f"{clock[0]} {clock[1]}".strip(),
            }
        )
    return {
        "summary": f"{len(assets)} asset{'s' if len(assets) != 1 else ''} nominated or listed as of community value.",
        "columns": [("asset", "Asset"), ("council", "Council"), ("status", "Status"), ("clock", "Next deadline")],
        "rows": rows,
        "tiles": [
            {"label": "Assets of community value", "value": len(assets), "unit": "", "note": "nominated or listed"}
        ],
    }


SECTIONS = [Section("assets", "Assets listed and their clocks", 70, section)]


def version() -> str:
    """Changes whenever an asset is added or a case event recorded; the clocks also move with the date."""
    events = CaseEvent.objects.aggregate(n=Count("id"), last=Max("id"))
    return f"assets:{Asset.objects.count()}:{events['n']}:{events['last']}:{services.today().isoformat()}"


def todo(user) -> list[dict]:
    """Every running statutory clock of a case in the officer's council, due within the horizon or overdue."""
    items = []
    for due in services.deadlines(within_days=TODO_HORIZON_DAYS):
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
    for asset in services.register().exclude(latitude=None).exclude(longitude=None).order_by("name"):
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
        for d in services.deadlines(within_days=365)
        if d["asset"].pk in here
    ]  # fmt: skip
