"""The public register of assets of community value: filters, clocks, rows, CSV and GeoJSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from commonground.assets import services
from commonground.assets.models import (
    Asset,
)
from commonground.engine import clocks
from commonground.engine.asset_case import Case
from commonground.engine.asset_status import Status
from commonground.engine.high_street_vacancy import vacancy_condition, vacant_since


def clock_lines(case: Case, on: dt.date) -> list[dict]:
    """The live clocks for the asset page: "Full moratorium ends in 143 days"."""
    lines = []
    for period in case.running(on):
        left = period.days_left(on)
        when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
        lines.append({"period": period, "text": f"{period.name} ends {when}", "days_left": left})
    return lines


def deadlines(on: dt.date | None = None, within_days: int | None = None) -> list[dict]:
    """The last day of every running statutory period of every open case, soonest first (the officer's to-do
    page and the neighbourhood hub): {"asset", "period" (its name), "last_day", "days_left", "citation"}; with
    `within_days`, only periods ending by then."""
    on = on or services.today()
    found = []
    open_cases = Asset.objects.select_related("council__area").exclude(
        status__in=[s.value for s in (Status.NOT_LISTED, Status.WITHDRAWN)]
    )
    for asset in open_cases:
        for period in services.case_of(asset, on).running(on):
            left = period.days_left(on)
            if within_days is None or left <= within_days:
                found.append({"asset": asset, "period": period.name, "last_day": period.last_day, "days_left": left,
                              "citation": period.citation})  # fmt: skip
    return sorted(found, key=lambda d: (d["last_day"], d["asset"].pk, d["period"]))


def long_vacant(asset: Asset, on: dt.date | None = None) -> bool:
    """The long-vacancy flag: empty since `vacant_since` long enough to meet the vacancy condition for a high
    street rental auction (LURA 2023 Part 10: throughout the year ending with the previous day)."""
    if asset.vacant_since is None:
        return False
    return vacancy_condition(vacant_since(asset.vacant_since), on or services.today()).met


def register(council: str = "", status: str = "", query: str = "") -> QuerySet[Asset]:
    """The public register: everything that has been nominated except withdrawn nominations."""
    assets = Asset.objects.select_related("council").exclude(status=Status.WITHDRAWN)
    if council:
        assets = assets.filter(council__slug=council)
    if status:
        assets = assets.filter(status=status)
    if query:
        assets = assets.filter(Q(name__icontains=query) | Q(address__icontains=query) | Q(postcode__iexact=query))
    return assets


REGISTER_COLUMNS = [
    "id",
    "name",
    "address",
    "postcode",
    "council",
    "status",
    "ruleset",
    "listed_on",
    "listing_last_day",
    "disposal_notice_on",
    "interim_moratorium_last_day",
    "full_moratorium_last_day",
    "protected_period_last_day",
    "latitude",
    "longitude",
]


def register_row(asset: Asset, on: dt.date) -> dict:
    """What s.97(2) says the list entry must reveal, plus where and what it is."""
    case = services.case_of(asset, on)
    full, interim, protected = case.full(), case.interim(), case.protected()
    listing = clocks.attempt(clocks.listing, case.listed_on, case.rules) if case.listed_on else None

    def last(period) -> str:
        return period.last_day.isoformat() if period is not None and period.last_day is not None else ""

    return {
        "id": asset.pk,
        "name": asset.name,
        "address": asset.address,
        "postcode": asset.postcode,
        "council": asset.council.name,
        "status": asset.status,
        "ruleset": asset.ruleset,
        "listed_on": case.listed_on.isoformat() if case.listed_on else "",
        "listing_last_day": last(listing),
        "disposal_notice_on": case.disposal_notice_on.isoformat() if case.disposal_notice_on else "",
        "interim_moratorium_last_day": last(interim),
        "full_moratorium_last_day": last(full),
        "protected_period_last_day": last(protected),
        "latitude": asset.latitude if asset.latitude is not None else "",
        "longitude": asset.longitude if asset.longitude is not None else "",
    }


def register_csv(assets: Iterable[Asset], on: dt.date) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REGISTER_COLUMNS)
    writer.writeheader()
    for asset in assets:
        writer.writerow(register_row(asset, on))
    return buffer.getvalue()


def register_geojson(assets: Iterable[Asset], on: dt.date) -> dict:
    features = []
    for asset in assets:
        if asset.latitude is None or asset.longitude is None:
            continue
        properties = register_row(asset, on)
        properties["code"] = str(asset.pk)
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": {"type": "Point", "coordinates": [asset.longitude, asset.latitude]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def dumps_geojson(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
