"""Everything that changes an asset case. Each change replays the case through the engine (which
applies the guards), stores the step, writes the audit record and queues every party's notice in
one transaction, so a refused step leaves nothing behind."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from commonground.accounts.scopes import Scope
from commonground.assets.models import (
    Asset,
    BidRequest,
    BuyoutApplication,
    CaseEvent,
    Council,
    Evidence,
    Nomination,
    Proprietor,
    Sale,
)
from commonground.audit.service import record
from commonground.engine import clocks
from commonground.engine import rental_auctions as hsra
from commonground.engine.asset_case import (
    ON_THE_LIST,
    STEPS,
    Body,
    BodyKind,
    Case,
    ExemptGround,
    LandUse,
    Refused,
    Status,
    UseWhen,
    ValueClaim,
    may_bid,
    pounds,
    replay,
)
from commonground.notify import services as notify
from commonground.places.models import Area, AreaType

REMIND_DAYS_BEFORE = 7  # reminders go out a week before a period's last day
REMIND_HOUR = 8  # local time: in the morning, not at midnight
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_TYPES = {"application/pdf", "image/jpeg", "image/png", "text/plain"}


CURIE = re.compile(r"^[a-z][a-z0-9-]*:[A-Za-z0-9][A-Za-z0-9._-]*$")


class AssetError(Exception):
    """A step the rules refuse, or input that cannot be stored; the message says why."""


def today() -> dt.date:
    return timezone.localdate()


def body_arguments(body: Body) -> dict:
    data = asdict(body)
    data["kind"] = body.kind.value
    return data


def claim_arguments(claim: ValueClaim) -> dict:
    data = asdict(claim)
    data["when"] = claim.when.value
    return data


def _engine_arguments(arguments: dict) -> dict:
    """Turn stored JSON arguments back into the engine's types."""
    converted = dict(arguments)
    if "body" in converted:
        converted["body"] = Body(**{**converted["body"], "kind": BodyKind(converted["body"]["kind"])})
    if "use" in converted:
        converted["use"] = LandUse(converted["use"])
    if converted.get("claim"):
        converted["claim"] = ValueClaim(**{**converted["claim"], "when": UseWhen(converted["claim"]["when"])})
    if converted.get("exempt"):
        converted["exempt"] = ExemptGround(converted["exempt"])
    if converted.get("nominated_on"):
        converted["nominated_on"] = dt.date.fromisoformat(converted["nominated_on"])
    return converted


def _steps(asset: Asset) -> list[tuple[str, dt.date, dict]]:
    return [(e.step, e.on, _engine_arguments(e.arguments)) for e in asset.events.order_by("on", "id")]


def case_of(asset: Asset, on: dt.date | None = None) -> Case:
    """The case as its recorded steps and the clocks make it on `on` (default today). A stored step its rule
    set now refuses (one recorded under the Bill's proposal) is listed in `case.unreplayed`, not fatal."""
    return replay(clocks.ruleset(asset.ruleset), _steps(asset), today=on or today(), tolerant=True)


def council_scope(council: Council | None) -> Scope | None:
    """Where a council's cases live for permission checks and notices: its local authority area's GSS code
    (None until the council's area is set: then only site-wide roles reach its cases)."""
    if council is None or council.area_id is None:
        return None
    return Scope.of([council.area.code])


def asset_scope(asset: Asset) -> Scope | None:
    return council_scope(asset.council)


