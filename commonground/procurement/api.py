"""The procurement API: tenders, and for awarded ones the published model, scores and explanation.

Annotations are real objects here (no postponed evaluation): django-ninja reads them.
"""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from commonground.accounts.permissions import public
from commonground.procurement.models import Tender

router = Router(tags=["procurement"])


class TenderOut(Schema):
    reference: str
    title: str
    body: str
    status: str
    awarded_to: str | None
    award: dict | None


def _tender(t: Tender) -> dict:
    awarded = t.status == Tender.Status.AWARDED
    return {
        "reference": t.reference,
        "title": t.title,
        "body": t.body.name,
        "status": t.status,
        "awarded_to": t.awarded_bid.supplier if awarded else None,
        "award": t.award if awarded else None,
    }


@router.get("/procurement/tenders", response=list[TenderOut], summary="Tenders (the model and scores after award)")
@public
def tenders(request: HttpRequest) -> list[dict]:
    return [_tender(t) for t in Tender.objects.select_related("body", "awarded_bid")]


@router.get("/procurement/tenders/{reference}", response=TenderOut, summary="One tender")
@public
def tender(request: HttpRequest, reference: str) -> dict:
    return _tender(get_object_or_404(Tender.objects.select_related("body", "awarded_bid"), reference=reference))
