"""Developer contributions in the national data standard, read and checked; spend-by clocks.

The three CSV files councils publish with their Infrastructure Funding Statement (CIL Regulations 2010
reg 121A and Schedule 2), in planning.data.gov.uk's developer-contributions specification
(digital-land/specification, content/specification/developer-contributions.md):

- developer-agreement: reference, name, developer-agreement-type, planning-application, document-url,
  notes, organisation, entry-date, start-date, end-date
- developer-agreement-contribution: reference, developer-agreement, contribution-purpose, amount, units,
  notes, organisation, entry-date, start-date, end-date
- developer-agreement-transaction: reference, developer-agreement-contribution,
  contribution-funding-status, amount, units, notes, organisation, entry-date, start-date, end-date

Older files name each file's key after the dataset (developer-agreement, developer-agreement-contribution,
developer-agreement-transaction) instead of `reference`; both are read. A transaction's start-date is the
day of its event (secured, received, allocated, spent). Common Ground reads a few columns the standard does
not have, which councils may add (docs/money.md): `site-address` and `ward` (a GSS ward code) on agreements
and contributions, `trigger` and `spend-by-date` on contributions, and the funding status `returned`.

Pure: text in, records or every error (file, line, field, value) out; nothing is half read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

AGREEMENT = "developer-agreement"
CONTRIBUTION = "developer-agreement-contribution"
TRANSACTION = "developer-agreement-transaction"
FIELDS = {
    AGREEMENT: ["reference", "name", "developer-agreement-type", "planning-application", "document-url", "notes",
                "organisation", "entry-date", "start-date", "end-date"],
    CONTRIBUTION: ["reference", "developer-agreement", "contribution-purpose", "amount", "units", "notes",
                   "organisation", "entry-date", "start-date", "end-date"],
    TRANSACTION: ["reference", "developer-agreement-contribution", "contribution-funding-status", "amount", "units",
                  "notes", "organisation", "entry-date", "start-date", "end-date"],
}  # fmt: skip
EXTRA = {  # Common Ground's additions (not in the national standard)
    AGREEMENT: ["site-address", "ward"],
    CONTRIBUTION: ["site-address", "ward", "trigger", "spend-by-date"],
    TRANSACTION: [],
}
LEGACY_KEY = {AGREEMENT: AGREEMENT, CONTRIBUTION: CONTRIBUTION, TRANSACTION: TRANSACTION}
REQUIRED = {
    AGREEMENT: ["reference", "developer-agreement-type"],
    CONTRIBUTION: ["reference", "developer-agreement", "contribution-purpose"],
    TRANSACTION: ["reference", "developer-agreement-contribution", "contribution-funding-status", "start-date"],
}
# Codelists: the values confirmed in planning.data.gov.uk's normalisation patches (research notes, section 3).
AGREEMENT_TYPES = ("section-106", "community-infrastructure-levy", "deed-of-variation")
FUNDING_STATUSES = ("secured", "received", "allocated", "spent", "returned")  # returned: Common Ground's addition
CIL = "community-infrastructure-levy"
SECTION_106 = "section-106"
MAX_ERRORS = 50
_PURPOSE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_WARD = re.compile(r"^[EWSNX]05\d{6}$")
_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


@dataclass(frozen=True)
class RowError:
    file: str
    line: int  # 1 is the header
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" + (f", field {self.field}" if self.field else "")
        shown = f"{self.value!r} " if self.value else ""
        return f"{where}: {shown}{self.message}"


class ContributionsError(ValueError):
    """The files cannot be imported; `errors` names every problem found (file, line, field, value)."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{errors[0]}{more}")


@dataclass(frozen=True)
class Agreement:
    reference: str
    name: str
    kind: str
    planning_application: str
    document_url: str
    notes: str
    organisation: str
    entry_date: dt.date | None
    start_date: dt.date | None
    end_date: dt.date | None
    site_address: str = ""
    ward: str = ""
    line: int = 0


@dataclass(frozen=True)
class Contribution:
    reference: str
    agreement: str
    purpose: str
    amount_pence: int | None
    units: int | None
    notes: str
    organisation: str
    entry_date: dt.date | None
    start_date: dt.date | None
    end_date: dt.date | None
    site_address: str = ""
    ward: str = ""
    trigger: str = ""
    spend_by: dt.date | None = None
    line: int = 0


