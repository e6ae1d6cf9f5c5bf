"""Panels queue their long computations; tests run them with the real database worker's code."""

from __future__ import annotations

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


@pytest.fixture
def run_worker(db):
    """Run every task waiting in the database queue, as `commonground worker --batch` does.

    The worker's own loop closes "old" connections between tasks, which would end the test's
    transaction, so its claim-and-run steps are called here directly instead.
    """
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="pytest", excluded_queue_names=[])  # fmt: skip

    def run() -> int:
        done = 0
        while (task := DBTaskResult.objects.ready().get_locked()) is not None:
            task.claim(worker.worker_id)
            worker.run_task(task)
            done += 1
        return done

    return run
