"""Impact assessment pages: drafting as an officer, scope checks, the public register and record, responding
as a board, answering and hiding; forms work without JavaScript and show GOV.UK error summaries."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from commonground.impact.models import Assessment, Response
from tests.impact.conftest import BROOKFIELD, LARKRISE


def test_an_officer_records_a_decision_and_sees_the_left_behind_neighbourhoods(client, officer, council, hoods):
    client.force_login(officer)
    page = client.get(reverse("impact:create"))
    assert page.status_code == 200 and f'value="body:{council.slug}"'.encode() in page.content
    bad = client.post(
        reverse("impact:create"),
        {
            "body": f"body:{council.slug}",
            "title": "Close libraries",
            "proposal": "p",
            "wards": "BROOKFIELD",
            "decision": "undecided",
        },
    )
    assert b"govuk-error-summary" in bad.content and b"BROOKFIELD is not a ward code" in bad.content
    response = client.post(reverse("impact:create"), {
        "body": f"body:{council.slug}", "title": "Close the libraries on Tuesdays", "proposal": "Save money",
        "wards": f"{BROOKFIELD}, {LARKRISE}", "decision": "undecided",
        "review_date": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
    })  # fmt: skip
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response.url == assessment.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "Draft" in page and "It touches 2 left-behind neighbourhoods: Brookfield, Larkrise." in page
    assert 'class="govuk-table cg-table--stack" id="neighbourhoods"' in page and 'data-label="Left behind"' in page
    assert "proposed" in page and "It is not law" in page
    assert "Record at least one impact" in page
    client.post(reverse("impact:add-impact", args=[assessment.reference]), {
        "place": f"n:{hoods['Larkrise'].slug}", "group": "age", "direction": "negative",
        "description": "Older readers lose a day", "mitigation": "Home library service"})  # fmt: skip
    assert client.get(reverse("impact:publish", args=[assessment.reference])).status_code == 200
    published = client.post(reverse("impact:publish", args=[assessment.reference]))
    assert published.status_code == 302
    assessment.refresh_from_db()
    assert assessment.published_version == 1


def test_drafts_are_private_and_the_body_steps_check_scope(client, draft, other_officer, resident, officer):
    detail = reverse("impact:detail", args=[draft.reference])
    edit = reverse("impact:edit", args=[draft.reference])
    assert client.get(detail).status_code == 404  # not published: only the body sees it
    assert client.get(edit).status_code == 302  # sign in first
    client.force_login(resident)
    assert client.get(detail).status_code == 404
    assert client.get(edit).status_code == 403
    client.force_login(other_officer)  # an officer of another council
    assert client.get(edit).status_code == 403
    assert client.post(reverse("impact:publish", args=[draft.reference])).status_code == 403
    assert client.get(reverse("impact:create")).status_code == 403  # acts for no body here
    client.force_login(officer)
    assert client.get(edit).status_code == 200 and client.get(detail).status_code == 200
    assert client.get("/impact/CIA-0000-0000/edit/").status_code == 404


def test_the_register_the_record_and_a_board_response_answered(client, published, board_member, officer, hoods,
                                                                resident):  # fmt: skip
    register = client.get(reverse("impact:register")).content.decode()
    assert published.published_title in register and 'id="impact-register-map"' in register
    assert (
        client.get(reverse("impact:register"), {"q": "nothing like it"}).content.decode().count(published.reference)
        == 0
    )
    geo = client.get(reverse("impact:register-geojson")).json()
    assert len(geo["features"]) == 10
    record = client.get(published.get_absolute_url()).content.decode()
    assert "Sign in</a> to respond" in record and "Brookfield" in record and "Left behind" in record
    assert client.get(reverse("impact:map", args=[published.reference])).json()["features"]

    client.force_login(board_member)
    form = client.get(reverse("impact:respond", args=[published.reference])).content.decode()
    assert "The board of Brookfield" in form and "Myself" in form
    empty = client.post(reverse("impact:respond", args=[published.reference]), {"text": " ", "board": ""})
    assert b"Write your response" in empty.content
    client.post(reverse("impact:respond", args=[published.reference]),
                {"text": "Keep Saturdays open instead.", "board": hoods["Brookfield"].slug})  # fmt: skip
    response = Response.objects.get()
    assert client.get(reverse("impact:answer", args=[published.reference, response.pk])).status_code == 403

    client.force_login(resident)
    client.post(reverse("impact:respond", args=[published.reference]), {"text": "Rude words"})
    rude = Response.objects.exclude(pk=response.pk).get()

    client.force_login(officer)
    client.post(reverse("impact:answer", args=[published.reference, response.pk]),
                {"answer": "We moved the closure to Tuesday afternoons."})  # fmt: skip
    client.post(reverse("impact:hide", args=[published.reference, rude.pk]), {"reason": "Abusive language"})
    client.logout()
    record = client.get(published.get_absolute_url()).content.decode()
    assert "Bola Board, for the board of Brookfield" in record and "Keep Saturdays open instead." in record
    assert "We moved the closure to Tuesday afternoons." in record
    assert "Rude words" not in record and "Reason: Abusive language" in record
    api = client.get(f"/api/impact/assessments/{published.reference}").json()
    assert api["profile"]["left_behind_neighbourhoods"] == ["Brookfield", "Larkrise"]
    assert [r["text"] for r in api["responses"]] == ["Keep Saturdays open instead.", "[hidden: Abusive language]"]
    assert client.get("/api/impact/assessments").json()[0]["reference"] == published.reference


def test_new_versions_and_reviews_due(client, published, officer):
    client.force_login(officer)
    page = client.post(reverse("impact:new-version", args=[published.reference]), {"change_note": "Cabinet decided"})
    assert page.status_code == 302
    assert client.get(reverse("impact:version", args=[published.reference, 2])).status_code == 200
    client.logout()
    assert client.get(reverse("impact:version", args=[published.reference, 2])).status_code == 404  # still a draft
    assert client.get(reverse("impact:version", args=[published.reference, 1])).status_code == 200
    client.force_login(officer)
    reviews = client.get(reverse("impact:reviews")).content.decode()
    assert 'id="due-reviews"' in reviews