@dataclass(frozen=True)
class Transaction:
    reference: str
    contribution: str
    status: str
    amount_pence: int | None
    units: int | None
    notes: str
    organisation: str
    on: dt.date
    entry_date: dt.date | None
    line: int = 0


@dataclass
class Parsed:
    agreements: list[Agreement] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Reader:
    """Reads one file's rows, collecting errors instead of stopping at the first."""

    def __init__(self, dataset: str, name: str, text: str, errors: list[RowError], warnings: list[str]):
        self.dataset, self.name, self.errors, self.warnings = dataset, name, errors, warnings
        self.text = text.lstrip("\ufeff")
        self.line = 1

    def fail(self, column: str, value: str, message: str) -> None:
        self.errors.append(RowError(self.name, self.line, column, value, message))

    def rows(self) -> Iterable[dict[str, str]]:
        reader = csv.reader(io.StringIO(self.text, newline=""))
        try:
            header = next(reader)
        except StopIteration:
            self.fail("", "", "the file is empty: it needs a header row naming the columns")
            return
        except csv.Error as exc:
            self.fail("", "", f"is not CSV: {exc}")
            return
        columns = [c.strip().lower().replace("_", "-").replace(" ", "-") for c in header]
        key = LEGACY_KEY[self.dataset]
        if "reference" not in columns and key in columns:
            columns[columns.index(key)] = "reference"  # an older file: the key column is named after the dataset
        known = set(FIELDS[self.dataset]) | set(EXTRA[self.dataset])
        unknown = [c for c in columns if c and c not in known]
        if unknown:
            self.warnings.append(f"{self.name}: columns not read: {', '.join(unknown)}")
        missing = [c for c in REQUIRED[self.dataset] if c not in columns]
        for column in missing:
            self.fail(column, "", f"the column {column} is missing (the header has: {', '.join(columns)})")
        if missing:
            return
        try:
            for number, row in enumerate(reader, start=2):
                self.line = number
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(columns):
                    self.fail("", "", f"has {len(row)} fields; the header has {len(columns)}")
                    continue
                yield {c: v.strip() for c, v in zip(columns, row, strict=True)}
        except csv.Error as exc:
            self.fail("", "", f"is not CSV: {exc}")

    def text_of(self, row: dict[str, str], column: str, required: bool = False, limit: int = 500) -> str:
        value = row.get(column, "")
        if required and not value:
            self.fail(column, "", "is empty; it is needed")
        if len(value) > limit:
            self.fail(column, value[:40] + "…", f"is longer than {limit} characters")
        return value[:limit]

    def date(self, row: dict[str, str], column: str, required: bool = False) -> dt.date | None:
        value = row.get(column, "")
        if not value:
            if required:
                self.fail(column, "", "is empty: give the date as year-month-day, like 2025-06-30")
            return None
        found = re.match(r"^(\d{4}-\d{2}-\d{2})(T[0-9:.]+(Z|[+-][0-9:]+)?)?$", value)
        try:
            if found:
                return dt.date.fromisoformat(found.group(1))
        except ValueError:
            pass
        self.fail(column, value, "is not a date: write it as year-month-day (ISO 8601), like 2025-06-30")
        return None

    def amount(self, row: dict[str, str], column: str = "amount") -> int | None:
        value = row.get(column, "")
        if not value:
            return None
        if not _AMOUNT.match(value):
            try:
                Decimal(value)
                why = "is not an amount in pounds of 0 or more with at most 2 decimal places, like 1200.50"
            except InvalidOperation:
                why = "is not an amount: write pounds without £ or commas, like 1200.50"
            self.fail(column, value, why)
            return None
        return int(Decimal(value) * 100)

    def units(self, row: dict[str, str]) -> int | None:
        value = row.get("units", "")
        if not value:
            return None
        if not value.isdigit():
            self.fail("units", value, "is not a whole number of 0 or more (units are homes, places and the like)")
            return None
        return int(value)

    def choice(self, row: dict[str, str], column: str, allowed: tuple[str, ...]) -> str:
        value = row.get(column, "").strip().lower()
        if value not in allowed:
            self.fail(column, row.get(column, ""), f"is not one of {', '.join(allowed)}")
        return value

    def ward(self, row: dict[str, str]) -> str:
        value = row.get("ward", "").upper()
        if value and not _WARD.match(value):
            self.fail("ward", row.get("ward", ""), "is not a ward's GSS code, like E05011232")
        return value

    def site(self, row: dict[str, str]) -> dict:
        """The columns agreements and contributions share: notes, who entered it, dates and the site."""
        return {
            "notes": self.text_of(row, "notes", limit=2000),
            "organisation": self.text_of(row, "organisation", limit=100),
            "entry_date": self.date(row, "entry-date"), "start_date": self.date(row, "start-date"),
            "end_date": self.date(row, "end-date"), "site_address": self.text_of(row, "site-address", limit=300),
            "ward": self.ward(row),
        }  # fmt: skip


