"""The board's pages: its members, terms and interests, meetings with papers, minutes, decisions and votes.

Anyone reads what is published; the board's own members, officers of its council and site admins edit
(every edit view checks the capability where this neighbourhood lives). Thin: the work is in board.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.neighbourhoods import board as boards
from commonground.neighbourhoods import services
from commonground.neighbourhoods.forms import (
    ApprovalForm,
    BoardForm,
    DecisionForm,
    InterestForm,
    MeetingForm,
    MemberForm,
    PaperForm,
    VotesForm,
)
from commonground.neighbourhoods.models import Board, BoardMember, Decision, Meeting, Neighbourhood, Paper
from commonground.neighbourhoods.services import NeighbourhoodError
from commonground.neighbourhoods.views import can_run, scope_of_slug


def form_page(request: HttpRequest, neighbourhood: Neighbourhood, form, heading: str, button: str, back: str,
              intro: str = "", multipart: bool = False) -> HttpResponse:  # fmt: skip
    """A GOV.UK form page under the neighbourhood's name, with a link back to where the form was opened."""
    context = {"neighbourhood": neighbourhood, "form": form, "heading": heading, "button": button, "back": back,
               "intro": intro, "multipart": multipart}  # fmt: skip
    return render(request, "neighbourhoods/form.html", context)


def refuse(form, error: NeighbourhoodError, field: str | None = None) -> None:
    """Show a rule the service refused as a GOV.UK error on the form."""
    form.add_error(field, capfirst(str(error)))


def _board(slug: str) -> Board:
    board = Board.objects.select_related("neighbourhood").filter(neighbourhood__slug=slug).first()
    if board is None:
        raise Http404("This neighbourhood has no board yet")
    return board


def _meeting(request: HttpRequest, slug: str, pk: int) -> Meeting:
    """A meeting of this neighbourhood's board: published, or any for those who run the neighbourhood."""
    meeting = get_object_or_404(Meeting.objects.select_related("board__neighbourhood"), pk=pk,
                                board__neighbourhood__slug=slug)  # fmt: skip
    if meeting.published_at is None and not can_run(request, meeting.board.neighbourhood):
        raise Http404("No such meeting")
    return meeting


def _board_url(slug: str) -> str:
    return reverse("neighbourhoods:board", args=[slug])


# The board ---------------------------------------------------------------------------------------------------


