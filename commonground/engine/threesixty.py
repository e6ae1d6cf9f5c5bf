"""360Giving Data Standard (schema 1.4) records for Community Wealth Fund awards.

Pure: builds plain dicts from plain values; the fund app supplies them and writes the files.
Field names and the spreadsheet column titles follow the 360Giving standard's schema and its
"flattened" spreadsheet template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SCHEMA_VERSION = "1.4"


@dataclass(frozen=True)
class GrantRow:
    identifier: str
    title: str
    description: str
    amount_awarded: int | float  # pounds
    award_date: dt.date
    planned: dict  # startDate, endDate, duration (months)
    recipient_id: str
    recipient_name: str
    funder_id: str
    funder_name: str
    ward_code: str
    ward_name: str
    programme: str
    disbursements: Sequence[tuple[str, dt.date, int]] = ()  # (id, date, pounds), returns negative
    modified: dt.datetime | None = None
    url: str = ""


def grant(row: GrantRow) -> dict:
    record = {
        "id": row.identifier,
        "title": row.title[:140],
        "description": row.description,
        "currency": "GBP",
        "amountAwarded": row.amount_awarded,
        "awardDate": row.award_date.isoformat(),
        "plannedDates": [row.planned],
        "recipientOrganization": [{"id": row.recipient_id, "name": row.recipient_name}],
        "fundingOrganization": [{"id": row.funder_id, "name": row.funder_name}],
        "grantProgramme": [{"title": row.programme}],
        "fromOpenCall": "No",
    }
    if row.ward_code:  # GSS ward code with the 360Giving geoCodeType codelist value "WD" (ward)
        record["beneficiaryLocation"] = [
            {"name": row.ward_name, "geoCode": row.ward_code, "geoCodeType": "WD", "countryCode": "GB"}
        ]
    if row.url:
        record["url"] = row.url
    if row.disbursements:
        record["amountDisbursed"] = sum(p for _, _, p in row.disbursements)
        record["disbursementTransaction"] = [
            {"id": tid, "transactionDate": day.isoformat(), "currency": "GBP", "value": pounds}
            for tid, day, pounds in row.disbursements
        ]
    if row.modified is not None:
        record["dateModified"] = row.modified.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return record


def package(rows: Iterable[GrantRow], title: str, publisher: dict | None = None) -> dict:
    grants = [grant(r) for r in rows]
    if not grants:
        raise ValueError("a 360Giving package needs at least one grant: commit an allocation first")
    data = {"grants": grants, "version": SCHEMA_VERSION, "title": title}
    if publisher:
        data["publisher"] = publisher
    return data


# The 360Giving spreadsheet template's column titles, in its order.
CSV_COLUMNS = [
    ("Identifier", lambda g: g["id"]),
    ("Title", lambda g: g["title"]),
    ("Description", lambda g: g["description"]),
    ("Currency", lambda g: g["currency"]),
    ("Amount Awarded", lambda g: g["amountAwarded"]),
    ("Amount Disbursed", lambda g: g.get("amountDisbursed", "")),
    ("Award Date", lambda g: g["awardDate"]),
    ("Planned Dates:Start Date", lambda g: g["plannedDates"][0]["startDate"]),
    ("Planned Dates:End Date", lambda g: g["plannedDates"][0]["endDate"]),
    ("Planned Dates:Duration (months)", lambda g: g["plannedDates"][0]["duration"]),
    ("Recipient Org:Identifier", lambda g: g["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda g: g["recipientOrganization"][0]["name"]),
    ("Funding Org:Identifier", lambda g: g["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda g: g["fundingOrganization"][0]["name"]),
    ("Beneficiary Location:Name", lambda g: g.get("beneficiaryLocation", [{}])[0].get("name", "")),
    ("Beneficiary Location:Geographic Code", lambda g: g.get("beneficiaryLocation", [{}])[0].get("geoCode", "")),
    (
        "Beneficiary Location:Geographic Code Type",
        lambda g: g.get("beneficiaryLocation", [{}])[0].get("geoCodeType", ""),
    ),
    ("Grant Programme:Title", lambda g: g["grantProgramme"][0]["title"]),
    ("From An Open Call?", lambda g: g["fromOpenCall"]),
    ("Last Modified", lambda g: g.get("dateModified", "")),
]


def csv_rows(data: dict) -> list[list]:
    return [[title for title, _ in CSV_COLUMNS]] + [[get(g) for _, get in CSV_COLUMNS] for g in data["grants"]]
