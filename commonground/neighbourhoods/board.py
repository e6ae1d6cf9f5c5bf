"""A neighbourhood's body: its board, members and their terms, registers of interests, meetings, papers,
decisions and votes. Every change is audit-logged, naming people by member or account id, never by name.

Board members who are linked to an account hold the board member role for this neighbourhood exactly while
they serve: it is granted and withdrawn here (and by `commonground neighbourhoods sync-roles`, run daily,
as terms start and end).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from commonground.accounts import services as accounts
from commonground.accounts.models import User
from commonground.accounts.roles import Role
from commonground.audit.service import record
from commonground.neighbourhoods.models import (
    Board,
    BoardMember,
    Decision,
    Interest,
    Meeting,
    Neighbourhood,
    Paper,
    Vote,
)
from commonground.neighbourhoods.services import NeighbourhoodError, published

MAX_PAPER_BYTES = 10 * 1024 * 1024
CONTENT_TYPES = {
    Paper.Kind.PDF: "application/pdf",
    Paper.Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Paper.Kind.ODT: "application/vnd.oasis.opendocument.text",
    Paper.Kind.TXT: "text/plain; charset=utf-8",
}
# Phase 2 boards: "These must be in place by 17 July 2026" (ministerial statement, HCWS, 3 Dec 2025).
PHASE_TWO_BOARDS_BY = dt.date(2026, 7, 17)
BOARD_ROLE = frozenset({Role.BOARD_MEMBER})


def _today() -> dt.date:
    return timezone.localdate()


def _dates(**dates: dt.date | None) -> dict:
    return {k: v.isoformat() if v else None for k, v in dates.items()}


# The board ---------------------------------------------------------------------------------------------------


@transaction.atomic
def set_up(actor, neighbourhood: Neighbourhood, name: str, kind: str = Board.Kind.BOARD) -> Board:
    """Make or rename the neighbourhood's board."""
    name = name.strip()
    if not name:
        raise NeighbourhoodError("give the board a name")
    if kind not in Board.Kind.values:
        raise NeighbourhoodError(f"kind must be one of {', '.join(Board.Kind.values)}")
    board = Board.objects.filter(neighbourhood=neighbourhood).first()
    before = {"name": board.name, "kind": board.kind} if board else None
    if board is None:
        board = Board.objects.create(neighbourhood=neighbourhood, name=name, kind=kind)
    else:
        board.name, board.kind = name, kind
        board.save(update_fields=["name", "kind"])
    record(actor, "neighbourhoods.board", board, before=before, after={"name": name, "kind": kind})
    return board


@transaction.atomic
def record_approval(actor, board: Board, la_approved_on: dt.date | None, la_approved_by: str,
                    mp_approved_on: dt.date | None) -> Board:  # fmt: skip
    """The council's and the MP's approval of the membership; the board is approved only with both."""
    la_approved_by = la_approved_by.strip()
    if la_approved_on and not la_approved_by:
        raise NeighbourhoodError("say who approved the membership for the council, e.g. the cabinet decision")
    if any(d and d > _today() for d in (la_approved_on, mp_approved_on)):
        raise NeighbourhoodError("an approval cannot be dated in the future")
    before = {**_dates(la=board.la_approved_on, mp=board.mp_approved_on), "la_by": board.la_approved_by}
    board.la_approved_on, board.la_approved_by, board.mp_approved_on = la_approved_on, la_approved_by, mp_approved_on
    board.save(update_fields=["la_approved_on", "la_approved_by", "mp_approved_on"])
    after = {**_dates(la=la_approved_on, mp=mp_approved_on), "la_by": la_approved_by, "approved": board.is_approved}
    record(actor, "neighbourhoods.board_approval", board, before=before, after=after)
    return board


@transaction.atomic
def publish_board(actor, board: Board) -> Board:
    if board.published_at is None:
        board.published_at = timezone.now()
        board.save(update_fields=["published_at"])
        record(actor, "neighbourhoods.board_publish", board, after={"members": board.members.count()})
        published.send(Board, kind="board", obj=board)
    return board


