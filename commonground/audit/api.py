"""The audit API: the log, newest first, for those who may read it.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

from django.http import HttpRequest
from ninja import Router, Schema

from commonground.accounts.permissions import requires
from commonground.accounts.roles import Capability
from commonground.audit.models import AuditRecord
from commonground.core.api import page_bounds

router = Router(tags=["audit"])


class AuditEntry(Schema):
    seq: int
    created_at: str
    actor: str
    action: str
    object_type: str
    object_label: str
    hash: str


@router.get("/audit", response=list[AuditEntry], summary="Audit log, newest first", tags=["audit"])
@requires(Capability.READ_AUDIT_LOG)
def audit_log(request: HttpRequest, offset: int = 0, limit: int = 100):
    offset, limit = page_bounds(offset, limit)
    records = AuditRecord.objects.order_by("-seq")[offset : offset + limit]
    return [
        {
            "seq": r.seq,
            "created_at": r.created_at.isoformat(),
            "actor": r.actor_label,
            "action": r.action,
            "object_type": r.object_type,
            "object_label": r.object_label,
            "hash": r.hash,
        }
        for r in records
    ]
