"""The register in planning.data.gov.uk's national `asset-of-community-value` dataset format: export a
council's list, and load a council's published list and check its dates against our clocks.

Format (digital-land/specification, content/specification/asset-of-community-value.md; working draft): the
columns below in this order; dates ISO 8601 `YYYY-MM-DD` (on import also truncated `YYYY-MM` or `YYYY`, and
`YYYY-MM-DDThh:mm:ssZ` in UTC); `point` as WKT `POINT (longitude latitude)` in WGS84; `geometry` a WKT
(MULTI)POLYGON; `organisation` a CURIE such as `local-authority:CMD`.

Import is all or nothing: every row is checked first, and any error names its line and field. A row that
parses is stored (or, with check_only, only checked) and the report lists, per asset, each date that
disagrees with the clocks we compute (for example an expiry-date that is not 5 years from the
decision-date, Localism Act 2011 s.87(3)).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from commonground.assets import services
from commonground.assets.council_settings import CURIE
from commonground.assets.models import Asset, Council
from commonground.assets.services import AssetError, case_of
from commonground.audit.service import record
from commonground.engine import clocks
from commonground.engine.asset_case import STEPS, Case
from commonground.engine.asset_status import Status
from commonground.engine.steps import Refused

FIELDS = [
    "reference", "name", "address-text", "description", "point", "geometry", "organisation", "nomination-date",
    "nominating-group", "decision", "decision-date", "expiry-date", "notification-to-sell-date", "interested-group",
    "protected-period-start-date", "notes", "entry-date", "start-date", "end-date",
]  # fmt: skip
DATES = [
    "nomination-date", "decision-date", "expiry-date", "notification-to-sell-date", "protected-period-start-date",
    "entry-date", "start-date", "end-date",
]  # fmt: skip
DECISIONS = {"": None, "successful": True, "unsuccessful": False}
MAX_ERRORS_SHOWN = 20
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z)?)?)?$")
_POINT = re.compile(r"^POINT\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)$", re.IGNORECASE)
_POLYGON = re.compile(r"^(MULTI)?POLYGON\s*\(", re.IGNORECASE)


class RegisterImportError(Exception):
    def __init__(self, errors: list[str]) -> None:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f" (and {len(errors) - len(shown)} more)" if len(errors) > len(shown) else ""
        super().__init__("; ".join(shown) + more)
        self.errors = errors


@dataclass(frozen=True)
class PartialDate:
    """A date as published: possibly truncated to the month or year (ISO 8601; planning.data datetime)."""

    text: str
    year: int
    month: int | None = None
    day: int | None = None

    @property
    def full(self) -> dt.date | None:
        return dt.date(self.year, self.month, self.day) if self.day is not None else None


def parse_date(text: str) -> PartialDate | None:
    text = text.strip()
    if not text:
        return None
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    year, month, day = (int(g) if g else None for g in match.groups()[:3])
    try:
        dt.date(year, month or 1, day or 1)
        if match.group(4):
            dt.time(int(match.group(4)), int(match.group(5)), int(match.group(6)))
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None
    return PartialDate(text, year, month, day)


def parse_point(text: str) -> tuple[float, float] | None:
    """(latitude, longitude) from WKT `POINT (lon lat)` in WGS84."""
    text = text.strip()
    if not text:
        return None
    match = _POINT.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a WKT point like POINT (-0.1246 51.5007)")
    lon, lat = float(match.group(1)), float(match.group(2))
    if not (-9 <= lon <= 3 and 49 <= lat <= 61):
        raise ValueError(
            f"{text!r} is not in England as WGS84 longitude and latitude (British National Grid is not accepted)"
        )
    return lat, lon


@dataclass
class Row:
    line: int
    values: dict[str, str]
    dates: dict[str, PartialDate | None]
    listed: bool | None
    point: tuple[float, float] | None

    @property
    def reference(self) -> str:
        return self.values["reference"]

    def full(self, name: str) -> dt.date | None:
        value = self.dates.get(name)
        return value.full if value else None


def parse(lines: Iterable[str], council: Council) -> tuple[list[Row], str]:
    """Check every row; return the rows and the organisation they name, or raise with every problem."""
    reader = csv.DictReader(lines)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("reference", "name", "organisation") if c not in header]
    if missing:
        raise RegisterImportError([f"line 1: no column {', '.join(repr(c) for c in missing)} (expected the "
                                   "planning.data asset-of-community-value layout)"])  # fmt: skip
    unknown = [c for c in header if c and c not in FIELDS + ["entity", "prefix"]]
    if unknown:
        raise RegisterImportError([f"line 1: unknown column {', '.join(repr(c) for c in unknown)}"])
    reader.fieldnames = header
    errors: list[str] = []
    rows: list[Row] = []
    seen: dict[str, int] = {}
    organisation = council.organisation
    for line, raw in enumerate(reader, start=2):
        values = {name: (raw.get(name) or "").strip() for name in FIELDS}
        where = f"line {line}"
        if not values["reference"]:
            errors.append(f"{where}, reference: empty")
        elif values["reference"] in seen:
            errors.append(f"{where}, reference: {values['reference']} already on line {seen[values['reference']]}")
        else:
            seen[values["reference"]] = line
        if not values["name"]:
            errors.append(f"{where}, name: empty")
        if not CURIE.match(values["organisation"]):
            errors.append(f"{where}, organisation: {values['organisation']!r} is not a CURIE like local-authority:CMD")
        elif organisation and values["organisation"] != organisation:
            errors.append(f"{where}, organisation: {values['organisation']} is not {council.name} ({organisation})")
        else:
            organisation = values["organisation"]
        dates: dict[str, PartialDate | None] = {}
        for name in DATES:
            try:
                dates[name] = parse_date(values[name])
            except ValueError as exc:
                errors.append(f"{where}, {name}: {exc}")
        decision = values["decision"].lower()
        if decision not in DECISIONS:
            errors.append(f"{where}, decision: {values['decision']!r} should be successful, unsuccessful or empty")
        point = None
        try:
            point = parse_point(values["point"])
        except ValueError as exc:
            errors.append(f"{where}, point: {exc}")
        if values["geometry"] and not _POLYGON.match(values["geometry"]):
            errors.append(f"{where}, geometry: not a WKT POLYGON or MULTIPOLYGON")
        rows.append(Row(line, values, dates, DECISIONS.get(decision), point))
    if errors:
        raise RegisterImportError(errors)
    if not rows:
        raise RegisterImportError(["the file has a header but no rows"])
    return rows, organisation


# --- checking dates against our clocks ----------------------------------------------------------------------


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def check(row: Row, rules: clocks.RuleSet) -> list[str]:
    """Each published date that disagrees with the clocks we compute from the row's other dates."""
    found: list[str] = []
    for name in DATES:
        value = row.dates.get(name)
        if value is not None and value.full is None and name != "entry-date":
            found.append(f"{name} {value.text} is truncated: not checked against the clocks")
    nominated, decided = row.full("nomination-date"), row.full("decision-date")
    expiry, notice = row.full("expiry-date"), row.full("notification-to-sell-date")
    protected, start, end = row.full("protected-period-start-date"), row.full("start-date"), row.full("end-date")

    def clock(fn, begins):
        result = clocks.attempt(fn, begins, rules)
        if result.pending:
            found.append(f"{result.name} {result.length}: {fn.__name__.replace('_', ' ')} not checked")
            return None
        return result

    if nominated and decided:
        if decided < nominated:
            found.append(f"decision-date {_day(decided)} is before nomination-date {_day(nominated)}")
        elif (deadline := clock(clocks.nomination_decision, nominated)) and decided > deadline.last_day:
            found.append(f"decision-date {_day(decided)} is after the period for deciding (last day "
                         f"{_day(deadline.last_day)}; {deadline.citation})")  # fmt: skip
    if start and nominated and start != nominated:
        found.append(f"start-date {_day(start)} is not the nomination-date {_day(nominated)} (the specification's "
                     "start-date is the date the asset was nominated)")  # fmt: skip
    if row.listed is False and expiry:
        found.append(f"expiry-date {_day(expiry)} given for an unsuccessful nomination")
    listing = clock(clocks.listing, decided) if decided and row.listed is not False and expiry else None
    if listing and expiry not in (listing.last_day, listing.last_day + dt.timedelta(days=1)):
        found.append(f"expiry-date {_day(expiry)} disagrees with our clocks: the listing's last day is "
                     f"{_day(listing.last_day)} ({listing.length} beginning with decision-date {_day(decided)}; "
                     f"{listing.citation}; the day after, {_day(listing.last_day + dt.timedelta(days=1))}, is also "
                     "accepted)")  # fmt: skip
    if row.values["interested-group"] and not row.dates.get("notification-to-sell-date"):
        found.append("interested-group given without a notification-to-sell-date: a group may ask to bid only after "
                     "the owner's notice (Localism Act 2011 s.95(3))")  # fmt: skip
    if notice and decided and notice < decided:
        found.append(f"notification-to-sell-date {_day(notice)} is before the decision-date {_day(decided)}")
    if notice and protected and protected != notice:
        period = clocks.attempt(clocks.protected_period, notice, rules)
        found.append(f"protected-period-start-date {_day(protected)} disagrees with our clocks: the protected period "
                     f"begins with the day the council received the owner's notice, {_day(notice)} "
                     f"({period.citation})")  # fmt: skip
    if end and decided and end < decided:
        found.append(f"end-date {_day(end)} is before the decision-date {_day(decided)}")
    listing = listing or (clock(clocks.listing, decided) if decided and row.listed and end else None)
    if end and listing and end > listing.last_day + dt.timedelta(days=1):
        found.append(f"end-date {_day(end)} is after the listing's last day {_day(listing.last_day)} "
                     f"({listing.citation})")  # fmt: skip
    return found


