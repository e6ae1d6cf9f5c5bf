"""PB process logic: phases, proposals, review, codes, casting and changing ballots, paper double
entry, the count and delivery. Views call these; every change is audited in the same transaction
(individual ballots are not: the "has voted" mark is their record)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from commonground.accounts.models import User
from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.audit.service import record
from commonground.budgeting import fences, scoring
from commonground.budgeting.models import (
    AGE_BANDS,
    PREFER_NOT,
    SEXES,
    ApplicantKind,
    ApplicationLine,
    BallotPaper,
    Criterion,
    Declaration,
    Moderation,
    PaperEntry,
    Process,
    Proposal,
    Result,
    RingFence,
    RollEntry,
    Score,
    Scorer,
    VoterMark,
    VotingCode,
)
from commonground.delivery import services as delivery
from commonground.engine import disclosure, population, postcodes
from commonground.engine.pb import ballot, explain, pabulib, rules
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places import services as places
from commonground.places.models import AreaType
from commonground.pots import services as pots
from commonground.voting import codes, double_entry, limits, marks

Phase = Process.Phase
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
BEFORE_SCORING = (Phase.DRAFT, Phase.PROPOSALS)
CODE_LENGTH = 12  # 30**12 > 2**58: guessing one of 1,000 codes takes ~10**14 tries
CODE, RECEIPT = "budgeting.code", "budgeting.receipt"  # what each keyed hash is for (voting.codes)
# Wrong codes or receipt codes allowed from one address, against guessing; counted in the database,
# so every web worker sees the same count.
CODE_GUESSES = limits.Limit("budgeting.code-guess", allowed=10, window=15 * 60)


class ProcessError(Exception):
    """A request the process's state or rules do not allow; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _user(actor):
    """The account behind an action, or None for commands (which name themselves in the audit log)."""
    return actor if getattr(actor, "is_authenticated", False) else None


class TooManyGuesses(ProcessError):
    """Too many wrong codes or receipt codes from one address; the message says when to try again."""


# Phases -----------------------------------------------------------------------------------------


def create_process(actor, area, **fields) -> Process:
    check_electorate(area, fields.get("electorate", Process.Electorate.VERIFIED_OR_CODES))
    base = slugify(fields["title"])[:70]
    slug, suffix = base, 2
    with transaction.atomic():
        while Process.objects.filter(slug=slug).exists():
            slug, suffix = f"{base}-{suffix}", suffix + 1
        process = Process.objects.create(slug=slug, area=area, created_by=_user(actor), **fields)
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


def scope_of(process: Process) -> Scope | None:
    """Where a process lives, for permission checks: its area's councils and its neighbourhood (with the
    neighbourhood's councils). None: a process tied to no place, for site-wide roles only."""
    councils = set(places.scope_of(process.area).councils) if process.area_id else set()
    hoods = []
    if process.neighbourhood_id:
        hoods = [process.neighbourhood.slug]
        councils |= set(neighbourhoods.councils_of(process.neighbourhood.slug))
    if not councils and not hoods:
        return None
    return Scope.of(sorted(councils), hoods)


def council_of(process: Process):
    """The council the process's money and delivery belong to (its area's, else its neighbourhood's)."""
    if process.area_id:
        found = places.councils_of([process.area])
        if found:
            return found[0]
    if process.neighbourhood_id:
        codes_ = neighbourhoods.councils_of(process.neighbourhood.slug)
        if codes_:
            return places.find_area(codes_[0])
    return None


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
            _check_ready_to_score(process)
        if target == Phase.REVIEW and process.phase == Phase.SCORING:
            publish_scores(process, actor)
        if target == Phase.VOTING:
            check_fences_before_voting(process)
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
            result = count(process)
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
            publish_winners(process, actor)
    return process


# Proposals and review ---------------------------------------------------------------------------


