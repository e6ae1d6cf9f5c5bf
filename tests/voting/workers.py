"""One stand-in web worker for the cross-worker limit tests: its own process and database connection,
configured from the environment as `commonground serve`'s workers are.

    python -m tests.voting.workers setup             make a PB process and a ballot open for voting
    python -m tests.voting.workers hammer IDS START  at START (Unix time), try wrong codes on both and
                                                     count against a bare limit; print what got through
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time

GUESSES = {"limit": 40, "pb": 40, "ballot": 80}  # tries per worker


def setup() -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from commonground.accounts.models import RoleGrant
    from commonground.accounts.roles import Role
    from commonground.ballots import services as ballots
    from commonground.budgeting import services as pb

    users = get_user_model().objects
    officer = users.create_user(email="officer@example.org", password=None, full_name="Officer")
    scrutineer = users.create_user(email="body@example.org", password=None, full_name="Body")
    RoleGrant.objects.create(user=scrutineer, role=Role.SCRUTINEER)
    process = pb.create_process(
        officer, None, title="Worker test", budget=10_000, ballot_type="approval", min_selections=1,
        max_selections=None, max_points=None, rule="equal-shares", complete_greedily=True, electorate="codes",
        min_age=16, secret=True,
    )  # fmt: skip
    process = pb.advance(process, officer)
    idea = pb.submit_proposal(process, officer, title="Benches", summary="Benches", estimated_cost=5_000)
    pb.review(idea, officer, feasible=True, cost=5_000, reason="")
    process = pb.advance(pb.advance(process, officer), officer)
    opens = timezone.now() - dt.timedelta(days=1)
    ballot = ballots.create_ballot(
        officer, title="Worker ballot", estate="Hillside", area=None, question="Yes or no?", options=["Yes", "No"],
        opens_at=opens, closes_at=opens + dt.timedelta(days=21), scrutineer=scrutineer, offer_title="Offer",
        offer_body="Offer", offer_published_on=dt.date(2026, 1, 15),
    )  # fmt: skip
    return {"pb": process.slug, "project": idea.project_id, "ballot": ballot.pk, "option": ballot.options.first().pk}


def hammer(ids: dict, start: float) -> dict:
    from django.test import Client
    from django.urls import reverse

    from commonground.voting import limits

    shared = limits.Limit("tests.workers", allowed=10, window=600)
    pb_url = reverse("budgeting:vote", args=[ids["pb"]])
    ballot_url = reverse("ballots:vote", args=[ids["ballot"]])
    through = dict.fromkeys(GUESSES, 0)
    time.sleep(max(0.0, start - time.time()))
    for n in range(max(GUESSES.values())):
        if n < GUESSES["limit"]:
            try:
                limits.take((shared, "203.0.113.9"))
                through["limit"] += 1
            except limits.Refused:
                pass
        if n < GUESSES["pb"]:
            data = {"code": f"WRONG{os.getpid()}{n}", "projects": [ids["project"]], "age_confirmed": "on"}
            through["pb"] += Client(REMOTE_ADDR="203.0.113.10").post(pb_url, data).status_code == 200
        if n < GUESSES["ballot"]:  # a fresh session each time: only the per-address limit applies
            data = {"code": "WRONG", "option": ids["option"]}
            through["ballot"] += Client(REMOTE_ADDR="203.0.113.11").post(ballot_url, data).status_code == 200
    return through


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_test_environment

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    setup_test_environment()
    if sys.argv[1] == "setup":
        print(json.dumps(setup()))
    else:
        print(json.dumps(hammer(json.loads(sys.argv[2]), float(sys.argv[3]))))


if __name__ == "__main__":
    main()
