"""The panels section of dashboards: a panel shows where it belongs (its area and the areas it lies in)."""

from __future__ import annotations

from commonground.accounts.roles import Role
from commonground.panels import outcomes, services
from commonground.places.models import Area
from tests.material import practitioner_pool_csv, practitioner_quotas_csv


def test_a_panel_shows_on_its_area_and_the_areas_above_it(demo, make_user):
    organiser = make_user("organiser@example.org", roles=(Role.ORGANISER,))
    brookfield, ashby, borough = (Area.objects.get(code=c) for c in ("X05000002", "X05000001", "X09000001"))
    services.create_panel(organiser, title="Brookfield people's panel", purpose="Choose the priorities.", size=22,
                          payment_per_day_pence=0, quotas_csv=practitioner_quotas_csv(),
                          pool_csv=practitioner_pool_csv(), household_columns="", area=brookfield)  # fmt: skip
    services.create_panel(organiser, title="A national panel", purpose="Advise.", size=22, payment_per_day_pence=0,
                          quotas_csv=practitioner_quotas_csv(), pool_csv=practitioner_pool_csv(),
                          household_columns="")  # fmt: skip
    assert [r["panel"] for r in outcomes.section(brookfield)["rows"]] == ["Brookfield people's panel"]
    assert [r["panel"] for r in outcomes.section(borough)["rows"]] == ["Brookfield people's panel"]
    assert outcomes.section(ashby) is None
    assert len(outcomes.section(None)["rows"]) == 2
    assert outcomes.links(brookfield) == [("Citizens' panel: Brookfield people's panel",
                                           "/panels/brookfield-peoples-panel/")]  # fmt: skip