def submit_proposal(process: Process, author, **fields) -> Proposal:
    if process.phase != Phase.PROPOSALS:
        raise ProcessError("This process is not taking ideas now")
    with transaction.atomic():
        proposal = Proposal.objects.create(process=process, submitted_by=_user(author), **fields)
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
        proposal.reviewed_by = _user(actor)
        proposal.save(update_fields=["status", "cost", "review_reason", "reviewed_by"])
        record(actor, "pb.review", proposal, before=before, after={"status": proposal.status, "cost": cost})
    return proposal


def ballot_projects(process: Process) -> list[Proposal]:
    return list(process.proposals.filter(status=Proposal.Status.FEASIBLE).order_by("id"))


def ballot_rules(process: Process, proposals: list[Proposal] | None = None) -> ballot.BallotRules:
    proposals = ballot_projects(process) if proposals is None else proposals
    return ballot.BallotRules(
        ballot_type=process.ballot_type,
        costs={p.project_id: p.cost for p in proposals},
        budget=process.budget,
        min_selections=process.min_selections,
        max_selections=process.max_selections,
        max_points=process.max_points,
    )


# Applications, scoring and the shortlist -------------------------------------------------------------


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
            submitted_by=_user(author),
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
            defaults={"value": value, "reason": reason.strip(), "moderated_by": _user(actor)},
        )
        record(actor, "pb.moderate", proposal, after={"criterion": criterion.title, "value": value})
    return found


def _check_ready_to_score(process: Process) -> None:
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


# Ring-fences at the vote ------------------------------------------------------------------------------


def pb_projects(proposals: list[Proposal]) -> list[ballot.Project]:
    """The ballot's projects for the .pb file, with who leads each where any application says."""
    kinds = any(p.applicant_kind for p in proposals)
    return [
        ballot.Project(
            p.project_id, p.title, p.cost, p.category, (("applicant_kind", p.applicant_kind),) if kinds else ()
        )
        for p in proposals
    ]


def check_fences_before_voting(process: Process) -> None:
    """Voting opens only if the ring-fences can all be kept by some choice of the projects on the ballot."""
    if not process.ring_fences.exists():
        return
    if fences.engine() is None:
        raise ProcessError(fences.missing_message("voting opens"))
    proposals = ballot_projects(process)
    text = ballot.to_pabulib(election_meta(process), ballot_rules(process, proposals), pb_projects(proposals), [])
    why = fences.feasible_or_why(pabulib.parse(text, source="ballot"), fences.to_engine(process))
    if why:
        raise ProcessError(f"Voting cannot open: no choice of the projects on the ballot keeps the ring-fences ({why})")


# Money: pots and delivery ----------------------------------------------------------------------------------


def money_reference(process: Process) -> str:
    return f"pb:{process.slug}"


def draw_from_pot(process: Process, actor, pot_id: int, pounds: int):
    """Set `pounds` of a pot aside as (part of) this process's budget; 0 takes the pot off. The budget
    becomes what all its pots hold for it. Only before voting, and only by someone who may run the pot."""
    pot = pots.get(pot_id)
    if pot is None:
        raise ProcessError("Choose a pot", "pot")
    if not user_can(actor, Capability.RUN_PROCESSES, pots.scope_of(pot)):
        raise ProcessError(f"You cannot spend from {pot.name}: it belongs to another council or neighbourhood", "pot")
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        if locked.phase not in (*BEFORE_SCORING, Phase.SCORING, Phase.REVIEW):
            raise ProcessError("The budget cannot change once voting has opened")
        url = reverse("budgeting:detail", args=[locked.slug])
        try:
            pots.set_aside(actor, pot.pk, money_reference(locked), locked.title, pounds * 100, url=url)
        except pots.PotError as exc:
            raise ProcessError(str(exc), "amount") from None
        held = sum(amount for _, amount in pots.set_aside_for(money_reference(locked)))
        if held:
            before = locked.budget
            locked.budget = held // 100
            locked.source_of_money = ", ".join(
                r.pot.name for r, amount in pots.set_aside_for(money_reference(locked)) if amount
            )[:200]
            locked.save(update_fields=["budget", "source_of_money"])
            record(actor, "pb.budget", locked, before={"budget": before}, after={"budget": locked.budget})
    return locked


