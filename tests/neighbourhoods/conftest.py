"""A neighbourhood on the demo borough, with a board whose members and meetings the tests fill in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from commonground.accounts import services as accounts
from commonground.accounts.roles import Role
from commonground.neighbourhoods import board as boards
from commonground.neighbourhoods import services
from commonground.neighbourhoods.models import BoardMember, Neighbourhood

DEMO_COUNCIL = "X09000001"


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def brookfield(demo):
    codes, drawn_from = services.lsoa_codes_of_ward("X05000002")
    return services.create("test", "Brookfield", codes, Neighbourhood.Kind.PRIDE_IN_PLACE, drawn_from)


@pytest.fixture
def board(brookfield):
    return boards.set_up("test", brookfield, "Brookfield Neighbourhood Board")


@pytest.fixture
def seat(board):
    """Seat someone on the board from 30 days ago (with an account when given an email)."""

    def make(name: str, seat: str = BoardMember.Seat.RESIDENT, email: str = "", **dates) -> BoardMember:
        dates = {"term_starts": days(-30), "term_ends": None, **dates}
        return boards.save_member("test", board, name=name, seat=seat, organisation="", email=email, **dates)

    return make


@pytest.fixture
def officer(make_user, demo):
    user = make_user("officer@example.org")
    accounts.set_roles("test", user, {Role.COUNCIL_OFFICER}, frozenset(Role), f"council:{DEMO_COUNCIL}")
    return user
