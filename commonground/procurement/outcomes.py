"""Social value delivered on neighbourhood and place pages (see commonground.core.sections)."""

from __future__ import annotations

from django.db.models import Max

from commonground.places.models import Area, AreaType
from commonground.procurement import services
from commonground.procurement.models import Delivery, Tender


def neighbourhood_links(neighbourhood) -> list[tuple[str, str]]:
    return [(f"Contract {t.reference}: {t.title} – social value delivered here", f"{t.get_absolute_url()}#delivery")
            for t in services.for_neighbourhood(neighbourhood.slug)]  # fmt: skip


def links(area: Area | None) -> list[tuple[str, str]]:
    if area is None:  # the home page's national list: nothing of this app's is listed there
        return []
    if area.area_type.level != AreaType.Level.LOCAL_AUTHORITY:
        return []
    found = Tender.objects.filter(status=Tender.Status.AWARDED, body__councils=area).distinct()
    return [(f"Contract {t.reference}: {t.title} – award explained, social value delivered", t.get_absolute_url())
            for t in found]  # fmt: skip


def version() -> str:
    awarded = Tender.objects.aggregate(v=Max("awarded_at"))["v"]
    return f"procurement:{awarded}:{Delivery.objects.aggregate(v=Max('id'))['v']}"
