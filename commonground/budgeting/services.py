"""PB process logic: creating a process, its phases, proposals and review; the other parts live beside it
(applications, casting, money, results). Every change is audited in the same transaction (individual
ballots are not: the "has voted" mark is their record)."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from commonground.audit.service import record
from commonground.budgeting import applications, casting, money, results
from commonground.budgeting.basics import Phase, ProcessError, account_of, ballot_projects
from commonground.budgeting.models import Process, Proposal

PHASE_ORDER = [Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING, Phase.RESULTS, Phase.DELIVERY]
# With applications, a scoring panel scores them between the call and the council's review.
APPLICATION_PHASES = [
    Phase.DRAFT,
    Phase.PROPOSALS,
    Phase.SCORING,
    Phase.REVIEW,
    Phase.VOTING,
    Phase.RESULTS,
    Phase.DELIVERY,
]


# Phases -----------------------------------------------------------------------------------------


def create_process(actor, area, **fields) -> Process:
    casting.check_electorate(area, fields.get("electorate", Process.Electorate.VERIFIED_OR_CODES))
    base = slugify(fields["title"])[:70]
    slug, suffix = base, 2
    with transaction.atomic():
        while Process.objects.filter(slug=slug).exists():
            slug, suffix = f"{base}-{suffix}", suffix + 1
        process = Process.objects.create(slug=slug, area=area, created_by=account_of(actor), **fields)
        record(actor, "pb.create", process, after={"title": process.title, "rule": process.rule})
    return process


def phase_order(process: Process) -> list[str]:
    return APPLICATION_PHASES if process.uses_applications else PHASE_ORDER


def next_phase(process: Process) -> str | None:
    order = phase_order(process)
    if process.phase not in order:  # a process that stopped using applications while scoring
        return Phase.REVIEW
    index = order.index(Phase(process.phase))
    return order[index + 1] if index + 1 < len(order) else None


def advance(process: Process, actor, *, expected: str | None = None) -> Process:
    """Move to the next phase; closing the vote counts it and freezes the result.

    `expected` is the phase the officer saw: a double click or two officers at once must not
    skip a phase (e.g. close the vote and then end the results phase too)."""
    with transaction.atomic():
        process = Process.objects.select_for_update().get(pk=process.pk)
        if expected is not None and process.phase != expected:
            raise ProcessError(f"This process has already moved on to: {process.get_phase_display()}")
        target = next_phase(process)
        if target is None:
            raise ProcessError("This process is in its last phase")
        if target == Phase.SCORING:
            applications.check_ready_to_score(process)
        if target == Phase.REVIEW and process.phase == Phase.SCORING:
            applications.publish_scores(process, actor)
        if target == Phase.VOTING:
            money.check_fences_before_voting(process)
            if process.proposals.filter(status=Proposal.Status.SUBMITTED).exists():
                raise ProcessError("Review every proposal before voting opens")
            on_ballot = len(ballot_projects(process))
            if not on_ballot:
                raise ProcessError("No proposal is on the ballot yet")
            if process.min_selections > on_ballot:
                raise ProcessError(
                    f"Voters must choose at least {process.min_selections} projects but only {on_ballot} "
                    "are on the ballot, so nobody could vote"
                )
        before = {"phase": process.phase}
        process.phase = target
        process.save(update_fields=["phase"])
        record(actor, "pb.phase", process, before=before, after={"phase": target})
        if target == Phase.RESULTS:
            result = results.count(process)
            record(
                actor,
                "pb.result",
                result,
                after={
                    "rule": result.rule,
                    "winners": result.winners,
                    "spent": result.spent,
                    "sha256": result.sha256,
                    "fences": [{k: f[k] for k in ("field", "value", "spent", "met")} for f in result.fences],
                },
            )
            money.publish_winners(process, actor)
    return process


# Proposals and review ---------------------------------------------------------------------------


def submit_proposal(process: Process, author, **fields) -> Proposal:
    if process.phase != Phase.PROPOSALS:
        raise ProcessError("This process is not taking ideas now")
    with transaction.atomic():
        proposal = Proposal.objects.create(process=process, submitted_by=account_of(author), **fields)
        record(author, "pb.propose", proposal, after={"title": proposal.title, "cost": proposal.estimated_cost})
    return proposal


def review(proposal: Proposal, actor, *, feasible: bool, cost: int, reason: str) -> Proposal:
    if not feasible and not reason.strip():
        raise ProcessError("Say why the proposal cannot go on the ballot", field="reason")
    if feasible and cost <= 0:
        raise ProcessError("A project on the ballot must cost more than £0", field="cost")
    if feasible and cost > proposal.process.budget:
        raise ProcessError(f"The cost is more than the whole budget of £{proposal.process.budget:,}", field="cost")
    with transaction.atomic():
        # Lock the process so voting cannot open between this check and the save: the ballot must
        # not change under voters.
        phase = Process.objects.select_for_update().values_list("phase", flat=True).get(pk=proposal.process_id)
        if phase not in (Phase.PROPOSALS, Phase.REVIEW):
            raise ProcessError("Proposals can only be reviewed before voting opens")
        before = {"status": proposal.status, "cost": proposal.cost}
        proposal.status = Proposal.Status.FEASIBLE if feasible else Proposal.Status.NOT_FEASIBLE
        proposal.cost = cost
        proposal.review_reason = reason.strip()
        proposal.reviewed_by = account_of(actor)
        proposal.save(update_fields=["status", "cost", "review_reason", "reviewed_by"])
        record(actor, "pb.review", proposal, before=before, after={"status": proposal.status, "cost": cost})
    return proposal