def _apply(asset: Asset, actor, step: str, on: dt.date, arguments: dict, summary: str, reasons: str = "") -> str:
    """Run one step through the engine and store it; the caller holds the transaction."""
    if on > today():
        raise AssetError(f"{on.isoformat()} is in the future: record steps on or after the day they happen")
    before = asset.status
    case = replay(clocks.ruleset(asset.ruleset), _steps(asset), tolerant=True)
    try:
        result = STEPS[step](case, on, **_engine_arguments(arguments))
    except Refused as exc:
        raise AssetError(str(exc)) from None
    CaseEvent.objects.create(
        asset=asset, step=step, on=on, arguments=arguments, summary=summary, reasons=reasons, actor=actor
    )
    case.advance(max(on, today()))
    asset.status = case.status.value
    asset.save(update_fields=["status"])
    record(
        actor,
        f"assets.{step}",
        asset,
        before={"status": before},
        after={"status": asset.status, "on": on.isoformat(), **arguments},
    )
    _notify_parties(asset, summary, _event_body(asset, case, summary, reasons))
    schedule_reminders(asset, case, max(on, today()))
    return result if isinstance(result, str) else ""


def _locked(asset_id: int) -> Asset:
    return Asset.objects.select_for_update().get(pk=asset_id)


# --- notices -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """Someone told about a case: by email, or by post when only a name and address are known."""

    role: str
    email: str = ""
    name: str = ""
    address: str = ""


def _owner_address(asset: Asset) -> str:
    """Where to post the owner's notices: the registered proprietor's address in HM Land Registry's
    company-ownership data when the title is loaded, else the asset itself."""
    proprietor = (
        Proprietor.objects.filter(title__title_number=asset.title_number)
        .exclude(address="")
        .order_by("position")
        .first()
        if asset.title_number
        else None
    )
    if proprietor is not None:
        return "\n".join(part.strip() for part in proprietor.address.split(",") if part.strip())
    return "\n".join(filter(None, [*(p.strip() for p in asset.address.split(",")), asset.postcode]))


def parties(asset: Asset) -> list[Party]:
    """Everyone told about this case: nominators, the owner (by post without an email), bidders. The council
    is not among them: it runs the case, and its officers see every notice on the asset's page."""
    found = [Party("nominator", e) for e in asset.nominations.values_list("contact_email", flat=True).distinct()]
    if asset.owner_email:
        found.append(Party("owner", asset.owner_email, asset.owner_name))
    elif asset.owner_name:
        found.append(Party("owner", name=asset.owner_name, address=_owner_address(asset)))
    found += [Party("bidder", e) for e in asset.bid_requests.values_list("contact_email", flat=True).distinct()]
    return found


def _event_body(asset: Asset, case: Case, summary: str, reasons: str) -> str:
    lines = [f"{asset.name}, {asset.address}", "", summary]
    if reasons:
        lines += ["", f"Reasons: {reasons}"]
    running = case.running(today())
    if running:
        lines += ["", "Periods now running:"]
        lines += [f"- {p.name}: last day {p.last_day:%d %B %Y} ({p.citation})" for p in running]
    return "\n".join(lines)


def _notify_parties(asset: Asset, subject: str, body: str) -> None:
    scope = asset_scope(asset)
    for party in parties(asset):
        notify.send(
            subject=f"{asset.name}: {subject}",
            body=body,
            template="assets.event",
            email=party.email,
            name=party.name,
            address=party.address,
            role=party.role,
            about=asset,
            scope=scope,
        )


def reminder_moment(last_day: dt.date, days_before: int = REMIND_DAYS_BEFORE) -> dt.datetime:
    """When a deadline's reminder goes: REMIND_HOUR local time, `days_before` days before its last day."""
    day = last_day - dt.timedelta(days=days_before)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(REMIND_HOUR)))


