"""Applications to a PB process and the panel that scores them, up to the published shortlist."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import User
from commonground.audit.service import record
from commonground.budgeting import fences, scoring
from commonground.budgeting.basics import BEFORE_SCORING, Phase, ProcessError, account_of
from commonground.budgeting.models import (
    ApplicantKind,
    ApplicationLine,
    Criterion,
    Declaration,
    Moderation,
    Process,
    Proposal,
    RingFence,
    Score,
    Scorer,
)
from commonground.neighbourhoods import services as neighbourhoods


def priorities(process: Process) -> list[tuple[int, str]]:
    """What applications may be for: a neighbourhood's process takes its plan's objectives (ref, title);
    another process its own list, one per line, numbered from 1."""
    if process.neighbourhood_id:
        found = neighbourhoods.objectives_of(process.neighbourhood.slug)
        if found:
            return found
    lines = [line.strip() for line in process.priorities.splitlines() if line.strip()]
    return list(enumerate(lines, start=1))


def fenced_kinds(process: Process) -> bool:
    return process.ring_fences.filter(field=RingFence.Field.APPLICANT_KIND).exists()


def submit_application(
    process: Process,
    author,
    *,
    title: str,
    summary: str,
    description: str = "",
    location: str = "",
    category: str = "",
    applicant_kind: str = "",
    organisation: str = "",
    priority_ref: int | None = None,
    lines: list[tuple[str, int]],
) -> Proposal:
    """An application to the published form: who applies, what for, its budget lines and which priority it
    serves. Its estimate is the sum of its lines."""
    if not process.uses_applications:
        raise ProcessError("This process takes ideas, not applications")
    if process.phase != Phase.PROPOSALS:
        raise ProcessError("This process is not taking applications now")
    if applicant_kind and applicant_kind not in ApplicantKind.values:
        raise ProcessError("Choose who leads the project", "applicant_kind")
    if not applicant_kind and fenced_kinds(process):
        raise ProcessError("Say who leads the project: part of the money is kept for each kind", "applicant_kind")
    if applicant_kind == ApplicantKind.VCFS and not organisation.strip():
        raise ProcessError("Name the voluntary, community or faith group applying", "organisation")
    offered = dict(priorities(process))
    if offered and priority_ref not in offered:
        raise ProcessError("Choose the priority your project serves", "priority_ref")
    lines = [(item.strip(), amount) for item, amount in lines if item.strip() or amount]
    if not lines:
        raise ProcessError("Give at least one budget line: what the money buys and how much", "line_1_item")
    for number, (item, amount) in enumerate(lines, start=1):
        if not item:
            raise ProcessError(f"Budget line {number}: say what the £{amount:,} buys", f"line_{number}_item")
        if not amount or amount <= 0:
            raise ProcessError(
                f"Budget line {number}: give the cost of {item} in whole pounds", f"line_{number}_amount"
            )
    total = sum(amount for _, amount in lines)
    if total > process.budget:
        raise ProcessError(
            f"The budget lines add up to £{total:,}, more than the whole £{process.budget:,}", "line_1_amount"
        )
    with transaction.atomic():
        proposal = Proposal.objects.create(
            process=process,
            submitted_by=account_of(author),
            title=title,
            summary=summary,
            description=description,
            location=location,
            category=category,
            applicant_kind=applicant_kind,
            organisation=organisation.strip(),
            priority_ref=priority_ref if offered else None,
            priority_title=offered.get(priority_ref, "")[:200],
            estimated_cost=total,
        )
        ApplicationLine.objects.bulk_create(
            ApplicationLine(proposal=proposal, item=i[:200], amount=a) for i, a in lines
        )
        record(
            author,
            "pb.apply",
            proposal,
            after={"title": proposal.title, "cost": total, "kind": applicant_kind, "priority": proposal.priority_ref},
        )
    return proposal


def _before_scoring(process: Process, what: str) -> None:
    if process.phase not in BEFORE_SCORING:
        raise ProcessError(f"{what} can only change before scoring or voting starts")


def set_ring_fences(process: Process, actor, rows: list[tuple[str, str, Decimal | None, Decimal | None]]) -> None:
    """Replace the process's ring-fences (field, value, least %, most %), before scoring or voting."""
    try:
        fences.check(rows, process.rule)
    except fences.FenceError as exc:
        raise ProcessError(str(exc), "fences") from None
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        _before_scoring(locked, "Ring-fences")
        before = [(f.field, f.value, f.min_percent, f.max_percent) for f in locked.ring_fences.all()]
        locked.ring_fences.all().delete()
        RingFence.objects.bulk_create(
            RingFence(process=locked, field=f, value=v.strip(), min_percent=lo, max_percent=hi) for f, v, lo, hi in rows
        )
        record(actor, "pb.ring_fences", locked, before={"fences": before}, after={"fences": rows})


