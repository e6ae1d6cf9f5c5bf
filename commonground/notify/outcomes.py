"""The outbox on officers' to-do pages (see commonground.core.sections): notices that failed, and letters
waiting to be printed and posted, in the officer's scope."""

from __future__ import annotations

from django.urls import reverse

from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability
from commonground.notify import services
from commonground.notify.models import Notice

SHOWN = 50  # failed notices listed one by one; the outbox page has the rest


def todo(user) -> list[dict]:
    if not user_can(user, Capability.RUN_PROCESSES):
        return []
    items = []
    failed = services.visible(user).filter(status=Notice.Status.FAILED).order_by("due_at", "id")
    outbox = reverse("notify:outbox")
    for notice in failed[:SHOWN]:
        about = f" about {notice.related_label}" if notice.related_label else ""
        items.append({
            "title": f"Notice {notice.pk} failed: {notice.subject}{about}",
            "action": "Fix the address or the mail settings, then try again",
            "url": f"{outbox}?status=failed#notice-{notice.pk}",
            "due": None,
            "statutory": False,
            "source": "Notices",
        })  # fmt: skip
    letters = services.letters_to_print(user).count()
    if letters:
        items.append({"title": f"{letters} letter{'s' if letters != 1 else ''} to print and post",
                      "action": "Print them, post them and mark them posted", "url": reverse("notify:letters"),
                      "due": None, "statutory": False, "source": "Notices"})  # fmt: skip
    return items
