"""PB pages: the public process page, ideas and applications, officer review, results with explanations,
exports and delivery. The ballot is in ballot_views.py, scoring and money in application_views.py; the work
is in services.py and the modules beside it."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.budgeting import applications, basics, casting, fences, money, services
from commonground.budgeting import results as pb_results
from commonground.budgeting.basics import ProcessError
from commonground.budgeting.forms import ApplicationForm, ProcessForm, ProposalForm, ReviewForm
from commonground.budgeting.models import Process, Proposal
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places import services as places
from commonground.places.models import Area

Phase = Process.Phase


def may_run(request: HttpRequest, process: Process | None = None) -> bool:
    """Whether the person runs processes: with a process, where it lives (its council or neighbourhood)."""
    if process is None:
        return user_can(request.user, Capability.RUN_PROCESSES)
    return user_can(request.user, Capability.RUN_PROCESSES, basics.scope_of(process))


def scope_of_process(request: HttpRequest, slug: str, **kwargs) -> Scope | None:
    """Where the process in the address lives: its area's council and its neighbourhood."""
    return basics.scope_of(get_object_or_404(Process.objects.select_related("area", "neighbourhood"), slug=slug))


def hidden(request: HttpRequest, process: Process) -> bool:
    """A draft is seen only by those who may run it."""
    return process.phase == Phase.DRAFT and not may_run(request, process)


def visible_process(request: HttpRequest, slug: str) -> Process:
    process = get_object_or_404(Process.objects.select_related("area", "neighbourhood"), slug=slug)
    if hidden(request, process):
        raise Http404("No such process")
    return process


@public
def process_list(request: HttpRequest) -> HttpResponse:
    processes = Process.objects.select_related("area", "neighbourhood")
    if not may_run(request):
        processes = processes.exclude(phase=Phase.DRAFT)
    else:  # an officer sees the drafts of the processes they run
        processes = [p for p in processes if p.phase != Phase.DRAFT or may_run(request, p)]
    return render(request, "budgeting/process_list.html", {"processes": processes, "is_officer": may_run(request)})


@requires(Capability.RUN_PROCESSES)
def process_create(request: HttpRequest) -> HttpResponse:
    form = ProcessForm(request.POST or None, neighbourhoods=neighbourhoods.names())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = None
        if data["area_code"]:
            area = Area.objects.filter(code=data["area_code"].strip().upper()).first()
            if area is None:
                form.add_error("area_code", f"No area has the code {data['area_code']!r}")
        neighbourhood = neighbourhoods.find(data["neighbourhood"]) if data["neighbourhood"] else None
        if not form.errors:
            councils = set(places.scope_of(area).councils) if area else set()
            if neighbourhood is not None:
                councils |= set(neighbourhoods.councils_of(neighbourhood.slug))
            where = Scope.of(sorted(councils), [neighbourhood.slug] if neighbourhood else [])
            if (councils or neighbourhood) and not user_can(request.user, Capability.RUN_PROCESSES, where):
                raise PermissionDenied("You run processes for another council or neighbourhood, not this one.")
            if not (councils or neighbourhood) and not user_can(request.user, Capability.RUN_PROCESSES, None):
                form.add_error("area_code", "Give the area or neighbourhood the process is for: your role is local")
        if not form.errors:
            fields = {k: v for k, v in data.items() if k not in ("area_code", "neighbourhood")}
            fields["neighbourhood"] = neighbourhood
            try:
                process = services.create_process(request.user, area, **fields)
            except ProcessError as exc:
                form.add_error(exc.field, str(exc))
            else:
                messages.success(request, "Process created. Open it for ideas when you are ready.")
                return redirect("budgeting:detail", slug=process.slug)
    return render(request, "budgeting/process_form.html", {"form": form})


@public
def process_detail(request: HttpRequest, slug: str) -> HttpResponse:
    process = visible_process(request, slug)
    is_officer = may_run(request, process)
    proposals = process.proposals.select_related("submitted_by")
    if not is_officer and process.phase in (Phase.VOTING, Phase.RESULTS, Phase.DELIVERY):
        proposals = proposals.filter(status=Proposal.Status.FEASIBLE)
    if not is_officer and process.phase == Phase.SCORING:
        proposals = proposals.none()  # applications are published with their scores
    may_vote, why_not = casting.may_vote_with_account(process, request.user)
    next_phase = services.next_phase(process)
    return render(
        request,
        "budgeting/process_detail.html",
        {
            "process": process,
            "proposals": proposals,
            "is_officer": is_officer,
            "next_phase": next_phase and Phase(next_phase).label,
            "stats": pb_results.stats(process),
            "may_vote": may_vote,
            "why_not": why_not,
            "phases": services.phase_order(process),
            "fences": fences.sentences(process),
            "draws": money.draws(process),
            "priorities": applications.priorities(process),
            "criteria": process.criteria.all(),
            "is_scorer": applications.scorer_of(process, request.user) is not None,
        },
    )


