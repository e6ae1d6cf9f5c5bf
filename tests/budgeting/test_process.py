"""A PB process end to end through its pages: set-up, ideas, review, voting by account, code, kiosk
and paper, the count, exports and delivery; plus the rules on who may do what."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.roles import Role
from commonground.audit.models import AuditRecord
from commonground.audit.service import verify
from commonground.budgeting import basics, casting, results, services
from commonground.budgeting.models import BallotPaper, PaperEntry, Process, Proposal, VoterMark
from commonground.engine.pb import pabulib, rules
from commonground.voting.codes import normalise
from tests.conftest import run_cli

NEXT_YEAR = dt.date.today().year + 1  # the dates must stay in the future whenever the tests run
SETUP = {
    "title": "Brookfield Decides 2027", "area_code": "X05000002", "description": "Spend the neighbourhood CIL.",
    "source_of_money": "CIL neighbourhood portion", "budget": "50,000", "ballot_type": "approval",
    "min_selections": "1", "max_selections": "3", "max_points": "", "rule": "equal-shares",
    "complete_greedily": "on", "electorate": "verified_or_codes", "min_age": "16", "secret": "on",
    "proposals_close": f"{NEXT_YEAR}-03-31", "voting_opens": f"{NEXT_YEAR}-05-01",
    "voting_closes": f"{NEXT_YEAR}-05-21",
}  # fmt: skip
IDEAS = [("Community garden", 20_000), ("Youth club nights", 15_000), ("Benches on the green", 5_000),
         ("Repair café", 12_000), ("Skate park", 45_000)]  # fmt: skip


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def make_process(officer_client, **changes) -> Process:
    response = officer_client.post(reverse("budgeting:create"), {**SETUP, **changes})
    assert response.status_code == 302, response.content.decode()[:3000]
    return Process.objects.get(title=changes.get("title", SETUP["title"]))


def advance(client, process: Process):
    """Press "Move to" on the process page, which posts the phase the officer saw."""
    phase = Process.objects.get(pk=process.pk).phase
    return client.post(reverse("budgeting:advance", args=[process.slug]), {"phase": phase})


def open_vote(officer_client, process: Process, proposer) -> list[Proposal]:
    """Ideas in, reviewed (the skate park rejected), voting open."""
    assert advance(officer_client, process).status_code == 302
    proposer_client = _client(proposer)
    for title, cost in IDEAS:
        r = proposer_client.post(
            reverse("budgeting:propose", args=[process.slug]),
            {"title": title, "summary": f"{title} for everyone", "estimated_cost": f"{cost:,}"},
        )
        assert r.status_code == 302
    for p in Proposal.objects.filter(process=process):
        feasible = p.title != "Skate park"
        r = officer_client.post(
            reverse("budgeting:review", args=[process.slug, p.pk]),
            {"feasible": "yes" if feasible else "no", "cost": str(p.estimated_cost),
             "reason": "" if feasible else "No council land is big enough"},
        )  # fmt: skip
        assert r.status_code == 302
    assert advance(officer_client, process).status_code == 302  # review
    assert advance(officer_client, process).status_code == 302  # voting
    process.refresh_from_db()
    assert process.phase == Process.Phase.VOTING
    return basics.ballot_projects(process)


def test_full_process_counts_like_the_engine_and_exports_a_replayable_file(officer_client, officer, make_user):
    process = make_process(officer_client)
    resident = make_user("res@example.org", roles=(Role.RESIDENT,))
    projects = open_vote(officer_client, process, resident)
    assert [p.title for p in projects] == [t for t, _ in IDEAS[:4]]
    page = officer_client.get(reverse("budgeting:detail", args=[process.slug])).content.decode()
    assert "Skate park" in page  # officers see rejected ideas; the public sees the ballot only
    public = Client().get(reverse("budgeting:detail", args=[process.slug])).content.decode()
    assert "Skate park" not in public and "Community garden" in public
    skate = Proposal.objects.get(title="Skate park")
    assert (
        "No council land is big enough"
        in Client().get(reverse("budgeting:proposal", args=[process.slug, skate.pk])).content.decode()
    )

    ids = {p.title: p.project_id for p in projects}
    issued = casting.issue_codes(process, officer, 40, "Hall vote")
    assert len(set(issued)) == 40 and all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in issued)
    groups = [["Community garden", "Benches on the green"]] * 18 + [["Youth club nights", "Repair café"]] * 12
    groups += [["Repair café"]] * 10
    vote_url = reverse("budgeting:vote", args=[process.slug])
    for code, titles in zip(issued, groups, strict=True):
        r = Client().post(vote_url, {"code": code.lower(), "projects": [ids[t] for t in titles], "age_confirmed": "on"})
        assert r.status_code == 200 and "Your vote is recorded" in r.content.decode()
    verified = make_user("verified@example.org", roles=(Role.RESIDENT, Role.VERIFIED_RESIDENT))
    vc = _client(verified)
    form = vc.get(vote_url).content.decode()
    assert 'name="code"' not in form  # verified residents vote with their account
    r = vc.post(vote_url, {"projects": [ids["Benches on the green"]], "age_confirmed": "on"})
    assert "Your vote is recorded" in r.content.decode()
    again = vc.post(vote_url, {"projects": [ids["Repair café"]], "age_confirmed": "on"})
    assert "already been cast" in again.content.decode()
    assert BallotPaper.objects.filter(process=process).count() == 41

    assert advance(officer_client, process).status_code == 302
    process.refresh_from_db()
    result = process.result
    election = pabulib.parse(result.pb_text)
    assert election.n_voters == 41 and election.meta["rule"] == "equalshares/add1/greedy"
    assert result.winners == rules.tally(election, "equal-shares")
    assert set(result.winners) >= {ids["Community garden"], ids["Repair café"]}
    assert result.support[ids["Repair café"]]["ballots"] == 22

    page = Client().get(reverse("budgeting:results", args=[process.slug])).content.decode()
    assert f"costing £{result.spent:,}" in page and "41" in page
    assert f"commonground pb tally {process.slug}.pb --rule equal-shares" in page
    download = Client().get(reverse("budgeting:results-pb", args=[process.slug]))
    rows = list(
        csv.DictReader(
            io.StringIO(Client().get(reverse("budgeting:results-csv", args=[process.slug])).content.decode())
        )
    )
    assert {r["title"] for r in rows if r["won"] == "yes"} == {
        p.title for p in projects if p.project_id in result.winners
    }
    assert download.content.decode() == result.pb_text

    actions = list(AuditRecord.objects.filter(object_type="budgeting.Process").values_list("action", flat=True))
    assert actions.count("pb.phase") == 4 and "pb.codes" in actions
    assert AuditRecord.objects.filter(action="pb.result").count() == 1
    assert verify()[1] is None


@pytest.mark.sqlite
def test_replay_command_gives_the_published_winners(officer_client, officer, make_user, tmp_path):
    process = make_process(officer_client, rule="greedy")
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    for i, code in enumerate(casting.issue_codes(process, officer, 9, "")):
        casting.cast(process, {projects[i % 4].project_id: 1, projects[(i + 1) % 4].project_id: 1}, code=code)
    services.advance(process, officer)
    process.refresh_from_db()
    path = tmp_path / f"{process.slug}.pb"
    path.write_text(Client().get(reverse("budgeting:results-pb", args=[process.slug])).content.decode())
    done = run_cli("pb", "tally", str(path), "--rule", "greedy")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["winners"] == process.result.winners


def test_ballot_rules_are_enforced_with_field_errors(officer_client, officer, make_user):
    process = make_process(officer_client, ballot_type="knapsack", max_selections="")
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    code = casting.issue_codes(process, officer, 1, "")[0]
    vote_url = reverse("budgeting:vote", args=[process.slug])
    over = [p.project_id for p in projects]  # 52,000 > 50,000
    r = Client().post(vote_url, {"code": code, "projects": over, "age_confirmed": "on"})
    page = r.content.decode()
    assert "Your choices cost 52,000, more than the budget of 50,000" in page and 'href="#id_projects_0"' in page
    r = Client().post(vote_url, {"code": code, "projects": over[:2]})
    assert "Confirm you are 16 or older" in r.content.decode()
    assert BallotPaper.objects.count() == 0
    r = Client().post(vote_url, {"code": "AAAA-BBBB-CCCC", "projects": over[:2], "age_confirmed": "on"})
    assert "That voting code is not right" in r.content.decode()
    r = Client().post(vote_url, {"code": code, "projects": over[:2], "age_confirmed": "on"})
    assert "Your vote is recorded" in r.content.decode()
    r = Client().post(vote_url, {"code": code, "projects": over[:1], "age_confirmed": "on"})
    assert "already been cast" in r.content.decode()


def test_cumulative_and_ranked_ballots(officer_client, officer, make_user):
    resident = make_user("res@example.org", roles=(Role.RESIDENT,))
    cases = [
        ("cumulative", {"max_points": "10"}, {0: "6", 1: "4"}, {0: "6", 1: "5"}, "You gave 11 points"),
        ("ranked", {"max_selections": "3", "rule": "greedy"}, {0: "2", 2: "1"}, {0: "1", 2: "3"}, "Number your"),
    ]
    for kind, extra, ballot_ok, ballot_bad, message in cases:
        process = make_process(officer_client, title=f"PB {kind}", ballot_type=kind, **extra)
        projects = open_vote(officer_client, process, resident)
        code_ok, code_bad = casting.issue_codes(process, officer, 2, "")
        url = reverse("budgeting:vote", args=[process.slug])

        def post(code, values, url=url, projects=projects):
            data = {"code": code, "age_confirmed": "on"}
            data.update({f"p{projects[i].project_id}": v for i, v in values.items()})
            return Client().post(url, data).content.decode()

        assert message in post(code_bad, ballot_bad)
        assert "Your vote is recorded" in post(code_ok, ballot_ok)
        services.advance(process, officer)
        process.refresh_from_db()
        support = process.result.support
        if kind == "cumulative":
            assert support[projects[0].project_id]["points"] == 6
        else:  # Borda: 3 points for a first choice, 2 for a second, with up to 3 ranked
            assert support[projects[2].project_id]["points"] == 3 and support[projects[0].project_id]["points"] == 2


def test_non_secret_ballots_can_be_changed_and_secret_ones_by_receipt(officer_client, officer, make_user):
    resident = make_user("res@example.org", roles=(Role.RESIDENT,))
    voter = make_user("v@example.org", roles=(Role.RESIDENT, Role.VERIFIED_RESIDENT))
    open_process = make_process(officer_client, title="Open PB", secret="")
    projects = open_vote(officer_client, open_process, resident)
    a, b = projects[0].project_id, projects[1].project_id
    assert casting.cast(open_process, {a: 1}, user=voter).changed is False
    assert casting.cast(open_process, {b: 1}, user=voter).changed is True
    assert list(BallotPaper.objects.filter(process=open_process).values_list("choices", flat=True)) == [{b: 1}]

    secret = make_process(officer_client, title="Secret PB")
    projects = open_vote(officer_client, secret, resident)
    a, b = projects[0].project_id, projects[1].project_id
    cast = casting.cast(secret, {a: 1}, user=voter)
    assert cast.receipt and VoterMark.objects.get(process=secret).paper is None
    with pytest.raises(basics.ProcessError, match="receipt"):
        casting.cast(secret, {b: 1}, user=voter)
    r = Client().post(
        reverse("budgeting:change", args=[secret.slug]),
        {"receipt": cast.receipt, "projects": [b], "age_confirmed": "on"},
    )
    assert "Your vote is changed" in r.content.decode()
    assert list(BallotPaper.objects.filter(process=secret).values_list("choices", flat=True)) == [{b: 1}]


def test_secret_ballot_papers_cannot_be_linked_to_voters(officer_client, officer, make_user):
    """Nothing stored with a paper identifies the voter or when it was cast; the audit log holds no choices."""
    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    voters = [make_user(f"v{i}@example.org", roles=(Role.RESIDENT, Role.VERIFIED_RESIDENT)) for i in range(6)]
    for i, v in enumerate(voters):
        casting.cast(process, {projects[i % 4].project_id: 1}, user=v)
    paper_fields = {f.name for f in BallotPaper._meta.get_fields()}
    assert paper_fields == {"id", "process", "choices", "receipt_hash"}
    assert all(m.paper_id is None for m in VoterMark.objects.filter(process=process))
    ids = [p.id for p in BallotPaper.objects.filter(process=process)]
    assert len({i.version for i in ids}) == 1 and ids[0].version == 4  # random keys, sorted randomly
    for record in AuditRecord.objects.all():
        text = f"{record.before} {record.after}"
        assert "choices" not in text and all(p.project_id + ": 1" not in text for p in projects)


def test_voting_codes_are_stored_hashed_and_guessing_is_limited(officer_client, officer, make_user):
    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    codes = casting.issue_codes(process, officer, 3, "")
    stored = list(process.codes.values_list("code_hash", flat=True))
    assert not any(normalise(c) in h for c in codes for h in stored)
    url = reverse("budgeting:vote", args=[process.slug])
    guesser = Client()
    data = {"projects": [projects[0].project_id], "age_confirmed": "on"}
    for n in range(casting.CODE_GUESSES.allowed):
        guesser.post(url, {**data, "code": f"WRONG{n:07d}"})
    r = guesser.post(url, {**data, "code": codes[0]})
    assert r.status_code == 429 and "Too many wrong codes" in r.content.decode()
    assert BallotPaper.objects.count() == 0


def test_kiosk_casts_one_ballot_per_code_and_shows_turnout(officer_client, officer, make_user):
    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    codes = casting.issue_codes(process, officer, 3, "Hall")
    kiosk = reverse("budgeting:kiosk", args=[process.slug])
    assert officer_client.get(kiosk).status_code == 403  # an officer's own session is not a kiosk
    assert officer_client.post(reverse("budgeting:kiosk-start", args=[process.slug])).status_code == 302
    assert officer_client.get(reverse("budgeting:codes", args=[process.slug])).status_code == 302  # signed out
    for code in codes:
        r = officer_client.post(kiosk, {"code": code, "projects": [projects[0].project_id], "age_confirmed": "on"})
        assert r.status_code == 302
    page = officer_client.get(kiosk).content.decode()
    assert 'data-testid="turnout"' in page and ">3<" in page
    assert Client().get(reverse("budgeting:turnout", args=[process.slug])).json()["ballots"] == 3
    r = officer_client.post(kiosk, {"code": codes[0], "projects": [projects[1].project_id], "age_confirmed": "on"})
    assert "already been cast" in r.content.decode()


def test_paper_ballots_need_two_matching_entries_by_different_officers(officer_client, officer, make_user):
    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    second = make_user("officer2@example.org", roles=(Role.RESIDENT, Role.COUNCIL_OFFICER))
    third = make_user("officer3@example.org", roles=(Role.RESIDENT, Role.COUNCIL_OFFICER))
    a, b = projects[0].project_id, projects[1].project_id
    assert casting.enter_paper(process, officer, "P-001", {a: 1}) == "waiting"
    with pytest.raises(basics.ProcessError, match="different officer"):
        casting.enter_paper(process, officer, "P-001", {a: 1})
    assert BallotPaper.objects.count() == 0
    assert casting.enter_paper(process, second, "P-001", {a: 1}) == "counted"
    assert BallotPaper.objects.count() == 1
    with pytest.raises(basics.ProcessError, match="already been counted"):
        casting.enter_paper(process, third, "P-001", {a: 1})

    assert casting.enter_paper(process, officer, "P-002", {a: 1, b: 1}) == "waiting"
    assert casting.enter_paper(process, second, "P-002", {a: 1}) == "mismatch"
    report = _client(third).get(reverse("budgeting:paper", args=[process.slug])).content.decode()
    assert "P-002" in report and 'data-testid="mismatches"' in report
    with pytest.raises(basics.ProcessError, match="made neither entry"):
        casting.enter_paper(process, second, "P-002", {a: 1})
    assert casting.enter_paper(process, third, "P-002", {a: 1, b: 1}) == "counted"
    assert casting.mismatches(process) == [] and BallotPaper.objects.count() == 2
    assert PaperEntry.objects.count() == 5


def test_who_may_do_what(officer_client, officer, make_user):
    process = make_process(officer_client, electorate="verified")
    resident = make_user("res@example.org", roles=(Role.RESIDENT,))
    rc = _client(resident)
    assert Client().get(reverse("budgeting:detail", args=[process.slug])).status_code == 404  # draft is private
    assert rc.post(reverse("budgeting:advance", args=[process.slug])).status_code == 403
    assert rc.get(reverse("budgeting:create")).status_code == 403
    assert Client().get(reverse("budgeting:create")).status_code == 302  # to sign in
    projects = open_vote(officer_client, process, resident)
    p = projects[0]
    assert rc.get(reverse("budgeting:review", args=[process.slug, p.pk])).status_code == 403
    assert rc.get(reverse("budgeting:kiosk", args=[process.slug])).status_code == 403
    assert rc.get(reverse("budgeting:codes", args=[process.slug])).status_code == 403
    assert rc.get(reverse("budgeting:paper", args=[process.slug])).status_code == 403
    r = rc.get(reverse("budgeting:vote", args=[process.slug]))
    assert r.status_code == 403 and "Only verified residents can vote" in r.content.decode()
    assert Client().get(reverse("budgeting:results", args=[process.slug])).status_code == 404  # not out yet
    with pytest.raises(basics.ProcessError, match="does not use voting codes"):
        casting.issue_codes(process, officer, 5, "")


def test_votes_after_the_close_are_refused_and_roll_voters_only(officer_client, officer, make_user):
    process = make_process(officer_client, electorate="roll")
    resident = make_user("res@example.org", roles=(Role.RESIDENT,))
    on_roll = make_user("neighbour@example.org", roles=(Role.RESIDENT,))
    r = officer_client.post(
        reverse("budgeting:roll", args=[process.slug]), {"emails": "Neighbour@example.org\nnot an email"}
    )
    assert "Line 2: &#x27;not an email&#x27; is not an email address" in r.content.decode()
    officer_client.post(reverse("budgeting:roll", args=[process.slug]), {"emails": "Neighbour@example.org"})
    projects = open_vote(officer_client, process, resident)
    with pytest.raises(basics.ProcessError, match="not on the roll"):
        casting.cast(process, {projects[0].project_id: 1}, user=resident)
    casting.cast(process, {projects[0].project_id: 1}, user=on_roll)
    services.advance(process, officer)
    with pytest.raises(basics.ProcessError, match="Voting is not open"):
        casting.cast(process, {projects[0].project_id: 1}, user=make_user("late@example.org"))
    page = Client().get(reverse("budgeting:results", args=[process.slug])).content.decode()
    assert "1 of 1 people on the roll (100%)" in page


def test_winners_get_public_delivery_records_when_results_are_out(officer_client, officer, make_user):
    from commonground.delivery.models import Record

    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    code = casting.issue_codes(process, officer, 1, "")[0]
    casting.cast(process, {projects[0].project_id: 1}, code=code)
    services.advance(process, officer)
    record = Record.objects.get(reference=f"pb:{process.slug}:{projects[0].pk}")
    assert (record.source, record.amount_pence, record.council.code) == ("pb", projects[0].cost * 100, "X09000001")
    url = reverse("budgeting:delivery", args=[process.slug, projects[0].pk])
    assert officer_client.get(url).url == reverse("delivery:update", args=[record.pk])
    update = {"status": "in_progress", "progress": "40", "spent": "7,500", "text": "Beds built"}
    r = officer_client.post(reverse("delivery:update", args=[record.pk]), update)
    assert r.status_code == 302
    page = Client().get(reverse("budgeting:results", args=[process.slug])).content.decode()
    assert "In progress, 40% done" in page
    assert AuditRecord.objects.filter(action="delivery.update").count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_hundred_concurrent_submissions_never_double_vote(make_user, demo):
    """200 threads at once: 100 codes each submitted twice, exactly one ballot per code."""
    officer = make_user("officer@example.org", roles=(Role.RESIDENT, Role.COUNCIL_OFFICER))
    process = make_process(_client(officer))
    projects = open_vote(_client(officer), process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    codes = casting.issue_codes(process, officer, 100, "")
    outcomes: list[str] = []
    barrier = threading.Barrier(200)

    def submit(code: str, project: str) -> None:
        try:
            barrier.wait()
            casting.cast(process, {project: 1}, code=code)
            outcomes.append("cast")
        except basics.ProcessError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=(code, projects[(i + k) % 4].project_id))
        for i, code in enumerate(codes)
        for k in range(2)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    assert outcomes.count("cast") == 100, outcomes[:5]
    assert all(o == "cast" or "already been cast" in o for o in outcomes)
    assert BallotPaper.objects.filter(process=process).count() == 100
    assert VoterMark.objects.filter(process=process).count() == 100
    print(f"200 concurrent submissions in {elapsed:.2f} s")


def test_results_api_matches_the_results_page(officer_client, officer, make_user):
    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    assert Client().get(f"/api/budgeting/processes/{process.slug}/results").status_code == 404  # not out yet
    for code in casting.issue_codes(process, officer, 3, ""):
        casting.cast(process, {projects[0].project_id: 1, projects[2].project_id: 1}, code=code)
    services.advance(process, officer)
    listed = Client().get("/api/budgeting/processes").json()
    assert [p["slug"] for p in listed] == [process.slug] and listed[0]["phase"] == "results"
    data = Client().get(f"/api/budgeting/processes/{process.slug}/results").json()
    process.refresh_from_db()
    assert data["winners"] == process.result.winners and data["ballots"] == 3
    by_id = {p["project_id"]: p for p in data["projects"]}
    assert by_id[projects[0].project_id]["ballots"] == 3 and by_id[projects[1].project_id]["ballots"] == 0
    assert data["spent_gbp"] == sum(p["cost_gbp"] for p in data["projects"] if p["won"])


@pytest.mark.django_db
def test_old_pb_addresses_move_to_budgeting():
    """Links, bookmarks and scripts made before the pages took the app's name still arrive."""
    client = Client()
    page = client.get("/pb/some-process/results/?sort=cost")
    assert page.status_code == 301 and page["Location"] == "/budgeting/some-process/results/?sort=cost"
    assert client.get("/pb/")["Location"] == "/budgeting/"
    posted = client.post("/pb/some-process/vote/", {"code": "x"})
    assert posted.status_code == 308 and posted["Location"] == "/budgeting/some-process/vote/"
    api = client.get("/api/pb/processes")
    assert api.status_code == 301 and api["Location"] == "/api/budgeting/processes"
    assert client.get(api["Location"]).status_code == 200
    assert reverse("budgeting:list") == "/budgeting/"


