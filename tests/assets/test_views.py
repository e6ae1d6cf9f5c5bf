"""Asset pages: the public register, nominating online with eligibility questions, officer steps."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonground.assets import council_settings, services
from commonground.assets.models import Asset, Evidence, Nomination
from commonground.audit.models import AuditRecord
from commonground.notify.models import Notice
from tests.assets.conftest import CHARITY
from tests.assets.test_ownership import RED_LION, UK_HEADER, ccod

D = dt.date

NOMINATION = {
    "council": "Demo Borough Council",
    "name": "The Old Library",
    "address": "5 Church Lane",
    "postcode": "DE1 3CC",
    "latitude": "52.5",
    "longitude": "-1.5",
    "land_use": "community",
    "community_use": "Library and study space.",
    "use_when": "current",
    "furthers": "social",
    "realistic_future": "yes",
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


def test_value_test_questions_refuse_with_the_rule(client, organiser, fixed_today):
    fixed_today["today"] = D(2026, 1, 5)
    client.force_login(organiser)
    response = client.post(reverse("assets:nominate"), {**NOMINATION, "use_when": "earlier_past"})
    text = response.content.decode()
    assert response.status_code == 200 and "recent past" in text and "Localism Act 2011 s.88(1), (2)" in text
    assert not Asset.objects.exists()


@pytest.fixture
def camden(db):
    from commonground.places.models import Area, AreaType

    kind = AreaType.objects.create(code="lad-test", level=AreaType.Level.LOCAL_AUTHORITY, name="LAD")
    Area.objects.create(area_type=kind, code="E09000007", name="Camden")
    Area.objects.create(area_type=kind, code="E08000011", name="Knowsley")


def officer_of(make_user, code: str, email: str):
    from commonground.accounts import services as accounts
    from commonground.accounts.roles import Role

    user = make_user(email)
    accounts.set_roles("test", user, {Role.COUNCIL_OFFICER}, frozenset(Role), f"council:{code}")
    return user


def test_officer_of_another_council_gets_403_on_every_object_view(client, make_user, listed, camden, officer):
    council_settings.set_council("test", listed.council, code="E09000007")
    evidence = Evidence.objects.create(nomination=listed.nominations.get(), filename="a.txt",
                                       content_type="text/plain", content=b"x")  # fmt: skip
    views = ["decide", "disposal", "step", "sale", "price", "ruleset", "vacancy", "record-bid"]
    elsewhere = officer_of(make_user, "E08000011", "knowsley@example.org")
    client.force_login(elsewhere)
    for name in views:
        assert client.get(reverse(f"assets:{name}", args=[listed.pk])).status_code == 403, name
    assert client.get(reverse("assets:evidence", args=[evidence.pk])).status_code == 403
    page = client.get(reverse("assets:detail", args=[listed.pk])).content.decode()
    assert 'id="decide-link"' not in page and 'id="notices"' not in page  # public page, no officer tools
    client.force_login(officer_of(make_user, "E09000007", "camden@example.org"))
    for name in views:
        assert client.get(reverse(f"assets:{name}", args=[listed.pk])).status_code == 200, name
    client.force_login(officer)  # a site-wide officer reaches every council
    assert client.get(reverse("assets:decide", args=[listed.pk])).status_code == 200


def test_site_admins_set_a_councils_area_on_the_web(client, make_user, listed, camden, officer):
    from commonground.accounts.roles import Role

    client.force_login(officer)
    assert client.get(reverse("assets:councils")).status_code == 403
    client.force_login(make_user("admin@example.org", roles=(Role.SITE_ADMIN,)))
    assert "Demo Borough Council" in client.get(reverse("assets:councils")).content.decode()
    url = reverse("assets:council", args=[listed.council.pk])
    bad = client.post(url, {"code": "E09000099", "organisation": "", "ruleset": "localism-2011"}).content.decode()
    assert "There is a problem" in bad and "no local authority area with the code" in bad
    done = client.post(url, {"code": "E09000007", "organisation": "local-authority:DMO", "ruleset": "localism-2011"})
    assert done.status_code == 302
    assert Asset.objects.get(pk=listed.pk).council.area.code == "E09000007"
    export = client.get(reverse("assets:planning-data"), {"council": listed.council.slug})
    assert export.status_code == 200 and export.content.decode().startswith("reference,name,address-text")


def test_first_refusal_pages_under_the_2026_rules(client, organiser, officer, fixed_today, monkeypatch):
    from dataclasses import replace

    from commonground.engine import clocks
    from commonground.engine.clocks import Length, Unit

    made = replace(clocks.RIGHT_TO_BUY_2026, in_force_from=D(2027, 1, 1), interim_moratorium=Length(6, Unit.WEEKS))
    monkeypatch.setitem(clocks.RULESETS, "right-to-buy-2026", made)
    council = council_settings.set_council(
        "test", council_settings.council_named("Demo Borough Council"), ruleset="right-to-buy"
    )
    fixed_today["today"] = D(2027, 2, 1)
    client.force_login(organiser)
    client.post(reverse("assets:nominate"), {**NOMINATION, "council": council.name, "furthers": "economic",
                                             "use_when": "earlier_past"})  # fmt: skip
    asset = Asset.objects.get()
    assert asset.ruleset == "right-to-buy-2026"
    client.force_login(officer)
    client.post(reverse("assets:decide", args=[asset.pk]), {"decision": "listed", "reasons": "Library.",
                                                             "on": "2027-02-01"})  # fmt: skip
    page = client.get(reverse("assets:detail", args=[asset.pk])).content.decode()
    assert "waits on regulations" in page and "Listing lasts" in page
    fixed_today["today"] = D(2027, 3, 20)
    services.notify_disposal(officer, asset, D(2027, 3, 2))
    services.request_to_bid(organiser, asset, "Library CIC", CHARITY, "cic@example.org", D(2027, 3, 20))
    step = client.get(reverse("assets:step", args=[asset.pk])).content.decode()
    assert "offered the asset to the community group" in step
    client.post(reverse("assets:step", args=[asset.pk]), {"action": "offer_to_group", "on": "2027-03-20"})
    assert 'id="price-link"' in client.get(reverse("assets:detail", args=[asset.pk])).content.decode()
    response = client.post(reverse("assets:price", args=[asset.pk]),
                           {"how": "agreed", "price": "250,000", "on": "2027-03-20"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(reverse("assets:detail", args=[asset.pk])).content.decode()
    assert 'id="first-refusal"' in page and "£250,000 (agreed by the owner and the group)" in page


def test_rental_auction_pages(client, make_user, officer, camden, fixed_today):
    from commonground.assets.models import HighStreet, Letting

    council = council_settings.set_council(
        "test", council_settings.council_named("Demo Borough Council"), code="E09000007"
    )
    fixed_today["today"] = D(2026, 1, 6)
    client.force_login(officer)
    response = client.post(reverse("assets:high-street-new"), {
        "council": council.pk, "name": "High Street, Demoton", "kind": "street",
        "description": "1 to 99 High Street", "on": "2026-01-06",
    })  # fmt: skip
    street = HighStreet.objects.get()
    assert response.status_code == 302
    step = reverse("assets:high-street-step", args=[street.pk])
    fixed_today["today"] = D(2026, 2, 3)
    early = client.post(step, {"action": "designate", "on": "2026-02-02"}).content.decode()
    assert "the 28-day community engagement runs until 2026-02-02" in early
    assert client.post(step, {"action": "designate", "on": "2026-02-03"}).status_code == 302
    assert "Designated" in client.get(reverse("assets:high-streets")).content.decode()
    fixed_today["today"] = D(2026, 3, 2)
    response = client.post(reverse("assets:letting-new"), {
        "high_street": street.pk, "address": "12 High Street", "postcode": "DE1 2AB", "title_number": "",
        "landlord_name": "Jo Landlord", "landlord_email": "jo@example.org", "vacant_since": "2025-01-01",
    })  # fmt: skip
    letting = Letting.objects.get()
    assert response.status_code == 302
    url = reverse("assets:letting-step", args=[letting.pk])
    missing = client.post(url, {"action": "serve_initial_notice", "on": "2026-03-02"}).content.decode()
    assert "Select the suitable high-street use" in missing
    refused = client.post(url, {"action": "serve_initial_notice", "on": "2026-03-02", "use": "shop_or_office"})
    assert "local economy, society or environment" in refused.content.decode()
    served = client.post(url, {"action": "serve_initial_notice", "on": "2026-03-02", "use": "shop_or_office",
                               "local_benefit": "on"})  # fmt: skip
    assert served.status_code == 302
    assert Letting.objects.get().status == "initial_notice"
    notice = Notice.objects.get(template="assets.letting")
    assert notice.recipient_email == "jo@example.org" and notice.scope_councils == ",E09000007,"
    client.logout()
    page = client.get(reverse("assets:letting", args=[letting.pk])).content.decode()
    assert "Initial letting notice in force" in page and "10 May 2026" in page and "Jo Landlord" not in page
    assert "12 High Street" in client.get(reverse("assets:lettings")).content.decode()
    client.force_login(officer_of(make_user, "E08000011", "knowsley@example.org"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("assets:letting-occupation", args=[letting.pk])).status_code == 403
    assert client.get(step).status_code == 403
    assert AuditRecord.objects.filter(action="assets.letting.serve_initial_notice").get().after.get("landlord") is None


def test_candidates_come_from_vacant_assets_and_titles(client, officer, listed, fixed_today):
    Asset.objects.filter(pk=listed.pk).update(vacant_since=D(2025, 1, 1))
    text = ccod([{**RED_LION, "Title Number": "DE999", "Vacant Since": "01-06-2024"}], UK_HEADER + ["Vacant Since"])
    upload = SimpleUploadedFile("ccod.csv", text.encode(), content_type="text/csv")
    client.force_login(officer)
    assert client.post(reverse("assets:ownership-import"), {"file": upload}).status_code == 302
    fixed_today["today"] = D(2026, 3, 2)
    page = client.get(reverse("assets:candidates")).content.decode()
    assert "Asset: The Red Lion" in page and "1 January 2026" in page  # condition met from
    assert "Title DE999" in page and "1 June 2025" in page
