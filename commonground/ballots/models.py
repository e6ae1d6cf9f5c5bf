"""Resident ballots: setup, the Landlord Offer, the roll, codes, and a secret ballot box.

Secrecy (docs/ballots.md): who has voted (`VoterMark`) and what was voted (`BallotBox` totals and
`BallotPaper`s) live in separate tables with no key, time or order between them. A vote adds one
to its option and zero to every other option of the ballot in the same UPDATE, and rewrites every
paper of the ballot grouped by option and sorted by receipt, so every counter and paper row of a
ballot is rewritten by every vote and no row-level metadata (SQLite rowid, PostgreSQL xmin and
ctid) says which option the latest vote went to, or in what order papers were cast.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonground.engine.ballot_count import CATEGORY_LABELS, Category
from commonground.places.models import Area


class Ballot(models.Model):
    class Phase(models.TextChoices):
        SETUP = "setup", "Not open yet"
        OPEN = "open", "Voting open"
        CLOSED = "closed", "Voting closed, not counted"
        COUNTED = "counted", "Counted"

    title = models.CharField(max_length=200)
    estate = models.CharField(max_length=200, help_text="The estate or neighbourhood voting.")
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="ballots")
    question = models.TextField()
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    scrutineer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scrutinised")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="closes_after_opens")
        ]

    def __str__(self) -> str:
        return self.title

    def phase(self, now=None) -> Ballot.Phase:
        now = now or timezone.now()
        if hasattr(self, "result"):
            return self.Phase.COUNTED
        if now < self.opens_at:
            return self.Phase.SETUP
        if now < self.closes_at:
            return self.Phase.OPEN
        return self.Phase.CLOSED

    @property
    def offer_in_force(self) -> OfferVersion | None:
        """The latest version: new versions are accepted only before voting opens."""
        return self.offer_versions.order_by("-number").first()

    @property
    def offer_published_on(self):
        """The day the Landlord Offer was first published: the date eligibility is judged on."""
        first = self.offer_versions.order_by("number").first()
        return first.published_on if first else None


class BallotOption(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["ballot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "label"], name="one_option_per_label"),
            models.UniqueConstraint(fields=["ballot", "position"], name="one_option_per_position"),
        ]

    def __str__(self) -> str:
        return self.label


class OfferVersion(models.Model):
    """One published version of the Landlord Offer; versions are never edited or deleted."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="offer_versions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="The Offer as residents read it.")
    document_url = models.URLField(blank=True, help_text="Where the full document is published, if elsewhere.")
    published_on = models.DateField(default=timezone.localdate)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ballot", "number"]
        constraints = [models.UniqueConstraint(fields=["ballot", "number"], name="one_offer_per_version_number")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number}, {self.published_on:%d %b %Y})"


class Elector(models.Model):
    """One entry on a ballot's eligibility roll, with the category and evidence it rests on."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="electors")
    roll_number = models.PositiveIntegerField()
    full_name = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    date_of_birth = models.DateField()
    category = models.CharField(max_length=20, choices=[(c.value, CATEGORY_LABELS[c]) for c in Category])
    qualifying_date = models.DateField(help_text="Tenancy date, date moved in, or date joined the housing register.")
    evidence = models.TextField()
    on_roll = models.BooleanField(default=True)

    class Meta:
        ordering = ["ballot", "roll_number"]
        constraints = [models.UniqueConstraint(fields=["ballot", "roll_number"], name="one_elector_per_roll_number")]

    def __str__(self) -> str:
        return f"{self.roll_number}. {self.full_name}"

    def audit_label(self) -> str:
        """The roll is restricted to the independent body; the audit log names an entry by number only."""
        return f"roll number {self.roll_number}"

    def audit_facts(self) -> dict:
        """What the audit log may say about an entry: nothing that identifies the person (issue 19)."""
        return {"roll_number": self.roll_number, "category": self.category, "on_roll": self.on_roll}

    def snapshot(self) -> dict:
        return {
            "full_name": self.full_name,
            "address": self.address,
            "date_of_birth": str(self.date_of_birth),
            "category": self.category,
            "qualifying_date": str(self.qualifying_date),
            "evidence": self.evidence,
            "on_roll": self.on_roll,
        }


class AppendOnly(models.Model):
    """Rows written once: saving an existing row or deleting one raises."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are append-only")


