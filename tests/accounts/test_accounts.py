"""Sign-up, sign-in, sign-out, password reset and role management through the web pages."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from commonground.accounts.models import User
from commonground.accounts.roles import Role
from commonground.audit.models import AuditRecord

PASSWORD = "correct horse battery"


def sign_up(client, **overrides):
    data = {"full_name": "Rita Resident", "email": "rita@example.org", "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    return client.post(reverse("accounts:sign-up"), data)


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/]+(/account/confirm/[^\s]+/)", message.body).group(1)


@pytest.mark.django_db
def test_sign_up_confirms_the_address_then_signs_in_and_audits(client):
    response = sign_up(client)
    assert response.status_code == 302 and response.url == reverse("accounts:sign-up-sent")
    user = User.objects.get(email="rita@example.org")
    assert user.roles == {Role.RESIDENT} and not user.is_active  # not usable until the address is confirmed
    [message] = mail.outbox
    link = confirmation_link(message)
    assert b"Confirm and sign in" in client.get(link).content  # a mail scanner's GET confirms nothing
    assert not User.objects.get(pk=user.pk).is_active
    page = client.post(link, follow=True)
    assert b"Rita Resident" in page.content and b"Your account has been created" in page.content
    assert User.objects.get(pk=user.pk).is_active
    actions = list(AuditRecord.objects.values_list("action", flat=True))
    assert actions == ["accounts.sign_up", "accounts.confirm_email", "accounts.sign_in"]
    assert client.post(link[:-3] + "xx/").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
        ({"full_name": ""}, "full_name", "Enter your full name"),
        ({"password2": "something else entirely"}, "password2", "Passwords do not match"),
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        ({"password1": "1234567890123", "password2": "1234567890123"}, "password1", "entirely numeric"),
    ],
)
def test_bad_sign_up_shows_error_summary_and_writes_nothing(client, overrides, field, message):
    response = sign_up(client, **overrides)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert f'href="#id_{field}"' in html, "the error summary links to the field"
    assert f'id="id_{field}-error"' in html
    assert message in html
    assert html.count("<h1") == 1
    assert "<title>Error: " in html
    assert User.objects.count() == 0
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_sign_up_does_not_reveal_that_an_address_has_an_account(client, make_user):
    """The page answers the same for a new address and one in use; only the email to it differs (issue 19)."""
    make_user("rita@example.org")
    taken = sign_up(client, email="RITA@example.org")
    fresh = sign_up(client, email="new@example.org")
    assert taken.status_code == fresh.status_code == 302 and taken.url == fresh.url
    assert User.objects.count() == 2 and User.objects.get(email="rita@example.org").full_name == "Rita"
    assert [m.subject for m in mail.outbox] == ["You already have a Common Ground account",
                                                "Confirm your Common Ground account"]  # fmt: skip
    assert "/account/confirm/" not in mail.outbox[0].body


@pytest.mark.django_db
def test_sign_in_and_sign_out(client, make_user):
    make_user("sam@example.org")
    bad = client.post(reverse("accounts:sign-in"), {"username": "sam@example.org", "password": "wrong password"})
    assert "Enter a correct email address and password" in bad.content.decode()
    good = client.post(reverse("accounts:sign-in"), {"username": "sam@example.org", "password": PASSWORD})
    assert good.status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 200
    out = client.post(reverse("accounts:sign-out"))
    assert out.status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 302
    assert list(AuditRecord.objects.values_list("action", flat=True)) == ["accounts.sign_in", "accounts.sign_out"]


@pytest.mark.django_db
def test_password_reset_by_email(client, make_user):
    make_user("pat@example.org")
    response = client.post(reverse("accounts:password-reset"), {"email": "pat@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your Common Ground password"
    link = re.search(r"https?://[^/]+(/account/password-reset/[^\s]+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    new_password = "a different long passphrase"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert client.login(username="pat@example.org", password=new_password)
    assert AuditRecord.objects.filter(action="accounts.password_reset").count() == 1


@pytest.mark.django_db
def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_pages_need_the_right_role(client, make_user):
    people = reverse("accounts:people")
    anonymous = client.get(people)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("accounts:sign-in"))
    client.force_login(make_user("res@example.org", roles=(Role.RESIDENT,)))
    assert client.get(people).status_code == 403
    assert client.get(reverse("audit:log")).status_code == 403
    client.force_login(make_user("officer@example.org", roles=(Role.RESIDENT, Role.COUNCIL_OFFICER)))
    assert client.get(people).status_code == 200
    assert client.get(reverse("audit:log")).status_code == 200


@pytest.mark.django_db
def test_officer_verifies_residents_but_cannot_grant_other_roles(client, make_user):
    officer = make_user("officer@example.org", roles=(Role.RESIDENT, Role.COUNCIL_OFFICER))
    resident = make_user("res@example.org", roles=(Role.RESIDENT,))
    client.force_login(officer)
    url = reverse("accounts:person-roles", args=[resident.pk])
    form = client.get(url).content.decode()
    assert 'value="verified_resident"' in form
    assert 'value="fund_administrator"' not in form
    refused = client.post(url, {"scope": "site", "roles": ["verified_resident", "site_admin"]})
    assert refused.status_code == 200
    assert "site_admin is not one of the available choices" in refused.content.decode()
    assert User.objects.get(pk=resident.pk).roles == {Role.RESIDENT}
    accepted = client.post(url, {"scope": "site", "roles": ["verified_resident"]})
    assert accepted.status_code == 302
    assert User.objects.get(pk=resident.pk).roles == {Role.RESIDENT, Role.VERIFIED_RESIDENT}
    entry = AuditRecord.objects.get(action="accounts.set_roles")
    assert entry.actor_label == f"account {officer.pk}"
    assert entry.before == {"scope": "site", "roles": ["resident"]}
    assert entry.after == {"scope": "site", "roles": ["resident", "verified_resident"]}


@pytest.mark.django_db
def test_site_admin_role_opens_the_django_admin(client, make_user):
    admin = make_user("admin@example.org", roles=(Role.RESIDENT, Role.SITE_ADMIN))
    target = make_user("fund@example.org", roles=(Role.RESIDENT,))
    client.force_login(admin)
    client.post(
        reverse("accounts:person-roles", args=[target.pk]),
        {"scope": "site", "roles": ["fund_administrator", "site_admin"]},
    )
    target.refresh_from_db()
    assert target.is_staff and target.is_superuser
    client.force_login(target)
    assert client.get("/admin/").status_code == 200
    admin_page = client.get("/admin/audit/auditrecord/")
    assert admin_page.status_code == 200
    assert b"Add audit record" not in admin_page.content


# Issue 19, defect 3: sign-in is throttled by account and by address, in the database ------------------------


@pytest.fixture
def fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sign_in(client, email, password, **extra):
    return client.post(reverse("accounts:sign-in"), {"username": email, "password": password}, **extra)


@pytest.mark.django_db
def test_ten_wrong_passwords_lock_the_account_and_say_when_to_try_again(client, make_user, fast_hashes):
    from commonground.accounts.services import SIGN_IN_ATTEMPTS
    from commonground.voting.models import AttemptWindow

    user = make_user("sam@example.org")
    for n in range(SIGN_IN_ATTEMPTS["account"].allowed):
        assert "Enter a correct email address" in _sign_in(client, "sam@example.org", f"guess {n}").content.decode()
    locked = _sign_in(client, "sam@example.org", PASSWORD)  # the right password, too late
    html = locked.content.decode()
    assert locked.status_code == 429 and 0 < int(locked["Retry-After"]) <= 15 * 60
    assert "There is a problem" in html and "<title>Error: " in html
    assert re.search(r"Too many failed attempts to sign in\. Try again after \d{1,2}:\d\d[ap]m \(in 15 minutes\)", html)
    assert client.get(reverse("accounts:account")).status_code == 302  # not signed in
    assert _sign_in(client, "SAM@example.org", PASSWORD).status_code == 429  # nor by changing the case
    audit = AuditRecord.objects.filter(action="accounts.sign_in_locked")
    assert [(a.object_type, a.object_id, a.after["by"], a.actor_id) for a in audit] == [
        ("accounts.User", str(user.pk), "account", None)
    ]  # once, when the lock-out starts: the account id and nothing typed
    logged = json.dumps(list(AuditRecord.objects.values()), default=str)
    assert "sam@example.org" not in logged.lower() and "guess" not in logged and PASSWORD not in logged
    AttemptWindow.objects.update(ends=0)  # the quarter hour has passed
    assert _sign_in(client, "sam@example.org", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_an_email_with_no_account_is_locked_alike_and_never_logged(client, fast_hashes, monkeypatch):
    from commonground.accounts import services
    from commonground.voting.limits import Limit

    monkeypatch.setitem(services.SIGN_IN_ATTEMPTS, "account", Limit("accounts.sign-in-account", 3, 15 * 60))
    statuses = [_sign_in(client, "nobody@example.org", "x").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    (audit,) = AuditRecord.objects.filter(action="accounts.sign_in_locked")
    assert audit.object_id == "" and audit.after["by"] == "account"
    assert "nobody" not in json.dumps(list(AuditRecord.objects.values()), default=str)


@pytest.mark.django_db
def test_one_address_is_throttled_across_accounts_and_a_success_clears_the_account(
    client, make_user, fast_hashes, monkeypatch
):
    from commonground.accounts import services
    from commonground.voting.limits import Limit

    monkeypatch.setitem(services.SIGN_IN_ATTEMPTS, "account", Limit("accounts.sign-in-account", 3, 15 * 60))
    monkeypatch.setitem(services.SIGN_IN_ATTEMPTS, "address", Limit("accounts.sign-in-address", 6, 15 * 60))
    make_user("pat@example.org")
    for _ in range(2):
        assert _sign_in(client, "pat@example.org", "wrong").status_code == 200
    assert _sign_in(client, "pat@example.org", PASSWORD).status_code == 302
    client.post(reverse("accounts:sign-out"))
    for _ in range(3):  # the success cleared the account's failures: three more before its lock-out
        assert _sign_in(client, "pat@example.org", "wrong").status_code == 200
    assert _sign_in(client, "pat@example.org", "wrong").status_code == 429
    # The address has 2 + 3 + 1 failures (the success was given back): the next account is refused too.
    make_user("lee@example.org")
    assert _sign_in(client, "lee@example.org", PASSWORD).status_code == 429
    assert _sign_in(client, "lee@example.org", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302
    by = sorted(a.after["by"] for a in AuditRecord.objects.filter(action="accounts.sign_in_locked"))
    assert by == ["account", "address"]


@pytest.mark.django_db
def test_the_admin_sign_in_is_throttled_too(client, make_user, fast_hashes, monkeypatch):
    from commonground.accounts import services
    from commonground.voting.limits import Limit

    monkeypatch.setitem(services.SIGN_IN_ATTEMPTS, "account", Limit("accounts.sign-in-account", 2, 15 * 60))
    make_user("admin@example.org", roles=(Role.SITE_ADMIN,))
    for _ in range(2):
        client.post("/admin/login/", {"username": "admin@example.org", "password": "wrong"})
    page = client.post("/admin/login/", {"username": "admin@example.org", "password": PASSWORD})
    assert "Too many failed attempts to sign in" in page.content.decode()
    assert not client.session.get("_auth_user_id")
