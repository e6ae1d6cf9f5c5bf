"""Read public spending in the formats bodies already publish. Pure: text in, rows or errors out.

Three formats:

- **Spending over £500** under the Local Government Transparency Code 2015 (Part 2): for each item the
  Code asks for the date, the department, the beneficiary, the purpose, the amount, irrecoverable VAT and
  the merchant category. Councils publish it as CSV with many header spellings (the LGA/CIPFA layout
  "Body Name, Body, Service Area Categorisation, Responsible Unit, Expenses Type, Date, Transaction
  Number, Amount, Supplier Name"; others say "Payment Date", "Supplier", "Beneficiary", "Net Amount"
  ...). HEADERS maps each spelling to one field.
- **360Giving** grants (schema 1.4): a JSON package `{"grants": [...]}` or the flattened spreadsheet
  columns ("Identifier", "Amount Awarded", "Beneficiary Location:Geographic Code" ...).
- **Service budgets** of other bodies: a plain CSV `body,service,area_code,year,amount`.

Payments to individuals are not published by name (the Code's data protection paragraphs; councils
write "REDACTED PERSONAL DATA"). A payee is redacted on reading when it carries a redaction marker,
when the file says the supplier is an individual, or when it starts with a personal title (Mr, Mrs, Ms,
Miss, Mx, Dr) and names no company (Ltd, plc, Trust ...): the name never leaves this module.

Every problem is reported as "line N, Field: what is wrong" (line 1 is the header; for JSON, "grant N")
and nothing is returned for storing unless every row is good.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

REDACTED = "REDACTED PERSONAL DATA"
MAX_ERRORS = 50

# Normalised header (lower case, letters and digits, single spaces) -> field.
HEADERS: dict[str, str] = {}
_ALIASES = {
    "body_name": ["body name", "organisation name", "organisation", "authority", "authority name", "council",
                  "department family", "local authority"],
    "body_code": ["body", "body code", "organisation code", "organisation uri", "organisation label"],
    "date": ["date", "payment date", "transaction date", "date paid", "paid date", "date of payment",
             "invoice payment date", "effective date", "posting date", "date incurred"],
    "expense_area": ["expense area", "service area categorisation", "service area", "service", "department",
                     "directorate", "service division categorisation", "service division", "responsible unit",
                     "cost centre description", "portfolio"],
    "expense_type": ["expense type", "expenses type", "expenditure type", "detailed expenses type",
                     "expense category", "merchant category", "procurement category", "expense description",
                     "account description", "category"],
    "amount": ["amount", "payment amount", "net amount", "amount gbp", "value", "total", "amount excluding vat",
               "amount excl vat", "net value", "line amount", "sumofamount exc vat", "transaction amount"],
    "supplier": ["supplier name", "supplier", "beneficiary", "beneficiary name", "payee", "payee name",
                 "vendor name", "vendor", "merchant name", "supplier beneficiary"],
    "supplier_type": ["supplier type", "payee type", "beneficiary type"],
    "transaction_number": ["transaction number", "transaction no", "transaction id", "transaction reference",
                           "transaction ref", "reference", "payment reference", "document number"],
    "purpose": ["purpose", "summary of purpose", "purpose of expenditure", "narrative", "description",
                "summary of the purpose of the expenditure", "details"],
    "irrecoverable_vat": ["irrecoverable vat", "vat that cannot be recovered", "non recoverable vat"],
}  # fmt: skip
for _field, _names in _ALIASES.items():
    for _name in _names:
        HEADERS[_name] = _field
REQUIRED = ("date", "amount", "supplier")
LABELS = {
    "body_name": "Body name", "body_code": "Body", "date": "Date", "expense_area": "Expense area",
    "expense_type": "Expense type", "amount": "Amount", "supplier": "Supplier name", "supplier_type": "Supplier type",
    "transaction_number": "Transaction number", "purpose": "Purpose", "irrecoverable_vat": "Irrecoverable VAT",
}  # fmt: skip
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%d-%b-%y",
                 "%d/%m/%y", "%Y/%m/%d")  # fmt: skip
_REDACTION = re.compile(r"redact|personal data|withheld|name removed|private individual|not disclosed", re.I)
_TITLE = re.compile(r"^(mr|mrs|ms|miss|mx|dr|master)\.?\s+\S", re.I)
_COMPANY = re.compile(
    r"\b(ltd|limited|plc|llp|cic|cio|inc|co|company|trust|council|society|association|group|"
    r"services|partnership|church|school|club)\b\.?",
    re.I,
)
_INDIVIDUAL_TYPES = {"individual", "person", "private individual", "individual person", "personal"}


class SpendFileError(ValueError):
    """The file cannot be read at all (wrong format, no header); row problems are listed in Parsed.errors."""


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    redacted: int = 0

    def add_error(self, line: int | str, label: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            where = f"line {line}" if isinstance(line, int) else line
            self.errors.append(f"{where}, {label}: {message}")


def normalise_header(text: str) -> str:
    text = text.replace("\ufeff", "").replace("£", " gbp ").lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def parse_date(text: str) -> dt.date:
    text = text.strip()
    candidates = [text, text.split("T")[0], text.split(" ")[0]]
    for candidate in candidates:
        for pattern in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(candidate, pattern).date()
            except ValueError:
                continue
    raise ValueError(f"{text!r} is not a date (write it as dd/mm/yyyy or yyyy-mm-dd)")


def parse_pence(text: str, allow_negative: bool = True) -> int:
    """An amount of money in pounds as published ("£1,234.50", "(120.00)", "-75", "99.9 CR") in pence."""
    raw = text.strip()
    cleaned = raw.replace("£", "").replace(",", "").replace(" ", "")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    if cleaned.upper().endswith("CR"):
        negative, cleaned = True, cleaned[:-2]
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not an amount of money") from None
    if not amount.is_finite():
        raise ValueError(f"{raw!r} is not an amount of money")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{raw!r} has more than two decimal places")
    if negative:
        amount = -amount
    if amount < 0 and not allow_negative:
        raise ValueError(f"{raw!r} is negative")
    return int(amount * 100)


def financial_year(day: dt.date) -> int:
    """The financial year (April to March) a date falls in, by its first year: 2025 for 2025-26."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def parse_year(text: str) -> int:
    """A financial year written 2025, 2025-26, 2025/26 or 2025-2026, as its first year."""
    match = re.fullmatch(r"\s*(\d{4})(?:\s*[-/]\s*(\d{2}|\d{4}))?\s*", text)
    if not match:
        raise ValueError(f"{text.strip()!r} is not a financial year (write 2025-26)")
    start = int(match.group(1))
    if match.group(2):
        end = int(match.group(2))
        if (end if end >= 100 else (start // 100) * 100 + end) != start + 1:
            raise ValueError(f"{text.strip()!r} is not one financial year (write 2025-26)")
    if not 1990 <= start <= 2100:
        raise ValueError(f"{text.strip()!r} is out of range")
    return start


def redact(name: str, supplier_type: str = "") -> tuple[str, bool]:
    """The payee as it may be stored and shown: (name, False), or (REDACTED, True) for a person."""
    name = " ".join(name.split())
    personal_title = _TITLE.match(name) and not _COMPANY.search(name)  # "Mrs Miggins Pies Ltd" is a company
    if _REDACTION.search(name) or supplier_type.strip().lower() in _INDIVIDUAL_TYPES or personal_title:
        return REDACTED, True
    return name, False


def _csv(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise SpendFileError("the file is empty") from None
    rows = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        rows.append((line, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header)}))
    return header, rows


def read_transparency(text: str) -> Parsed:
    """Spending over £500 in any common Transparency Code layout: one dict per payment."""
    header, rows = _csv(text)
    parsed = Parsed()
    columns: dict[str, str] = {}
    for name in header:
        key = HEADERS.get(normalise_header(name))
        if key and key not in columns:
            columns[key] = name
        elif name.strip():
            parsed.ignored_columns.append(name.strip())
    missing = [LABELS[f] for f in REQUIRED if f not in columns]
    if missing:
        raise SpendFileError(
            f"the header has no {', '.join(missing)} column: a Transparency Code file needs the date, the "
            f"amount and the supplier (beneficiary); its columns are {', '.join(h.strip() for h in header)}"
        )
    if "expense_area" not in columns and "expense_type" not in columns:
        raise SpendFileError("the header has no expense area (department or service) or expense type column")
    if not rows:
        raise SpendFileError("the file has a header but no payments")
    for line, row in rows:
        value = {key: row.get(name, "").strip() for key, name in columns.items()}
        good = True
        try:
            day = parse_date(value["date"])
        except ValueError as exc:
            parsed.add_error(line, LABELS["date"], str(exc) if value["date"] else "the date is empty")
            good = False
        try:
            pence = parse_pence(value["amount"])
        except ValueError as exc:
            parsed.add_error(line, LABELS["amount"], str(exc) if value["amount"] else "the amount is empty")
            good = False
        vat = 0
        if value.get("irrecoverable_vat"):
            try:
                vat = parse_pence(value["irrecoverable_vat"])
            except ValueError as exc:
                parsed.add_error(line, LABELS["irrecoverable_vat"], str(exc))
                good = False
        if not value["supplier"]:
            parsed.add_error(line, LABELS["supplier"], "the supplier (beneficiary) is empty: write REDACTED "
                             "PERSONAL DATA for a payment to an individual")  # fmt: skip
            good = False
        if not value.get("expense_area") and not value.get("expense_type"):
            parsed.add_error(line, LABELS["expense_area"], "neither the expense area nor the expense type is given")
            good = False
        if not good:
            continue
        supplier, was_redacted = redact(value["supplier"], value.get("supplier_type", ""))
        parsed.redacted += was_redacted
        parsed.rows.append({
            "line": line, "date": day, "financial_year": financial_year(day), "amount_pence": pence,
            "irrecoverable_vat_pence": vat, "supplier": supplier[:300], "supplier_redacted": was_redacted,
            "expense_area": value.get("expense_area", "")[:200] or value.get("expense_type", "")[:200],
            "expense_type": value.get("expense_type", "")[:200],
            "transaction_number": value.get("transaction_number", "")[:100],
            "purpose": "" if was_redacted else value.get("purpose", "")[:500],
            "body_name": value.get("body_name", "")[:200], "body_code": value.get("body_code", "")[:100],
        })  # fmt: skip
    return parsed


# 360Giving -------------------------------------------------------------------------------------

GEO_TYPES = {"WD": "ward", "LSOA": "lsoa", "LAD": "local_authority", "UA": "local_authority",
             "NMD": "local_authority", "MD": "local_authority", "LONB": "local_authority"}  # fmt: skip
_GRANT_COLUMNS = {
    "identifier": "id", "title": "title", "description": "description", "currency": "currency",
    "amount awarded": "amountAwarded", "award date": "awardDate", "recipient org name": "recipient",
    "recipient org identifier": "recipient_id", "recipient ind name": "recipient_individual",
    "recipient ind identifier": "recipient_individual_id", "funding org name": "funder",
    "funding org identifier": "funder_id",
}  # fmt: skip


def _grant(number: str, data: dict, parsed: Parsed) -> None:
    good = True
    identifier = str(data.get("id") or "").strip()
    if not identifier:
        parsed.add_error(number, "Identifier", "the grant has no identifier")
        good = False
    where = f"{number} ({identifier})" if identifier else number
    amount = data.get("amountAwarded")
    try:
        if isinstance(amount, float) and amount != amount:  # NaN
            raise ValueError
        pence = parse_pence(str(amount), allow_negative=False) if amount not in (None, "") else None
    except ValueError:
        pence = None
    if pence is None:
        parsed.add_error(where, "Amount Awarded", f"{amount!r} is not an amount of money")
        good = False
    currency = str(data.get("currency") or "GBP").strip().upper()
    if currency != "GBP":
        parsed.add_error(where, "Currency", f"only grants in GBP are read, not {currency}")
        good = False
    try:
        day = parse_date(str(data.get("awardDate") or ""))
    except ValueError:
        parsed.add_error(where, "Award Date", f"{data.get('awardDate')!r} is not a date (YYYY-MM-DD)")
        good = False
    funders = data.get("fundingOrganization") or []
    funder = funders[0] if isinstance(funders, list) and funders and isinstance(funders[0], dict) else {}
    if not funder.get("name"):
        parsed.add_error(where, "Funding Org:Name", "the funder's name is missing")
        good = False
    recipients = data.get("recipientOrganization") or []
    recipient = recipients[0] if isinstance(recipients, list) and recipients and isinstance(recipients[0], dict) else {}
    individual = data.get("recipientIndividual")
    if not recipient.get("name") and not individual:
        parsed.add_error(where, "Recipient Org:Name", "the recipient is missing")
        good = False
    locations = []
    for place in data.get("beneficiaryLocation") or []:
        if not isinstance(place, dict):
            continue
        code = str(place.get("geoCode") or "").strip().upper()
        kind = str(place.get("geoCodeType") or "").strip().upper()
        if code and kind in GEO_TYPES:
            locations.append({"code": code, "type": kind})
    if not good:
        return
    if individual:
        name, was_redacted = REDACTED, True
    else:
        name, was_redacted = redact(str(recipient["name"]))
    parsed.redacted += was_redacted
    parsed.rows.append({
        "line": number, "identifier": identifier[:200], "title": str(data.get("title") or "")[:300],
        "amount_pence": pence, "award_date": day, "financial_year": financial_year(day),
        "recipient": name[:300], "recipient_redacted": was_redacted,
        "funder_name": str(funder["name"])[:300], "funder_id": str(funder.get("id") or "")[:200],
        "locations": locations,
    })  # fmt: skip


def read_360giving(text: str) -> Parsed:
    """360Giving grants from a JSON package or the flattened CSV columns."""
    stripped = text.lstrip("\ufeff").lstrip()
    parsed = Parsed()
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise SpendFileError(f"the JSON cannot be read: {exc.msg} at line {exc.lineno}") from None
        grants = data.get("grants") if isinstance(data, dict) else data
        if not isinstance(grants, list) or not grants:
            raise SpendFileError('a 360Giving package needs a non-empty "grants" list')
        seen = set()
        for index, grant in enumerate(grants, start=1):
            if not isinstance(grant, dict):
                parsed.add_error(f"grant {index}", "grant", "is not an object")
                continue
            if grant.get("id") in seen:
                parsed.add_error(f"grant {index}", "Identifier", f"{grant.get('id')!r} appears twice")
                continue
            seen.add(grant.get("id"))
            _grant(f"grant {index}", grant, parsed)
        return parsed
    header, rows = _csv(text)
    columns = {}
    location_columns: dict[str, dict[str, str]] = {}
    for name in header:
        key = normalise_header(re.sub(r":\d+:", ":", name))
        if key in _GRANT_COLUMNS:
            columns[_GRANT_COLUMNS[key]] = name
        elif key.startswith("beneficiary location"):
            index = (re.search(r":(\d+):", name) or [None, "0"])[1]
            if key.endswith("geographic code type"):
                location_columns.setdefault(index, {})["type"] = name
            elif key.endswith("geographic code"):
                location_columns.setdefault(index, {})["code"] = name
    missing = [
        label
        for label, key in (
            ("Identifier", "id"),
            ("Amount Awarded", "amountAwarded"),
            ("Award Date", "awardDate"),
            ("Funding Org:Name", "funder"),
        )
        if key not in columns
    ]
    if missing:
        raise SpendFileError(f"the header has no {', '.join(missing)} column (360Giving spreadsheet titles)")
    seen = set()
    for line, row in rows:
        value = {key: row.get(name, "").strip() for key, name in columns.items()}
        if value["id"] in seen:
            parsed.add_error(line, "Identifier", f"{value['id']!r} appears twice")
            continue
        seen.add(value["id"])
        grant = {
            "id": value["id"],
            "title": value.get("title", ""),
            "currency": value.get("currency") or "GBP",
            "amountAwarded": value["amountAwarded"] or None,
            "awardDate": value["awardDate"],
            "fundingOrganization": [{"name": value["funder"], "id": value.get("funder_id", "")}],
            "recipientOrganization": [{"name": value.get("recipient", "")}] if value.get("recipient") else [],
            "recipientIndividual": {"name": "x"} if value.get("recipient_individual") else None,
            "beneficiaryLocation": [
                {"geoCode": row.get(c.get("code", ""), ""), "geoCodeType": row.get(c.get("type", ""), "")}
                for c in location_columns.values()
            ],
        }
        _grant(line, grant, parsed)
    return parsed


# Service budgets -------------------------------------------------------------------------------

_BUDGET_COLUMNS = {"body": "body", "organisation": "body", "service": "service", "area code": "area_code",
                   "area": "area_code", "gss code": "area_code", "year": "year", "financial year": "year",
                   "amount": "amount", "budget": "amount", "amount gbp": "amount"}  # fmt: skip
_BUDGET_LABELS = {"body": "body", "service": "service", "area_code": "area_code", "year": "year", "amount": "amount"}


def read_budgets(text: str) -> Parsed:
    """Other bodies' service budgets: body, service, area code, financial year, amount in pounds."""
    header, rows = _csv(text)
    parsed = Parsed()
    columns = {}
    for name in header:
        key = _BUDGET_COLUMNS.get(normalise_header(name))
        if key and key not in columns:
            columns[key] = name
    missing = [k for k in _BUDGET_LABELS if k not in columns]
    if missing:
        raise SpendFileError(
            f"the header has no {', '.join(missing)} column (needs body,service,area_code,year,amount)"
        )
    if not rows:
        raise SpendFileError("the file has a header but no budgets")
    for line, row in rows:
        value = {key: row.get(name, "").strip() for key, name in columns.items()}
        good = True
        for key in ("body", "service", "area_code"):
            if not value[key]:
                parsed.add_error(line, key, f"the {key.replace('_', ' ')} is empty")
                good = False
        try:
            year = parse_year(value["year"])
        except ValueError as exc:
            parsed.add_error(line, "year", str(exc))
            good = False
        try:
            pence = parse_pence(value["amount"], allow_negative=False)
        except ValueError as exc:
            parsed.add_error(line, "amount", str(exc) if value["amount"] else "the amount is empty")
            good = False
        if good:
            parsed.rows.append({"line": line, "body": value["body"][:200], "service": value["service"][:200],
                                "area_code": value["area_code"].upper()[:16], "financial_year": year,
                                "amount_pence": pence})  # fmt: skip
    return parsed