def draws(process: Process) -> list[tuple]:
    """(pot, money held for the process now) of each pot it draws on."""
    return [(r.pot, held) for r, held in pots.set_aside_for(money_reference(process))]


def publish_winners(process: Process, actor) -> None:
    """When results are published: every winner gets a delivery record, and where the budget came from pots,
    an allocation from the money set aside (what is left goes back to the pots)."""
    result = process.result
    council = council_of(process)
    ward = process.area.code if process.area_id and process.area.area_type.level == AreaType.Level.WARD else ""
    winners = [p for p in ballot_projects(process) if p.project_id in result.winners]
    results_url = reverse("budgeting:results", args=[process.slug])
    recipient = {
        p.pk: p.organisation
        or (f"{p.get_applicant_kind_display()}: {p.title}" if p.applicant_kind else "")
        or (council.name if council else "The council")
        for p in winners
    }
    for p in winners:
        delivery.ensure(
            actor,
            p.reference,
            source="pb",
            title=p.title,
            amount_pence=p.cost * 100,
            summary=p.summary,
            origin_url=results_url,
            recipient_name=recipient[p.pk],
            council=council,
            neighbourhood=process.neighbourhood,
            ward_code=ward,
            objective_ref=p.priority_ref,
            funded_on=result.computed_at.date(),
        )
    if pots.set_aside_for(money_reference(process)):
        items = [
            {
                "reference": p.reference,
                "title": p.title,
                "recipient_name": recipient[p.pk],
                "amount_pence": p.cost * 100,
                "ward_code": ward,
                "url": results_url,
                "neighbourhood": process.neighbourhood,
            }
            for p in winners
        ]
        try:
            pots.allocate_set_aside(actor, money_reference(process), items, on=result.computed_at.date())
        except pots.PotError as exc:
            raise ProcessError(f"The winners cannot be paid from the pots: {exc}") from None


def delivery_records(process: Process) -> dict[str, object]:
    """The delivery record of each winner, by project id."""
    found = delivery.by_reference(f"pb:{process.slug}:{p.pk}" for p in process.proposals.all())
    return {ref.rsplit(":", 1)[1]: r for ref, r in found.items()}


# Who may vote -----------------------------------------------------------------------------------


def check_electorate(area, electorate: str) -> None:
    """A postcode check needs an area and the postcode lookup for it; otherwise the officer must
    choose another electorate (an officer-approved roll)."""
    if electorate != Process.Electorate.POSTCODE:
        return
    if area is None:
        raise ProcessError("Enter the code of the area whose residents vote, to check their postcodes", "area_code")
    if not places.has_postcodes(area):
        raise ProcessError(
            f"No postcodes are loaded for {area.name}, so voters' postcodes cannot be checked. Load the postcode "
            "lookup (commonground data load-postcodes) or choose a roll of voters approved by an officer",
            "electorate",
        )


def check_postcode(process: Process, text: str | None) -> str:
    """The voter's postcode in its published form, if it lies in the process's area.

    The postcode is checked and not kept: the "has voted" mark is enough to stop a second vote."""
    area = process.area
    if not (text or "").strip():
        raise ProcessError(f"Enter a postcode in {area.name}", "postcode")
    postcode = postcodes.normalise(text)
    if postcode is None:
        raise ProcessError(f"Enter a real postcode in {area.name}", "postcode")
    lsoas = places.postcode_lsoa_ids(postcode)
    if not lsoas:
        raise ProcessError(
            "We do not recognise that postcode. Check it, or ask the council to add you to the roll", "postcode"
        )
    if not lsoas & places.lsoa_ids_within(area):
        raise ProcessError(f"Enter a postcode in {area.name}: {postcode} is outside it", "postcode")
    return postcode


