"""Printable letters for people without an email address: one A4 page each, the address placed for a
DL window envelope, laid out like GOV.UK letters (plain Arial, black on white, a bold heading)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from commonground.notify.models import Notice


def render_html(notices: Iterable[Notice]) -> str:
    letters = [
        {
            "notice": notice,
            "address": [line for line in [notice.recipient_name, *notice.postal_address.splitlines()] if line.strip()],
        }
        for notice in notices
    ]
    return render_to_string(
        "notify/letters_pdf.html",
        {"letters": letters, "service_name": settings.COMMONGROUND_SERVICE_NAME, "today": timezone.localdate()},
    )


def render_pdf(notices: Iterable[Notice]) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(notices)).write_pdf()
