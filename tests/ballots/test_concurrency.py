"""No double vote under load on PostgreSQL: 200 concurrent online submissions from 64 threads.

150 electors vote once each, and 50 more submissions replay elector 1's code at the same moment.
The one-mark-per-elector constraint must leave exactly one vote per elector.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from commonground.ballots import services
from commonground.ballots.models import BallotBox, VoterMark
from tests.ballots.conftest import add_people

ELECTORS = 150
REPLAYS = 50
THREADS = 64


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_200_concurrent_submissions_leave_one_vote_per_elector(make_ballot, scrutineer):
    assert connection.vendor == "postgresql"
    ballot = make_ballot()
    add_people(scrutineer, ballot, ELECTORS)
    issued = services.issue_codes(scrutineer, ballot)
    yes, no = (o.pk for o in ballot.options.all())
    submissions = [(item.code, yes if i % 3 else no) for i, item in enumerate(issued)]
    submissions += [submissions[0]] * REPLAYS  # the same elector, the same choice, all at once
    go = threading.Event()
    outcomes: list[tuple[str, float]] = []
    lock = threading.Lock()

    def submit(job):
        code, option = job
        from django.db import connections

        try:
            go.wait(timeout=60)
            began = time.perf_counter()
            try:
                services.cast_online(code, ballot, option)
                outcome = "ok"
            except services.AlreadyVoted:
                outcome = "already voted"
            except services.BallotError:
                outcome = "refused"
            with lock:
                outcomes.append((outcome, time.perf_counter() - began))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(submit, job) for job in submissions]
        time.sleep(1)  # let the threads start and wait at the gate
        began = time.perf_counter()
        go.set()
        for future in futures:
            future.result()
    wall = time.perf_counter() - began

    assert len(outcomes) == ELECTORS + REPLAYS
    kinds = [o for o, _ in outcomes]
    assert kinds.count("ok") == ELECTORS
    assert kinds.count("already voted") + kinds.count("refused") == REPLAYS
    assert VoterMark.objects.filter(elector__ballot=ballot).count() == ELECTORS
    assert VoterMark.objects.filter(elector=issued[0].elector).count() == 1
    boxes = {b.option_id: b.votes for b in BallotBox.objects.filter(ballot=ballot)}
    assert boxes[yes] + boxes[no] == ELECTORS and boxes[None] == 0
    assert boxes[no] == len(range(0, ELECTORS, 3))
    latencies = sorted(t for _, t in outcomes)
    p95 = latencies[int(0.95 * len(latencies)) - 1]
    print(
        f"\n{len(submissions)} submissions, {THREADS} threads: {wall:.2f} s wall, "
        f"{len(submissions) / wall:.0f} submissions/s, latency median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; {kinds.count('ok')} votes recorded, "
        f"{kinds.count('already voted')} duplicate refused by the constraint, {kinds.count('refused')} refused "
        "after the code had been used"
    )