def set_criteria(process: Process, actor, rows: list[tuple[str, str, int]]) -> None:
    """Replace the published scoring criteria (title, description, weight), before scoring starts."""
    if not rows:
        raise ProcessError("Give at least one criterion", "criterion_1_title")
    for number, (title, _, weight) in enumerate(rows, start=1):
        if not title.strip():
            raise ProcessError(f"Criterion {number}: give it a name", f"criterion_{number}_title")
        if not weight or weight <= 0:
            raise ProcessError(f"Criterion {number}: give its weight, more than 0", f"criterion_{number}_weight")
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        _before_scoring(locked, "Scoring criteria")
        locked.criteria.all().delete()
        Criterion.objects.bulk_create(
            Criterion(process=locked, title=t.strip()[:200], description=d.strip(), weight=w) for t, d, w in rows
        )
        record(actor, "pb.criteria", locked, after={"criteria": [(t, w) for t, _, w in rows]})


def add_scorer(process: Process, actor, email: str) -> Scorer:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ProcessError(f"No account uses {email.strip()}: ask them to create one first", "email")
    if process.phase not in (*BEFORE_SCORING, Phase.SCORING):
        raise ProcessError("Panel members are added before the scores are published")
    with transaction.atomic():
        scorer, made = Scorer.objects.get_or_create(process=process, user=user)
        if not made:
            raise ProcessError("That person is already on the panel", "email")
        record(actor, "pb.scorer_add", scorer, after={"account": user.pk})
    return scorer


def remove_scorer(process: Process, actor, scorer: Scorer) -> None:
    if process.phase not in BEFORE_SCORING:
        raise ProcessError("Panel members cannot be removed once scoring has started")
    with transaction.atomic():
        record(actor, "pb.scorer_remove", scorer, after={"account": scorer.user_id})
        scorer.delete()


def scorer_of(process: Process, user) -> Scorer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Scorer.objects.filter(process=process, user=user).first()


def _require_scorer(process: Process, user) -> Scorer:
    scorer = scorer_of(process, user)
    if scorer is None:
        raise ProcessError("Only members of this process's scoring panel can do that")
    return scorer


def declare(process: Process, user, proposal: Proposal, interest: str, recused: bool = True) -> Declaration:
    """A panel member's interest in an application (a family member applying, a group they run). Recused,
    they cannot score it, and any scores they gave it are withdrawn."""
    scorer = _require_scorer(process, user)
    if process.phase not in (*BEFORE_SCORING, Phase.SCORING):
        raise ProcessError("Interests are declared before the scores are published")
    if not interest.strip():
        raise ProcessError("Say what the interest is", "interest")
    with transaction.atomic():
        declaration, _ = Declaration.objects.update_or_create(
            scorer=scorer, proposal=proposal, defaults={"interest": interest.strip(), "recused": recused}
        )
        withdrawn = Score.objects.filter(scorer=scorer, proposal=proposal).delete()[0] if recused else 0
        record(
            user,
            "pb.declare",
            proposal,
            after={"panel_member": scorer.pk, "recused": recused, "scores_withdrawn": withdrawn},
        )
    return declaration


def is_recused(scorer: Scorer, proposal: Proposal) -> bool:
    return Declaration.objects.filter(scorer=scorer, proposal=proposal, recused=True).exists()


