"""Delivering one notice by email or letter, and sorting every failure into: try again later, wait for
a given moment, or give up. Nothing here touches the outbox's rows; services.py does."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME

from commonground.notify import govuk
from commonground.notify.backends import REFERENCE_HEADER, notify_client
from commonground.notify.models import Notice

AUTH_CODES = {530, 534, 535, 538}  # RFC 4954: the server refused our credentials, a setting to fix


class Temporary(Exception):
    """Worth trying again after a while (network trouble, a busy or rate-limited provider)."""


class Permanent(Exception):
    """Trying again would fail the same way (a refused address, an invalid request)."""


class Deferred(Exception):
    """Try again at a known moment (GOV.UK Notify's daily limit lifts at midnight UTC)."""

    def __init__(self, message: str, until: dt.datetime) -> None:
        super().__init__(message)
        self.until = until


_TOKENS = re.compile(r"(Bearer\s+)?eyJ[\w-]+\.[\w-]+\.[\w-]+")


def redact(text: str) -> str:
    """The text with every configured secret and any bearer token blanked; errors are stored and shown."""
    secrets = [settings.EMAIL_HOST_PASSWORD, settings.SECRET_KEY, settings.COMMONGROUND_NOTIFY["api_key"]]
    if settings.COMMONGROUND_NOTIFY["api_key"]:
        secrets += list(govuk.parse_key(settings.COMMONGROUND_NOTIFY["api_key"]))
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, "[secret]")
    return _TOKENS.sub("[token]", text)[:500]


def letters_by_provider() -> bool:
    """Letters go through GOV.UK Notify when it has a letter template; otherwise officers print them."""
    return bool(settings.COMMONGROUND_NOTIFY["api_key"] and settings.COMMONGROUND_NOTIFY["letter_template_id"])


def deliver(notice: Notice, mail_connection, at: dt.datetime) -> str:
    """Send the notice at `at`; returns the provider's id for it, or raises Temporary, Permanent or Deferred."""
    try:
        if notice.channel == Notice.Channel.EMAIL:
            return _email(notice, mail_connection)
        return _letter(notice)
    except govuk.NotifyError as exc:
        if exc.kind == govuk.DAILY_LIMIT:
            raise Deferred(str(exc), exc.retry_after(at)) from None
        raise (Temporary if exc.kind == govuk.RETRY else Permanent)(str(exc)) from None


def _email(notice: Notice, connection) -> str:
    headers = {"Message-ID": f"<{notice.reference}.{notice.attempts}@{DNS_NAME}>", REFERENCE_HEADER: notice.reference}
    if notice.unsubscribe_url:  # RFC 2369 and RFC 8058: mail programs show an unsubscribe button
        headers["List-Unsubscribe"] = f"<{notice.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMessage(
        notice.subject,
        notice.body,
        settings.DEFAULT_FROM_EMAIL,
        [notice.recipient_email],
        headers=headers,
        connection=connection,
    )
    try:
        connection.open()  # kept open across a batch; reopened after a failure
        if not message.send():
            raise Temporary("the mail backend accepted nothing")
    except (smtplib.SMTPException, OSError) as exc:
        with contextlib.suppress(Exception):
            connection.close()
        raise _smtp_failure(exc) from None
    return getattr(message, "provider_id", "") or headers["Message-ID"]


def _smtp_failure(exc: Exception) -> Exception:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        code, text = replies[0] if replies else (0, b"")
        kind = Permanent if replies and all(c >= 500 for c, _ in replies) else Temporary
        return kind(f"SMTP {code} recipient refused: {_text(text)}")
    if isinstance(exc, smtplib.SMTPResponseException):
        what = f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}"
        if exc.smtp_code in AUTH_CODES:
            return Temporary(f"{what} (check COMMONGROUND_EMAIL_HOST_USER and COMMONGROUND_EMAIL_HOST_PASSWORD)")
        # A refused sender is the From setting, shared by every notice: fix it and they all go.
        permanent = exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPSenderRefused)
        return (Permanent if permanent else Temporary)(what)
    host = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    return Temporary(f"SMTP server {host} unreachable or failed: {type(exc).__name__} {exc}".strip())


def _text(raw) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _letter(notice: Notice) -> str:
    lines = [line.strip() for line in [notice.recipient_name, *notice.postal_address.splitlines()] if line.strip()]
    if not 3 <= len(lines) <= 7:  # GOV.UK Notify: "The address must have at least 3 lines" (and at most 7)
        raise Permanent(f"a letter address needs 3 to 7 lines, this one has {len(lines)}")
    personalisation = {f"address_line_{n}": line for n, line in enumerate(lines, 1)}
    personalisation.update(subject=notice.subject, body=notice.body)
    response = notify_client().send_letter(
        settings.COMMONGROUND_NOTIFY["letter_template_id"], personalisation, notice.reference
    )
    return str(response.get("id", ""))
