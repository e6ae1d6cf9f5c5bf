"""Developer contributions: what councils publish with their Infrastructure Funding Statement, in the
national data standard (planning.data.gov.uk's developer-agreement, developer-agreement-contribution and
developer-agreement-transaction), imported per council; the spend-by clocks of Section 106 money; and
neighbourhood CIL zones, where the neighbourhood portion of CIL is computed (engine/cil.py). Money in pence.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from commonground.places.models import Area


class Import(models.Model):
    """One import of a council's three files: who, when, the files' SHA-256 and what changed."""

    council = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    files = models.JSONField(help_text="file name -> SHA-256")
    counts = models.JSONField(default=dict)
    warnings = models.JSONField(default=list)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"Import for {self.council_id} at {self.imported_at:%Y-%m-%d %H:%M}"


class Agreement(models.Model):
    class Kind(models.TextChoices):
        S106 = "section-106", "Section 106 agreement"
        CIL = "community-infrastructure-levy", "Community Infrastructure Levy"
        DOV = "deed-of-variation", "Deed of variation"

    council = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=100)
    name = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    planning_application = models.CharField(max_length=100, blank=True)
    document_url = models.CharField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    organisation = models.CharField(max_length=100, blank=True)
    entry_date = models.DateField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    site_address = models.CharField(max_length=300, blank=True)
    ward_code = models.CharField(max_length=16, blank=True)
    last_import = models.ForeignKey(Import, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["council", "reference"]
        constraints = [models.UniqueConstraint(fields=["council", "reference"], name="agreement_once_per_council")]

    def __str__(self) -> str:
        return self.name or self.reference


class Contribution(models.Model):
    """One obligation or sum within an agreement (money in `amount_pence`, or `units` such as homes)."""

    council = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="contributions")
    reference = models.CharField(max_length=100)
    purpose = models.CharField(max_length=100)
    amount_pence = models.BigIntegerField(null=True, blank=True)
    units = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    organisation = models.CharField(max_length=100, blank=True)
    entry_date = models.DateField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    site_address = models.CharField(max_length=300, blank=True)
    ward_code = models.CharField(max_length=16, blank=True)
    trigger = models.CharField(max_length=300, blank=True)
    spend_by = models.DateField(
        null=True, blank=True, help_text="From the agreement itself: there is no statutory date."
    )
    last_import = models.ForeignKey(Import, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["council", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["council", "reference"], name="contribution_once_per_council"),
            models.CheckConstraint(
                condition=Q(amount_pence__gte=0) | Q(amount_pence__isnull=True), name="contribution_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.purpose})"

    @property
    def ward(self) -> str:
        return self.ward_code or self.agreement.ward_code


class Transaction(models.Model):
    """Money (or units) secured, received, allocated, spent or returned on a day."""

    council = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="transactions")
    reference = models.CharField(max_length=100)
    status = models.CharField(max_length=10)
    amount_pence = models.BigIntegerField(null=True, blank=True)
    units = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    organisation = models.CharField(max_length=100, blank=True)
    on = models.DateField()
    entry_date = models.DateField(null=True, blank=True)
    last_import = models.ForeignKey(Import, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["council", "on", "reference"]
        constraints = [models.UniqueConstraint(fields=["council", "reference"], name="transaction_once_per_council")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.status}"


class Reminder(models.Model):
    """A reminder before a contribution's spend-by date; `sent_at` once the reminder run has sent it."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField()
    deadline = models.DateField()
    what = models.CharField(max_length=100)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contribution", "deadline", "due_on"], name="reminder_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.what}: {self.contribution_id}"


class CilZone(models.Model):
    """Where the neighbourhood portion of CIL is worked out: the wards whose CIL receipts count, whether a
    parish or town council is paid (reg 59A) or the council keeps it (reg 59F), and the settings the
    regulations leave open (engine/cil.py Setting)."""

    class CapYear(models.TextChoices):
        RECEIPT = "receipt", "The financial year the CIL was received"
        PAYMENT = "payment", "The financial year the share is paid (reg 59D)"

    council = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    neighbourhood = models.ForeignKey(
        "neighbourhoods.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    wards = models.JSONField(help_text="GSS codes of the wards whose CIL receipts count.")
    local_council = models.BooleanField(default=False, help_text="A parish or town council is paid its share.")
    local_council_name = models.CharField(max_length=200, blank=True)
    dwellings = models.PositiveIntegerField(null=True, blank=True, help_text="Council tax dwellings (for the cap).")
    plan_made_on = models.DateField(null=True, blank=True, help_text="When a neighbourhood development plan was made.")
    index_factor = models.DecimalField(max_digits=8, decimal_places=4, default=Decimal(1))
    cap_year = models.CharField(max_length=8, choices=CapYear.choices, default=CapYear.RECEIPT)
    local_rate_percent = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Reg 59F only: the council's own share, e.g. 20.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["council", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("contributions:zone", args=[self.pk])