def may_vote_with_account(process: Process, user) -> tuple[bool, str]:
    """Whether a signed-in person is on this process's electorate, and if not, why."""
    if not process.accepts_accounts:
        return False, "This vote uses voting codes. Enter the code from your letter or the event."
    if not getattr(user, "is_authenticated", False):
        return False, "Sign in to vote, or use a voting code." if process.accepts_codes else "Sign in to vote."
    if process.electorate == Process.Electorate.ROLL:
        if process.roll.filter(email__iexact=user.email).exists():
            return True, ""
        return False, "You are not on the roll of voters for this process. Ask the council to add you."
    if process.electorate == Process.Electorate.POSTCODE:
        return True, ""  # any account; the postcode on the ballot is checked against the area
    if user_can(user, Capability.VOTE, scope_of(process)):
        return True, ""
    return False, "Only verified residents can vote online. Ask the council to verify where you live."


def issue_codes(process: Process, actor, number: int, batch: str) -> list[str]:
    """Make `number` one-time codes; they are returned once, for printing, and stored only hashed."""
    if not process.accepts_codes:
        raise ProcessError("This process does not use voting codes")
    if not 1 <= number <= 5000:
        raise ProcessError("Make between 1 and 5,000 codes at a time", field="number")
    issued = [codes.new(CODE_LENGTH) for _ in range(number)]
    with transaction.atomic():
        VotingCode.objects.bulk_create(
            VotingCode(process=process, code_hash=codes.digest(c, CODE), batch=batch) for c in issued
        )
        record(actor, "pb.codes", process, after={"issued": number, "batch": batch})
    return [codes.display(c) for c in issued]


def add_to_roll(process: Process, actor, emails: list[str]) -> int:
    with transaction.atomic():
        added = 0
        for email in emails:
            _, created = RollEntry.objects.get_or_create(
                process=process, email=email.lower(), defaults={"added_by": _user(actor)}
            )
            added += created
        record(actor, "pb.roll", process, after={"added": added})
    return added


# Casting ballots --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    receipt: str | None  # shown once in secret processes, to change the ballot later
    changed: bool


def equality_bands(process: Process) -> list[tuple[str, str]]:
    """The age bands a voter in this process can be in (no under-16 band when the vote is 16+)."""
    return [(k, label) for k, label in AGE_BANDS if k != "0_15" or process.min_age < 16]


def _check_equality(process: Process, answers: dict[str, str] | None) -> dict[str, str]:
    answers = {k: v for k, v in (answers or {}).items() if v}
    allowed = {"age_band": dict(equality_bands(process)), "sex": dict(SEXES)}
    for key, value in answers.items():
        if key not in allowed or value not in allowed[key]:
            raise ProcessError("Choose one of the answers offered, or leave the question blank", key)
    return answers


def cast(process: Process, choices: dict[str, int], *, user=None, code: str | None = None,
         postcode: str | None = None, equality: dict[str, str] | None = None,
         projects: list[Proposal] | None = None) -> Cast:  # fmt: skip
    """Record one ballot for an account holder or a code holder; one per voter, enforced by the
    database (a unique "has voted" mark), so concurrent submissions cannot both count.

    `equality` holds the optional monitoring answers (age_band, sex); they go on the mark, never on
    the paper. `projects` is the ballot the caller already read (ballot_projects), to read it once."""
    if code is not None and not process.accepts_codes:
        raise ProcessError("This process does not use voting codes", field="code")
    errors = ballot.check(ballot_rules(process, projects), choices)
    if errors:
        raise ProcessError(errors[0], field="choices")
    answers = _check_equality(process, equality)
    try:
        with transaction.atomic():
            _require_open(process)
            voting_code = _voting_code(process, code) if code is not None else None
            if voting_code is None:
                allowed, why = may_vote_with_account(process, user)
                if not allowed:
                    raise ProcessError(why)
                if process.electorate == Process.Electorate.POSTCODE:
                    check_postcode(process, postcode)
            # A code used while signed in also marks the account, so one person cannot vote both ways.
            signed_in = getattr(user, "is_authenticated", False)
            voter = Q(code=voting_code) if voting_code else Q(user=user)
            if voting_code and signed_in:
                voter |= Q(user=user)
            mark = VoterMark.objects.filter(voter, process=process).first()
            if mark is not None and voting_code is not None and mark.code_id != voting_code.pk:
                raise ProcessError("You have already voted in this process. A voting code cannot give a second vote.")
            if mark is not None:
                if process.secret or mark.paper_id is None:
                    raise ProcessError(
                        "This vote has already been cast. To change it, use the receipt code you were given."
                        if process.secret
                        else "This vote has already been cast."
                    )
                BallotPaper.objects.filter(pk=mark.paper_id).update(choices=choices)
                if answers:
                    VoterMark.objects.filter(pk=mark.pk).update(**answers)
                return Cast(receipt=None, changed=True)
            receipt = codes.new(CODE_LENGTH) if process.secret else None
            paper = BallotPaper.objects.create(
                process=process, choices=choices, receipt_hash=codes.digest(receipt, RECEIPT) if receipt else ""
            )
            marks.record(
                VoterMark,
                process=process,
                user=user if signed_in else None,
                code=voting_code,
                paper=None if process.secret else paper,
                **answers,
            )
    except marks.AlreadyVoted:
        raise ProcessError("This vote has already been cast.") from None
    return Cast(receipt=codes.display(receipt) if receipt else None, changed=False)


@contextmanager
def code_guesses(address: str | None) -> Iterator[None]:
    """Count a vote or change by code or receipt from `address` against CODE_GUESSES (None: not
    counted, e.g. at the kiosk an officer started). The try is counted before it is made, so
    concurrent guesses cannot all slip under the limit, and given back unless the code was wrong."""
    if address is None:
        yield
        return
    try:
        (tried,) = limits.take((CODE_GUESSES, address))
    except limits.Refused as refused:
        raise TooManyGuesses(f"Too many wrong codes from this connection. {refused.try_again()}") from None
    wrong = False
    try:
        yield
    except ProcessError as exc:
        wrong = exc.field in ("code", "receipt")
        raise
    finally:
        if not wrong:
            limits.refund(tried)


def _require_open(process: Process, *, paper: bool = False) -> None:
    """Check voting is open and hold a share lock on the process until the ballot commits, so
    closing the vote (which locks the row for update) waits for ballots in flight and counts them.
    After the closing date only officers' paper entries are taken (papers that arrived in time)."""
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Process._meta.db_table)
        lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
        cursor.execute(f"SELECT phase FROM {table} WHERE id = %s{lock}", [process.pk])  # noqa: S608  (names from the model)
        row = cursor.fetchone()
    if row is None or row[0] != Phase.VOTING:
        raise ProcessError("Voting is not open")
    if not paper and process.past_closing_date():
        raise ProcessError(f"Voting closed on {process.voting_closes:%-d %B %Y}")


def _voting_code(process: Process, code: str) -> VotingCode:
    found = (
        VotingCode.objects.select_for_update()
        .filter(process=process, code_hash__in=codes.stored_forms(code, CODE))
        .first()
    )
    if found is None or found.cancelled:
        raise ProcessError("That voting code is not right. Check it and try again.", field="code")
    return found


