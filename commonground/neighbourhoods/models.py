"""A neighbourhood: a named area made of LSOAs, the place its board, plan, money and decisions gather.

Its boundary is versioned, never overwritten: a redrawn neighbourhood keeps every earlier set of
LSOAs with the reason it changed, so figures can always be traced to the boundary they describe.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from commonground.places.models import Area


class Neighbourhood(models.Model):
    class Kind(models.TextChoices):
        PRIDE_IN_PLACE = "pride_in_place", "Pride in Place neighbourhood"
        COMMUNITY_WEALTH_FUND = "community_wealth_fund", "Community Wealth Fund neighbourhood"
        BIG_LOCAL = "big_local", "Big Local area"
        PARISH = "parish", "Parish or neighbourhood forum"
        WARD = "ward", "Council ward"
        OTHER = "other", "Other neighbourhood"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(blank=True)
    councils = models.ManyToManyField(Area, related_name="neighbourhoods", help_text="Local authorities it lies in.")
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("neighbourhoods:detail", args=[self.slug])

    @property
    def boundary(self) -> Boundary | None:
        """The current boundary: the latest version."""
        return self.boundaries.order_by("-version").first()


class Boundary(models.Model):
    """One version of a neighbourhood's boundary: the LSOAs (of one vintage) it is made of."""

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="boundaries")
    version = models.PositiveIntegerField()
    vintage = models.CharField(max_length=32, default="lsoa21", help_text="Area type of its LSOAs, e.g. lsoa21.")
    lsoas = models.JSONField(help_text="LSOA codes, sorted.")
    drawn_from = models.CharField(max_length=200, blank=True, help_text="e.g. ward E05011232, MSOA E02001234, a list")
    reason = models.CharField(max_length=300, blank=True)
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["neighbourhood", "version"], name="one_boundary_per_version")]
        ordering = ["neighbourhood", "version"]

    def __str__(self) -> str:
        return f"{self.neighbourhood} v{self.version} ({len(self.lsoas)} LSOAs)"
