"""A neighbourhood's plan: the vision statement's word limit, versions frozen once approved or published,
approval by the board, money by year and source, engagement against the population, PDF and JSON."""

from __future__ import annotations

import io
import types

import pytest
from django.urls import reverse
from pypdf import PdfReader

from commonground.audit.models import AuditRecord
from commonground.core import sections
from commonground.neighbourhoods import board as boards
from commonground.neighbourhoods import plans, services
from commonground.neighbourhoods.forms import PlanForm
from commonground.neighbourhoods.models import BoardMember, InterventionTheme, Plan, StrategicObjective
from commonground.neighbourhoods.services import NeighbourhoodError
from commonground.outcomes.framework import active_measures
from commonground.places import services as places
from tests.neighbourhoods.conftest import days

STATEMENT = "By 2036 Brookfield is a place where young people stay, the high street is busy and residents decide."


def vision(plan, **changes):
    fields = {"title": "Brookfield plan", "first_year": 2026, "local_context": "A former mill village.",
              "vision": "Ten years of change.", "vision_statement": STATEMENT, "case_for_change": "Need."}  # fmt: skip
    return plans.update_vision("test", plan, **{**fields, **changes})


@pytest.fixture
def draft(brookfield):
    plan = plans.draft_for("test", brookfield)
    vision(plan)
    homes = plans.save_objective(
        "test", plan, title="Homes people can afford", description="Bring empty homes back into use.",
        theme=InterventionTheme.objects.get(code="housing"),
        strategic=StrategicObjective.objects.filter(code__in=["thriving-places", "stronger-communities"]),
        measures=active_measures()[:2],
    )  # fmt: skip
    plans.add_investment("test", plan, objective=homes, year="2026-27", source="pride_in_place",
                         capital_pence=100_000_000, revenue_pence=25_000_000, note="Empty homes fund")  # fmt: skip
    plans.add_investment("test", plan, objective=homes, year="2027-28", source="neighbourhood_cil",
                         capital_pence=5_000_000, revenue_pence=0)  # fmt: skip
    return plan


@pytest.fixture
def agreed(board, draft):
    """An agreed decision of a board meeting that approves the draft."""
    meeting = boards.save_meeting("test", board, title="Board meeting", held_on=days(-2), place="", agenda="",
                                  minutes="")  # fmt: skip
    return boards.save_decision("test", meeting, title="Approve the plan", text="", outcome="agreed")


def test_the_lists_ship_as_editable_data_with_their_sources(db):
    themes = list(InterventionTheme.objects.values_list("name", flat=True))
    assert len(themes) == 9 and themes[0] == "Regeneration, high streets and heritage"
    assert all("restated by a council" in t.source_note for t in InterventionTheme.objects.all())
    assert list(StrategicObjective.objects.values_list("name", flat=True)) == [
        "Thriving places", "Stronger communities", "Take back control"]  # fmt: skip


def test_the_vision_statement_has_at_most_250_words(brookfield):
    plan = plans.draft_for("test", brookfield)
    vision(plan, vision_statement="word " * 250)
    with pytest.raises(NeighbourhoodError, match="has 251 words: it can have at most 250"):
        vision(plan, vision_statement="word " * 251)
    form = PlanForm({"title": "Plan", "first_year": "2026", "vision_statement": "word " * 251})
    assert not form.is_valid() and "250 words or fewer: it has 251" in form.errors["vision_statement"][0]


def test_money_lies_in_the_four_years_and_is_never_nothing(draft):
    assert draft.years == ["2026-27", "2027-28", "2028-29", "2029-30"]
    assert draft.horizon == ("2026-27", "2035-36")
    with pytest.raises(NeighbourhoodError, match="covers 2026-27 to 2029-30, not 2030-31"):
        plans.add_investment("test", draft, objective=None, year="2030-31", source="council", capital_pence=1,
                             revenue_pence=0)  # fmt: skip
    with pytest.raises(NeighbourhoodError, match="capital or revenue"):
        plans.add_investment("test", draft, objective=None, year="2026-27", source="s106", capital_pence=0,
                             revenue_pence=0)  # fmt: skip
    with pytest.raises(NeighbourhoodError, match="money is planned in 2026-27: move or remove it first"):
        vision(draft, first_year=2027)


