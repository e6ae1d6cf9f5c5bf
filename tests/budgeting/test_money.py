"""PB with money (issue 20): a neighbourhood's process draws its budget from a pot, ring-fences 50/25/25 by
who leads each project (Newham's People Powered Places), takes applications to a published form, a
residents' panel scores them with declared interests and recusal, moderation, a published shortlist, the
vote, and winners that become pot allocations and public delivery records published in 360Giving."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from commonground.accounts.roles import Role
from commonground.audit.models import AuditRecord
from commonground.budgeting import applications as pb_applications
from commonground.budgeting import basics, casting
from commonground.budgeting.basics import ProcessError
from commonground.budgeting.models import Process, Proposal, Score
from commonground.delivery.models import Record
from commonground.pots import services as pots
from tests.conftest import run_cli
from tests.fund.test_fund import validate_360giving
from tests.money import DEMO_COUNCIL, council, scoped_officer

pytestmark = pytest.mark.django_db
SETUP = {
    "title": "Brookfield People Powered", "area_code": "X05000002", "neighbourhood": "brookfield",
    "description": "Neighbourhood CIL, decided by residents.", "uses_applications": "on", "priorities": "",
    "shortlist_threshold": "50", "scoring_panel": "", "source_of_money": "", "budget": "1",
    "ballot_type": "approval", "min_selections": "1", "max_selections": "6", "max_points": "", "rule": "equal-shares",
    "complete_greedily": "on", "electorate": "codes", "min_age": "16", "secret": "on", "proposals_close": "",
    "voting_opens": "", "voting_closes": "",
}  # fmt: skip
# (title, who leads it, cost in pounds): each kind's projects can exactly make its share of £200,000.
APPLICATIONS = [
    ("Food bank van", "vcfs", 40_000), ("Lunch club", "vcfs", 35_000), ("Advice surgery", "vcfs", 25_000),
    ("Faith centre roof", "vcfs", 30_000), ("Street party kit", "resident", 20_000),
    ("Pocket park", "resident", 30_000), ("Tool library", "resident", 15_000), ("Youth radio", "youth", 30_000),
    ("Skate jam", "youth", 20_000), ("Youth forum", "youth", 10_000),
]  # fmt: skip
FENCES = {"fence_1_whose": "vcfs", "fence_1_least": "50", "fence_2_whose": "resident", "fence_2_least": "25",
          "fence_3_whose": "youth", "fence_3_least": "25"}  # fmt: skip
CRITERIA = {"criterion_1_title": "Serves a neighbourhood priority", "criterion_1_weight": "40",
            "criterion_2_title": "Benefit to residents", "criterion_2_weight": "30",
            "criterion_3_title": "Can be delivered", "criterion_3_weight": "30"}  # fmt: skip


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def advance(c: Client, process: Process):
    phase = Process.objects.get(pk=process.pk).phase
    return c.post(reverse("budgeting:advance", args=[process.slug]), {"phase": phase}, follow=True)


@pytest.fixture
def officer(make_user, demo):
    return scoped_officer(make_user, "officer@example.org", DEMO_COUNCIL)


@pytest.fixture
def plan_objectives(brookfield):
    from commonground.neighbourhoods import plans

    plan = plans.draft_for("test", brookfield)
    for title in ("Young people stay and thrive", "A busy high street", "Warm, safe homes"):
        plans.save_objective("test", plan, title=title, description="", theme=None, strategic=[], measures=[])
    return plan


@pytest.fixture
def set_up(officer, brookfield, plan_objectives, make_user):
    """A process set up by the council's officer: £200,000 from a pot, 50/25/25, criteria, two panel members."""
    oc = client_of(officer)
    pot = pots.create_pot(officer, name="Brookfield neighbourhood CIL", source="neighbourhood_cil",
                          amount_pence=250_000_00, council=council(), neighbourhood=brookfield)  # fmt: skip
    made = oc.post(reverse("budgeting:create"), SETUP)
    assert made.status_code == 302, made.content.decode()[:3000]
    process = Process.objects.get()
    assert process.neighbourhood == brookfield
    assert (
        oc.post(reverse("budgeting:draw", args=[process.slug]), {"pot": pot.pk, "amount": "200,000"}).status_code == 302
    )
    assert oc.post(reverse("budgeting:fences", args=[process.slug]), FENCES).status_code == 302
    assert oc.post(reverse("budgeting:criteria", args=[process.slug]), CRITERIA).status_code == 302
    scorers = [make_user(f"panel{n}@example.org") for n in (1, 2)]
    for s in scorers:
        assert oc.post(reverse("budgeting:panel", args=[process.slug]), {"email": s.email}).status_code == 302
    process.refresh_from_db()
    return process, pot, oc, scorers


