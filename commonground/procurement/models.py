"""Tenders evaluated on price, quality and social value with published weights, and the social value the
winning supplier then commits to and delivers, by neighbourhood where it applies.

The evaluation model is fixed once scoring starts; the model and every score are published with the award,
not before. Evaluators score each bid on each criterion; a moderator records the moderated score with a
reason; the award is computed exactly (commonground.engine.tender) and explained.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

BODY = "publicbodies.PublicBody"  # by name: apps meet through services, not each other's models


class Tender(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Setting the model"
        EVALUATING = "evaluating", "Evaluating bids"
        AWARDED = "awarded", "Awarded"

    body = models.ForeignKey(BODY, on_delete=models.PROTECT, related_name="tenders")
    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    scale_max = models.PositiveSmallIntegerField(default=5, help_text="Scores run from 0 to this (5 or 10).")
    social_value_floor = models.PositiveSmallIntegerField(default=10, help_text="Least social value weight, %.")
    price_weight = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    quality_weight = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    social_value_weight = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    neighbourhoods = models.JSONField(default=list, blank=True, help_text="Neighbourhoods the contract serves.")
    evaluators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="tenders_to_evaluate", blank=True)
    awarded_bid = models.ForeignKey("Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField(null=True, blank=True)
    award = models.JSONField(null=True, blank=True, help_text="The computed award and its explanation, as published.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("procurement:tender", args=[self.reference])


class Criterion(models.Model):
    class Kind(models.TextChoices):
        QUALITY = "quality", "Quality"
        SOCIAL_VALUE = "social_value", "Social value"

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=300)
    weight = models.DecimalField(max_digits=5, decimal_places=2, help_text="Percentage of the whole evaluation.")
    outcome = models.CharField(max_length=40, blank=True, help_text="Social value outcome code (data file).")
    guidance = models.TextField(blank=True, help_text="What a good answer shows; how it is measured.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["tender", "kind", "order", "id"]

    def __str__(self) -> str:
        return self.name


class Bid(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="bids")
    supplier = models.CharField(max_length=300)
    price_pence = models.BigIntegerField()
    received_order = models.PositiveIntegerField(help_text="1 for the bid received first.")
    received_at = models.DateTimeField(auto_now_add=True)
    is_sme = models.BooleanField(default=False)
    is_vcse = models.BooleanField(default=False)

    class Meta:
        ordering = ["tender", "received_order"]
        constraints = [models.UniqueConstraint(fields=["tender", "received_order"], name="one_bid_per_order")]

    def __str__(self) -> str:
        return self.supplier


class Score(models.Model):
    """One evaluator's score for one bid on one criterion."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "criterion", "evaluator"], name="one_score_each")]

    def __str__(self) -> str:
        return f"{self.score} for {self.bid} on {self.criterion}"


class ModeratedScore(models.Model):
    """The score that counts, agreed at moderation, with the reason."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="moderated")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="moderated")
    score = models.PositiveSmallIntegerField()
    reason = models.TextField()
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    moderated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "criterion"], name="one_moderated_score")]

    def __str__(self) -> str:
        return f"moderated {self.score} for {self.bid} on {self.criterion}"


class Commitment(models.Model):
    """Social value the winning supplier commits to in the contract, tracked as delivered."""

    class Kind(models.TextChoices):
        LOCAL_JOBS = "local_jobs", "Local jobs"
        APPRENTICESHIPS = "apprenticeships", "Apprenticeships"
        LOCAL_SPEND = "local_spend", "Spend with local businesses"
        COMMUNITY_BUSINESS_SPEND = "community_business_spend", "Spend with community businesses, SMEs and VCSEs"
        NET_ZERO = "net_zero", "Net zero: emissions avoided"
        OTHER = "other", "Other"

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(max_length=28, choices=Kind.choices)
    outcome = models.CharField(max_length=40, blank=True)
    description = models.CharField(max_length=300)
    unit = models.CharField(max_length=100)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    neighbourhood = models.CharField(max_length=80, blank=True, help_text="Slug, where it applies to one.")
    due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["tender", "kind", "id"]

    def __str__(self) -> str:
        return self.description


class Delivery(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="deliveries")
    delivered_on = models.DateField()
    quantity = models.DecimalField(max_digits=14, decimal_places=2)
    neighbourhood = models.CharField(max_length=80, blank=True)
    evidence = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["commitment", "delivered_on", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} {self.commitment.unit} on {self.delivered_on}"
