"""Participatory budgeting processes: proposals, review, ballots, results and delivery.

Money is in whole pounds, the unit PB budgets and pabulib files use (and the unit the Method of
Equal Shares raises voters' endowments by).

Secret ballots: a `BallotPaper` has a random UUID key and no timestamp, and nothing in it points at
a voter; the `VoterMark` ("has voted") points at the paper only when the process is not secret, so
the voter can change their ballot. In secret processes a voter changes their ballot with a receipt
code that only they were shown (stored hashed on the paper).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.engine.pb import rules
from commonground.engine.pb.ballot import BALLOT_TYPES
from commonground.places.models import Area

BALLOT_TYPE_LABELS = {
    "approval": "Approval: tick the projects you support",
    "knapsack": "Knapsack: choose projects that fit within the budget",
    "cumulative": "Cumulative: share out a number of points",
    "ranked": "Ranked: number your favourite projects in order",
}


class Process(models.Model):
    class Phase(models.TextChoices):
        DRAFT = "draft", "Being set up"
        PROPOSALS = "proposals", "Collecting ideas"
        REVIEW = "review", "Council review"
        VOTING = "voting", "Voting"
        RESULTS = "results", "Results"
        DELIVERY = "delivery", "Delivering projects"

    class Electorate(models.TextChoices):
        VERIFIED = "verified", "Verified residents (accounts checked by the council)"
        ROLL = "roll", "People on a roll approved by an officer"
        CODES = "codes", "Holders of one-time voting codes"
        VERIFIED_OR_CODES = "verified_or_codes", "Verified residents or holders of voting codes"
        POSTCODE = "postcode", "Residents of the area (signed in, postcode checked against the area)"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="pb_processes")
    description = models.TextField(blank=True)
    source_of_money = models.CharField(max_length=200, blank=True, help_text="e.g. CIL neighbourhood portion")
    budget = models.PositiveBigIntegerField(help_text="Whole pounds.")
    ballot_type = models.CharField(max_length=12, choices=[(t, BALLOT_TYPE_LABELS[t]) for t in BALLOT_TYPES])
    min_selections = models.PositiveSmallIntegerField(default=1)
    max_selections = models.PositiveSmallIntegerField(null=True, blank=True)
    max_points = models.PositiveSmallIntegerField(null=True, blank=True)
    rule = models.CharField(max_length=20, choices=[(r.name, r.label) for r in rules.WEB_RULES], default="equal-shares")
    complete_greedily = models.BooleanField(
        default=True, help_text="Equal Shares: spend any money left over on the next most popular projects."
    )
    electorate = models.CharField(max_length=20, choices=Electorate.choices, default=Electorate.VERIFIED_OR_CODES)
    min_age = models.PositiveSmallIntegerField(default=16)
    secret = models.BooleanField(default=True)
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.DRAFT)
    proposals_close = models.DateField(null=True, blank=True)
    voting_opens = models.DateField(null=True, blank=True)
    voting_closes = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "processes"
        constraints = [models.CheckConstraint(condition=Q(budget__gt=0), name="pb_budget_positive")]

    def __str__(self) -> str:
        return self.title

    def past_closing_date(self) -> bool:
        """Voting closes at the end of its closing date (UK time); after it no one can vote online,
        though officers may still type in paper ballots received in time, until they close the vote."""
        return self.voting_closes is not None and timezone.localdate() > self.voting_closes

    @property
    def taking_ballots(self) -> bool:
        return self.phase == self.Phase.VOTING and not self.past_closing_date()

    @property
    def pb_rule(self) -> rules.Rule:
        return rules.RULES[self.rule]

    @property
    def accepts_codes(self) -> bool:
        return self.electorate in (self.Electorate.CODES, self.Electorate.VERIFIED_OR_CODES)

    @property
    def accepts_accounts(self) -> bool:
        return self.electorate != self.Electorate.CODES


class Proposal(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for review"
        FEASIBLE = "feasible", "On the ballot"
        NOT_FEASIBLE = "not_feasible", "Not on the ballot"

    class Delivery(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    location = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=60, blank=True)
    estimated_cost = models.PositiveBigIntegerField(help_text="The proposer's estimate, whole pounds.")
    cost = models.PositiveBigIntegerField(null=True, blank=True, help_text="The council's costing, whole pounds.")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.SUBMITTED)
    review_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="pb_proposals"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    delivery = models.CharField(max_length=12, choices=Delivery.choices, default=Delivery.NOT_STARTED)
    spent = models.PositiveBigIntegerField(default=0, help_text="Spent so far on delivery, whole pounds.")
    delivery_note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def project_id(self) -> str:
        """The id in .pb exports and rule output."""
        return str(self.pk)


class VotingCode(models.Model):
    """A one-time code for events and paper ballots. Only a keyed hash is stored; the code itself is
    shown once, when it is printed."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    batch = models.CharField(max_length=100, blank=True)
    cancelled = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Voting code ({self.batch or 'no batch'})"


class RollEntry(models.Model):
    """An officer-approved voter, by the email of their account."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="roll")
    email = models.EmailField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["process", "email"], name="pb_roll_once")]

    def __str__(self) -> str:
        return self.email


class BallotPaper(models.Model):
    """One counted ballot. No timestamp, no voter: see the module docstring."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="papers")
    choices = models.JSONField(help_text="project id -> 1 (approval), points or rank")
    receipt_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]  # random, so the order says nothing about who voted when

    def __str__(self) -> str:
        return f"Ballot paper {self.pk}"


PREFER_NOT = "prefer_not"
# The optional equality-monitoring question, in the population estimates' bands so the voters can be
# compared with the area (commonground.engine.population); blank means not asked or not answered.
AGE_BANDS = [("0_15", "Under 16"), ("16_64", "16 to 64"), ("65_plus", "65 or over"), (PREFER_NOT, "Prefer not to say")]
SEXES = [("female", "Female"), ("male", "Male"), (PREFER_NOT, "Prefer not to say")]


class VoterMark(models.Model):
    """The "has voted" record: one per voter per process, enforced by the database.

    It also holds the voter's optional equality-monitoring answers: they belong to the person, never
    to the secret ballot paper."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    code = models.OneToOneField(VotingCode, null=True, on_delete=models.PROTECT, related_name="mark")
    paper = models.OneToOneField(BallotPaper, null=True, on_delete=models.SET_NULL, related_name="+")
    age_band = models.CharField(max_length=10, choices=AGE_BANDS, blank=True)
    sex = models.CharField(max_length=10, choices=SEXES, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["process", "user"], condition=Q(user__isnull=False), name="pb_one_per_user"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(code__isnull=False), name="pb_mark_names_a_voter"
            ),
        ]

    def __str__(self) -> str:
        return f"Has voted: {self.process_id}"


class PaperEntry(models.Model):
    """One officer's reading of a paper ballot. Entries 1 and 2 are by different officers and must
    agree before the paper counts; entry 3 is an adjudication after a mismatch."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="paper_entries")
    paper_number = models.CharField(max_length=40)
    entry = models.PositiveSmallIntegerField(choices=[(1, "First entry"), (2, "Second entry"), (3, "Adjudication")])
    choices = models.JSONField()
    code_hash = models.CharField(max_length=64, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paper_number", "entry"]
        constraints = [models.UniqueConstraint(fields=["process", "paper_number", "entry"], name="pb_paper_entry_once")]

    def __str__(self) -> str:
        return f"Paper {self.paper_number}, entry {self.entry}"


class Result(models.Model):
    """The count, frozen when voting closes: the .pb file is what anyone can re-count."""

    process = models.OneToOneField(Process, on_delete=models.PROTECT, related_name="result")
    rule = models.CharField(max_length=20)
    winners = models.JSONField()
    spent = models.PositiveBigIntegerField()
    support = models.JSONField(help_text="project id -> ballots naming it and points given")
    explanations = models.JSONField(default=dict)
    pb_text = models.TextField()
    sha256 = models.CharField(max_length=64)
    ballots = models.PositiveIntegerField()
    computed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Result of {self.process}"