def apply_all(process: Process, applicant) -> list[Proposal]:
    c = client_of(applicant)
    for title, kind, cost in APPLICATIONS:
        r = c.post(reverse("budgeting:propose", args=[process.slug]), {
            "title": title, "summary": f"{title} for Brookfield", "description": "", "location": "",
            "applicant_kind": kind, "organisation": f"{title} group" if kind == "vcfs" else "", "priority_ref": "1",
            "line_1_item": "Everything", "line_1_amount": f"{cost - 1_000:,}", "line_2_item": "Publicity",
            "line_2_amount": "1000",
        })  # fmt: skip
        assert r.status_code == 302, r.content.decode()[:3000]
    return list(Proposal.objects.filter(process=process).order_by("id"))


@pytest.fixture
def scored(set_up, make_user):
    """Applications in, scored (one member recused from one), moderated and shortlisted: review phase."""
    process, pot, oc, (first, second) = set_up
    assert advance(oc, process).status_code == 200  # applications open
    applications = apply_all(process, make_user("applicant@example.org"))
    assert advance(oc, process).status_code == 200  # scoring
    process.refresh_from_db()
    assert process.phase == "scoring"
    lunch = applications[1]
    pb_applications.declare(process, first, lunch, "I run the lunch club")
    criteria = list(process.criteria.all())
    for member in (first, second):
        for p in applications:
            if member == first and p == lunch:
                continue
            value = 1 if p.title == "Tool library" else 4
            if member == second and p.title == "Youth forum":
                value = 0  # the first gives 4: a spread of 4, flagged for moderation
            pb_applications.score(process, member, p, {c.pk: value for c in criteria}, comment="")
    return process, pot, oc, applications


def test_process_page_shows_money_fences_priorities_and_criteria(set_up, client):
    process, pot, _, _ = set_up
    assert process.budget == 200_000 and process.source_of_money == pot.name
    assert pots.balance(pot).reserved == 200_000_00 and pots.balance(pot).available == 50_000_00
    process.phase = "proposals"
    process.save()
    page = client.get(reverse("budgeting:detail", args=[process.slug])).content.decode()
    assert (
        "At least 50% of the £200,000 (£100,000) goes to projects led by voluntary, community or faith groups." in page
    )
    assert "At least 25% of the £200,000 (£50,000) goes to youth-led projects." in page
    assert "Young people stay and thrive" in page and "Serves a neighbourhood priority (weight 40)" in page
    assert "Apply for funding" in page


def test_application_form_errors_name_their_fields(set_up, make_user):
    process, _, oc, _ = set_up
    advance(oc, process)
    c = client_of(make_user("applicant@example.org"))
    url = reverse("budgeting:propose", args=[process.slug])
    r = c.post(url, {"title": "Van", "summary": "A van", "applicant_kind": "", "line_1_item": "",
                     "line_1_amount": "lots"})  # fmt: skip
    html = r.content.decode()
    for field in ("applicant_kind", "priority_ref", "line_1_item", "line_1_amount"):
        assert f'href="#id_{field}' in html, field
    assert "Enter the cost on budget line 1 as a number of pounds" in html
    r = c.post(url, {"title": "Van", "summary": "A van", "applicant_kind": "vcfs", "priority_ref": "1",
                     "line_1_item": "Van", "line_1_amount": "250,000"})  # fmt: skip
    html = r.content.decode()
    assert "Name the voluntary, community or faith group applying" in html
    r = c.post(url, {"title": "Van", "summary": "A van", "applicant_kind": "youth", "priority_ref": "1",
                     "line_1_item": "Van", "line_1_amount": "250,000"})  # fmt: skip
    assert "more than the whole £200,000" in r.content.decode()
    assert not Proposal.objects.exists()


def test_applications_name_lines_priority_and_leader(set_up, make_user):
    process, _, oc, _ = set_up
    advance(oc, process)
    van = apply_all(process, make_user("applicant@example.org"))[0]
    assert (van.estimated_cost, van.applicant_kind, van.organisation, van.priority_ref, van.priority_title) == (
        40_000, "vcfs", "Food bank van group", 1, "Young people stay and thrive")  # fmt: skip
    assert [(line.item, line.amount) for line in van.lines.all()] == [("Everything", 39_000), ("Publicity", 1_000)]
    page = Client().get(reverse("budgeting:proposal", args=[process.slug, van.pk])).content.decode()
    assert "Publicity" in page and "A voluntary, community or faith group: Food bank van group" in page