def compare(row: Row, asset: Asset) -> list[str]:
    """Where the published row and our own case disagree (an asset already on our register)."""
    case = case_of(asset)
    found = []
    for name, ours in (("nomination-date", case.nominated_on), ("decision-date", case.decided_on),
                       ("notification-to-sell-date", case.disposal_notice_on)):  # fmt: skip
        theirs = row.full(name)
        if theirs and ours and theirs != ours:
            found.append(f"{name} {_day(theirs)} disagrees with our record ({_day(ours)})")
    return found


# --- import -------------------------------------------------------------------------------------------------


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    rows: int = 0
    findings: dict[str, list[str]] = field(default_factory=dict)  # reference: disagreements
    check_only: bool = False

    def lines(self) -> list[str]:
        out = [f"{reference}: {finding}" for reference, items in self.findings.items() for finding in items]
        verb = "Checked" if self.check_only else f"Loaded {self.created} new and updated {self.updated} of"
        disagreeing = sum(1 for items in self.findings.values() if items)
        return [*out, f"{verb} {self.rows} assets; {disagreeing} with dates that disagree with our clocks"]


def _published_steps(row: Row) -> list[tuple[str, dt.date, dict, str]]:
    """The engine steps that enter a published row's case (only from full dates)."""
    nominated, decided = row.full("nomination-date"), row.full("decision-date")
    notice = row.full("notification-to-sell-date")
    steps: list[tuple[str, dt.date, dict, str]] = []
    first = decided if row.listed is not None else nominated
    if first is None:
        return steps
    listed = row.listed if decided else None
    arguments = {"listed": listed, "nominated_on": nominated.isoformat() if nominated else None,
                 "group": row.values["nominating-group"][:200]}  # fmt: skip
    what = {None: "Nominated", True: "Listed", False: "Not listed"}[listed]
    steps.append(("enter_published", first, arguments, f"{what} (from the council's published list)"))
    if notice and row.listed:
        steps.append(("notify_disposal", notice, {}, "The owner notified the council of an intended disposal "
                                                       "(from the council's published list)"))  # fmt: skip
        if row.values["interested-group"]:
            steps.append(
                (
                    "register_interest",
                    notice,
                    {"group": row.values["interested-group"][:200]},
                    f"{row.values['interested-group'][:150]} asked to be "
                    "treated as a potential bidder (from the council's published list; date not published)",
                )
            )
    end = row.full("end-date")
    if end and row.listed:
        steps.append(("delist", end, {}, "Removed from the list (from the council's published list)"))
    return steps