def change_with_receipt(process: Process, receipt: str, choices: dict[str, int],
                        projects: list[Proposal] | None = None) -> None:  # fmt: skip
    """Secret processes: replace the ballot whose receipt this is, until voting closes."""
    errors = ballot.check(ballot_rules(process, projects), choices)
    if errors:
        raise ProcessError(errors[0], field="choices")
    with transaction.atomic():
        _require_open(process)
        changed = BallotPaper.objects.filter(
            process=process, receipt_hash__in=codes.stored_forms(receipt, RECEIPT)
        ).update(choices=choices)
        if not changed:
            raise ProcessError("That receipt code is not right. Check it and try again.", field="receipt")


def turnout(process: Process) -> int:
    return process.papers.count()


# Paper ballots: double entry --------------------------------------------------------------------


def enter_paper(process: Process, actor, paper_number: str, choices: dict[str, int], code: str = "") -> str:
    """Store one officer's reading of a paper; returns "waiting", "counted" or "mismatch"."""
    paper_number = paper_number.strip()
    if not paper_number:
        raise ProcessError("Enter the number printed on the paper", field="paper_number")
    errors = ballot.check(ballot_rules(process), choices)
    if errors:
        raise ProcessError(f"Paper {paper_number}: {errors[0]}", field="choices")
    if code.strip() and not process.accepts_codes:
        raise ProcessError("This process does not use voting codes", field="code")
    code_hash = _code_hash(process, code) if code.strip() else ""
    with transaction.atomic():
        _require_open(process, paper=True)
        entries = list(PaperEntry.objects.select_for_update().filter(process=process, paper_number=paper_number))
        if any(e.entry == 3 for e in entries) or (len(entries) == 2 and _same(entries[0], entries[1])):
            raise ProcessError(f"Paper {paper_number} has already been counted", field="paper_number")
        if len(entries) == 1 and entries[0].entered_by_id == actor.pk:
            raise ProcessError("The second entry must be made by a different officer", field="paper_number")
        number = 3 if len(entries) == 2 else len(entries) + 1
        if number == 3 and actor.pk in {e.entered_by_id for e in entries}:
            raise ProcessError("A mismatch is settled by an officer who made neither entry", field="paper_number")
        entry = PaperEntry.objects.create(
            process=process,
            paper_number=paper_number,
            entry=number,
            choices=choices,
            code_hash=code_hash,
            entered_by=actor,
        )
        record(actor, "pb.paper_entry", process, after={"paper": paper_number, "entry": number})
        if number == 1:
            return "waiting"
        if number == 2 and not _same(entries[0], entry):
            return "mismatch"
        _count_paper(process, entry)
        return "counted"


def _code_hash(process: Process, code: str) -> str:
    """The hash a paper's code is kept under: the matching code's own (whichever form it was issued
    in), so both entries of the paper and the count find the same code."""
    forms = codes.stored_forms(code, CODE)
    found = VotingCode.objects.filter(process=process, code_hash__in=forms).values_list("code_hash", flat=True)
    return found.first() or forms[0]


def _same(a: PaperEntry, b: PaperEntry) -> bool:
    return a.code_hash == b.code_hash and not double_entry.differences(a.choices, b.choices)


def _count_paper(process: Process, entry: PaperEntry) -> None:
    number = entry.paper_number
    voting_code = None
    if entry.code_hash:
        voting_code = VotingCode.objects.select_for_update().filter(process=process, code_hash=entry.code_hash).first()
        if voting_code is None or voting_code.cancelled:
            raise ProcessError(f"Paper {number}: the code on it is not a valid code", field="code")
    paper = BallotPaper.objects.create(process=process, choices=entry.choices)
    if voting_code is not None:
        try:
            marks.record(VoterMark, process=process, code=voting_code, paper=None if process.secret else paper)
        except marks.AlreadyVoted:
            raise ProcessError(f"Paper {number}: that code has already voted", field="code") from None