def test_a_recused_member_cannot_score_and_the_service_refuses(scored):
    process, _, _, applications = scored
    lunch = applications[1]
    first = process.scorers.order_by("id").first().user
    with pytest.raises(ProcessError, match="You declared an interest in Lunch club, so you cannot score it"):
        pb_applications.score(process, first, lunch, {c.pk: 5 for c in process.criteria.all()})
    page = client_of(first).get(reverse("budgeting:score", args=[process.slug, lunch.pk]))
    assert page.status_code == 403 and "so you cannot score it" in page.content.decode()
    refused = client_of(first).post(reverse("budgeting:score", args=[process.slug, lunch.pk]),
                                    {f"criterion_{c.pk}": "5" for c in process.criteria.all()})  # fmt: skip
    assert "so you cannot score it" in refused.content.decode()
    assert not Score.objects.filter(scorer__user=first, proposal=lunch).exists()
    declared = AuditRecord.objects.get(action="pb.declare")
    assert "lunch" not in json.dumps(declared.after).lower() and declared.actor_label == f"account {first.pk}"


def test_declaring_after_scoring_withdraws_the_scores(scored):
    process, _, _, applications = scored
    second = process.scorers.order_by("id").last().user
    pb_applications.declare(process, second, applications[0], "My brother drives the van")
    assert not Score.objects.filter(scorer__user=second, proposal=applications[0]).exists()


def test_only_panel_members_score(scored, make_user):
    process, _, _, applications = scored
    outsider = make_user("nosy@example.org")
    with pytest.raises(ProcessError, match="Only members of this process's scoring panel"):
        pb_applications.score(process, outsider, applications[0], {c.pk: 5 for c in process.criteria.all()})
    assert client_of(outsider).get(reverse("budgeting:scoring", args=[process.slug])).status_code == 403


@pytest.mark.parametrize("value", [6, -1, "4", None])
def test_scores_are_whole_numbers_from_0_to_5(scored, value):
    process, _, _, applications = scored
    second = process.scorers.order_by("id").last().user
    with pytest.raises(ProcessError, match="from 0 to 5"):
        pb_applications.score(process, second, applications[0], {c.pk: value for c in process.criteria.all()})


def test_moderation_flags_spread_and_publishing_needs_it_then_shortlists(scored, client):
    process, _, oc, applications = scored
    page = oc.get(reverse("budgeting:moderation", args=[process.slug])).content.decode()
    assert "Scores differ: 4, 0" in page
    youth_forum = applications[-1]
    criterion = process.criteria.first()
    bad = oc.post(reverse("budgeting:moderation", args=[process.slug]),
                  {"proposal": youth_forum.pk, "criterion": criterion.pk, "value": "3", "reason": ""})  # fmt: skip
    assert "Say why the score is moderated" in bad.content.decode()
    for c in process.criteria.all():
        agreed = {"proposal": youth_forum.pk, "criterion": c.pk, "value": "3", "reason": "Agreed at the panel"}
        ok = oc.post(reverse("budgeting:moderation", args=[process.slug]), agreed)
        assert ok.status_code == 302
    assert client.get(reverse("budgeting:scores", args=[process.slug])).status_code == 404  # not yet published
    advance(oc, process)  # scoring closes: scores and shortlist published
    process.refresh_from_db()
    assert process.phase == "review" and process.scores_published_at is not None
    tools = Proposal.objects.get(title="Tool library")
    assert tools.status == "not_feasible" and tools.review_reason == (
        "Not shortlisted: it scored 20.0 out of 100; the shortlist needs 50.")  # fmt: skip
    assert Proposal.objects.get(title="Youth forum").status == "feasible"  # moderated to 3: 60 out of 100
    scores_page = client.get(reverse("budgeting:scores", args=[process.slug])).content.decode()
    assert "moderated: Agreed at the panel" in scores_page and "1 declared an interest and did not score" in scores_page
    assert "panel1@" not in scores_page and "Panel1" not in scores_page  # scores are published without names


