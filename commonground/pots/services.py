"""Pots and their ledger: make a pot, set money aside for a decision, allocate, pay, return, publish.

Every write locks the pot's row (SELECT ... FOR UPDATE) in a transaction, reads the balances from the
ledger, refuses anything that would take one below zero, and is audited in the same transaction (people
named by account id). Funded things get a delivery record (delivery.services.ensure).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify

from commonground.accounts.scopes import Scope
from commonground.audit.service import record as audit
from commonground.delivery import services as delivery
from commonground.engine import threesixty
from commonground.places.models import Area
from commonground.pots.models import Allocation, Entry, Pot, Reservation

Kind = Entry.Kind
ORG_PREFIX = "360G-commonground"


class PotError(ValueError):
    """A change the pot's money or rules do not allow; the message says why, `field` which form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def money(pence: int) -> str:
    pounds, rest = divmod(abs(pence), 100)
    return ("−" if pence < 0 else "") + (f"£{pounds:,}" if not rest else f"£{pounds:,}.{rest:02d}")


# Balances ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    amount: int
    reserved: int  # set aside for decisions still being made
    allocated: int  # given to funded things (less reductions and returns)
    paid: int  # paid out less returned
    available: int  # neither set aside nor allocated


def _sums(entries) -> dict[str, int]:
    return defaultdict(
        int, {row["kind"]: row["total"] for row in entries.values("kind").annotate(total=Sum("amount_pence"))}
    )


def balance(pot: Pot) -> Balance:
    s = _sums(pot.entries.all())
    reserved_then_allocated = pot.entries.filter(kind=Kind.ALLOCATE, reservation__isnull=False)
    reserved = (
        s[Kind.RESERVE] - s[Kind.UNRESERVE] - (reserved_then_allocated.aggregate(t=Sum("amount_pence"))["t"] or 0)
    )
    allocated = s[Kind.ALLOCATE] - s[Kind.RELEASE] - s[Kind.RETURN]
    paid = s[Kind.PAY] - s[Kind.RETURN]
    return Balance(pot.amount_pence, reserved, allocated, paid, pot.amount_pence - reserved - allocated)


def allocation_balance(allocation: Allocation) -> tuple[int, int]:
    """(amount, paid) of an allocation: allocated less reductions and returns; paid less returns."""
    s = _sums(allocation.entries.all())
    return s[Kind.ALLOCATE] - s[Kind.RELEASE] - s[Kind.RETURN], s[Kind.PAY] - s[Kind.RETURN]


def outstanding(reservation: Reservation) -> int:
    """Money still set aside by a reservation: set aside, less released, less allocated from it."""
    s = _sums(reservation.entries.all())
    return s[Kind.RESERVE] - s[Kind.UNRESERVE] - s[Kind.ALLOCATE]


def _locked(pot_id: int) -> Pot:
    return Pot.objects.select_for_update(of=("self",)).select_related("council", "neighbourhood").get(pk=pot_id)


def _check_date(pot: Pot, on: dt.date, what: str) -> None:
    if pot.spend_by is not None and on > pot.spend_by:
        raise PotError(f"{pot.name} had to be {what} by {pot.spend_by:%-d %B %Y}: nothing more can be {what} from it")


def _positive(amount_pence: int) -> None:
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or amount_pence <= 0:
        raise PotError("Enter an amount of more than £0", "amount")


# Pots -------------------------------------------------------------------------------------------------------


@transaction.atomic
def create_pot(
    actor,
    *,
    name: str,
    source: str,
    amount_pence: int,
    council: Area | None = None,
    neighbourhood=None,
    may_pay_for: str = "",
    spend_by: dt.date | None = None,
    funder_name: str = "",
    origin: str = "",
    origin_key: str | None = None,
) -> Pot:
    name = name.strip()
    if not name or not slugify(name):
        raise PotError("Name the pot, with some letters or numbers", "name")
    if source not in Pot.Source.values:
        raise PotError(f"Choose where the money comes from, not {source!r}", "source")
    _positive(amount_pence)
    if origin_key and Pot.objects.filter(origin_key=origin_key).exists():
        existing = Pot.objects.get(origin_key=origin_key)
        raise PotError(f"A pot was already made from this money: {existing.name}")
    base = slugify(name)[:70]
    slug, n = base, 2
    while Pot.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    funder = funder_name.strip() or (council.name if council else "") or "Common Ground"
    try:
        with transaction.atomic():
            pot = Pot.objects.create(
                name=name[:200], slug=slug, source=source, council=council, neighbourhood=neighbourhood,
                amount_pence=amount_pence, may_pay_for=may_pay_for.strip(), spend_by=spend_by, funder_name=funder[:200],
                origin=origin[:300], origin_key=origin_key or None, created_by=_user(actor),
            )  # fmt: skip
    except IntegrityError:  # two officers made a pot from the same money at the same moment
        raise PotError("A pot was made from this money just now") from None
    audit(actor, "pots.create", pot, after={"source": source, "amount_pence": amount_pence, "origin": origin[:300],
                                            "spend_by": spend_by})  # fmt: skip
    return pot