def schedule_reminders(asset: Asset, case: Case, on: dt.date, days_before: int = REMIND_DAYS_BEFORE) -> int:
    """One reminder per party for each period running on `on`, due a week before its last day (made once
    per party and period), and cancel the queued reminders of periods that no longer run (e.g. the
    nomination's deadline once the council has decided). Returns how many were newly queued."""
    made, keep = 0, []
    told = parties(asset)
    scope = asset_scope(asset)
    for period in case.running(on):
        subject = f"{asset.name}: {period.name}: last day {period.last_day:%d %B %Y}"
        body = "\n".join(
            [
                f"{asset.name}, {asset.address}",
                "",
                f"{period.name}: the last day is {period.last_day:%A %d %B %Y}.",
                *([f"Note: {period.note}."] if period.note else []),
                f"Rule: {period.citation}.",
            ]
        )
        for party in told:
            key = f"remind:{asset.pk}:{period.key}:{period.begins.isoformat()}:{party.role}:{party.email}"
            keep.append(key)
            notice = notify.schedule(
                reminder_moment(period.last_day, days_before),
                subject=subject,
                body=body,
                template="assets.reminder",
                email=party.email,
                name=party.name,
                address=party.address,
                role=party.role,
                about=asset,
                scope=scope,
                dedupe_key=key,
            )
            made += notice.made
    notify.cancel(asset, "assets.reminder", keep=keep)
    return made


def notices(asset: Asset):
    """The notices about this asset, newest first, for its page."""
    return notify.notices_about(asset)


def refresh_status(asset: Asset, case: Case) -> None:
    """Keep the cached status in step with the clocks (a moratorium ends without anyone acting)."""
    if case.status is not None and asset.status != case.status.value:
        before = asset.status
        asset.status = case.status.value
        asset.save(update_fields=["status"])
        record("clock", "assets.clock", asset, before={"status": before}, after={"status": asset.status})


def remind(on: dt.date | None = None, days_before: int = REMIND_DAYS_BEFORE) -> int:
    """Bring every cached status up to date and every running period's reminders into the outbox (each
    made once; steps schedule them too). The worker runs it daily; returns how many were newly queued."""
    on = on or today()
    made = 0
    for asset in Asset.objects.exclude(status__in=[s.value for s in (Status.NOT_LISTED, Status.WITHDRAWN)]):
        case = case_of(asset, on)
        with transaction.atomic():
            if on == today():
                refresh_status(asset, case)
            made += schedule_reminders(asset, case, on, days_before)
    return made


# --- steps -------------------------------------------------------------------------------------


def local_authority(code: str) -> Area:
    """The loaded local authority area with this GSS code, or AssetError saying none is loaded."""
    code = code.strip().upper()
    area = (
        Area.objects.filter(code=code, area_type__level=AreaType.Level.LOCAL_AUTHORITY)
        .select_related("area_type")
        .order_by("-area_type_id")
        .first()
    )
    if area is None:
        raise AssetError(f"no local authority area with the code {code!r} is loaded (load the areas first)")
    return area


def set_council(
    actor, council: Council, *, code: str | None = None, organisation: str | None = None, ruleset: str | None = None
) -> Council:
    """Give a council its local authority area (GSS code), planning.data organisation or rule set; audited."""
    with transaction.atomic():
        council = Council.objects.select_for_update().get(pk=council.pk)
        before = {"code": council.area.code if council.area_id else "", "organisation": council.organisation,
                  "ruleset": council.ruleset}  # fmt: skip
        if code is not None:
            council.area = local_authority(code) if code.strip() else None
        if organisation is not None:
            organisation = organisation.strip()
            if organisation and not CURIE.match(organisation):
                raise AssetError(f"{organisation!r} is not an organisation like local-authority:CMD")
            council.organisation = organisation
        if ruleset is not None:
            try:
                council.ruleset = clocks.ruleset(ruleset).key
            except ValueError as exc:
                raise AssetError(str(exc)) from None
        council.save()
        after = {"code": council.area.code if council.area_id else "", "organisation": council.organisation,
                 "ruleset": council.ruleset}  # fmt: skip
        record(actor, "assets.council", council, before=before, after=after)
    return council


def council_named(name: str) -> Council:
    name = " ".join(name.split())
    council = Council.objects.filter(name__iexact=name).first()
    if council is None:
        council = Council.objects.create(name=name, slug=slugify(name)[:80] or "council")
    return council


