"""Developer contributions: import a council's files in the national standard (all or nothing, audited),
the spend-by clocks of Section 106 money and their reminders, the neighbourhood portion of CIL per zone,
and pots made from either."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.models import User
from commonground.accounts.roles import Capability, roles_allowed
from commonground.accounts.scopes import Scope
from commonground.audit.service import record as audit
from commonground.contributions.models import Agreement, CilZone, Contribution, Import, Reminder, Transaction
from commonground.engine import cil
from commonground.engine import contributions as standard
from commonground.notify import services as notify
from commonground.places.models import Area, AreaType
from commonground.pots import services as pots


class ContributionsError(ValueError):
    """Something that cannot be done; `errors` lists every problem in imported files (file, line, field)."""

    def __init__(self, message: str, field: str | None = None, errors: list | None = None):
        super().__init__(message)
        self.field = field
        self.errors = errors or []


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def council_scope(council: Area) -> Scope:
    return Scope.of([council.code])


def councils() -> list[Area]:
    """Councils with imported contributions."""
    ids = Agreement.objects.values_list("council_id", flat=True).distinct()
    return list(Area.objects.filter(pk__in=ids).order_by("name"))


def find_council(code: str) -> Area | None:
    return (
        Area.objects.filter(code=(code or "").strip().upper()[:16], area_type__level=AreaType.Level.LOCAL_AUTHORITY)
        .order_by("area_type_id")
        .first()
    )


# Import -----------------------------------------------------------------------------------------------------


def _text(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContributionsError(
            f"{name}: byte {exc.start + 1} is not UTF-8 text: save the file as CSV UTF-8 and try again", "files"
        ) from None


@transaction.atomic
def import_files(
    actor,
    council: Area,
    agreements: tuple[str, bytes],
    contributions: tuple[str, bytes],
    transactions: tuple[str, bytes],
) -> Import:
    """Read the three files and store them, adding new rows and updating those with the same reference; all
    of it or nothing (one transaction). Raises ContributionsError naming every bad row's file, line, field."""
    files = {"agreements": agreements, "contributions": contributions, "transactions": transactions}
    texts = {key: (name, _text(name, data)) for key, (name, data) in files.items()}
    known_agreements = set(Agreement.objects.filter(council=council).values_list("reference", flat=True))
    known_contributions = set(Contribution.objects.filter(council=council).values_list("reference", flat=True))
    try:
        parsed = standard.parse(**texts, known_agreements=known_agreements, known_contributions=known_contributions)
    except standard.ContributionsError as exc:
        raise ContributionsError(str(exc), "files", [str(e) for e in exc.errors]) from None
    done = Import.objects.create(
        council=council,
        files={name: hashlib.sha256(data).hexdigest() for name, data in files.values()},
        warnings=parsed.warnings,
        imported_by=_user(actor),
    )
    counts = defaultdict(int)
    by_agreement = {}
    for a in parsed.agreements:
        fields = dict(
            name=a.name,
            kind=a.kind,
            planning_application=a.planning_application,
            document_url=a.document_url,
            notes=a.notes,
            organisation=a.organisation,
            entry_date=a.entry_date,
            start_date=a.start_date,
            end_date=a.end_date,
            site_address=a.site_address,
            ward_code=a.ward,
            last_import=done,
        )
        row, made = Agreement.objects.update_or_create(council=council, reference=a.reference, defaults=fields)
        counts["agreements_added" if made else "agreements_updated"] += 1
        by_agreement[a.reference] = row
    missing = {c.agreement for c in parsed.contributions} - set(by_agreement)
    by_agreement |= {a.reference: a for a in Agreement.objects.filter(council=council, reference__in=missing)}
    by_contribution = {}
    for c in parsed.contributions:
        fields = dict(
            agreement=by_agreement[c.agreement],
            purpose=c.purpose,
            amount_pence=c.amount_pence,
            units=c.units,
            notes=c.notes,
            organisation=c.organisation,
            entry_date=c.entry_date,
            start_date=c.start_date,
            end_date=c.end_date,
            site_address=c.site_address,
            ward_code=c.ward,
            trigger=c.trigger,
            spend_by=c.spend_by,
            last_import=done,
        )
        row, made = Contribution.objects.update_or_create(council=council, reference=c.reference, defaults=fields)
        counts["contributions_added" if made else "contributions_updated"] += 1
        by_contribution[c.reference] = row
    missing = {t.contribution for t in parsed.transactions} - set(by_contribution)
    by_contribution |= {c.reference: c for c in Contribution.objects.filter(council=council, reference__in=missing)}
    for t in parsed.transactions:
        fields = dict(
            contribution=by_contribution[t.contribution],
            status=t.status,
            amount_pence=t.amount_pence,
            units=t.units,
            notes=t.notes,
            organisation=t.organisation,
            on=t.on,
            entry_date=t.entry_date,
            last_import=done,
        )
        _, made = Transaction.objects.update_or_create(council=council, reference=t.reference, defaults=fields)
        counts["transactions_added" if made else "transactions_updated"] += 1
    counts["reminders"] = refresh_reminders(council)
    counts["notices_queued"] = schedule_notices(council)
    done.counts = dict(counts)
    done.save(update_fields=["counts"])
    audit(actor, "contributions.import", done, after={"council": council.code, "files": done.files, **done.counts})
    return done