def score(process: Process, user, proposal: Proposal, values: dict[int, int], comment: str = "") -> None:
    """One panel member's scores (0 to 5) for one application on every criterion; scoring again replaces them.
    Refused for an application the member declared an interest in."""
    scorer = _require_scorer(process, user)
    with transaction.atomic():
        phase = Process.objects.select_for_update().values_list("phase", flat=True).get(pk=process.pk)
        if phase != Phase.SCORING:
            raise ProcessError("Scoring is not open")
        if proposal.process_id != process.pk:
            raise ProcessError("That application belongs to another process")
        if is_recused(scorer, proposal):
            raise ProcessError(f"You declared an interest in {proposal.title}, so you cannot score it")
        criteria = list(process.criteria.all())
        for c in criteria:
            value = values.get(c.pk)
            if value is None:
                raise ProcessError(f"Score {c.title} from 0 to 5", f"criterion_{c.pk}")
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= scoring.TOP:
                raise ProcessError(
                    f"{c.title}: a score is a whole number from 0 to 5, not {value!r}", f"criterion_{c.pk}"
                )
        for c in criteria:
            Score.objects.update_or_create(
                scorer=scorer,
                proposal=proposal,
                criterion=c,
                defaults={"value": values[c.pk], "comment": comment.strip()},
            )
        record(
            user,
            "pb.score",
            proposal,
            after={"panel_member": scorer.pk, "scores": {c.title: values[c.pk] for c in criteria}},
        )


def moderate(process: Process, actor, proposal: Proposal, criterion: Criterion, value: int, reason: str) -> Moderation:
    """The panel's agreed score on a criterion, replacing the members' average, with the reason (published)."""
    if not reason.strip():
        raise ProcessError("Say why the score is moderated: it is published", "reason")
    if not 0 <= value <= scoring.TOP:
        raise ProcessError("A score is a whole number from 0 to 5", "value")
    with transaction.atomic():
        phase = Process.objects.select_for_update().values_list("phase", flat=True).get(pk=process.pk)
        if phase != Phase.SCORING:
            raise ProcessError("Scores are moderated while scoring is open")
        if proposal.process_id != process.pk or criterion.process_id != process.pk:
            raise ProcessError("That application or criterion belongs to another process")
        found, _ = Moderation.objects.update_or_create(
            proposal=proposal,
            criterion=criterion,
            defaults={"value": value, "reason": reason.strip(), "moderated_by": account_of(actor)},
        )
        record(actor, "pb.moderate", proposal, after={"criterion": criterion.title, "value": value})
    return found


def check_ready_to_score(process: Process) -> None:
    if not process.criteria.exists():
        raise ProcessError("Publish the scoring criteria before scoring starts")
    if not process.scorers.exists():
        raise ProcessError("Add the scoring panel's members before scoring starts")
    if not process.proposals.exists():
        raise ProcessError("No application has been made yet")


def publish_scores(process: Process, actor) -> list[scoring.ApplicationScore]:
    """Close scoring: every application needs a score on every criterion (from a member or moderated). Those
    scoring at least the threshold go on the ballot at the cost they asked for; the others do not, with
    their score as the reason. Scores and shortlist are public from now on."""
    rows = scoring.table(process)
    unscored = [r.proposal.title for r in rows if not r.complete]
    if unscored:
        raise ProcessError(f"Not every application is scored on every criterion yet: {', '.join(unscored[:5])}")
    for row in rows:
        p = row.proposal
        if row.shortlisted:
            p.status, p.cost, p.review_reason = Proposal.Status.FEASIBLE, p.estimated_cost, ""
        else:
            p.status = Proposal.Status.NOT_FEASIBLE
            p.review_reason = (
                f"Not shortlisted: it scored {row.total_shown} out of 100; the shortlist needs "
                f"{process.shortlist_threshold}."
            )
        p.save(update_fields=["status", "cost", "review_reason"])
    process.scores_published_at = timezone.now()
    process.save(update_fields=["scores_published_at"])
    record(
        actor,
        "pb.shortlist",
        process,
        after={"shortlisted": [r.proposal.pk for r in rows if r.shortlisted], "threshold": process.shortlist_threshold},
    )
    return rows
