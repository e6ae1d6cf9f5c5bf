"""Fund operations: who is eligible, preview and commit an allocation, record payments, publish.

Everything that changes money runs in a transaction and writes the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from commonground.audit.service import record
from commonground.delivery import services as delivery
from commonground.engine import fund as engine
from commonground.engine import threesixty
from commonground.engine.fund import AllocationPolicy, Eligibility, Place, Policy
from commonground.fund.models import Award, Disbursement, EligibilityPolicy, Fund
from commonground.places.models import Area, AreaType, AreaValue
from commonground.places.services import INDEX_DATASETS, NEED_DATASETS


class FundError(ValueError):
    """A fund operation that cannot go ahead; the message says why in plain English."""


def _wards_with(measure: str, datasets: tuple[str, ...], **value_filter) -> set[int]:
    """Wards of the current geography only: two editions' wards (2017 and 2024) are never pooled."""
    return set(
        AreaValue.objects.filter(
            measure__slug=measure,
            measure__dataset__slug__in=datasets,
            area__area_type__level=AreaType.Level.WARD,
            area__area_type__is_current=True,
            **value_filter,
        ).values_list("area_id", flat=True)
    )


def eligible_areas(policy: EligibilityPolicy) -> list[Area]:
    kind = Eligibility(policy.kind)
    if kind is Eligibility.LEFT_BEHIND:
        ids = _wards_with("left_behind", NEED_DATASETS, value=1)
    elif kind is Eligibility.IMD_DECILE_1:
        ids = _wards_with("imd_decile", INDEX_DATASETS, value=1)
    elif kind is Eligibility.THRESHOLD:
        bounds = {}
        if policy.at_most is not None:
            bounds["value__lte"] = policy.at_most
        if policy.at_least is not None:
            bounds["value__gte"] = policy.at_least
        ids = _wards_with(policy.measure, INDEX_DATASETS + NEED_DATASETS, **bounds)
    else:
        wanted = {c.strip().upper() for c in policy.codes}
        found = Area.objects.filter(code__in=wanted, area_type__level=AreaType.Level.WARD).order_by(
            "-area_type__is_current", "-area_type__vintage"
        )
        by_code: dict[str, int] = {}
        for area in found:
            by_code.setdefault(area.code, area.id)
        missing = sorted(wanted - set(by_code))
        if missing:
            raise FundError(
                f"{len(missing)} code(s) in the custom list are not loaded wards: {', '.join(missing[:10])}"
            )
        ids = set(by_code.values())
    return list(Area.objects.filter(id__in=ids).select_related("parent__parent").order_by("code"))


def places_for(areas: list[Area]) -> list[Place]:
    """Engine places with population and need (the ward's IMD score) from the loaded data."""
    need = dict(
        AreaValue.objects.filter(
            area__in=areas, measure__slug="imd_score", measure__dataset__slug__in=INDEX_DATASETS
        ).values_list("area_id", "value")
    )
    missing = [a.code for a in areas if not a.population]
    if missing:
        raise FundError(f"no population is loaded for {len(missing)} ward(s), e.g. {', '.join(missing[:5])}")
    return [
        Place(
            code=a.code,
            name=a.name,
            local_authority=a.parent.name if a.parent else "",
            population=int(a.population),
            need=float(need.get(a.id, 1.0)),
            region=a.parent.parent.name if a.parent and a.parent.parent else "",
        )
        for a in areas
    ]


def policy_of(fund: Fund) -> AllocationPolicy:
    cap = None if fund.cap_pence is None else fund.cap_pence // 100
    return AllocationPolicy.of(
        fund.policy, fund.total_pence // 100, fund.years, fund.profile, fund.floor_pence // 100, cap
    )


def eligible_places(codes: list[str] | None = None) -> list[Place]:
    """The places a fund is allocated across: the listed ward codes, or the left-behind wards."""
    if codes is None:
        policy = EligibilityPolicy(name="left behind", kind="left-behind")
    else:
        policy = EligibilityPolicy(name="listed wards", kind="custom", codes=list(codes))
    return places_for(eligible_areas(policy))


def preview(fund: Fund) -> engine.Allocation:
    areas = eligible_areas(fund.eligibility)
    if not areas:
        raise FundError("no ward meets this eligibility policy with the data loaded now")
    try:
        return engine.allocate(places_for(areas), policy_of(fund))
    except ValueError as exc:
        raise FundError(str(exc)) from exc


