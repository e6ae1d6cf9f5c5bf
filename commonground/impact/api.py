"""The impact assessments API: the published register and each published assessment with its profile.

Annotations are real objects here (no postponed evaluation): django-ninja reads them.
"""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from commonground.accounts.permissions import public
from commonground.core.api import page_bounds
from commonground.impact import public_register
from commonground.impact.models import Assessment

router = Router(tags=["impact assessments"])


class AssessmentSummary(Schema):
    reference: str
    title: str
    body: str
    version: int
    published_at: str
    neighbourhoods: list[str]
    wards: list[str]
    url: str


class ImpactOut(Schema):
    place: str
    group: str
    direction: str
    description: str
    mitigation: str


class ResponseOut(Schema):
    signed_as: str
    board: str
    text: str
    created_at: str
    answer: str
    answered_at: str | None


class AssessmentDetail(AssessmentSummary):
    proposal: str
    decision: str
    decision_reasons: str
    review_date: str | None
    profile: dict
    impacts: list[ImpactOut]
    responses: list[ResponseOut]


def _summary(a: Assessment) -> dict:
    return {"reference": a.reference, "title": a.published_title, "body": a.body.name, "version": a.published_version,
            "published_at": a.published_at.isoformat(), "neighbourhoods": a.neighbourhoods, "wards": a.wards,
            "url": a.get_absolute_url()}  # fmt: skip


@router.get("/impact/assessments", response=list[AssessmentSummary], summary="Published community impact assessments")
@public
def assessments(request: HttpRequest, q: str = "", body: str = "", neighbourhood: str = "", offset: int = 0,
                limit: int = 100) -> list[dict]:  # fmt: skip
    offset, limit = page_bounds(offset, limit)
    found = public_register.register(q[:100], body[:100], neighbourhood[:100])
    return [_summary(a) for a in found[offset : offset + limit]]


@router.get("/impact/assessments/{reference}", response=AssessmentDetail, summary="One published assessment")
@public
def assessment(request: HttpRequest, reference: str) -> dict:
    found = get_object_or_404(Assessment.objects.exclude(published_version=None).select_related("body"),
                              reference=reference)  # fmt: skip
    version = found.published
    return {
        **_summary(found), "proposal": version.proposal, "decision": version.decision,
        "decision_reasons": version.decision_reasons,
        "review_date": version.review_date.isoformat() if version.review_date else None, "profile": version.profile,
        "impacts": [{"place": i.place_label, "group": i.group, "direction": i.direction, "description": i.description,
                     "mitigation": i.mitigation} for i in version.impacts.all()],
        "responses": [{"signed_as": "" if r.hidden else r.signed_as, "board": r.board_name,
                       "text": f"[hidden: {r.hidden_reason}]" if r.hidden else r.text,
                       "created_at": r.created_at.isoformat(), "answer": r.answer,
                       "answered_at": r.answered_at.isoformat() if r.answered_at else None}
                      for r in found.responses.all()],
    }  # fmt: skip
