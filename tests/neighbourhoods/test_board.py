"""A neighbourhood's body: approval needs the council and the MP; roles follow terms; interests stop votes;
papers are checked by content and served only when allowed; everything audited without names."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonground.accounts.models import User
from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability, Role
from commonground.audit.models import AuditRecord
from commonground.neighbourhoods import board as boards
from commonground.neighbourhoods import services
from commonground.neighbourhoods.models import BoardMember, Decision, Paper
from commonground.neighbourhoods.services import NeighbourhoodError
from tests.neighbourhoods.conftest import days


def runs(user, neighbourhood) -> bool:
    return user_can(User.objects.get(pk=user.pk), Capability.RUN_NEIGHBOURHOOD, services.scope_of(neighbourhood))


def test_the_membership_is_approved_only_once_both_the_council_and_the_mp_approve(board):
    assert not board.is_approved
    boards.record_approval("test", board, days(-5), "Cabinet, decision CAB/2026/14", None)
    assert not board.is_approved
    boards.record_approval("test", board, None, "", days(-2))
    assert not board.is_approved
    boards.record_approval("test", board, days(-5), "Cabinet, decision CAB/2026/14", days(-2))
    assert board.is_approved
    with pytest.raises(NeighbourhoodError, match="say who approved"):
        boards.record_approval("test", board, days(-5), " ", days(-2))
    with pytest.raises(NeighbourhoodError, match="future"):
        boards.record_approval("test", board, days(-5), "Cabinet", days(3))


def test_a_linked_member_holds_the_board_role_exactly_while_serving(board, seat, make_user):
    alice, bob = make_user("alice@example.org"), make_user("bob@example.org")
    member = seat("Alice Smith", email="alice@example.org", term_ends=days(10))
    assert runs(alice, board.neighbourhood)
    grant = next(g for g in User.objects.get(pk=alice.pk).grants if g.role == Role.BOARD_MEMBER)
    assert grant.scope == f"neighbourhood:{board.neighbourhood.slug}"
    assert boards.sync_all_roles("test", today=days(11)) == 1  # the term has ended
    assert not runs(alice, board.neighbourhood)
    assert boards.sync_all_roles("test", today=days(5)) == 1
    boards.save_member("test", board, member=member, name="Alice Smith", seat=member.seat, organisation="",
                       term_starts=member.term_starts, term_ends=member.term_ends, left_on=days(0))  # fmt: skip
    assert not runs(alice, board.neighbourhood)  # she left (and the account link went with the form's empty email)
    later = seat("Bob Jones", email="bob@example.org", term_starts=days(7))
    assert not runs(bob, board.neighbourhood)  # not yet
    assert boards.sync_all_roles("test", today=days(7)) == 1 and runs(bob, board.neighbourhood)
    boards.save_member("test", board, member=later, name="Bob Jones", seat=later.seat, organisation="",
                       term_starts=days(-1), term_ends=None, email="alice@example.org")  # fmt: skip
    assert runs(alice, board.neighbourhood) and not runs(bob, board.neighbourhood)  # the seat moved accounts
    with pytest.raises(NeighbourhoodError, match="no account has the email address nobody@example.org"):
        seat("Carol", email="nobody@example.org")


def test_one_independent_chair_at_a_time_and_terms_that_make_sense(board, seat):
    seat("Chair One", BoardMember.Seat.INDEPENDENT_CHAIR, term_ends=days(30))
    with pytest.raises(NeighbourhoodError, match="already has an independent chair"):
        seat("Chair Two", BoardMember.Seat.INDEPENDENT_CHAIR, term_starts=days(20))
    seat("Chair Two", BoardMember.Seat.INDEPENDENT_CHAIR, term_starts=days(31))
    with pytest.raises(NeighbourhoodError, match="must end on or after"):
        seat("Dan", term_starts=days(0), term_ends=days(-1))


@pytest.fixture
def meeting(board, seat):
    chair = seat("Chair", BoardMember.Seat.INDEPENDENT_CHAIR)
    resident = seat("Resident", BoardMember.Seat.RESIDENT)
    trustee = seat("Trustee", BoardMember.Seat.COMMUNITY)
    observer = seat("Officer", BoardMember.Seat.OFFICER_OBSERVER)
    gone = seat("Gone", BoardMember.Seat.BUSINESS, left_on=days(-10))
    held = boards.save_meeting("test", board, title="Board meeting", held_on=days(-1), place="Library",
                               agenda="1. Community centre grant", minutes="")  # fmt: skip
    return {"meeting": held, "chair": chair, "resident": resident, "trustee": trustee, "observer": observer,
            "gone": gone}  # fmt: skip


def test_a_member_with_a_relevant_interest_is_shown_as_not_voting_and_cannot_be_recorded(meeting):
    trustee, resident, chair = meeting["trustee"], meeting["resident"], meeting["chair"]
    interest = boards.declare_interest("test", trustee, "Trustee of Brookfield Community Centre", days(-20),
                                       "Leaves the room for the centre's funding")  # fmt: skip
    decision = boards.save_decision("test", meeting["meeting"], title="Grant to the community centre",
                                    text="£20,000 for the roof.", outcome=Decision.Outcome.AGREED,
                                    conflicts=[interest])  # fmt: skip
    assert {m.pk for m in boards.voters(decision)} == {chair.pk, resident.pk}  # no observer, no leaver
    with pytest.raises(NeighbourhoodError, match=f"member {trustee.pk} cannot vote"):
        boards.record_votes("test", decision, {trustee.pk: "for"})
    with pytest.raises(NeighbourhoodError, match="cannot vote"):
        boards.record_votes("test", decision, {meeting["observer"].pk: "for"})
    boards.record_votes("test", decision, {chair.pk: "for", resident.pk: "against"})
    roll = {row["member"].pk: row["status"] for row in boards.roll(decision)}
    assert roll == {chair.pk: "For", resident.pk: "Against", trustee.pk: "Did not vote: declared an interest",
                    meeting["observer"].pk: "Observer: does not vote"}  # fmt: skip
    other = boards.save_decision("test", meeting["meeting"], title="Minutes", text="", outcome="agreed")
    boards.record_votes("test", other, {trustee.pk: "abstain"})
    with pytest.raises(NeighbourhoodError, match="remove the vote first"):
        boards.save_decision("test", meeting["meeting"], decision=other, title="Minutes", text="", outcome="agreed",
                             conflicts=[interest])  # fmt: skip
    assert other.number == 2


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document-content/>"})


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("a.pdf", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", "pdf"), ("b.docx", DOCX, "docx"), ("c.odt", ODT, "odt"),
     ("d.txt", "Minutes: £20,000 agreed.\n".encode(), "txt"), ("e.pdf", DOCX, "docx")],
)  # fmt: skip
def test_papers_are_known_by_their_content(meeting, settings, tmp_path, name, content, kind):
    settings.MEDIA_ROOT = tmp_path
    paper = boards.add_paper("test", meeting["meeting"], "Paper", SimpleUploadedFile(name, content))
    assert paper.kind == kind and paper.size == len(content)
    assert paper.file.path.startswith(str(tmp_path)) and paper.file.read() == content


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00\x03 an executable", _zip({"evil.exe": b"MZ"}), b"\x89PNG\r\n\x1a\n", b"\xff\xfe\x00t\x00x", b"  "],
)
def test_other_files_are_refused(meeting, settings, tmp_path, content):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(NeighbourhoodError, match="must be a PDF, a Word document"):
        boards.add_paper("test", meeting["meeting"], "Paper", SimpleUploadedFile("paper.pdf", content))
    assert not Paper.objects.exists() and not any(tmp_path.rglob("*.*"))


def test_a_paper_over_10_mb_is_refused(meeting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(NeighbourhoodError, match="10 MB or smaller"):
        boards.add_paper("test", meeting["meeting"], "Big", big)


def test_papers_and_meetings_are_public_only_once_published(client, meeting, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    held = meeting["meeting"]
    slug = held.board.neighbourhood.slug
    paper = boards.add_paper("test", held, "Budget report", SimpleUploadedFile("r.txt", b"The budget.\n"))
    paper_url = reverse("neighbourhoods:paper", args=[slug, held.pk, paper.pk])
    meeting_url = reverse("neighbourhoods:meeting", args=[slug, held.pk])
    assert client.get(paper_url).status_code == 404 and client.get(meeting_url).status_code == 404
    assert "Board meeting" not in client.get(reverse("neighbourhoods:detail", args=[slug])).content.decode()
    client.force_login(officer)
    response = client.get(paper_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"The budget.\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="budget-report.txt"'
    with pytest.raises(NeighbourhoodError, match="publish the board's membership before its meetings"):
        boards.publish_meeting("test", held)
    boards.publish_board("test", held.board)
    assert client.post(reverse("neighbourhoods:meeting-publish", args=[slug, held.pk])).status_code == 302
    client.logout()
    assert client.get(paper_url).status_code == 200
    page = client.get(meeting_url).content.decode()
    assert "Budget report" in page and "1. Community centre grant" in page
    hub = client.get(reverse("neighbourhoods:detail", args=[slug])).content.decode()
    assert f"Board meeting, {held.held_on:%-d %B %Y}" in hub
    assert client.get(reverse("neighbourhoods:paper", args=[slug, held.pk + 1, paper.pk])).status_code == 404


def test_the_published_board_shows_members_interests_and_approval(client, meeting):
    board = meeting["meeting"].board
    boards.declare_interest("test", meeting["trustee"], "Trustee of Brookfield Community Centre", days(-20), "")
    page = client.get(reverse("neighbourhoods:board", args=[board.neighbourhood.slug])).content.decode()
    assert "has not been published yet" in page and "Trustee of Brookfield" not in page
    boards.publish_board("test", board)
    page = client.get(reverse("neighbourhoods:board", args=[board.neighbourhood.slug])).content.decode()
    assert "Trustee of Brookfield Community Centre" in page and 'data-label="Seat">Independent chair' in page
    assert "Not yet approved" in page and "by 17 July 2026" in page
    assert 'class="govuk-table cg-table--stack"' in page and "Gone" in page  # former members are listed apart


def test_every_change_is_audited_without_names(meeting, settings, tmp_path, make_user):
    settings.MEDIA_ROOT = tmp_path
    make_user("alice@example.org")
    member = boards.save_member("test", meeting["meeting"].board, name="Alice Smith", seat="resident",
                                organisation="Brookfield Tenants", term_starts=days(-3), term_ends=None,
                                email="alice@example.org")  # fmt: skip
    interest = boards.declare_interest("test", member, "Lives on Brookfield Road", days(-1), "")
    decision = boards.save_decision("test", meeting["meeting"], title="Roof", text="", outcome="agreed",
                                    conflicts=[interest])  # fmt: skip
    boards.record_votes("test", decision, {meeting["chair"].pk: "for"})
    boards.add_paper("test", meeting["meeting"], "Report", SimpleUploadedFile("r.txt", b"Report\n"))
    records = AuditRecord.objects.filter(action__startswith="neighbourhoods.")
    actions = set(records.values_list("action", flat=True))
    assert {"neighbourhoods.board", "neighbourhoods.member", "neighbourhoods.interest", "neighbourhoods.meeting",
            "neighbourhoods.decision", "neighbourhoods.votes", "neighbourhoods.paper"} <= actions  # fmt: skip
    text = " ".join(f"{r.object_label} {r.before} {r.after}" for r in records)
    for personal in ("Alice", "Smith", "alice@example.org", "Brookfield Road", "Tenants", "Chair"):
        assert personal not in text
    assert f"'user': {member.user_id}" in text