@require_POST
@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def advance(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_object_or_404(Process, slug=slug)
    try:
        process = services.advance(process, request.user, expected=request.POST.get("phase", ""))
    except ProcessError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Moved to: {process.get_phase_display()}")
    return redirect("budgeting:detail", slug=process.slug)


@requires(Capability.USE_ACCOUNT, scope=scope_of_process)
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    process = visible_process(request, slug)
    if process.phase != Phase.PROPOSALS:
        messages.error(request, "This process is not taking ideas now.")
        return redirect("budgeting:detail", slug=process.slug)
    if process.uses_applications:
        return _apply(request, process)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        proposal = services.submit_proposal(process, request.user, **form.cleaned_data)
        messages.success(request, "Thank you. The council will check your idea can be delivered.")
        return redirect("budgeting:proposal", slug=process.slug, pk=proposal.pk)
    return render(request, "budgeting/proposal_form.html", {"form": form, "process": process})


def _apply(request: HttpRequest, process: Process) -> HttpResponse:
    """The published application form: who applies, which priority, the budget lines."""
    form = ApplicationForm(
        request.POST or None,
        priorities=applications.priorities(process),
        kinds_required=applications.fenced_kinds(process),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = applications.submit_application(
                process, request.user, title=data["title"], summary=data["summary"], description=data["description"],
                location=data["location"], applicant_kind=data.get("applicant_kind") or "",
                organisation=data["organisation"], priority_ref=data.get("priority_ref"), lines=form.lines(),
            )  # fmt: skip
        except ProcessError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, "Thank you. Your application is in; the scoring panel will read it.")
            return redirect("budgeting:proposal", slug=process.slug, pk=proposal.pk)
    return render(
        request,
        "budgeting/application_form.html",
        {"form": form, "process": process, "fences": fences.sentences(process), "criteria": process.criteria.all()},
    )


@public
def proposal_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = visible_process(request, slug)
    proposal = get_object_or_404(process.proposals, pk=pk)
    return render(
        request,
        "budgeting/proposal_detail.html",
        {"process": process, "proposal": proposal, "is_officer": may_run(request, process),
         "lines": proposal.lines.all(), "record": money.delivery_records(process).get(proposal.project_id)},
    )  # fmt: skip


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = visible_process(request, slug)
    proposal = get_object_or_404(process.proposals, pk=pk)
    initial = {"cost": proposal.cost or proposal.estimated_cost, "reason": proposal.review_reason}
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.review(
                proposal, request.user, feasible=data["feasible"] == "yes", cost=data["cost"], reason=data["reason"]
            )
        except ProcessError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, f"Review saved: {proposal.get_status_display()}")
            return redirect("budgeting:detail", slug=process.slug)
    return render(request, "budgeting/review_form.html", {"form": form, "process": process, "proposal": proposal})


def _result(request: HttpRequest, slug: str):
    process = visible_process(request, slug)
    if process.phase not in (Phase.RESULTS, Phase.DELIVERY):
        raise Http404("The results are not out yet")
    return process, process.result


@public
def results(request: HttpRequest, slug: str) -> HttpResponse:
    process, result = _result(request, slug)
    eligible = process.roll.count() if process.electorate == Process.Electorate.ROLL else None
    return render(
        request,
        "budgeting/results.html",
        {
            "process": process,
            "result": result,
            "rows": pb_results.result_rows(process),
            "left": process.budget - result.spent,
            "scored": process.ballot_type in ("cumulative", "ranked"),
            "eligible": eligible,
            "codes_issued": process.codes.count(),
            "codes_used": process.marks.filter(code__isnull=False).count(),
            "is_officer": may_run(request, process),
            "replay": pb_results.replay_command(process),
            "fences": result.fences,
            "draws": money.draws(process),
            "profile": pb_results.voter_profile(process),
        },
    )


@public
def results_pb(request: HttpRequest, slug: str) -> HttpResponse:
    process, result = _result(request, slug)
    response = HttpResponse(result.pb_text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{process.slug}.pb"'
    return response


@public
def results_csv(request: HttpRequest, slug: str) -> HttpResponse:
    process, _ = _result(request, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{process.slug}-results.csv"'
    writer = csv.writer(response)
    writer.writerow(["project_id", "title", "cost_gbp", "ballots", "points", "won", "delivery", "spent_gbp", "why"])
    for row in pb_results.result_rows(process):
        p = row.proposal
        r = row.record
        writer.writerow([
            p.project_id, p.title, p.cost, row.ballots, row.points, "yes" if row.won else "no",
            r.get_status_display() if r else "", r.spent_pence / 100 if r else 0, row.why,
        ])  # fmt: skip
    return response


@public
def results_profile_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The voters-against-residents comparison as on the results page, small counts hidden the same way."""
    process, _ = _result(request, slug)
    profile = pb_results.voter_profile(process)
    if profile is None:
        raise Http404("No one answered the equality question and there are no population figures")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{process.slug}-voters-profile.csv"'
    writer = csv.writer(response)
    writer.writerow(["group", "band", "voters", "share_of_voters_who_answered", "share_of_residents"])
    hidden = f"fewer than {profile['threshold']}"
    for group in profile["groups"]:
        for band in group["bands"]:
            writer.writerow([
                group["key"], band["key"], hidden if band["voters"] is None else band["voters"],
                "" if band["voter_share"] is None else round(band["voter_share"], 4),
                "" if band["population_share"] is None else round(band["population_share"], 4),
            ])  # fmt: skip
    return response


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def delivery(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Delivery of a funded project is recorded in its public delivery record (commonground.delivery)."""
    process = visible_process(request, slug)
    proposal = get_object_or_404(process.proposals, pk=pk)
    record_ = money.delivery_records(process).get(proposal.project_id)
    if record_ is None:
        messages.error(request, "Delivery is tracked for funded projects once the results are out.")
        return redirect("budgeting:detail", slug=process.slug)
    return redirect("delivery:update", pk=record_.pk)


@public
def results_fences(request: HttpRequest, slug: str) -> HttpResponse:
    """The ring-fences as the TOML `commonground pb tally --constraints` reads, to re-count the published file."""
    process, result = _result(request, slug)
    if not result.fences:
        raise Http404("This process has no ring-fences")
    response = HttpResponse(fences.toml(process), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{process.slug}-ring-fences.toml"'
    return response
