"""Who may vote by postcode, and who voted compared with who lives in the area: the postcode check
against the loaded lookup, the optional equality question kept off the secret ballot paper, and the
comparison on the results page with counts under 10 hidden."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.roles import Role
from commonground.budgeting import ballot_views, casting, results
from commonground.budgeting import demo as pb_demo
from commonground.budgeting.basics import ProcessError
from commonground.budgeting.models import BallotPaper, Process, VoterMark
from commonground.places.models import Area, Postcode
from commonground.places.services import population_profile
from tests.budgeting.test_process import SETUP, _client, advance, make_process, open_vote


def _postcode(ward_code: str) -> str:
    return Postcode.objects.filter(area__parent__code=ward_code).order_by("postcode").first().postcode


def test_the_postcode_electorate_needs_an_area_with_postcodes_loaded(officer_client):
    url = reverse("budgeting:create")
    page = officer_client.post(url, {**SETUP, "electorate": "postcode", "area_code": ""}).content.decode()
    assert "Enter the code of the area whose residents vote" in page
    Postcode.objects.filter(area__parent__code="X05000002").delete()
    response = officer_client.post(url, {**SETUP, "electorate": "postcode"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "No postcodes are loaded for Brookfield" in page and "commonground data load-postcodes" in page
    assert 'href="#id_electorate_0"' in page  # the error summary links to the field
    assert not Process.objects.exists()
    make_process(officer_client, electorate="postcode", area_code="X05000001", title="Ashby Park Decides")


def test_postcodes_are_checked_against_the_process_area(officer_client, officer, make_user):
    process = make_process(officer_client, electorate="postcode")
    inside, outside = _postcode("X05000002"), _postcode("X05000001")
    assert casting.check_postcode(process, inside.lower().replace(" ", "")) == inside
    for text, message in [
        ("", "Enter a postcode in Brookfield"),
        ("HELLO", "Enter a real postcode in Brookfield"),
        ("XX2 9ZZ", "We do not recognise that postcode"),
        (outside, f"Enter a postcode in Brookfield: {outside} is outside it"),
    ]:
        with pytest.raises(ProcessError) as caught:
            casting.check_postcode(process, text)
        assert message in str(caught.value) and caught.value.field == "postcode"
    borough = make_process(officer_client, electorate="postcode", area_code="X09000001", title="Borough-wide")
    assert casting.check_postcode(borough, outside) == outside


def test_a_resident_votes_with_a_postcode_in_the_area(officer_client, officer, make_user):
    process = make_process(officer_client, electorate="postcode")
    resident = make_user("res@example.org", roles=(Role.RESIDENT,))  # not verified: the postcode is the check
    projects = open_vote(officer_client, process, make_user("ideas@example.org", roles=(Role.RESIDENT,)))
    url = reverse("budgeting:vote", args=[process.slug])
    assert Client().get(url).status_code == 403  # sign in first
    voter = _client(resident)
    form = voter.get(url).content.decode()
    assert 'name="postcode"' in form and 'name="code"' not in form
    assert 'name="age_band"' in form and 'value="0_15"' not in form  # a 16+ vote asks no under-16 band
    ballot = {"projects": [projects[0].project_id], "age_confirmed": "on", "age_band": "65_plus", "sex": "female"}
    page = voter.post(url, {**ballot, "postcode": _postcode("X05000001")}).content.decode()
    assert "is outside it" in page and 'href="#id_postcode"' in page
    page = voter.post(url, {**ballot, "postcode": "XX2 9ZZ"}).content.decode()
    assert "We do not recognise that postcode" in page
    assert not VoterMark.objects.exists()
    response = voter.post(url, {**ballot, "postcode": _postcode("X05000002").lower()})
    assert "Your vote is recorded" in response.content.decode()
    mark = VoterMark.objects.get()
    assert (mark.user, mark.age_band, mark.sex, mark.paper) == (resident, "65_plus", "female", None)
    stored = [str(v) for v in VoterMark.objects.values().get().values()] + [
        str(v) for v in BallotPaper.objects.values().get().values()
    ]
    assert not any("XX2" in v.upper() for v in stored)  # the postcode is checked, not kept
    assert "already been cast" in voter.post(url, {**ballot, "postcode": _postcode("X05000002")}).content.decode()


def test_equality_answers_are_kept_on_the_mark_never_on_the_paper(officer_client, officer, make_user):
    assert {f.name for f in BallotPaper._meta.get_fields()} == {"id", "process", "choices", "receipt_hash"}
    process = make_process(officer_client, min_age="11")
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    code = casting.issue_codes(process, officer, 1, "t")[0]
    assert ("0_15", "Under 16") in casting.equality_bands(process)
    casting.cast(process, {projects[0].project_id: 1}, code=code, equality={"age_band": "0_15", "sex": ""})
    mark = VoterMark.objects.get()
    assert (mark.age_band, mark.sex, mark.paper_id) == ("0_15", "", None)  # secret: the mark names no paper
    assert BallotPaper.objects.get().choices == {projects[0].project_id: 1}
    adults = make_process(officer_client, title="Adults only")
    adults_projects = open_vote(officer_client, adults, make_user("res2@example.org", roles=(Role.RESIDENT,)))
    code = casting.issue_codes(adults, officer, 1, "t")[0]
    with pytest.raises(ProcessError) as caught:
        casting.cast(adults, {adults_projects[0].project_id: 1}, code=code, equality={"age_band": "0_15"})
    assert caught.value.field == "age_band"


def _close_with_answers(officer_client, officer, make_user, answers: list[tuple[str, str, int]]) -> Process:
    process = make_process(officer_client)
    projects = open_vote(officer_client, process, make_user("res@example.org", roles=(Role.RESIDENT,)))
    codes = iter(casting.issue_codes(process, officer, sum(n for _, _, n in answers), "t"))
    for age, sex, n in answers:
        for _ in range(n):
            casting.cast(process, {projects[0].project_id: 1}, code=next(codes), equality={"age_band": age, "sex": sex})
    assert advance(officer_client, process).status_code == 302
    process.refresh_from_db()
    assert process.phase == Process.Phase.RESULTS
    return process


def test_voters_are_compared_with_residents_and_small_counts_are_hidden(officer_client, officer, make_user):
    process = _close_with_answers(
        officer_client, officer, make_user,
        [("16_64", "female", 20), ("16_64", "male", 6), ("65_plus", "female", 12), ("prefer_not", "", 3),
         ("", "prefer_not", 11)],
    )  # fmt: skip
    profile = results.voter_profile(process)
    age, sex = profile["groups"]
    assert profile["adults_only"] and [b["key"] for b in age["bands"]] == ["16_64", "65_plus"]
    assert age["answered"] == 38 and age["prefer_not"] is None  # 3 said "prefer not": under 10, hidden
    assert [(b["voters"], round(b["voter_share"], 4)) for b in age["bands"]] == [(26, round(26 / 38, 4)),
                                                                                  (12, round(12 / 38, 4))]  # fmt: skip
    people = {b["key"]: b["count"] for g in population_profile(process.area)["groups"] for b in g["bands"]}
    adults = people["16_64"] + people["65_plus"]
    assert age["bands"][0]["population_share"] == pytest.approx(people["16_64"] / adults)
    assert sex["answered"] == 38 and sex["prefer_not"] == 11
    # 6 men is under 10, so hidden; 32 women would then give it away (38 - 32), so that is hidden too.
    assert [(b["key"], b["voters"], b["voter_share"]) for b in sex["bands"]] == [("female", None, None),
                                                                                  ("male", None, None)]  # fmt: skip
    assert sex["bands"][0]["population_share"] == pytest.approx(people["female"] / (people["female"] + people["male"]))

    page = Client().get(reverse("budgeting:results", args=[process.slug])).content.decode()
    assert "Who voted, compared with who lives here" in page and "any count under 10 is not shown" in page
    assert "fewer than 10" in page and "38 voters answered" in page and "11 preferred not to say" in page
    assert ">26<" in page and ">6<" not in page and ">32<" not in page
    rows = list(csv.reader(io.StringIO(
        Client().get(reverse("budgeting:results-profile-csv", args=[process.slug])).content.decode()
    )))  # fmt: skip
    assert rows[0] == ["group", "band", "voters", "share_of_voters_who_answered", "share_of_residents"]
    assert rows[1][:3] == ["age", "16_64", "26"] and rows[3][:4] == ["sex", "female", "fewer than 10", ""]


def test_fewer_than_ten_answers_hide_the_whole_group(officer_client, officer, make_user):
    process = _close_with_answers(officer_client, officer, make_user, [("16_64", "female", 5), ("65_plus", "", 4)])
    age, sex = results.voter_profile(process)["groups"]
    assert age["answered"] is None and all(b["voters"] is None for b in age["bands"])
    assert sex["answered"] is None and all(b["population_share"] is not None for b in sex["bands"])


def test_no_answers_and_no_population_figures_show_no_comparison(officer_client, officer, make_user):
    Area.objects.get(code="X05000002").values.filter(measure__slug__startswith="pop_").delete()
    process = _close_with_answers(officer_client, officer, make_user, [("", "", 3)])
    assert results.voter_profile(process) is None
    assert "Who voted" not in Client().get(reverse("budgeting:results", args=[process.slug])).content.decode()
    assert Client().get(reverse("budgeting:results-profile-csv", args=[process.slug])).status_code == 404


def test_the_demo_results_show_the_comparison(demo):
    pb_demo.load()
    process = Process.objects.get(title="Brookfield Decides 2026")
    age, sex = results.voter_profile(process)["groups"]
    assert all(b["voters"] is not None and b["population_share"] for g in (age, sex) for b in g["bands"])
    assert age["answered"] + sex["answered"] > 300
    page = Client().get(reverse("budgeting:results", args=[process.slug])).content.decode()
    assert "Who voted, compared with who lives here" in page


def test_the_ballot_page_shows_every_change_to_the_process_and_its_projects(officer_client, officer, make_user):
    """The empty ballot and the project list are rendered once and kept (budgeting.fragments): a change
    to a project or to the process must still show on the very next page."""
    process = make_process(officer_client, title="Kept fragments")
    projects = open_vote(officer_client, process, make_user("proposer@example.org"))
    url = reverse("budgeting:vote", args=[process.slug])
    first = Client().get(url).content.decode()
    assert projects[0].title in first and "Renamed for the ballot" not in first
    old = f"{projects[0].title} (£"
    assert first.count(old) == 2  # the checkbox and the list
    projects[0].title = "Renamed for the ballot"
    projects[0].save()
    page = Client().get(url).content.decode()
    assert page.count("Renamed for the ballot (£") == 2 and old not in page
    assert "and at most 3" in page
    Process.objects.filter(pk=process.pk).update(max_selections=2)
    assert "and at most 2" in Client().get(url).content.decode()


def test_a_code_vote_checks_the_phase_the_code_and_its_mark_in_that_order(officer_client, officer, make_user):
    """The code path reads phase, code and mark in one statement (casting._open_code_and_mark): the
    errors and the change of a non-secret ballot are those of the separate checks."""
    process = make_process(officer_client, title="Open ballot", secret="")
    projects = open_vote(officer_client, process, make_user("proposer@example.org"))
    a, b = projects[0].project_id, projects[1].project_id
    first, second, cancelled = casting.issue_codes(process, officer, 3, "")
    process.codes.filter(pk=process.codes.order_by("id").last().pk).update(cancelled=True)
    with pytest.raises(ProcessError, match="voting code is not right") as caught:
        casting.cast(process, {a: 1}, code=cancelled)
    assert caught.value.field == "code"
    assert casting.cast(process, {a: 1}, code=first, equality={"sex": "female"}) == casting.Cast(None, False)
    assert casting.cast(process, {b: 1}, code=first.lower()) == casting.Cast(None, True)  # a second vote changes it
    mark = VoterMark.objects.get(process=process)
    assert (BallotPaper.objects.get(pk=mark.paper_id).choices, mark.sex) == ({b: 1}, "female")
    Process.objects.filter(pk=process.pk).update(voting_closes=timezone.localdate() - dt.timedelta(days=1))
    process.refresh_from_db()
    with pytest.raises(ProcessError, match="Voting closed on"):
        casting.cast(process, {a: 1}, code=second)
    Process.objects.filter(pk=process.pk).update(phase=Process.Phase.RESULTS)
    for code in (second, "AAAA-BBBB-CCCC"):  # a closed vote says so before it looks at the code
        with pytest.raises(ProcessError, match="Voting is not open"):
            casting.cast(process, {a: 1}, code=code)
    assert BallotPaper.objects.filter(process=process).count() == 1


def _csrf(page: str) -> str:
    return page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def test_the_ballot_page_made_once_carries_each_visitors_own_token_and_receipt(officer_client, officer, make_user):
    """A signed-out visitor's ballot and confirmation are made once per state of the process (ballot_views
    _same_page): each browser must still get a CSRF token for its own cookie and its own receipt code, and
    a signed-in visitor or one with a message waiting must get their own page."""
    process = make_process(officer_client, title="Made once", electorate="codes")
    projects = open_vote(officer_client, process, make_user("proposer@example.org"))
    url = reverse("budgeting:vote", args=[process.slug])
    codes = casting.issue_codes(process, officer, 3, "")
    receipts, tokens = [], []
    for code in codes[:2]:
        browser = Client(enforce_csrf_checks=True)
        page = browser.get(url).content.decode()
        tokens.append(_csrf(page))
        assert "Cast my vote" in page and ballot_views.TOKEN_HERE not in page
        ballot = {"code": code, "projects": [projects[0].project_id], "age_confirmed": "on"}
        refused = browser.post(url, {**ballot, "csrfmiddlewaretoken": "x" * 64})
        assert refused.status_code == 403  # the token in the page is what the CSRF check wants
        done = browser.post(url, {**ballot, "csrfmiddlewaretoken": tokens[-1]}).content.decode()
        assert "Your vote is recorded" in done
        receipts.append(done.split('data-testid="receipt">', 1)[1].split("<", 1)[0])
        assert ballot_views.RECEIPT_HERE not in done
    assert tokens[0] != tokens[1] and receipts[0] != receipts[1]
    assert BallotPaper.objects.filter(process=process).count() == 2
    for receipt in receipts:  # each receipt is the one its paper was stored under
        casting.change_with_receipt(process, receipt, {projects[1].project_id: 1})
    assert all(p.choices == {str(projects[1].project_id): 1} for p in BallotPaper.objects.filter(process=process))
    signed_in = Client()
    signed_in.force_login(make_user("resident@example.org"))
    assert "Your account" in signed_in.get(url).content.decode()
    assert "Your account" not in Client().get(url).content.decode()


def test_the_ballot_page_reads_the_demo_banners_answer_with_the_ballots_state(officer_client, make_user):
    """Whether demo data is on show is read in the same statements as the ballot's state (fragments: one on
    PostgreSQL), so a voter's GET asks nothing else; the banner follows the data as soon as it changes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commonground.budgeting import fragments

    process = make_process(officer_client, title="Banner", electorate="codes")
    open_vote(officer_client, process, make_user("proposer@example.org"))
    url = reverse("budgeting:vote", args=[process.slug])
    banner = "demo data</strong> for Demo Borough"
    demo_areas = list(Area.objects.filter(is_demo=True).values_list("pk", flat=True))
    assert demo_areas
    for showing in (True, False, True):
        Area.objects.filter(pk__in=demo_areas).update(is_demo=showing)
        Client().get(url)  # the page is made once for this state
        with CaptureQueriesContext(connection) as asked:
            page = Client().get(url).content.decode()
        assert (banner in page) is showing
        assert len(asked) == len(fragments._statements(connection.vendor)), [q["sql"] for q in asked]
