"""The participatory budgeting section of area dashboards and the State of the Neighbourhood report
(see commonground.core.sections)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability
from commonground.budgeting import basics
from commonground.budgeting.models import Process, Proposal, Result, Scorer
from commonground.core.sections import Section
from commonground.delivery import services as delivery
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places.models import Area


def section(area: Area | None) -> dict | None:
    """Processes held in the area (or in its wards), with what was decided and delivered."""
    processes = Process.objects.exclude(phase=Process.Phase.DRAFT).select_related("area")
    if area is not None:
        processes = processes.filter(Q(area=area) | Q(area__parent=area))
    processes = list(processes.order_by("-created_at"))
    if not processes:
        return None
    results = {r.process_id: r for r in Result.objects.filter(process__in=processes)}
    delivered = {p.pk: delivery.summary(f"pb:{p.slug}:")["complete"] for p in processes}
    rows = []
    for p in processes:
        result = results.get(p.pk)
        rows.append(
            {
                "process": p.title,
                "area": p.area.name if p.area else "",
                "stage": p.get_phase_display(),
                "budget": p.budget,
                "ballots": result.ballots if result else None,
                "funded": len(result.winners) if result else None,
                "spent": result.spent if result else None,
                "delivered": delivered.get(p.pk, 0) if result else None,
            }
        )
    decided = sum(r.spent for r in results.values())
    ballots = sum(r.ballots for r in results.values())
    return {
        "summary": f"{len(processes)} process{'es' if len(processes) != 1 else ''}; residents' votes decided "
        f"how £{decided:,} is spent, from {ballots:,} ballots.",
        "columns": [
            ("process", "Process"),
            ("area", "Area"),
            ("stage", "Stage"),
            ("budget", "Budget (£)"),
            ("ballots", "Ballots"),
            ("funded", "Projects funded"),
            ("spent", "Funded (£)"),
            ("delivered", "Delivered"),
        ],
        "rows": rows,
        "tiles": [
            {"label": "Decided by residents' votes", "value": decided, "unit": "£", "note": "PB projects funded"},
            {"label": "PB ballots cast", "value": ballots, "unit": "", "note": "all processes counted"},
        ],
    }


SECTIONS = [Section("pb", "Participatory budgeting: processes and results", 50, section)]


def version() -> str:
    """Changes whenever a process moves on, is counted, or a winner's delivery record changes."""
    phases = sorted(Process.objects.values_list("phase").annotate(n=Count("id")))
    changes = delivery.summary("pb:")
    return f"pb:{phases}:{Result.objects.count()}:{changes['complete']}:{changes['changed']}"


# The date each phase is due to end, and what the officer does then.
_PHASE_DUE = {
    Process.Phase.PROPOSALS: ("proposals_close", "Ideas close: review them and move the process on"),
    Process.Phase.SCORING: ("voting_opens", "Voting is due to open: moderate the scores and publish the shortlist"),
    Process.Phase.REVIEW: ("voting_opens", "Voting is due to open: finish the review and open the vote"),
    Process.Phase.VOTING: ("voting_closes", "Voting closes: close the vote and publish the results"),
}


def todo(user) -> list[dict]:
    """PB processes in the officer's scope with a phase due to end or ideas waiting for review, and the
    applications a scoring panel member has still to score."""
    items = []
    running = Process.objects.exclude(phase__in=[Process.Phase.DRAFT, Process.Phase.RESULTS, Process.Phase.DELIVERY])
    for process in running.select_related("area", "neighbourhood").order_by("title"):
        url, source = reverse("budgeting:detail", args=[process.slug]), "Participatory budgeting"
        if user_can(user, Capability.RUN_PROCESSES, basics.scope_of(process)):
            field, action = _PHASE_DUE.get(process.phase, ("", ""))
            due = getattr(process, field, None) if field else None
            if due is not None:
                items.append({"title": f"{process.title}: {process.get_phase_display().lower()}", "action": action,
                              "url": url, "due": due, "statutory": False, "source": source})  # fmt: skip
            waiting = process.proposals.filter(status=Proposal.Status.SUBMITTED).count()
            if waiting and process.phase in (Process.Phase.PROPOSALS, Process.Phase.REVIEW):
                items.append({"title": f"{process.title}: {waiting} idea{'s' if waiting != 1 else ''} waiting",
                              "action": "Review each idea: is it legal and feasible, and what would it cost?",
                              "url": url, "due": None, "statutory": False, "source": source})  # fmt: skip
    for scorer in Scorer.objects.filter(user=user, process__phase=Process.Phase.SCORING).select_related("process"):
        process = scorer.process
        done = set(scorer.scores.values_list("proposal_id", flat=True))
        done |= set(scorer.declarations.filter(recused=True).values_list("proposal_id", flat=True))
        left = process.proposals.exclude(pk__in=done).count()
        if left:
            items.append({"title": f"{process.title}: {left} application{'s' if left != 1 else ''} to score",
                          "action": "Score each application against the published criteria",
                          "url": reverse("budgeting:scoring", args=[process.slug]), "due": process.voting_opens,
                          "statutory": False, "source": "Participatory budgeting"})  # fmt: skip
    return items


def processes_in(neighbourhood) -> list[Process]:
    """Published processes of the neighbourhood, or held in an area that shares an LSOA with it."""
    found = Process.objects.exclude(phase=Process.Phase.DRAFT).select_related("area__area_type", "neighbourhood")
    return [p for p in found.order_by("-created_at")
            if p.neighbourhood_id == neighbourhood.pk or neighbourhoods.overlaps(neighbourhood, p.area)]  # fmt: skip


def _next_date(process: Process):
    field = _PHASE_DUE.get(process.phase, ("", ""))[0]
    return getattr(process, field, None) if field else None


def neighbourhood_decisions(neighbourhood) -> list[dict]:
    return [
        {"kind": "PB round", "title": p.title, "url": reverse("budgeting:detail", args=[p.slug]),
         "state": p.get_phase_display(), "due": _next_date(p), "source": "budgeting"}
        for p in processes_in(neighbourhood)
    ]  # fmt: skip


def neighbourhood_deadlines(neighbourhood) -> list[dict]:
    today = timezone.localdate()
    labels = {"proposals_close": "ideas close", "voting_opens": "voting opens", "voting_closes": "voting closes"}
    return [
        {"title": f"{p.title}: {label}", "url": reverse("budgeting:detail", args=[p.slug]), "due": when,
         "statutory": False, "source": "budgeting"}
        for p in processes_in(neighbourhood)
        for field, label in labels.items()
        if (when := getattr(p, field)) is not None and when >= today
    ]  # fmt: skip
