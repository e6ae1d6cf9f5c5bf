"""Append-only audit records of every state-changing action."""

from __future__ import annotations

from django.db import models


class AppendOnlyError(Exception):
    """Audit records can be added, never changed or removed."""


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnlyError("audit records cannot be updated")

    def delete(self):  # type: ignore[override]
        raise AppendOnlyError("audit records cannot be deleted")


class AuditRecord(models.Model):
    """Who did what, when, to which object, with a before/after summary.

    `actor_id` is a plain integer, not a foreign key, so deleting an account never has to touch
    the log. On PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE for every role.
    """

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(editable=False)
    actor_id = models.BigIntegerField(null=True, blank=True, editable=False)
    actor_label = models.CharField(max_length=254, editable=False)
    action = models.CharField(max_length=100, editable=False, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, editable=False)
    object_id = models.CharField(max_length=100, blank=True, editable=False)
    object_label = models.CharField(max_length=300, blank=True, editable=False)
    before = models.JSONField(null=True, blank=True, editable=False)
    after = models.JSONField(null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit records cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise AppendOnlyError("audit records cannot be deleted")

    def as_chain_dict(self) -> dict:
        return {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "before": self.before,
            "after": self.after,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }
