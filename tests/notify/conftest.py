"""Fixtures: a real SMTP server and a fake GOV.UK Notify on loopback, with the settings pointing at them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.notify.servers import API_KEY, FakeNotify, SmtpServer

TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
LETTER_TEMPLATE_ID = "a1b2c3d4-2a88-4f6e-b855-c550268ce08a"
AT = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)  # the frozen "now" the delivery tests pass in


@pytest.fixture
def smtp_server(settings):
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.close()


@pytest.fixture
def fake_notify(settings):
    server = FakeNotify()
    settings.EMAIL_BACKEND = "commonground.notify.backends.NotifyBackend"
    settings.COMMONGROUND_NOTIFY = {
        "api_key": API_KEY,
        "template_id": TEMPLATE_ID,
        "letter_template_id": LETTER_TEMPLATE_ID,
        "base_url": server.base_url,
    }
    yield server
    server.close()
