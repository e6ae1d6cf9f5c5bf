"""Citizens' panels: the quotas, the volunteer pool (personal data, organisers only), the fair
lottery over panels and the public draw."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Volunteer(models.Model):
    """One row of the pool; `pseudonym` is all the public ever sees."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="volunteers")
    row = models.PositiveIntegerField()
    person_id = models.CharField(max_length=200)
    pseudonym = models.CharField(max_length=12)
    details = models.JSONField(default=dict)
    probability = models.FloatField(null=True, blank=True)
    selected = models.BooleanField(default=False)

    class Meta:
        ordering = ["row"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "person_id"], name="panels_volunteer_unique_id"),
            models.UniqueConstraint(fields=["panel", "pseudonym"], name="panels_volunteer_unique_pseudonym"),
        ]

    def __str__(self) -> str:
        return self.pseudonym
