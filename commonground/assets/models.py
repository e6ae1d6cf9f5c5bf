"""Assets of community value: the register, each case's timeline, and the ownership register
(titles and proprietors in HM Land Registry's company-ownership layout). Notices to the parties go
through the one outbox, commonground.notify.

A case's state is never edited directly: it is the replay of its CaseEvents through
`commonground.engine.asset_case`, so the rules live in one place. `Asset.status` is a cache for
filtering, refreshed on every step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from commonground.engine import clocks
from commonground.engine.asset_rules import BodyKind, ExemptGround, LandUse
from commonground.engine.asset_status import Status
from commonground.engine.rental_auctions import DesignationStatus, HighStreetUse, LettingStatus
from commonground.places.models import Area

RULESET_CHOICES = [(r.key, f"{r.key} ({r.status})") for r in clocks.RULESETS.values()]


class Council(models.Model):
    """A listing council (in two-tier areas, the district), its local authority area (the GSS code that
    scopes its officers' roles and its notices), its planning.data organisation CURIE, and the rule set
    it chooses for new cases (used once that rule set is in force)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    ruleset = models.CharField(max_length=20, choices=RULESET_CHOICES, default=clocks.DEFAULT_RULESET)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"area_type__level": "local_authority"},
        help_text="The local authority area (GSS code): officers with a role for it run this council's cases",
    )
    organisation = models.CharField(
        max_length=60, blank=True, help_text="planning.data.gov.uk organisation, e.g. local-authority:CMD"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Asset(models.Model):
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="assets")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=400)
    postcode = models.CharField(max_length=10, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True, db_index=True, help_text="The council's reference")
    geometry = models.TextField(blank=True, help_text="Boundary as WKT (WGS84), from the council's published list")
    land_use = models.CharField(max_length=20, choices=[(u.value, u.value) for u in LandUse], default=LandUse.COMMUNITY)
    community_use = models.TextField(
        help_text="How its use furthers the social wellbeing or interests of the community"
    )
    # Fixed when the case starts (never mixed inside a case).
    ruleset = models.CharField(max_length=20, choices=RULESET_CHOICES, default=clocks.DEFAULT_RULESET)
    status = models.CharField(max_length=24, choices=[(s.value, s.label) for s in Status], default=Status.NOMINATED)
    title_number = models.CharField(max_length=20, blank=True, help_text="HM Land Registry title number")
    owner_name = models.CharField(max_length=200, blank=True)
    owner_email = models.EmailField(blank=True)
    vacant_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def status_label(self) -> str:
        return Status(self.status).label


class Nomination(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", "Awaiting decision"
        LISTED = "listed", "Listed"
        NOT_LISTED = "not_listed", "Not listed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="nominations")
    body_name = models.CharField(max_length=200)
    body_kind = models.CharField(max_length=40, choices=[(k.value, k.label) for k in BodyKind])
    local_connection = models.BooleanField()
    distributes_surplus = models.BooleanField(default=False)
    members_on_register = models.PositiveIntegerField(default=0)
    contact_email = models.EmailField()
    received_on = models.DateField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    decided_on = models.DateField(null=True, blank=True)
    reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.asset} nominated by {self.body_name}"


class Evidence(models.Model):
    """A file uploaded with a nomination; kept in the database so nothing depends on a media folder."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="evidence")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename


class BidRequest(models.Model):
    """A community interest group's written request to be treated as a potential bidder (s.95(3), s.98)."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="bid_requests")
    body_name = models.CharField(max_length=200)
    body_kind = models.CharField(max_length=40, choices=[(k.value, k.label) for k in BodyKind])
    contact_email = models.EmailField()
    received_on = models.DateField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.body_name} asked to bid for {self.asset}"


class TimelineEvent(models.Model):
    """One recorded step (the engine's step name, its date and arguments): a line of a case's timeline."""

    step = models.CharField(max_length=40)
    on = models.DateField()
    arguments = models.JSONField(default=dict, blank=True)
    summary = models.CharField(max_length=400)
    reasons = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on}: {self.summary}"


class CaseEvent(TimelineEvent):
    """A step of an asset's case."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="events")


class Sale(models.Model):
    """A disposal of listed land, with the ground that made it lawful."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="sales")
    on = models.DateField()
    to_community_interest_group = models.BooleanField()
    buyer_name = models.CharField(max_length=200, blank=True)
    exempt_ground = models.CharField(max_length=40, blank=True, choices=[(g.value, g.label) for g in ExemptGround])
    lawful_because = models.CharField(max_length=300)

    def __str__(self) -> str:
        return f"{self.asset} sold {self.on}"