def test_demo_processes_load_twice_and_count_like_the_engine(demo):
    from commonground.budgeting import demo as pb_demo

    assert pb_demo.load() == {"ballots": 240}
    assert pb_demo.load() == {"ballots": 240}  # a reload replaces, never duplicates
    counted = Process.objects.get(slug="brookfield-decides-2026")
    assert counted.is_demo and counted.phase == Process.Phase.RESULTS and counted.area.code == "X05000002"
    election = pabulib.parse(counted.result.pb_text)
    assert election.n_voters == 240 and counted.result.winners == rules.tally(election, "equal-shares")
    assert Process.objects.get(slug="larkrise-youth-budget").phase == Process.Phase.PROPOSALS
    page = Client().get(reverse("budgeting:results", args=[counted.slug])).content.decode()
    assert "240" in page and "Play area resurfacing" in page


# Review findings: each of these failed before its fix ----------------------------------------------


def test_a_double_click_on_move_to_does_not_skip_a_phase(officer_client, officer, make_user):
    process = make_process(officer_client)
    open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    url = reverse("budgeting:advance", args=[process.slug])
    assert officer_client.post(url, {"phase": "voting"}).status_code == 302
    second = officer_client.post(url, {"phase": "voting"}, follow=True).content.decode()
    assert "already moved on to: Results" in second
    process.refresh_from_db()
    assert process.phase == Process.Phase.RESULTS
    with pytest.raises(basics.ProcessError, match="already moved on"):
        services.advance(process, officer, expected="voting")
    assert AuditRecord.objects.filter(action="pb.phase", after__phase="delivery").count() == 0