def mismatches(process: Process) -> list[dict]:
    """The mismatch report: papers whose two entries disagree and have no adjudication yet, with
    what each entry said for every project they disagree on."""
    titles = {p.project_id: p.title for p in ballot_projects(process)}
    by_paper: dict[str, dict[int, PaperEntry]] = {}
    for entry in process.paper_entries.select_related("entered_by"):
        by_paper.setdefault(entry.paper_number, {})[entry.entry] = entry
    return [
        {
            "paper": number,
            "first": e[1],
            "second": e[2],
            "differences": double_entry.differences(e[1].choices, e[2].choices, titles),
            "codes_differ": e[1].code_hash != e[2].code_hash,
        }
        for number, e in sorted(by_paper.items())
        if 1 in e and 2 in e and 3 not in e and not _same(e[1], e[2])
    ]


# The count --------------------------------------------------------------------------------------


def election_meta(process: Process) -> dict[str, str]:
    """The .pb file's META: where and what the process is, and its rule as pabulib names it."""
    meta = {
        "description": process.title,
        "country": "United Kingdom",
        "unit": process.area.name if process.area else process.title,
        "instance": process.slug,
        "currency": "GBP",
        "rule": process.pb_rule.meta_rule(process.complete_greedily),
    }
    if process.area:
        meta["subunit"] = process.area.code
    return meta


def count(process: Process) -> Result:
    """Count the ballots with the process's rule and freeze the result with its .pb file."""
    proposals = ballot_projects(process)
    rules_ = ballot_rules(process, proposals)
    # Receipts are no use once voting is closed. Rewriting every paper in this one transaction also
    # gives them all the same PostgreSQL row version (xmin), so no paper keeps the transaction id it
    # shared with its voter's "has voted" mark.
    process.papers.update(receipt_hash="")
    papers = list(process.papers.values_list("choices", flat=True))
    fenced = process.ring_fences.exists()
    meta = election_meta(process)
    try:
        meta |= fences.meta(process)
        engine_fences = fences.to_engine(process) if fenced else []
    except fences.FenceError as exc:
        raise ProcessError(str(exc)) from None
    text = ballot.to_pabulib(meta, rules_, pb_projects(proposals), papers)
    election = pabulib.parse(text, source="process")  # the published file is what is counted
    completion = process.complete_greedily
    winners = rules.tally(election, process.rule, completion=completion) if papers else []
    explanations = explain.explain(election, process.rule, completion=completion) if papers else {}
    fence_report: list[dict] = []
    if fenced:
        unconstrained = set(winners)
        try:
            outcome = fences.tally(election, process.rule, engine_fences)
        except fences.FenceError as exc:
            raise ProcessError(str(exc)) from None
        winners = list(outcome.winners)
        stored = list(process.ring_fences.all())
        for got, fence in zip(outcome.fences, stored, strict=True):
            fence_report.append(
                {
                    **got.as_dict(),
                    "sentence": fences.sentence(fence, process.budget),
                    "projects": fences.projects_label(fence.field, fence.value),
                }
            )
        by_project = {
            p.project_id: [
                fences.sentence(f, process.budget)
                for f in stored
                if (f.field == "category" and f.value == p.category)
                or (f.field == "applicant_kind" and f.value == p.applicant_kind)
            ]
            for p in proposals
        }
        plain = {pid: e.text for pid, e in explanations.items()}
        explained = {
            p.project_id: fences.explain(
                p.project_id in winners,
                p.project_id in unconstrained,
                plain.get(p.project_id, ""),
                by_project[p.project_id] or [fences.sentence(f, process.budget) for f in stored],
            )
            for p in proposals
        }
    else:
        explained = {pid: e.text for pid, e in explanations.items()}
    support: dict[str, dict[str, int]] = {p.project_id: {"ballots": 0, "points": 0} for p in proposals}
    for paper in papers:
        for pid, points in ballot.points(rules_, paper).items():
            support[pid]["ballots"] += 1
            support[pid]["points"] += points
    return Result.objects.create(
        process=process,
        rule=process.rule,
        winners=winners,
        spent=sum(rules_.costs[w] for w in winners),
        support=support,
        explanations=explained,
        pb_text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        ballots=len(papers),
        fences=fence_report,
    )


