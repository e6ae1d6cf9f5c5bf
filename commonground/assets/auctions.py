"""High street rental auctions in the assets app: designations of high streets and town centres, and the
letting case of each long-vacant premises (LURA 2023 Part 10; SI 2024/1139). The rules are in
`commonground.engine.rental_auctions`; here each change replays the record through them, stores the step,
writes an audit record (no personal data) and tells the landlord, in one transaction.

Candidates come from the long-vacancy flag: assets recorded as empty (`Asset.vacant_since`) and titles in
the ownership register with a `Vacant Since` date, once empty long enough to meet the vacancy condition.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from commonground.accounts.scopes import Scope
from commonground.assets import services
from commonground.assets.models import Asset, Council, HighStreet, Letting, Occupation, Title
from commonground.assets.services import AssetError, council_scope
from commonground.audit.service import record
from commonground.engine import high_street_vacancy
from commonground.engine import rental_auctions as hsra
from commonground.engine.high_street_vacancy import first_day_met, vacancy_condition, vacant_since
from commonground.engine.rental_auctions import HighStreetUse, LettingStatus
from commonground.engine.steps import Refused
from commonground.notify import services as notify


def high_street_scope(high_street: HighStreet) -> Scope | None:
    return council_scope(high_street.council)


def letting_scope(letting: Letting) -> Scope | None:
    return council_scope(letting.council)


# --- designations (s.191) -----------------------------------------------------------------------------------

DESIGNATION_ACTIONS = {
    "designate": "Designated after community engagement",
    "vary": "Designation varied",
    "withdraw": "Designation withdrawn",
}


def designation_of(high_street: HighStreet) -> hsra.Designation:
    return hsra.replay_designation([(e.step, e.on) for e in high_street.events.order_by("on", "id")])


def _no_future(on: dt.date) -> None:
    if on > services.today():
        raise AssetError(f"{on.isoformat()} is in the future: record steps on or after the day they happen")


def start_designation(actor, *, council: Council, name: str, kind: str, description: str, on: dt.date) -> HighStreet:
    """Begin the community engagement that must run at least 28 days before designating (SI 2024/1139)."""
    _no_future(on)
    with transaction.atomic():
        high_street = HighStreet.objects.create(council=council, name=name, kind=kind, description=description)
        high_street.events.create(step="start_engagement", on=on, summary="Community engagement started", actor=actor)
        record(actor, "assets.high_street.start_engagement", high_street, after={"on": on.isoformat(), "kind": kind})
    return high_street


def designation_step(actor, high_street: HighStreet, action: str, on: dt.date, reasons: str = "") -> None:
    _no_future(on)
    with transaction.atomic():
        high_street = HighStreet.objects.select_for_update().get(pk=high_street.pk)
        designation = designation_of(high_street)
        try:
            hsra.DESIGNATION_STEPS[action](designation, on)
        except Refused as exc:
            raise AssetError(str(exc)) from None
        before = high_street.status
        high_street.events.create(step=action, on=on, summary=DESIGNATION_ACTIONS[action], reasons=reasons,
                                  actor=actor)  # fmt: skip
        high_street.status = designation.status.value
        high_street.save(update_fields=["status"])
        record(actor, f"assets.high_street.{action}", high_street, before={"status": before},
               after={"status": high_street.status, "on": on.isoformat()})  # fmt: skip


def designations(council: str = "") -> list[tuple[HighStreet, hsra.Designation]]:
    """The public list of designations (s.191(5)), each with its replayed record."""
    streets = HighStreet.objects.select_related("council").prefetch_related("events")
    if council:
        streets = streets.filter(council__slug=council)
    return [(s, designation_of(s)) for s in streets]


# --- the long-vacancy flag: candidates ------------------------------------------------------------------------


def candidates(on: dt.date | None = None, councils: set[int] | None = None) -> list[dict]:
    """Premises empty long enough to meet the vacancy condition on `on`: recorded assets (in `councils`, when
    given) and ownership-register titles with a Vacant Since date; with the first day the condition was met."""
    on = on or services.today()
    found = []
    assets = Asset.objects.filter(vacant_since__isnull=False).select_related("council")
    if councils is not None:
        assets = assets.filter(council_id__in=councils)
    for asset in assets:
        vacancy = vacancy_condition(vacant_since(asset.vacant_since), on)
        if vacancy.met:
            found.append({"kind": "asset", "asset": asset, "address": asset.address, "postcode": asset.postcode,
                          "council": asset.council, "title_number": asset.title_number, "since": asset.vacant_since,
                          "met_from": first_day_met(vacant_since(asset.vacant_since), asset.vacant_since),
                          "vacancy": vacancy})  # fmt: skip
    listed = {c["title_number"] for c in found if c["title_number"]}
    for title in Title.objects.filter(vacant_since__isnull=False).prefetch_related("proprietors"):
        if title.title_number in listed:
            continue
        vacancy = vacancy_condition(vacant_since(title.vacant_since), on)
        if vacancy.met:
            owner = title.proprietors.first()
            found.append({"kind": "title", "asset": None, "address": title.property_address,
                          "postcode": title.postcode, "council": None, "title_number": title.title_number,
                          "owner": owner.name if owner else "", "since": title.vacant_since,
                          "met_from": first_day_met(vacant_since(title.vacant_since), title.vacant_since),
                          "vacancy": vacancy})  # fmt: skip
    return sorted(found, key=lambda c: (c["since"], c["address"]))


# --- letting cases --------------------------------------------------------------------------------------------


def occupation_of(letting: Letting) -> list[high_street_vacancy.Occupation]:
    return [high_street_vacancy.Occupation(o.occupied_from, o.occupied_to) for o in letting.occupations.all()]


def _engine(arguments: dict) -> dict:
    converted = dict(arguments)
    if "occupation" in converted:
        converted["occupation"] = [
            high_street_vacancy.Occupation(dt.date.fromisoformat(o["start"]) if o["start"] else None,
                            dt.date.fromisoformat(o["end"]) if o["end"] else None)
            for o in converted["occupation"]
        ]  # fmt: skip
    if "use" in converted:
        converted["use"] = HighStreetUse(converted["use"])
    return converted


def case_of(letting: Letting, on: dt.date | None = None) -> hsra.Letting:
    steps = [(e.step, e.on, _engine(e.arguments)) for e in letting.events.order_by("on", "id")]
    return hsra.replay_letting(steps, today=on or services.today())


def open_letting(
    actor,
    *,
    high_street: HighStreet,
    address: str,
    postcode: str = "",
    title_number: str = "",
    landlord_name: str = "",
    landlord_email: str = "",
    asset: Asset | None = None,
    vacant_since: dt.date | None = None,
) -> Letting:
    """Record long-vacant premises on a designated street as a case (the notices come later)."""
    with transaction.atomic():
        letting = Letting.objects.create(
            council=high_street.council, high_street=high_street, asset=asset, address=address,
            postcode=postcode.upper().strip(), title_number=title_number.strip().upper(),
            landlord_name=landlord_name, landlord_email=landlord_email,
        )  # fmt: skip
        if vacant_since is not None:
            Occupation.objects.create(letting=letting, occupied_to=vacant_since - dt.timedelta(days=1),
                                      note="occupied until it became empty (recorded vacancy)")  # fmt: skip
        record(actor, "assets.letting.open", letting,
               after={"high_street": high_street.pk, "asset": asset.pk if asset else None})  # fmt: skip
    return letting


def add_occupation(actor, letting: Letting, occupied_from: dt.date | None, occupied_to: dt.date | None,
                   note: str = "") -> None:  # fmt: skip
    """A span of substantial, sustained occupation (trespassers and people living in premises not designed
    for it do not count); the vacancy condition is computed from these spans when a notice is served."""
    if occupied_from and occupied_to and occupied_to < occupied_from:
        raise AssetError("The end of the occupation cannot be before its start")
    with transaction.atomic():
        letting.occupations.create(occupied_from=occupied_from, occupied_to=occupied_to, note=note[:200])
        record(actor, "assets.letting.occupation", letting,
               after={"from": occupied_from.isoformat() if occupied_from else None,
                      "to": occupied_to.isoformat() if occupied_to else None})  # fmt: skip


LETTING_ACTIONS = {  # action: (what happened, engine step, fixed arguments)
    "serve_initial_notice": ("Initial letting notice served", "serve_initial_notice", {}),
    "let_with_consent": ("The landlord let the premises with the council's consent", "let_with_consent", {}),
    "serve_final_notice": ("Final letting notice served", "serve_final_notice", {}),
    "serve_counter_notice": ("The landlord served a counter-notice", "serve_counter_notice", {}),
    "respond_confirm": ("The council confirmed the final letting notice", "respond", {"confirm": True}),
    "respond_withdraw": ("The council withdrew the final letting notice", "respond", {"confirm": False}),
    "appeal": ("The landlord appealed to the county court", "appeal", {}),
    "decide_appeal_allowed": ("The court allowed the appeal: notice quashed", "decide_appeal", {"allowed": True}),
    "decide_appeal_dismissed": ("The court dismissed the appeal", "decide_appeal", {"allowed": False}),
    "start_auction": ("Rental auction started", "start_auction", {}),
    "successful_bidder": ("The auction identified the successful bidder", "successful_bidder", {}),
    "grant_lease": ("Tenancy granted to the successful bidder", "grant_lease", {}),
    "withdraw": ("The council withdrew the letting notice", "withdraw", {}),
}


def letting_step(
    actor,
    letting: Letting,
    action: str,
    on: dt.date,
    reasons: str = "",
    *,
    use: str = "",
    local_benefit: bool = False,
    warehouse: bool = False,
    grounds: list[int] | None = None,
    years: int = 0,
    months: int = 0,
) -> str:
    """Record one step; returns a warning (e.g. a counter-notice after its unconfirmed period) or ""."""
    _no_future(on)
    summary, step, arguments = LETTING_ACTIONS[action]
    arguments = dict(arguments)
    with transaction.atomic():
        letting = Letting.objects.select_for_update().select_related("high_street", "council").get(pk=letting.pk)
        if step == "serve_initial_notice":
            arguments.update(
                designated=designation_of(letting.high_street).in_force(on),
                occupation=[{"start": o.start.isoformat() if o.start else None,
                             "end": o.end.isoformat() if o.end else None} for o in occupation_of(letting)],
                local_benefit=local_benefit, use=use, warehouse=warehouse,
            )  # fmt: skip
        elif step == "appeal":
            arguments["grounds"] = sorted(set(grounds or []))
        elif step == "grant_lease":
            arguments.update(years=years, months=months)
        case = case_of(letting, on)
        try:
            result = hsra.LETTING_STEPS[step](case, on, **_engine(arguments))
        except Refused as exc:
            raise AssetError(str(exc)) from None
        warning = result if isinstance(result, str) else ""
        if step == "serve_initial_notice":
            letting.suitable_use = use
            summary += f": vacancy condition met ({result.reason})"
        letting.events.create(step=step, on=on, arguments=arguments, summary=summary[:300],
                              reasons="\n".join(filter(None, [reasons, warning])), actor=actor)  # fmt: skip
        before = letting.status
        case.advance(max(on, services.today()))
        letting.status = case.status.value
        letting.save(update_fields=["status", "suitable_use"])
        audit = {k: v for k, v in arguments.items() if k != "occupation"}
        record(actor, f"assets.letting.{step}", letting, before={"status": before},
               after={"status": letting.status, "on": on.isoformat(), **audit})  # fmt: skip
        if letting.landlord_email:
            notify.send(
                subject=f"{letting.address}: {summary[:120]}",
                body="\n".join([letting.address, "", summary, *([f"Note: {warning}"] if warning else []), "",
                                *(f"{p.name}: last day {p.last_day:%d %B %Y} ({p.citation})"
                                  for p in case.running(max(on, services.today())))]),
                template="assets.letting",
                email=letting.landlord_email,
                name=letting.landlord_name,
                role="landlord",
                about=letting,
                label=letting.address[:200],
                scope=letting_scope(letting),
            )  # fmt: skip
    return warning


def lettings(council: str = "", status: str = ""):
    found = Letting.objects.select_related("council", "high_street")
    if council:
        found = found.filter(council__slug=council)
    if status:
        found = found.filter(status=status)
    return found


LIVE_STATUSES = [s.value for s in hsra.LIVE] + [LettingStatus.IDENTIFIED.value]
