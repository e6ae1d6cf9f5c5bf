"""Audit hooks for actions Django performs on its own (sign-in, sign-out, Django admin edits)."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from commonground.audit.service import record


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs) -> None:
    record(user, "accounts.sign_in", user)


@receiver(user_logged_out)
def audit_sign_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(user, "accounts.sign_out", user)


@receiver(post_save, sender=LogEntry)
def audit_admin_change(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    """Every change made through the Django admin lands in the audit chain too."""
    if not created:
        return
    verb = {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, "other")
    model = instance.content_type.model_class() if instance.content_type else None
    record(
        instance.user,
        f"admin.{verb}",
        object_type=model._meta.label if model else "",
        object_id=str(instance.object_id or ""),
        object_label=instance.object_repr,
        after={"message": instance.get_change_message()},
    )
