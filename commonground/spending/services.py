"""Public spending by place: import what bodies publish and map it to places (pooled budgets: `pooled_budgets`).

Imports read the whole file first (commonground.engine.spendfiles): one bad row stops the import and the
error names its line and field; otherwise every row is stored in one transaction. Audit records say what
was imported (kind, body, rows, total, how many payees were redacted, the file's SHA-256), never a payee.

A place's spending: every published amount has a footprint, the LSOAs of the area it was published for
(a council's payments: the council's area; a grant: its beneficiary areas; a budget: its area code). An
amount whose footprint lies inside the place counts in full; one whose footprint only overlaps the place
counts by the declared allocation key (engine.spend_keys) and is labelled an estimate.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import transaction
from django.db.models import Sum

from commonground.audit.service import record
from commonground.engine import spend_keys, spendfiles
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places import services as places
from commonground.places.models import Area, AreaType, AreaValue
from commonground.publicbodies import services as bodies
from commonground.spending.models import (
    Grant,
    Payment,
    ServiceBudget,
    SpendImport,
)

MAX_BYTES = 50 * 1024 * 1024


class SpendError(ValueError):
    """An import or a pooled budget change that cannot be made; `errors` lists each bad row."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = errors or []


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise SpendError(f"the file is larger than {MAX_BYTES // 1024 // 1024} MB: split it by quarter")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # many councils' files are saved from Excel on Windows


def _parse(reader, text: str) -> spendfiles.Parsed:
    try:
        parsed = reader(text)
    except spendfiles.SpendFileError as exc:
        raise SpendError(str(exc)) from None
    if parsed.errors:
        count = len(parsed.errors)
        raise SpendError(f"{count}{'+' if count >= spendfiles.MAX_ERRORS else ''} row{'s' if count != 1 else ''} "
                         f"cannot be read; nothing was imported", parsed.errors)  # fmt: skip
    if not parsed.rows:
        raise SpendError("the file has no rows to import")
    return parsed


def _batch(actor, kind, body, filename: str, data: bytes, rows: int, total: int, redacted: int, skipped: int = 0,
           source_url: str = "") -> SpendImport:  # fmt: skip
    digest = hashlib.sha256(data).hexdigest()
    earlier = SpendImport.objects.filter(kind=kind, body=body, sha256=digest).first()
    if earlier is not None:
        raise SpendError(f"this file was imported already on {earlier.imported_at:%d %B %Y} ({earlier.filename})")
    return SpendImport.objects.create(kind=kind, body=body, filename=filename[:255], sha256=digest, rows=rows,
                                      total_pence=total, redacted=redacted, skipped=skipped, source_url=source_url,
                                      imported_by=actor if getattr(actor, "pk", None) else None)  # fmt: skip


def _audit(actor, batch: SpendImport) -> None:
    record(actor, f"spending.import_{batch.kind}", batch, object_label=f"{batch.get_kind_display()} import {batch.pk}",
           after={"body": batch.body.slug if batch.body else None, "rows": batch.rows, "total_pence": batch.total_pence,
                  "redacted": batch.redacted, "skipped": batch.skipped, "sha256": batch.sha256})  # fmt: skip


@transaction.atomic
def import_transparency(actor, body, filename: str, data: bytes, source_url: str = "") -> SpendImport:
    """A council's spending over £500 file, every row or none."""
    parsed = _parse(spendfiles.read_transparency, _text(data))
    total = sum(r["amount_pence"] for r in parsed.rows)
    batch = _batch(actor, SpendImport.Kind.TRANSPARENCY, body, filename, data, len(parsed.rows), total, parsed.redacted,
                   source_url=source_url)  # fmt: skip
    Payment.objects.bulk_create([
        Payment(batch=batch, body=body, date=r["date"], financial_year=r["financial_year"],
                expense_area=r["expense_area"], expense_type=r["expense_type"], amount_pence=r["amount_pence"],
                irrecoverable_vat_pence=r["irrecoverable_vat_pence"], supplier=r["supplier"],
                supplier_redacted=r["supplier_redacted"], transaction_number=r["transaction_number"],
                purpose=r["purpose"], line=r["line"])
        for r in parsed.rows
    ], batch_size=1000)  # fmt: skip
    _audit(actor, batch)
    return batch


