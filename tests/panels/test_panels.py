"""Panel pages: import with row-level errors, select, publish pseudonymously, draw with a seed."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonground.accounts.roles import Role
from commonground.audit.models import AuditRecord
from commonground.engine.sortition import lottery
from commonground.panels.models import Panel, Volunteer
from tests.material import practitioner_least_chance, practitioner_pool

FIXTURE = practitioner_pool()


def upload(name: str, text: str | None = None) -> SimpleUploadedFile:
    data = text.encode() if text is not None else (FIXTURE / name).read_bytes()
    return SimpleUploadedFile(name, data, content_type="text/csv")


def form(**changes):
    data = {
        "title": "Climate panel",
        "purpose": "Advise the council on its climate plan.",
        "size": "22",
        "payment": "100",
        "household_columns": "primary_address1,primary_zip",
        "quotas": upload("features.csv"),
        "pool": upload("candidates.csv"),
    }
    data.update(changes)
    return data


@pytest.fixture
def officer(client, make_user):
    client.force_login(make_user("officer@example.org", roles=(Role.COUNCIL_OFFICER,)))
    return client


def test_import_select_draw_and_what_the_public_sees(officer, client, run_worker):
    response = officer.post(reverse("panels:create"), form())
    assert response.status_code == 302
    panel = Panel.objects.get()
    assert panel.volunteers.count() == 150 and panel.payment_per_day_pence == 10000
    assert officer.post(reverse("panels:select", args=[panel.slug])).status_code == 302
    panel.refresh_from_db()
    assert panel.job == "select" and panel.status == Panel.Status.DRAFT  # queued for the worker
    run_worker()
    panel.refresh_from_db()
    assert panel.status == Panel.Status.SELECTED and panel.job == "" and panel.job_error == ""
    assert panel.min_probability == pytest.approx(practitioner_least_chance(), abs=1e-6)
    published = json.loads(panel.distribution_json)
    assert set(published["probabilities"]) == set(Volunteer.objects.values_list("pseudonym", flat=True))
    assert "p0" not in panel.distribution_json and "first_name0" not in panel.distribution_json
    assert officer.post(reverse("panels:draw", args=[panel.slug]), {"seed": "4 8 15 16 23 42"}).status_code == 302
    panel.refresh_from_db()
    assert panel.status == Panel.Status.DRAWN and Volunteer.objects.filter(selected=True).count() == 22
    # anyone can replay the draw from the published file and the seed
    replay = lottery.draw(lottery.parse_distribution(panel.distribution_json.encode()), "4 8 15 16 23 42")
    assert replay["panel"] == panel.draw_result["panel"]
    assert list(AuditRecord.objects.filter(action__startswith="panels.").values_list("action", flat=True)) == [
        "panels.create",
        "panels.job_queued",
        "panels.select",
        "panels.draw",
    ]
    client.logout()
    page = client.get(reverse("panels:detail", args=[panel.slug])).content.decode()
    assert "V" in page and "first_name" not in page and "email0" not in page and "p0<" not in page
    assert "cg-chart-source" in page
    assert client.get(reverse("panels:distribution", args=[panel.slug])).status_code == 200


def test_bad_rows_are_named_and_nothing_is_stored(officer):
    bad = "nationbuilder_id,Gender,age_bracket,geo_bucket,edu_level\nx,Robot,16-29,Glasgow,Level 1\n"
    response = officer.post(reverse("panels:create"), form(pool=upload("people.csv", bad), household_columns=""))
    assert response.status_code == 200
    assert "row 2, field &#x27;Gender&#x27;: &#x27;Robot&#x27;" in response.content.decode()
    assert not Panel.objects.exists()


def test_drafts_are_private_and_only_officers_run_panels(officer, client, make_user):
    officer.post(reverse("panels:create"), form())
    panel = Panel.objects.get()
    client.logout()
    assert client.get(reverse("panels:detail", args=[panel.slug])).status_code == 404
    client.force_login(make_user("resident@example.org", roles=(Role.RESIDENT,)))
    assert client.post(reverse("panels:select", args=[panel.slug])).status_code == 403
    assert client.get(reverse("panels:create")).status_code == 403


def test_people_registered_twice_are_named_and_households_counted(officer):
    pool = (FIXTURE / "candidates.csv").read_text().splitlines()
    header = pool[0].split(",")
    email, mobile = header.index("email"), header.index("mobile_number")
    row_9 = pool[8].split(",")  # spreadsheet row 9
    twin = pool[20].split(",")  # row 21: same email, in capitals
    twin[email] = row_9[email].upper()
    pool[20] = ",".join(twin)
    phones = [pool[30].split(","), pool[40].split(",")]  # rows 31 and 41: one number, two spellings
    phones[0][mobile], phones[1][mobile] = "07700 900123", "07700-900-123"
    pool[30], pool[40] = ",".join(phones[0]), ",".join(phones[1])
    response = officer.post(reverse("panels:create"), form(pool=upload("candidates.csv", "\n".join(pool) + "\n")))
    page = response.content.decode()
    assert "registered twice: rows 9 and 21 have the same email" in page
    assert "rows 31 and 41 have the same mobile_number (07700-900-123)" in page
    assert not Panel.objects.exists()

    shared = (FIXTURE / "candidates.csv").read_text().splitlines()
    for row in (5, 6, 7):  # rows 6–8 at one address
        cells = shared[row].split(",")
        cells[header.index("primary_address1")], cells[header.index("primary_zip")] = "1 High St", "AB1 2CD"
        shared[row] = ",".join(cells)
    response = officer.post(reverse("panels:create"), form(pool=upload("c.csv", "\n".join(shared) + "\n")), follow=True)
    assert "Imported 150 volunteers; 1 address has more than one volunteer" in response.content.decode()
