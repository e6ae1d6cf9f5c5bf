"""A neighbourhood: a named area made of LSOAs, the place its board, plan, money and decisions gather.

Its boundary is versioned, never overwritten: a redrawn neighbourhood keeps every earlier set of
LSOAs with the reason it changed, so figures can always be traced to the boundary they describe.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from commonground.places.models import Area


class Neighbourhood(models.Model):
    class Kind(models.TextChoices):
        PRIDE_IN_PLACE = "pride_in_place", "Pride in Place neighbourhood"
        COMMUNITY_WEALTH_FUND = "community_wealth_fund", "Community Wealth Fund neighbourhood"
        BIG_LOCAL = "big_local", "Big Local area"
        PARISH = "parish", "Parish or neighbourhood forum"
        WARD = "ward", "Council ward"
        OTHER = "other", "Other neighbourhood"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(blank=True)
    councils = models.ManyToManyField(Area, related_name="neighbourhoods", help_text="Local authorities it lies in.")
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("neighbourhoods:detail", args=[self.slug])

    @property
    def boundary(self) -> Boundary | None:
        """The current boundary: the latest version."""
        return self.boundaries.order_by("-version").first()


class Boundary(models.Model):
    """One version of a neighbourhood's boundary: the LSOAs (of one vintage) it is made of."""

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="boundaries")
    version = models.PositiveIntegerField()
    vintage = models.CharField(max_length=32, default="lsoa21", help_text="Area type of its LSOAs, e.g. lsoa21.")
    lsoas = models.JSONField(help_text="LSOA codes, sorted.")
    drawn_from = models.CharField(max_length=200, blank=True, help_text="e.g. ward E05011232, MSOA E02001234, a list")
    reason = models.CharField(max_length=300, blank=True)
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["neighbourhood", "version"], name="one_boundary_per_version")]
        ordering = ["neighbourhood", "version"]

    def __str__(self) -> str:
        return f"{self.neighbourhood} v{self.version} ({len(self.lsoas)} LSOAs)"


# Its body ---------------------------------------------------------------------------------------------------


class Board(models.Model):
    """The neighbourhood's board or partnership: who sits on it, and whether its membership is approved."""

    class Kind(models.TextChoices):
        BOARD = "board", "Neighbourhood board"
        PARTNERSHIP = "partnership", "Partnership"

    neighbourhood = models.OneToOneField(Neighbourhood, on_delete=models.CASCADE, related_name="board")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.BOARD)
    la_approved_on = models.DateField(null=True, blank=True)
    la_approved_by = models.CharField(
        max_length=300, blank=True, help_text="Who approved for the council, e.g. 'Cabinet, decision CAB/2026/14'."
    )
    mp_approved_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        # "The local authority and the local MP must also approve the final board selection" (HCWS, 3 Dec 2025).
        return self.la_approved_on is not None and self.mp_approved_on is not None


class MemberQuerySet(models.QuerySet):
    def serving(self, on):
        """Members sitting on the board on a date: their term has begun, not ended, and they have not left."""
        return self.filter(
            models.Q(term_ends__isnull=True) | models.Q(term_ends__gte=on),
            models.Q(left_on__isnull=True) | models.Q(left_on__gt=on),
            term_starts__lte=on,
        )


class BoardMember(models.Model):
    """A seat on the board held by a person for a term; linked to an account, it carries the board member role."""

    class Seat(models.TextChoices):
        # Seats named in the ministerial statement of 3 Dec 2025 and the MHCLG explainer of 10 Nov 2025.
        INDEPENDENT_CHAIR = "independent_chair", "Independent chair"
        RESIDENT = "resident", "Resident"
        WARD_COUNCILLOR = "ward_councillor", "Ward councillor"
        MP = "mp", "Member of Parliament"
        COMMUNITY = "community", "Voluntary or community sector"
        FAITH = "faith", "Faith"
        BUSINESS = "business", "Business"
        WORKPLACE = "workplace", "Workplace representative"
        OFFICER_OBSERVER = "officer_observer", "Council officer (observer, does not vote)"
        OTHER = "other", "Other"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    seat = models.CharField(max_length=20, choices=Seat.choices)
    organisation = models.CharField(max_length=200, blank=True)
    term_starts = models.DateField()
    term_ends = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True, help_text="The first day they were no longer a member.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="board_seats"
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["board", "term_starts", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_ends__isnull=True) | models.Q(term_ends__gte=models.F("term_starts")),
                name="member_term_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:  # no name: this label reaches the audit log
        return f"member {self.pk} ({self.get_seat_display()}) of {self.board}"

    @property
    def can_vote(self) -> bool:
        return self.seat != self.Seat.OFFICER_OBSERVER