def refresh_reminders(council: Area) -> int:
    """Reminders for every Section 106 contribution with a spend-by date: made for a new or changed date,
    unsent ones for an old date removed. Returns how many reminders are waiting to be sent."""
    for c in Contribution.objects.filter(council=council, spend_by__isnull=False, agreement__kind=Agreement.Kind.S106):
        Reminder.objects.filter(contribution=c, sent_at__isnull=True).exclude(deadline=c.spend_by).delete()
        for day, what in standard.reminders(c.spend_by):
            Reminder.objects.get_or_create(contribution=c, deadline=c.spend_by, due_on=day, defaults={"what": what})
    Reminder.objects.filter(
        contribution__council=council, sent_at__isnull=True, contribution__spend_by__isnull=True
    ).delete()
    return Reminder.objects.filter(contribution__council=council, sent_at__isnull=True).count()


# Spend-by clocks --------------------------------------------------------------------------------------------


def unspent_pence(contribution: Contribution) -> int:
    return standard.unspent((t.status, t.amount_pence or 0) for t in contribution.transactions.all())


def clocks(council: Area, today: dt.date | None = None) -> list[dict]:
    """Section 106 money with a spend-by date, soonest first: the clock, the next reminder, the agreement."""
    today = today or timezone.localdate()
    found = (
        Contribution.objects.filter(council=council, spend_by__isnull=False, agreement__kind=Agreement.Kind.S106)
        .select_related("agreement")
        .prefetch_related("transactions", "reminders")
        .order_by("spend_by", "reference")
    )
    rows = []
    for c in found:
        clock = standard.clock(c.spend_by, today, unspent_pence(c))
        sent = [r for r in c.reminders.all() if r.sent_at is not None and r.deadline == c.spend_by]
        rows.append(
            {
                "contribution": c,
                "agreement": c.agreement,
                "clock": clock,
                "last_reminded": max((r.sent_at for r in sent), default=None),
            }
        )
    return rows


def due_reminders(today: dt.date, council: Area | None = None) -> list[Reminder]:
    """Reminders due by `today` and not yet sent, for money still unspent (spent money needs none)."""
    found = Reminder.objects.filter(sent_at__isnull=True, due_on__lte=today).select_related(
        "contribution__agreement", "contribution__council"
    )
    if council is not None:
        found = found.filter(contribution__council=council)
    return [
        r
        for r in found.order_by("due_on", "id")
        if r.deadline == r.contribution.spend_by and unspent_pence(r.contribution) > 0
    ]


@transaction.atomic
def mark_sent(actor, reminders: list[Reminder]) -> int:
    """Record that these reminders went out (each once: a reminder already marked is left alone)."""
    now = timezone.now()
    marked = 0
    for reminder in reminders:
        if Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=now):
            marked += 1
            audit(
                actor,
                "contributions.reminder",
                reminder.contribution,
                after={"deadline": reminder.deadline, "due_on": reminder.due_on, "what": reminder.what},
            )
    return marked


REMIND_HOUR = 9  # local time a reminder goes out on its day
NOTICE = "contributions.spend_by"


def officers(council: Area) -> list[User]:
    """Who is told: the people who run processes for this council (their role held for it)."""
    roles = [r.value for r in roles_allowed(Capability.RUN_PROCESSES)]
    return list(
        User.objects.filter(is_active=True, role_grants__role__in=roles, role_grants__scope=f"council:{council.code}")
        .distinct()
        .order_by("pk")
    )


