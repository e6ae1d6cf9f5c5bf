"""Asset pages: the public register, nominating online with eligibility questions, officer steps."""

from __future__ import annotations

import datetime as dt
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonground.assets.models import Asset, Evidence, Nomination
from tests.assets.test_ownership import RED_LION, ccod

NOMINATION = {
    "council": "Demo Borough Council",
    "name": "The Old Library",
    "address": "5 Church Lane",
    "postcode": "DE1 3CC",
    "latitude": "52.5",
    "longitude": "-1.5",
    "land_use": "community",
    "community_use": "Library and study space.",
    "body_name": "Library Friends",
    "body_kind": "unincorporated",
    "local_connection": "yes",
    "distributes_surplus": "no",
    "members_on_register": "25",
    "contact_email": "friends@example.org",
}


def test_register_pages_are_public(client, listed, fixed_today):
    page = client.get(reverse("assets:register"))
    assert page.status_code == 200 and b"The Red Lion" in page.content and b"cg-map" in page.content
    assert client.get(reverse("assets:register"), {"status": "nominated"}).content.count(b"The Red Lion") == 0
    detail = client.get(reverse("assets:detail", args=[listed.pk]))
    assert b"Listing lasts" in detail.content and b"Localism Act 2011 s.87(3)" in detail.content
    assert b'id="notices"' not in detail.content  # notices are for officers
    csv_text = client.get(reverse("assets:csv")).content.decode()
    assert "The Red Lion" in csv_text
    geo = json.loads(client.get(reverse("assets:geojson")).content)
    assert geo["features"][0]["properties"]["name"] == "The Red Lion"
    assert client.get(reverse("assets:unsuccessful")).status_code == 200


def test_nominate_online_with_evidence(client, organiser, fixed_today):
    fixed_today["today"] = dt.date(2026, 1, 5)
    client.force_login(organiser)
    upload = SimpleUploadedFile("petition.pdf", b"%PDF-1.4 petition", content_type="application/pdf")
    response = client.post(reverse("assets:nominate"), {**NOMINATION, "evidence": upload})
    asset = Asset.objects.get()
    assert response.status_code == 302 and response.url == reverse("assets:detail", args=[asset.pk])
    assert Evidence.objects.get().filename == "petition.pdf"
    page = client.get(response.url)
    assert b"Council decides the nomination ends in 55 days" in page.content