def _last_day(member: BoardMember) -> dt.date | None:
    ends = [d for d in (member.term_ends, member.left_on and member.left_on - dt.timedelta(days=1)) if d]
    return min(ends) if ends else None


def _overlaps(a: BoardMember, b: BoardMember) -> bool:
    a_end, b_end = _last_day(a) or dt.date.max, _last_day(b) or dt.date.max
    return a.term_starts <= b_end and b.term_starts <= a_end


def _account(email: str) -> User | None:
    if not email.strip():
        return None
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise NeighbourhoodError(f"no account has the email address {email.strip()}: ask them to create one first")
    return user


def _member_snapshot(member: BoardMember) -> dict:
    return {
        "seat": member.seat,
        "user": member.user_id,
        **_dates(term_starts=member.term_starts, term_ends=member.term_ends, left_on=member.left_on),
    }


@transaction.atomic
def save_member(actor, board: Board, *, name: str, seat: str, organisation: str, term_starts: dt.date,
                term_ends: dt.date | None, left_on: dt.date | None = None, email: str = "",
                member: BoardMember | None = None) -> BoardMember:  # fmt: skip
    """Seat a new member or change one; a linked account holds the board member role while they serve."""
    if not name.strip():
        raise NeighbourhoodError("enter the member's name")
    if seat not in BoardMember.Seat.values:
        raise NeighbourhoodError(f"seat must be one of {', '.join(BoardMember.Seat.values)}")
    if term_ends and term_ends < term_starts:
        raise NeighbourhoodError("the term must end on or after the day it starts")
    if left_on and left_on < term_starts:
        raise NeighbourhoodError("a member cannot leave before their term starts")
    Board.objects.select_for_update().get(pk=board.pk)
    before = _member_snapshot(member) if member else None
    earlier_user = member.user if member else None
    member = member or BoardMember(board=board)
    member.name, member.seat, member.organisation = name.strip(), seat, organisation.strip()
    member.term_starts, member.term_ends, member.left_on = term_starts, term_ends, left_on
    member.user = _account(email)
    if seat == BoardMember.Seat.INDEPENDENT_CHAIR:
        chairs = board.members.filter(seat=seat).exclude(pk=member.pk)
        if any(_overlaps(member, other) for other in chairs):
            raise NeighbourhoodError("the board already has an independent chair for some of that term")
    member.save()
    record(actor, "neighbourhoods.member", member, before=before, after=_member_snapshot(member))
    for user in {u for u in (earlier_user, member.user) if u is not None}:
        sync_roles(actor, board, user)
    return member


def sync_roles(actor, board: Board, user: User, today: dt.date | None = None) -> bool:
    """Give the account the board member role for this neighbourhood while one of its seats is serving, and take
    it away when none is; True when the role changed."""
    serving = board.members.filter(user=user).serving(today or _today()).exists()
    scope = f"neighbourhood:{board.neighbourhood.slug}"
    user.forget_grants()  # this instance may have read its roles before another changed them
    return accounts.set_roles(actor, user, set(BOARD_ROLE) if serving else set(), BOARD_ROLE, scope)


def sync_all_roles(actor, today: dt.date | None = None) -> int:
    """Every linked account on every board brought in line with the terms served today; how many changed."""
    changed = 0
    for board in Board.objects.select_related("neighbourhood"):
        for user in User.objects.filter(board_seats__board=board).distinct():
            changed += sync_roles(actor, board, user, today)
    return changed


@transaction.atomic
def declare_interest(actor, member: BoardMember, interest: str, declared_on: dt.date, mitigation: str) -> Interest:
    if not interest.strip():
        raise NeighbourhoodError("describe the interest")
    if declared_on > _today():
        raise NeighbourhoodError("an interest cannot be declared in the future")
    entry = Interest.objects.create(
        member=member, interest=interest.strip(), declared_on=declared_on, mitigation=mitigation.strip()
    )
    record(actor, "neighbourhoods.interest", member,
           after={"interest": entry.pk, "declared_on": declared_on.isoformat()})  # fmt: skip
    return entry