def scope_of(pot: Pot) -> Scope | None:
    """Where a pot lives, for permission checks: its council and neighbourhood (None: site-wide only)."""
    councils = [pot.council.code] if pot.council_id else []
    neighbourhoods = [pot.neighbourhood.slug] if pot.neighbourhood_id else []
    if pot.neighbourhood_id and not councils:
        councils = list(pot.neighbourhood.councils.values_list("code", flat=True))
    return Scope.of(councils, neighbourhoods) if councils or neighbourhoods else None


def get(pot_id: int) -> Pot | None:
    return Pot.objects.select_related("council", "neighbourhood").filter(pk=pot_id).first()


def by_origin(key: str) -> Pot | None:
    """The pot made from this money (an origin key such as "cil-zone:3:2025"), if one was."""
    return Pot.objects.filter(origin_key=key).first()


def with_money_left() -> list[tuple[Pot, Balance]]:
    """Pots with money neither set aside nor allocated, for choosing where a decision's money comes from."""
    found = []
    for pot in Pot.objects.select_related("council", "neighbourhood").order_by("name"):
        left = balance(pot)
        if left.available > 0:
            found.append((pot, left))
    return found


# Setting aside and allocating -------------------------------------------------------------------------------


@transaction.atomic
def set_aside(actor, pot_id: int, reference: str, title: str, amount_pence: int, url: str = "") -> Reservation:
    """Set exactly `amount_pence` of the pot aside for `reference` (more or less than before), e.g. a PB
    process's budget; nothing may have been allocated from it yet."""
    pot = _locked(pot_id)
    if amount_pence < 0:
        raise PotError("Enter an amount of £0 or more", "amount")
    reservation = Reservation.objects.filter(pot=pot, reference=reference).first()
    held = outstanding(reservation) if reservation else 0
    if reservation and reservation.entries.filter(kind=Kind.ALLOCATE).exists():
        raise PotError("Money has already been allocated from what was set aside: it cannot be changed now")
    change = amount_pence - held
    if change > 0:
        _check_date(pot, timezone.localdate(), "spent")
        left = balance(pot).available
        if change > left:
            raise PotError(f"{pot.name} has {money(left)} left to set aside, less than the {money(change)} asked for",
                           "amount")  # fmt: skip
    if reservation is None:
        reservation = Reservation.objects.create(pot=pot, reference=reference, title=title[:200], url=url[:300])
    if change:
        Entry.objects.create(pot=pot, reservation=reservation, kind=Kind.RESERVE if change > 0 else Kind.UNRESERVE,
                             amount_pence=abs(change), note=title[:300], recorded_by=_user(actor))  # fmt: skip
        audit(actor, "pots.set_aside", pot, before={"reference": reference, "held_pence": held},
              after={"reference": reference, "held_pence": amount_pence})  # fmt: skip
    return reservation


def set_aside_for(reference: str) -> list[tuple[Reservation, int]]:
    """(reservation, money still set aside) for a decision, in the order they were made."""
    found = Reservation.objects.filter(reference=reference).select_related("pot").order_by("id")
    return [(r, outstanding(r)) for r in found]