def test_scoring_cannot_close_until_every_application_is_scored(set_up, make_user):
    process, _, oc, _ = set_up
    advance(oc, process)
    apply_all(process, make_user("applicant@example.org"))
    advance(oc, process)
    stuck = advance(oc, process)
    assert "Not every application is scored on every criterion yet" in stuck.content.decode()
    assert Process.objects.get(pk=process.pk).phase == "scoring"


def test_ring_fence_form_errors(set_up):
    process, _, oc, _ = set_up
    url = reverse("budgeting:fences", args=[process.slug])
    html = oc.post(url, {"fence_1_whose": "vcfs", "fence_1_least": "60", "fence_2_whose": "youth",
                         "fence_2_least": "50"}).content.decode()  # fmt: skip
    assert "The least shares add up to 110%" in html
    html = oc.post(url, {"fence_1_whose": "category", "fence_1_least": "10"}).content.decode()
    assert "Ring-fence 1: name the category" in html
    html = oc.post(url, {"fence_1_whose": "vcfs", "fence_1_least": "70", "fence_1_most": "20"}).content.decode()
    assert "the least share (70%) is more than the most (20%)" in html
    html = oc.post(url, {"fence_1_whose": "vcfs", "fence_1_least": "abc"}).content.decode()
    assert "Enter a percentage, like 25" in html
    html = oc.post(url, {"fence_1_least": "30"}).content.decode()
    assert "say whose projects the share is for" in html
    assert list(process.ring_fences.values_list("value", "min_percent")) == [
        ("vcfs", Decimal("50.000")), ("resident", Decimal("25.000")), ("youth", Decimal("25.000"))]  # fmt: skip


def test_phragmen_cannot_keep_ring_fences(set_up):
    process, _, oc, _ = set_up
    Process.objects.filter(pk=process.pk).update(rule="phragmen")
    process.refresh_from_db()
    with pytest.raises(ProcessError, match="kept by Equal Shares or greedy counting"):
        pb_applications.set_ring_fences(process, "test", [("applicant_kind", "youth", Decimal(25), None)])


def test_someone_from_another_council_cannot_run_it(set_up, make_user, outsider_client=None):
    process, _, _, _ = set_up
    outsider = client_of(scoped_officer(make_user, "outsider@example.org", "E09000025"))
    for name in ("fences", "criteria", "panel", "draw", "moderation", "codes", "paper"):
        assert outsider.get(reverse(f"budgeting:{name}", args=[process.slug])).status_code == 403, name
    assert outsider.post(reverse("budgeting:advance", args=[process.slug]), {"phase": "draft"}).status_code == 403
    assert Process.objects.get(pk=process.pk).phase == "draft"
    made = outsider.post(reverse("budgeting:create"), {**SETUP, "title": "Not mine"})
    assert made.status_code == 403 and not Process.objects.filter(title="Not mine").exists()


def test_a_pot_of_another_council_cannot_fund_it(set_up, make_user):
    process, _, oc, _ = set_up
    elsewhere = scoped_officer(make_user, "outsider@example.org", "E09000025")
    foreign = pots.create_pot(elsewhere, name="Their pot", source="council", amount_pence=100_00)
    r = oc.post(reverse("budgeting:draw", args=[process.slug]), {"pot": foreign.pk, "amount": "100"})
    assert r.status_code == 200 and "it belongs to another council or neighbourhood" in r.content.decode()


def vote(process: Process, officer, ballots: list[list[str]]) -> None:
    process.refresh_from_db()
    by_title = {p.title: p.project_id for p in basics.ballot_projects(process)}
    codes = casting.issue_codes(process, officer, len(ballots), "test")
    for code, titles in zip(codes, ballots, strict=True):
        casting.cast(process, {by_title[t]: 1 for t in titles}, code=code)


@pytest.mark.reference("standards")
def test_the_count_keeps_every_ring_fence_and_winners_become_grants(scored, officer, client, tmp_path):
    process, pot, oc, _ = scored
    for c in process.criteria.all():
        pb_applications.moderate(process, officer, Proposal.objects.get(title="Youth forum"), c, 3, "Agreed")
    advance(oc, process)  # review
    advance(oc, process)  # voting
    process.refresh_from_db()
    assert process.phase == "voting"
    ballot_page = client.get(reverse("budgeting:vote", args=[process.slug])).content.decode()
    assert "At least 25% of the £200,000 (£50,000) goes to resident-led projects." in ballot_page
    # Most voters want the big VCFS projects and youth radio; the ring-fences still give residents and youth 25%.
    vote(process, officer, [["Food bank van", "Faith centre roof", "Youth radio"]] * 30
         + [["Lunch club", "Advice surgery"]] * 10 + [["Pocket park", "Street party kit"]] * 4
         + [["Skate jam", "Youth forum"]] * 3)  # fmt: skip
    advance(oc, process)  # results
    process.refresh_from_db()
    result = process.result
    won = {p.title: p for p in basics.ballot_projects(process) if p.project_id in result.winners}
    by_kind = {k: sum(p.cost for p in won.values() if p.applicant_kind == k) for k in ("vcfs", "resident", "youth")}
    assert by_kind["vcfs"] >= 100_000 and by_kind["resident"] >= 50_000 and by_kind["youth"] >= 50_000
    assert result.spent <= 200_000 and all(f["met"] for f in result.fences)
    assert "ring_fences;field=applicant_kind&value=vcfs&min_share=0.5" in result.pb_text
    page = client.get(reverse("budgeting:results", args=[process.slug])).content.decode()
    assert "goes to youth-led projects." in page and "--constraints brookfield-people-powered-ring-fences.toml" in page
    # Anyone can re-count the published file with the published ring-fences and get the same winners.
    (tmp_path / "f.pb").write_text(result.pb_text)
    (tmp_path / "f.toml").write_text(
        client.get(reverse("budgeting:results-fences", args=[process.slug])).content.decode()
    )
    recount = run_cli("pb", "tally", str(tmp_path / "f.pb"), "--rule", result.rule, "--constraints",
                      str(tmp_path / "f.toml"), "--format", "json")  # fmt: skip
    assert recount.returncode == 0, recount.stderr
    assert sorted(json.loads(recount.stdout)["winners"]) == sorted(result.winners)
    # Winners are allocations from the pot and public delivery records; the rest of the set-aside money goes back.
    assert pots.balance(pot).allocated == result.spent * 100 and pots.balance(pot).reserved == 0
    records = Record.objects.filter(reference__startswith=f"pb:{process.slug}:")
    assert records.count() == len(won) and {r.neighbourhood.slug for r in records} == {"brookfield"}
    assert {r.objective_ref for r in records} == {1}
    data = pots.package()
    validate_360giving(data)
    grant = next(g for g in data["grants"] if g["title"] == "Food bank van")
    assert grant["recipientOrganization"][0]["name"] == "Food bank van group"
    assert grant["beneficiaryLocation"][0] == {"name": "Brookfield", "geoCode": "X05000002", "geoCodeType": "WD",
                                               "countryCode": "GB"}  # fmt: skip


def test_voting_cannot_open_when_no_ballot_can_keep_the_ring_fences(set_up, make_user):
    process, _, oc, (first, second) = set_up
    pb_applications.set_ring_fences(process, "test", [("applicant_kind", "youth", Decimal(60), None)])
    advance(oc, process)
    apply_all(process, make_user("applicant@example.org"))
    advance(oc, process)
    for member in (first, second):
        for p in process.proposals.all():
            pb_applications.score(process, member, p, {c.pk: 4 for c in process.criteria.all()})
    advance(oc, process)
    refused = advance(oc, process).content.decode()
    assert "Voting cannot open: no choice of the projects on the ballot keeps the ring-fences" in refused


def test_a_neighbourhood_resident_takes_part_in_its_process(set_up, make_user):
    """A resident role held for the neighbourhood reaches its process (scoped checks on every view)."""
    from commonground.accounts import services as accounts

    process, _, oc, _ = set_up
    advance(oc, process)
    from commonground.accounts.models import RoleGrant

    local, away = make_user("local@example.org"), make_user("away@example.org")
    RoleGrant.objects.filter(user__in=[local, away]).delete()  # no site-wide role: only where they live
    accounts.set_roles("test", local, {Role.RESIDENT}, frozenset(Role), "neighbourhood:brookfield")
    accounts.set_roles("test", away, {Role.RESIDENT}, frozenset(Role), "neighbourhood:somewhere-else")
    assert client_of(local).get(reverse("budgeting:propose", args=[process.slug])).status_code == 200
    assert client_of(away).get(reverse("budgeting:propose", args=[process.slug])).status_code == 403


def test_moderation_with_a_made_up_application_is_not_found(scored):
    process, _, oc, _ = scored
    for bad in ("abc", "99999999999999999999", ""):
        r = oc.post(reverse("budgeting:moderation", args=[process.slug]), {"proposal": bad, "criterion": "1"})
        assert r.status_code == 404