def parse(
    agreements: tuple[str, str],
    contributions: tuple[str, str],
    transactions: tuple[str, str],
    known_agreements: Iterable[str] = (),
    known_contributions: Iterable[str] = (),
) -> Parsed:
    """Read the three files, each (file name, text); references may point at rows stored before
    (`known_*`). Raises ContributionsError listing every problem (up to MAX_ERRORS) if any is found."""
    errors: list[RowError] = []
    parsed = Parsed()
    seen: dict[str, dict[str, int]] = {AGREEMENT: {}, CONTRIBUTION: {}, TRANSACTION: {}}

    def once(reader: _Reader, reference: str) -> bool:
        earlier = seen[reader.dataset].get(reference)
        if earlier is not None:
            reader.fail("reference", reference, f"is given twice (first on line {earlier})")
            return False
        seen[reader.dataset][reference] = reader.line
        return True

    reader = _Reader(AGREEMENT, agreements[0], agreements[1], errors, parsed.warnings)
    for row in reader.rows():
        reference = reader.text_of(row, "reference", required=True, limit=100)
        kind = reader.choice(row, "developer-agreement-type", AGREEMENT_TYPES)
        record = Agreement(
            reference=reference, name=reader.text_of(row, "name", limit=300), kind=kind,
            planning_application=reader.text_of(row, "planning-application", limit=100),
            document_url=_url(reader, row, "document-url"), **reader.site(row), line=reader.line,
        )  # fmt: skip
        if reference and once(reader, reference):
            parsed.agreements.append(record)

    agreement_refs = set(seen[AGREEMENT]) | set(known_agreements)
    reader = _Reader(CONTRIBUTION, contributions[0], contributions[1], errors, parsed.warnings)
    for row in reader.rows():
        before = len(errors)
        reference = reader.text_of(row, "reference", required=True, limit=100)
        agreement = reader.text_of(row, "developer-agreement", required=True, limit=100)
        if agreement and agreement not in agreement_refs:
            reader.fail("developer-agreement", agreement, f"names no agreement in {agreements[0]} or stored before")
        purpose = row.get("contribution-purpose", "").strip().lower()
        if not purpose or not _PURPOSE.match(purpose):
            why = "is not a purpose from the contribution-purpose list, like open-space or education"
            reader.fail("contribution-purpose", row.get("contribution-purpose", ""), why)
        amount, units = reader.amount(row), reader.units(row)
        if amount is None and units is None and len(errors) == before:
            reader.fail("amount", "", "and units are both empty: give the money (amount) or the units secured")
        record = Contribution(
            reference=reference, agreement=agreement, purpose=purpose, amount_pence=amount, units=units,
            **reader.site(row), trigger=reader.text_of(row, "trigger", limit=300),
            spend_by=reader.date(row, "spend-by-date"), line=reader.line,
        )  # fmt: skip
        if reference and once(reader, reference):
            parsed.contributions.append(record)

    contribution_refs = set(seen[CONTRIBUTION]) | set(known_contributions)
    reader = _Reader(TRANSACTION, transactions[0], transactions[1], errors, parsed.warnings)
    for row in reader.rows():
        before = len(errors)
        reference = reader.text_of(row, "reference", required=True, limit=100)
        contribution = reader.text_of(row, "developer-agreement-contribution", required=True, limit=100)
        if contribution and contribution not in contribution_refs:
            reader.fail("developer-agreement-contribution", contribution,
                        f"names no contribution in {contributions[0]} or stored before")  # fmt: skip
        status = reader.choice(row, "contribution-funding-status", FUNDING_STATUSES)
        amount, units = reader.amount(row), reader.units(row)
        if amount is None and units is None and len(errors) == before:
            reader.fail("amount", "", "and units are both empty: give the money (amount) or the units")
        on = reader.date(row, "start-date", required=True)
        if reference and once(reader, reference) and on is not None:
            parsed.transactions.append(
                Transaction(
                    reference=reference,
                    contribution=contribution,
                    status=status,
                    amount_pence=amount,
                    units=units,
                    notes=reader.text_of(row, "notes", limit=2000),
                    organisation=reader.text_of(row, "organisation", limit=100),
                    on=on,
                    entry_date=reader.date(row, "entry-date"),
                    line=reader.line,
                )  # fmt: skip
            )
    if errors:
        raise ContributionsError(errors[:MAX_ERRORS])
    return parsed