def test_a_review_started_before_voting_opened_cannot_change_the_ballot(officer_client, officer, make_user):
    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    stale = Proposal.objects.select_related("process").get(pk=projects[0].pk)
    stale.process.phase = Process.Phase.REVIEW  # what the officer's request read before voting opened
    with pytest.raises(basics.ProcessError, match="before voting opens"):
        services.review(stale, officer, feasible=False, cost=1, reason="Changed my mind")
    assert Proposal.objects.get(pk=projects[0].pk).status == Proposal.Status.FEASIBLE


def test_voting_does_not_open_when_nobody_could_cast_a_valid_ballot(officer_client, officer, make_user):
    process = make_process(officer_client, min_selections="5", max_selections="")
    resident = make_user("res@example.org", roles=(Role.RESIDENT,))
    process = services.advance(process, officer)
    for title, cost in IDEAS[:2]:
        idea = services.submit_proposal(process, resident, title=title, summary=title, estimated_cost=cost)
        services.review(idea, officer, feasible=True, cost=cost, reason="")
    process = services.advance(process, officer)
    with pytest.raises(basics.ProcessError, match="at least 5 projects but only 2"):
        services.advance(process, officer)
    process.refresh_from_db()
    assert process.phase == Process.Phase.REVIEW


def test_receipt_guessing_is_limited_like_code_guessing(officer_client, officer, make_user):
    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    voter = make_user("v@example.org", roles=(Role.RESIDENT, Role.VERIFIED_RESIDENT))
    receipt = casting.cast(process, {projects[0].project_id: 1}, user=voter).receipt
    url = reverse("budgeting:change", args=[process.slug])
    guesser = Client(REMOTE_ADDR="203.0.113.45")
    data = {"projects": [projects[1].project_id], "age_confirmed": "on"}
    for n in range(casting.CODE_GUESSES.allowed):
        assert "receipt code is not right" in guesser.post(url, {**data, "receipt": f"WRONG{n:07d}"}).content.decode()
    r = guesser.post(url, {**data, "receipt": receipt})
    assert r.status_code == 429 and "Too many wrong codes" in r.content.decode()
    assert list(BallotPaper.objects.filter(process=process).values_list("choices", flat=True)) == [
        {projects[0].project_id: 1}
    ]


def test_ballots_and_receipts_are_not_kept_by_the_browser_nor_reported(officer_client, officer, make_user):
    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    code = casting.issue_codes(process, officer, 1, "")[0]
    officer_client.post(reverse("budgeting:kiosk-start", args=[process.slug]))
    kiosk = officer_client.get(reverse("budgeting:kiosk", args=[process.slug]))
    assert kiosk["Cache-Control"] == "no-store" and 'autocomplete="off"' in kiosk.content.decode()
    done = Client(REMOTE_ADDR="203.0.113.46").post(
        reverse("budgeting:vote", args=[process.slug]),
        {"code": code, "projects": [projects[0].project_id], "age_confirmed": "on"},
    )
    assert 'data-testid="receipt"' in done.content.decode() and done["Cache-Control"] == "no-store"
    assert "code" in done.wsgi_request.sensitive_post_parameters  # kept out of error reports


def test_a_code_cannot_vote_where_the_process_does_not_use_codes(officer_client, officer, make_user):
    process = make_process(officer_client, electorate="verified")
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    with pytest.raises(basics.ProcessError, match="does not use voting codes"):
        casting.cast(process, {projects[0].project_id: 1}, code="ABCD-EFGH-JKMN")
    with pytest.raises(basics.ProcessError, match="does not use voting codes"):
        casting.enter_paper(process, officer, "P-1", {projects[0].project_id: 1}, "ABCD-EFGH-JKMN")
    assert not BallotPaper.objects.exists() and not PaperEntry.objects.exists()


