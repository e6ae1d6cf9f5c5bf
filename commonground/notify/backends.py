"""Django email backends: a private file outbox (the default) and GOV.UK Notify.

Why a file outbox: Django's console backend prints every message, so working password-reset links
end up in the server log. Unconfigured, mail is written instead to `<data dir>/outbox/` where only
the service's own user can read it (directory 0700, files 0600).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from commonground.notify import govuk

REFERENCE_HEADER = "X-Commonground-Reference"  # our notice's id, passed to Notify as `reference`


def notify_client() -> govuk.Client:
    config = settings.COMMONGROUND_NOTIFY
    return govuk.Client(config["api_key"], config["base_url"])


def outbox_directory() -> Path:
    """The outbox, created private (and made private again if someone loosened it)."""
    directory = Path(settings.EMAIL_OUTBOX_DIR)
    directory.mkdir(mode=0o700, exist_ok=True)
    directory.chmod(0o700)
    return directory


class OutboxBackend(BaseEmailBackend):
    """Writes each message as an .eml file only the service's user can read; sends nothing."""

    def send_messages(self, email_messages) -> int:
        written = 0
        try:
            directory = outbox_directory()
            for message in email_messages:
                if not message.recipients():
                    continue
                name = f"{timezone.now():%Y%m%dT%H%M%S}-{secrets.token_hex(6)}.eml"
                descriptor = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(message.message().as_bytes(linesep="\n"))
                message.provider_id = f"outbox/{name}"
                written += 1
        except OSError:
            if not self.fail_silently:
                raise
        return written


class NotifyBackend(BaseEmailBackend):
    """Sends through GOV.UK Notify's email template whose subject is ((subject)) and body ((body))."""

    def send_messages(self, email_messages) -> int:
        client, template = notify_client(), settings.COMMONGROUND_NOTIFY["template_id"]
        sent = 0
        for message in email_messages:
            unsubscribe = message.extra_headers.get("List-Unsubscribe", "").strip("<>")
            try:
                for address in message.recipients():
                    response = client.send_email(
                        address,
                        template,
                        {"subject": message.subject, "body": message.body},
                        reference=message.extra_headers.get(REFERENCE_HEADER, ""),
                        one_click_unsubscribe_url=unsubscribe if unsubscribe.startswith("https://") else "",
                    )
                    message.provider_id = str(response.get("id", ""))
            except govuk.NotifyError:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent
