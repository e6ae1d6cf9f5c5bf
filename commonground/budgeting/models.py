"""Participatory budgeting processes: proposals and applications, scoring, review, ballots and results
(the delivery of winners is in commonground.delivery).

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
        SCORING = "scoring", "Scoring applications"
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
    neighbourhood = models.ForeignKey(
        "neighbourhoods.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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
    # Applications (after Newham's People Powered Places): people apply with a form (who they are, budget
    # lines, which priority), a scoring panel scores them against published criteria, the shortlist goes
    # to the vote.
    uses_applications = models.BooleanField(default=False)
    priorities = models.TextField(
        blank=True, help_text="One per line; a neighbourhood's process uses its plan's objectives instead."
    )
    scoring_panel = models.CharField(
        max_length=80, blank=True, help_text="The slug of a citizens' panel the scorers were drawn from, if any."
    )
    shortlist_threshold = models.PositiveSmallIntegerField(
        default=50, help_text="Least weighted score, out of 100, an application needs to go to the vote."
    )
    scores_published_at = models.DateTimeField(null=True, blank=True)
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


class ApplicantKind(models.TextChoices):
    """Who leads an application (Newham's People Powered Places ring-fences money by these three)."""

    VCFS = "vcfs", "A voluntary, community or faith group"
    RESIDENT = "resident", "Residents"
    YOUTH = "youth", "Young people"


class Proposal(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for review"
        FEASIBLE = "feasible", "On the ballot"
        NOT_FEASIBLE = "not_feasible", "Not on the ballot"

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
    # Applications only:
    applicant_kind = models.CharField(max_length=12, choices=ApplicantKind.choices, blank=True)
    organisation = models.CharField(max_length=200, blank=True, help_text="The group applying, or blank.")
    priority_ref = models.PositiveSmallIntegerField(null=True, blank=True)
    priority_title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def project_id(self) -> str:
        """The id in .pb exports and rule output."""
        return str(self.pk)

    @property
    def reference(self) -> str:
        """The funded thing's reference in pots and delivery records."""
        return f"pb:{self.process.slug}:{self.pk}"


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


class ApplicationLine(models.Model):
    """One line of an application's budget."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="lines")
    item = models.CharField(max_length=200)
    amount = models.PositiveBigIntegerField(help_text="Whole pounds.")

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="pb_line_positive")]

    def __str__(self) -> str:
        return self.item


class RingFence(models.Model):
    """A least and most share of the budget for the projects whose `field` is `value` (e.g. youth-led
    applications at least 25%); counted by the constrained rules (commonground.engine.pb.constrained)."""

    class Field(models.TextChoices):
        APPLICANT_KIND = "applicant_kind", "Who leads it"
        CATEGORY = "category", "Category"

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ring_fences")
    field = models.CharField(max_length=20, choices=Field.choices)
    value = models.CharField(max_length=60)
    min_percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    max_percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["process", "field", "value"], name="pb_fence_once")]

    def __str__(self) -> str:
        return f"{self.field} = {self.value}"


class Criterion(models.Model):
    """A published scoring criterion: each panel member scores each application on it from 0 to 5."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(help_text="Its share of the score, e.g. 25 for 25%.")

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="pb_criterion_weight_positive")]

    def __str__(self) -> str:
        return self.title


class Scorer(models.Model):
    """A member of the process's scoring panel (a resident, perhaps drawn by lot), by account."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="scorers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["process", "user"], name="pb_scorer_once")]

    def __str__(self) -> str:
        return f"Panel member {self.pk}"

    def audit_label(self) -> str:
        return f"panel member {self.pk} (account {self.user_id})"


class Declaration(models.Model):
    """A panel member's declared interest in an application; with `recused` they cannot score it."""

    scorer = models.ForeignKey(Scorer, on_delete=models.CASCADE, related_name="declarations")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="declarations")
    interest = models.TextField()
    recused = models.BooleanField(default=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scorer", "proposal"], name="pb_declaration_once")]

    def __str__(self) -> str:
        return f"Declaration by panel member {self.scorer_id}"


class Score(models.Model):
    scorer = models.ForeignKey(Scorer, on_delete=models.CASCADE, related_name="scores")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scorer", "proposal", "criterion"], name="pb_score_once"),
            models.CheckConstraint(condition=Q(value__lte=5), name="pb_score_0_to_5"),
        ]

    def __str__(self) -> str:
        return f"Score {self.value}"


class Moderation(models.Model):
    """The panel's agreed score on one criterion for one application, replacing the members' average, with why."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="moderations")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="moderations")
    value = models.PositiveSmallIntegerField()
    reason = models.TextField()
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    moderated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "criterion"], name="pb_moderation_once"),
            models.CheckConstraint(condition=Q(value__lte=5), name="pb_moderation_0_to_5"),
        ]

    def __str__(self) -> str:
        return f"Moderated {self.value}"


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
    fences = models.JSONField(default=list, help_text="What each ring-fence got: field, value, shares, spent, met.")
    computed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Result of {self.process}"
