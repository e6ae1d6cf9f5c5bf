"""PB voting pages: the ballot for accounts, codes and the kiosk, officers' codes and roll, paper double entry."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires
from commonground.accounts.roles import Capability
from commonground.audit.service import record
from commonground.budgeting import basics, casting, fragments
from commonground.budgeting.basics import ProcessError
from commonground.budgeting.forms import BallotForm, CodesForm, RollForm
from commonground.budgeting.models import Process
from commonground.budgeting.views import hidden, scope_of_process, visible_process
from commonground.places import services as places
from commonground.voting import limits


def _ballot_page(request: HttpRequest, kept: fragments.Ballot, *, kiosk: bool = False, receipt: bool = False):
    """The ballot for an account holder, a code holder, a kiosk voter, or a receipt holder."""
    process, projects = kept.process, kept.projects
    use_code = kiosk or (process.accepts_codes and not receipt and not (
        process.accepts_accounts and casting.may_vote_with_account(process, request.user)[0]
    ))  # fmt: skip
    with_postcode = process.electorate == Process.Electorate.POSTCODE and not use_code and not receipt
    # A browser with no session is signed out and has no messages waiting: every such visitor gets the same page.
    same_for_all = not kiosk and settings.SESSION_COOKIE_NAME not in request.COOKIES
    if request.method != "POST" and same_for_all:
        where = (process.area.pk, process.area.name) if with_postcode else None  # the postcode hint names it
        page = _same_page(request, kept, "budgeting/ballot.html", (use_code, receipt, where), lambda: _render_ballot(
            request, kept, _ballot_form(None, process, projects, use_code, receipt, with_postcode), kiosk, receipt,
            token=TOKEN_HERE,
        ))  # fmt: skip
        return _no_store(HttpResponse(page))
    form = _ballot_form(request.POST or None, process, projects, use_code, receipt, with_postcode)
    status = 200
    if request.method == "POST" and process.taking_ballots and form.is_valid():
        choices = form.choices()
        guesser = limits.address(request) if (use_code or receipt) and not kiosk else None
        try:
            with casting.code_guesses(guesser):
                if receipt:
                    casting.change_with_receipt(process, form.cleaned_data["receipt"], choices, projects)
                    cast = casting.Cast(receipt=None, changed=True)
                else:
                    cast = casting.cast(
                        process,
                        choices,
                        user=request.user,
                        code=form.cleaned_data.get("code") if use_code else None,
                        postcode=form.cleaned_data.get("postcode"),
                        equality=form.equality(),
                        projects=projects,
                    )
        except casting.TooManyGuesses as exc:
            form.add_error(None, str(exc))
            status = 429
        except ProcessError as exc:
            form.add_error(exc.field if exc.field in form.fields else form.error_field(), str(exc))
        else:
            if kiosk:
                messages.success(request, "Ballot cast. Thank you! Ready for the next voter.")
                return redirect("budgeting:kiosk", slug=process.slug)
            return _no_store(HttpResponse(_vote_done(request, kept, cast, same_for_all)))
    return _no_store(_render_ballot(request, kept, form, kiosk, receipt, status=status))


def _kept_ballot(request: HttpRequest, slug: str) -> fragments.Ballot:
    """visible_process for the voting pages: the process and its ballot as they stand, built once per state."""
    kept = fragments.ballot(slug)
    if kept is None or hidden(request, kept.process):
        raise Http404("No such process")
    places.demo_data_known(request, kept.showing_demo_data)  # read with the state: the page need not ask
    return kept


def _ballot_form(data, process: Process, projects: list, use_code: bool, receipt: bool, with_postcode: bool):
    return BallotForm(
        data,
        process=process,
        projects=projects,
        with_code=use_code,
        with_receipt=receipt,
        with_postcode=with_postcode,
        age_bands=None if receipt else casting.equality_bands(process),
    )


def _render_ballot(request, kept: fragments.Ballot, form: BallotForm, kiosk: bool, receipt: bool, *,
                   status: int = 200, token: str | None = None) -> HttpResponse:  # fmt: skip
    process = form.process
    mine = {"csrf_token": token} if token else {}
    return render(
        request,
        "budgeting/ballot.html",
        {
            "process": process,
            "form": form,
            "kiosk": kiosk,
            "receipt": receipt,
            "turnout": casting.turnout(process) if kiosk else None,  # counted only where shown
            "fences": kept.fences,
            **_fragments(kept, form, kiosk=kiosk),
            **mine,
        },
        status=status,
    )


def _vote_done(request: HttpRequest, kept: fragments.Ballot, cast: casting.Cast, same_for_all: bool) -> str:
    """The confirmation; its receipt code, if any, is put in after the page is made, so a signed-out
    voter's page is made once per state of the process."""
    context = {"process": kept.process, "cast": casting.Cast(RECEIPT_HERE if cast.receipt else None, cast.changed)}
    if same_for_all:
        page = _same_page(request, kept, "budgeting/vote_done.html", (cast.changed, bool(cast.receipt)), lambda: render(
            request, "budgeting/vote_done.html", {**context, "csrf_token": TOKEN_HERE}
        ))  # fmt: skip
    else:
        page = render_to_string("budgeting/vote_done.html", context, request)
    return page.replace(RECEIPT_HERE, cast.receipt) if cast.receipt else page


# Stand-ins put in a page that is made once and served to many, replaced by each visitor's own value. Random
# per run of the server, so no text a process or a project holds can be taken for one.
TOKEN_HERE, RECEIPT_HERE = (f"cg{secrets.token_hex(16)}" for _ in range(2))