# Meetings and papers -----------------------------------------------------------------------------------------


@transaction.atomic
def save_meeting(actor, board: Board, *, title: str, held_on: dt.date, place: str, agenda: str, minutes: str,
                 meeting: Meeting | None = None) -> Meeting:  # fmt: skip
    if not title.strip():
        raise NeighbourhoodError("give the meeting a title")
    if minutes.strip() and held_on > _today():
        raise NeighbourhoodError("minutes can be added once the meeting has been held")
    before = {"held_on": meeting.held_on.isoformat(), "minutes": bool(meeting.minutes)} if meeting else None
    meeting = meeting or Meeting(board=board)
    meeting.title, meeting.held_on, meeting.place = title.strip(), held_on, place.strip()
    meeting.agenda, meeting.minutes = agenda.strip(), minutes.strip()
    meeting.save()
    record(actor, "neighbourhoods.meeting", meeting, before=before,
           after={"held_on": held_on.isoformat(), "minutes": bool(meeting.minutes)})  # fmt: skip
    return meeting


@transaction.atomic
def publish_meeting(actor, meeting: Meeting) -> Meeting:
    """A published meeting is on the neighbourhood's page, with its agenda, papers, minutes and decisions."""
    if meeting.board.published_at is None:
        raise NeighbourhoodError("publish the board's membership before its meetings")
    if meeting.published_at is None:
        meeting.published_at = timezone.now()
        meeting.save(update_fields=["published_at"])
        record(actor, "neighbourhoods.meeting_publish", meeting, after={"published": True})
        published.send(Meeting, kind="meeting", obj=meeting)
    return meeting