@public
def board_page(request: HttpRequest, slug: str) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    runner = can_run(request, neighbourhood)
    board = Board.objects.filter(neighbourhood=neighbourhood).first()
    shown = board is not None and (board.published_at is not None or runner)
    today = timezone.localdate()
    serving = board.members.serving(today).prefetch_related("interests") if shown else []
    context = {
        "neighbourhood": neighbourhood,
        "board": board,
        "shown": shown,
        "can_run": runner,
        "can_approve": runner and user_can(request.user, Capability.RUN_PROCESSES, services.scope_of(neighbourhood)),
        "serving": serving,
        "others": board.members.exclude(pk__in=[m.pk for m in serving]) if shown else [],
        "meetings": (board.meetings.all() if runner else board.meetings.exclude(published_at=None)) if shown else [],
        "deadline": boards.PHASE_TWO_BOARDS_BY,
        "is_pride_in_place": neighbourhood.kind == Neighbourhood.Kind.PRIDE_IN_PLACE,
    }
    return render(request, "neighbourhoods/board.html", context)


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def board_edit(request: HttpRequest, slug: str) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    board = Board.objects.filter(neighbourhood=neighbourhood).first()
    initial = {"name": f"{neighbourhood.name} Neighbourhood Board"}
    if board:
        initial = {"name": board.name, "kind": board.kind}
    form = BoardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            boards.set_up(request.user, neighbourhood, form.cleaned_data["name"], form.cleaned_data["kind"])
        except NeighbourhoodError as error:
            refuse(form, error, "name")
        else:
            return redirect("neighbourhoods:board", slug)
    return form_page(request, neighbourhood, form, "The board" if board else "Set up the board", "Save",
                     _board_url(slug))  # fmt: skip


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def board_approval(request: HttpRequest, slug: str) -> HttpResponse:
    """The council records its approval of the membership and the MP's: board members cannot approve themselves."""
    board = _board(slug)
    if not user_can(request.user, Capability.RUN_PROCESSES, services.scope_of(board.neighbourhood)):
        raise PermissionDenied("The council records the approval of a board's membership: ask a council officer.")
    initial = {"la_approved_on": board.la_approved_on, "la_approved_by": board.la_approved_by,
               "mp_approved_on": board.mp_approved_on}  # fmt: skip
    form = ApprovalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            boards.record_approval(request.user, board, data["la_approved_on"], data["la_approved_by"],
                                   data["mp_approved_on"])  # fmt: skip
        except NeighbourhoodError as error:
            refuse(form, error)
        else:
            return redirect("neighbourhoods:board", slug)
    intro = "The membership is approved when both the council and the local MP have approved it."
    return form_page(request, board.neighbourhood, form, "Approval of the membership", "Save", _board_url(slug),
                     intro)  # fmt: skip


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
@require_POST
def board_publish(request: HttpRequest, slug: str) -> HttpResponse:
    boards.publish_board(request.user, _board(slug))
    messages.success(request, "The board's membership is published")
    return redirect("neighbourhoods:board", slug)


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def member_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    board = _board(slug)
    member = get_object_or_404(BoardMember, pk=pk, board=board) if pk else None
    initial = {}
    if member:
        initial = {f: getattr(member, f) for f in ("name", "seat", "organisation", "term_starts", "term_ends",
                                                   "left_on")}  # fmt: skip
        initial["email"] = member.user.email if member.user else ""
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            boards.save_member(request.user, board, member=member, **form.cleaned_data)
        except NeighbourhoodError as error:
            refuse(form, error)
        else:
            return redirect("neighbourhoods:board", slug)
    heading = f"Change {member.name}'s seat" if member else "Add a member"
    return form_page(request, board.neighbourhood, form, heading, "Save", _board_url(slug))


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def interest_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    member = get_object_or_404(BoardMember.objects.select_related("board__neighbourhood"), pk=pk,
                               board__neighbourhood__slug=slug)  # fmt: skip
    form = InterestForm(request.POST or None, initial={"declared_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            boards.declare_interest(request.user, member, **form.cleaned_data)
        except NeighbourhoodError as error:
            refuse(form, error)
        else:
            return redirect("neighbourhoods:board", slug)
    intro = "The register of interests is published with the board."
    return form_page(request, member.board.neighbourhood, form, f"Declare an interest: {member.name}",
                     "Add to register", _board_url(slug), intro)  # fmt: skip


# Meetings ---------------------------------------------------------------------------------------------------


@public
def meeting_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, slug, pk)
    decisions = [{"decision": d, "roll": boards.roll(d)} for d in meeting.decisions.prefetch_related("votes")]
    context = {"meeting": meeting, "neighbourhood": meeting.board.neighbourhood, "decisions": decisions,
               "can_run": can_run(request, meeting.board.neighbourhood)}  # fmt: skip
    return render(request, "neighbourhoods/meeting.html", context)


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def meeting_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    board = _board(slug)
    meeting = _meeting(request, slug, pk) if pk else None
    fields = ("title", "held_on", "place", "agenda", "minutes")
    form = MeetingForm(request.POST or None, initial={f: getattr(meeting, f) for f in fields} if meeting else {})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = boards.save_meeting(request.user, board, meeting=meeting, **form.cleaned_data)
        except NeighbourhoodError as error:
            refuse(form, error)
        else:
            return redirect("neighbourhoods:meeting", slug, meeting.pk)
    back = reverse("neighbourhoods:meeting", args=[slug, meeting.pk]) if meeting else _board_url(slug)
    return form_page(request, board.neighbourhood, form, "Change the meeting" if meeting else "Add a meeting", "Save",
                     back)  # fmt: skip


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
@require_POST
def meeting_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, slug, pk)
    try:
        boards.publish_meeting(request.user, meeting)
    except NeighbourhoodError as error:
        messages.error(request, capfirst(str(error)))
    else:
        messages.success(request, "The meeting is published")
    return redirect("neighbourhoods:meeting", slug, pk)


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def paper_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, slug, pk)
    form = PaperForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            boards.add_paper(request.user, meeting, form.cleaned_data["title"], form.cleaned_data["file"])
        except NeighbourhoodError as error:
            refuse(form, error, "file")
        else:
            return redirect("neighbourhoods:meeting", slug, pk)
    return form_page(request, meeting.board.neighbourhood, form, f"Add a paper: {meeting}", "Upload",
                     reverse("neighbourhoods:meeting", args=[slug, pk]), multipart=True)  # fmt: skip


