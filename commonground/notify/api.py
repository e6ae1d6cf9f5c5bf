"""The outbox API for officers: notices in their scope, newest due first, and one notice.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

from django.http import HttpRequest
from ninja import Router, Schema, Status

from commonground.accounts.permissions import requires
from commonground.accounts.roles import Capability
from commonground.core.api import Problem, page_bounds
from commonground.notify import services
from commonground.notify.models import Notice

router = Router(tags=["notices"])


class NoticeOut(Schema):
    id: int
    channel: str
    status: str
    template: str
    subject: str
    recipient_role: str
    recipient: str
    related_type: str
    related_id: str
    related_label: str
    due_at: str
    attempts: int
    next_attempt_at: str | None
    last_error: str
    sent_at: str | None
    provider_id: str


def _out(n: Notice) -> dict:
    waiting = n.status in (Notice.Status.QUEUED, Notice.Status.SENDING)
    return {
        "id": n.pk,
        "channel": n.channel,
        "status": n.status,
        "template": n.template,
        "subject": n.subject,
        "recipient_role": n.recipient_role,
        "recipient": n.recipient,
        "related_type": n.related_type,
        "related_id": n.related_id,
        "related_label": n.related_label,
        "due_at": n.due_at.isoformat(),
        "attempts": n.attempts,
        "next_attempt_at": n.next_attempt_at.isoformat() if waiting else None,
        "last_error": n.last_error,
        "sent_at": n.sent_at.isoformat() if n.sent_at else None,
        "provider_id": n.provider_id,
    }


@router.get("/notify/notices", response=list[NoticeOut], summary="Notices in your scope, latest due first")
@requires(Capability.RUN_PROCESSES)
def notice_list(request: HttpRequest, status: str = "", offset: int = 0, limit: int = 100):
    offset, limit = page_bounds(offset, limit)
    notices = services.visible(request.user).order_by("-due_at", "-id")
    if status:
        notices = notices.filter(status=status)
    return [_out(n) for n in notices[offset : offset + limit]]


@router.get("/notify/notices/{notice_id}", response={200: NoticeOut, 404: Problem}, summary="One notice")
@requires(Capability.RUN_PROCESSES)
def notice_detail(request: HttpRequest, notice_id: int):
    notice = services.visible(request.user).filter(pk=notice_id).first()
    if notice is None:
        return Status(404, {"detail": f"No notice {notice_id} in your scope"})
    return Status(200, _out(notice))
