"""Only this neighbourhood's board, its council's officers and site admins edit its board, meetings and plan."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from commonground.accounts import services as accounts
from commonground.accounts.permissions import ACCESS_ATTRIBUTE, SCOPE_ATTRIBUTE
from commonground.accounts.roles import Capability, Role
from commonground.neighbourhoods import board as boards
from commonground.neighbourhoods import plans, services, verification
from commonground.neighbourhoods.models import BoardMember, Neighbourhood, Paper
from commonground.neighbourhoods.views import scope_of_slug
from tests.neighbourhoods.conftest import days


@pytest.fixture
def everything(brookfield, board, seat, officer, make_user):
    """One of each thing an edit view acts on, in Brookfield."""
    member = seat("Chair", BoardMember.Seat.INDEPENDENT_CHAIR)
    meeting = boards.save_meeting("test", board, title="Board meeting", held_on=days(-1), place="", agenda="",
                                  minutes="")  # fmt: skip
    decision = boards.save_decision("test", meeting, title="Plan", text="", outcome="agreed")
    paper = Paper.objects.create(meeting=meeting, title="P", kind="txt", file="x.txt", size=1, sha256="0" * 64)
    plan = plans.draft_for("test", brookfield)
    objective = plans.save_objective("test", plan, title="Homes", description="", theme=None, strategic=[], measures=[])
    line = plans.add_investment("test", plan, objective=objective, year="2026-27", source="council",
                                capital_pence=100, revenue_pence=0)  # fmt: skip
    event = plans.save_event("test", brookfield, kind="forum", held_on=days(-3), place="Hall", participants=5,
                             ages={}, areas={}, heard="More homes")  # fmt: skip
    asked = verification.ask(make_user("rae@example.org"), brookfield, full_name="Rae Resident",
                             address="Flat 1, Cotton Court", postcode="XX2 1DH")  # fmt: skip
    slug = brookfield.slug
    return {
        "board-edit": [slug], "board-approval": [slug], "board-publish": [slug], "member-new": [slug],
        "member-edit": [slug, member.pk], "interest-new": [slug, member.pk], "meeting-new": [slug],
        "meeting-edit": [slug, meeting.pk], "meeting-publish": [slug, meeting.pk], "paper-new": [slug, meeting.pk],
        "paper-remove": [slug, meeting.pk, paper.pk], "decision-new": [slug, meeting.pk],
        "decision-edit": [slug, meeting.pk, decision.number], "votes": [slug, meeting.pk, decision.number],
        "plan-manage": [slug], "plan-vision": [slug], "objective-new": [slug],
        "objective-edit": [slug, objective.ref], "objective-remove": [slug, objective.ref],
        "investment-new": [slug], "investment-remove": [slug, line.pk], "plan-approve": [slug],
        "plan-publish": [slug], "event-new": [slug], "event-edit": [slug, event.pk],
        "verification": [slug], "verification-decide": [slug, asked.pk],
    }  # fmt: skip


VERIFYING = {"verification", "verification-decide"}  # officers who verify residents, in scope
OWN_ACCOUNT = {"verify"}  # a signed-in resident asks for themselves


def edit_views() -> dict[str, object]:
    resolver = get_resolver()
    patterns = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "neighbourhoods")
    return {p.name: p.callback for p in patterns.url_patterns if getattr(p.callback, ACCESS_ATTRIBUTE) != "public"}


def test_every_edit_view_needs_to_run_this_neighbourhood():
    views = edit_views()
    assert len(views) >= 25
    for name, view in views.items():
        if name == "create" or name in OWN_ACCOUNT:  # making one is the council's, checked against its LSOAs
            continue
        wanted = Capability.VERIFY_RESIDENTS if name in VERIFYING else Capability.RUN_NEIGHBOURHOOD
        assert getattr(view, ACCESS_ATTRIBUTE) == wanted, name
        assert getattr(view, SCOPE_ATTRIBUTE) is scope_of_slug, name


@pytest.fixture
def outsiders(make_user, demo):
    """A board member of another neighbourhood in the same council, and an officer of another council."""
    codes, drawn_from = services.lsoa_codes_of_ward("X05000003")
    ashby = services.create("test", "Ashby Park", codes, Neighbourhood.Kind.PRIDE_IN_PLACE, drawn_from)
    member = make_user("ashby@example.org")
    accounts.set_roles("test", member, {Role.BOARD_MEMBER}, frozenset(Role), f"neighbourhood:{ashby.slug}")
    elsewhere = make_user("knowsley@example.org")
    accounts.set_roles("test", elsewhere, {Role.COUNCIL_OFFICER}, frozenset(Role), "council:E08000011")
    return [member, elsewhere]


def test_outsiders_get_403_on_every_edit_view(client, everything, outsiders):
    assert set(everything) == set(edit_views()) - {"create"} - OWN_ACCOUNT  # a new edit view must be added here
    for user in outsiders:
        client.force_login(user)
        for name, args in everything.items():
            url = reverse(f"neighbourhoods:{name}", args=args)
            assert client.get(url).status_code == 403, (user.email, name)
            assert client.post(url, {"name": "Taken over", "title": "x"}).status_code == 403, (user.email, name)


def test_the_board_itself_officers_and_site_admins_get_in(client, everything, officer, make_user, seat):
    member = make_user("member@example.org")
    seat("Member", email="member@example.org")
    admin = make_user("admin@example.org", roles=(Role.SITE_ADMIN,))
    for user in (member, officer, admin):
        client.force_login(user)
        for name in ("board-edit", "member-edit", "meeting-edit", "votes", "plan-manage", "objective-edit"):
            response = client.get(reverse(f"neighbourhoods:{name}", args=everything[name]))
            assert response.status_code == 200, (user.email, name)
    client.force_login(officer)
    for name, args in everything.items():  # every form renders (actions that change things take POST only)
        response = client.get(reverse(f"neighbourhoods:{name}", args=args))
        assert response.status_code in (200, 405), name
        form = 'class="govuk-form-group' in response.content.decode()
        assert response.status_code == 405 or form or name in {"plan-manage", "verification"}, name  # lists
    client.force_login(member)  # the council records its approval and the MP's; the board cannot approve itself
    assert client.get(reverse("neighbourhoods:board-approval", args=everything["board-approval"])).status_code == 403
    client.force_login(officer)
    assert client.get(reverse("neighbourhoods:board-approval", args=everything["board-approval"])).status_code == 200


def test_anonymous_people_are_sent_to_sign_in(client, everything):
    response = client.get(reverse("neighbourhoods:plan-manage", args=everything["plan-manage"]))
    assert response.status_code == 302 and "/account/" in response["Location"]
