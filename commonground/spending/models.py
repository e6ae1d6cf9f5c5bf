"""Public spending by place: what bodies already publish, imported whole; and pooled budgets.

Imported rows keep what the body published (a payee redacted as personal data stays redacted: its name is
never stored). A pooled budget agreement records its partners, their contributions by financial year, the
outcomes they share (linked to the wellbeing framework's measures), the decisions about the pool and who
took them, and a prevention ledger: money spent now to reduce demand later, expected and observed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

BODY = "publicbodies.PublicBody"  # by name: apps meet through services, not each other's models


class SpendImport(models.Model):
    class Kind(models.TextChoices):
        TRANSPARENCY = "transparency", "Spending over £500 (Transparency Code)"
        GRANTS = "grants", "360Giving grants"
        BUDGETS = "budgets", "Service budgets"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    body = models.ForeignKey(BODY, null=True, blank=True, on_delete=models.PROTECT, related_name="spend_imports")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    total_pence = models.BigIntegerField()
    redacted = models.PositiveIntegerField(default=0, help_text="Payees redacted as personal data.")
    skipped = models.PositiveIntegerField(default=0, help_text="Grants with no beneficiary area that is loaded.")
    source_url = models.URLField(blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "body", "sha256"], name="one_import_per_file")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"


class Payment(models.Model):
    """One item of expenditure over £500 as the council published it (Transparency Code 2015, Part 2)."""

    batch = models.ForeignKey(SpendImport, on_delete=models.CASCADE, related_name="payments")
    body = models.ForeignKey(BODY, on_delete=models.PROTECT, related_name="payments")
    date = models.DateField()
    financial_year = models.PositiveSmallIntegerField(help_text="First year of the April-March year: 2025 is 2025-26.")
    expense_area = models.CharField(max_length=200, blank=True, help_text="Department or service area.")
    expense_type = models.CharField(max_length=200, blank=True, help_text="Expense type or merchant category.")
    amount_pence = models.BigIntegerField()
    irrecoverable_vat_pence = models.BigIntegerField(default=0)
    supplier = models.CharField(max_length=300, help_text="REDACTED PERSONAL DATA for a payment to an individual.")
    supplier_redacted = models.BooleanField(default=False)
    transaction_number = models.CharField(max_length=100, blank=True)
    purpose = models.CharField(max_length=500, blank=True)
    line = models.PositiveIntegerField()

    class Meta:
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["body", "financial_year"])]

    def __str__(self) -> str:
        return f"{self.supplier}: {self.amount_pence / 100:.2f} on {self.date}"


class Grant(models.Model):
    """A grant published in the 360Giving standard, with the areas its beneficiaries live in."""

    batch = models.ForeignKey(SpendImport, on_delete=models.CASCADE, related_name="grants")
    identifier = models.CharField(max_length=200)
    title = models.CharField(max_length=300, blank=True)
    amount_pence = models.BigIntegerField()
    award_date = models.DateField()
    financial_year = models.PositiveSmallIntegerField()
    recipient = models.CharField(max_length=300)
    recipient_redacted = models.BooleanField(default=False)
    funder_name = models.CharField(max_length=300)
    funder_id = models.CharField(max_length=200, blank=True)
    area_codes = models.JSONField(help_text="GSS codes of the beneficiary locations that are loaded.")

    class Meta:
        ordering = ["batch", "award_date", "identifier"]

    def __str__(self) -> str:
        return self.identifier


class ServiceBudget(models.Model):
    """A body's budget for one service in one area and financial year."""

    batch = models.ForeignKey(SpendImport, on_delete=models.CASCADE, related_name="budgets")
    body = models.ForeignKey(BODY, on_delete=models.PROTECT, related_name="service_budgets")
    service = models.CharField(max_length=200)
    area_code = models.CharField(max_length=16)
    financial_year = models.PositiveSmallIntegerField()
    amount_pence = models.BigIntegerField()

    class Meta:
        ordering = ["batch", "id"]

    def __str__(self) -> str:
        return f"{self.service} in {self.area_code}, {self.financial_year}"


class PooledBudget(models.Model):
    """An agreement by public bodies to pool money for shared outcomes in a place (after Total Place and the
    Community Budgets pilots)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    lead = models.ForeignKey(BODY, on_delete=models.PROTECT, related_name="pools_led")
    partners = models.ManyToManyField(BODY, related_name="pools")
    councils = models.JSONField(default=list, help_text="GSS codes of the councils whose areas it covers.")
    neighbourhoods = models.JSONField(default=list, blank=True, help_text="Slugs of the neighbourhoods it covers.")
    community_decides = models.BooleanField(default=False, help_text="The agreement puts community members in "
                                            "its decisions.")  # fmt: skip
    community_rule = models.CharField(max_length=300, blank=True, help_text="What the agreement says about it.")
    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("spending:pool", args=[self.slug])


class Contribution(models.Model):
    pool = models.ForeignKey(PooledBudget, on_delete=models.CASCADE, related_name="contributions")
    body = models.ForeignKey(BODY, on_delete=models.PROTECT, related_name="+")
    financial_year = models.PositiveSmallIntegerField()
    amount_pence = models.BigIntegerField()

    class Meta:
        ordering = ["pool", "financial_year", "body__name"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "body", "financial_year"], name="one_contribution_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.financial_year}"


class SharedOutcome(models.Model):
    pool = models.ForeignKey(PooledBudget, on_delete=models.CASCADE, related_name="outcomes")
    measure_slug = models.SlugField(max_length=64, help_text="A wellbeing framework measure.")
    measure_name = models.CharField(max_length=200)
    baseline = models.CharField(max_length=200, blank=True)
    target = models.CharField(max_length=300)

    class Meta:
        ordering = ["pool", "measure_name"]

    def __str__(self) -> str:
        return self.measure_name


class PoolDecision(models.Model):
    """A decision about the pool and who took it (with community members where the agreement says so)."""

    pool = models.ForeignKey(PooledBudget, on_delete=models.CASCADE, related_name="decisions")
    decided_on = models.DateField()
    title = models.CharField(max_length=300)
    decision = models.TextField()
    amount_pence = models.BigIntegerField(null=True, blank=True)
    deciders = models.JSONField(help_text='[{"name": ..., "capacity": "partner|community|board|officer", '
                                          '"body": ...}, ...]')  # fmt: skip
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pool", "-decided_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def community_members(self) -> int:
        return sum(1 for d in self.deciders if d.get("capacity") in ("community", "board"))


class PreventionItem(models.Model):
    """Invest to save: money spent now, the change in demand expected and the change observed."""

    pool = models.ForeignKey(PooledBudget, on_delete=models.CASCADE, related_name="prevention")
    title = models.CharField(max_length=300)
    service = models.CharField(max_length=200, help_text="The service whose demand should fall.")
    neighbourhood = models.CharField(max_length=80, blank=True)
    financial_year = models.PositiveSmallIntegerField()
    invested_pence = models.BigIntegerField()
    demand_measure = models.CharField(max_length=200, help_text="e.g. emergency admissions a year")
    baseline = models.DecimalField(max_digits=14, decimal_places=2)
    expected_change = models.DecimalField(max_digits=14, decimal_places=2, help_text="Negative: demand falls.")
    expected_saving_pence = models.BigIntegerField()
    observed_change = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    observed_saving_pence = models.BigIntegerField(null=True, blank=True)
    observed_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["pool", "financial_year", "id"]

    def __str__(self) -> str:
        return self.title
