"""Citizens' panels: the quotas, the volunteer pool (personal data, organisers only), the fair
lottery over panels and the public draw."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Job(models.TextChoices):
    SELECTION = "select", "Computing the chances"
    REPLACEMENT = "replace", "Computing the replacement chances"


class Panel(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Pool imported"
        SELECTED = "selected", "Chances published"
        DRAWN = "drawn", "Panel drawn"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    purpose = models.TextField()
    size = models.PositiveIntegerField()
    payment_per_day_pence = models.PositiveIntegerField(default=0)
    quotas_csv = models.TextField(help_text="feature,value,min,max (or category,feature,min,max)")
    pool_csv = models.TextField(help_text="The volunteers as imported: personal data, organisers only.")
    household_columns = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=10, default="leximin")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    distribution_json = models.TextField(blank=True, help_text="Published lottery over panels, pseudonymous ids.")
    min_probability = models.FloatField(null=True, blank=True)
    seed = models.CharField(max_length=200, blank=True)
    draw_result = models.JSONField(null=True, blank=True)
    area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="panels"
    )  # whose population the default quotas came from
    # The background computation (selection or replacement chances) running now, if any.
    job = models.CharField(max_length=10, choices=Job.choices, blank=True)
    job_progress = models.JSONField(null=True, blank=True)  # {"stage": str, "done": int, "total": int}
    job_error = models.TextField(blank=True)  # why the last computation failed, shown to organisers
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def busy(self) -> bool:
        return bool(self.job)


class Volunteer(models.Model):
    """One row of the pool; `pseudonym` is all the public ever sees."""

    class Response(models.TextChoices):
        NO_REPLY = "no_reply", "No reply yet"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"
        DROPPED_OUT = "dropped_out", "Dropped out"

    LEFT = (Response.DECLINED, Response.DROPPED_OUT)  # their seats are refilled by a replacement draw

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="volunteers")
    row = models.PositiveIntegerField()
    person_id = models.CharField(max_length=200)
    pseudonym = models.CharField(max_length=12)
    details = models.JSONField(default=dict)
    probability = models.FloatField(null=True, blank=True)
    selected = models.BooleanField(default=False)  # on the panel now (drawn, or drawn as a replacement)
    response = models.CharField(max_length=12, choices=Response.choices, blank=True)  # members only; organisers only
    replacement = models.ForeignKey(
        "Replacement", on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )  # the replacement draw that put them on the panel

    class Meta:
        ordering = ["row"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "person_id"], name="panels_volunteer_unique_id"),
            models.UniqueConstraint(fields=["panel", "pseudonym"], name="panels_volunteer_unique_pseudonym"),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def name(self) -> str:
        """The name columns of the imported row (e.g. first_name, last_name), else the id: organisers only."""
        parts = [value for column, value in self.details.items() if "name" in column.lower() and value]
        return " ".join(parts) or self.person_id


class Replacement(models.Model):
    """One replacement draw: the lottery for the empty seats is published before the seed is entered,
    exactly like the main draw, so anyone can replay it."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="replacements")
    number = models.PositiveIntegerField()
    seats = models.PositiveIntegerField()
    distribution_json = models.TextField(help_text="Published lottery over replacement sets, pseudonymous ids.")
    min_probability = models.FloatField()
    seed = models.CharField(max_length=200, blank=True)
    draw_result = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["panel", "number"], name="panels_replacement_unique_number")]

    def __str__(self) -> str:
        return f"{self.panel} replacement {self.number}"

    @property
    def drawn(self) -> bool:
        return self.draw_result is not None
