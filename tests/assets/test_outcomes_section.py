"""The assets section of dashboards: assets placed by where they are, and the deadline that runs now."""

from __future__ import annotations

import datetime as dt

import pytest

from commonground.assets import outcomes, services
from commonground.places.models import Area
from tests.assets.conftest import CHARITY

D = dt.date


def nominate(organiser, name: str, postcode: str = "", point: tuple[float, float] | None = None):
    return services.nominate(
        organiser, council=services.council_named("Demo Borough Council"), name=name, address="1 High Street",
        postcode=postcode, community_use="Meeting place.", land_use="community", body_name="Friends",
        body=CHARITY, contact_email="friends@example.org", received_on=D(2026, 1, 5),
        latitude=point[1] if point else None, longitude=point[0] if point else None,
    )  # fmt: skip


def test_assets_are_placed_by_point_then_postcode_and_only_then_by_council(demo, organiser, fixed_today):
    fixed_today["today"] = D(2026, 1, 5)
    pub = nominate(organiser, "The Ashby Arms", point=(2.31, 54.65))  # inside Ashby Park's first LSOA
    hall = nominate(organiser, "Brookfield Hall", postcode="xx2 3dt")  # a Brookfield postcode, no point
    library = nominate(organiser, "Borough Library")  # no location at all: its council's dashboard only
    ashby, brookfield, borough = (Area.objects.get(code=c) for c in ("X05000001", "X05000002", "X09000001"))
    assert outcomes.assets_in(ashby) == [pub]
    assert outcomes.assets_in(brookfield) == [hall]
    assert {a.name for a in outcomes.assets_in(borough)} == {pub.name, hall.name, library.name}
    assert outcomes.section(brookfield)["rows"][0]["asset"] == "Brookfield Hall"
    assert outcomes.links(ashby) == [("The Ashby Arms: nominated", f"/assets/{pub.pk}/")]


def test_the_next_deadline_is_the_full_moratorium_once_a_group_has_asked_to_bid(
    listed, officer, organiser, fixed_today
):
    fixed_today["today"] = D(2026, 3, 2)
    services.notify_disposal(officer, listed, D(2026, 3, 2), "Brewery plc", "owner@example.org")
    assert outcomes.next_deadline(listed, D(2026, 3, 2)) == "interim moratorium ends 2026-04-12"
    fixed_today["today"] = D(2026, 3, 20)
    services.request_to_bid(organiser, listed, "Red Lion Community Pub Ltd", CHARITY, "bid@example.org", D(2026, 3, 20))
    listed.refresh_from_db()
    fixed_today["today"] = D(2026, 4, 11)  # the interim period has a day left, but the full one is running
    assert outcomes.next_deadline(listed, D(2026, 4, 11)) == "full moratorium ends 2026-09-01"
    assert outcomes.section(None)["rows"][0]["clock"] == "full moratorium ends 2026-09-01"


@pytest.mark.django_db
def test_a_council_is_matched_whatever_its_title(demo):
    borough = Area.objects.get(code="X09000001")
    for name in ("Demo Borough Council", "demo borough", "Demo Borough Metropolitan Borough Council"):
        assert outcomes._same_council(name, borough), name
    assert not outcomes._same_council("Demo City Council", borough)
