"""The one outbox every app's notices go through, and residents' subscriptions to topics.

A Notice holds everything needed to deliver it later (a worker sends it when due), and what happened
when it was tried. Its __str__ names no person, so audit records about it carry no personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notice(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    recipient_email = models.EmailField(blank=True)
    recipient_name = models.CharField(max_length=200, blank=True)
    postal_address = models.TextField(blank=True, help_text="One line per address line, the postcode last")
    recipient_role = models.CharField(max_length=40, blank=True, help_text="e.g. owner, nominator, follower")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    template = models.CharField(max_length=60, help_text='What kind of notice, e.g. "assets.reminder"')
    # What the notice is about, as a label free of personal data (e.g. assets.asset 12 "The Red Lion").
    related_type = models.CharField(max_length=60, blank=True)
    related_id = models.CharField(max_length=40, blank=True)
    related_label = models.CharField(max_length=200, blank=True)
    # Where it belongs (",GSS,GSS," and ",slug,": delimited so a scope can be matched with one LIKE).
    scope_councils = models.CharField(max_length=400, blank=True)
    scope_neighbourhoods = models.CharField(max_length=400, blank=True)
    unsubscribe_url = models.CharField(max_length=500, blank=True)
    due_at = models.DateTimeField(default=timezone.now, help_text="Not sent before this moment")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, help_text="When a worker may next try it")
    last_error = models.CharField(max_length=500, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True, help_text="Made once per key (blank: no limit)")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True, help_text="When its personal data was erased")

    class Meta:
        ordering = ["-due_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notice_due"),
            models.Index(fields=["related_type", "related_id"], name="notice_about"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], condition=~models.Q(dedupe_key=""), name="notice_once")
        ]

    def __str__(self) -> str:
        about = f" about {self.related_label}" if self.related_label else ""
        return f"Notice {self.pk} ({self.template}){about}"

    @property
    def reference(self) -> str:
        """Our id as the provider sees it: never personal data (GOV.UK Notify's rule for `reference`)."""
        return f"notice-{self.pk}"

    @property
    def recipient(self) -> str:
        if self.channel == self.Channel.EMAIL:
            return self.recipient_email
        return ", ".join(filter(None, [self.recipient_name, *self.postal_address.splitlines()]))


class Subscription(models.Model):
    """A person following a topic such as "neighbourhood:<slug>"; announcements go to every follower."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    topic = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["topic", "created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="follow_once")]

    def __str__(self) -> str:
        return f"Subscription {self.pk} to {self.topic}"