def _same_page(request: HttpRequest, kept: fragments.Ballot, template: str, variant: tuple, render_page) -> str:
    """A whole page as every signed-out visitor at this address sees it, made once per state of the process
    (and of whatever else goes into the page: the address, and whether the demo data is on show), with this
    visitor's own CSRF token put in."""
    parts = (template, variant, request.path, get_script_prefix(), kept.showing_demo_data)

    page = kept.rendered(parts, lambda: render_page().content.decode())
    return page.replace(TOKEN_HERE, get_token(request)) if TOKEN_HERE in page else page


def _fragments(kept: fragments.Ballot, form: BallotForm, *, kiosk: bool) -> dict:
    """The empty ballot and the project list, rendered once for every voter who sees the same ones
    (budgeting.fragments); a form with answers or errors in it is rendered afresh."""
    found = {}
    if not form.is_bound:
        fields = tuple(form.fields)  # which fields; what is in them comes from the process and projects
        if "postcode" in form.fields:  # the hint names the area, which is not part of the kept state
            area = form.process.area
            fields += (area.pk, area.name)
        found["fields_html"] = kept.rendered(
            ("budgeting/_ballot_fields.html", fields, get_script_prefix()),
            lambda: render_to_string("budgeting/_ballot_fields.html", {"form": form}),
        )
    if not kiosk:
        found["projects_html"] = kept.rendered(
            ("budgeting/_ballot_projects.html", get_script_prefix()),
            lambda: render_to_string(
                "budgeting/_ballot_projects.html", {"process": form.process, "projects": kept.projects}
            ),
        )
    return found


def _no_store(response: HttpResponse) -> HttpResponse:
    """Ballots and receipts must not be kept by the browser: on a shared kiosk or library computer
    the Back button would otherwise show the last voter's choices or receipt code."""
    response["Cache-Control"] = "no-store"
    return response


@public
@sensitive_post_parameters("code", "receipt", "postcode", "age_band", "sex")
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    """Open to everyone; who may vote is decided per process (account, roll or code) in services."""
    kept = _kept_ballot(request, slug)
    process = kept.process
    if not process.taking_ballots:
        messages.error(request, "Voting is not open.")
        return redirect("budgeting:detail", slug=process.slug)
    if not process.accepts_codes:
        allowed, why = casting.may_vote_with_account(process, request.user)
        if not allowed:
            return render(request, "budgeting/cannot_vote.html", {"process": process, "why": why}, status=403)
    return _ballot_page(request, kept)


@public
@sensitive_post_parameters("code", "receipt")
def change_vote(request: HttpRequest, slug: str) -> HttpResponse:
    """Secret processes: change a ballot with the receipt code given when it was cast."""
    kept = _kept_ballot(request, slug)
    process = kept.process
    if not process.taking_ballots or not process.secret:
        raise Http404("Ballots in this process cannot be changed with a receipt")
    return _ballot_page(request, kept, receipt=True)


KIOSK_SESSION_KEY = "pb_kiosk"


@require_POST
@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def kiosk_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Turn this browser into the event kiosk: the officer is signed out and the session can do
    nothing but cast ballots with codes in this one process, so voters at the device cannot reach
    officer pages. Signing in again ends kiosk mode."""
    process = visible_process(request, slug)
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
    kept = _kept_ballot(request, slug)
    process = kept.process
    if request.user.is_authenticated:  # signing in on the device ends kiosk mode
        request.session.pop(KIOSK_SESSION_KEY, None)
    if request.session.get(KIOSK_SESSION_KEY) != process.slug:
        raise PermissionDenied("This device is not a kiosk for this process. A council officer starts it.")
    if not process.taking_ballots or not process.accepts_codes:
        request.session.pop(KIOSK_SESSION_KEY, None)
        messages.info(request, "Voting has closed. The kiosk is off.")
        return redirect("budgeting:detail", slug=process.slug)
    return _ballot_page(request, kept, kiosk=True)


@public
def turnout_json(request: HttpRequest, slug: str) -> JsonResponse:
    process = visible_process(request, slug)
    return JsonResponse({"process": process.slug, "phase": process.phase, "ballots": casting.turnout(process)})


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
def codes(request: HttpRequest, slug: str) -> HttpResponse:
    process = visible_process(request, slug)
    form = CodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = casting.issue_codes(process, request.user, form.cleaned_data["number"], form.cleaned_data["batch"])
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
    process = visible_process(request, slug)
    form = RollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = casting.add_to_roll(process, request.user, form.cleaned_data["emails"])
        messages.success(request, f"Added {added} people to the roll.")
        return redirect("budgeting:roll", slug=process.slug)
    return render(
        request, "budgeting/roll_form.html", {"form": form, "process": process, "entries": process.roll.all()}
    )


@requires(Capability.RUN_PROCESSES, scope=scope_of_process)
@sensitive_post_parameters("code")
def paper_entry(request: HttpRequest, slug: str) -> HttpResponse:
    """Paper ballots typed in twice by different officers; mismatches wait for a third officer."""
    process = visible_process(request, slug)
    projects = basics.ballot_projects(process)
    form = BallotForm(
        request.POST or None,
        process=process,
        projects=projects,
        with_code=process.accepts_codes,
        with_paper_number=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = casting.enter_paper(
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
        {"form": form, "process": process, "mismatches": casting.mismatches(process), "projects": projects},
    )
