"""Demo Borough with two neighbourhoods drawn from its two left-behind wards, its council as a public body,
and the people who act on an assessment."""

from __future__ import annotations

import datetime as dt

import pytest

from commonground.accounts.models import RoleGrant
from commonground.accounts.roles import Role

COUNCIL = "X09000001"
BROOKFIELD = "X05000002"  # left behind in the demo data
LARKRISE = "X05000012"  # left behind in the demo data
ASHBY = "X05000001"


@pytest.fixture
def hoods(demo):
    from commonground.neighbourhoods import services

    made = {}
    for name, ward in (("Brookfield", BROOKFIELD), ("Larkrise", LARKRISE), ("Ashby Park", ASHBY)):
        codes, drawn_from = services.lsoa_codes_of_ward(ward)
        made[name] = services.create("test", name, codes, "pride_in_place", drawn_from)
    return made


@pytest.fixture
def council(demo):
    from commonground.places.models import Area
    from commonground.publicbodies import services

    return services.council_body("test", Area.objects.get(code=COUNCIL))


@pytest.fixture
def officer(make_user):
    user = make_user("officer@example.org")
    RoleGrant.objects.create(user=user, role=Role.COUNCIL_OFFICER, scope=f"council:{COUNCIL}")
    return user


@pytest.fixture
def other_officer(make_user):
    user = make_user("elsewhere@example.org")
    RoleGrant.objects.create(user=user, role=Role.COUNCIL_OFFICER, scope="council:E08000011")
    return user


@pytest.fixture
def board_member(make_user, hoods):
    user = make_user("board@example.org")
    user.full_name = "Bola Board"
    user.save()
    RoleGrant.objects.create(user=user, role=Role.BOARD_MEMBER, scope=f"neighbourhood:{hoods['Brookfield'].slug}")
    return user


@pytest.fixture
def resident(make_user):
    return make_user("resi@example.org")


@pytest.fixture
def draft(officer, council, hoods):
    from commonground.impact import services

    return services.create(
        officer, council, title="Close the Brookfield and Larkrise libraries on Tuesdays",
        proposal="Save £40,000 a year by closing two branch libraries one day a week.",
        ward_codes=[BROOKFIELD, LARKRISE], review_date=dt.date.today() + dt.timedelta(days=365),
    )  # fmt: skip


@pytest.fixture
def published(draft, officer):
    from commonground.impact import services

    version = draft.draft
    services.add_impact(officer, version, "", "age", "negative", "Older people lose a warm space on Tuesdays.",
                        "A mobile library visits both estates on Tuesdays.")  # fmt: skip
    services.publish(officer, version)
    draft.refresh_from_db()
    return draft
