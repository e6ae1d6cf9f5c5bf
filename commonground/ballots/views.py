"""Ballot pages: public ballot, Offer, vote, campaign and result pages; the officer's setup; the
independent body's roll, codes, papers and count. Thin: the work is in services.py."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.ballots import forms, services
from commonground.ballots.models import Ballot, Challenge, Elector
from commonground.ballots.services import BallotError
from commonground.places import services as places
from commonground.voting import limits

# The receipt travels from the vote to the page that shows it in a signed cookie read once, so the
# server never keeps it anywhere it could be linked to the voter, and no one else can plant one.
RECEIPT_COOKIE = "ballot_receipt"


def _ballot(pk: int) -> Ballot:
    return get_object_or_404(Ballot.objects.select_related("scrutineer", "area"), pk=pk)


def _scrutinised(request: HttpRequest, pk: int) -> Ballot:
    ballot = _ballot(pk)
    services.require_scrutineer(request.user, ballot)
    return ballot


def _form_page(request, form, title: str, button: str, intro: str = "", **extra) -> HttpResponse:
    return render(
        request, "ballots/form.html", {"form": form, "title": title, "button": button, "intro": intro, **extra}
    )


@public
def ballot_list(request: HttpRequest) -> HttpResponse:
    ballots = Ballot.objects.select_related("result").order_by("-opens_at")
    can_setup = user_can(request.user, Capability.RUN_PROCESSES)
    return render(request, "ballots/ballot_list.html", {"ballots": ballots, "can_setup": can_setup})


@public
def ballot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot(pk)
    is_scrutineer = request.user.is_authenticated and ballot.scrutineer_id == request.user.pk
    context = {
        "ballot": ballot,
        "phase": ballot.phase(),
        "offer": ballot.offer_in_force,
        "options": ballot.options.all(),
        "is_scrutineer": is_scrutineer,
        "electorate": ballot.electors.filter(on_roll=True).count(),
    }
    if is_scrutineer:
        context["turnout_by_channel"] = services.channel_turnout(ballot)
        context["batches"] = ballot.batches.order_by("id")
    return render(request, "ballots/ballot_detail.html", context)


def scope_of_ballot(request: HttpRequest, pk: int, **kwargs) -> Scope | None:
    """Where the ballot in the address lives: its estate's council (no area: site-wide officers only)."""
    return places.scope_of(_ballot(pk).area)


@requires(Capability.RUN_PROCESSES)
def ballot_create(request: HttpRequest) -> HttpResponse:
    form = forms.BallotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not user_can(request.user, Capability.RUN_PROCESSES, places.scope_of(data["area_code"])):
            raise PermissionDenied("You set up ballots for another council: give an area in yours.")
        try:
            ballot = services.create_ballot(
                request.user, title=data["title"], estate=data["estate"], area=data["area_code"],
                question=data["question"], options=data["options"], opens_at=data["opens_at"],
                closes_at=data["closes_at"], scrutineer=data["scrutineer"], offer_title=data["offer_title"],
                offer_body=data["offer_body"], offer_url=data["offer_url"],
                offer_published_on=data["offer_published_on"],
            )  # fmt: skip
        except BallotError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Ballot set up")
            return redirect("ballots:detail", pk=ballot.pk)
    return _form_page(request, form, "Set up a resident ballot", "Set up the ballot")


@requires(Capability.RUN_PROCESSES, scope=scope_of_ballot)
def offer_add(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot(pk)
    form = forms.OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.add_offer_version(
                request.user, ballot, d["title"], d["body"], d["document_url"], d["published_on"]
            )
        except BallotError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "New version of the Offer published")
            return redirect("ballots:offers", pk=pk)
    intro = "Earlier versions stay published with their dates. Residents vote on the latest version."
    return _form_page(
        request, form, f"New version of the Landlord Offer: {ballot.title}", "Publish this version", intro
    )


