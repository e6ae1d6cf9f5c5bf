"""Fixtures for the assets app: a council, an organiser and an officer, and a listed asset."""

from __future__ import annotations

import datetime as dt

import pytest

from commonground.accounts.roles import Role
from commonground.engine.asset_rules import Body, BodyKind

CHARITY = Body(BodyKind.CHARITY, local_connection=True)


@pytest.fixture
def organiser(make_user):
    return make_user("organiser@example.org", roles=(Role.ORGANISER,))


@pytest.fixture
def officer(make_user):
    return make_user("officer@example.org", roles=(Role.COUNCIL_OFFICER,))


@pytest.fixture
def fixed_today(monkeypatch):
    """Pin the service's idea of today so clocks are deterministic."""
    from commonground.assets import services

    state = {"today": dt.date(2026, 3, 2)}
    monkeypatch.setattr(services, "today", lambda: state["today"])
    return state


@pytest.fixture
def nominated(db, organiser, fixed_today):
    from commonground.assets import council_settings, services

    fixed_today["today"] = dt.date(2026, 1, 5)
    return services.nominate(
        organiser,
        council=council_settings.council_named("Demo Borough Council"),
        name="The Red Lion",
        address="1 High Street, Demoton",
        postcode="de1 1aa",
        community_use="The only pub; meeting room.",
        land_use="community",
        body_name="Friends of the Red Lion",
        body=CHARITY,
        contact_email="friends@example.org",
        received_on=dt.date(2026, 1, 5),
        latitude=52.5,
        longitude=-1.5,
    )


@pytest.fixture
def listed(nominated, officer, fixed_today):
    from commonground.assets import services

    fixed_today["today"] = dt.date(2026, 2, 1)
    services.decide(officer, nominated, True, "A well-used community pub.", dt.date(2026, 2, 1))
    nominated.refresh_from_db()
    return nominated
