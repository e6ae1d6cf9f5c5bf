"""Community impact assessments: a public body's decision, the places and people it touches, versioned.

A "community impact duty" is a PROPOSAL, not law (no such duty is in the English Devolution and Community
Empowerment Act 2026 or elsewhere, as far as we found). The assessment is modelled on the public sector
equality duty (Equality Act 2010 s.149) and the socio-economic duty (s.1): evidence of who is affected,
impacts and mitigations, engagement, the decision and its review.

An assessment has versions. A draft is edited freely; a published version is frozen (saving it again, or
changing its impacts or engagement, raises FrozenVersion) and a new draft starts from a copy of it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

BODY = "publicbodies.PublicBody"  # by name: apps meet through services, not each other's models


class FrozenVersion(Exception):
    """A published version of an assessment cannot change."""


class Assessment(models.Model):
    body = models.ForeignKey(BODY, on_delete=models.PROTECT, related_name="impact_assessments")
    reference = models.CharField(max_length=20, unique=True, help_text="e.g. CIA-2026-0007")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    # What the register searches and links by: from the latest published version (empty until published).
    published_version = models.PositiveIntegerField(null=True, blank=True)
    published_title = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    lsoas = models.JSONField(default=list, blank=True, help_text="LSOA codes of the published footprint.")
    wards = models.JSONField(default=list, blank=True)
    neighbourhoods = models.JSONField(default=list, blank=True, help_text="Slugs of neighbourhoods touched.")
    councils = models.JSONField(default=list, blank=True, help_text="GSS codes: the body's and the footprint's.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.published_title or self.latest.title}"

    def get_absolute_url(self) -> str:
        return reverse("impact:detail", args=[self.reference])

    @property
    def latest(self) -> Version:
        return self.versions.order_by("-number").first()

    @property
    def published(self) -> Version | None:
        return self.versions.filter(status=Version.Status.PUBLISHED).order_by("-number").first()

    @property
    def draft(self) -> Version | None:
        return self.versions.filter(status=Version.Status.DRAFT).order_by("-number").first()


class Version(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Decision(models.TextChoices):
        UNDECIDED = "undecided", "Not decided yet"
        PROCEED = "proceed", "Go ahead as proposed"
        ADJUST = "adjust", "Go ahead with changes to reduce harm"
        JUSTIFY = "justify", "Go ahead despite some harm, with the reasons given"
        STOP = "stop", "Stop: do not go ahead"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=300, help_text="The decision under consideration.")
    proposal = models.TextField(help_text="What is proposed and why.")
    decision_maker = models.CharField(max_length=200, blank=True)
    decision_due = models.DateField(null=True, blank=True)
    # Where: what the body chose; the LSOAs they resolve to are worked out and kept in `lsoa_codes`.
    ward_codes = models.JSONField(default=list, blank=True)
    lsoa_input = models.JSONField(default=list, blank=True)
    district_codes = models.JSONField(default=list, blank=True)
    postcodes = models.JSONField(default=list, blank=True)
    points = models.JSONField(default=list, blank=True, help_text="[[latitude, longitude], ...] of service sites")
    lsoa_codes = models.JSONField(default=list, blank=True)
    where_notes = models.JSONField(default=list, blank=True, help_text="How each postcode or point was placed.")
    affected_communities = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, default=Decision.UNDECIDED)
    decision_reasons = models.TextField(blank=True)
    review_date = models.DateField(null=True, blank=True)
    change_note = models.CharField(max_length=300, blank=True, help_text="What changed from the version before.")
    profile = models.JSONField(null=True, blank=True, help_text="The places' profile as published (frozen).")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="one_impact_version_number")]
        ordering = ["assessment", "number"]

    def __str__(self) -> str:
        return f"{self.assessment.reference} version {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = Version.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.PUBLISHED:
                raise FrozenVersion(f"{self} is published and cannot change: start a new version")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise FrozenVersion(f"{self} is published and cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class _PartOfVersion(models.Model):
    """Rows that belong to one version and freeze with it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.version.is_published:
            raise FrozenVersion(f"{self.version} is published and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.version.is_published:
            raise FrozenVersion(f"{self.version} is published and cannot change")
        return super().delete(*args, **kwargs)


class Engagement(_PartOfVersion):
    """Engagement done before the decision, linked to a neighbourhood's engagement log or panel by address."""

    class Kind(models.TextChoices):
        ENGAGEMENT_LOG = "engagement_log", "Neighbourhood engagement log"
        PANEL = "panel", "Citizens' panel"
        CONSULTATION = "consultation", "Consultation"
        MEETING = "meeting", "Public meeting or workshop"
        OTHER = "other", "Other"

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="engagement")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    what = models.CharField(max_length=300)
    held_on = models.DateField(null=True, blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="Address (URL) or reference of the record.")
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "held_on", "id"]

    def __str__(self) -> str:
        return self.what

    @property
    def link_is_url(self) -> bool:
        return self.link.startswith(("https://", "http://", "/"))


class Impact(_PartOfVersion):
    class Direction(models.TextChoices):
        POSITIVE = "positive", "Positive"
        NEGATIVE = "negative", "Negative"
        MIXED = "mixed", "Mixed"
        UNKNOWN = "unknown", "Not known yet"

    # Protected characteristics (Equality Act 2010 s.4) plus socio-economic disadvantage (s.1) and place.
    class Group(models.TextChoices):
        EVERYONE = "everyone", "Everyone living there"
        AGE = "age", "Age"
        DISABILITY = "disability", "Disability"
        GENDER_REASSIGNMENT = "gender_reassignment", "Gender reassignment"
        MARRIAGE = "marriage", "Marriage and civil partnership"
        PREGNANCY = "pregnancy", "Pregnancy and maternity"
        RACE = "race", "Race"
        RELIGION = "religion", "Religion or belief"
        SEX = "sex", "Sex"
        SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"
        SOCIO_ECONOMIC = "socio_economic", "People on low incomes (socio-economic disadvantage)"
        CARERS = "carers", "Carers"
        OTHER = "other", "Another group"

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="impacts")
    place = models.CharField(max_length=100, blank=True, help_text="Neighbourhood slug or ward code; empty: all.")
    place_label = models.CharField(max_length=200, blank=True)
    group = models.CharField(max_length=24, choices=Group.choices, default=Group.EVERYONE)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    description = models.TextField()
    mitigation = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "place_label", "group", "id"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} impact on {self.place_label or 'everywhere'}"


class Response(models.Model):
    """A resident's or a board's response, public and signed by their account; officers may hide an abusive
    one, with the reason shown in its place. The body answers: "you said, we did"."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="responses")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_as = models.CharField(max_length=200, help_text="The name shown: the account's name when it responded.")
    board = models.CharField(max_length=80, blank=True, help_text="Neighbourhood slug when it speaks for its board.")
    board_name = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")  # fmt: skip
    hidden_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True, help_text="What the body did about it.")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "created_at", "id"]

    def __str__(self) -> str:
        return self.audit_label()

    def audit_label(self) -> str:
        return f"response {self.pk} to {self.assessment.reference}"


class Review(models.Model):
    """The body looked again at a decision on its review date, and when it will look next."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    note = models.TextField()
    next_review = models.DateField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment", "reviewed_on", "id"]

    def __str__(self) -> str:
        return f"Review of {self.assessment.reference} on {self.reviewed_on}"