def test_a_signed_in_voter_cannot_vote_again_with_a_code(officer_client, officer, make_user):
    """Verified residents or code holders: a code used while signed in marks the account too, so the
    same person cannot vote both ways, whichever comes first."""
    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    a, b = projects[0].project_id, projects[1].project_id
    verified = make_user("v@example.org", roles=(Role.RESIDENT, Role.VERIFIED_RESIDENT))
    unverified = make_user("u@example.org", roles=(Role.RESIDENT,))
    first, second = casting.issue_codes(process, officer, 2, "")
    casting.cast(process, {a: 1}, user=verified)
    with pytest.raises(basics.ProcessError, match="already voted"):
        casting.cast(process, {b: 1}, user=verified, code=first)
    casting.cast(process, {b: 1}, user=unverified, code=second)  # not verified, so by code
    grant = unverified.role_grants.create(role=Role.VERIFIED_RESIDENT)
    unverified = type(unverified).objects.get(pk=unverified.pk)
    with pytest.raises(basics.ProcessError, match="already been cast"):
        casting.cast(process, {a: 1}, user=unverified)  # verified later: the code vote was theirs
    grant.delete()
    assert BallotPaper.objects.count() == 2
    assert VoterMark.objects.filter(user=unverified, code__isnull=False).count() == 1
    assert not VoterMark.objects.filter(code__isnull=False, user=verified).exists()
    casting.cast(process, {a: 1}, code=first)  # the unused code still works for someone else
    assert BallotPaper.objects.count() == 3