@dataclass(frozen=True)
class ResultRow:
    proposal: Proposal
    ballots: int  # ballots naming it
    points: int
    won: bool
    why: str  # why it won or lost, in plain English
    record: object = None  # its delivery record (winners, once results are published)


def result_rows(process: Process) -> list[ResultRow]:
    """Each project on the ballot with its support, whether it won and why, funded ones first then
    by points: the one source of the results page, its CSV and the API."""
    result = process.result
    records = delivery_records(process)
    rows = [
        ResultRow(
            proposal,
            result.support.get(proposal.project_id, {}).get("ballots", 0),
            result.support.get(proposal.project_id, {}).get("points", 0),
            proposal.project_id in result.winners,
            result.explanations.get(proposal.project_id, ""),
            records.get(proposal.project_id),
        )
        for proposal in ballot_projects(process)
    ]
    return sorted(rows, key=lambda row: (not row.won, -row.points, row.proposal.pk))


def replay_command(process: Process) -> str:
    """The command anyone can run on the downloaded .pb file to get the published winners."""
    command = f"commonground pb tally {process.slug}.pb --rule {process.result.rule}"
    if process.result.fences:
        command += f" --constraints {process.slug}-ring-fences.toml"
    return command


def voter_profile(process: Process) -> dict | None:
    """The voters who answered the equality question by age band and sex, against the area's people
    (shares of each), with every count under 10 hidden; None when nobody answered and there are no
    population figures to show."""
    people = places.population_profile(process.area) if process.area else None
    marks = process.marks.all()
    eligible = dict(equality_bands(process))
    groups, hidden_any, anyone = [], False, False
    for group in population.GROUPS:
        field = "age_band" if group.key == "age" else "sex"
        keys = [b.key for b in group.bands if group.key != "age" or b.key in eligible]
        tally = {row[field]: row["n"] for row in marks.exclude(**{field: ""}).values(field).annotate(n=Count("id"))}
        anyone |= bool(tally)
        counts = {k: tally.get(k, 0) for k in keys}
        answered = sum(counts.values())
        people_counts = {}
        if people is not None:
            bands = next(g["bands"] for g in people["groups"] if g["key"] == group.key)
            people_counts = {b["key"]: b["count"] for b in bands if b["key"] in keys}
        people_total = sum(people_counts.values())
        hidden = set(keys) if answered < disclosure.THRESHOLD else disclosure.hidden_cells(counts)
        prefer_not = tally.get(PREFER_NOT, 0)
        hidden_any |= bool(hidden) or prefer_not < disclosure.THRESHOLD
        groups.append({
            "key": group.key,
            "label": group.label,
            "answered": answered if answered >= disclosure.THRESHOLD else None,
            "prefer_not": prefer_not if prefer_not >= disclosure.THRESHOLD else None,
            "bands": [
                {
                    "key": b.key,
                    "label": b.label,
                    "voters": None if b.key in hidden else counts[b.key],
                    "voter_share": None if b.key in hidden else counts[b.key] / answered,
                    "population_share": people_counts[b.key] / people_total if people_total else None,
                }
                for b in group.bands
                if b.key in keys
            ],
        })  # fmt: skip
    if people is None and not anyone:
        return None
    return {
        "groups": groups,
        "has_population": people is not None,
        "adults_only": "0_15" not in eligible,
        "min_age": process.min_age,
        "threshold": disclosure.THRESHOLD,
        "hidden_any": hidden_any,
    }


def stats(process: Process) -> dict:
    return {
        "proposals": process.proposals.count(),
        "on_ballot": process.proposals.filter(status=Proposal.Status.FEASIBLE).count(),
        "codes": process.codes.aggregate(n=Count("id"))["n"],
        "turnout": turnout(process),
    }