def nominate(
    actor,
    *,
    council: Council,
    name: str,
    address: str,
    postcode: str,
    community_use: str,
    land_use: str,
    body_name: str,
    body: Body,
    contact_email: str,
    received_on: dt.date,
    latitude: float | None = None,
    longitude: float | None = None,
    vacant_since: dt.date | None = None,
    evidence: Iterable = (),
    asset: Asset | None = None,
    claim: ValueClaim | None = None,
) -> Asset:
    """A community nomination (Localism Act 2011 s.89); a new case under the rule set in force that day of
    the council's choice (a rule set not yet in force gives way to the one it replaces)."""
    files = []
    for upload in evidence:
        if upload.size > EVIDENCE_MAX_BYTES:
            raise AssetError(f"{upload.name} is larger than 5 MB")
        if upload.content_type not in EVIDENCE_TYPES:
            raise AssetError(f"{upload.name} must be a PDF, JPEG, PNG or plain text file")
        name = re.sub(r'[\x00-\x1f\x7f"]', "", upload.name)[:200]  # it goes back out in a download's header
        files.append((name, upload.content_type, upload.read()))
    with transaction.atomic():
        if asset is None:
            asset = Asset.objects.create(
                council=council,
                name=name,
                address=address,
                postcode=postcode.upper().strip(),
                community_use=community_use,
                land_use=land_use,
                ruleset=clocks.rules_for_new_case(council.ruleset, received_on).key,
                latitude=latitude,
                longitude=longitude,
                vacant_since=vacant_since,
            )
        else:
            asset = _locked(asset.pk)
        nomination = Nomination.objects.create(
            asset=asset,
            body_name=body_name,
            body_kind=body.kind.value,
            local_connection=body.local_connection,
            distributes_surplus=body.distributes_surplus,
            members_on_register=body.members_on_register,
            contact_email=contact_email,
            received_on=received_on,
            submitted_by=actor,
        )
        for filename, content_type, content in files:
            Evidence.objects.create(
                nomination=nomination, filename=filename, content_type=content_type, content=content
            )
        arguments = {"body": body_arguments(body), "use": land_use}
        if claim is not None:
            arguments["claim"] = claim_arguments(claim)
        summary = f"Nominated by {body_name} ({body.kind.label.lower()})"
        _apply(asset, actor, "nominate", received_on, arguments, summary)
    return asset


def decide(actor, asset: Asset, listed: bool, reasons: str, on: dt.date) -> None:
    """The council's decision with reasons (s.90; SI 2012/2421 reg 7); unsuccessful ones join that list."""
    if not reasons.strip():
        raise AssetError("Give the reasons for the decision")
    with transaction.atomic():
        asset = _locked(asset.pk)
        nomination = asset.nominations.filter(outcome=Nomination.Outcome.PENDING).first()
        summary = "Listed as an asset of community value" if listed else "Not listed (unsuccessful nomination)"
        _apply(asset, actor, "decide", on, {"listed": listed}, summary, reasons)
        if nomination is not None:
            nomination.outcome = Nomination.Outcome.LISTED if listed else Nomination.Outcome.NOT_LISTED
            nomination.decided_on = on
            nomination.reasons = reasons
            nomination.decided_by = actor
            nomination.save()


def notify_disposal(actor, asset: Asset, on: dt.date, owner_name: str = "", owner_email: str = "") -> None:
    """The owner's notice of an intended relevant disposal (s.95(2)), recorded by the owner or an officer."""
    with transaction.atomic():
        asset = _locked(asset.pk)
        if owner_name or owner_email:
            asset.owner_name = owner_name or asset.owner_name
            asset.owner_email = owner_email or asset.owner_email
            asset.save(update_fields=["owner_name", "owner_email"])
        _apply(asset, actor, "notify_disposal", on, {}, "The owner notified the council of an intended disposal")


