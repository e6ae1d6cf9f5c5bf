"""The delivery API: every funded thing with its status, spend, milestones and updates.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public
from commonground.core.api import Problem

router = Router(tags=["delivery"])


class DeliverySummary(Schema):
    id: int
    reference: str
    source: str
    title: str
    status: str
    progress: int
    amount_pence: int
    spent_pence: int
    council_code: str | None
    neighbourhood: str | None
    ward_code: str
    objective_ref: int | None
    funded_on: dt.date
    url: str


class DeliveryMilestone(Schema):
    title: str
    due_on: dt.date | None
    done_on: dt.date | None


class DeliveryPhoto(Schema):
    url: str
    alt_text: str
    width: int
    height: int
    sha256: str


class DeliveryUpdate(Schema):
    posted_on: dt.date
    text: str
    status: str
    progress: int
    spent_pence: int
    photos: list[DeliveryPhoto]


class DeliveryDetail(DeliverySummary):
    summary: str
    recipient_name: str
    origin_url: str
    milestones: list[DeliveryMilestone]
    updates: list[DeliveryUpdate]
    licence: str


def _summary(r) -> dict:
    return {
        "id": r.pk, "reference": r.reference, "source": r.source, "title": r.title, "status": r.status,
        "progress": r.progress, "amount_pence": r.amount_pence, "spent_pence": r.spent_pence,
        "council_code": r.council.code if r.council_id else None,
        "neighbourhood": r.neighbourhood.slug if r.neighbourhood_id else None, "ward_code": r.ward_code,
        "objective_ref": r.objective_ref, "funded_on": r.funded_on, "url": r.get_absolute_url(),
    }  # fmt: skip


@router.get("/delivery", response=list[DeliverySummary], summary="Funded projects and how their delivery is going")
@public
def delivery_list(request: HttpRequest, neighbourhood: str = "", council: str = "", source: str = ""):
    from commonground.delivery import services

    found = services.records(council=council[:16], source=source[:4])
    if neighbourhood:
        found = found.filter(neighbourhood__slug=neighbourhood[:80])
    return [_summary(r) for r in found[:1000]]


@router.get("/delivery/{record_id}", response={200: DeliveryDetail, 404: Problem}, summary="One funded project")
@public
def delivery_detail(request: HttpRequest, record_id: int):
    from commonground.delivery.models import Record

    r = (
        Record.objects.select_related("council", "neighbourhood").filter(pk=record_id).first()
        if 0 < record_id < 2**62
        else None
    )
    if r is None:
        return Status(404, {"detail": f"No delivery record {record_id}"})
    updates = [
        {"posted_on": u.posted_on, "text": u.text, "status": u.status, "progress": u.progress,
         "spent_pence": u.spent_pence,
         "photos": [{"url": reverse("delivery:photo", args=[p.pk]), "alt_text": p.alt_text, "width": p.width,
                     "height": p.height, "sha256": p.sha256} for p in u.photos.all()]}
        for u in r.updates.prefetch_related("photos")
    ]  # fmt: skip
    return Status(200, {
        **_summary(r), "summary": r.summary, "recipient_name": r.recipient_name, "origin_url": r.origin_url,
        "milestones": [{"title": m.title, "due_on": m.due_on, "done_on": m.done_on} for m in r.milestones.all()],
        "updates": updates, "licence": "Open Government Licence v3.0",
    })  # fmt: skip