def test_an_approved_version_is_frozen_and_edits_start_the_next_draft(draft, agreed):
    plans.approve("test", draft, decision=agreed)
    assert draft.status == Plan.Status.APPROVED and draft.approved_on == agreed.meeting.held_on
    with pytest.raises(NeighbourhoodError, match="version 1 is approved by the board and cannot change"):
        vision(draft, title="Changed")
    plans.publish("test", draft)
    frozen = Plan.objects.get(pk=draft.pk).snapshot
    assert frozen["version"] == 1 and frozen["status"] == "published" and frozen["approval"]["by"] == "board_decision"
    for change in (lambda: vision(draft, title="Changed"),
                   lambda: plans.remove_objective("test", draft.objectives.get()),
                   lambda: plans.remove_investment("test", draft.investments.first())):  # fmt: skip
        with pytest.raises(NeighbourhoodError, match="cannot change"):
            change()
    second = plans.draft_for("test", draft.neighbourhood)
    assert second.version == 2 and second.status == Plan.Status.DRAFT
    assert [(o.ref, o.title) for o in second.objectives.all()] == [(1, "Homes people can afford")]
    assert second.objectives.get().measures.count() == 2 and second.investments.count() == 2
    vision(second, title="Brookfield plan, refreshed")
    plans.save_objective("test", second, title="Safer streets", description="", theme=None, strategic=[], measures=[])
    assert plans.draft_for("test", draft.neighbourhood) == second  # one draft at a time
    assert Plan.objects.get(pk=draft.pk).snapshot == frozen and plans.document(draft)["title"] == "Brookfield plan"
    assert [o.ref for o in second.objectives.all()] == [1, 2]
    with pytest.raises(NeighbourhoodError, match="objective 1 has money planned: move or remove it first"):
        plans.remove_objective("test", second.objectives.get(ref=1))
    plans.remove_objective("test", second.objectives.get(ref=2))
    assert plans.save_objective("test", second, title="Parks", description="", theme=None, strategic=[],
                                measures=[]).ref == 3  # refs are never reused  # fmt: skip


def test_approval_is_an_agreed_decision_of_this_board_or_the_serving_chair_signed_in(draft, agreed, seat, make_user,
                                                                                      board):  # fmt: skip
    agreed.outcome = "rejected"
    agreed.save()
    with pytest.raises(NeighbourhoodError, match="was not agreed"):
        plans.approve("test", draft, decision=agreed)
    chair_user, someone = make_user("chair@example.org"), make_user("someone@example.org")
    seat("Chair", BoardMember.Seat.INDEPENDENT_CHAIR, email="chair@example.org")
    with pytest.raises(NeighbourhoodError, match="only the independent chair serving that day"):
        plans.approve(someone, draft, chair_on=days(0))
    with pytest.raises(NeighbourhoodError, match="only the independent chair serving that day"):
        plans.approve(chair_user, draft, chair_on=days(-40))  # before the chair's term
    with pytest.raises(NeighbourhoodError, match="not both"):
        plans.approve(chair_user, draft)
    plans.approve(chair_user, draft, chair_on=days(0))
    assert draft.approved_by_chair.user == chair_user and plans.export(draft)["approval"]["by"] == "chair"


def test_a_plan_needs_a_vision_statement_and_an_objective_before_approval(brookfield, board):
    plan = plans.draft_for("test", brookfield)
    meeting = boards.save_meeting("test", board, title="Board meeting", held_on=days(-2), place="", agenda="",
                                  minutes="")  # fmt: skip
    agreed = boards.save_decision("test", meeting, title="Approve the plan", text="", outcome="agreed")
    with pytest.raises(NeighbourhoodError, match="vision statement and at least one objective"):
        plans.approve("test", plan, decision=agreed)
    with pytest.raises(NeighbourhoodError, match="only a version the board has approved"):
        plans.publish("test", plan)


