"""Background work for panels, run by `commonground worker` (Django's tasks API on the database)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from commonground.engine.sortition.model import SortitionError
from commonground.panels import services
from commonground.panels.models import Job, Panel


@task()
def compute_chances(panel_id: int, actor_id: int, job: str) -> dict:
    """Compute and publish the selection (or replacement) chances; a failure the organiser can act on
    (e.g. quotas nobody can meet) is kept on the panel for its page, anything else is re-raised."""
    panel = Panel.objects.get(pk=panel_id)
    actor = get_user_model().objects.get(pk=actor_id)
    progress = services.JobProgress(panel_id)
    try:
        if job == Job.SELECTION:
            services.run_selection(actor, panel, progress)
        else:
            services.prepare_replacement(actor, panel, progress)
    except SortitionError as exc:
        services.finish_job(panel_id, str(exc))
        return {"error": str(exc)}
    except BaseException:
        services.finish_job(panel_id, "The computation stopped unexpectedly; the server log has the details.")
        raise
    services.finish_job(panel_id)
    return {"job": job}