def _url(reader: _Reader, row: dict[str, str], column: str) -> str:
    value = reader.text_of(row, column, limit=500)
    if value and not re.match(r"^https?://\S+$", value):
        reader.fail(column, value, "is not a web address starting http:// or https://")
        return ""
    return value


# Spend-by clocks ------------------------------------------------------------------------------------------
# Section 106 money has no statutory spend-by period: a deadline, and the duty to repay the developer when it
# passes, come from each agreement's own words (research notes, section 2). The clock runs to the date the
# council records from the agreement; reminders fall 12, 6, 3 and 1 months before it and on the day.

REMINDER_MONTHS = (12, 6, 3, 1)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier, or the month's last day where it has no such day (31 March -> 28 February)."""
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def reminders(deadline: dt.date) -> list[tuple[dt.date, str]]:
    """(day, what it says) of each reminder before a spend-by date, earliest first."""
    found = [(months_before(deadline, m), f"{m} month{'s' if m > 1 else ''} before the spend-by date")
             for m in REMINDER_MONTHS]  # fmt: skip
    return [*found, (deadline, "the spend-by date")]


@dataclass(frozen=True)
class Clock:
    deadline: dt.date
    days_left: int
    state: str  # spent, on-track, due-within-a-year, due-within-6-months, due-within-3-months, passed
    unspent_pence: int
    next_reminder: dt.date | None

    @property
    def plain(self) -> str:
        money = f"£{self.unspent_pence // 100:,}" + (
            f".{self.unspent_pence % 100:02d}" if self.unspent_pence % 100 else ""
        )
        if self.state == "spent":
            return f"Spent or committed: nothing is left to return by {self.deadline:%-d %B %Y}."
        if self.state == "passed":
            return (f"The spend-by date, {self.deadline:%-d %B %Y}, passed {-self.days_left} days ago with {money} "
                    "unspent: the agreement may require it to be repaid to the developer.")  # fmt: skip
        return (f"{money} must be spent by {self.deadline:%-d %B %Y} ({self.days_left} days), or the agreement may "
                "require it to be repaid to the developer.")  # fmt: skip


def clock(deadline: dt.date, today: dt.date, unspent_pence: int) -> Clock:
    days = (deadline - today).days
    if unspent_pence <= 0:
        state = "spent"
    elif days < 0:
        state = "passed"
    elif today >= months_before(deadline, 3):
        state = "due-within-3-months"
    elif today >= months_before(deadline, 6):
        state = "due-within-6-months"
    elif today >= months_before(deadline, 12):
        state = "due-within-a-year"
    else:
        state = "on-track"
    upcoming = [day for day, _ in reminders(deadline) if day >= today]
    return Clock(deadline, days, state, max(unspent_pence, 0), upcoming[0] if upcoming and unspent_pence > 0 else None)


def unspent(amounts: Iterable[tuple[str, int]]) -> int:
    """Money received and not yet spent or returned, from (status, pence) transactions. Allocated money is
    still unspent: a spend-by clause is met by spending (some say "or committing": read the agreement)."""
    received = spent = 0
    for status, pence in amounts:
        if status == "received":
            received += pence
        elif status in ("spent", "returned"):
            spent += pence
    return received - spent
