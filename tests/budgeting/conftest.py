"""Fixtures shared by the PB app's tests: an officer who is also a resident, signed in on the demo data."""

from __future__ import annotations

import pytest
from django.test import Client

from commonground.accounts.roles import Role
from tests.money import brookfield  # noqa: F401  (a fixture: the Brookfield neighbourhood)


@pytest.fixture
def officer(make_user):
    return make_user("officer@example.org", roles=(Role.RESIDENT, Role.COUNCIL_OFFICER))


@pytest.fixture
def officer_client(officer, demo):
    c = Client()
    c.force_login(officer)
    return c