def _arguments(arguments: dict) -> dict:
    converted = dict(arguments)
    if converted.get("nominated_on"):
        converted["nominated_on"] = dt.date.fromisoformat(converted["nominated_on"])
    return converted


def import_register(lines: Iterable[str], council: Council, actor=None, check_only: bool = False,
                    source: str = "") -> Report:  # fmt: skip
    """Load (or with check_only, only check) a council's published list; all rows or none."""
    rows, organisation = parse(lines, council)
    report = Report(rows=len(rows), check_only=check_only)
    existing = {a.reference: a for a in Asset.objects.filter(council=council).exclude(reference="")}
    for row in rows:
        asset = existing.get(row.reference)
        begun = next((d for d in (row.full("nomination-date"), row.full("decision-date")) if d), services.today())
        rules = clocks.ruleset(asset.ruleset) if asset else clocks.rules_for_new_case(council.ruleset, begun)
        findings = check(row, rules)
        if asset is not None and asset.events.exists():
            findings += compare(row, asset)
        report.findings[row.reference] = findings
    if check_only:
        return report
    with transaction.atomic():
        if organisation and not council.organisation:
            Council.objects.filter(pk=council.pk).update(organisation=organisation)
        for row in rows:
            _store(row, council, existing.get(row.reference), actor, report)
        record(actor or "command line", "assets.register_import", council, object_label=source[:300] or council.name,
               after={"created": report.created, "updated": report.updated, "rows": report.rows})  # fmt: skip
    return report


