"""PB pages: the public process page, ideas, officer review, the ballot (account, code, kiosk,
paper double entry), results with explanations, exports and delivery. The work is in services.py."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.audit.service import record
from commonground.budgeting import fences, scoring, services
from commonground.budgeting.forms import (
    ApplicationForm,
    BallotForm,
    CodesForm,
    CriteriaForm,
    DeclarationForm,
    DrawForm,
    ModerationForm,
    ProcessForm,
    ProposalForm,
    ReviewForm,
    RingFenceForm,
    RollForm,
    ScoreForm,
    ScorerForm,
)
from commonground.budgeting.models import Process, Proposal, RingFence, Scorer
from commonground.budgeting.services import ProcessError
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places import services as places
from commonground.places.models import Area
from commonground.pots import services as pots
from commonground.voting import limits

Phase = Process.Phase


def _officer(request: HttpRequest, process: Process | None = None) -> bool:
    """Whether the person runs processes: with a process, where it lives (its council or neighbourhood)."""
    if process is None:
        return user_can(request.user, Capability.RUN_PROCESSES)
    return user_can(request.user, Capability.RUN_PROCESSES, services.scope_of(process))


def scope_of_process(request: HttpRequest, slug: str, **kwargs) -> Scope | None:
    """Where the process in the address lives: its area's council and its neighbourhood."""
    return services.scope_of(get_object_or_404(Process.objects.select_related("area", "neighbourhood"), slug=slug))


def _process(request: HttpRequest, slug: str) -> Process:
    process = get_object_or_404(Process.objects.select_related("area", "neighbourhood"), slug=slug)
    if process.phase == Phase.DRAFT and not _officer(request, process):
        raise Http404("No such process")
    return process