def _loaded_codes(codes: set[str]) -> set[str]:
    return set(Area.objects.filter(code__in=codes).values_list("code", flat=True))


@transaction.atomic
def import_grants(actor, filename: str, data: bytes, body=None, source_url: str = "") -> SpendImport:
    """360Giving grants (JSON package or CSV); those with no beneficiary area loaded here are counted, not kept."""
    parsed = _parse(spendfiles.read_360giving, _text(data))
    loaded = _loaded_codes({loc["code"] for r in parsed.rows for loc in r["locations"]})
    kept = [r for r in parsed.rows if any(loc["code"] in loaded for loc in r["locations"])]
    if not kept:
        raise SpendError(f"none of the {len(parsed.rows)} grants names a beneficiary ward, LSOA or district loaded "
                         "here (Beneficiary Location: Geographic Code with type WD, LSOA or LAD)")  # fmt: skip
    total = sum(r["amount_pence"] for r in kept)
    batch = _batch(actor, SpendImport.Kind.GRANTS, body, filename, data, len(kept), total,
                   sum(r["recipient_redacted"] for r in kept), len(parsed.rows) - len(kept), source_url)  # fmt: skip
    Grant.objects.bulk_create([
        Grant(batch=batch, identifier=r["identifier"], title=r["title"], amount_pence=r["amount_pence"],
              award_date=r["award_date"], financial_year=r["financial_year"], recipient=r["recipient"],
              recipient_redacted=r["recipient_redacted"], funder_name=r["funder_name"], funder_id=r["funder_id"],
              area_codes=sorted({loc["code"] for loc in r["locations"] if loc["code"] in loaded}))
        for r in kept
    ], batch_size=1000)  # fmt: skip
    _audit(actor, batch)
    return batch


@transaction.atomic
def import_budgets(actor, filename: str, data: bytes, may_act=None) -> SpendImport:
    """Service budgets of several bodies (`may_act(body)` says whether the importer acts for a body)."""
    parsed = _parse(spendfiles.read_budgets, _text(data))
    errors, found = [], {}
    loaded = _loaded_codes({r["area_code"] for r in parsed.rows})
    for r in parsed.rows:
        body = found.get(r["body"]) or bodies.find(r["body"])
        if body is None:
            errors.append(f"line {r['line']}, body: no public body called {r['body']!r} is recorded (add it first)")
            continue
        if may_act is not None and not may_act(body):
            errors.append(f"line {r['line']}, body: you do not act for {body.name}")
            continue
        found[r["body"]] = body
        if r["area_code"] not in loaded:
            errors.append(f"line {r['line']}, area_code: no loaded area has the code {r['area_code']}")
    if errors:
        raise SpendError(f"{len(errors)} row{'s' if len(errors) != 1 else ''} cannot be read; nothing was imported",
                         errors[: spendfiles.MAX_ERRORS])  # fmt: skip
    total = sum(r["amount_pence"] for r in parsed.rows)
    batch = _batch(actor, SpendImport.Kind.BUDGETS, None, filename, data, len(parsed.rows), total, 0)
    ServiceBudget.objects.bulk_create([
        ServiceBudget(batch=batch, body=found[r["body"]], service=r["service"], area_code=r["area_code"],
                      financial_year=r["financial_year"], amount_pence=r["amount_pence"])
        for r in parsed.rows
    ])  # fmt: skip
    _audit(actor, batch)
    return batch


# A place's spending ---------------------------------------------------------------------------


@dataclass
class Line:
    who: str
    service: str
    source: str
    basis: str  # "published for this place" or "estimate"
    by_year: dict[int, Fraction] = field(default_factory=dict)
    shares: dict[str, Fraction] = field(default_factory=dict)  # area label -> the place's share of it

    @property
    def total(self) -> Fraction:
        return sum(self.by_year.values(), Fraction(0))


