"""Community Wealth Fund: eligibility policies, funds, awards and the grants ledger (money in pence)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonground.engine.fund import Eligibility, Policy, Profile
from commonground.places.models import Area


class EligibilityPolicy(models.Model):
    """A named, dated rule for which wards may receive awards."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=[(e.value, e.value) for e in Eligibility])
    decided_on = models.DateField(default=timezone.localdate)
    measure = models.CharField(max_length=64, blank=True, help_text="For thresholds: the measure slug, e.g. imd_rank.")
    at_most = models.FloatField(null=True, blank=True)
    at_least = models.FloatField(null=True, blank=True)
    codes = models.JSONField(default=list, blank=True, help_text="For custom lists: GSS ward codes.")
    description = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "eligibility policies"
        ordering = ["-decided_on", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.decided_on:%d %b %Y})"


class Fund(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMMITTED = "committed", "Committed"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    total_pence = models.BigIntegerField()
    start_date = models.DateField()
    years = models.PositiveSmallIntegerField(default=12)
    policy = models.CharField(max_length=20, choices=[(p.value, p.value) for p in Policy], default=Policy.BIG_LOCAL)
    profile = models.CharField(max_length=20, choices=[(p.value, p.value) for p in Profile], default=Profile.EVEN)
    floor_pence = models.BigIntegerField(default=0)
    cap_pence = models.BigIntegerField(null=True, blank=True)
    eligibility = models.ForeignKey(EligibilityPolicy, on_delete=models.PROTECT, related_name="funds")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    committed_at = models.DateTimeField(null=True, blank=True)
    data_version = models.CharField(max_length=64, blank=True)
    policy_record = models.JSONField(default=dict, blank=True)
    org_prefix = models.CharField(max_length=40, default="360G-commonground")
    funder_name = models.CharField(max_length=200, default="Community Wealth Fund")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(total_pence__gt=0), name="fund_total_positive")]

    def __str__(self) -> str:
        return self.name

    @property
    def total_pounds(self) -> int:
        return self.total_pence // 100

    @property
    def funder_id(self) -> str:
        return f"{self.org_prefix}-funder"


class Award(models.Model):
    """One ward's long-term grant; the amount and schedule are fixed when the fund is committed."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="awards")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="awards")
    ward_code = models.CharField(max_length=16)
    ward_name = models.CharField(max_length=200)
    local_authority = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=200, blank=True)
    population = models.PositiveIntegerField()
    amount_pence = models.BigIntegerField()
    schedule_pounds = models.JSONField(default=list)
    planned_start = models.DateField()
    planned_end = models.DateField()
    left_behind = models.BooleanField(default=False)

    class Meta:
        ordering = ["fund", "ward_code"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "area"], name="one_award_per_ward_per_fund"),
            models.CheckConstraint(condition=models.Q(amount_pence__gte=0), name="award_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.ward_name}: £{self.amount_pence // 100:,}"

    @property
    def identifier(self) -> str:
        return f"{self.fund.org_prefix}-{self.fund.slug}-{self.ward_code}"

    @property
    def amount_pounds(self) -> int:
        return self.amount_pence // 100


class Disbursement(models.Model):
    """Money paid to (positive) or returned by (negative) an award's partnership."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", "Payment"
        RETURN = "return", "Return"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="disbursements")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    amount_pence = models.BigIntegerField(help_text="Positive for payments, negative for returns.")
    paid_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} £{abs(self.amount_pence) / 100:,.2f} on {self.paid_on}"


class CommunityPlan(models.Model):
    """The resident-led partnership's plan for spending one award (after Big Local's community plans)."""

    award = models.OneToOneField(Award, on_delete=models.CASCADE, related_name="plan")
    partnership_name = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="community_plans",
        help_text="Community organisers who may edit this plan.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Plan for {self.award.ward_name}"


class PartnershipMember(models.Model):
    plan = models.ForeignKey(CommunityPlan, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    is_resident = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Priority(models.Model):
    """A priority the partnership agreed, with how it is going and the wellbeing measures it should move."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        DONE = "done", "Done"

    plan = models.ForeignKey(CommunityPlan, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    measures = models.ManyToManyField("outcomes.WellbeingMeasure", blank=True, related_name="plan_priorities")
    status_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    plan = models.ForeignKey(CommunityPlan, on_delete=models.CASCADE, related_name="lines")
    priority = models.ForeignKey(Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="lines")
    title = models.CharField(max_length=200)
    amount_pence = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_pence__gt=0), name="budget_line_positive")]

    def __str__(self) -> str:
        return self.title


class Spend(models.Model):
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="spends")
    spent_on = models.DateField()
    amount_pence = models.BigIntegerField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["spent_on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_pence__gt=0), name="spend_positive")]

    def __str__(self) -> str:
        return f"£{self.amount_pence / 100:,.2f} on {self.line}"


class ProgressUpdate(models.Model):
    plan = models.ForeignKey(CommunityPlan, on_delete=models.CASCADE, related_name="updates")
    posted_on = models.DateField(default=timezone.localdate)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-posted_on", "-id"]

    def __str__(self) -> str:
        return f"Update {self.posted_on}"
