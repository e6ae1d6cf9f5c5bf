"""Delivery that stays public: one record for every funded thing (a PB winner, a Community Wealth Fund
grant, a pot allocation), with its status, progress, milestones, spend against its budget and dated
updates with photos. Money is in pence.

A record is keyed by the funded thing's `reference` ("pb:<process>:<project>", "cwf:<fund>:<ward>",
"pot:<pot>:<allocation>"): the app that funds it creates the record through services.ensure, and
calling it again finds the same record.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.places.models import Area


class Record(models.Model):
    class Source(models.TextChoices):
        PB = "pb", "Participatory budgeting"
        CWF = "cwf", "Community Wealth Fund"
        POT = "pot", "Pot allocation"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"
        STOPPED = "stopped", "Stopped"

    reference = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=4, choices=Source.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    origin_url = models.CharField(max_length=300, blank=True, help_text="Where it was decided.")
    recipient_name = models.CharField(max_length=200, blank=True, help_text="The group or body delivering it.")
    amount_pence = models.BigIntegerField(help_text="Its budget.")
    spent_pence = models.BigIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    council = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    neighbourhood = models.ForeignKey(
        "neighbourhoods.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ward_code = models.CharField(max_length=16, blank=True)
    objective_ref = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The plan objective it serves.")
    funded_on = models.DateField(default=timezone.localdate)
    planned_end = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-funded_on", "title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gte=0), name="delivery_amount_not_negative"),
            models.CheckConstraint(condition=Q(spent_pence__gte=0), name="delivery_spent_not_negative"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="delivery_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("delivery:detail", args=[self.pk])


class Milestone(models.Model):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Update(models.Model):
    """A dated report: what happened, and the status, progress and spend it leaves the record at."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="updates")
    posted_on = models.DateField(default=timezone.localdate)
    text = models.TextField()
    status = models.CharField(max_length=12, choices=Record.Status.choices)
    progress = models.PositiveSmallIntegerField()
    spent_pence = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-posted_on", "-id"]

    def __str__(self) -> str:
        return f"Update of {self.posted_on}"


def _photo_path(photo: Photo, filename: str) -> str:
    """Under MEDIA_ROOT, named by a random token: the uploader's file name never reaches the file system."""
    return f"delivery/{photo.update.record_id}/{uuid.uuid4().hex}.{photo.kind}"


class Photo(models.Model):
    """A photo with an update, checked by its content (JPEG, PNG or WebP, at most 5 MB) and stored re-encoded
    without its metadata, so no EXIF location leaves the uploader's camera."""

    class Kind(models.TextChoices):
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        WEBP = "webp", "WebP"

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    file = models.FileField(upload_to=_photo_path, max_length=200)
    alt_text = models.CharField(max_length=250, help_text="What the photo shows, for people who cannot see it.")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.alt_text