def test_engagement_is_compared_with_the_neighbourhoods_own_people(client, draft, brookfield):
    areas = services.areas_of(brookfield)
    homes = draft.objectives.get()
    plans.save_event("test", brookfield, kind="workshop", held_on=days(-10), place="Library", participants=40,
                     ages={"16_64": 20, "65_plus": 10}, areas={areas[0].code: 25, "outside": 5},
                     heard="Empty homes on Mill Street.", changed="Objective 1 added.", objectives=[homes])  # fmt: skip
    summary = plans.engagement_summary(brookfield)
    age_counts = {}
    for area in areas:
        for band in places.population_profile(area)["groups"][0]["bands"]:
            age_counts[band["key"]] = age_counts.get(band["key"], 0) + band["count"]
    ages = {b["key"]: b for b in summary["ages"]}
    assert summary["has_population"] and summary["participants"] == 40 and summary["age_not_known"] == 10
    assert ages["16_64"]["participant_share"] == pytest.approx(20 / 30)
    assert ages["65_plus"]["population_share"] == pytest.approx(age_counts["65_plus"] / sum(age_counts.values()))
    first = next(a for a in summary["areas"] if a["key"] == areas[0].code)
    assert first["participant_share"] == 1.0
    assert first["population_share"] == pytest.approx(areas[0].population / sum(a.population for a in areas))
    assert summary["outside"] == 5 and summary["area_not_known"] == 10
    page = client.get(reverse("neighbourhoods:engagement", args=[brookfield.slug])).content.decode()
    assert "Empty homes on Mill Street." in page and "Objectives: 1. Homes people can afford" in page
    assert f'data-label="Share of residents">{round(100 * ages["65_plus"]["population_share"])}%' in page
    with pytest.raises(NeighbourhoodError, match="add up to more than the 3 who took part"):
        plans.save_event("test", brookfield, kind="forum", held_on=days(-1), place="Hall", participants=3,
                         ages={"0_15": 4}, areas={}, heard="x")  # fmt: skip
    with pytest.raises(NeighbourhoodError, match="age bands and areas only"):
        plans.save_event("test", brookfield, kind="forum", held_on=days(-1), place="Hall", participants=3,
                         ages={}, areas={"E01000001": 1}, heard="x")  # fmt: skip
    second = plans.draft_for("test", brookfield)  # a draft already: links stay with the objective
    assert second.objectives.get().engagement.count() == 1


