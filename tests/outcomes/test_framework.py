"""The wellbeing framework: default themes, councils changing measures with history, signals, plan priorities."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commonground.accounts.roles import Role
from commonground.audit.models import AuditRecord
from commonground.fund import plans
from commonground.fund.models import Award
from commonground.outcomes import dashboards, framework
from commonground.outcomes.models import MeasureChange, Signal, Theme, WellbeingMeasure
from tests.fund.test_plans import committed, fund_admin  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user("officer@example.org", roles=(Role.RESIDENT, Role.COUNCIL_OFFICER))


def test_default_framework_has_nine_themes_three_cross_cutting():
    themes = list(Theme.objects.all())
    assert [t.slug for t in themes] == ["health", "equality", "safety", "income", "education", "social-connections",
                                        "empowered-citizenship", "environment", "housing"]  # fmt: skip
    assert {t.slug for t in themes if t.cross_cutting} == {"health", "equality", "safety"}
    assert all(t.measures.exists() for t in themes)
    crime = WellbeingMeasure.objects.get(slug="crime")
    assert [(s.dataset_slug, s.period) for s in crime.sources.all()] == [
        ("demo-imd", "2019"), ("imd2019", "2019"), ("imd2025", "2025")]  # fmt: skip
    assert crime.history.get().action == "added"


def test_officer_adds_retires_and_rethemes_with_history(client, officer):
    client.force_login(officer)
    response = client.post(reverse("outcomes:measure-add"), {
        "theme": Theme.objects.get(slug="safety").pk, "name": "Feel safe after dark", "slug": "safe-after-dark",
        "source": "Residents' survey", "unit": "%", "direction": "higher_less_need", "geography": "ward",
        "period": "Every year", "dataset_slug": "survey-2025", "measure_slug": "safe_after_dark",
        "source_period": "2025", "reason": "Residents' panel asked for it"})  # fmt: skip
    assert response.status_code == 302
    measure = WellbeingMeasure.objects.get(slug="safe-after-dark")
    assert measure.sources.get().measure_slug == "safe_after_dark"

    page = client.post(reverse("outcomes:measure-change", args=["safe-after-dark"]),
                       {"action": "retheme", "theme": "", "reason": "x"})  # fmt: skip
    assert page.status_code == 200 and "Choose the theme to move the measure to" in page.content.decode()
    social = Theme.objects.get(slug="social-connections").pk
    client.post(reverse("outcomes:measure-change", args=["safe-after-dark"]),
                {"action": "retheme", "theme": social, "reason": "fits"})  # fmt: skip
    client.post(reverse("outcomes:measure-change", args=["safe-after-dark"]), {"action": "retire", "reason": "old"})
    measure.refresh_from_db()
    assert measure.theme.slug == "social-connections" and measure.status == "retired"
    history = list(measure.history.values_list("action", flat=True))
    assert history == ["added", "rethemed", "retired"]
    assert measure.history.get(action="rethemed").before["theme"] == "safety"
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"outcomes.measure_added", "outcomes.measure_rethemed", "outcomes.measure_retired"} <= actions
    # a retired measure leaves the dashboards but stays on the framework page with its history
    assert "safe-after-dark" not in [m.slug for t in framework.framework() for m in t.measures.all()]
    framework_page = client.get(reverse("outcomes:framework")).content.decode()
    assert "Feel safe after dark" in framework_page and "Retired" in framework_page
    detail = client.get(reverse("outcomes:measure", args=["safe-after-dark"])).content.decode()
    assert "from safety to social-connections" in detail
    with pytest.raises(framework.FrameworkError, match="already retired"):
        framework.retire_measure(officer, measure, "again")


def test_history_is_append_only():
    change = MeasureChange.objects.first()
    change.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        change.save()
    with pytest.raises(ValueError, match="append-only"):
        change.delete()


def test_residents_cannot_change_the_framework(client, make_user):
    client.force_login(make_user("res@example.org", roles=(Role.RESIDENT,)))
    assert client.get(reverse("outcomes:measure-add")).status_code == 403
    assert client.post(reverse("outcomes:measure-change", args=["crime"]),
                       {"action": "retire", "reason": "x"}).status_code == 403  # fmt: skip
    assert client.get(reverse("outcomes:signal-add")).status_code == 403
    assert WellbeingMeasure.objects.get(slug="crime").status == "active"


def test_signal_records_who_chose_it_and_how(client, officer, demo):
    client.force_login(officer)
    response = client.post(reverse("outcomes:signal-add"), {
        "theme": Theme.objects.get(slug="safety").pk, "statement": "Walk home after dark without worrying",
        "chosen_by": "Brookfield residents' panel (24 people)", "method": "assembly", "chosen_on": "2026-10-01",
        "area_code": "x05000002", "measures": [WellbeingMeasure.objects.get(slug="crime").pk]})  # fmt: skip
    assert response.status_code == 302
    signal = Signal.objects.get()
    assert signal.area.code == "X05000002" and signal.recorded_by == officer
    assert list(signal.measures.values_list("slug", flat=True)) == ["crime"]
    board = client.get(reverse("outcomes:area", args=["X05000002"])).content.decode()
    assert "Walk home after dark without worrying" in board and "residents&#x27; panel (24 people)" in board
    bad = client.post(reverse("outcomes:signal-add"), {
        "theme": Theme.objects.get(slug="safety").pk, "statement": "x", "chosen_by": "y", "method": "survey",
        "chosen_on": "2026-10-01", "area_code": "E99999999"})  # fmt: skip
    assert "No area has the code E99999999" in bad.content.decode()


def test_plan_priorities_link_measures_and_projects(client, make_user, fund_admin, committed):  # noqa: F811
    award = Award.objects.get(ward_code="X05000002")
    plan = plans.plan_for(award)
    priority = plans.add_priority(plan, fund_admin, "Safer streets", "Lighting and wardens")
    plans.add_budget_line(plan, fund_admin, "Street lighting", 500_000, priority)
    organiser = make_user("org@example.org", roles=(Role.RESIDENT, Role.ORGANISER))
    url = reverse("fund:priority-status", args=[priority.pk])
    assert reverse("outcomes:priority", args=[priority.pk]).startswith("/outcomes/")  # the old address redirects
    client.force_login(organiser)
    assert client.get(url).status_code == 403  # not named on this plan
    client.force_login(fund_admin)
    crime = WellbeingMeasure.objects.get(slug="crime")
    assert client.post(url, {"status": "on_track", "measures": [crime.pk]}).status_code == 302
    priority.refresh_from_db()
    assert priority.status == "on_track" and list(priority.measures.all()) == [crime]
    section = next(s for s in dashboards.area_dashboard(award.area)["sections"] if s["slug"] == "plan")
    assert section["rows"] == [{"name": "Brookfield", "priority": "Safer streets", "status": "On track",
                                "measures": "Crime", "projects": "Street lighting", "budget": 5000,
                                "budget_unit": "£", "spent": 0, "spent_unit": "£"}]  # fmt: skip
    assert AuditRecord.objects.filter(action="plan.priority_status").exists()