class Interest(models.Model):
    """One entry in a member's register of interests (Nolan principles: declare and resolve interests)."""

    member = models.ForeignKey(BoardMember, on_delete=models.CASCADE, related_name="interests")
    interest = models.CharField(max_length=500)
    declared_on = models.DateField()
    mitigation = models.CharField(max_length=500, blank=True, help_text="How it is managed, e.g. leaves the room.")

    class Meta:
        ordering = ["member", "declared_on", "id"]

    def __str__(self) -> str:
        return f"interest {self.pk} of member {self.member_id}"


class Meeting(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200, default="Board meeting")
    held_on = models.DateField()
    place = models.CharField(max_length=300, blank=True)
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title}, {self.held_on:%-d %B %Y}"


def _paper_path(paper: Paper, filename: str) -> str:
    """Under MEDIA_ROOT, named by a random token: the uploader's file name never reaches the file system."""
    return f"neighbourhoods/meetings/{paper.meeting_id}/{uuid.uuid4().hex}.{paper.kind}"


class Paper(models.Model):
    """A meeting paper: a PDF, Word, OpenDocument or plain text file, checked by its content."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word document"
        ODT = "odt", "OpenDocument text"
        TXT = "txt", "Plain text"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    file = models.FileField(upload_to=_paper_path, max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    """What the board decided on one item; members with a relevant declared interest do not vote on it."""

    class Outcome(models.TextChoices):
        AGREED = "agreed", "Agreed"
        REJECTED = "rejected", "Not agreed"
        DEFERRED = "deferred", "Deferred"
        NOTED = "noted", "Noted"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True, help_text="What was resolved, in full.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    conflicts = models.ManyToManyField(Interest, blank=True, related_name="decisions")

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="one_decision_per_number")]

    def __str__(self) -> str:
        return f"decision {self.number} of {self.meeting}"


class Vote(models.Model):
    class Choice(models.TextChoices):
        FOR = "for", "For"
        AGAINST = "against", "Against"
        ABSTAIN = "abstain", "Abstained"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(BoardMember, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["decision", "member"], name="one_vote_per_member")]

    def __str__(self) -> str:
        return f"vote of member {self.member_id} on {self.decision}"


# Its plan ---------------------------------------------------------------------------------------------------

# "a 10-year vision and 4-year investment plan" (PiPP governance and boundary guidance, 3 Dec 2025); period 1 is
# "the 2026 to 2027 financial year to the 2029 to 2030 financial year" (PiPP funding profiles and timelines).
HORIZON_YEARS = 10
INVESTMENT_YEARS = 4


def financial_year(start: int) -> str:
    """2026 -> "2026-27"."""
    return f"{start}-{(start + 1) % 100:02d}"


class StrategicObjective(models.Model):
    """One of the programme's strategic objectives, kept as data site admins may edit."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source_note = models.CharField(max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class InterventionTheme(models.Model):
    """A heading of the published list of interventions a plan may fund without a business case."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source_note = models.CharField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True, help_text="Offered for new objectives; old plans keep theirs.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """One version of a neighbourhood's plan. Drafts change; an approved or published version never does: a
    later edit starts a new draft version, and publishing stores the version as it was (`snapshot`)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved by the board"
        PUBLISHED = "published", "Published"

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    first_year = models.PositiveSmallIntegerField(
        default=2026, help_text="The first financial year of the investment plan: 2026 means 2026-27."
    )
    local_context = models.TextField(blank=True)
    vision = models.TextField(blank=True)
    vision_statement = models.TextField(blank=True)
    case_for_change = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_on = models.DateField(null=True, blank=True)
    approved_by_decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="plans_approved"
    )
    approved_by_chair = models.ForeignKey(
        BoardMember, null=True, blank=True, on_delete=models.PROTECT, related_name="plans_approved"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    next_ref = models.PositiveSmallIntegerField(default=1, help_text="The next objective's ref, never reused.")
    snapshot = models.JSONField(null=True, blank=True, help_text="The version as published, exported.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["neighbourhood", "version"]
        constraints = [models.UniqueConstraint(fields=["neighbourhood", "version"], name="one_plan_per_version")]

    def __str__(self) -> str:
        return f"{self.neighbourhood} plan v{self.version}"

    @property
    def years(self) -> list[str]:
        """The financial years of its investment plan."""
        return [financial_year(self.first_year + i) for i in range(INVESTMENT_YEARS)]

    @property
    def horizon(self) -> tuple[str, str]:
        """The first and last financial years of its vision."""
        return financial_year(self.first_year), financial_year(self.first_year + HORIZON_YEARS - 1)


class Objective(models.Model):
    """What the plan sets out to do: a theme from the list (or none: a business case is needed), the strategic
    objectives it serves and the wellbeing measures that should show it. `ref` stays the same across versions,
    so other apps can file funded projects under it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    ref = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    theme = models.ForeignKey(InterventionTheme, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    strategic = models.ManyToManyField(StrategicObjective, blank=True, related_name="+")
    measures = models.ManyToManyField("outcomes.WellbeingMeasure", blank=True, related_name="neighbourhood_objectives")

    class Meta:
        ordering = ["plan", "ref"]
        constraints = [models.UniqueConstraint(fields=["plan", "ref"], name="one_objective_per_ref")]

    def __str__(self) -> str:
        return f"objective {self.ref}: {self.title}"


class Investment(models.Model):
    """Money planned for one financial year from one source, split into capital and revenue, in pence."""

    class Source(models.TextChoices):
        PRIDE_IN_PLACE = "pride_in_place", "Pride in Place"
        COMMUNITY_WEALTH_FUND = "community_wealth_fund", "Community Wealth Fund"
        NEIGHBOURHOOD_CIL = "neighbourhood_cil", "Neighbourhood CIL"
        S106 = "s106", "Section 106"
        COUNCIL = "council", "Council"
        OTHER = "other", "Other"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="investments")
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="investments"
    )
    year = models.CharField(max_length=7, help_text="A financial year, e.g. 2026-27.")
    source = models.CharField(max_length=24, choices=Source.choices)
    capital_pence = models.BigIntegerField(default=0)
    revenue_pence = models.BigIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "year", "source", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capital_pence__gte=0, revenue_pence__gte=0)
                & (models.Q(capital_pence__gt=0) | models.Q(revenue_pence__gt=0)),
                name="investment_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.year}"


class EngagementEvent(models.Model):
    """A listening event, survey, workshop or forum: who took part (counts by age band and by area, no names),
    what they said and how the plan changed because of it."""

    class Kind(models.TextChoices):
        # "listening campaigns, community conversations, community workshops or resident forums" (PiPP Plans).
        LISTENING = "listening", "Listening event"
        CONVERSATION = "conversation", "Community conversation"
        SURVEY = "survey", "Survey"
        WORKSHOP = "workshop", "Workshop"
        FORUM = "forum", "Resident forum"
        OTHER = "other", "Other"

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="engagement")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    held_on = models.DateField()
    place = models.CharField(max_length=300)
    participants = models.PositiveIntegerField()
    ages = models.JSONField(default=dict, help_text="People by age band key (0_15, 16_64, 65_plus).")
    areas = models.JSONField(default=dict, help_text="People by LSOA code of the neighbourhood, or 'outside'.")
    heard = models.TextField(help_text="What people said.")
    changed = models.TextField(blank=True, help_text="How it changed the plan.")
    objectives = models.ManyToManyField(Objective, blank=True, related_name="engagement")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.held_on:%-d %B %Y}"


# Its verified residents -------------------------------------------------------------------------------------


class VerificationRequest(models.Model):
    """A resident asks to be verified as living in the neighbourhood; an officer in scope checks evidence and
    decides. The name, address and postcode are seen only by officers who verify residents there, and are
    erased COMMONGROUND_VERIFICATION_KEEP_DAYS after the decision; what stays is who asked (account id),
    where, when, the kinds of evidence seen and the outcome."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for an officer"
        APPROVED = "approved", "Verified"
        REFUSED = "refused", "Not verified"

    class PostcodeCheck(models.TextChoices):
        INSIDE = "inside", "In the neighbourhood (checked against the postcode lookup)"
        NO_LOOKUP = "no_lookup", "Not checked: no postcode lookup is loaded for this area"

    class Reply(models.TextChoices):
        EMAIL = "email", "By email"
        LETTER = "letter", "By post, to the address above"

    class Evidence(models.TextChoices):
        # The kind of document or check only: never the document, its number or what it says.
        COUNCIL_TAX = "council_tax", "Council tax bill"
        TENANCY = "tenancy", "Tenancy agreement or rent book"
        UTILITY = "utility", "Utility bill (gas, electricity, water, broadband)"
        ELECTORAL_REGISTER = "electoral_register", "Electoral register check"
        BANK = "bank", "Bank or building society statement"
        BENEFITS = "benefits", "Letter about benefits or a pension"
        PUBLIC_BODY = "public_body", "Letter from a GP, school or other public body"

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="verification_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification_requests")
    full_name = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    reply_by = models.CharField(max_length=8, choices=Reply.choices, default=Reply.EMAIL)
    postcode_check = models.CharField(max_length=10, choices=PostcodeCheck.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    evidence = models.JSONField(default=list, blank=True, help_text="Kinds of evidence seen (Evidence values).")
    reason = models.TextField(blank=True, help_text="Why the request was refused, as told to the resident.")
    asked_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["neighbourhood", "user"], condition=models.Q(status="waiting"), name="one_waiting_request"
            )
        ]

    def __str__(self) -> str:  # no name or address: this label reaches the audit log and notices
        return f"verification request {self.pk}"

    def audit_label(self) -> str:
        return str(self)

    @property
    def evidence_labels(self) -> list[str]:
        labels = dict(self.Evidence.choices)
        return [labels.get(kind, kind) for kind in self.evidence]
