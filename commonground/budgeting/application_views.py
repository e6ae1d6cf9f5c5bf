"""PB pages for a process taking applications: ring-fences, money from pots, criteria, the panel and scoring."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires
from commonground.accounts.roles import Capability
from commonground.budgeting import applications, money, scoring
from commonground.budgeting.basics import ProcessError
from commonground.budgeting.forms import (
    CriteriaForm,
    DeclarationForm,
    DrawForm,
    ModerationForm,
    RingFenceForm,
    ScoreForm,
    ScorerForm,
)
from commonground.budgeting.models import Process, RingFence, Scorer
from commonground.budgeting.views import scope_of_process, visible_process
from commonground.pots import services as pots


def _form(request, process: Process, form, heading: str, button: str, intro=(), template="govuk/simple_form.html",
          **extra) -> HttpResponse:  # fmt: skip
    context = {"form": form, "heading": heading, "button": button, "caption": process.title, "intro": list(intro),
               "back": reverse("budgeting:detail", args=[process.slug]), "process": process, **extra}  # fmt: skip
    return render(request, template, context)


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def ring_fences(request: HttpRequest, slug: str) -> HttpResponse:
    """Least and most shares of the budget for kinds of applicant or categories (e.g. 50/25/25)."""
    process = visible_process(request, slug)
    initial = {}
    for n, f in enumerate(process.ring_fences.all(), start=1):
        initial[f"fence_{n}_whose"] = f.value if f.field == RingFence.Field.APPLICANT_KIND else "category"
        initial[f"fence_{n}_category"] = f.value if f.field == RingFence.Field.CATEGORY else ""
        initial[f"fence_{n}_least"], initial[f"fence_{n}_most"] = f.min_percent, f.max_percent
    form = RingFenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            applications.set_ring_fences(process, request.user, form.rows())
        except ProcessError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Ring-fences saved")
            return redirect("budgeting:detail", slug=process.slug)
    intro = ["A ring-fence keeps part of the budget for some projects: at least a share, at most a share, or "
             "both (exactly). For example: at least 50% for voluntary, community and faith groups, 25% for "
             "resident-led and 25% for youth-led projects. The count keeps every ring-fence; voting cannot open "
             "if no choice of the projects on the ballot could keep them."]  # fmt: skip
    return _form(request, process, form, "Ring-fences", "Save the ring-fences", intro)


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def criteria(request: HttpRequest, slug: str) -> HttpResponse:
    process = visible_process(request, slug)
    initial = {}
    for n, c in enumerate(process.criteria.all(), start=1):
        initial |= {f"criterion_{n}_title": c.title, f"criterion_{n}_description": c.description,
                    f"criterion_{n}_weight": c.weight}  # fmt: skip
    form = CriteriaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            applications.set_criteria(process, request.user, form.rows())
        except ProcessError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, "Scoring criteria published")
            return redirect("budgeting:detail", slug=process.slug)
    intro = [
        "The criteria are published with the application form. Each panel member scores each application "
        "on each criterion from 0 to 5; the weights give each criterion's share of the score out of 100."
    ]
    return _form(request, process, form, "Scoring criteria", "Publish the criteria", intro)


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def panel(request: HttpRequest, slug: str) -> HttpResponse:
    process = visible_process(request, slug)
    form = ScorerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            applications.add_scorer(process, request.user, form.cleaned_data["email"])
        except ProcessError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, "Added to the scoring panel")
            return redirect("budgeting:panel", slug=process.slug)
    scorers = process.scorers.select_related("user")
    intro = ["The scoring panel is made of residents (perhaps drawn by lot from a citizens' panel). Each member "
             "signs in to score; they declare any interest in an application and cannot score it."]  # fmt: skip
    return _form(request, process, form, "Scoring panel", "Add to the panel", intro,
                 template="budgeting/panel.html", scorers=scorers)  # fmt: skip


@require_POST
@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def panel_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = visible_process(request, slug)
    scorer = get_object_or_404(Scorer, pk=pk, process=process)
    try:
        applications.remove_scorer(process, request.user, scorer)
    except ProcessError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Removed from the scoring panel")
    return redirect("budgeting:panel", slug=process.slug)


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def draw(request: HttpRequest, slug: str) -> HttpResponse:
    """Where the budget comes from: money set aside in one or more pots."""
    process = visible_process(request, slug)
    held = {pot.pk: amount for pot, amount in money.draws(process)}
    choices = [(pot, f"{pot.name}: {pots.money(b.available + held.get(pot.pk, 0))} available")
               for pot, b in pots.with_money_left()]  # fmt: skip
    choices += [(pot, f"{pot.name}: {pots.money(amount)} set aside for this process")
                for pot, amount in money.draws(process) if pot.pk not in {p.pk for p, _ in choices}]  # fmt: skip
    form = DrawForm(request.POST or None, pots=choices)
    if request.method == "POST" and form.is_valid():
        try:
            money.draw_from_pot(process, request.user, form.cleaned_data["pot"], form.cleaned_data["amount"])
        except ProcessError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, "The budget now comes from the pots chosen")
            return redirect("budgeting:detail", slug=process.slug)
    now = [f"{pot.name}: {pots.money(amount)}" for pot, amount in money.draws(process) if amount]
    intro = ["The budget is the money set aside in the pots chosen here. When the results are published, each "
             "winner is allocated its cost from them and what is left goes back."]  # fmt: skip
    if now:
        intro.append("Set aside now: " + "; ".join(now) + ".")
    if not choices:
        intro.append("No pot has money left. Make a pot first (Pots of money).")
    return _form(request, process, form, "Money from pots", "Set the money aside", intro)


def _scorer(request: HttpRequest, process: Process) -> Scorer:
    found = applications.scorer_of(process, request.user)
    if found is None:
        raise PermissionDenied("Only members of this process's scoring panel can score it.")
    return found


@requires(Capability.USE_ACCOUNT, scope=scope_of_process)
def scoring_home(request: HttpRequest, slug: str) -> HttpResponse:
    """A panel member's list: each application, scored or not, with any interest they declared."""
    process = visible_process(request, slug)
    scorer = _scorer(request, process)
    scored = set(scorer.scores.values_list("proposal_id", flat=True))
    declared = {d.proposal_id: d for d in scorer.declarations.all()}
    rows = [(p, p.pk in scored, declared.get(p.pk)) for p in process.proposals.order_by("id")]
    return render(
        request, "budgeting/scoring.html", {"process": process, "rows": rows, "criteria": process.criteria.all()}
    )


@requires(Capability.USE_ACCOUNT, scope=scope_of_process)
def score(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = visible_process(request, slug)
    scorer = _scorer(request, process)
    proposal = get_object_or_404(process.proposals, pk=pk)
    criteria_ = list(process.criteria.all())
    given = {f"criterion_{s.criterion_id}": str(s.value) for s in scorer.scores.filter(proposal=proposal)}
    form = ScoreForm(request.POST or None, criteria=criteria_, initial=given)
    recused = applications.is_recused(scorer, proposal)
    if request.method == "POST" and form.is_valid():
        try:
            applications.score(process, request.user, proposal, form.values(), form.cleaned_data["comment"])
        except ProcessError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, f"Scores saved for {proposal.title}")
            return redirect("budgeting:scoring", slug=process.slug)
    return render(request, "budgeting/score_form.html", {"form": form, "process": process, "proposal": proposal,
                  "lines": proposal.lines.all(), "recused": recused}, status=403 if recused else 200)  # fmt: skip


@requires(Capability.USE_ACCOUNT, scope=scope_of_process)
def declare(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = visible_process(request, slug)
    _scorer(request, process)
    proposal = get_object_or_404(process.proposals, pk=pk)
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            applications.declare(process, request.user, proposal, form.cleaned_data["interest"])
        except ProcessError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, f"Interest declared: you will not score {proposal.title}")
            return redirect("budgeting:scoring", slug=process.slug)
    intro = [
        f"Declare an interest in {proposal.title} if you or someone close to you would gain from it, or you "
        "run or belong to the group applying. You will not score it; any scores you gave it are withdrawn."
    ]
    return _form(request, process, form, "Declare an interest", "Declare the interest", intro)


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def moderation(request: HttpRequest, slug: str) -> HttpResponse:
    """The officer's scoring table: every application's scores, those to moderate, the shortlist to come."""
    process = visible_process(request, slug)
    form = ModerationForm(request.POST or None, criteria=process.criteria.all())
    if request.method == "POST":
        chosen = request.POST.get("proposal", "")
        proposal = get_object_or_404(process.proposals, pk=int(chosen) if chosen.isdigit() and len(chosen) < 18 else 0)
        if form.is_valid():
            criterion = get_object_or_404(process.criteria, pk=form.cleaned_data["criterion"])
            try:
                applications.moderate(process, request.user, proposal, criterion, form.cleaned_data["value"],
                                  form.cleaned_data["reason"])  # fmt: skip
            except ProcessError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, f"Moderated: {proposal.title}, {criterion.title}")
                return redirect("budgeting:moderation", slug=process.slug)
    return render(request, "budgeting/moderation.html",
                  {"process": process, "rows": scoring.table(process), "form": form,
                   "criteria": process.criteria.all()})  # fmt: skip


@public
def scores(request: HttpRequest, slug: str) -> HttpResponse:
    """The published scores and shortlist (once the panel's scoring has closed)."""
    process = visible_process(request, slug)
    if process.scores_published_at is None:
        raise Http404("The scores are not published yet")
    return render(request, "budgeting/scores.html",
                  {"process": process, "rows": scoring.table(process), "criteria": process.criteria.all()})  # fmt: skip