def test_points_and_ranks_sit_in_one_fieldset_and_errors_name_the_project(officer_client, officer, make_user):
    process = make_process(officer_client, ballot_type="cumulative", max_points="10")
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    code = casting.issue_codes(process, officer, 1, "")[0]
    url = reverse("budgeting:vote", args=[process.slug])
    page = Client().get(url).content.decode()
    fieldset = page[page.index('<fieldset class="govuk-fieldset" aria-describedby="ballot-hint">') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert "Share out your 10 points" in fieldset and 'id="ballot-hint"' in fieldset
    assert all(f'name="p{p.project_id}"' in fieldset for p in projects)
    assert 'name="code"' not in fieldset and 'name="age_confirmed"' not in fieldset
    paper = officer_client.get(reverse("budgeting:paper", args=[process.slug])).content.decode()
    assert "<legend" in paper and "Points written on the paper" in paper
    first = projects[0]
    for value, message in [
        ("1.5", f"Enter the points for {first.title} as a whole number"),
        ("-1", f"The points for {first.title} cannot be negative"),
        ("99999999999999999999", f"The points for {first.title} must be 1,000 or less"),
    ]:
        r = Client().post(url, {"code": code, "age_confirmed": "on", f"p{first.project_id}": value})
        text = r.content.decode()
        assert message in text and "<title>Error: " in text and f'href="#id_p{first.project_id}"' in text
    assert not BallotPaper.objects.exists()


def test_process_settings_out_of_range_get_a_field_error(officer_client):
    r = officer_client.post(reverse("budgeting:create"), {**SETUP, "min_selections": "40000"})
    assert r.status_code == 200 and "Ensure this value is less than or equal to 1000" in r.content.decode()
    assert not Process.objects.exists()


def test_delivery_is_tracked_for_funded_projects_only(officer_client, officer, make_user):
    from commonground.delivery.models import Record

    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    casting.cast(process, {projects[0].project_id: 1}, code=casting.issue_codes(process, officer, 1, "")[0])
    services.advance(process, officer)
    process.refresh_from_db()
    losing = next(p for p in projects if p.project_id not in process.result.winners)
    r = officer_client.get(reverse("budgeting:delivery", args=[process.slug, losing.pk]), follow=True)
    assert "funded projects once the results are out" in r.content.decode()
    assert not Record.objects.filter(reference=f"pb:{process.slug}:{losing.pk}").exists()


def test_a_vote_with_no_ballots_counts_to_no_winners(officer_client, officer, make_user):
    process = make_process(officer_client)
    open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    services.advance(process, officer)
    process.refresh_from_db()
    assert process.result.winners == [] and process.result.ballots == 0
    assert "0 projects funded" in Client().get(reverse("budgeting:results", args=[process.slug])).content.decode()


def test_amounts_that_are_not_money_get_a_field_error(officer_client):
    for budget, message in [
        ("NaN", "Enter the budget as a number of pounds"),
        ("1" + "0" * 20, "£1,000,000,000,000 or less"),
    ]:
        r = officer_client.post(reverse("budgeting:create"), {**SETUP, "budget": budget})
        assert r.status_code == 200 and message in r.content.decode()
    assert not Process.objects.exists()


def test_online_voting_ends_with_the_closing_date_but_paper_entry_does_not(officer_client, officer, make_user):
    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    voter = make_user("v@example.org", roles=(Role.RESIDENT, Role.VERIFIED_RESIDENT))
    a = projects[0].project_id
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Process.objects.filter(pk=process.pk).update(voting_closes=yesterday)
    process.refresh_from_db()
    with pytest.raises(basics.ProcessError, match=f"Voting closed on {yesterday:%-d %B %Y}"):
        casting.cast(process, {a: 1}, user=voter)
    vote = reverse("budgeting:vote", args=[process.slug])
    assert _client(voter).post(vote, {"projects": [a], "age_confirmed": "on"}).status_code == 302
    page = Client().get(reverse("budgeting:detail", args=[process.slug])).content.decode()
    assert 'data-testid="closed"' in page and f'href="{vote}"' not in page
    second = make_user("officer2@example.org", roles=(Role.RESIDENT, Role.COUNCIL_OFFICER))
    casting.enter_paper(process, officer, "P-1", {a: 1})
    assert casting.enter_paper(process, second, "P-1", {a: 1}) == "counted"  # a paper that arrived in time
    assert BallotPaper.objects.count() == 1 and not VoterMark.objects.filter(user=voter).exists()
    Process.objects.filter(pk=process.pk).update(voting_closes=timezone.localdate())  # the last day counts
    process.refresh_from_db()
    casting.cast(process, {a: 1}, user=voter)
    assert BallotPaper.objects.count() == 2


def test_a_free_project_cannot_go_on_the_ballot(officer_client, make_user):
    """Every rule divides by cost, and the count's .pb file refuses a cost of 0."""
    process = make_process(officer_client)
    assert advance(officer_client, process).status_code == 302
    _client(make_user("res@example.org", roles=(Role.RESIDENT,))).post(
        reverse("budgeting:propose", args=[process.slug]),
        {"title": "Litter pick", "summary": "Volunteers pick litter", "estimated_cost": "0"},
    )
    idea = Proposal.objects.get(process=process)
    r = officer_client.post(
        reverse("budgeting:review", args=[process.slug, idea.pk]), {"feasible": "yes", "cost": "0", "reason": ""}
    )
    assert r.status_code == 200 and "must cost more than £0" in r.content.decode()
    idea.refresh_from_db()
    assert idea.status == Proposal.Status.SUBMITTED and idea.cost is None


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_after_the_count_no_paper_shares_a_row_version_with_a_voters_mark(make_user, demo):
    """A ballot and its voter's mark are written in one transaction (same PostgreSQL xmin); the count
    rewrites every paper so that link is gone from the stored rows."""
    officer = make_user("officer@example.org", roles=(Role.RESIDENT, Role.COUNCIL_OFFICER))
    process = make_process(_client(officer))
    projects = open_vote(_client(officer), process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    for i in range(5):
        voter = make_user(f"v{i}@example.org", roles=(Role.RESIDENT, Role.VERIFIED_RESIDENT))
        casting.cast(process, {projects[i % 4].project_id: 1}, user=voter)

    def versions(table: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT xmin::text FROM {table} WHERE process_id = %s", [process.pk])  # noqa: S608
            return {row[0] for row in cursor.fetchall()}

    assert versions("budgeting_ballotpaper") == versions("budgeting_votermark")  # linkable while voting
    services.advance(process, officer, expected=Process.Phase.VOTING)
    papers, marks = versions("budgeting_ballotpaper"), versions("budgeting_votermark")
    assert len(papers) == 1 and not papers & marks


def test_codes_and_receipts_issued_before_the_voting_kernel_still_work(officer_client, officer, make_user):
    """They were keyed with SECRET_KEY itself; the kernel derives a key per purpose and accepts both."""
    import hashlib
    import hmac

    from django.conf import settings

    from commonground.budgeting.models import VotingCode

    def before(code: str) -> str:
        return hmac.new(settings.SECRET_KEY.encode(), normalise(code).encode(), hashlib.sha256).hexdigest()

    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    a, b = projects[0].project_id, projects[1].project_id
    VotingCode.objects.bulk_create(VotingCode(process=process, code_hash=before(c)) for c in ("ABCDEFGHJKMN", "PQRS"))
    receipt = casting.cast(process, {a: 1}, code="abcd-efgh-jkmn").receipt
    paper = BallotPaper.objects.get(process=process)
    BallotPaper.objects.filter(pk=paper.pk).update(receipt_hash=before(receipt))
    casting.change_with_receipt(process, receipt, {b: 1})
    assert BallotPaper.objects.get(pk=paper.pk).choices == {b: 1}
    second = make_user("officer2@example.org", roles=(Role.RESIDENT, Role.COUNCIL_OFFICER))
    casting.enter_paper(process, officer, "P-1", {a: 1}, "PQRS")
    assert casting.enter_paper(process, second, "P-1", {a: 1}, "pqrs") == "counted"
    assert VoterMark.objects.filter(process=process, code__code_hash=before("PQRS")).count() == 1


def test_the_mismatch_report_says_what_each_entry_read(officer_client, officer, make_user):
    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    second = make_user("officer2@example.org", roles=(Role.RESIDENT, Role.COUNCIL_OFFICER))
    code = casting.issue_codes(process, officer, 1, "")[0]
    casting.enter_paper(process, officer, "P-7", {projects[0].project_id: 1, projects[1].project_id: 1}, code)
    assert casting.enter_paper(process, second, "P-7", {projects[0].project_id: 1}) == "mismatch"
    (report,) = casting.mismatches(process)
    assert report["differences"] == {projects[1].title: [1, 0]} and report["codes_differ"]
    page = _client(officer).get(reverse("budgeting:paper", args=[process.slug])).content.decode()
    assert f"{projects[1].title}: 1 / 0; the voting codes differ" in page


def test_one_registry_of_rules_and_one_source_of_result_rows(officer_client, officer, make_user):
    """Issue 17 item 3: each rule's name, label, plain English, .pb META and count come from
    engine.pb.rules.RULES; the page, the CSV and the API show the same rows in the same order."""
    assert Process._meta.get_field("rule").choices == [(r.name, r.label) for r in rules.WEB_RULES]
    assert [r.name for r in rules.WEB_RULES] == ["equal-shares", "greedy", "phragmen"]
    process = make_process(officer_client, complete_greedily="")
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    ballot_page = Client().get(reverse("budgeting:vote", args=[process.slug])).content.decode()
    assert rules.RULES["equal-shares"].plain in ballot_page
    picks = [[0, 1], [0, 1], [2], [3], [1, 3], [0]]
    for code, pick in zip(casting.issue_codes(process, officer, len(picks), ""), picks, strict=True):
        casting.cast(process, {projects[i].project_id: 1 for i in pick}, code=code)
    services.advance(process, officer)
    process.refresh_from_db()
    election = pabulib.parse(process.result.pb_text)
    assert election.meta["rule"] == "equalshares/add1"  # no greedy completion: the officer unticked it
    assert process.result.winners == rules.tally(election, "equal-shares", completion=False)
    with_completion = rules.tally(election, "equal-shares", completion=True)  # the argument, not the META
    assert with_completion == rules.complete_greedily(election, rules.tally(election, "equal-shares"))
    page = Client().get(reverse("budgeting:results", args=[process.slug])).content.decode()
    csv_rows = list(
        csv.DictReader(
            io.StringIO(Client().get(reverse("budgeting:results-csv", args=[process.slug])).content.decode())
        )
    )
    api_rows = Client().get(f"/api/budgeting/processes/{process.slug}/results").json()["projects"]
    rows = results.result_rows(process)
    assert [r["project_id"] for r in csv_rows] == [r["project_id"] for r in api_rows]
    assert [r["project_id"] for r in api_rows] == [r.proposal.project_id for r in rows]
    assert [(r["won"], r["points"], r["why"]) for r in api_rows] == [(row.won, row.points, row.why) for row in rows]
    assert all(r["why"] and r["why"] in page.replace("&#x27;", "'") for r in api_rows)
    titles = [row.proposal.title for row in rows]
    assert [page.index(t) for t in titles] == sorted(page.index(t) for t in titles)  # page in the same order
