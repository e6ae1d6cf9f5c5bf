"""The fund API: committed funds and their awards, with what has been paid (drafts stay private).

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

import datetime as dt

from django.db.models import Sum
from django.http import HttpRequest
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public
from commonground.core.api import Problem

router = Router(tags=["funds"])


class FundSummary(Schema):
    slug: str
    name: str
    funder_name: str
    total_pence: int
    start_date: dt.date
    years: int
    policy: str
    eligibility: str
    awards: int
    awarded_pence: int
    paid_pence: int
    url: str


class AwardOut(Schema):
    ward_code: str
    ward_name: str
    local_authority: str
    region: str
    population: int
    left_behind: bool
    amount_pence: int
    paid_pence: int
    schedule_pounds: list[int]
    planned_start: dt.date
    planned_end: dt.date
    url: str


class FundDetail(FundSummary):
    method: list[str]
    awards_list: list[AwardOut]
    geojson: str
    grants_360giving: str


def _committed():
    from commonground.fund.models import Fund

    return Fund.objects.filter(status=Fund.Status.COMMITTED).select_related("eligibility").order_by("name")


def _summary(fund) -> dict:
    totals = fund.awards.aggregate(n=Sum("amount_pence"))
    paid = fund.awards.aggregate(p=Sum("disbursements__amount_pence"))["p"] or 0
    return {
        "slug": fund.slug, "name": fund.name, "funder_name": fund.funder_name, "total_pence": fund.total_pence,
        "start_date": fund.start_date, "years": fund.years, "policy": fund.policy,
        "eligibility": fund.eligibility.name, "awards": fund.awards.count(), "awarded_pence": totals["n"] or 0,
        "paid_pence": paid, "url": f"/funds/{fund.slug}/",
    }  # fmt: skip


def _award(fund, award) -> dict:
    return {
        "ward_code": award.ward_code, "ward_name": award.ward_name, "local_authority": award.local_authority,
        "region": award.region, "population": award.population, "left_behind": award.left_behind,
        "amount_pence": award.amount_pence, "paid_pence": award.paid or 0,
        "schedule_pounds": [int(p) for p in award.schedule_pounds], "planned_start": award.planned_start,
        "planned_end": award.planned_end, "url": f"/funds/{fund.slug}/awards/{award.ward_code}/",
    }  # fmt: skip


@router.get("/funds", response=list[FundSummary], summary="Committed funds, with what they awarded and paid")
@public
def fund_list(request: HttpRequest):
    return [_summary(f) for f in _committed()]


@router.get(
    "/funds/{slug}",
    response={200: FundDetail, 404: Problem},
    summary="One committed fund: its method in plain English and every award with what has been paid",
)
@public
def fund_detail(request: HttpRequest, slug: str):
    from commonground.fund import services

    fund = _committed().filter(slug=slug[:80]).first()
    if fund is None:
        return Status(404, {"detail": f"No committed fund {slug!r}"})
    awards = fund.awards.annotate(paid=Sum("disbursements__amount_pence")).order_by("ward_code")
    return Status(200, {
        **_summary(fund), "method": services.plain_english_method(fund),
        "awards_list": [_award(fund, a) for a in awards], "geojson": f"/funds/{fund.slug}/awards.geojson",
        "grants_360giving": f"/funds/{fund.slug}/360giving.json",
    })  # fmt: skip


@router.get(
    "/funds/{slug}/awards/{code}",
    response={200: AwardOut, 404: Problem},
    summary="One award of a committed fund (a ward), with what has been paid",
)
@public
def award_detail(request: HttpRequest, slug: str, code: str):
    fund = _committed().filter(slug=slug[:80]).first()
    award = None
    if fund is not None:
        awards = fund.awards.annotate(paid=Sum("disbursements__amount_pence"))
        award = awards.filter(ward_code=code.upper()[:16]).first()
    if award is None:
        return Status(404, {"detail": f"No award {code!r} in a committed fund {slug!r}"})
    return Status(200, _award(fund, award))
