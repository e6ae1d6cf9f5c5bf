"""The ballots API: resident ballots with their phase, and the result of each counted one (totals and the
published papers' digest; never the roll).

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public
from commonground.core.api import Problem

router = Router(tags=["ballots"])


class BallotSummary(Schema):
    id: int
    title: str
    estate: str
    area_code: str | None
    question: str
    options: list[str]
    opens_at: dt.datetime
    closes_at: dt.datetime
    phase: str
    url: str
    result: str | None


class OptionResult(Schema):
    option: str
    votes: int
    share_of_valid: float


class BallotResult(Schema):
    ballot: BallotSummary
    options: list[OptionResult]
    valid_votes: int
    spoilt: int
    papers: int
    electorate: int
    turnout: float
    majority: str | None
    counted_at: dt.datetime
    papers_sha256: str
    papers_json: str


def _ballots():
    from commonground.ballots.models import Ballot

    return Ballot.objects.select_related("area").prefetch_related("options").order_by("-opens_at", "-id")


def _summary(ballot) -> dict:
    counted = hasattr(ballot, "result")
    return {
        "id": ballot.pk, "title": ballot.title, "estate": ballot.estate,
        "area_code": ballot.area.code if ballot.area_id else None, "question": ballot.question,
        "options": [o.label for o in ballot.options.all()], "opens_at": ballot.opens_at, "closes_at": ballot.closes_at,
        "phase": ballot.phase().value, "url": f"/ballots/{ballot.pk}/",
        "result": f"/api/ballots/{ballot.pk}/result" if counted else None,
    }  # fmt: skip


@router.get("/ballots", response=list[BallotSummary], summary="Resident ballots, with their phase")
@public
def ballot_list(request: HttpRequest):
    return [_summary(b) for b in _ballots().select_related("result")]


@router.get(
    "/ballots/{ballot_id}/result",
    response={200: BallotResult, 404: Problem},
    summary="The result of a counted ballot: votes for each option, spoilt papers, turnout, the papers' digest",
)
@public
def ballot_result(request: HttpRequest, ballot_id: int):
    ballot = _ballots().select_related("result").filter(pk=ballot_id).first()
    if ballot is None or not hasattr(ballot, "result"):
        return Status(404, {"detail": f"No counted ballot {ballot_id}"})
    totals = ballot.result.totals
    return Status(200, {
        "ballot": _summary(ballot), "options": totals["options"], "valid_votes": totals["valid_votes"],
        "spoilt": totals["spoilt"], "papers": totals["papers"], "electorate": totals["electorate"],
        "turnout": totals["turnout"], "majority": totals.get("majority"), "counted_at": ballot.result.counted_at,
        "papers_sha256": ballot.result.papers_sha256, "papers_json": f"/ballots/{ballot.pk}/papers.json",
    })  # fmt: skip