@public
def process_list(request: HttpRequest) -> HttpResponse:
    processes = Process.objects.select_related("area", "neighbourhood")
    if not _officer(request):
        processes = processes.exclude(phase=Phase.DRAFT)
    else:  # an officer sees the drafts of the processes they run
        processes = [p for p in processes if p.phase != Phase.DRAFT or _officer(request, p)]
    return render(request, "budgeting/process_list.html", {"processes": processes, "is_officer": _officer(request)})


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
    process = _process(request, slug)
    is_officer = _officer(request, process)
    proposals = process.proposals.select_related("submitted_by")
    if not is_officer and process.phase in (Phase.VOTING, Phase.RESULTS, Phase.DELIVERY):
        proposals = proposals.filter(status=Proposal.Status.FEASIBLE)
    if not is_officer and process.phase == Phase.SCORING:
        proposals = proposals.none()  # applications are published with their scores
    may_vote, why_not = services.may_vote_with_account(process, request.user)
    next_phase = services.next_phase(process)
    return render(
        request,
        "budgeting/process_detail.html",
        {
            "process": process,
            "proposals": proposals,
            "is_officer": is_officer,
            "next_phase": next_phase and Phase(next_phase).label,
            "stats": services.stats(process),
            "may_vote": may_vote,
            "why_not": why_not,
            "phases": services.phase_order(process),
            "fences": fences.sentences(process),
            "draws": services.draws(process),
            "priorities": services.priorities(process),
            "criteria": process.criteria.all(),
            "is_scorer": services.scorer_of(process, request.user) is not None,
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
    process = _process(request, slug)
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
        request.POST or None, priorities=services.priorities(process), kinds_required=services.fenced_kinds(process)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.submit_application(
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
    process = _process(request, slug)
    proposal = get_object_or_404(process.proposals, pk=pk)
    return render(
        request,
        "budgeting/proposal_detail.html",
        {"process": process, "proposal": proposal, "is_officer": _officer(request, process),
         "lines": proposal.lines.all(), "record": services.delivery_records(process).get(proposal.project_id)},
    )  # fmt: skip


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _process(request, slug)
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


def _ballot_page(request: HttpRequest, process: Process, *, kiosk: bool = False, receipt: bool = False):
    """The ballot for an account holder, a code holder, a kiosk voter, or a receipt holder."""
    projects = services.ballot_projects(process)
    use_code = kiosk or (process.accepts_codes and not receipt and not (
        process.accepts_accounts and services.may_vote_with_account(process, request.user)[0]
    ))  # fmt: skip
    form = BallotForm(
        request.POST or None,
        process=process,
        projects=projects,
        with_code=use_code,
        with_receipt=receipt,
        with_postcode=process.electorate == Process.Electorate.POSTCODE and not use_code and not receipt,
        age_bands=None if receipt else services.equality_bands(process),
    )
    status = 200
    if request.method == "POST" and process.taking_ballots and form.is_valid():
        choices = form.choices()
        guesser = limits.address(request) if (use_code or receipt) and not kiosk else None
        try:
            with services.code_guesses(guesser):
                if receipt:
                    services.change_with_receipt(process, form.cleaned_data["receipt"], choices, projects)
                    cast = services.Cast(receipt=None, changed=True)
                else:
                    cast = services.cast(
                        process,
                        choices,
                        user=request.user,
                        code=form.cleaned_data.get("code") if use_code else None,
                        postcode=form.cleaned_data.get("postcode"),
                        equality=form.equality(),
                        projects=projects,
                    )
        except services.TooManyGuesses as exc:
            form.add_error(None, str(exc))
            status = 429
        except ProcessError as exc:
            form.add_error(exc.field if exc.field in form.fields else form.error_field(), str(exc))
        else:
            if kiosk:
                messages.success(request, "Ballot cast. Thank you! Ready for the next voter.")
                return redirect("budgeting:kiosk", slug=process.slug)
            return _no_store(render(request, "budgeting/vote_done.html", {"process": process, "cast": cast}))
    response = render(
        request,
        "budgeting/ballot.html",
        {
            "process": process,
            "form": form,
            "kiosk": kiosk,
            "receipt": receipt,
            "turnout": services.turnout(process) if kiosk else None,  # counted only where shown
            "projects": projects,
            "fences": fences.sentences(process),
        },
        status=status,
    )
    return _no_store(response)


def _no_store(response: HttpResponse) -> HttpResponse:
    """Ballots and receipts must not be kept by the browser: on a shared kiosk or library computer
    the Back button would otherwise show the last voter's choices or receipt code."""
    response["Cache-Control"] = "no-store"
    return response


@public
@sensitive_post_parameters("code", "receipt", "postcode", "age_band", "sex")
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    """Open to everyone; who may vote is decided per process (account, roll or code) in services."""
    process = _process(request, slug)
    if not process.taking_ballots:
        messages.error(request, "Voting is not open.")
        return redirect("budgeting:detail", slug=process.slug)
    if not process.accepts_codes:
        allowed, why = services.may_vote_with_account(process, request.user)
        if not allowed:
            return render(request, "budgeting/cannot_vote.html", {"process": process, "why": why}, status=403)
    return _ballot_page(request, process)


@public
@sensitive_post_parameters("code", "receipt")
def change_vote(request: HttpRequest, slug: str) -> HttpResponse:
    """Secret processes: change a ballot with the receipt code given when it was cast."""
    process = _process(request, slug)
    if not process.taking_ballots or not process.secret:
        raise Http404("Ballots in this process cannot be changed with a receipt")
    return _ballot_page(request, process, receipt=True)


KIOSK_SESSION_KEY = "pb_kiosk"


@require_POST
@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def kiosk_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Turn this browser into the event kiosk: the officer is signed out and the session can do
    nothing but cast ballots with codes in this one process, so voters at the device cannot reach
    officer pages. Signing in again ends kiosk mode."""
    process = _process(request, slug)
    if not process.taking_ballots or not process.accepts_codes:
        messages.error(request, "The kiosk works while a vote that uses codes is open.")
        return redirect("budgeting:detail", slug=process.slug)
    record(request.user, "pb.kiosk_start", process)
    logout(request)
    request.session[KIOSK_SESSION_KEY] = process.slug
    return redirect("budgeting:kiosk", slug=process.slug)


@public
@sensitive_post_parameters("code", "age_band", "sex")
def kiosk(request: HttpRequest, slug: str) -> HttpResponse:
    """Event mode: open only to a browser an officer turned into a kiosk (see kiosk_start); each code
    casts one ballot, then the page resets for the next voter."""
    process = _process(request, slug)
    if request.user.is_authenticated:  # signing in on the device ends kiosk mode
        request.session.pop(KIOSK_SESSION_KEY, None)
    if request.session.get(KIOSK_SESSION_KEY) != process.slug:
        raise PermissionDenied("This device is not a kiosk for this process. A council officer starts it.")
    if not process.taking_ballots or not process.accepts_codes:
        request.session.pop(KIOSK_SESSION_KEY, None)
        messages.info(request, "Voting has closed. The kiosk is off.")
        return redirect("budgeting:detail", slug=process.slug)
    return _ballot_page(request, process, kiosk=True)


@public
def turnout_json(request: HttpRequest, slug: str) -> JsonResponse:
    process = _process(request, slug)
    return JsonResponse({"process": process.slug, "phase": process.phase, "ballots": services.turnout(process)})


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def codes(request: HttpRequest, slug: str) -> HttpResponse:
    process = _process(request, slug)
    form = CodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.issue_codes(
                process, request.user, form.cleaned_data["number"], form.cleaned_data["batch"]
            )
        except ProcessError as exc:
            form.add_error(exc.field, str(exc))
        else:
            response = render(
                request, "budgeting/codes_print.html", {"process": process, "codes": issued, **form.cleaned_data}
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "budgeting/codes_form.html", {"form": form, "process": process})


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def roll(request: HttpRequest, slug: str) -> HttpResponse:
    process = _process(request, slug)
    form = RollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = services.add_to_roll(process, request.user, form.cleaned_data["emails"])
        messages.success(request, f"Added {added} people to the roll.")
        return redirect("budgeting:roll", slug=process.slug)
    return render(
        request, "budgeting/roll_form.html", {"form": form, "process": process, "entries": process.roll.all()}
    )


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
@sensitive_post_parameters("code")
def paper_entry(request: HttpRequest, slug: str) -> HttpResponse:
    """Paper ballots typed in twice by different officers; mismatches wait for a third officer."""
    process = _process(request, slug)
    projects = services.ballot_projects(process)
    form = BallotForm(
        request.POST or None,
        process=process,
        projects=projects,
        with_code=process.accepts_codes,
        with_paper_number=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.enter_paper(
                process,
                request.user,
                form.cleaned_data["paper_number"],
                form.choices(),
                form.cleaned_data.get("code", ""),
            )
        except ProcessError as exc:
            form.add_error(exc.field if exc.field in form.fields else form.error_field(), str(exc))
        else:
            number = form.cleaned_data["paper_number"]
            text = {
                "waiting": f"Paper {number}: first entry saved. A second officer must enter it too.",
                "counted": f"Paper {number}: entries agree; the ballot is counted.",
                "mismatch": f"Paper {number}: the two entries differ. It is on the mismatch report.",
            }[outcome]
            (messages.warning if outcome == "mismatch" else messages.success)(request, text)
            return redirect("budgeting:paper", slug=process.slug)
    return render(
        request,
        "budgeting/paper_entry.html",
        {"form": form, "process": process, "mismatches": services.mismatches(process), "projects": projects},
    )


def _result(request: HttpRequest, slug: str):
    process = _process(request, slug)
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
            "rows": services.result_rows(process),
            "left": process.budget - result.spent,
            "scored": process.ballot_type in ("cumulative", "ranked"),
            "eligible": eligible,
            "codes_issued": process.codes.count(),
            "codes_used": process.marks.filter(code__isnull=False).count(),
            "is_officer": _officer(request, process),
            "replay": services.replay_command(process),
            "fences": result.fences,
            "draws": services.draws(process),
            "profile": services.voter_profile(process),
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
    for row in services.result_rows(process):
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
    profile = services.voter_profile(process)
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
    process = _process(request, slug)
    proposal = get_object_or_404(process.proposals, pk=pk)
    record_ = services.delivery_records(process).get(proposal.project_id)
    if record_ is None:
        messages.error(request, "Delivery is tracked for funded projects once the results are out.")
        return redirect("budgeting:detail", slug=process.slug)
    return redirect("delivery:update", pk=record_.pk)


# Ring-fences, money, applications and scoring ---------------------------------------------------------------


def _form(request, process: Process, form, heading: str, button: str, intro=(), template="govuk/simple_form.html",
          **extra) -> HttpResponse:  # fmt: skip
    context = {"form": form, "heading": heading, "button": button, "caption": process.title, "intro": list(intro),
               "back": reverse("budgeting:detail", args=[process.slug]), "process": process, **extra}  # fmt: skip
    return render(request, template, context)


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def ring_fences(request: HttpRequest, slug: str) -> HttpResponse:
    """Least and most shares of the budget for kinds of applicant or categories (e.g. 50/25/25)."""
    process = _process(request, slug)
    initial = {}
    for n, f in enumerate(process.ring_fences.all(), start=1):
        initial[f"fence_{n}_whose"] = f.value if f.field == RingFence.Field.APPLICANT_KIND else "category"
        initial[f"fence_{n}_category"] = f.value if f.field == RingFence.Field.CATEGORY else ""
        initial[f"fence_{n}_least"], initial[f"fence_{n}_most"] = f.min_percent, f.max_percent
    form = RingFenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_ring_fences(process, request.user, form.rows())
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
    process = _process(request, slug)
    initial = {}
    for n, c in enumerate(process.criteria.all(), start=1):
        initial |= {f"criterion_{n}_title": c.title, f"criterion_{n}_description": c.description,
                    f"criterion_{n}_weight": c.weight}  # fmt: skip
    form = CriteriaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_criteria(process, request.user, form.rows())
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
    process = _process(request, slug)
    form = ScorerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_scorer(process, request.user, form.cleaned_data["email"])
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
    process = _process(request, slug)
    scorer = get_object_or_404(Scorer, pk=pk, process=process)
    try:
        services.remove_scorer(process, request.user, scorer)
    except ProcessError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Removed from the scoring panel")
    return redirect("budgeting:panel", slug=process.slug)


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def draw(request: HttpRequest, slug: str) -> HttpResponse:
    """Where the budget comes from: money set aside in one or more pots."""
    process = _process(request, slug)
    held = {pot.pk: amount for pot, amount in services.draws(process)}
    choices = [(pot, f"{pot.name}: {pots.money(b.available + held.get(pot.pk, 0))} available")
               for pot, b in pots.with_money_left()]  # fmt: skip
    choices += [(pot, f"{pot.name}: {pots.money(amount)} set aside for this process")
                for pot, amount in services.draws(process) if pot.pk not in {p.pk for p, _ in choices}]  # fmt: skip
    form = DrawForm(request.POST or None, pots=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.draw_from_pot(process, request.user, form.cleaned_data["pot"], form.cleaned_data["amount"])
        except ProcessError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, "The budget now comes from the pots chosen")
            return redirect("budgeting:detail", slug=process.slug)
    now = [f"{pot.name}: {pots.money(amount)}" for pot, amount in services.draws(process) if amount]
    intro = ["The budget is the money set aside in the pots chosen here. When the results are published, each "
             "winner is allocated its cost from them and what is left goes back."]  # fmt: skip
    if now:
        intro.append("Set aside now: " + "; ".join(now) + ".")
    if not choices:
        intro.append("No pot has money left. Make a pot first (Pots of money).")
    return _form(request, process, form, "Money from pots", "Set the money aside", intro)


def _scorer(request: HttpRequest, process: Process) -> Scorer:
    found = services.scorer_of(process, request.user)
    if found is None:
        raise PermissionDenied("Only members of this process's scoring panel can score it.")
    return found


@requires(Capability.USE_ACCOUNT, scope=scope_of_process)
def scoring_home(request: HttpRequest, slug: str) -> HttpResponse:
    """A panel member's list: each application, scored or not, with any interest they declared."""
    process = _process(request, slug)
    scorer = _scorer(request, process)
    scored = set(scorer.scores.values_list("proposal_id", flat=True))
    declared = {d.proposal_id: d for d in scorer.declarations.all()}
    rows = [(p, p.pk in scored, declared.get(p.pk)) for p in process.proposals.order_by("id")]
    return render(
        request, "budgeting/scoring.html", {"process": process, "rows": rows, "criteria": process.criteria.all()}
    )


@requires(Capability.USE_ACCOUNT, scope=scope_of_process)
def score(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _process(request, slug)
    scorer = _scorer(request, process)
    proposal = get_object_or_404(process.proposals, pk=pk)
    criteria_ = list(process.criteria.all())
    given = {f"criterion_{s.criterion_id}": str(s.value) for s in scorer.scores.filter(proposal=proposal)}
    form = ScoreForm(request.POST or None, criteria=criteria_, initial=given)
    recused = services.is_recused(scorer, proposal)
    if request.method == "POST" and form.is_valid():
        try:
            services.score(process, request.user, proposal, form.values(), form.cleaned_data["comment"])
        except ProcessError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, f"Scores saved for {proposal.title}")
            return redirect("budgeting:scoring", slug=process.slug)
    return render(request, "budgeting/score_form.html", {"form": form, "process": process, "proposal": proposal,
                  "lines": proposal.lines.all(), "recused": recused}, status=403 if recused else 200)  # fmt: skip


@requires(Capability.USE_ACCOUNT, scope=scope_of_process)
def declare(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _process(request, slug)
    _scorer(request, process)
    proposal = get_object_or_404(process.proposals, pk=pk)
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare(process, request.user, proposal, form.cleaned_data["interest"])
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
    process = _process(request, slug)
    form = ModerationForm(request.POST or None, criteria=process.criteria.all())
    if request.method == "POST":
        chosen = request.POST.get("proposal", "")
        proposal = get_object_or_404(process.proposals, pk=int(chosen) if chosen.isdigit() and len(chosen) < 18 else 0)
        if form.is_valid():
            criterion = get_object_or_404(process.criteria, pk=form.cleaned_data["criterion"])
            try:
                services.moderate(process, request.user, proposal, criterion, form.cleaned_data["value"],
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
    process = _process(request, slug)
    if process.scores_published_at is None:
        raise Http404("The scores are not published yet")
    return render(request, "budgeting/scores.html",
                  {"process": process, "rows": scoring.table(process), "criteria": process.criteria.all()})  # fmt: skip


@public
def results_fences(request: HttpRequest, slug: str) -> HttpResponse:
    """The ring-fences as the TOML `commonground pb tally --constraints` reads, to re-count the published file."""
    process, result = _result(request, slug)
    if not result.fences:
        raise Http404("This process has no ring-fences")
    response = HttpResponse(fences.toml(process), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{process.slug}-ring-fences.toml"'
    return response
