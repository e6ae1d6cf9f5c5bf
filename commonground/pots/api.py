"""The pots API: every pot with its balances and allocations.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public
from commonground.core.api import Problem

router = Router(tags=["pots"])


class PotSummary(Schema):
    slug: str
    name: str
    source: str
    council_code: str | None
    neighbourhood: str | None
    amount_pence: int
    set_aside_pence: int
    allocated_pence: int
    paid_pence: int
    left_pence: int
    spend_by: dt.date | None
    may_pay_for: str


class PotAllocation(Schema):
    reference: str
    title: str
    recipient_name: str
    ward_code: str
    amount_pence: int
    paid_pence: int
    decided_on: dt.date


class PotDetail(PotSummary):
    origin: str
    funder_name: str
    allocations: list[PotAllocation]
    licence: str


def _summary(pot) -> dict:
    from commonground.pots.services import balance

    b = balance(pot)
    return {
        "slug": pot.slug, "name": pot.name, "source": pot.source,
        "council_code": pot.council.code if pot.council_id else None,
        "neighbourhood": pot.neighbourhood.slug if pot.neighbourhood_id else None, "amount_pence": b.amount,
        "set_aside_pence": b.reserved, "allocated_pence": b.allocated, "paid_pence": b.paid, "left_pence": b.available,
        "spend_by": pot.spend_by, "may_pay_for": pot.may_pay_for,
    }  # fmt: skip


@router.get("/pots", response=list[PotSummary], summary="Pots of money a neighbourhood or council decides on")
@public
def pot_list(request: HttpRequest):
    from commonground.pots.models import Pot

    return [_summary(p) for p in Pot.objects.select_related("council", "neighbourhood")]


@router.get("/pots/{slug}", response={200: PotDetail, 404: Problem}, summary="One pot, with its allocations")
@public
def pot_detail(request: HttpRequest, slug: str):
    from commonground.pots.models import Pot
    from commonground.pots.services import allocation_balance

    pot = Pot.objects.select_related("council", "neighbourhood").filter(slug=slug[:80]).first()
    if pot is None:
        return Status(404, {"detail": f"No pot {slug!r}"})
    allocations = []
    for a in pot.allocations.all():
        amount, paid = allocation_balance(a)
        allocations.append({"reference": a.reference, "title": a.title, "recipient_name": a.recipient_name,
                            "ward_code": a.ward_code, "amount_pence": amount, "paid_pence": paid,
                            "decided_on": a.decided_on})  # fmt: skip
    return Status(200, {**_summary(pot), "origin": pot.origin, "funder_name": pot.funder_name,
                        "allocations": allocations, "licence": "Open Government Licence v3.0"})  # fmt: skip
