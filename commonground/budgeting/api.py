"""The participatory budgeting API: processes and their published results.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

from django.http import HttpRequest
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public
from commonground.core.api import Problem

router = Router(tags=["budgeting"])


class PBProcessSummary(Schema):
    slug: str
    title: str
    area_code: str | None
    neighbourhood: str | None
    budget_gbp: int
    phase: str
    ballot_type: str
    rule: str
    secret: bool


class PBProjectResult(Schema):
    project_id: str
    title: str
    cost_gbp: int
    ballots: int
    points: int
    won: bool
    why: str
    delivery: str
    spent_gbp: int


class PBRingFence(Schema):
    field: str
    value: str
    min_share: float | None
    max_share: float | None
    spent: float
    share: float
    met: bool
    sentence: str


class PBResult(Schema):
    process: PBProcessSummary
    rule: str
    ballots: int
    spent_gbp: int
    winners: list[str]
    projects: list[PBProjectResult]
    ring_fences: list[PBRingFence]
    pb_file_sha256: str
    replay: str
    licence: str


def _pb_summary(process) -> dict:
    return {
        "slug": process.slug,
        "title": process.title,
        "area_code": process.area.code if process.area else None,
        "neighbourhood": process.neighbourhood.slug if process.neighbourhood_id else None,
        "budget_gbp": process.budget,
        "phase": process.phase,
        "ballot_type": process.ballot_type,
        "rule": process.rule,
        "secret": process.secret,
    }


@router.get(
    "/budgeting/processes",
    response=list[PBProcessSummary],
    summary="Participatory budgeting processes",
    tags=["budgeting"],
)
@public
def pb_processes(request: HttpRequest):
    from commonground.budgeting.models import Process

    processes = Process.objects.exclude(phase=Process.Phase.DRAFT).select_related("area", "neighbourhood")
    return [_pb_summary(p) for p in processes]


@router.get(
    "/budgeting/processes/{slug}/results",
    response={200: PBResult, 404: Problem},
    summary="Results of a PB process, with each project's support and why it won or lost",
    tags=["budgeting"],
)
@public
def pb_results(request: HttpRequest, slug: str):
    from commonground.budgeting.models import Process
    from commonground.budgeting.results import replay_command, result_rows

    process = Process.objects.select_related("area").filter(slug=slug).first()
    if process is None or process.phase not in (Process.Phase.RESULTS, Process.Phase.DELIVERY):
        return Status(404, {"detail": f"No published results for {slug!r}"})
    result = process.result
    projects = [
        {
            "project_id": row.proposal.project_id,
            "title": row.proposal.title,
            "cost_gbp": row.proposal.cost,
            "ballots": row.ballots,
            "points": row.points,
            "won": row.won,
            "why": row.why,
            "delivery": row.record.status if row.record else "",
            "spent_gbp": row.record.spent_pence // 100 if row.record else 0,
        }
        for row in result_rows(process)
    ]
    return Status(
        200,
        {
            "process": _pb_summary(process),
            "rule": result.rule,
            "ballots": result.ballots,
            "spent_gbp": result.spent,
            "winners": result.winners,
            "projects": projects,
            "ring_fences": [
                {k: f.get(k) for k in ("field", "value", "min_share", "max_share", "spent", "share", "met", "sentence")}
                for f in result.fences
            ],  # fmt: skip
            "pb_file_sha256": result.sha256,
            "replay": replay_command(process),
            "licence": "Open Government Licence v3.0",
        },
    )