@public
def paper(request: HttpRequest, slug: str, pk: int, paper_pk: int) -> FileResponse:
    """A paper of a published meeting, for anyone; of a draft one, only for those who run the neighbourhood."""
    item = get_object_or_404(Paper, pk=paper_pk, meeting=_meeting(request, slug, pk))
    return FileResponse(item.file.open("rb"), content_type=boards.CONTENT_TYPES[item.kind], as_attachment=True,
                        filename=f"{slugify(item.title) or 'paper'}.{item.kind}")  # fmt: skip


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
@require_POST
def paper_remove(request: HttpRequest, slug: str, pk: int, paper_pk: int) -> HttpResponse:
    boards.remove_paper(request.user, get_object_or_404(Paper, pk=paper_pk, meeting=_meeting(request, slug, pk)))
    messages.success(request, "The paper is removed")
    return redirect("neighbourhoods:meeting", slug, pk)


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def decision_edit(request: HttpRequest, slug: str, pk: int, number: int | None = None) -> HttpResponse:
    meeting = _meeting(request, slug, pk)
    decision = get_object_or_404(Decision, meeting=meeting, number=number) if number else None
    initial = {"title": decision.title, "text": decision.text, "outcome": decision.outcome,
               "conflicts": list(decision.conflicts.all())} if decision else {}  # fmt: skip
    form = DecisionForm(request.POST or None, initial=initial, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            decision = boards.save_decision(request.user, meeting, decision=decision, **form.cleaned_data)
        except NeighbourhoodError as error:
            refuse(form, error)
        else:
            return redirect("neighbourhoods:votes", slug, pk, decision.number)
    heading = f"Change decision {decision.number}" if decision else "Record a decision"
    return form_page(request, meeting.board.neighbourhood, form, heading, "Save and record the votes",
                     reverse("neighbourhoods:meeting", args=[slug, pk]))  # fmt: skip


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def votes(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    """Who voted how, where the board records it; members with a relevant interest are not offered."""
    meeting = _meeting(request, slug, pk)
    decision = get_object_or_404(Decision, meeting=meeting, number=number)
    initial = {f"member_{v.member_id}": v.choice for v in decision.votes.all()}
    form = VotesForm(request.POST or None, initial=initial, voters=boards.voters(decision))
    if request.method == "POST" and form.is_valid():
        try:
            boards.record_votes(request.user, decision, form.choices())
        except NeighbourhoodError as error:
            refuse(form, error)
        else:
            return redirect("neighbourhoods:meeting", slug, pk)
    intro = (
        "Record each member's vote if the board records them; leave them all as 'No vote recorded' to show "
        "only the outcome. Members who declared a relevant interest are not listed: they do not vote."
    )
    return form_page(request, meeting.board.neighbourhood, form, f"Votes on {decision.number}. {decision.title}",
                     "Save the votes", reverse("neighbourhoods:meeting", args=[slug, pk]), intro)  # fmt: skip