@transaction.atomic
def allocate(
    actor,
    pot_id: int,
    *,
    title: str,
    recipient_name: str,
    amount_pence: int,
    reference: str = "",
    ward_code: str = "",
    url: str = "",
    on: dt.date | None = None,
    reservation: Reservation | None = None,
    note: str = "",
    neighbourhood=None,
) -> Allocation:
    """Give money from the pot (or from what was set aside in it) to one funded thing, which gets a
    delivery record."""
    pot = _locked(pot_id)
    on = on or timezone.localdate()
    _positive(amount_pence)
    if not title.strip():
        raise PotError("Say what the money is for", "title")
    if not recipient_name.strip():
        raise PotError("Name who receives the money", "recipient_name")
    _check_date(pot, on, "allocated")
    if reservation is not None:
        if reservation.pot_id != pot.pk:
            raise PotError("That money was set aside in another pot")
        held = outstanding(reservation)
        if amount_pence > held:
            raise PotError(f"Only {money(held)} is set aside for {reservation.title}", "amount")
    else:
        left = balance(pot).available
        if amount_pence > left:
            raise PotError(f"{pot.name} has {money(left)} left, less than the {money(amount_pence)} asked for",
                           "amount")  # fmt: skip
    if reference and Allocation.objects.filter(pot=pot, reference=reference).exists():
        raise PotError(f"{title} already has an allocation from {pot.name}")
    allocation = Allocation.objects.create(
        pot=pot, reference=reference or f"pending:{pot.pk}", title=title.strip()[:200],
        recipient_name=recipient_name.strip()[:200], ward_code=ward_code.strip().upper()[:16], url=url[:300],
        decided_on=on, reservation=reservation,
    )  # fmt: skip
    if not reference:
        allocation.reference = f"pot:{pot.slug}:{allocation.pk}"
        allocation.save(update_fields=["reference"])
    Entry.objects.create(pot=pot, allocation=allocation, reservation=reservation, kind=Kind.ALLOCATE,
                         amount_pence=amount_pence, on=on, note=note[:300], recorded_by=_user(actor))  # fmt: skip
    audit(actor, "pots.allocate", pot, after={"allocation": allocation.pk, "reference": allocation.reference,
                                              "amount_pence": amount_pence})  # fmt: skip
    delivery.ensure(
        actor, allocation.reference, source="pot", title=allocation.title, amount_pence=amount_pence,
        origin_url=pot.get_absolute_url(), recipient_name=allocation.recipient_name, council=pot.council,
        neighbourhood=neighbourhood or pot.neighbourhood, ward_code=allocation.ward_code, funded_on=on,
        summary=f"Funded from {pot.name}.",
    )  # fmt: skip
    return allocation


@transaction.atomic
def allocate_set_aside(actor, reference: str, items: list[dict], on: dt.date | None = None) -> list[Allocation]:
    """Share what was set aside for a decision among its funded things, in order, splitting one across
    pots where it must; then release what is left. Each item: reference, title, recipient_name,
    amount_pence, and optionally ward_code, url, neighbourhood."""
    reservations = [r for r, _ in set_aside_for(reference)]
    made = []
    for item in items:
        need = item["amount_pence"]
        for reservation in reservations:
            Pot.objects.select_for_update().get(pk=reservation.pot_id)  # lock before reading what is left
            held = outstanding(reservation)
            if need <= 0:
                break
            if held <= 0:
                continue
            part = min(held, need)
            made.append(allocate(actor, reservation.pot_id, reservation=reservation, amount_pence=part, on=on,
                                 **{k: v for k, v in item.items() if k != "amount_pence"}))  # fmt: skip
            need -= part
        if need > 0:
            raise PotError(f"{item['title']}: {money(need)} more than was set aside for it")
    for reservation in reservations:
        Pot.objects.select_for_update().get(pk=reservation.pot_id)
        left = outstanding(reservation)
        if left > 0:
            note = "Not needed by the decision: back in the pot"
            Entry.objects.create(pot=reservation.pot, reservation=reservation, kind=Kind.UNRESERVE,
                                 amount_pence=left, note=note, recorded_by=_user(actor))  # fmt: skip
            audit(actor, "pots.release_set_aside", reservation.pot, after={"reference": reference, "pence": left})
    return made


# Money out and back -----------------------------------------------------------------------------------------

MONEY_KINDS = (Kind.PAY, Kind.RETURN, Kind.RELEASE)


