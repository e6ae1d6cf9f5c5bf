"""Issue 19 defect 4: no secret is ever logged. Unconfigured mail goes to a private outbox, not the log."""

from __future__ import annotations

import datetime as dt
import email
import logging
import re
import stat

import pytest
from django.urls import reverse

from commonground import config

MAIL_VARIABLES = ("COMMONGROUND_EMAIL_BACKEND", "COMMONGROUND_EMAIL_HOST", "COMMONGROUND_NOTIFY_API_KEY",
                  "COMMONGROUND_NOTIFY_TEMPLATE_ID", "COMMONGROUND_EMAIL_PORT", "COMMONGROUND_EMAIL_USE_TLS",
                  "COMMONGROUND_EMAIL_USE_SSL")  # fmt: skip


@pytest.fixture
def clean_environment(monkeypatch):
    for name in MAIL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_unconfigured_mail_goes_to_the_private_outbox_and_configured_mail_is_sent(clean_environment):
    env = clean_environment
    assert config.email()["EMAIL_BACKEND"] == "commonground.notify.backends.OutboxBackend"
    env.setenv("COMMONGROUND_EMAIL_HOST", "smtp.example.org")
    env.setenv("COMMONGROUND_EMAIL_USE_TLS", "true")
    mail = config.email()
    assert mail["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"], mail["EMAIL_USE_TLS"]) == ("smtp.example.org", 587, True)
    from tests.notify.servers import API_KEY

    env.setenv("COMMONGROUND_NOTIFY_API_KEY", API_KEY)
    with pytest.raises(config.ConfigError, match="COMMONGROUND_NOTIFY_TEMPLATE_ID is needed"):
        config.email()
    env.setenv("COMMONGROUND_NOTIFY_TEMPLATE_ID", "f33517ff-2a88-4f6e-b855-c550268ce08a")
    assert config.email()["EMAIL_BACKEND"] == "commonground.notify.backends.NotifyBackend"
    env.setenv("COMMONGROUND_EMAIL_BACKEND", "console")  # an explicit choice wins
    assert config.email()["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_configuration_mistakes_are_one_line_errors_that_never_echo_the_key(clean_environment):
    env = clean_environment
    env.setenv("COMMONGROUND_NOTIFY_API_KEY", "live-key-with-a-secret-but-wrong-shape")
    with pytest.raises(config.ConfigError) as caught:
        config.notify()
    assert "wrong-shape" not in str(caught.value) and "name-serviceid-secret" in str(caught.value)
    env.delenv("COMMONGROUND_NOTIFY_API_KEY")
    env.setenv("COMMONGROUND_EMAIL_PORT", "smtp")
    with pytest.raises(config.ConfigError, match="not a port number"):
        config.email()
    env.setenv("COMMONGROUND_EMAIL_PORT", "25")
    env.setenv("COMMONGROUND_EMAIL_BACKEND", "carrier-pigeon")
    with pytest.raises(config.ConfigError, match="is not a backend"):
        config.email()


def test_a_password_reset_writes_its_link_only_to_the_private_outbox(client, make_user, settings, tmp_path, capfd,
                                                                     caplog):  # fmt: skip
    settings.EMAIL_BACKEND = "commonground.notify.backends.OutboxBackend"  # the default (tests swap in locmem)
    settings.EMAIL_OUTBOX_DIR = tmp_path / "outbox"
    caplog.set_level(logging.DEBUG)
    make_user("pat@example.org")
    assert client.post(reverse("accounts:password-reset"), {"email": "pat@example.org"}).status_code == 302
    (written,) = (tmp_path / "outbox").iterdir()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "outbox").stat().st_mode) == 0o700
    body = email.message_from_bytes(written.read_bytes()).get_payload(decode=True).decode()
    uid, token = re.search(r"/account/password-reset/([^/]+)/([^/\s]+)/", body).groups()
    form_page = client.get(f"/account/password-reset/{uid}/{token}/", follow=True)  # the link works
    assert b"Choose a new password" in form_page.content
    captured = capfd.readouterr()
    logged = captured.out + captured.err + caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert token not in logged and "password-reset" not in captured.out + captured.err


def test_the_access_log_blanks_addresses_that_carry_a_secret():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from commonground.core.cli import redact_path, redacting_logger

    assert redact_path("GET /account/password-reset/MQ/cb8x1q-0a1b2c3d4e5f/ HTTP/1.1") == (
        "GET /account/password-reset/MQ/[redacted]/ HTTP/1.1"
    )
    assert redact_path("/account/password-reset/MQ/set-password/") == "/account/password-reset/MQ/set-password/"
    assert redact_path("/account/password-reset/sent/") == "/account/password-reset/sent/"
    assert redact_path("POST /notify/unsubscribe/eyJ1Ijo1fQ:1uXyz:abc/ HTTP/1.1") == (
        "POST /notify/unsubscribe/[redacted]/ HTTP/1.1"
    )
    logger = redacting_logger()(Config())
    request = SimpleNamespace(headers=[], method="GET", path="/account/password-reset/MQ/tok-123/", query="",
                              version=(1, 1), uri="/account/password-reset/MQ/tok-123/")  # fmt: skip
    response = SimpleNamespace(status="302 Found", response_length=0, headers=[], sent=0)
    environ = {"RAW_URI": request.uri, "PATH_INFO": request.path, "REQUEST_METHOD": "GET", "REMOTE_ADDR": "::1",
               "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_REFERER": f"https://x{request.path}"}  # fmt: skip
    atoms = logger.atoms(response, request, environ, dt.timedelta(seconds=0.1))
    assert "tok-123" not in str(atoms) and atoms["U"] == "/account/password-reset/MQ/[redacted]/"


def test_serve_says_where_mail_goes(settings):
    from commonground.notify.services import mail_destination

    settings.EMAIL_BACKEND = "commonground.notify.backends.OutboxBackend"
    assert mail_destination().startswith(f"Mail is not sent: it is written to {settings.EMAIL_OUTBOX_DIR}")
    settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = (
        "django.core.mail.backends.smtp.EmailBackend", "smtp.example.org", 587)  # fmt: skip
    assert mail_destination() == (
        "Mail is sent by SMTP through smtp.example.org:587; officers print letters at /notify/letters/."
    )
