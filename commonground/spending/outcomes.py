"""Spending on place and neighbourhood pages (see commonground.core.sections): the place's spend map,
and the pooled budgets with their prevention ledgers (invest to save) that cover it."""

from __future__ import annotations

from django.db.models import Max
from django.urls import reverse

from commonground.places.models import Area, AreaType
from commonground.spending import services
from commonground.spending.models import PoolDecision, PreventionItem, SpendImport


def _pool_link(pool) -> tuple[str, str]:
    summary = services.pool_summary(pool)
    return (f"Pooled budget {pool.name}: prevention ledger, £{summary['invested'] // 100:,} invested to save "
            f"£{summary['expected_saving'] // 100:,}", pool.get_absolute_url())  # fmt: skip


def links(area: Area | None) -> list[tuple[str, str]]:
    if area is None:  # the home page's national list: nothing of this app's is listed there
        return []
    level = area.area_type.level
    if level not in (AreaType.Level.LOCAL_AUTHORITY, AreaType.Level.WARD, AreaType.Level.LSOA):
        return []
    found = []
    if SpendImport.objects.exists():
        suffix = f"?type={area.area_type.code}" if area.get_absolute_url().count("?type=") else ""
        found.append((f"Public spending in {area.name}: who spends what, by service and year",
                      reverse("spending:place", args=[area.code]) + suffix))  # fmt: skip
    council = area if level == AreaType.Level.LOCAL_AUTHORITY else services.council_of(area)
    if council is not None:
        found += [_pool_link(p) for p in services.pools_for_council(council.code)]
    return found


def neighbourhood_links(neighbourhood) -> list[tuple[str, str]]:
    found = []
    if SpendImport.objects.exists():
        found.append((f"Public spending in {neighbourhood.name} (estimates by a declared key)",
                      reverse("spending:neighbourhood", args=[neighbourhood.slug])))  # fmt: skip
    found += [_pool_link(p) for p in services.pools_for_neighbourhood(neighbourhood.slug)]
    return found


def version() -> str:
    parts = [SpendImport.objects.aggregate(v=Max("id"))["v"], PreventionItem.objects.aggregate(v=Max("id"))["v"],
             PoolDecision.objects.aggregate(v=Max("id"))["v"]]  # fmt: skip
    return "spending:" + "|".join(str(p) for p in parts)
