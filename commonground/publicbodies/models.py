"""Public bodies: councils, NHS bodies, police and any organisation that acts in a place through an account.

Impact assessments, spending, pooled budgets and tenders all belong to a body. A body serves one or more
councils' areas (its scope: council officers there act for it) and names the accounts that act for it
(an NHS trust's or a police force's staff, who hold no council role).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from commonground.places.models import Area


class PublicBody(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        NHS = "nhs", "NHS body"
        POLICE = "police", "Police"
        FIRE = "fire", "Fire and rescue"
        COMBINED_AUTHORITY = "combined_authority", "Combined or strategic authority"
        CENTRAL_GOVERNMENT = "central_government", "Central government"
        HOUSING = "housing", "Housing association"
        VOLUNTARY = "voluntary", "Voluntary or community organisation"
        OTHER = "other", "Other public body"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.OTHER)
    code = models.CharField(max_length=20, blank=True, help_text="GSS code (councils) or ODS code (NHS), optional.")
    councils = models.ManyToManyField(Area, related_name="public_bodies", blank=True,
                                      help_text="Local authorities whose areas it serves.")  # fmt: skip
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="public_bodies", blank=True,
                                     help_text="Accounts that act for the body.")  # fmt: skip
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="one_body_per_code"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publicbodies:detail", args=[self.slug])
