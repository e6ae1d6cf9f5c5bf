"""Background work for panels, run by `commonground worker` (Django's tasks API on the database):
queueing it (`start_job`), running it (`compute_chances`) and reporting its progress for the page.
The work itself is in services.py, which knows nothing of the queue."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django_tasks import task

from commonground.audit.service import record
from commonground.engine.sortition.model import SortitionError
from commonground.panels import services
from commonground.panels.models import Job, Panel


def start_job(actor, panel: Panel, job: str) -> Panel:
    """Queue the selection (or replacement) computation for the background worker: leximin on a
    large pool takes minutes, too long for a web request. One computation per panel at a time."""
    with transaction.atomic():
        locked = Panel.objects.select_for_update().get(pk=panel.pk)
        if locked.job:
            raise SortitionError(f"{locked.get_job_display().lower()} is already under way")
        if job == Job.SELECTION and locked.status == Panel.Status.DRAWN:
            raise SortitionError("the panel has already been drawn")
        if job == Job.REPLACEMENT:
            if locked.status != Panel.Status.DRAWN:
                raise SortitionError("the panel has not been drawn yet")
            if not services.leaving(locked):
                raise SortitionError("no member has declined or dropped out")
        locked.job = job
        locked.job_progress = {"stage": "Waiting for the worker to start", "done": 0, "total": 0}
        locked.job_error = ""
        locked.save(update_fields=["job", "job_progress", "job_error"])
        result = compute_chances.enqueue(locked.pk, actor.pk, job)
        record(actor, "panels.job_queued", locked, after={"job": job, "task": str(result.id)})
    return locked


class JobProgress:
    """The engine's progress callback, written to the panel at most twice a second for its page."""

    def __init__(self, panel_id: int, interval: float = 0.5) -> None:
        self.panel_id, self.interval, self.last = panel_id, interval, 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            Panel.objects.filter(pk=self.panel_id).update(
                job_progress={"stage": stage, "done": int(done), "total": int(total)}
            )


def finish_job(panel_id: int, error: str = "") -> None:
    Panel.objects.filter(pk=panel_id).update(job="", job_progress=None, job_error=error)


@task()
def compute_chances(panel_id: int, actor_id: int, job: str) -> dict:
    """Compute and publish the selection (or replacement) chances; a failure the organiser can act on
    (e.g. quotas nobody can meet) is kept on the panel for its page, anything else is re-raised."""
    panel = Panel.objects.get(pk=panel_id)
    actor = get_user_model().objects.get(pk=actor_id)
    progress = JobProgress(panel_id)
    try:
        if job == Job.SELECTION:
            services.run_selection(actor, panel, progress)
        else:
            services.prepare_replacement(actor, panel, progress)
    except SortitionError as exc:
        finish_job(panel_id, str(exc))
        return {"error": str(exc)}
    except BaseException:
        finish_job(panel_id, "The computation stopped unexpectedly; the server log has the details.")
        raise
    finish_job(panel_id)
    return {"job": job}
