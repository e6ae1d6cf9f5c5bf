"""Selection as a background task with progress, and quotas suggested from the area's population."""

from __future__ import annotations

import json
import math
import random

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from commonground.accounts.roles import Role
from commonground.engine.sortition.model import SortitionError
from commonground.panels import services, tasks
from commonground.panels.models import Panel
from commonground.places.models import Area
from commonground.places.services import population_profile
from tests.panels.test_panels import FIXTURE, form, upload


@pytest.fixture
def officer(client, make_user):
    client.force_login(make_user("officer@example.org", roles=(Role.COUNCIL_OFFICER,)))
    return client


@pytest.fixture
def queued(officer):
    officer.post(reverse("panels:create"), form())
    panel = Panel.objects.get()
    officer.post(reverse("panels:select", args=[panel.slug]))
    panel.refresh_from_db()
    return panel


def test_a_queued_selection_shows_its_progress_and_blocks_other_steps(queued, officer, client, run_worker):
    detail = reverse("panels:detail", args=[queued.slug])
    page = officer.get(detail).content.decode()
    assert 'data-testid="job-progress"' in page and "Waiting for the worker to start" in page
    assert "Compute and publish the chances" not in page and "job-progress.js" in page
    progress = officer.get(reverse("panels:progress", args=[queued.slug])).json()
    assert progress["job"] == "select" and progress["progress"]["stage"] == "Waiting for the worker to start"
    again = officer.post(reverse("panels:select", args=[queued.slug]), follow=True).content.decode()
    assert "Cannot compute the chances: computing the chances is already under way" in again
    assert DBTaskResult.objects.count() == 1  # the second click queued nothing
    run_worker()
    queued.refresh_from_db()
    assert queued.status == Panel.Status.SELECTED and not queued.job and queued.job_progress is None
    page = officer.get(detail).content.decode()
    assert 'data-testid="job-progress"' not in page and "Public seed" in page  # the draw form is back
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_no_draw_while_the_chances_are_being_recomputed(queued, officer, run_worker):
    run_worker()
    officer.post(reverse("panels:select", args=[queued.slug]))  # recompute: queued again
    response = officer.post(reverse("panels:draw", args=[queued.slug]), {"seed": "1 2 3"}, follow=True)
    assert "The panel was not drawn: the chances are being recomputed" in response.content.decode()
    queued.refresh_from_db()
    assert queued.status == Panel.Status.SELECTED and queued.draw_result is None


def test_progress_is_written_for_the_page_and_only_organisers_read_it(queued, client, make_user):
    tasks.JobProgress(queued.pk, interval=0)("fixed 40 people", 40, 150)
    queued.refresh_from_db()
    assert queued.job_progress == {"stage": "fixed 40 people", "done": 40, "total": 150}
    page = client.get(reverse("panels:detail", args=[queued.slug])).content.decode()
    assert "fixed 40 people: 40 of 150" in page and 'max="150" value="40"' in page
    client.logout()
    assert "job-progress" not in client.get(reverse("panels:detail", args=[queued.slug])).content.decode()
    client.force_login(make_user("resident@example.org", roles=(Role.RESIDENT,)))
    assert client.get(reverse("panels:progress", args=[queued.slug])).status_code == 403


def test_quotas_nobody_can_meet_fail_in_the_worker_and_say_why(officer, run_worker):
    quotas = (FIXTURE / "features.csv").read_text().replace("Gender,Male,10,11,0,11", "Gender,Male,20,22,0,22")
    officer.post(reverse("panels:create"), form(quotas=upload("features.csv", quotas)))
    panel = Panel.objects.get()
    officer.post(reverse("panels:select", args=[panel.slug]))
    run_worker()
    panel.refresh_from_db()
    assert panel.status == Panel.Status.DRAFT and not panel.job and "Gender" in panel.job_error
    page = officer.get(reverse("panels:detail", args=[panel.slug])).content.decode()
    assert "The last computation failed" in page and "Compute and publish the chances" in page


def test_one_computation_at_a_time_and_replacements_need_a_drawn_panel(queued, make_user):
    officer = make_user("other@example.org", roles=(Role.COUNCIL_OFFICER,))
    with pytest.raises(SortitionError, match="already under way"):
        tasks.start_job(officer, queued, "replace")
    Panel.objects.filter(pk=queued.pk).update(job="")
    with pytest.raises(SortitionError, match="has not been drawn"):
        tasks.start_job(officer, queued, "replace")


def _pool(n: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    rows = ["id,name,age_band,sex"]
    for i in range(n):
        rows.append(
            f"r{i},Resident {i},{rng.choice(['16-64', '16-64', '16-64', '65+'])},{rng.choice(['female', 'male'])}"
        )
    return "\n".join(rows) + "\n"


def test_quotas_suggested_from_the_ward_population_then_selected(officer, demo, run_worker):
    ward = Area.objects.get(code="X05000003")
    page = officer.get(reverse("panels:create"), {"suggest-area": ward.code, "suggest-size": "20"}).content.decode()
    assert "Quotas suggested from the population of" in page and 'name="size" value="20"' in page
    profile = {b["key"]: b["count"] for g in population_profile(ward)["groups"] for b in g["bands"]}
    adults = profile["16_64"] + profile["65_plus"]
    exact = 20 * profile["65_plus"] / adults
    assert f"age_band,65+,{math.floor(exact)},{math.ceil(exact)}" in page
    quotas = services.suggested_quotas(ward, 20)
    lines = quotas.splitlines()
    assert lines[0] == "feature,value,min,max" and len(lines) == 5 and lines[1].startswith("age_band,16-64,")
    for feature in ("age_band", "sex"):  # floors and ceilings bracket the panel size
        rows = [line.split(",") for line in lines[1:] if line.startswith(feature)]
        assert sum(int(r[2]) for r in rows) <= 20 <= sum(int(r[3]) for r in rows)
    response = officer.post(
        reverse("panels:create"),
        {"title": "Ward panel", "purpose": "Advise", "size": "20", "payment": "50", "area": ward.code,
         "quotas_text": quotas, "pool": upload("pool.csv", _pool(120))},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    panel = Panel.objects.get()
    assert panel.area == ward
    officer.post(reverse("panels:select", args=[panel.slug]))
    run_worker()
    panel.refresh_from_db()
    assert panel.status == Panel.Status.SELECTED
    people = {v.pseudonym: v.details for v in panel.volunteers.all()}
    bounds = [line.split(",") for line in lines[1:]]
    for drawn in json.loads(panel.distribution_json)["panels"]:
        for feature, value, low, high in bounds:
            count = sum(1 for m in drawn["members"] if people[m][feature] == value)
            assert int(low) <= count <= int(high), (feature, value, count)


def test_suggestions_need_a_known_area_with_population(officer, demo):
    url = reverse("panels:create")
    assert "Enter the area" in officer.get(url, {"suggest-area": "", "suggest-size": "20"}).content.decode()
    page = officer.get(url, {"suggest-area": "E05999999", "suggest-size": "20"}).content.decode()
    assert "There is no area with the code E05999999" in page
    lonely = Area.objects.create(area_type=Area.objects.first().area_type, code="X05999999", name="Nowhere")
    page = officer.get(url, {"suggest-area": lonely.code, "suggest-size": "20"}).content.decode()
    assert "No population figures are loaded for Nowhere" in page
    empty = officer.post(url, form(quotas="", title="No quotas")).content.decode()
    assert "Enter the quotas, suggest them from the area, or upload a file" in empty
    unknown = officer.post(url, form(area="E05999999")).content.decode()
    assert "There is no area with the code E05999999" in unknown and not Panel.objects.exists()
