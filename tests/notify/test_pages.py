"""The officer's outbox and letters pages, the API, following and one-click unsubscribing."""

from __future__ import annotations

import io

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from commonground.accounts.models import RoleGrant
from commonground.accounts.roles import Role
from commonground.accounts.scopes import Scope
from commonground.audit.models import AuditRecord
from commonground.notify import services
from commonground.notify.models import Notice, Subscription

ADDRESS = "1 High Street\nDemoton\nDE1 1AA"


@pytest.fixture
def officer(make_user):
    return make_user("officer@example.org", roles=(Role.COUNCIL_OFFICER,))


@pytest.fixture
def council_officer(make_user):
    user = make_user("scoped@example.org")
    RoleGrant.objects.create(user=user, role=Role.COUNCIL_OFFICER, scope="council:E06000001")
    return user


def test_the_outbox_is_for_officers_and_shows_only_their_scope(client, make_user, officer, council_officer):
    services.send(subject="Ours", body="b", template="t", email="a@example.org", scope=Scope.of(["E06000001"]))
    services.send(subject="Theirs", body="b", template="t", email="b@example.org", scope=Scope.of(["E06000002"]))
    assert client.get("/notify/").status_code == 302  # sign in first
    client.force_login(make_user("resident@example.org"))
    assert client.get("/notify/").status_code == 403
    client.force_login(council_officer)
    page = client.get("/notify/").content.decode()
    assert "Ours" in page and "Theirs" not in page and 'class="govuk-table cg-table--stack"' in page
    assert 'data-label="Last error"' in page
    client.force_login(officer)
    page = client.get("/notify/").content.decode()
    assert "Ours" in page and "Theirs" in page


def test_the_api_lists_notices_in_scope_for_officers_only(client, make_user, council_officer):
    mine = services.send(subject="Ours", body="b", template="t", email="a@example.org", scope=Scope.of(["E06000001"]))
    other = services.send(subject="Theirs", body="b", template="t", email="b@example.org")
    assert client.get("/api/notify/notices").status_code == 401
    client.force_login(make_user("resident@example.org"))
    assert client.get("/api/notify/notices").status_code == 403
    client.force_login(council_officer)
    listed = client.get("/api/notify/notices").json()
    assert [n["id"] for n in listed] == [mine.pk] and listed[0]["status"] == "queued"
    assert client.get(f"/api/notify/notices/{mine.pk}").json()["recipient"] == "a@example.org"
    assert client.get(f"/api/notify/notices/{other.pk}").status_code == 404


def test_letters_print_one_page_each_and_are_marked_posted(client, officer):
    from pypdf import PdfReader

    first = services.send(subject="Listed", body="Your pub is listed.", template="t", name="Brewery plc",
                          address=ADDRESS)  # fmt: skip
    second = services.send(subject="Review", body="A review was asked for.", template="t", name="Owner",
                           address="2 Low Road\nDemoton\nDE1 2BB")  # fmt: skip
    services.send(subject="By email", body="b", template="t", email="a@example.org")
    client.force_login(officer)
    assert "2 letters to print and post" in client.get("/notify/").content.decode()
    page = client.get("/notify/letters/").content.decode()
    assert "Brewery plc" in page and "By email" not in page
    assert "Choose at least one letter" in client.post("/notify/letters/", {"action": "pdf"}).content.decode()
    response = client.post("/notify/letters/", {"action": "pdf", "letter": [first.pk, second.pk]})
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 2
    text = pages[0].extract_text()
    assert "Brewery plc" in text and "DE1 1AA" in text and "Listed" in text and f"notice-{first.pk}" in text
    assert client.post("/notify/letters/", {"action": "posted", "letter": [first.pk]}).status_code == 302
    first.refresh_from_db()
    assert (first.status, first.provider_id) == ("sent", "posted by hand") and first.sent_at is not None
    assert AuditRecord.objects.filter(action="notify.posted", object_label=str(first)).count() == 1
    assert "@" not in AuditRecord.objects.get(action="notify.posted").object_label  # no personal data
    assert "Brewery plc" not in client.get("/notify/letters/").content.decode()


def test_follow_announce_and_unsubscribe_in_one_click_without_signing_in(client, make_user, settings):
    settings.COMMONGROUND_SITE_URL = "https://commonground.example.gov.uk"
    resident = make_user("res@example.org")
    client.force_login(resident)
    assert client.post("/notify/follow/", {"topic": "neighbourhood:north-ward", "next": "/neighbourhoods/"}).url == (
        "/neighbourhoods/"
    )
    assert services.following(resident) == ["neighbourhood:north-ward"]
    assert client.post("/notify/follow/", {"topic": "not a topic"}).status_code == 400
    assert "neighbourhood:north-ward" in client.get("/notify/following/").content.decode()
    topic = "neighbourhood:north-ward"
    assert services.announce(topic, "Plan agreed", "The board agreed the plan.", dedupe_key="plan:1") == 1
    assert services.announce(topic, "Plan agreed", "Again", dedupe_key="plan:1") == 0
    notice = Notice.objects.get()
    assert notice.recipient_role == "follower" and notice.unsubscribe_url in notice.body
    link = notice.unsubscribe_url.removeprefix("https://commonground.example.gov.uk")
    client.logout()
    confirm = client.get(link).content.decode()
    assert "Stop emails about neighbourhood:north-ward?" in confirm and "res@example.org" not in confirm
    assert Subscription.objects.count() == 1  # a GET (a link checker, a preview) changes nothing
    done = client.post(link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200 and "You have unsubscribed" in done.content.decode()
    assert services.following(resident) == []
    assert client.get(link[:-5] + "xxxx/").status_code == 400


def test_the_follow_button_any_page_can_show(rf: RequestFactory, make_user):
    template = Template('{% load notify %}{% follow_button "neighbourhood:north-ward" "North Ward" %}')
    request = rf.get("/neighbourhoods/north-ward/")
    request.user = make_user("res@example.org")
    assert "Follow<span" in template.render(Context({"request": request}))
    services.follow(request.user, "neighbourhood:north-ward")
    assert "Stop following" in template.render(Context({"request": request}))
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert "Sign in to follow North Ward" in template.render(Context({"request": request}))


def test_a_resident_follows_a_neighbourhood_from_its_page(client, make_user, demo):
    from commonground.neighbourhoods import services as neighbourhoods

    codes, drawn_from = neighbourhoods.lsoa_codes_of_ward("X05000002")
    place = neighbourhoods.create("test", "Brookfield", codes, "pride_in_place", drawn_from)
    url = place.get_absolute_url()
    assert "Sign in to follow Brookfield" in client.get(url).content.decode()
    resident = make_user("res@example.org")
    client.force_login(resident)
    page = client.get(url).content.decode()
    assert f'name="topic" value="neighbourhood:{place.slug}"' in page
    assert client.post("/notify/follow/", {"topic": f"neighbourhood:{place.slug}", "next": url}).url == url
    assert "Stop following" in client.get(url).content.decode()
    assert [u.email for u in services.followers(f"neighbourhood:{place.slug}")] == ["res@example.org"]