def _store(row: Row, council: Council, asset: Asset | None, actor, report: Report) -> None:
    values = row.values
    fields = {
        "name": values["name"][:200],
        "address": values["address-text"][:400] or values["name"][:400],
        "community_use": values["description"] or "(from the council's published list)",
        "geometry": values["geometry"],
    }
    if row.point:
        fields["latitude"], fields["longitude"] = row.point
    if asset is not None:
        for name, value in fields.items():
            setattr(asset, name, value)
        asset.save()
        report.updated += 1
        if asset.events.exists():
            return
    else:
        begun = next((d for d in (row.full("nomination-date"), row.full("decision-date")) if d), services.today())
        rules = clocks.rules_for_new_case(council.ruleset, begun)
        asset = Asset.objects.create(council=council, reference=values["reference"][:100], ruleset=rules.key, **fields)
        report.created += 1
    case = Case(rules=clocks.ruleset(asset.ruleset))
    for step, on, arguments, summary in _published_steps(row):
        if on > services.today():
            report.findings[row.reference].append(f"{step.replace('_', ' ')} on {on} is in the future: not entered")
            continue
        try:
            STEPS[step](case, on, **_arguments(arguments))
        except Refused as refused:
            report.findings[row.reference].append(f"{summary}: not entered: {refused}")
            continue
        user = actor if hasattr(actor, "pk") else None  # the command line has no account
        asset.events.create(step=step, on=on, arguments=arguments, summary=summary, actor=user)
    if case.status is not None:
        case.advance(services.today())
        asset.status = case.status.value
    elif row.listed is not None:
        asset.status = (Status.LISTED if row.listed else Status.NOT_LISTED).value
    asset.save(update_fields=["status"])


# --- export -------------------------------------------------------------------------------------------------


def export_rows(council: Council, on: dt.date | None = None) -> list[dict[str, str]]:
    """The council's register as planning.data rows (withdrawn nominations left out)."""
    on = on or services.today()
    rows = []
    assets = council.assets.exclude(status=Status.WITHDRAWN).prefetch_related("nominations", "bid_requests", "events")
    for asset in assets.order_by("id"):
        case = case_of(asset, on)
        listing = clocks.attempt(clocks.listing, case.listed_on, case.rules) if case.listed_on else None
        nomination = asset.nominations.order_by("-received_on", "-id").first()
        interest = asset.bid_requests.order_by("-received_on", "-id").first()
        published = {e.step: e.arguments.get("group", "") for e in asset.events.all()}  # entered from a list
        decided = case.decided_on
        decision = "" if decided is None else ("successful" if case.listed_on else "unsuccessful")
        ended = case.ended_on if case.status in (Status.DELISTED, Status.NOT_LISTED, Status.SOLD) else None
        if case.status is Status.DELISTED and ended is None and case.history:
            ended = case.history[-1][0]  # the listing ran out
        touched = max([asset.created_at, *(e.recorded_at for e in asset.events.all())])
        point = ""
        if asset.latitude is not None and asset.longitude is not None:
            point = f"POINT ({asset.longitude:.6f} {asset.latitude:.6f})"
        rows.append({
            "reference": asset.reference or str(asset.pk),
            "name": asset.name,
            "address-text": ", ".join(filter(None, [asset.address, asset.postcode])),
            "description": asset.community_use,
            "point": point,
            "geometry": asset.geometry,
            "organisation": council.organisation,
            "nomination-date": _day(case.nominated_on),
            "nominating-group": nomination.body_name if nomination else published.get("enter_published", ""),
            "decision": decision,
            "decision-date": _day(decided),
            "expiry-date": _day(listing.last_day) if listing is not None and listing.last_day else "",
            "notification-to-sell-date": _day(case.disposal_notice_on),
            "interested-group": (interest.body_name if interest else published.get("register_interest", ""))
            if case.bid_request_on
            else "",
            "protected-period-start-date": _day(case.disposal_notice_on),
            "notes": f"rule set {case.rules.key}; status {case.status.label.lower() if case.status else 'none'}",
            "entry-date": timezone.localdate(touched).isoformat(),
            "start-date": _day(case.nominated_on),
            "end-date": _day(ended),
        })  # fmt: skip
    return rows


def export_csv(council: Council, on: dt.date | None = None) -> str:
    if not council.organisation:
        raise AssetError(
            f"{council.name} has no planning.data organisation: set it with `commonground assets council "
            f"{council.name!r} --organisation local-authority:XXX` (planning.data's organisation list)"
        )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(export_rows(council, on))
    return buffer.getvalue()


def council_or_error(name: str) -> Council:
    council = Council.objects.filter(name__iexact=" ".join(name.split())).first()
    if council is None:
        raise AssetError(f"no council named {name!r}: create it with `commonground assets council NAME`")
    return council