class Title(models.Model):
    """One registered title as HM Land Registry's UK / overseas company ownership datasets describe it."""

    class Dataset(models.TextChoices):
        UK = "uk", "UK companies"
        OVERSEAS = "overseas", "Overseas companies"

    title_number = models.CharField(max_length=20, unique=True)
    tenure = models.CharField(max_length=20, blank=True)
    property_address = models.TextField(blank=True)
    district = models.CharField(max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    multiple_address = models.BooleanField(default=False)
    price_paid_pence = models.BigIntegerField(null=True, blank=True)
    date_proprietor_added = models.DateField(null=True, blank=True)
    vacant_since = models.DateField(
        null=True, blank=True, help_text="Empty since (optional 'Vacant Since' column; not in HM Land Registry's data)"
    )
    additional_proprietor = models.BooleanField(default=False)
    dataset = models.CharField(max_length=10, choices=Dataset.choices, default=Dataset.UK)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title_number"]

    def __str__(self) -> str:
        return self.title_number


class Proprietor(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="proprietors")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300, db_index=True)
    company_number = models.CharField(max_length=20, blank=True, db_index=True)
    category = models.CharField(max_length=100, blank=True)
    country_incorporated = models.CharField(max_length=100, blank=True)
    address = models.TextField(blank=True)

    class Meta:
        ordering = ["title", "position"]

    def __str__(self) -> str:
        return self.name


class BuyoutApplication(models.Model):
    """An application to the (proposed) High Street Buyout Fund, with the community's use plan."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        AWARDED = "awarded", "Awarded"
        DECLINED = "declined", "Declined"

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="buyout_applications")
    body_name = models.CharField(max_length=200)
    body_kind = models.CharField(max_length=40, choices=[(k.value, k.label) for k in BodyKind])
    contact_email = models.EmailField()
    purchase_price_pence = models.BigIntegerField()
    requested_pence = models.BigIntegerField()
    match_funding_pence = models.BigIntegerField(default=0)
    use_plan = models.TextField(help_text="What the community will use the building for, and who it serves")
    running_costs_plan = models.TextField(help_text="How the building will pay its way")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(requested_pence__gt=0), name="buyout_request_positive"),
            models.CheckConstraint(
                condition=models.Q(requested_pence__lte=models.F("purchase_price_pence")),
                name="buyout_request_within_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body_name}: {self.asset}"


# --- High street rental auctions (LURA 2023 Part 10; SI 2024/1139) --------------------------------------------


class HighStreet(models.Model):
    """A designated high street or town centre (LURA 2023 s.191); its steps replay through the engine."""

    class Kind(models.TextChoices):
        STREET = "street", "High street (s.191(1))"
        TOWN_CENTRE = "town_centre", "Town centre (s.191(2))"

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="high_streets")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.STREET)
    description = models.TextField(help_text="Which streets or area it covers (the public list describes it, s.191(5))")
    status = models.CharField(
        max_length=12, choices=[(s.value, s.label) for s in DesignationStatus], default=DesignationStatus.ENGAGING
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["council__name", "name"]

    def __str__(self) -> str:
        return self.name


class HighStreetEvent(models.Model):
    high_street = models.ForeignKey(HighStreet, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(max_length=30)
    on = models.DateField()
    summary = models.CharField(max_length=300)
    reasons = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on}: {self.summary}"


class Letting(models.Model):
    """Long-vacant premises on a designated high street and its rental auction case (LURA 2023 ss.193-218).
    The landlord's name and email are for notices and officers only: never on public pages."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="lettings")
    high_street = models.ForeignKey(HighStreet, on_delete=models.PROTECT, related_name="lettings")
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="lettings")
    address = models.CharField(max_length=400)
    postcode = models.CharField(max_length=10, blank=True)
    title_number = models.CharField(max_length=20, blank=True)
    suitable_use = models.CharField(max_length=20, choices=[(u.value, u.label) for u in HighStreetUse], blank=True)
    landlord_name = models.CharField(max_length=200, blank=True)
    landlord_email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=20, choices=[(s.value, s.label) for s in LettingStatus], default=LettingStatus.IDENTIFIED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.address

    @property
    def status_label(self) -> str:
        return LettingStatus(self.status).label


class Occupation(models.Model):
    """A span of substantial, sustained occupation of the premises (both days inside; blank: open-ended)."""

    letting = models.ForeignKey(Letting, on_delete=models.CASCADE, related_name="occupations")
    occupied_from = models.DateField(null=True, blank=True)
    occupied_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["occupied_from", "id"]

    def __str__(self) -> str:
        return f"occupied {self.occupied_from or 'before records'} to {self.occupied_to or 'now'}"


class LettingEvent(TimelineEvent):
    """A step of a high street rental auction's letting."""

    letting = models.ForeignKey(Letting, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(max_length=30)
    summary = models.CharField(max_length=300)