def request_to_bid(actor, asset: Asset, body_name: str, body: Body, contact_email: str, on: dt.date) -> None:
    """A community interest group asks to be treated as a potential bidder (s.95(3)(a), s.98)."""
    with transaction.atomic():
        asset = _locked(asset.pk)
        BidRequest.objects.create(
            asset=asset,
            body_name=body_name,
            body_kind=body.kind.value,
            contact_email=contact_email,
            received_on=on,
            submitted_by=actor,
        )
        _apply(
            asset,
            actor,
            "request_to_bid",
            on,
            {"body": body_arguments(body)},
            f"{body_name} asked to be treated as a potential bidder",
        )


OFFICER_STEPS = {  # action: (what happened, engine step, its arguments)
    "request_review": ("The owner asked for a review of the listing", "request_review", {}),
    "decide_review_keep": ("Review decided: the listing stays", "decide_review", {"keep_listed": True}),
    "decide_review_remove": ("Review decided: removed from the list", "decide_review", {"keep_listed": False}),
    "appeal": ("The owner appealed to the First-tier Tribunal", "appeal", {}),
    "decide_appeal_keep": ("Tribunal dismissed the appeal: the listing stays", "decide_appeal", {"keep_listed": True}),
    "decide_appeal_remove": (
        "Tribunal allowed the appeal: removed from the list", "decide_appeal", {"keep_listed": False}
    ),
    "withdraw_disposal": ("The owner withdrew the intended disposal", "withdraw_disposal", {}),
    "withdraw_nomination": ("The nomination was withdrawn", "withdraw_nomination", {}),
    "delist": ("The council removed the entry from the list", "delist", {}),
    # Community Right to Buy (EDCE Act 2026 ACV schedule): first refusal, valuation, progress check.
    "offer_to_group": ("The owner offered the asset to the community group (first refusal)", "offer_to_group", {}),
    "request_valuation": ("An independent valuation of the price was asked for", "request_valuation", {}),
    "request_progress_check": (
        "The owner asked the council to check the group is making progress", "request_progress_check", {}
    ),
    "find_progress_sufficient": (
        "The council found the group is making sufficient progress", "find_progress", {"sufficient": True}
    ),
    "find_progress_insufficient": (
        "The council found the group is not making sufficient progress", "find_progress", {"sufficient": False}
    ),
}  # fmt: skip


def record_step(actor, asset: Asset, action: str, on: dt.date, reasons: str = "") -> None:
    summary, step, arguments = OFFICER_STEPS[action]
    with transaction.atomic():
        asset = _locked(asset.pk)
        _apply(asset, actor, step, on, arguments, summary, reasons)
        if step == "withdraw_nomination":
            asset.nominations.filter(outcome=Nomination.Outcome.PENDING).update(outcome=Nomination.Outcome.WITHDRAWN)


def record_sale(
    actor, asset: Asset, on: dt.date, to_community_interest_group: bool, buyer_name: str = "", exempt_ground: str = ""
) -> str:
    """A disposal: refused during a moratorium unless to a community interest group or exempt (s.95)."""
    with transaction.atomic():
        asset = _locked(asset.pk)
        arguments = {"to_community_interest_group": to_community_interest_group, "exempt": exempt_ground or None}
        summary = f"Sold{' to ' + buyer_name if buyer_name else ''}"
        if exempt_ground:
            summary += f" (exempt: {ExemptGround(exempt_ground).label})"
        why = _apply(asset, actor, "dispose", on, arguments, summary)
        Sale.objects.create(
            asset=asset,
            on=on,
            to_community_interest_group=to_community_interest_group,
            buyer_name=buyer_name,
            exempt_ground=exempt_ground,
            lawful_because=why[:300],
        )
    return why


def record_price(actor, asset: Asset, how: str, on: dt.date, price_pence: int, valuer: str = "") -> None:
    """The price of the group's purchase: agreed by owner and group, or the independent valuer's figure and date
    (the valuation basis waits on regulations: the figure is recorded as given, nothing derived from it)."""
    with transaction.atomic():
        asset = _locked(asset.pk)
        if how == "agreed":
            summary = f"Price agreed: {pounds(price_pence)}"
            _apply(asset, actor, "agree_price", on, {"price_pence": price_pence}, summary)
        else:
            summary = f"Independent valuer set the price: {pounds(price_pence)}"
            _apply(asset, actor, "set_valuation", on, {"price_pence": price_pence, "valuer": valuer[:200]}, summary)


