"""Verifying residents: the postcode check, the officer's queue in scope, the decision and the role it grants,
the notice to the resident, an audit log with no personal data, and erasure after the decision."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from commonground.accounts import services as accounts
from commonground.accounts.roles import Role
from commonground.audit.models import AuditRecord
from commonground.neighbourhoods import verification
from commonground.neighbourhoods.models import VerificationRequest
from commonground.notify.models import Notice
from commonground.places.models import Postcode

INSIDE = "XX2 1DH"  # in LSOA X01000006, Brookfield
OUTSIDE = "XX1 1AN"  # in Ashby Park
NAME, ADDRESS = "Rae Resident", "12 Mill Street\nBrookfield"


@pytest.fixture
def resident(make_user):
    return make_user("rae@example.org")


def ask(client, slug: str, **data):
    answers = {"full_name": NAME, "address": ADDRESS, "postcode": INSIDE, "reply_by": "email", **data}
    return client.post(reverse("neighbourhoods:verify", args=[slug]), answers)


def test_a_resident_asks_and_the_postcode_is_checked(client, brookfield, resident):
    client.force_login(resident)
    page = client.get(reverse("neighbourhoods:verify", args=[brookfield.slug])).content.decode()
    assert "We check your postcode is in the neighbourhood" in page and "erase them 90 days" in page
    outside = ask(client, brookfield.slug, postcode=OUTSIDE.lower().replace(" ", ""))
    assert outside.status_code == 200
    body = outside.content.decode()
    assert "There is a problem" in body and "XX1 1AN is not in Brookfield" in body
    assert ask(client, brookfield.slug, postcode="XX9 9ZZ").content.decode().count("We do not recognise the postcode")
    assert "Enter a real postcode" in ask(client, brookfield.slug, postcode="not one").content.decode()
    assert "Enter your address" in ask(client, brookfield.slug, address="").content.decode()
    assert not VerificationRequest.objects.exists()

    done = ask(client, brookfield.slug)
    assert done.status_code == 302
    request = VerificationRequest.objects.get()
    assert (request.status, request.postcode, request.postcode_check) == ("waiting", INSIDE, "inside")
    page = client.get(reverse("neighbourhoods:verify", args=[brookfield.slug])).content.decode()
    assert "A council officer will check your evidence" in page and "XX2 1DH, is in Brookfield" in page
    again = ask(client, brookfield.slug)  # one waiting request at a time: the form is not offered, nothing stored
    assert again.status_code == 200 and VerificationRequest.objects.count() == 1
    with pytest.raises(verification.VerificationError, match="already asked"):
        verification.ask(resident, brookfield, full_name=NAME, address=ADDRESS, postcode=INSIDE)


def test_with_no_postcode_lookup_the_officer_checks_by_evidence_alone(client, brookfield, resident, officer):
    Postcode.objects.all().delete()
    client.force_login(resident)
    assert (
        "the officer will check your evidence alone"
        in client.get(reverse("neighbourhoods:verify", args=[brookfield.slug])).content.decode()
    )
    assert ask(client, brookfield.slug, postcode=OUTSIDE).status_code == 302
    request = VerificationRequest.objects.get()
    assert request.postcode_check == "no_lookup"
    client.force_login(officer)
    page = client.get(reverse("neighbourhoods:verification-decide", args=[brookfield.slug, request.pk]))
    assert "check by evidence alone" in page.content.decode()


def test_only_officers_in_scope_see_the_queue_and_decide(client, brookfield, resident, officer, make_user):
    request = verification.ask(resident, brookfield, full_name=NAME, address=ADDRESS, postcode=INSIDE)
    elsewhere = make_user("knowsley@example.org")
    accounts.set_roles("test", elsewhere, {Role.COUNCIL_OFFICER}, frozenset(Role), "council:E08000011")
    other_hood = make_user("other@example.org")
    accounts.set_roles("test", other_hood, {Role.COUNCIL_OFFICER}, frozenset(Role), "neighbourhood:ashby-park")
    board_member = make_user("board@example.org")
    accounts.set_roles("test", board_member, {Role.BOARD_MEMBER}, frozenset(Role), f"neighbourhood:{brookfield.slug}")
    here = make_user("here@example.org")
    accounts.set_roles("test", here, {Role.COUNCIL_OFFICER}, frozenset(Role), f"neighbourhood:{brookfield.slug}")
    queue = reverse("neighbourhoods:verification", args=[brookfield.slug])
    decide = reverse("neighbourhoods:verification-decide", args=[brookfield.slug, request.pk])
    for outsider in (elsewhere, other_hood, board_member, resident):
        client.force_login(outsider)
        assert client.get(queue).status_code == 403, outsider.email
        assert client.get(decide).status_code == 403, outsider.email
        assert client.post(decide, {"decision": "approve", "evidence": ["council_tax"]}).status_code == 403
        assert NAME not in client.get(reverse("neighbourhoods:detail", args=[brookfield.slug])).content.decode()
    for insider in (officer, here):
        client.force_login(insider)
        page = client.get(queue).content.decode()
        assert NAME in page and INSIDE in page and 'data-label="Postcode check"' in page
        assert "12 Mill Street" in client.get(decide).content.decode()
    assert verification.queue(elsewhere).count() == 0 and verification.queue(officer).count() == 1
    with pytest.raises(verification.VerificationError, match="do not verify residents"):
        verification.decide(elsewhere, request, approve=True, evidence=["council_tax"])


def test_approval_grants_the_role_for_the_neighbourhood_and_tells_the_resident(client, brookfield, resident, officer):
    request = verification.ask(resident, brookfield, full_name=NAME, address=ADDRESS, postcode=INSIDE)
    client.force_login(officer)
    decide = reverse("neighbourhoods:verification-decide", args=[brookfield.slug, request.pk])
    empty = client.post(decide, {"decision": "approve"})
    assert "Say what evidence you saw" in empty.content.decode() and "There is a problem" in empty.content.decode()
    refused = client.post(decide, {"decision": "refuse"})
    assert "Say why the request is refused" in refused.content.decode()
    done = client.post(decide, {"decision": "approve", "evidence": ["council_tax", "electoral_register"]})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == "approved" and request.evidence == ["council_tax", "electoral_register"]
    resident.forget_grants()
    grant = next(g for g in resident.grants if g.role == Role.VERIFIED_RESIDENT)
    assert grant.scope == f"neighbourhood:{brookfield.slug}" and grant.councils == frozenset({"X09000001"})
    notice = Notice.objects.get(template="neighbourhoods.verification")
    assert (notice.channel, notice.recipient_email) == ("email", "rae@example.org")
    assert "verified you as a resident of Brookfield" in notice.body
    assert notice.related_label == f"verification request {request.pk}"
    assert client.post(decide, {"decision": "refuse", "reason": "x"}).status_code == 200  # decided already
    assert VerificationRequest.objects.get().status == "approved"
    client.force_login(resident)
    assert "You are verified" in client.get(reverse("neighbourhoods:verify", args=[brookfield.slug])).content.decode()
    log = json.dumps(list(AuditRecord.objects.values("object_label", "before", "after")), default=str)
    for personal in (NAME, "Mill Street", INSIDE, "rae@example.org"):
        assert personal not in log
    assert "neighbourhoods.verification_decided" in AuditRecord.objects.values_list("action", flat=True)


def test_refusal_by_letter_carries_the_reason(brookfield, resident, officer):
    request = verification.ask(resident, brookfield, full_name=NAME, address=ADDRESS, postcode=INSIDE,
                               reply_by="letter")  # fmt: skip
    verification.decide(officer, request, approve=False, evidence=[], reason="The bill was over a year old")
    notice = Notice.objects.get(template="neighbourhoods.verification")
    assert notice.channel == "letter" and notice.recipient_email == ""
    assert notice.postal_address == f"{ADDRESS}\n{INSIDE}" and "over a year old" in notice.body
    resident.forget_grants()
    assert Role.VERIFIED_RESIDENT not in resident.roles
    with pytest.raises(verification.VerificationError, match="already been decided"):
        verification.decide(officer, request, approve=True, evidence=["utility"])


def test_details_are_erased_after_the_keep_days(brookfield, resident, officer, settings):
    settings.COMMONGROUND_VERIFICATION_KEEP_DAYS = 30
    request = verification.ask(resident, brookfield, full_name=NAME, address=ADDRESS, postcode=INSIDE)
    verification.decide(officer, request, approve=True, evidence=["tenancy"])
    assert verification.erase_old(timezone.now() + dt.timedelta(days=29)) == 0
    assert verification.erase_old(timezone.now() + dt.timedelta(days=31)) == 1
    request.refresh_from_db()
    assert (request.full_name, request.address, request.postcode) == ("", "", "")
    assert request.erased_at is not None and request.evidence == ["tenancy"] and request.status == "approved"
    assert verification.erase_old(timezone.now() + dt.timedelta(days=40)) == 0


def test_the_officers_to_do_list_shows_residents_waiting(client, brookfield, resident, officer, make_user):
    verification.ask(resident, brookfield, full_name=NAME, address=ADDRESS, postcode=INSIDE)
    client.force_login(officer)
    page = client.get(reverse("accounts:todo")).content.decode()
    assert "Brookfield: 1 resident waiting to be verified" in page
    assert reverse("neighbourhoods:verification", args=[brookfield.slug]) in page
    assert "1 thing" in client.get(reverse("accounts:account")).content.decode()
    elsewhere = make_user("knowsley@example.org")
    accounts.set_roles("test", elsewhere, {Role.COUNCIL_OFFICER}, frozenset(Role), "council:E08000011")
    client.force_login(elsewhere)
    assert "waiting to be verified" not in client.get(reverse("accounts:todo")).content.decode()
