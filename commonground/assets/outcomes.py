"""The Assets of Community Value section of area dashboards and the State of the Neighbourhood report
(see commonground.core.sections). Assets belong to a listing council, matched to the local
authority by name: the area itself, or the ward's local authority."""

from __future__ import annotations

from django.db.models import Count, Max

from commonground.assets import services
from commonground.assets.models import Asset, CaseEvent
from commonground.core.sections import Section
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