class _Footprints:
    """LSOA codes of published areas, and the allocation weights of LSOAs, read once per page."""

    def __init__(self):
        self.by_code: dict[str, tuple[str, frozenset[str]]] = {}
        self.lsoas: dict[str, spend_keys.Lsoa] = {}

    def of_code(self, code: str) -> tuple[str, frozenset[str]]:
        if code not in self.by_code:
            area = places.find_area(code)
            if area is None:
                self.by_code[code] = (code, frozenset())
            elif area.area_type.level == AreaType.Level.LSOA:
                self.by_code[code] = (area.name, frozenset([area.code]))
            else:
                self.by_code[code] = (area.name, frozenset(a.code for a in places.lsoas_of(area)))
        return self.by_code[code]

    def of_councils(self, codes: list[str]) -> tuple[str, frozenset[str]]:
        parts = [self.of_code(c) for c in codes]
        return " and ".join(p[0] for p in parts), frozenset().union(*(p[1] for p in parts)) if parts else frozenset()

    def load(self, codes: set[str]) -> None:
        wanted = codes - set(self.lsoas)
        if not wanted:
            return
        areas = Area.objects.filter(code__in=wanted, area_type__level=AreaType.Level.LSOA).order_by("area_type_id")
        ids = {}
        for area in areas:
            if area.code not in ids:
                ids[area.code] = area.pk
                self.lsoas[area.code] = spend_keys.Lsoa(area.code, area.population or 0)
        scores = AreaValue.objects.filter(
            area_id__in=ids.values(), measure__slug="imd_score", measure__dataset__slug__in=places.INDEX_DATASETS
        ).values_list("area_id", "value")
        by_id = {pk: code for code, pk in ids.items()}
        for area_id, value in scores:
            code = by_id[area_id]
            self.lsoas[code] = spend_keys.Lsoa(code, self.lsoas[code].population, Fraction(str(value)))
        for code in wanted - set(self.lsoas):
            self.lsoas[code] = spend_keys.Lsoa(code, 0)

    def weight(self, codes, key: str) -> Fraction:
        self.load(set(codes))
        return spend_keys.weight([self.lsoas[c] for c in codes], key)


def _published(place: frozenset[str], footprints: _Footprints):
    """Every published amount whose footprint overlaps the place: (who, service, source, year, pence, area)."""
    councils = {
        c.code
        for c in places.councils_of(list(Area.objects.filter(code__in=place, area_type__level=AreaType.Level.LSOA)))
    }
    for body in bodies.for_councils(sorted(councils)):
        label, footprint = footprints.of_councils(sorted(c.code for c in body.councils.all()))
        if not footprint & place:
            continue
        groups = (Payment.objects.filter(body=body).values("expense_area", "financial_year")
                  .annotate(total=Sum("amount_pence")).order_by())  # fmt: skip
        for g in groups:
            yield (body.name, g["expense_area"] or "Unclassified", "Spending over £500", g["financial_year"],
                   g["total"], label, footprint)  # fmt: skip
    for code in ServiceBudget.objects.values_list("area_code", flat=True).distinct():
        label, footprint = footprints.of_code(code)
        if footprint & place:
            for b in ServiceBudget.objects.filter(area_code=code).select_related("body"):
                yield b.body.name, b.service, "Service budget", b.financial_year, b.amount_pence, label, footprint
    for grant in Grant.objects.all().iterator(chunk_size=2000):
        parts = [footprints.of_code(c) for c in grant.area_codes]
        parts = [p for p in parts if p[1]]
        for label, footprint in parts:  # a grant to several areas is split equally among them (declared)
            if footprint & place:
                yield (grant.funder_name, "Grants (360Giving)", "360Giving grant", grant.financial_year,
                       Fraction(grant.amount_pence, len(parts)), label, footprint)  # fmt: skip