def test_the_pdf_reads_back(client, draft, agreed):
    plans.save_event("test", draft.neighbourhood, kind="forum", held_on=days(-5), place="Brookfield library",
                     participants=12, ages={}, areas={}, heard="People want the mill restored.")  # fmt: skip
    plans.approve("test", draft, decision=agreed)
    plans.publish("test", draft)
    response = client.get(reverse("neighbourhoods:plan-pdf-latest", args=[draft.neighbourhood.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    for expected in ("Brookfield plan", "Vision, 2026-27 to 2035-36", STATEMENT, "1. Homes people can afford",
                     "Theme: Housing", "Thriving places, Stronger communities", "£1,300,000 planned",
                     "£1,050,000 capital and £250,000 revenue", "Pride in Place", "Neighbourhood CIL",
                     "People want the mill restored.", "decision 1 of the Board meeting", "Demo data"):  # fmt: skip
        assert expected in text, expected


def test_the_json_export_lists_published_versions(client, draft, agreed):
    url = f"/api/neighbourhoods/{draft.neighbourhood.slug}/plan"
    assert client.get(url).status_code == 404  # nothing published yet
    plans.approve("test", draft, decision=agreed)
    plans.publish("test", draft)
    second = plans.draft_for("test", draft.neighbourhood)
    vision(second, title="Brookfield plan, refreshed")
    body = client.get(url).json()
    assert body["version"] == 1 and body["title"] == "Brookfield plan"  # the draft is not shown
    assert set(body) >= {
        "neighbourhood", "approval", "horizon", "investment_years", "vision_statement", "strategic_objectives",
        "objectives", "investment", "engagement", "pdf", "versions",
    }  # fmt: skip
    [objective] = body["objectives"]
    assert objective["ref"] == 1 and objective["theme"] == {"code": "housing", "name": "Housing"}
    assert objective["total_pence"] == 130_000_000 and not objective["business_case_needed"]
    assert [s["code"] for s in objective["strategic_objectives"]] == ["thriving-places", "stronger-communities"]
    assert len(objective["measures"]) == 2
    money = body["investment"]
    assert (money["capital_pence"], money["revenue_pence"]) == (105_000_000, 25_000_000)
    assert [y["year"] for y in money["by_year"]] == ["2026-27", "2027-28"]
    assert [s["source"] for s in money["by_source"]] == ["pride_in_place", "neighbourhood_cil"]
    assert body["versions"] == [{"version": 1, "published_at": body["published_at"],
                                 "url": f"/neighbourhoods/{draft.neighbourhood.slug}/plan/1/",
                                 "pdf": f"/neighbourhoods/{draft.neighbourhood.slug}/plan/1.pdf"}]  # fmt: skip
    assert client.get(body["pdf"]).status_code == 200
    assert client.get(f"{url}?version=2").status_code == 404
    assert client.get(f"{url}?version={2**70}").status_code == 404
    assert client.get(f"{url}?version=1").json()["version"] == 1
    assert client.get(f"/neighbourhoods/{draft.neighbourhood.slug}/plan/2/").status_code == 404  # drafts are private
    assert client.get(f"/neighbourhoods/{draft.neighbourhood.slug}/plan/{2**70}/").status_code == 404
    assert client.get("/api/neighbourhoods/nowhere/plan").status_code == 404


def test_objectives_show_the_funded_projects_other_apps_report(client, draft, agreed, monkeypatch):
    plans.approve("test", draft, decision=agreed)
    plans.publish("test", draft)
    assert services.objectives_of(draft.neighbourhood.slug) == [(1, "Homes people can afford")]
    project = {"objective": 1, "title": "Mill Street empty homes", "url": "/budgeting/1/", "amount_pence": 4_500_000,
               "status": "Won the vote", "source": "budgeting"}  # fmt: skip
    other = {**project, "objective": None, "title": "Youth club sessions"}
    reporter = types.SimpleNamespace(neighbourhood_delivery=lambda n: [project, other])
    monkeypatch.setattr(sections, "modules", lambda: (reporter,))
    page = client.get(reverse("neighbourhoods:plan", args=[draft.neighbourhood.slug])).content.decode()
    assert "Mill Street empty homes</a> (£45,000), Won the vote" in page
    assert "Other funded projects here" in page and "Youth club sessions" in page


def test_the_board_works_on_the_plan_through_its_pages(client, brookfield, agreed, officer):
    slug = brookfield.slug
    client.force_login(officer)
    form = {"title": "Brookfield plan", "first_year": "2026", "vision_statement": "word " * 251}
    page = client.post(reverse("neighbourhoods:plan-vision", args=[slug]), form).content.decode()
    assert "There is a problem" in page and "250 words or fewer" in page
    form["vision_statement"] = STATEMENT
    assert client.post(reverse("neighbourhoods:plan-vision", args=[slug]), form).status_code == 302
    plan = plans.latest(brookfield)
    assert plan.version == 1 and plan.vision_statement == STATEMENT  # the draft was edited in place
    objective = {"title": "Safer streets", "strategic": [StrategicObjective.objects.first().pk], "theme": ""}
    assert client.post(reverse("neighbourhoods:objective-new", args=[slug]), objective).status_code == 302
    money = {"objective": plan.objectives.get(title="Safer streets").pk, "year": "2028-29", "source": "s106",
             "capital": "£250,000", "revenue": ""}  # fmt: skip
    assert client.post(reverse("neighbourhoods:investment-new", args=[slug]), money).status_code == 302
    line = plan.investments.get(source="s106")
    assert (line.capital_pence, line.revenue_pence) == (25_000_000, 0)
    approve = {"how": "decision", "decision": agreed.pk}
    assert client.post(reverse("neighbourhoods:plan-approve", args=[slug]), approve).status_code == 302
    assert client.post(reverse("neighbourhoods:plan-publish", args=[slug])).status_code == 302
    client.logout()
    page = client.get(reverse("neighbourhoods:plan", args=[slug])).content.decode()
    assert "Safer streets" in page and "Not on the list of interventions: needs a business case" in page
    assert 'data-label="Capital">£250,000' in page
    assert AuditRecord.objects.filter(action="neighbourhoods.plan_publish").count() == 1


def test_every_page_opens_before_there_is_a_plan(client, brookfield, officer):
    slug = brookfield.slug
    assert "No plan has been published yet" in client.get(reverse("neighbourhoods:plan", args=[slug])).content.decode()
    assert client.get(reverse("neighbourhoods:plan-pdf-latest", args=[slug])).status_code == 404
    client.force_login(officer)
    for name in ("plan-manage", "plan-vision", "objective-new", "investment-new", "event-new", "engagement"):
        assert client.get(reverse(f"neighbourhoods:{name}", args=[slug])).status_code == 200, name
    assert client.get(reverse("neighbourhoods:plan-approve", args=[slug])).status_code == 404