class RollEvent(AppendOnly):
    """The roll's own history: additions, challenges, decisions and corrections, never rewritten."""

    class Kind(models.TextChoices):
        ADDED = "added", "Added to the roll"
        CORRECTED = "corrected", "Corrected"
        CHALLENGED = "challenged", "Challenged"
        CHALLENGE_UPHELD = "challenge_upheld", "Challenge upheld: removed from the roll"
        CHALLENGE_REJECTED = "challenge_rejected", "Challenge rejected: stays on the roll"

    elector = models.ForeignKey(Elector, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.TextField(blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["elector", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.elector}"


class Challenge(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld"
        REJECTED = "rejected", "Rejected"

    elector = models.ForeignKey(Elector, on_delete=models.PROTECT, related_name="challenges")
    raised_by = models.CharField(max_length=200)
    grounds = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["elector", "id"]

    def __str__(self) -> str:
        return f"Challenge to {self.elector} by {self.raised_by}"


class VotingCode(models.Model):
    """A code as a keyed hash only: the code itself is shown once, at issue, and never stored."""

    elector = models.ForeignKey(Elector, on_delete=models.PROTECT, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["elector"], condition=models.Q(active=True), name="one_active_code_per_elector"
            )
        ]

    def __str__(self) -> str:
        return f"Code for {self.elector} ({'active' if self.active else 'cancelled'})"


class Channel(models.TextChoices):
    ONLINE = "online", "Online"
    POSTAL = "postal", "By post"
    IN_PERSON = "in_person", "In person"


class VoterMark(models.Model):
    """'Has voted': one per elector (a database constraint), with no time and a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    elector = models.OneToOneField(Elector, on_delete=models.PROTECT, related_name="mark")
    channel = models.CharField(max_length=10, choices=Channel.choices)

    def __str__(self) -> str:
        return f"{self.elector} has voted"


class BallotBox(models.Model):
    """The running total for one option (or, with no option, spoilt papers) of one ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="boxes")
    option = models.OneToOneField(BallotOption, null=True, blank=True, on_delete=models.PROTECT, related_name="box")
    votes = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "ballot boxes"
        constraints = [
            models.UniqueConstraint(
                fields=["ballot"], condition=models.Q(option__isnull=True), name="one_spoilt_box_per_ballot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ballot}: {self.option or 'spoilt'}"


class BallotPaper(models.Model):
    """One ballot paper: the option it was cast for (none: spoilt) and its receipt, the random id
    its voter was shown once and finds in the published papers. Nothing points at a voter, a time or
    an order: a random key, no timestamp, and rows rewritten as a whole by every vote."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="papers")
    option = models.ForeignKey(BallotOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    receipt = models.CharField(max_length=36)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "receipt"], name="one_paper_per_receipt")]

    def __str__(self) -> str:
        return f"Ballot paper {self.receipt}"


class PaperBatch(models.Model):
    """Postal or in-person papers entered twice, blind; the totals go in only when both agree."""

    class Status(models.TextChoices):
        AWAITING_SECOND = "awaiting_second", "Waiting for the second entry"
        AGREED = "agreed", "Entries agree: added to the count"
        MISMATCH = "mismatch", "Entries disagree: re-enter the batch"

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="batches")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    label = models.CharField(max_length=100)
    first_entry = models.JSONField()
    second_entry = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_SECOND)
    mismatch = models.JSONField(null=True, blank=True)
    first_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    second_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["ballot", "id"]
        verbose_name_plural = "paper batches"

    def __str__(self) -> str:
        return f"{self.label} ({self.get_channel_display()})"

    @property
    def papers(self) -> int:
        return sum(self.first_entry.values())


class Result(models.Model):
    """The count, opened once by the appointed independent body after the close."""

    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, related_name="result")
    totals = models.JSONField()
    papers = models.JSONField(help_text="The published ballot papers [receipt, option or null], sorted by receipt.")
    papers_sha256 = models.CharField(max_length=64)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    counted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Result of {self.ballot}"


class CampaignDeclaration(models.Model):
    """Money a side spent or material it published, declared to the independent body."""

    class Kind(models.TextChoices):
        SPEND = "spend", "Spending"
        MATERIAL = "material", "Campaign material"

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="declarations")
    side = models.CharField(max_length=200, help_text="Who campaigned, e.g. the landlord or a residents' group.")
    supports = models.ForeignKey(BallotOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.TextField()
    amount_pence = models.BigIntegerField(null=True, blank=True)
    link = models.URLField(blank=True)
    made_on = models.DateField()
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["ballot", "side", "made_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_pence__isnull=True) | models.Q(amount_pence__gte=0),
                name="declared_spend_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.side}: {self.get_kind_display()}"