def place_spending(lsoa_codes: list[str], key: str = spend_keys.POPULATION) -> dict:
    """Who spends what on which service in a place (a set of LSOAs), by financial year, with estimates
    labelled and the allocation key declared."""
    if key not in spend_keys.KEYS:
        raise SpendError(f"unknown allocation key {key!r}: use one of {', '.join(spend_keys.KEYS)}")
    place = frozenset(lsoa_codes)
    footprints = _Footprints()
    lines: dict[tuple, Line] = {}
    by_lsoa: dict[str, Fraction] = defaultdict(Fraction)
    problems = []
    for who, service, source, year, pence, label, footprint in _published(place, footprints):
        inside = footprint & place
        whole = footprint <= place
        basis = "published for this place" if whole else "estimate"
        try:
            total_weight = footprints.weight(footprint, key)
            share = Fraction(1) if whole else footprints.weight(inside, key) / total_weight
        except spend_keys.AllocationError as exc:
            problems.append(f"{label}: {exc}")
            continue
        line = lines.setdefault((who, service, source, basis), Line(who, service, source, basis))
        line.by_year[year] = line.by_year.get(year, Fraction(0)) + Fraction(pence) * share
        if not whole:
            line.shares[label] = share
        for code in inside:  # each LSOA's part, for the map
            by_lsoa[code] += Fraction(pence) * footprints.weight([code], key) / total_weight if total_weight else 0
    years = sorted({y for line in lines.values() for y in line.by_year})
    ordered = sorted(lines.values(), key=lambda line: (line.who, line.service, line.basis))
    total = sum((line.total for line in ordered), Fraction(0))
    estimated = sum((line.total for line in ordered if line.basis == "estimate"), Fraction(0))
    footprints.load(set(place))
    residents = sum(footprints.lsoas[c].population for c in place)
    return {
        "key": key,
        "key_label": spend_keys.KEYS[key],
        "years": years,
        "year_labels": [spendfiles.year_label(y) for y in years],
        "lines": [
            {
                "who": line.who,
                "service": line.service,
                "source": line.source,
                "basis": line.basis,
                "cells": [(spendfiles.year_label(y), round_pence(line.by_year.get(y, Fraction(0)))) for y in years],
                "total": round_pence(line.total),
                "shares": [f"{label}: {pct(s)}" for label, s in sorted(line.shares.items())],
            }
            for line in ordered
        ],
        "totals": [
            (
                spendfiles.year_label(y),
                round_pence(sum((line.by_year.get(y, Fraction(0)) for line in ordered), Fraction(0))),
            )
            for y in years
        ],
        "total": round_pence(total),
        "estimated": round_pence(estimated),
        "residents": residents,
        "per_head": round_pence(total / residents) if residents else None,
        "by_lsoa": {code: by_lsoa.get(code, Fraction(0)) for code in place},
        "problems": problems,
    }


def round_pence(value: Fraction) -> int:
    """To the nearest penny, halves away from zero (exact until here)."""
    sign = -1 if value < 0 else 1
    value = abs(value)
    whole = value.numerator // value.denominator
    return sign * (whole + (1 if value - whole >= Fraction(1, 2) else 0))


def pct(share: Fraction) -> str:
    return f"{round_pence(share * 10000) / 100:.2f}%"


def area_lsoas(area: Area) -> list[str]:
    return [area.code] if area.area_type.level == AreaType.Level.LSOA else [a.code for a in places.lsoas_of(area)]


def spend_geojson(lsoa_codes: list[str], key: str) -> dict:
    """The place's LSOAs with the estimated spending per resident in each (all years, every source)."""
    import json

    data = place_spending(lsoa_codes, key)
    areas = {}
    for area in Area.objects.filter(code__in=lsoa_codes, area_type__level=AreaType.Level.LSOA).exclude(geometry=""):
        areas.setdefault(area.code, area)
    features = []
    for code, area in sorted(areas.items()):
        amount = data["by_lsoa"].get(code, Fraction(0))
        per_head = round_pence(amount / area.population) / 100 if area.population else None
        features.append({"type": "Feature", "geometry": json.loads(area.geometry),
                         "properties": {"code": code, "name": area.name, "spend_per_head": per_head}})  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def councils_with_spending() -> list[Area]:
    """Councils served by a body whose spending is imported, or named by an imported budget or grant."""
    found = {}
    for batch in SpendImport.objects.exclude(body=None).select_related("body"):
        for council in batch.body.councils.all():
            found[council.pk] = council
    return sorted(found.values(), key=lambda c: c.name)


def imports_of(body) -> list[SpendImport]:
    return list(SpendImport.objects.filter(body=body))


def neighbourhood_named(slug: str):
    """A neighbourhood by its slug, found through its councils (the neighbourhoods app's tables are its own)."""
    try:
        codes = neighbourhoods.councils_of(slug)
    except LookupError:
        return None
    for council in Area.objects.filter(code__in=codes, area_type__level=AreaType.Level.LOCAL_AUTHORITY):
        found = council.neighbourhoods.filter(slug=slug).first()
        if found is not None:
            return found
    return None


def council_of(area: Area) -> Area | None:
    found = places.councils_of([area])
    return found[0] if found else None