def schedule_notices(council: Area | None = None, today: dt.date | None = None) -> int:
    """Put each spend-by reminder in the notify outbox for the council's officers, due at 9:00 on its day
    (one already past goes now, if it is the latest and the date itself has not passed); cancel the queued
    ones a later import made moot (money spent, a date changed). Each is made once. Returns how many
    were newly queued."""
    today = today or timezone.localdate()
    found = Contribution.objects.filter(agreement__kind=Agreement.Kind.S106).select_related("agreement", "council")
    if council is not None:
        found = found.filter(council=council)
    made = 0
    for c in found.prefetch_related("transactions", "reminders"):
        keep: list[str] = []
        left = unspent_pence(c)
        if c.spend_by is not None and left > 0 and c.spend_by >= today:
            due = [r for r in c.reminders.all() if r.deadline == c.spend_by and r.sent_at is None]
            past = [r for r in due if r.due_on < today]
            chosen = [r for r in due if r.due_on >= today] + ([max(past, key=lambda r: r.due_on)] if past else [])
            clock = standard.clock(c.spend_by, today, left)
            url = reverse("contributions:agreement", args=[c.council.code, c.agreement.reference])
            for reminder in chosen:
                when = max(
                    timezone.make_aware(dt.datetime.combine(reminder.due_on, dt.time(REMIND_HOUR))), notify.now()
                )
                for officer in officers(c.council):
                    key = f"{NOTICE}:{c.pk}:{c.spend_by.isoformat()}:{reminder.due_on.isoformat()}:{officer.pk}"
                    keep.append(key)
                    notice = notify.schedule(
                        when,
                        subject=f"Section 106 money to spend by {c.spend_by:%-d %B %Y}: {c.reference} ({c.purpose})",
                        body="\n".join(
                            [
                                f"{c.agreement} ({c.agreement.reference}), contribution {c.reference}: {c.purpose}.",
                                "",
                                f"Reminder: {reminder.what}.",
                                standard.clock(c.spend_by, reminder.due_on, left).plain,
                                "No law sets this date: it is the agreement's own. Read the agreement for what counts "
                                "as spent (some say spent or committed) and how repayment works.",
                                "",
                                f"Today's position: {clock.plain}",
                                f"Details: {url}",
                            ]
                        ),
                        template=NOTICE,
                        email=officer.email,
                        name=officer.full_name,
                        role="council officer",
                        about=c,
                        label=f"{c.reference} ({c.purpose})",
                        scope=council_scope(c.council),
                        dedupe_key=key,
                    )
                    made += notice.made
        notify.cancel(c, NOTICE, keep=keep)
    return made


def daily(today: dt.date | None = None) -> int:
    """The worker's daily round: queue reminders (for officers added since, too), then count the ones whose
    day has come as sent. Returns how many notices were newly queued."""
    today = today or timezone.localdate()
    made = schedule_notices(today=today)
    mark_sent("commonground worker", due_reminders(today))
    return made


# Yearly figures (Infrastructure Funding Statement style) ---------------------------------------------------


def year_totals(council: Area) -> list[dict]:
    """Per financial year and kind of agreement: money secured, received, allocated, spent and returned."""
    totals: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for t in Transaction.objects.filter(council=council).select_related("contribution__agreement"):
        totals[(cil.financial_year(t.on), t.contribution.agreement.kind)][t.status] += t.amount_pence or 0
    kinds = dict(Agreement.Kind.choices)
    return [
        {"year": year, "label": cil.year_label(year), "kind": kinds.get(kind, kind), **dict(values)}
        for (year, kind), values in sorted(totals.items(), reverse=True)
    ]


# Neighbourhood CIL zones -----------------------------------------------------------------------------------


@transaction.atomic
def create_zone(
    actor,
    council: Area,
    *,
    name: str,
    wards: list[str],
    neighbourhood=None,
    local_council: bool = False,
    local_council_name: str = "",
    dwellings: int | None = None,
    plan_made_on: dt.date | None = None,
    index_factor: Decimal = Decimal(1),
    cap_year: str = "receipt",
    local_rate_percent: Decimal | None = None,
) -> CilZone:
    name = name.strip()
    if not name:
        raise ContributionsError("Name the zone", "name")
    codes = sorted({w.strip().upper() for w in wards if w.strip()})
    if not codes:
        raise ContributionsError("Enter at least one ward's GSS code", "wards")
    loaded = set(
        Area.objects.filter(code__in=codes, area_type__level=AreaType.Level.WARD).values_list("code", flat=True)
    )
    unknown = [c for c in codes if c not in loaded]
    if unknown:
        raise ContributionsError(f"Not a loaded ward: {', '.join(unknown)}", "wards")
    zone = CilZone(
        council=council,
        name=name[:200],
        wards=codes,
        neighbourhood=neighbourhood,
        local_council=local_council,
        local_council_name=local_council_name.strip()[:200],
        dwellings=dwellings,
        plan_made_on=plan_made_on,
        index_factor=index_factor,
        cap_year=cap_year,
        local_rate_percent=local_rate_percent,
        created_by=_user(actor),
    )
    setting(zone)  # refuses settings the rules do not allow, with the reason
    if local_council and dwellings is None:
        raise ContributionsError(
            "Enter the number of council tax dwellings: the 15% share is capped by it (reg 59A(7))", "dwellings"
        )
    zone.save()
    audit(
        actor,
        "contributions.zone",
        zone,
        after={
            "wards": codes,
            "local_council": local_council,
            "dwellings": dwellings,
            "plan_made_on": plan_made_on,
            "index_factor": index_factor,
            "cap_year": cap_year,
            "local_rate_percent": local_rate_percent,
        },
    )
    return zone


