"""The wellbeing framework: themes, the measures councils chose for them, and residents' signals.

Values are not stored here: a measure points at figures in the generic area–dataset–value model
(`places`), one source per period, so IMD, CNI, fund and survey figures all land in one place.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonground.places.models import Area, AreaType
from commonground.places.models import Measure as DataMeasure


class Theme(models.Model):
    """One of the framework's themes (a borough framework co-designed with residents has nine)."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    cross_cutting = models.BooleanField(default=False, help_text="Health, equality and safety run through all.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class WellbeingMeasure(models.Model):
    """A measure a council chose for a theme; retired measures stay, so old reports still read."""

    class Status(models.TextChoices):
        ACTIVE = "active", "In use"
        RETIRED = "retired", "Retired"

    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="measures")
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=300, help_text="Who publishes the figures.")
    unit = models.CharField(max_length=50, blank=True)
    direction = models.CharField(
        max_length=20, choices=DataMeasure.Direction.choices, default=DataMeasure.Direction.NEUTRAL
    )
    geography = models.CharField(max_length=20, choices=AreaType.Level.choices, default=AreaType.Level.WARD)
    period = models.CharField(max_length=100, help_text="How often it is published, e.g. 'Every 4 to 6 years'.")
    headline = models.BooleanField(default=False, help_text="Shown as a tile at the top of the dashboard.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["theme__order", "order", "name"]

    def __str__(self) -> str:
        return self.name


class MeasureSource(models.Model):
    """Where one period's figures for a measure are: a dataset and measure slug in `places`.

    Slugs, not keys, because datasets are replaced whole on every load (places.importers)."""

    measure = models.ForeignKey(WellbeingMeasure, on_delete=models.CASCADE, related_name="sources")
    dataset_slug = models.SlugField(max_length=64)
    measure_slug = models.SlugField(max_length=64)
    period = models.CharField(max_length=20, help_text="Label on the trend chart, e.g. 2019 or 2024-25.")

    class Meta:
        ordering = ["period", "dataset_slug"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "dataset_slug", "measure_slug"], name="one_source_per_measure")
        ]

    def __str__(self) -> str:
        return f"{self.dataset_slug}/{self.measure_slug} ({self.period})"


class MeasureChange(models.Model):
    """Append-only history of a measure: added, edited, re-themed, retired (also in the audit log)."""

    measure = models.ForeignKey(WellbeingMeasure, on_delete=models.PROTECT, related_name="history")
    action = models.CharField(max_length=20)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.measure} {self.action} {self.changed_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("measure history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("measure history is append-only")


class Signal(models.Model):
    """A change residents want to see, in their words, recorded with who chose it and how."""

    class Method(models.TextChoices):
        ASSEMBLY = "assembly", "Residents' assembly or panel"
        SURVEY = "survey", "Survey"
        WORKSHOP = "workshop", "Workshop or community meeting"
        VOTE = "vote", "Vote"
        OTHER = "other", "Other"

    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="signals")
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.CASCADE, related_name="signals")
    statement = models.CharField(max_length=300)
    chosen_by = models.CharField(max_length=200, help_text="Who chose it, e.g. 'Brookfield residents' panel (24)'.")
    method = models.CharField(max_length=10, choices=Method.choices)
    chosen_on = models.DateField(default=timezone.localdate)
    measures = models.ManyToManyField(WellbeingMeasure, blank=True, related_name="signals")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["theme__order", "-chosen_on", "id"]

    def __str__(self) -> str:
        return self.statement