@transaction.atomic
def record_money(actor, allocation_id: int, kind: str, amount_pence: int, on: dt.date, note: str = "") -> Entry:
    """A payment to the recipient, money they return, or a reduction of what is still unpaid. A payment
    never takes what is paid above the allocation, a return never below nothing, a reduction never below
    what is paid; all checked with the pot locked."""
    allocation = Allocation.objects.select_related("pot").get(pk=allocation_id)
    pot = _locked(allocation.pot_id)
    _positive(amount_pence)
    if kind not in MONEY_KINDS:
        raise PotError(f"Choose a payment, a return or a reduction, not {kind!r}", "kind")
    amount, paid = allocation_balance(allocation)
    if kind == Kind.PAY:
        _check_date(pot, on, "paid")
        if paid + amount_pence > amount:
            raise PotError(f"This payment is more than the {money(amount - paid)} still to pay on {allocation.title}",
                           "amount")  # fmt: skip
    elif kind == Kind.RETURN and amount_pence > paid:
        raise PotError(f"A return cannot be more than the {money(paid)} paid so far", "amount")
    elif kind == Kind.RELEASE and amount_pence > amount - paid:
        raise PotError(f"Only the {money(amount - paid)} not yet paid can be taken off the allocation", "amount")
    entry = Entry.objects.create(pot=pot, allocation=allocation, kind=kind, amount_pence=amount_pence, on=on,
                                 note=note[:300], recorded_by=_user(actor))  # fmt: skip
    audit(actor, f"pots.{kind}", pot, before={"allocation": allocation.pk, "amount_pence": amount, "paid_pence": paid},
          after={"allocation": allocation.pk, "kind": kind, "pence": amount_pence})  # fmt: skip
    return entry


# 360Giving --------------------------------------------------------------------------------------------------


def grant_rows(pots=None, base_url: str = "") -> list[threesixty.GrantRow]:
    """Every allocation with money on it as a 360Giving grant, with its ward and its payments."""
    pots = Pot.objects.all() if pots is None else pots
    wards = {}
    rows = []
    for pot in pots.select_related("council").order_by("slug"):
        for allocation in pot.allocations.order_by("id"):
            amount, _ = allocation_balance(allocation)
            if amount <= 0:
                continue
            code = allocation.ward_code
            if code and code not in wards:
                area = Area.objects.filter(code=code).order_by("area_type_id").first()
                wards[code] = area.name if area else code
            end = pot.spend_by or allocation.decided_on.replace(year=allocation.decided_on.year + 1)
            months = max(0, (end.year - allocation.decided_on.year) * 12 + end.month - allocation.decided_on.month)
            money_moves = [
                (f"{ORG_PREFIX}-pot-{pot.slug}-{allocation.pk}-{e.pk}", e.on,
                 (e.amount_pence if e.kind == Kind.PAY else -e.amount_pence) / 100)
                for e in allocation.entries.filter(kind__in=[Kind.PAY, Kind.RETURN]).order_by("on", "id")
            ]  # fmt: skip
            rows.append(
                threesixty.GrantRow(
                    identifier=f"{ORG_PREFIX}-pot-{pot.slug}-{allocation.pk}",
                    title=allocation.title,
                    description=f"{allocation.title}, funded from {pot.name} ({pot.get_source_display()}).",
                    amount_awarded=amount // 100 if amount % 100 == 0 else amount / 100,
                    award_date=allocation.decided_on,
                    planned={
                        "startDate": allocation.decided_on.isoformat(),
                        "endDate": end.isoformat(),
                        "duration": months,
                    },  # fmt: skip
                    recipient_id=f"{ORG_PREFIX}-recipient-{slugify(allocation.recipient_name)[:60] or allocation.pk}",
                    recipient_name=allocation.recipient_name,
                    funder_id=f"{ORG_PREFIX}-funder-{slugify(pot.funder_name)[:60] or 'pot'}",
                    funder_name=pot.funder_name,
                    ward_code=code,
                    ward_name=wards.get(code, ""),
                    programme=pot.name,
                    disbursements=money_moves,
                    modified=allocation.made_at,
                    url=f"{base_url}{pot.get_absolute_url()}" if base_url else "",
                )
            )
    return rows


def package(pots=None, base_url: str = "", title: str = "Grants from pots of money decided in neighbourhoods") -> dict:
    rows = grant_rows(pots, base_url)
    if not rows:
        raise PotError("Nothing has been allocated yet, so there are no grants to publish")
    return threesixty.package(rows, title)
