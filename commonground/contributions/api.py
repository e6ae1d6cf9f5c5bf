"""The developer contributions API: a council's agreements with their money, and a zone's neighbourhood
portion of CIL with the reasons.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public
from commonground.core.api import Problem

router = Router(tags=["contributions"])


class ContributionTransaction(Schema):
    reference: str
    status: str
    amount_pence: int | None
    units: int | None
    on: dt.date


class ContributionOut(Schema):
    reference: str
    purpose: str
    amount_pence: int | None
    units: int | None
    trigger: str
    spend_by: dt.date | None
    ward_code: str
    transactions: list[ContributionTransaction]


class AgreementOut(Schema):
    reference: str
    name: str
    kind: str
    planning_application: str
    site_address: str
    ward_code: str
    start_date: dt.date | None
    contributions: list[ContributionOut]


class PortionYear(Schema):
    year: str
    receipts_pence: int
    share_before_cap_pence: int
    cap_pence: int | None
    portion_pence: int
    payments_due: list[dt.date]


class ZonePortion(Schema):
    id: int
    name: str
    council_code: str
    wards: list[str]
    local_council: bool
    dwellings: int | None
    index_factor: float
    cap_year: str
    years: list[PortionYear]
    explanation: list[str]
    licence: str


@router.get(
    "/contributions/{code}/agreements",
    response={200: list[AgreementOut], 404: Problem},
    summary="A council's developer agreements (S106 and CIL) with their money",
)
@public
def agreements(request: HttpRequest, code: str):
    from commonground.contributions.models import Agreement
    from commonground.contributions.services import find_council

    council = find_council(code)
    if council is None:
        return Status(404, {"detail": f"No council has the code {code[:16]!r}"})
    found = Agreement.objects.filter(council=council).prefetch_related("contributions__transactions")
    return Status(
        200,
        [
            {
                "reference": a.reference,
                "name": a.name,
                "kind": a.kind,
                "planning_application": a.planning_application,
                "site_address": a.site_address,
                "ward_code": a.ward_code,
                "start_date": a.start_date,
                "contributions": [
                    {
                        "reference": c.reference,
                        "purpose": c.purpose,
                        "amount_pence": c.amount_pence,
                        "units": c.units,
                        "trigger": c.trigger,
                        "spend_by": c.spend_by,
                        "ward_code": c.ward,
                        "transactions": [
                            {
                                "reference": t.reference,
                                "status": t.status,
                                "amount_pence": t.amount_pence,
                                "units": t.units,
                                "on": t.on,
                            }
                            for t in c.transactions.all()
                        ],
                    }
                    for c in a.contributions.all()
                ],
            }
            for a in found
        ],
    )


@router.get(
    "/contributions/zones/{zone_id}",
    response={200: ZonePortion, 404: Problem, 422: Problem},
    summary="The neighbourhood portion of CIL in a zone, by financial year, with the reasons",
)
@public
def zone(request: HttpRequest, zone_id: int):
    from commonground.contributions import services
    from commonground.contributions.models import CilZone

    found = CilZone.objects.select_related("council").filter(pk=zone_id).first() if 0 < zone_id < 2**62 else None
    if found is None:
        return Status(404, {"detail": f"No zone {zone_id}"})
    try:
        portion = services.portion(found)
    except services.ContributionsError as exc:
        return Status(422, {"detail": str(exc)})
    years = [
        {
            "year": y.label,
            "receipts_pence": y.receipts_pence,
            "share_before_cap_pence": y.share_without_plan_pence + y.share_with_plan_pence,
            "cap_pence": y.cap_pence,
            "portion_pence": y.passed_pence,
            "payments_due": [p.due for p in y.payments if p.due],
        }
        for y in portion.years
    ]
    return Status(
        200,
        {
            "id": found.pk,
            "name": found.name,
            "council_code": found.council.code,
            "wards": found.wards,
            "local_council": found.local_council,
            "dwellings": found.dwellings,
            "index_factor": float(found.index_factor),
            "cap_year": found.cap_year,
            "years": years,
            "explanation": portion.lines,
            "licence": "Open Government Licence v3.0",
        },
    )
