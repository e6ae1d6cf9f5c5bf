"""A ballot with an officer, its independent body and a small roll, for the ballot tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from commonground.accounts.roles import Role

OFFER_PUBLISHED = dt.date(2026, 1, 15)


@pytest.fixture
def officer(make_user):
    return make_user("officer@example.org", roles=(Role.COUNCIL_OFFICER,))


@pytest.fixture
def scrutineer(make_user):
    return make_user("scrutineer@example.org", roles=(Role.SCRUTINEER,))


@pytest.fixture
def make_ballot(officer, scrutineer):
    from commonground.ballots import services

    def make(options=("Yes", "No"), opens_in=dt.timedelta(days=-1), lasts=dt.timedelta(days=21)):
        opens = timezone.now() + opens_in
        return services.create_ballot(
            officer, title="Hillside estate ballot", estate="Hillside", area=None,
            question="Are you in favour of the proposal for the regeneration of Hillside?", options=list(options),
            opens_at=opens, closes_at=opens + lasts, scrutineer=scrutineer, offer_title="Landlord Offer",
            offer_body="New homes for every tenant at the same rent.", offer_published_on=OFFER_PUBLISHED,
        )  # fmt: skip

    return make


def add_people(scrutineer, ballot, n: int):
    from commonground.ballots import services

    return [
        services.add_elector(
            scrutineer,
            ballot,
            full_name=f"Resident {i}",
            address=f"{i} Hillside Road",
            date_of_birth=dt.date(1970, 1, 1),
            category="social_tenant",
            qualifying_date=dt.date(2010, 1, 1),
            evidence=f"Tenancy agreement T{i}",
        )  # fmt: skip
        for i in range(1, n + 1)
    ]


def close(ballot):
    """Move the close into the past (tests cannot wait three weeks)."""
    from commonground.ballots.models import Ballot

    Ballot.objects.filter(pk=ballot.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=30), closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    ballot.refresh_from_db()
    return ballot
