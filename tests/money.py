"""Fixtures shared by the money apps' tests (contributions, pots, delivery, budgeting's money): the demo
borough, its council's officer, an officer of another council, and the Brookfield neighbourhood."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from commonground.accounts import services as accounts
from commonground.accounts.roles import Role

DEMO_COUNCIL = "X09000001"
BROOKFIELD_WARD = "X05000002"


def scoped_officer(make_user, email: str, council: str):
    user = make_user(email)
    accounts.set_roles("test", user, {Role.COUNCIL_OFFICER}, frozenset(Role), f"council:{council}")
    return user


@pytest.fixture
def officer(make_user, demo):
    """A council officer of Demo Borough (the role held for that council only)."""
    return scoped_officer(make_user, "officer@example.org", DEMO_COUNCIL)


@pytest.fixture
def outsider(make_user, demo):
    """A council officer of another council."""
    return scoped_officer(make_user, "outsider@example.org", "E09000025")


@pytest.fixture
def officer_client(officer):
    c = Client()
    c.force_login(officer)
    return c


@pytest.fixture
def outsider_client(outsider):
    c = Client()
    c.force_login(outsider)
    return c


@pytest.fixture
def brookfield(demo):
    from commonground.neighbourhoods import services
    from commonground.neighbourhoods.models import Neighbourhood

    codes, drawn_from = services.lsoa_codes_of_ward(BROOKFIELD_WARD)
    return services.create("test", "Brookfield", codes, Neighbourhood.Kind.PRIDE_IN_PLACE, drawn_from)


def council():
    from commonground.places.services import find_area

    return find_area(DEMO_COUNCIL)


def image(kind: str = "JPEG", size=(64, 48), gps: bool = False) -> bytes:
    """A small image; with `gps`, EXIF carrying a GPS position (as a phone camera writes it)."""
    from PIL import Image

    picture = Image.new("RGB", size, (30, 120, 60))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 40.0)}  # GPS IFD
        picture.save(out, kind, exif=exif.tobytes())
    else:
        picture.save(out, kind)
    return out.getvalue()