def sniff(upload) -> str:
    """The paper's kind from its content, not its name or the browser's word: PDF, DOCX, ODT or UTF-8 text."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return Paper.Kind.PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
                mimetype = archive.open("mimetype").read(64) if "mimetype" in names else b""
        except zipfile.BadZipFile:
            names, mimetype = set(), b""
        finally:
            upload.seek(0)
        if {"[Content_Types].xml", "word/document.xml"} <= names:
            return Paper.Kind.DOCX
        if mimetype.strip() == CONTENT_TYPES[Paper.Kind.ODT].encode():
            return Paper.Kind.ODT
    else:
        data = upload.read()
        upload.seek(0)
        try:
            if b"\x00" not in data and data.decode("utf-8").strip():
                return Paper.Kind.TXT
        except UnicodeDecodeError:
            pass
    raise NeighbourhoodError("a paper must be a PDF, a Word document (DOCX), an OpenDocument text (ODT) or plain text")


@transaction.atomic
def add_paper(actor, meeting: Meeting, title: str, upload) -> Paper:
    if not title.strip():
        raise NeighbourhoodError("give the paper a title")
    if upload.size > MAX_PAPER_BYTES:
        raise NeighbourhoodError("a paper must be 10 MB or smaller")
    kind = sniff(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    paper = Paper(meeting=meeting, title=title.strip(), kind=kind, size=upload.size, sha256=digest.hexdigest())
    paper.file.save("paper", upload, save=False)
    try:
        paper.save()
    except Exception:
        paper.file.delete(save=False)  # no row, no file
        raise
    record(actor, "neighbourhoods.paper", meeting,
           after={"paper": paper.pk, "kind": kind, "size": paper.size, "sha256": paper.sha256})  # fmt: skip
    return paper


@transaction.atomic
def remove_paper(actor, paper: Paper) -> None:
    meeting, before = paper.meeting, {"paper": paper.pk, "sha256": paper.sha256}
    paper.delete()
    transaction.on_commit(lambda: paper.file.delete(save=False))
    record(actor, "neighbourhoods.paper_remove", meeting, before=before)


# Decisions and votes -----------------------------------------------------------------------------------------


def _board_interests(meeting: Meeting, interests) -> list[Interest]:
    interests = list(interests)
    if any(i.member.board_id != meeting.board_id for i in interests):
        raise NeighbourhoodError("that interest belongs to a member of another board")
    return interests


@transaction.atomic
def save_decision(actor, meeting: Meeting, *, title: str, text: str, outcome: str, conflicts=(),
                  decision: Decision | None = None) -> Decision:  # fmt: skip
    """A decision and the declared interests relevant to it: those members do not vote on it."""
    if not title.strip():
        raise NeighbourhoodError("say what the decision was about")
    if outcome not in Decision.Outcome.values:
        raise NeighbourhoodError(f"outcome must be one of {', '.join(Decision.Outcome.values)}")
    Meeting.objects.select_for_update().get(pk=meeting.pk)
    conflicts = _board_interests(meeting, conflicts)
    conflicted = {i.member_id for i in conflicts}
    if decision is not None and decision.votes.filter(member_id__in=conflicted).exists():
        raise NeighbourhoodError("a member with a relevant interest has a vote recorded: remove the vote first")
    before = {"outcome": decision.outcome, "conflicts": sorted(decision.conflicts.values_list("pk", flat=True))} \
        if decision else None  # fmt: skip
    if decision is None:
        number = (meeting.decisions.aggregate(n=Max("number"))["n"] or 0) + 1
        decision = Decision(meeting=meeting, number=number)
    decision.title, decision.text, decision.outcome = title.strip(), text.strip(), outcome
    decision.save()
    decision.conflicts.set(conflicts)
    record(actor, "neighbourhoods.decision", decision, before=before,
           after={"outcome": outcome, "conflicts": sorted(i.pk for i in conflicts)})  # fmt: skip
    return decision


def voters(decision: Decision) -> list[BoardMember]:
    """Members who may vote on it: serving on the day, in a voting seat, with no relevant declared interest."""
    conflicted = set(decision.conflicts.values_list("member_id", flat=True))
    members = decision.meeting.board.members.serving(decision.meeting.held_on)
    return [m for m in members if m.can_vote and m.pk not in conflicted]


@transaction.atomic
def record_votes(actor, decision: Decision, choices: dict[int, str]) -> None:
    """How each member voted (member id -> for, against or abstain; a member left out has no vote recorded)."""
    allowed = {m.pk for m in voters(decision)}
    for member_id, choice in choices.items():
        if member_id not in allowed:
            raise NeighbourhoodError(
                f"member {member_id} cannot vote on this decision: not serving that day, an observer, "
                "or they declared a relevant interest"
            )
        if choice not in Vote.Choice.values:
            raise NeighbourhoodError(f"a vote is one of {', '.join(Vote.Choice.values)}")
    before = dict(decision.votes.values_list("member_id", "choice"))
    decision.votes.all().delete()
    Vote.objects.bulk_create(Vote(decision=decision, member_id=m, choice=c) for m, c in sorted(choices.items()))
    record(actor, "neighbourhoods.votes", decision, before={"votes": before}, after={"votes": dict(choices)})


def roll(decision: Decision) -> list[dict]:
    """Every member serving on the meeting day and how they stood: their vote, or why they did not vote."""
    votes = {v.member_id: v for v in decision.votes.all()}
    conflicts = {}
    for interest in decision.conflicts.all():
        conflicts.setdefault(interest.member_id, []).append(interest)
    rows = []
    for member in decision.meeting.board.members.serving(decision.meeting.held_on):
        if member.pk in conflicts:
            status = "Did not vote: declared an interest"
        elif not member.can_vote:
            status = "Observer: does not vote"
        elif member.pk in votes:
            status = votes[member.pk].get_choice_display()
        else:
            status = "No vote recorded"
        rows.append({"member": member, "status": status, "interests": conflicts.get(member.pk, [])})
    return rows