def zone_scope(zone: CilZone) -> Scope:
    return Scope.of([zone.council.code], [zone.neighbourhood.slug] if zone.neighbourhood_id else [])


def setting(zone: CilZone) -> cil.Setting:
    try:
        return cil.Setting(
            local_council=zone.local_council,
            dwellings=zone.dwellings,
            index_factor=Fraction(zone.index_factor),
            cap_year=zone.cap_year,
            local_rate=Fraction(zone.local_rate_percent) / 100 if zone.local_rate_percent is not None else None,
        )
    except cil.CilError as exc:
        raise ContributionsError(str(exc)[0].upper() + str(exc)[1:]) from None


def receipts(zone: CilZone) -> list[cil.Receipt]:
    """CIL received from development in the zone's wards; in a neighbourhood development plan's area from the
    day the plan was made (our reading of "in place", see docs/money.md)."""
    found = Transaction.objects.filter(
        council=zone.council,
        status="received",
        amount_pence__isnull=False,
        contribution__agreement__kind=Agreement.Kind.CIL,
    ).filter(
        Q(contribution__ward_code__in=zone.wards)
        | Q(contribution__ward_code="", contribution__agreement__ward_code__in=zone.wards)
    )
    plan = zone.plan_made_on
    return [
        cil.Receipt(t.on, t.amount_pence, plan is not None and t.on >= plan, t.reference)
        for t in found.order_by("on", "reference")
    ]


def portion(zone: CilZone) -> cil.Portion:
    try:
        return cil.portion(receipts(zone), setting(zone))
    except cil.CilError as exc:
        raise ContributionsError(str(exc)[0].upper() + str(exc)[1:]) from None


def pot_key_for_zone(zone: CilZone, year: int) -> str:
    return f"cil-zone:{zone.pk}:{year}"


@transaction.atomic
def pot_from_zone(actor, zone: CilZone, year: int):
    """A pot holding one financial year's neighbourhood portion, decided on where the zone is."""
    share = portion(zone).year(year)
    if share is None or share.passed_pence <= 0:
        raise ContributionsError(f"There is no neighbourhood portion for {cil.year_label(year)} in {zone.name}")
    if zone.local_council:
        restriction = (
            f"Passed to {zone.local_council_name or 'the parish or town council'}, which must spend it to "
            "support the development of its area: infrastructure, or anything else that addresses the "
            "demands development places on it (reg 59C)."
        )
        last_due = max(p.due for p in share.payments)
        spend_by = last_due.replace(year=last_due.year + 5)  # reg 59E: repayable if not applied within 5 years
    else:
        restriction = (
            "The neighbourhood portion kept by the council (reg 59F): to support the development of the "
            "area, on infrastructure or anything else that addresses the demands development places on "
            "it, as agreed with the community."
        )
        spend_by = None
    try:
        return pots.create_pot(
            actor,
            name=f"{zone.name}: neighbourhood CIL {cil.year_label(year)}",
            source="neighbourhood_cil",
            amount_pence=share.passed_pence,
            council=zone.council,
            neighbourhood=zone.neighbourhood,
            may_pay_for=restriction,
            spend_by=spend_by,
            origin=f"Neighbourhood portion of CIL received in {zone.name}, {cil.year_label(year)}",
            origin_key=pot_key_for_zone(zone, year),
        )
    except pots.PotError as exc:
        raise ContributionsError(str(exc)) from None


@transaction.atomic
def pot_from_contribution(actor, contribution: Contribution, neighbourhood=None):
    """A pot holding the unspent money of one Section 106 contribution, with its purpose and spend-by date."""
    if contribution.agreement.kind != Agreement.Kind.S106:
        raise ContributionsError("Only Section 106 money is made into a pot this way; CIL goes through a zone")
    left = unspent_pence(contribution)
    if left <= 0:
        raise ContributionsError(f"{contribution.reference} has no money received and unspent")
    purpose = contribution.purpose.replace("-", " ")
    try:
        return pots.create_pot(
            actor,
            name=f"{contribution.agreement}: {purpose}",
            source="s106",
            amount_pence=left,
            council=contribution.council,
            neighbourhood=neighbourhood,
            may_pay_for=f"{purpose.capitalize()}, as the agreement says"
            + (f": {contribution.notes}" if contribution.notes else "."),
            spend_by=contribution.spend_by,
            origin=f"Section 106 agreement {contribution.agreement.reference}, contribution {contribution.reference}",
            origin_key=f"s106:{contribution.council.code}:{contribution.reference}",
        )
    except pots.PotError as exc:
        raise ContributionsError(str(exc)) from None