@public
def offer_history(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot(pk)
    return render(
        request,
        "ballots/offers.html",
        {
            "ballot": ballot,
            "versions": ballot.offer_versions.order_by("-number"),
            "can_edit": user_can(request.user, Capability.RUN_PROCESSES, places.scope_of(ballot.area))
            and ballot.phase() == Ballot.Phase.SETUP,
        },
    )


# ---------------------------------------------------------------- roll (independent body)


@requires(Capability.SCRUTINISE_BALLOTS)
def roll(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _scrutinised(request, pk)
    electors = ballot.electors.select_related("mark").prefetch_related("codes").order_by("roll_number")
    return render(
        request,
        "ballots/roll.html",
        {"ballot": ballot, "electors": electors, "mark_form": forms.MarkForm(), "phase": ballot.phase()},
    )


@requires(Capability.SCRUTINISE_BALLOTS)
def roll_add(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _scrutinised(request, pk)
    form = forms.ElectorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            elector = services.add_elector(request.user, ballot, **form.cleaned_data)
        except BallotError as exc:
            form.add_error(None, f"Not added: {exc}")
        else:
            messages.success(request, f"Added {elector}")
            return redirect("ballots:roll", pk=pk)
    intro = f"Eligibility is judged against the Landlord Offer published on {ballot.offer_published_on:%d %B %Y}."
    return _form_page(request, form, f"Add to the roll: {ballot.title}", "Add to the roll", intro)


@requires(Capability.SCRUTINISE_BALLOTS)
def roll_import(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _scrutinised(request, pk)
    form = forms.RollImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["file"].read().decode("utf-8-sig")
            added = services.import_roll(request.user, ballot, text)
        except UnicodeDecodeError:
            form.add_error("file", "The file must be UTF-8 text")
        except BallotError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, f"Added {added} people to the roll")
            return redirect("ballots:roll", pk=pk)
    return _form_page(request, form, f"Import the roll: {ballot.title}", "Import", multipart=True)


def _elector(request: HttpRequest, pk: int, number: int) -> Elector:
    ballot = _scrutinised(request, pk)
    return get_object_or_404(Elector.objects.select_related("ballot"), ballot=ballot, roll_number=number)


@requires(Capability.SCRUTINISE_BALLOTS)
def elector_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    elector = _elector(request, pk, number)
    return render(
        request,
        "ballots/elector.html",
        {
            "ballot": elector.ballot,
            "elector": elector,
            "events": elector.events.order_by("at", "id"),
            "challenges": elector.challenges.all(),
            "has_voted": hasattr(elector, "mark"),
            "decision_form": forms.DecisionForm(),
        },
    )


@requires(Capability.SCRUTINISE_BALLOTS)
def elector_correct(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    elector = _elector(request, pk, number)
    initial = {f: getattr(elector, f) for f in services.ROLL_COLUMNS}
    form = forms.CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            services.correct_elector(request.user, elector, reason, **data)
        except BallotError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Entry corrected; the earlier version is kept in its history")
            return redirect("ballots:elector", pk=pk, number=number)
    return _form_page(request, form, f"Correct roll entry {elector}", "Save the correction")


@requires(Capability.SCRUTINISE_BALLOTS)
def elector_challenge(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    elector = _elector(request, pk, number)
    form = forms.ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge(request.user, elector, form.cleaned_data["raised_by"], form.cleaned_data["grounds"])
        except BallotError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Challenge recorded")
            return redirect("ballots:elector", pk=pk, number=number)
    return _form_page(request, form, f"Record a challenge to {elector}", "Record the challenge")


@require_POST
@requires(Capability.SCRUTINISE_BALLOTS)
def challenge_decide(request: HttpRequest, pk: int, number: int, challenge_id: int) -> HttpResponse:
    elector = _elector(request, pk, number)
    item = get_object_or_404(Challenge, pk=challenge_id, elector=elector)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a decision and give the reason")
    else:
        try:
            services.decide_challenge(
                request.user, item, form.cleaned_data["outcome"] == "uphold", form.cleaned_data["reason"]
            )
        except BallotError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Decision recorded")
    return redirect("ballots:elector", pk=pk, number=number)


def _codes_page(request: HttpRequest, ballot: Ballot, issued) -> HttpResponse:
    response = render(request, "ballots/codes.html", {"ballot": ballot, "issued": issued})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@requires(Capability.SCRUTINISE_BALLOTS)
def codes_issue(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _scrutinised(request, pk)
    try:
        issued = services.issue_codes(request.user, ballot)
    except BallotError as exc:
        messages.error(request, str(exc))
        return redirect("ballots:roll", pk=pk)
    return _codes_page(request, ballot, issued)


@require_POST
@requires(Capability.SCRUTINISE_BALLOTS)
def code_replace(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    elector = _elector(request, pk, number)
    try:
        issued = services.replace_code(request.user, elector)
    except BallotError as exc:
        messages.error(request, str(exc))
        return redirect("ballots:elector", pk=pk, number=number)
    return _codes_page(request, elector.ballot, [issued])


@require_POST
@requires(Capability.SCRUTINISE_BALLOTS)
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _scrutinised(request, pk)
    form = forms.MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the roll number and how they voted")
        return redirect("ballots:roll", pk=pk)
    elector = ballot.electors.filter(roll_number=form.cleaned_data["roll_number"]).first()
    if elector is None:
        messages.error(request, f"There is no roll number {form.cleaned_data['roll_number']}")
        return redirect("ballots:roll", pk=pk)
    try:
        services.mark_voted(request.user, elector, form.cleaned_data["channel"])
    except BallotError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Marked {elector} as having voted")
    return redirect("ballots:roll", pk=pk)


@requires(Capability.SCRUTINISE_BALLOTS)
def batch_enter(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _scrutinised(request, pk)
    form = forms.BatchForm(ballot, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.enter_batch(
                request.user, ballot, form.cleaned_data["channel"], form.cleaned_data["label"], form.entry()
            )
        except BallotError as exc:
            form.add_error(None, str(exc))
        else:
            if batch.status == batch.Status.MISMATCH:
                messages.error(request, f"Batch {batch.label}: the two entries disagree. Count it again and re-enter.")
            else:
                messages.success(request, f"Batch {batch.label}: {batch.get_status_display()}")
            return redirect("ballots:detail", pk=pk)
    intro = "Enter each batch twice. The second entry is checked against the first without showing it."
    return _form_page(request, form, f"Enter paper ballots: {ballot.title}", "Enter the batch", intro)


@require_POST
@requires(Capability.SCRUTINISE_BALLOTS)
def count(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _scrutinised(request, pk)
    try:
        services.open_count(request.user, ballot)
    except BallotError as exc:
        messages.error(request, str(exc))
        return redirect("ballots:detail", pk=pk)
    messages.success(request, "Counted. The result is published.")
    return redirect("ballots:result", pk=pk)


@requires(Capability.SCRUTINISE_BALLOTS)
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _scrutinised(request, pk)
    form = forms.DeclarationForm(ballot, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.campaign_declare(
            request.user, ballot, side=d["side"], supports=ballot.options.filter(pk=d["supports"] or None).first(),
            kind=d["kind"], description=d["description"], amount_pence=d["amount"], link=d["link"],
            made_on=d["made_on"],
        )  # fmt: skip
        messages.success(request, "Declaration published")
        return redirect("ballots:campaign", pk=pk)
    return _form_page(request, form, f"Record a campaign declaration: {ballot.title}", "Publish the declaration")


@public
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot(pk)
    declarations = ballot.declarations.select_related("supports")
    sides: dict[str, int] = {}
    for item in declarations:
        sides[item.side] = sides.get(item.side, 0) + (item.amount_pence or 0)
    return render(
        request,
        "ballots/campaign.html",
        {"ballot": ballot, "declarations": declarations, "sides": sorted(sides.items())},
    )


# ---------------------------------------------------------------- voting (anyone with a code)


@public
@never_cache
@sensitive_post_parameters("code")
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot(pk)
    phase = ballot.phase()
    form = forms.VoteForm(ballot, request.POST or None)
    context = {"ballot": ballot, "offer": ballot.offer_in_force, "phase": phase, "form": form}
    if phase != Ballot.Phase.OPEN:
        return render(request, "ballots/vote.html", context)
    if request.method == "POST":
        try:
            services.count_vote_attempt(limits.browser(request), limits.address(request))
        except services.TooManyAttempts as exc:
            context["limited"] = str(exc)
            return render(request, "ballots/vote.html", context, status=429)
        if form.is_valid():
            try:
                receipt = services.cast_online(form.cleaned_data["code"], ballot, int(form.cleaned_data["option"]))
            except BallotError as exc:
                form.add_error("code", str(exc))
            else:
                response = redirect("ballots:voted", pk=pk)
                response.set_signed_cookie(
                    RECEIPT_COOKIE, receipt, salt=RECEIPT_COOKIE, max_age=10 * 60,
                    path=reverse("ballots:voted", args=[pk]),
                    secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Strict",
                )  # fmt: skip
                return response
    return render(request, "ballots/vote.html", context)


@public
@never_cache
def voted(request: HttpRequest, pk: int) -> HttpResponse:
    """The voter's receipt, shown once: the cookie that carried it is deleted with this page."""
    receipt = request.get_signed_cookie(RECEIPT_COOKIE, default="", salt=RECEIPT_COOKIE, max_age=10 * 60)
    response = render(request, "ballots/voted.html", {"ballot": _ballot(pk), "receipt": receipt})
    response.delete_cookie(RECEIPT_COOKIE, path=request.path, samesite="Strict")
    return response


# ---------------------------------------------------------------- results (public after the count)


def _counted(pk: int) -> Ballot:
    ballot = _ballot(pk)
    if not hasattr(ballot, "result"):
        raise Http404("This ballot has not been counted yet")
    return ballot


def _result_context(ballot: Ballot) -> dict:
    result = ballot.result
    return {
        "ballot": ballot,
        "result": result,
        "totals": result.totals,
        "turnout_percent": result.totals["turnout"] * 100,
        "offer": ballot.offer_in_force,
        "channels": services.channel_turnout(ballot),
        "batches": ballot.batches.order_by("id"),
        "declarations": ballot.declarations.all(),
    }


@public
def result(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "ballots/result.html", _result_context(_counted(pk)))


@public
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from weasyprint import HTML

    ballot = _counted(pk)
    html = render_to_string("ballots/report_pdf.html", _result_context(ballot), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ballot-{ballot.pk}-scrutineer-report.pdf"'
    return response


@public
def receipts(request: HttpRequest, pk: int) -> HttpResponse:
    """Every published paper by receipt, so a voter can find theirs without telling anyone which it is."""
    ballot = _counted(pk)
    return render(request, "ballots/receipts.html", {"ballot": ballot, "papers": ballot.result.papers})


@public
def papers_json(request: HttpRequest, pk: int) -> JsonResponse:
    ballot = _counted(pk)
    data = {
        "ballot": ballot.pk,
        "question": ballot.question,
        "options": [o.label for o in ballot.options.all()],
        "electorate": ballot.result.totals["electorate"],
        "papers_sha256": ballot.result.papers_sha256,
        "papers": [{"id": pid, "vote": choice} for pid, choice in ballot.result.papers],
    }
    return JsonResponse(data, json_dumps_params={"indent": 1})


@public
def papers_csv(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _counted(pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ballot-{ballot.pk}-papers.csv"'
    writer = csv.writer(response)
    writer.writerow(["paper_id", "vote"])
    for pid, choice in ballot.result.papers:
        writer.writerow([pid, choice if choice is not None else "spoilt"])
    return response