def apply_for_buyout(
    actor,
    asset: Asset,
    *,
    body_name: str,
    body: Body,
    contact_email: str,
    purchase_price_pence: int,
    requested_pence: int,
    match_funding_pence: int,
    use_plan: str,
    running_costs_plan: str,
) -> BuyoutApplication:
    """High Street Buyout Fund (proposal): a would-be bidder for a listed asset applies with its use plan."""
    verdict = may_bid(body)
    if not verdict.allowed:
        raise AssetError(f"Only a group that may bid can apply: {'; '.join(verdict.reasons)} ({verdict.citation})")
    if requested_pence <= 0 or requested_pence > purchase_price_pence:
        raise AssetError("The amount asked for must be more than nothing and no more than the purchase price")
    if requested_pence + match_funding_pence < purchase_price_pence:
        short = (purchase_price_pence - requested_pence - match_funding_pence) // 100
        raise AssetError(f"The amount asked for and the match funding fall £{short:,} short of the purchase price")
    with transaction.atomic():
        asset = _locked(asset.pk)
        if Status(asset.status) not in ON_THE_LIST:
            raise AssetError(
                "Only an asset on the list of assets of community value can be the subject of an application"
            )
        application = BuyoutApplication.objects.create(
            asset=asset,
            body_name=body_name,
            body_kind=body.kind.value,
            contact_email=contact_email,
            purchase_price_pence=purchase_price_pence,
            requested_pence=requested_pence,
            match_funding_pence=match_funding_pence,
            use_plan=use_plan,
            running_costs_plan=running_costs_plan,
            submitted_by=actor,
        )
        record(
            actor,
            "assets.buyout_apply",
            application,
            after={"requested_pence": requested_pence, "purchase_price_pence": purchase_price_pence},
        )
    return application


def set_ruleset(actor, asset: Asset, key: str) -> None:
    """Choose the case's rule set before the council decides; afterwards it is fixed (never mixed in a case)."""
    rules = clocks.ruleset(key)
    with transaction.atomic():
        asset = _locked(asset.pk)
        if asset.events.exclude(step="nominate").exists():
            raise AssetError("The rule set is fixed once the council has decided: a case never mixes rule sets")
        started = asset.events.order_by("on").values_list("on", flat=True).first()
        if started is not None and not rules.in_force(started):
            raise AssetError(
                f"{rules.key} was not in force when this case began ({started.isoformat()}): it is "
                f"{clocks.in_force_note(rules)}"
            )
        before = asset.ruleset
        asset.ruleset = rules.key
        asset.save(update_fields=["ruleset"])
        record(actor, "assets.ruleset", asset, before={"ruleset": before}, after={"ruleset": rules.key})


def set_vacancy(actor, asset: Asset, vacant_since: dt.date | None) -> None:
    with transaction.atomic():
        asset = _locked(asset.pk)
        before = asset.vacant_since
        asset.vacant_since = vacant_since
        asset.save(update_fields=["vacant_since"])
        record(actor, "assets.vacancy", asset, before={"vacant_since": before}, after={"vacant_since": vacant_since})


# --- reading -----------------------------------------------------------------------------------


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
    on = on or today()
    found = []
    open_cases = Asset.objects.select_related("council__area").exclude(
        status__in=[s.value for s in (Status.NOT_LISTED, Status.WITHDRAWN)]
    )
    for asset in open_cases:
        for period in case_of(asset, on).running(on):
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
    return hsra.vacancy_condition(hsra.vacant_since(asset.vacant_since), on or today()).met


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
    case = case_of(asset, on)
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
