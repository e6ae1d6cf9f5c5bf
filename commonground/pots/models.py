"""Pots: money a neighbourhood or council may decide on (a Community Wealth Fund award, Pride in Place,
the neighbourhood portion of CIL, Section 106 money, the council's own), with what it may pay for and by
when, and a ledger of what was set aside, allocated, paid and returned. Money is in pence.

The ledger is the truth: every balance is a sum of its entries, and every entry is written under a lock
on the pot's row (SELECT ... FOR UPDATE), after checking it leaves no balance below zero, so concurrent
requests can never overspend a pot.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.places.models import Area


class Pot(models.Model):
    class Source(models.TextChoices):
        CWF = "cwf", "Community Wealth Fund award"
        PRIDE_IN_PLACE = "pride_in_place", "Pride in Place"
        NEIGHBOURHOOD_CIL = "neighbourhood_cil", "Neighbourhood portion of CIL"
        S106 = "s106", "Section 106 contribution"
        COUNCIL = "council", "Council budget"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    council = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    neighbourhood = models.ForeignKey(
        "neighbourhoods.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount_pence = models.BigIntegerField()
    may_pay_for = models.TextField(blank=True, help_text="What the money may pay for (its restrictions).")
    spend_by = models.DateField(null=True, blank=True, help_text="Allocations and payments after this day are refused.")
    funder_name = models.CharField(max_length=200, help_text="Who gives the money, as 360Giving names the funder.")
    origin = models.CharField(max_length=300, blank=True, help_text="Where the money came from, in words.")
    origin_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "name"]
        constraints = [models.CheckConstraint(condition=Q(amount_pence__gt=0), name="pot_amount_positive")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("pots:detail", args=[self.slug])


class Reservation(models.Model):
    """Money set aside while a decision is made (a PB process's budget), allocated to its winners later."""

    pot = models.ForeignKey(Pot, on_delete=models.PROTECT, related_name="reservations")
    reference = models.CharField(max_length=200, help_text='What it is for, e.g. "pb:<process slug>".')
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["pot", "reference"], name="pot_reservation_once")]

    def __str__(self) -> str:
        return self.title


class Allocation(models.Model):
    """Money given to one funded thing; its amount, payments and returns are in the ledger."""

    pot = models.ForeignKey(Pot, on_delete=models.PROTECT, related_name="allocations")
    reference = models.CharField(max_length=200, help_text='The funded thing, e.g. "pb:<process>:<project>".')
    title = models.CharField(max_length=200)
    recipient_name = models.CharField(max_length=200)
    ward_code = models.CharField(max_length=16, blank=True)
    url = models.CharField(max_length=300, blank=True)
    decided_on = models.DateField(default=timezone.localdate)
    reservation = models.ForeignKey(Reservation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["pot", "reference"], name="pot_allocation_once")]

    def __str__(self) -> str:
        return self.title


class Entry(models.Model):
    """One line of a pot's ledger; amounts are positive and the kind says which way they go."""

    class Kind(models.TextChoices):
        RESERVE = "reserve", "Set aside"
        UNRESERVE = "unreserve", "Set-aside money released"
        ALLOCATE = "allocate", "Allocated"
        RELEASE = "release", "Allocation reduced"
        PAY = "pay", "Paid"
        RETURN = "return", "Returned"

    pot = models.ForeignKey(Pot, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    allocation = models.ForeignKey(Allocation, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    reservation = models.ForeignKey(
        Reservation, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    amount_pence = models.BigIntegerField()
    on = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name_plural = "entries"
        constraints = [models.CheckConstraint(condition=Q(amount_pence__gt=0), name="pot_entry_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} £{self.amount_pence / 100:,.2f}"