def totals_by(allocation: engine.Allocation, key: str) -> list[tuple[str, int, int]]:
    """(name, awards, pounds) per region or local authority, largest first."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for award in allocation.awards:
        entry = sums[getattr(award.place, key) or "Unknown"]
        entry[0] += 1
        entry[1] += award.amount
    return sorted(((k, v[0], v[1]) for k, v in sums.items()), key=lambda r: (-r[2], r[0]))


@transaction.atomic
def commit(fund: Fund, actor) -> int:
    """Fix the allocation as awards; a committed fund cannot be re-allocated."""
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    if fund.status == Fund.Status.COMMITTED:
        raise FundError("this fund's allocation is already committed")
    allocation = preview(fund)
    areas = {a.code: a for a in eligible_areas(fund.eligibility)}
    flagged = _wards_with("left_behind", NEED_DATASETS, value=1)
    dates = engine.planned_dates(fund.start_date, fund.years)
    Award.objects.bulk_create(
        [
            Award(
                fund=fund,
                area=areas[a.place.code],
                ward_code=a.place.code,
                ward_name=a.place.name,
                local_authority=a.place.local_authority,
                region=a.place.region,
                population=a.place.population,
                amount_pence=a.amount * 100,
                schedule_pounds=list(a.schedule),
                planned_start=dt.date.fromisoformat(dates["startDate"]),
                planned_end=dt.date.fromisoformat(dates["endDate"]),
                left_behind=areas[a.place.code].id in flagged,
            )
            for a in allocation.awards
        ]
    )
    fund.status = Fund.Status.COMMITTED
    fund.committed_at = timezone.now()
    fund.data_version = allocation.data_version
    fund.policy_record = allocation.policy.describe()
    fund.save(update_fields=["status", "committed_at", "data_version", "policy_record"])
    record(
        actor,
        "fund.commit",
        fund,
        after={
            "awards": len(allocation.awards),
            "total": allocation.total_awarded,
            "data_version": allocation.data_version,
        },
    )
    for award in fund.awards.select_related("area__parent"):
        delivery_record(actor, fund, award)
    return len(allocation.awards)


def delivery_record(actor, fund: Fund, award: Award):
    """The public delivery record of a committed award (commonground.delivery): one per ward and fund."""
    council = award.area.parent if award.area.parent_id else None
    return delivery.ensure(
        actor,
        f"cwf:{fund.slug}:{award.ward_code}",
        source="cwf",
        title=f"{fund.name}: {award.ward_name}",
        amount_pence=award.amount_pence,
        summary=f"Long-term, resident-led funding for {award.ward_name} over {fund.years} years.",
        origin_url=f"/funds/{fund.slug}/awards/{award.ward_code}/",
        recipient_name=f"{award.ward_name} community partnership",
        council=council,
        ward_code=award.ward_code,
        funded_on=fund.committed_at.date(),
        planned_end=award.planned_end,
    )


def paid_pence(award: Award) -> int:
    return award.disbursements.aggregate(s=Sum("amount_pence"))["s"] or 0


@transaction.atomic
def record_disbursement(
    award_id: int, kind: str, amount_pence: int, paid_on: dt.date, note: str, actor
) -> Disbursement:
    """A payment never takes the total paid above the award; a return never below zero.

    The award row is locked (SELECT … FOR UPDATE) so concurrent requests are checked one at a time.
    """
    award = Award.objects.select_for_update().select_related("fund").get(pk=award_id)
    if award.fund.status != Fund.Status.COMMITTED:
        raise FundError("payments can only be recorded against a committed fund")
    if amount_pence <= 0:
        raise FundError("enter an amount greater than £0")
    paid = paid_pence(award)
    if kind == Disbursement.Kind.PAYMENT and paid + amount_pence > award.amount_pence:
        remaining = award.amount_pence - paid
        raise FundError(f"this payment is more than the £{remaining / 100:,.2f} left on the award")
    if kind == Disbursement.Kind.RETURN and amount_pence > paid:
        raise FundError(f"a return cannot be more than the £{paid / 100:,.2f} paid so far")
    signed = amount_pence if kind == Disbursement.Kind.PAYMENT else -amount_pence
    recorder = actor if getattr(actor, "is_authenticated", False) else None
    entry = Disbursement.objects.create(
        award=award, kind=kind, amount_pence=signed, paid_on=paid_on, note=note, recorded_by=recorder
    )
    record(actor, f"fund.{kind}", award, before={"paid_pence": paid}, after={"paid_pence": paid + signed})
    return entry


def grant_rows(funds=None, base_url: str = "") -> list[threesixty.GrantRow]:
    funds = funds if funds is not None else Fund.objects.filter(status=Fund.Status.COMMITTED)
    rows = []
    for fund in funds.order_by("slug") if hasattr(funds, "order_by") else funds:
        for award in fund.awards.order_by("ward_code").prefetch_related("disbursements"):
            rows.append(
                threesixty.GrantRow(
                    identifier=award.identifier,
                    title=f"{fund.name}: {award.ward_name}",
                    description=(
                        f"Long-term, resident-led funding for {award.ward_name} ({award.local_authority}) "
                        f"over {fund.years} years from the {fund.name}."
                    ),
                    amount_awarded=award.amount_pounds,
                    award_date=fund.committed_at.date(),
                    planned={
                        "startDate": award.planned_start.isoformat(),
                        "endDate": award.planned_end.isoformat(),
                        "duration": fund.years * 12,
                    },
                    recipient_id=f"{fund.org_prefix}-partnership-{award.ward_code}",
                    recipient_name=f"{award.ward_name} community partnership",
                    funder_id=fund.funder_id,
                    funder_name=fund.funder_name,
                    ward_code=award.ward_code,
                    ward_name=award.ward_name,
                    programme=fund.name,
                    disbursements=[
                        (f"{award.identifier}-{d.id}", d.paid_on, d.amount_pence / 100)
                        for d in award.disbursements.all()
                    ],
                    modified=fund.committed_at,
                    url=f"{base_url}/funds/{fund.slug}/awards/{award.ward_code}/" if base_url else "",
                )
            )
    return rows


def replay_command(fund: Fund) -> str:
    parts = [
        "commonground fund allocate",
        f"--total {fund.total_pence // 100}",
        f"--years {fund.years}",
        f"--policy {fund.policy}",
        f"--profile {fund.profile}",
    ]
    if fund.floor_pence:
        parts.append(f"--floor {fund.floor_pence // 100}")
    if fund.cap_pence is not None:
        parts.append(f"--cap {fund.cap_pence // 100}")
    parts.append(f"--eligible {fund.slug}-eligible.csv --format csv")
    return " ".join(parts)


def paid_by_year(fund: Fund) -> list[dict]:
    """Per calendar year: scheduled (committed) and actually paid, in pounds, with running totals."""
    scheduled: dict[int, int] = defaultdict(int)
    for schedule in fund.awards.values_list("schedule_pounds", flat=True):
        for i, pounds in enumerate(schedule):
            scheduled[fund.start_date.year + i] += pounds
    paid: dict[int, int] = defaultdict(int)
    for day, pence in Disbursement.objects.filter(award__fund=fund).values_list("paid_on", "amount_pence"):
        paid[day.year] += pence
    rows, run_s, run_p = [], 0, 0
    for year in sorted(set(scheduled) | set(paid)):
        run_s += scheduled[year]
        run_p += paid[year] // 100
        rows.append(
            {
                "year": year,
                "scheduled": scheduled[year],
                "paid": paid[year] // 100,
                "scheduled_to_date": run_s,
                "paid_to_date": run_p,
            }
        )
    return rows


def needs_of(fund: Fund) -> dict[str, float]:
    areas = [a.area for a in fund.awards.select_related("area")]
    return {p.code: p.need for p in places_for(areas)} if areas else {}


ELIGIBILITY_WORDS = {
    Eligibility.LEFT_BEHIND: "wards that are in the 10% most deprived in England on the Index of Multiple "
    "Deprivation and in the 10% with the highest need on the Community Needs Index (the left-behind wards)",
    Eligibility.IMD_DECILE_1: "wards in the 10% most deprived in England on the Index of Multiple Deprivation",
    Eligibility.THRESHOLD: "wards whose {measure} is at most {at_most:g}",
    Eligibility.CUSTOM: "a published list of {n} wards",
}
POLICY_WORDS = {
    Policy.BIG_LOCAL: "about £1 million for every 9,000 residents (as Big Local did), scaled down pro rata when the "
    "fund is smaller than the total of those targets",
    Policy.EQUAL: "the same amount for every ward",
    Policy.PER_CAPITA: "in proportion to each ward's population",
    Policy.NEEDS_WEIGHTED: "in proportion to population times the ward's IMD score",
}


def plain_english_method(fund: Fund) -> list[str]:
    e = fund.eligibility
    who = ELIGIBILITY_WORDS[Eligibility(e.kind)].format(measure=e.measure, at_most=e.at_most or 0, n=len(e.codes))
    steps = [
        f"Who can receive an award: {who}. Policy “{e.name}”, decided {e.decided_on:%-d %B %Y}.",
        f"How the £{fund.total_pounds:,} is shared: {POLICY_WORDS[Policy(fund.policy)]}.",
    ]
    if fund.floor_pence or fund.cap_pence:
        floor = f"at least £{fund.floor_pence // 100:,}" if fund.floor_pence else ""
        cap = f"at most £{fund.cap_pence // 100:,}" if fund.cap_pence else ""
        steps.append(f"Each award is {' and '.join(x for x in (floor, cap) if x)}.")
    steps.append(
        f"Amounts are whole pounds and never add up to more than the fund. Pounds left over after rounding go one "
        f"each to the wards with the largest remainders ({engine.TIE_BREAK})."
    )
    steps.append(f"Each award is paid over {fund.years} years ({fund.profile}) from {fund.start_date:%-d %B %Y}.")
    return steps