def test_disqualifying_answers_explain_why(client, organiser, fixed_today):
    client.force_login(organiser)
    response = client.post(reverse("assets:nominate"), {**NOMINATION, "members_on_register": "12"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert "at least 21 members on the electoral register" in text and "you said 12" in text
    response = client.post(reverse("assets:nominate"), {**NOMINATION, "land_use": "residence"})
    assert "cannot be listed" in response.content.decode()
    assert not Asset.objects.exists()


def test_roles_guard_the_forms(client, organiser, officer, listed):
    assert client.get(reverse("assets:nominate")).status_code == 302  # sign in first
    client.force_login(organiser)
    assert client.get(reverse("assets:decide", args=[listed.pk])).status_code == 403
    assert client.get(reverse("assets:outbox")).status_code == 403
    client.force_login(officer)
    assert client.get(reverse("assets:nominate")).status_code == 403
    moved = client.get(reverse("assets:outbox"))  # the old outbox address leads to the one outbox
    assert moved.status_code == 302 and moved.url == "/notify/?about=assets.asset"
    assert "The Red Lion" in client.get(moved.url).content.decode()


def test_officer_decides_and_unsuccessful_list(client, officer, nominated, fixed_today):
    fixed_today["today"] = dt.date(2026, 2, 1)
    client.force_login(officer)
    url = reverse("assets:decide", args=[nominated.pk])
    assert b"Give the reasons" in client.post(url, {"decision": "not_listed", "on": "2026-02-01"}).content
    response = client.post(url, {"decision": "not_listed", "reasons": "It is a private house.", "on": "2026-02-01"})
    assert response.status_code == 302
    assert Nomination.objects.get().outcome == "not_listed"
    assert b"It is a private house." in client.get(reverse("assets:unsuccessful")).content


def test_disposal_bid_and_moratorium_page(client, officer, organiser, listed, fixed_today):
    fixed_today["today"] = dt.date(2026, 3, 2)
    client.force_login(officer)
    response = client.post(
        reverse("assets:disposal", args=[listed.pk]), {"on": "2026-03-02", "owner_name": "Big Brewery plc"}
    )
    assert response.status_code == 302
    fixed_today["today"] = dt.date(2026, 3, 20)
    client.force_login(organiser)
    bid = {
        "body_name": "Red Lion CBS",
        "body_kind": "cooperative_or_cbs",
        "local_connection": "yes",
        "distributes_surplus": "no",
        "contact_email": "cbs@example.org",
    }
    refused = client.post(reverse("assets:bid", args=[listed.pk]), {**bid, "body_kind": "neighbourhood_forum"})
    assert b"not a community interest group" in refused.content
    assert client.post(reverse("assets:bid", args=[listed.pk]), bid).status_code == 302
    page = client.get(reverse("assets:detail", args=[listed.pk])).content.decode()
    assert "Full moratorium ends in 165 days" in page and "1 September 2026" in page
    client.force_login(officer)
    sale = client.post(reverse("assets:sale", args=[listed.pk]), {"on": "2026-03-20", "buyer_name": "Developer"})
    assert "full moratorium runs until 2026-09-01" in sale.content.decode()
    page = client.get(reverse("assets:detail", args=[listed.pk])).content.decode()
    assert 'id="notices"' in page and "asked to be treated as a potential bidder" in page


def test_ownership_search_import_and_owner_on_asset_page(client, officer, listed):
    client.force_login(officer)
    upload = SimpleUploadedFile("ccod.csv", ccod([RED_LION]).encode(), content_type="text/csv")
    assert client.post(reverse("assets:ownership-import"), {"file": upload}).status_code == 302
    client.logout()
    page = client.get(reverse("assets:ownership"), {"q": "01234567"}).content.decode()
    assert "BIG BREWERY PLC" in page and "£450,000" in page
    Asset.objects.filter(pk=listed.pk).update(title_number="DE12345")
    assert b"BIG BREWERY PLC" in client.get(reverse("assets:detail", args=[listed.pk])).content
    client.force_login(officer)
    bad = SimpleUploadedFile("bad.csv", ccod([{**RED_LION, "Price Paid": "x"}]).encode(), content_type="text/csv")
    response = client.post(reverse("assets:ownership-import"), {"file": bad})
    assert "Nothing was imported: row 2, Price Paid" in response.content.decode()


def test_buyout_application_with_use_plan(client, organiser, make_user, listed):
    from commonground.accounts.roles import Role
    from commonground.assets.models import BuyoutApplication

    client.force_login(organiser)
    url = reverse("assets:buyout", args=[listed.pk])
    application = {
        "body_name": "Red Lion CBS",
        "body_kind": "cooperative_or_cbs",
        "local_connection": "yes",
        "distributes_surplus": "no",
        "contact_email": "cbs@example.org",
        "purchase_price": "450,000",
        "requested": "300000",
        "match_funding": "100000",
        "use_plan": "Pub, café and library corner.",
        "running_costs_plan": "Bar takings and room hire.",
    }
    short = client.post(url, application).content.decode()
    assert "fall £50,000 short of the purchase price" in short
    unincorporated = client.post(url, {**application, "body_kind": "unincorporated", "match_funding": "150000"})
    assert "cannot bid" in unincorporated.content.decode()
    assert client.post(url, {**application, "match_funding": "150000"}).status_code == 302
    saved = BuyoutApplication.objects.get()
    assert (saved.purchase_price_pence, saved.requested_pence) == (45_000_000, 30_000_000)
    assert client.get(reverse("assets:buyout-list")).status_code == 403
    client.force_login(make_user("fund@example.org", roles=(Role.FUND_ADMINISTRATOR,)))
    page = client.get(reverse("assets:buyout-list")).content.decode()
    assert "Pub, café and library corner." in page and "£300,000" in page
