"""PB pages: the public process page, ideas, officer review, the ballot (account, code, kiosk,
paper double entry), results with explanations, exports and delivery. The work is in services.py."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.audit.service import record
from commonground.budgeting import services
from commonground.budgeting.forms import (
    BallotForm,
    CodesForm,
    DeliveryForm,
    ProcessForm,
    ProposalForm,
    ReviewForm,
    RollForm,
)
from commonground.budgeting.models import Process, Proposal
from commonground.budgeting.services import ProcessError
from commonground.places.models import Area
from commonground.voting import limits

Phase = Process.Phase


def _officer(request: HttpRequest) -> bool:
    return user_can(request.user, Capability.RUN_PROCESSES)


def _process(request: HttpRequest, slug: str) -> Process:
    process = get_object_or_404(Process.objects.select_related("area"), slug=slug)
    if process.phase == Phase.DRAFT and not _officer(request):
        raise Http404("No such process")
    return process


@public
def process_list(request: HttpRequest) -> HttpResponse:
    processes = Process.objects.select_related("area")
    if not _officer(request):
        processes = processes.exclude(phase=Phase.DRAFT)
    return render(request, "budgeting/process_list.html", {"processes": processes, "is_officer": _officer(request)})


@requires(Capability.RUN_PROCESSES)
def process_create(request: HttpRequest) -> HttpResponse:
    form = ProcessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = None
        if data["area_code"]:
            area = Area.objects.filter(code=data["area_code"].strip().upper()).first()
            if area is None:
                form.add_error("area_code", f"No area has the code {data['area_code']!r}")
        if not form.errors:
            fields = {k: v for k, v in data.items() if k != "area_code"}
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
    proposals = process.proposals.select_related("submitted_by")
    if not _officer(request) and process.phase in (Phase.VOTING, Phase.RESULTS, Phase.DELIVERY):
        proposals = proposals.filter(status=Proposal.Status.FEASIBLE)
    may_vote, why_not = services.may_vote_with_account(process, request.user)
    next_phase = services.next_phase(process)
    return render(
        request,
        "budgeting/process_detail.html",
        {
            "process": process,
            "proposals": proposals,
            "is_officer": _officer(request),
            "next_phase": next_phase and Phase(next_phase).label,
            "stats": services.stats(process),
            "may_vote": may_vote,
            "why_not": why_not,
            "phases": services.PHASE_ORDER,
        },
    )


@require_POST
@requires(Capability.RUN_PROCESSES)
def advance(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_object_or_404(Process, slug=slug)
    try:
        process = services.advance(process, request.user, expected=request.POST.get("phase", ""))
    except ProcessError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Moved to: {process.get_phase_display()}")
    return redirect("budgeting:detail", slug=process.slug)


@requires(Capability.USE_ACCOUNT)
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    process = _process(request, slug)
    if process.phase != Phase.PROPOSALS:
        messages.error(request, "This process is not taking ideas now.")
        return redirect("budgeting:detail", slug=process.slug)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        proposal = services.submit_proposal(process, request.user, **form.cleaned_data)
        messages.success(request, "Thank you. The council will check your idea can be delivered.")
        return redirect("budgeting:proposal", slug=process.slug, pk=proposal.pk)
    return render(request, "budgeting/proposal_form.html", {"form": form, "process": process})


@public
def proposal_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _process(request, slug)
    proposal = get_object_or_404(process.proposals, pk=pk)
    return render(
        request,
        "budgeting/proposal_detail.html",
        {"process": process, "proposal": proposal, "is_officer": _officer(request)},
    )


@requires(Capability.RUN_PROCESSES)
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
                    services.change_with_receipt(process, form.cleaned_data["receipt"], choices)
                    cast = services.Cast(receipt=None, changed=True)
                else:
                    cast = services.cast(
                        process,
                        choices,
                        user=request.user,
                        code=form.cleaned_data.get("code") if use_code else None,
                        postcode=form.cleaned_data.get("postcode"),
                        equality=form.equality(),
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
            "turnout": services.turnout(process),
            "projects": projects,
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
@requires(Capability.RUN_PROCESSES)
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


@requires(Capability.RUN_PROCESSES)
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


@requires(Capability.RUN_PROCESSES)
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


@requires(Capability.RUN_PROCESSES)
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
            "is_officer": _officer(request),
            "replay": services.replay_command(process),
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
        writer.writerow([
            p.project_id, p.title, p.cost, row.ballots, row.points, "yes" if row.won else "no",
            p.get_delivery_display(), p.spent, row.why,
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


@requires(Capability.RUN_PROCESSES)
def delivery(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _process(request, slug)
    proposal = get_object_or_404(process.proposals, pk=pk)
    form = DeliveryForm(
        request.POST or None,
        initial={"delivery": proposal.delivery, "spent": proposal.spent, "note": proposal.delivery_note},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_delivery(
                proposal, request.user, delivery=data["delivery"], spent=data["spent"], note=data["note"]
            )
        except ProcessError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Delivery updated.")
            return redirect("budgeting:results", slug=process.slug)
    return render(request, "budgeting/delivery_form.html", {"form": form, "process": process, "proposal": proposal})
