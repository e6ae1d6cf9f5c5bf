"""The ownership register: import HM Land Registry's "UK companies that own property in England and
Wales" (CCOD) and "Overseas companies..." (OCOD) CSV layouts, and search them.

All or nothing: every row is checked first; any bad row stops the import with its row number and
column, and nothing is written. An optional `Vacant Since` column (not in HM Land Registry's data) records
when the property became empty: the long-vacancy flag that lists it as a rental auction candidate.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet

from commonground.assets.models import Proprietor, Title
from commonground.audit.service import record
from commonground.core.imports import too_long
from commonground.engine import csvrows

REQUIRED = ["Title Number", "Tenure", "Property Address", "Postcode", "Proprietor Name (1)"]
PROPRIETORS = 4  # the datasets carry up to four proprietors per title
MAX_ERRORS_SHOWN = 20
MOST_POUNDS = 10**12  # a price paid above this is a typing slip (and would overflow the column in pence)
TITLE_COLUMNS = {"title_number": "Title Number", "tenure": "Tenure", "district": "District", "county": "County",
                 "region": "Region", "postcode": "Postcode"}  # fmt: skip


class OwnershipImportError(Exception):
    def __init__(self, errors: list[str]) -> None:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f" (and {len(errors) - len(shown)} more)" if len(errors) > len(shown) else ""
        super().__init__("; ".join(shown) + more)
        self.errors = errors


@dataclass
class ParsedTitle:
    number: str
    fields: dict
    proprietors: list[dict] = field(default_factory=list)


def _date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a date like 25-03-2021")


def _yes_no(value: str) -> bool:
    value = value.strip().upper()
    if value in ("", "N", "NO"):
        return False
    if value in ("Y", "YES"):
        return True
    raise ValueError(f"'{value}' should be Y or N")


def _pence(value: str) -> int | None:
    text = value.strip().replace(",", "").replace("£", "")
    if not text:
        return None
    if not re.fullmatch(r"[0-9]+", text):
        raise ValueError(f"'{value[:40]}' is not a whole number of pounds")
    if len(text) > 13 or int(text) > MOST_POUNDS:
        raise ValueError(f"'{value[:40]}' is more than £{MOST_POUNDS:,}")
    return int(text) * 100


def parse(lines: Iterable[str]) -> tuple[list[ParsedTitle], str]:
    """Check every row; return the titles and the dataset (uk/overseas), or raise with every problem."""
    try:
        header, rows = csvrows.read(lines)
    except csvrows.CsvError as exc:
        raise OwnershipImportError([str(exc)]) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise OwnershipImportError(
            [
                f"the file has no column {', '.join(repr(c) for c in missing)} "
                "(expected HM Land Registry's company ownership layout)"
            ]
        )
    dataset = Title.Dataset.OVERSEAS if "Country Incorporated (1)" in header else Title.Dataset.UK
    errors: list[str] = []
    titles: list[ParsedTitle] = []
    seen: dict[str, int] = {}
    for row_number, row in rows:
        where = f"row {row_number}"
        number = row.get("Title Number", "")
        if not number:
            errors.append(f"{where}, Title Number: empty")
            continue
        if number in seen:
            errors.append(f"{where}, Title Number: {number} already appears on row {seen[number]}")
            continue
        seen[number] = row_number
        parsed = ParsedTitle(
            number,
            {
                "tenure": row.get("Tenure", ""),
                "property_address": row.get("Property Address", ""),
                "district": row.get("District", ""),
                "county": row.get("County", ""),
                "region": row.get("Region", ""),
                "postcode": row.get("Postcode", "").upper(),
                "dataset": dataset,
            },
        )
        for column, key, convert in (
            ("Multiple Address Indicator", "multiple_address", _yes_no),
            ("Price Paid", "price_paid_pence", _pence),
            ("Date Proprietor Added", "date_proprietor_added", _date),
            ("Vacant Since", "vacant_since", _date),  # optional, ours: feeds the long-vacancy flag
            ("Additional Proprietor Indicator", "additional_proprietor", _yes_no),
        ):
            try:
                parsed.fields[key] = convert(row.get(column, ""))
            except ValueError as exc:
                errors.append(f"{where}, {column}: {exc}")
        long = too_long(Title, {"title_number": number} | parsed.fields, TITLE_COLUMNS)
        errors += [f"{where}, {problem}" for problem in long]
        if parsed.fields["tenure"] and parsed.fields["tenure"].lower() not in ("freehold", "leasehold"):
            errors.append(f"{where}, Tenure: '{parsed.fields['tenure']}' should be Freehold or Leasehold")
        for n in range(1, PROPRIETORS + 1):
            name = row.get(f"Proprietor Name ({n})", "")
            if not name:
                continue
            address = ", ".join(part for i in (1, 2, 3) if (part := row.get(f"Proprietor ({n}) Address ({i})", "")))
            parsed.proprietors.append(
                {
                    "position": n,
                    "name": name,
                    "company_number": row.get(f"Company Registration No. ({n})", "").upper(),
                    "category": row.get(f"Proprietorship Category ({n})", ""),
                    "country_incorporated": row.get(f"Country Incorporated ({n})", ""),
                    "address": address,
                }
            )
        for p in parsed.proprietors:
            names = {"name": f"Proprietor Name ({p['position']})", "company_number":
                     f"Company Registration No. ({p['position']})", "category":
                     f"Proprietorship Category ({p['position']})", "country_incorporated":
                     f"Country Incorporated ({p['position']})"}  # fmt: skip
            errors += [f"{where}, {problem}" for problem in too_long(Proprietor, {k: p[k] for k in names}, names)]
        if not parsed.proprietors:
            errors.append(f"{where}, Proprietor Name (1): empty (every title has at least one proprietor)")
        titles.append(parsed)
    if errors:
        raise OwnershipImportError(errors)
    if not titles:
        raise OwnershipImportError(["the file has a header but no rows"])
    return titles, dataset


def import_titles(lines: Iterable[str], actor=None, source: str = "") -> dict[str, int]:
    """Add or replace every title in the file, atomically; returns counts."""
    titles, dataset = parse(lines)
    created = updated = 0
    with transaction.atomic():
        for parsed in titles:
            title, was_created = Title.objects.update_or_create(title_number=parsed.number, defaults=parsed.fields)
            created += was_created
            updated += not was_created
            title.proprietors.all().delete()
            Proprietor.objects.bulk_create(Proprietor(title=title, **p) for p in parsed.proprietors)
        record(
            actor or "command line",
            "assets.ownership_import",
            object_type="assets.Title",
            object_label=source[:300],
            after={"created": created, "updated": updated, "dataset": dataset},
        )
    return {"created": created, "updated": updated, "titles": created + updated}


def search(query: str) -> QuerySet[Title]:
    """Titles by address or postcode, proprietor name, or company registration number."""
    query = " ".join(query.split())
    if not query:
        return Title.objects.none()
    compact = query.replace(" ", "").upper()
    return (
        Title.objects.filter(
            Q(property_address__icontains=query)
            | Q(postcode__iexact=query)
            | Q(postcode__iexact=f"{compact[:-3]} {compact[-3:]}")
            | Q(proprietors__name__icontains=query)
            | Q(proprietors__company_number__iexact=compact)
            | Q(title_number__iexact=compact)
        )
        .distinct()
        .prefetch_related("proprietors")
    )
