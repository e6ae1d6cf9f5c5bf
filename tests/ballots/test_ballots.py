"""Ballot setup, roll, codes, voting, paper batches, the count and its publication."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commonground.accounts.roles import Role
from commonground.audit.models import AuditRecord
from commonground.ballots import services
from commonground.ballots.models import Ballot, BallotBox, PaperBatch, VoterMark, VotingCode
from commonground.ballots.services import BallotError
from commonground.voting.codes import normalise
from tests.ballots.conftest import OFFER_PUBLISHED, add_people, close

pytestmark = pytest.mark.django_db


def _form(ballot_opens: dt.datetime, days: int, scrutineer, **extra) -> dict:
    return {
        "title": "Hillside ballot", "estate": "Hillside", "area_code": "", "question": "Are you in favour?",
        "options": "Yes\nNo", "opens_at": f"{ballot_opens:%Y-%m-%d %H:%M}",
        "closes_at": f"{ballot_opens + dt.timedelta(days=days):%Y-%m-%d %H:%M}", "scrutineer": scrutineer.pk,
        "offer_title": "Landlord Offer", "offer_body": "Right to return for every tenant.",
        "offer_published_on": "2026-01-15", **extra,
    }  # fmt: skip


def test_officer_sets_up_a_ballot_and_is_warned_about_a_short_window(client, officer, scrutineer):
    client.force_login(officer)
    opens = timezone.localtime() + dt.timedelta(days=7)
    page = client.post("/ballots/new/", _form(opens, 14, scrutineer))
    assert page.status_code == 200
    assert "shorter than the 3 weeks" in page.content.decode()
    response = client.post("/ballots/new/", _form(opens, 14, scrutineer, short_window_ok="on"))
    ballot = Ballot.objects.get()
    assert response.url == f"/ballots/{ballot.pk}/"
    assert [o.label for o in ballot.options.all()] == ["Yes", "No"]
    assert ballot.boxes.count() == 3  # Yes, No, spoilt
    assert ballot.offer_in_force.number == 1 and ballot.offer_published_on == OFFER_PUBLISHED
    assert AuditRecord.objects.filter(action="ballots.create").exists()
    assert client.get(f"/ballots/{ballot.pk}/").status_code == 200


def test_only_officers_set_up_ballots(client, make_user, scrutineer):
    for role in (Role.RESIDENT, Role.VERIFIED_RESIDENT, Role.ORGANISER, Role.FUND_ADMINISTRATOR, Role.SCRUTINEER):
        client.force_login(make_user(f"{role}-setup@example.org", roles=(role,)))
        assert client.get("/ballots/new/").status_code == 403


def test_the_independent_body_must_hold_the_role_and_not_be_the_officer(officer, make_user):
    opens = timezone.now()
    args = dict(
        title="t", estate="e", area=None, question="q", options=["Yes", "No"], opens_at=opens,
        closes_at=opens + dt.timedelta(days=21), offer_title="o", offer_body="b",
    )  # fmt: skip
    with pytest.raises(BallotError, match="not an independent body"):
        services.create_ballot(officer, scrutineer=make_user("x@example.org", roles=(Role.RESIDENT,)), **args)
    both = make_user("both@example.org", roles=(Role.COUNCIL_OFFICER, Role.SCRUTINEER))
    with pytest.raises(BallotError, match="someone other than the officer"):
        services.create_ballot(both, scrutineer=both, **args)


def test_offer_versions_are_kept_and_frozen_once_voting_opens(make_ballot, officer):
    ballot = make_ballot(opens_in=dt.timedelta(days=2))
    services.add_offer_version(
        officer, ballot, "Landlord Offer (revised)", "Now with a garden.", "", dt.date(2026, 2, 1)
    )
    assert [v.number for v in ballot.offer_versions.all()] == [1, 2]
    assert ballot.offer_in_force.title == "Landlord Offer (revised)"
    assert ballot.offer_published_on == OFFER_PUBLISHED  # eligibility stays judged on the first publication
    Ballot.objects.filter(pk=ballot.pk).update(opens_at=timezone.now() - dt.timedelta(hours=1))
    ballot.refresh_from_db()
    with pytest.raises(BallotError, match="can no longer change"):
        services.add_offer_version(officer, ballot, "Sneaky", "x", "", dt.date(2026, 2, 2))


def test_roll_entry_with_tenancy_after_publication_is_refused_with_the_reason(client, make_ballot, scrutineer):
    ballot = make_ballot()
    client.force_login(scrutineer)
    page = client.post(
        f"/ballots/{ballot.pk}/roll/add/",
        {"full_name": "Late Tenant", "address": "9 Hillside Road", "date_of_birth": "1990-01-01",
         "category": "social_tenant", "qualifying_date": "2026-01-16", "evidence": "Tenancy T9"},
    )  # fmt: skip
    text = page.content.decode()
    assert "tenancy dated 16 January 2026, after the Landlord Offer was published on 15 January 2026" in text
    assert ballot.electors.count() == 0


def test_roll_csv_import_is_all_or_nothing_with_row_errors(client, make_ballot, scrutineer):
    ballot = make_ballot()
    client.force_login(scrutineer)
    header = "full_name,address,date_of_birth,category,qualifying_date,evidence\n"
    bad = (
        header
        + "Ann,1 Road,1970-01-01,social_tenant,2010-01-01,Tenancy A\n"
        + "Bob,2 Road,2015-01-01,social_tenant,2010-01-01,Tenancy B\n"
        + "Cy,3 Road,1970-01-01,resident_owner,2025-06-01,Land Registry\n"
        + "Di,4 Road,01/01/1970,housing_register,2010-01-01,Register\n"
    )
    upload = io.BytesIO(bad.encode())
    upload.name = "roll.csv"
    text = client.post(f"/ballots/{ballot.pk}/roll/import/", {"file": upload}).content.decode()
    assert "line 3: not eligible: not aged 16 or over" in text
    assert "line 4: not eligible: living there since 01 June 2025: less than a year" in text
    assert "line 5: date_of_birth &#x27;01/01/1970&#x27; is not a date" in text
    assert ballot.electors.count() == 0
    good = io.BytesIO((header + "Ann,1 Road,1970-01-01,social_tenant,2010-01-01,Tenancy A\n").encode())
    good.name = "roll.csv"
    assert client.post(f"/ballots/{ballot.pk}/roll/import/", {"file": good}).status_code == 302
    assert list(ballot.electors.values_list("full_name", "category")) == [("Ann", "social_tenant")]


def test_challenges_and_corrections_are_logged_append_only(make_ballot, scrutineer):
    ballot = make_ballot()
    ann, bob = add_people(scrutineer, ballot, 2)
    services.correct_elector(scrutineer, ann, "Typo in the name", full_name="Anne Resident")
    item = services.challenge(scrutineer, bob, "Landlord", "Moved away in 2025")
    services.decide_challenge(scrutineer, item, uphold=True, reason="Council tax shows a new address")
    bob.refresh_from_db()
    assert not bob.on_roll
    assert list(ann.events.values_list("kind", flat=True)) == ["added", "corrected"]
    assert list(bob.events.values_list("kind", flat=True)) == ["added", "challenged", "challenge_upheld"]
    corrected = ann.events.get(kind="corrected")
    assert corrected.before["full_name"] == "Resident 1" and corrected.after["full_name"] == "Anne Resident"
    with pytest.raises(ValueError, match="append-only"):
        corrected.save()
    with pytest.raises(ValueError, match="append-only"):
        corrected.delete()
    with pytest.raises(BallotError, match="already been decided"):
        services.decide_challenge(scrutineer, item, uphold=False, reason="x")
    assert {"ballots.roll_correct", "ballots.roll_challenge", "ballots.challenge_upheld"} <= set(
        AuditRecord.objects.values_list("action", flat=True)
    )
    with pytest.raises(BallotError, match="would not be eligible"):
        services.correct_elector(scrutineer, ann, "x", qualifying_date=dt.date(2026, 2, 1))


def test_only_the_appointed_independent_body_works_on_the_roll(client, make_ballot, make_user):
    ballot = make_ballot()
    other = make_user("other-body@example.org", roles=(Role.SCRUTINEER,))
    client.force_login(other)
    assert client.get(f"/ballots/{ballot.pk}/roll/").status_code == 403
    assert client.post(f"/ballots/{ballot.pk}/codes/").status_code == 403
    with pytest.raises(PermissionDenied):
        add_people(other, ballot, 1)


def test_codes_are_random_hashed_never_stored_and_replacements_cancel(make_ballot, scrutineer):
    ballot = make_ballot()
    ann, bob = add_people(scrutineer, ballot, 2)
    issued = services.issue_codes(scrutineer, ballot)
    assert [i.elector for i in issued] == [ann, bob]
    code = issued[0].code
    assert len(normalise(code)) == 20 and code.count("-") == 4  # 20 symbols of 30: 98 bits
    assert services.issue_codes(scrutineer, ballot) == []  # everyone already has one
    stored = json.dumps(list(VotingCode.objects.values()), default=str) + json.dumps(
        list(AuditRecord.objects.values()), default=str
    )
    assert normalise(code) not in stored.replace("-", "")
    replacement = services.replace_code(scrutineer, ann)
    assert ann.codes.filter(active=True).count() == 1
    yes = ballot.options.get(label="Yes")
    with pytest.raises(BallotError, match="not valid"):
        services.cast_online(code, ballot, yes.pk)
    services.cast_online(replacement.code.lower().replace("-", " "), ballot, yes.pk)
    assert VoterMark.objects.get().elector == ann


def test_online_vote_once_only_with_messages(client, make_ballot, scrutineer):
    ballot = make_ballot()
    add_people(scrutineer, ballot, 1)
    code = services.issue_codes(scrutineer, ballot)[0].code
    no = ballot.options.get(label="No")
    page = client.get(f"/ballots/{ballot.pk}/vote/")
    assert "New homes for every tenant" in page.content.decode()  # the Offer in force is shown
    response = client.post(f"/ballots/{ballot.pk}/vote/", {"code": code, "option": no.pk})
    assert response.status_code == 302 and response.url == f"/ballots/{ballot.pk}/voted/"
    again = client.post(f"/ballots/{ballot.pk}/vote/", {"code": code, "option": no.pk}).content.decode()
    assert "not valid" in again or "already" in again
    assert VoterMark.objects.count() == 1
    assert BallotBox.objects.get(option=no).votes == 1
    vote_audit = AuditRecord.objects.get(action="ballots.vote")
    assert vote_audit.after == {"channel": "online"}
    assert code not in json.dumps(list(AuditRecord.objects.values()), default=str)


def test_voting_is_rate_limited_per_session_and_per_address(client, make_ballot, scrutineer):
    from django.test import Client

    ballot = make_ballot()
    for _ in range(10):
        assert client.post(f"/ballots/{ballot.pk}/vote/", {"code": "WRONG", "option": "1"}).status_code == 200
    assert client.post(f"/ballots/{ballot.pk}/vote/", {"code": "WRONG", "option": "1"}).status_code == 429
    statuses = [Client().post(f"/ballots/{ballot.pk}/vote/", {"code": "WRONG"}).status_code for _ in range(90)]
    assert statuses.count(429) == 1  # the 101st attempt from the same address, in fresh sessions


def test_a_browser_is_counted_by_its_csrf_cookie_and_no_session_is_made(make_ballot, scrutineer):
    """A real browser's POST carries the CSRF cookie, so the per-browser limit needs no session row."""
    from django.contrib.sessions.models import Session
    from django.test import Client

    ballot = make_ballot()
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(f"/ballots/{ballot.pk}/vote/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    wrong = {"code": "WRONG", "option": "1", "csrfmiddlewaretoken": token}
    assert [browser.post(f"/ballots/{ballot.pk}/vote/", wrong).status_code for _ in range(11)] == [200] * 10 + [429]
    fresh = Client(enforce_csrf_checks=True)
    fresh.get(f"/ballots/{ballot.pk}/vote/")
    token = fresh.cookies["csrftoken"].value
    assert fresh.post(f"/ballots/{ballot.pk}/vote/", {**wrong, "csrfmiddlewaretoken": token}).status_code == 200
    assert not Session.objects.exists()


def test_no_voting_outside_the_window(make_ballot, scrutineer):
    ballot = make_ballot(opens_in=dt.timedelta(days=1))
    add_people(scrutineer, ballot, 1)
    code = services.issue_codes(scrutineer, ballot)[0].code
    with pytest.raises(BallotError, match="not open"):
        services.cast_online(code, ballot, ballot.options.first().pk)


def test_postal_batches_are_double_entered(make_ballot, scrutineer):
    ballot = make_ballot()
    people = add_people(scrutineer, ballot, 4)
    yes, no = ballot.options.all()
    for person in people[:3]:
        services.mark_voted(scrutineer, person, "postal")
    with pytest.raises(BallotError, match="already voted"):
        services.mark_voted(scrutineer, people[0], "in_person")
    entry = {str(yes.pk): 2, str(no.pk): 0, "spoilt": 1}
    first = services.enter_batch(scrutineer, ballot, "postal", "POST-01", entry)
    assert first.status == PaperBatch.Status.AWAITING_SECOND
    assert BallotBox.objects.get(option=yes).votes == 0
    wrong = services.enter_batch(scrutineer, ballot, "postal", "POST-01", {**entry, str(yes.pk): 1, str(no.pk): 1})
    assert wrong.status == PaperBatch.Status.MISMATCH
    assert wrong.mismatch == {"Yes": [2, 1], "No": [0, 1]}  # the mismatch report: first and second entry
    services.enter_batch(scrutineer, ballot, "postal", "POST-01", entry)
    agreed = services.enter_batch(scrutineer, ballot, "postal", "POST-01", entry)
    assert agreed.status == PaperBatch.Status.AGREED
    assert BallotBox.objects.get(option=yes).votes == 2 and BallotBox.objects.get(ballot=ballot, option=None).votes == 1
    services.enter_batch(scrutineer, ballot, "postal", "POST-02", {**entry, "spoilt": 0})
    with pytest.raises(BallotError, match="only 3 postal voters"):
        services.enter_batch(scrutineer, ballot, "postal", "POST-02", {**entry, "spoilt": 0})


ROLES = [Role.RESIDENT, Role.VERIFIED_RESIDENT, Role.ORGANISER, Role.COUNCIL_OFFICER, Role.FUND_ADMINISTRATOR,
         Role.SITE_ADMIN, Role.SCRUTINEER]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_no_one_but_the_appointed_body_can_open_the_count(client, make_ballot, make_user, role):
    ballot = close(make_ballot())
    user = make_user(f"{role}-count@example.org", roles=(role,))
    client.force_login(user)
    assert client.post(f"/ballots/{ballot.pk}/count/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.open_count(user, ballot)
    assert not hasattr(Ballot.objects.get(pk=ballot.pk), "result")


def test_anonymous_cannot_open_the_count(client, make_ballot):
    ballot = close(make_ballot())
    assert client.post(f"/ballots/{ballot.pk}/count/").status_code == 302  # to sign in
    assert not hasattr(Ballot.objects.get(pk=ballot.pk), "result")


def test_the_count_does_not_open_before_the_close(client, make_ballot, scrutineer):
    ballot = make_ballot()
    with pytest.raises(BallotError, match="after voting closes"):
        services.open_count(scrutineer, ballot)
    client.force_login(scrutineer)
    client.post(f"/ballots/{ballot.pk}/count/")
    assert client.get(f"/ballots/{ballot.pk}/result/").status_code == 404
    assert client.get(f"/ballots/{ballot.pk}/papers.csv").status_code == 404


def _vote(ballot, scrutineer, choices):
    people = add_people(scrutineer, ballot, len(choices) + 1)
    codes = services.issue_codes(scrutineer, ballot)
    options = {o.label: o.pk for o in ballot.options.all()}
    for issued, choice in zip(codes, choices, strict=False):
        services.cast_online(issued.code, ballot, options[choice])
    return people


def test_count_publishes_result_report_and_papers_anyone_can_readd(client, make_ballot, scrutineer):
    from commonground.engine.ballot_count import readd

    ballot = make_ballot()
    _vote(ballot, scrutineer, ["Yes", "Yes", "No", "Yes"])
    services.campaign_declare(
        scrutineer, ballot, side="Hillside Residents Against", supports=ballot.options.get(label="No"),
        kind="spend", description="Leaflets", amount_pence=12_000, link="", made_on=dt.date(2026, 2, 1),
    )  # fmt: skip
    close(ballot)
    client.force_login(scrutineer)
    assert client.post(f"/ballots/{ballot.pk}/count/").url == f"/ballots/{ballot.pk}/result/"
    page = client.get(f"/ballots/{ballot.pk}/result/").content.decode()
    assert 'class="govuk-table cg-chart-source"' in page and 'data-value="3"' in page
    assert "Yes, by a simple majority" in page and "80.0%" in page  # 4 papers of 5 on the roll
    papers = client.get(f"/ballots/{ballot.pk}/papers.json").json()
    assert papers["papers"] == sorted(papers["papers"], key=lambda p: p["id"])
    again = readd(papers["options"], [p["vote"] for p in papers["papers"]], papers["electorate"])
    assert again.as_dict() == Ballot.objects.get(pk=ballot.pk).result.totals
    csv_lines = client.get(f"/ballots/{ballot.pk}/papers.csv").content.decode().splitlines()
    assert csv_lines[0] == "paper_id,vote" and len(csv_lines) == 5
    pdf = client.get(f"/ballots/{ballot.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    campaign = client.get(f"/ballots/{ballot.pk}/campaign/").content.decode()
    assert "Hillside Residents Against" in campaign and "£120" in campaign
    with pytest.raises(BallotError, match="already been counted"):
        services.open_count(scrutineer, Ballot.objects.get(pk=ballot.pk))
    count_audit = AuditRecord.objects.get(action="ballots.count")
    assert count_audit.after["majority"] == "Yes"


def test_unmatched_batches_hold_the_count(make_ballot, scrutineer):
    ballot = make_ballot()
    person = add_people(scrutineer, ballot, 1)[0]
    services.mark_voted(scrutineer, person, "postal")
    yes, no = ballot.options.all()
    services.enter_batch(scrutineer, ballot, "postal", "P1", {str(yes.pk): 1, str(no.pk): 0, "spoilt": 0})
    close(ballot)
    with pytest.raises(BallotError, match="1 paper batch"):
        services.open_count(scrutineer, ballot)


def test_cli_tally_json(make_ballot, scrutineer):
    from typer.testing import CliRunner

    from commonground.cli import app

    ballot = make_ballot()
    _vote(ballot, scrutineer, ["No", "No", "Yes"])
    runner = CliRunner()
    early = runner.invoke(app, ["ballot", "tally", "--ballot", str(ballot.pk), "--format", "json"])
    assert early.exit_code == 1 and "is not closed" in early.output
    close(ballot)
    uncounted = runner.invoke(app, ["ballot", "tally", "--ballot", str(ballot.pk)])
    assert uncounted.exit_code == 1 and "only its independent body opens the count" in uncounted.output
    services.open_count(scrutineer, ballot)
    result = runner.invoke(app, ["ballot", "tally", "--ballot", str(ballot.pk), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["majority"] == "No" and data["valid_votes"] == 3 and data["electorate"] == 4
    missing = runner.invoke(app, ["ballot", "tally", "--ballot", "999999"])
    assert missing.exit_code == 1 and "no ballot 999999" in missing.output


def test_in_person_voters_and_their_papers_through_the_pages(client, make_ballot, scrutineer):
    ballot = make_ballot()
    add_people(scrutineer, ballot, 2)
    yes, no = ballot.options.all()
    client.force_login(scrutineer)
    for number in (1, 2):
        client.post(f"/ballots/{ballot.pk}/roll/mark/", {"roll_number": number, "channel": "in_person"})
    assert "Voted (In person)" in client.get(f"/ballots/{ballot.pk}/roll/").content.decode()
    batch = {"label": "BOX-1", "channel": "in_person", f"option_{yes.pk}": 1, f"option_{no.pk}": 1, "spoilt": 0}
    client.post(f"/ballots/{ballot.pk}/papers/", {**batch, f"option_{no.pk}": 0})
    client.post(f"/ballots/{ballot.pk}/papers/", batch)  # disagrees with the first entry
    detail = client.get(f"/ballots/{ballot.pk}/").content.decode()
    assert "Entries disagree" in detail and "No: 0 / 1" in detail
    client.post(f"/ballots/{ballot.pk}/papers/", batch)
    client.post(f"/ballots/{ballot.pk}/papers/", batch)
    assert services.current_totals(ballot).votes == {"Yes": 1, "No": 1}


def test_the_audit_log_covers_every_step_but_never_a_choice_or_a_code(make_ballot, scrutineer):
    ballot = make_ballot()
    people = add_people(scrutineer, ballot, 3)
    codes = services.issue_codes(scrutineer, ballot)
    services.replace_code(scrutineer, people[2])
    services.cast_online(codes[0].code, ballot, ballot.options.get(label="No").pk)
    services.mark_voted(scrutineer, people[1], "postal")
    yes, no = ballot.options.all()
    for _ in range(2):
        services.enter_batch(scrutineer, ballot, "postal", "P1", {str(yes.pk): 1, str(no.pk): 0, "spoilt": 0})
    close(ballot)
    services.open_count(scrutineer, ballot)
    actions = list(AuditRecord.objects.order_by("seq").values_list("action", flat=True))
    for step in ["ballots.create", "ballots.offer_version", "ballots.roll_add", "ballots.codes_issue",
                 "ballots.code_replace", "ballots.vote", "ballots.mark", "ballots.batch_first_entry",
                 "ballots.batch_agreed", "ballots.count"]:  # fmt: skip
        assert step in actions
    voting = AuditRecord.objects.exclude(action__in=["ballots.create", "ballots.count"])  # these list the options
    logged = json.dumps(list(voting.values("before", "after", "object_label")), default=str)
    assert '"No"' not in logged and "option" not in logged
    assert all(normalise(c.code) not in logged.replace("-", "") for c in codes)


# Issue 19, defect 7: each paper is stored, re-added at the count and checkable by its voter ---------------


def _counted(make_ballot, scrutineer, choices):
    ballot = make_ballot()
    _vote(ballot, scrutineer, choices)
    close(ballot)
    services.open_count(scrutineer, ballot)
    return Ballot.objects.get(pk=ballot.pk)


def test_tally_readds_the_stored_papers_and_fails_when_one_is_tampered_with(make_ballot, scrutineer):
    from typer.testing import CliRunner

    from commonground.ballots.models import BallotPaper
    from commonground.cli import app

    ballot = _counted(make_ballot, scrutineer, ["Yes", "No", "Yes"])
    yes, no = ballot.options.all()
    tally = ["ballot", "tally", "--ballot", str(ballot.pk), "--format", "json"]
    runner = CliRunner()
    assert json.loads(runner.invoke(app, tally).output)["valid_votes"] == 3
    paper = BallotPaper.objects.filter(ballot=ballot, option=yes).first()
    BallotPaper.objects.filter(pk=paper.pk).update(option=no)  # a Yes paper rewritten as No
    changed = runner.invoke(app, tally)
    assert changed.exit_code == 1 and "stored ballot papers do not add up to the ballot box totals" in changed.output
    other = BallotPaper.objects.filter(ballot=ballot, option=no).exclude(pk=paper.pk).first()
    BallotPaper.objects.filter(pk=other.pk).update(option=yes)  # and a No paper as Yes: the totals agree again
    swapped = runner.invoke(app, tally)
    assert swapped.exit_code == 1 and "published ballot papers are not the stored ones" in swapped.output
    BallotPaper.objects.filter(pk=other.pk).update(option=no)
    BallotPaper.objects.filter(pk=paper.pk).update(option=yes)
    assert runner.invoke(app, tally).exit_code == 0


def test_the_count_refuses_papers_that_do_not_match_the_ballot_box(make_ballot, scrutineer):
    from commonground.ballots.models import BallotPaper

    ballot = make_ballot()
    _vote(ballot, scrutineer, ["Yes", "No"])
    BallotPaper.objects.filter(ballot=ballot).first().delete()
    close(ballot)
    with pytest.raises(BallotError, match="do not add up to the ballot box totals"):
        services.open_count(scrutineer, ballot)
    assert not hasattr(Ballot.objects.get(pk=ballot.pk), "result")


def test_each_online_voter_is_shown_a_receipt_once_and_finds_it_in_the_published_papers(
    client, make_ballot, scrutineer
):
    from django.contrib.sessions.models import Session

    from commonground.ballots.models import BallotPaper

    ballot = make_ballot()
    add_people(scrutineer, ballot, 2)
    code = services.issue_codes(scrutineer, ballot)[0].code
    no = ballot.options.get(label="No")
    done = client.post(f"/ballots/{ballot.pk}/vote/", {"code": code, "option": no.pk}, follow=True)
    page = done.content.decode()
    receipt = re.search(r'data-testid="receipt">([A-Z2-9-]+)<', page).group(1)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", receipt)
    assert "no-store" in done["Cache-Control"]
    assert receipt not in client.get(f"/ballots/{ballot.pk}/voted/").content.decode()  # shown once
    assert BallotPaper.objects.get(receipt=receipt).option == no
    elsewhere = json.dumps(
        [list(m.objects.values()) for m in (VoterMark, VotingCode, AuditRecord, Session)], default=str
    )
    assert receipt not in elsewhere  # kept on the paper only, never with the voter
    close(ballot)
    services.open_count(scrutineer, ballot)
    listed = client.get(f"/ballots/{ballot.pk}/receipts/").content.decode()
    assert re.search(rf"<td[^>]*>{receipt}</td><td[^>]*>No</td>", listed)
    published = client.get(f"/ballots/{ballot.pk}/papers.json").json()["papers"]
    assert {"id": receipt, "vote": "No"} in published


def test_votes_cast_before_papers_were_stored_get_their_papers(make_ballot, scrutineer):
    """Migration 0002: an uncounted ballot's papers from its counters, a counted one's from its published list."""
    import importlib

    from django.apps import apps

    from commonground.ballots.models import BallotPaper, Result

    migration = importlib.import_module("commonground.ballots.migrations.0002_ballot_papers")
    open_ballot = make_ballot()
    _vote(open_ballot, scrutineer, ["Yes", "No", "Yes"])
    counted = _counted(make_ballot, scrutineer, ["No", "No"])
    legacy = [["0b7f4bd4-6a55-4c1b-9d0e-3f0f0a6c5d21", "No"], ["9a1c2e3f-0000-4000-8000-000000000000", "No"]]
    Result.objects.filter(ballot=counted).update(papers=legacy, papers_sha256=services.papers_digest(legacy))
    BallotPaper.objects.all().delete()  # as before the migration
    migration.papers_for_earlier_votes(apps, None)
    assert services.recount(open_ballot).votes == {"Yes": 2, "No": 1}
    assert services.recount(Ballot.objects.get(pk=counted.pk)).votes == {"Yes": 0, "No": 2}
    assert services.stored_papers(counted) == legacy
