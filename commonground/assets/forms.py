"""Nomination, bid request, council decision and owner-step forms. Eligibility questions are checked
against the same engine guards the case uses, and a disqualifying answer says why."""

from __future__ import annotations

from django import forms

from commonground.assets.auctions import LETTING_ACTIONS
from commonground.assets.models import Council, HighStreet
from commonground.assets.services import EVIDENCE_MAX_BYTES, OFFICER_STEPS
from commonground.core.forms import LineField, TextField, date_field, pounds_field
from commonground.engine import clocks
from commonground.engine import rental_auctions as hsra
from commonground.engine.asset_rules import (
    Body,
    BodyKind,
    ExemptGround,
    LandUse,
    UseWhen,
    ValueClaim,
    may_be_listed,
    may_bid,
    may_nominate,
)

YES_NO = [("yes", "Yes"), ("no", "No")]
BODY_CHOICES = [(k.value, k.label) for k in BodyKind]
LAND_USE_CHOICES = [
    (LandUse.COMMUNITY.value, "A building or land used by the community (pub, shop, library, hall, green space...)"),
    (LandUse.SPORTS_GROUND.value, "A sports ground or playing field"),
    (LandUse.RESIDENCE.value, "A home, or a building partly used as a home"),
    (LandUse.CARAVAN_SITE.value, "A licensed caravan site"),
    (LandUse.OPERATIONAL_LAND.value, "Operational land of a statutory undertaker (railway, water, energy...)"),
]


def yes_no(label: str, help_text: str = "", what: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": f"Select yes or no{': ' + what if what else ''}"},
    )


class GroupQuestions(forms.Form):
    """Who is asking: the eligibility questions shared by nominating and asking to bid."""

    body_name = LineField(
        label="Name of your group", max_length=200, error_messages={"required": "Enter the name of your group"}
    )
    body_kind = forms.ChoiceField(
        label="What kind of group is it?",
        choices=BODY_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of group it is"},
    )
    local_connection = yes_no(
        "Are your group's activities wholly or partly in this council's area or a neighbouring one?",
        what="whether your group has a local connection",
    )
    distributes_surplus = yes_no(
        "Does your group share out any profit (surplus) to its members?",
        "Charities, CICs and parish councils can answer no.",
        what="whether your group shares out profit",
    )
    members_on_register = forms.IntegerField(
        label="Unincorporated groups only: how many members are on the local electoral register?",
        help_text="The register of this council or a neighbouring one. Leave blank for other kinds of group.",
        required=False,
        min_value=0,
        max_value=1_000_000,
        error_messages={"invalid": "Enter the number of members as a whole number, like 25"},
    )
    contact_email = forms.EmailField(
        label="Email address for notices about this asset",
        error_messages={
            "required": "Enter an email address for notices",
            "invalid": "Enter an email address like name@example.org",
        },
    )

    def body(self) -> Body:
        data = self.cleaned_data
        return Body(
            BodyKind(data["body_kind"]),
            local_connection=data["local_connection"] == "yes",
            distributes_surplus=data["distributes_surplus"] == "yes",
            members_on_register=data.get("members_on_register") or 0,
        )

    def check_group(self, verdict_of) -> None:
        required = ("body_kind", "local_connection", "distributes_surplus")
        if any(name not in self.cleaned_data for name in required):
            return
        verdict = verdict_of(self.body())
        if not verdict.allowed:
            field = "members_on_register" if "members" in " ".join(verdict.reasons) else "body_kind"
            for reason in verdict.reasons:
                self.add_error(field, f"Your group cannot do this: {reason} ({verdict.citation})")


class NominationForm(GroupQuestions):
    council = LineField(
        label="Council",
        max_length=200,
        help_text="The district or unitary council for the area",
        error_messages={"required": "Enter the council for the area"},
    )
    name = LineField(
        label="Name of the building or land",
        max_length=200,
        error_messages={"required": "Enter the name of the building or land"},
    )
    address = LineField(label="Address", max_length=400, error_messages={"required": "Enter the address"})
    postcode = LineField(label="Postcode", max_length=10, required=False)
    latitude = forms.FloatField(label="Latitude (optional, for the map)", required=False, min_value=49, max_value=61)
    longitude = forms.FloatField(label="Longitude (optional, for the map)", required=False, min_value=-9, max_value=3)
    land_use = forms.ChoiceField(
        label="What is it?",
        choices=LAND_USE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the building or land is"},
    )
    community_use = TextField(
        label="How does its use further the wellbeing or interests of the local community?",
        help_text="Say what it is used for now or was used for, and why that use can continue or return within "
        "five years (Localism Act 2011 s.88; from the 2026 Act, economic as well as social wellbeing counts).",
        rows=5,
        error_messages={"required": "Say how the building or land serves the community"},
    )
    use_when = forms.ChoiceField(
        label="When was it used this way?",
        choices=[
            (UseWhen.CURRENT.value, "It is used this way now"),
            (UseWhen.RECENT_PAST.value, "In the recent past"),
            (UseWhen.EARLIER_PAST.value, "Longer ago"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select when it was used this way"},
    )
    furthers = forms.ChoiceField(
        label="What does the use further?",
        choices=[
            ("social", "The community's social wellbeing or interests (including cultural, recreational, sporting)"),
            ("economic", "The community's economic wellbeing or interests"),
            ("both", "Both"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the use furthers"},
    )
    realistic_future = yes_no(
        "Is it realistic to think the use can continue, or return within the next five years?",
        what="whether the use can continue or return",
    )
    vacant_since = forms.DateField(
        label="If it is empty, since when? (optional)",
        required=False,
        help_text="For example, 2025-01-31",
        error_messages={"invalid": "Enter the date as year-month-day, like 2025-01-31"},
    )
    evidence = forms.FileField(
        label="Evidence (optional)",
        required=False,
        help_text="A PDF, JPEG, PNG or text file up to 5 MB: photos, a petition, minutes",
    )

    field_order = [
        "council",
        "name",
        "address",
        "postcode",
        "latitude",
        "longitude",
        "land_use",
        "community_use",
        "use_when",
        "furthers",
        "realistic_future",
        "vacant_since",
        "body_name",
        "body_kind",
        "local_connection",
        "distributes_surplus",
        "members_on_register",
        "contact_email",
        "evidence",
    ]

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload and upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError("The evidence file must be smaller than 5 MB")
        return upload

    def claim(self) -> ValueClaim:
        data = self.cleaned_data
        return ValueClaim(
            UseWhen(data["use_when"]),
            social=data["furthers"] in ("social", "both"),
            economic=data["furthers"] in ("economic", "both"),
            realistic_future=data["realistic_future"] == "yes",
        )

    def clean(self):
        data = super().clean()
        self.check_group(may_nominate)
        if data.get("land_use"):
            verdict = may_be_listed(LandUse(data["land_use"]))
            if not verdict.allowed:
                self.add_error("land_use", f"This cannot be listed: {verdict.reasons[0]} ({verdict.citation})")
        return data


class BidRequestForm(GroupQuestions):
    def clean(self):
        data = super().clean()
        self.check_group(may_bid)
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("listed", "List it as an asset of community value"), ("not_listed", "Do not list it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to list it"},
    )
    reasons = TextField(
        label="Reasons",
        rows=5,
        help_text="Sent to the nominator and the owner, and shown on the register",
        error_messages={"required": "Give the reasons for the decision"},
    )
    on = date_field("Date of the decision", "the date of the decision", "2026-03-01")


class DisposalNoticeForm(forms.Form):
    on = date_field("Date the council received the owner's notice", "the date the notice was received", "2026-03-02")
    owner_name = LineField(label="Owner's name", max_length=200, required=False)
    owner_email = forms.EmailField(label="Owner's email address (optional)", required=False)


class BidDateForm(forms.Form):
    on = date_field("Date the council received the request", "the date the request was received", "2026-03-20")


FIRST_REFUSAL_ACTIONS = {
    "offer_to_group",
    "request_valuation",
    "request_progress_check",
    "find_progress_sufficient",
    "find_progress_insufficient",
}


class StepForm(forms.Form):
    action = forms.ChoiceField(
        label="What happened",
        choices=[(k, v[0]) for k, v in OFFICER_STEPS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened"},
    )

    def __init__(self, *args, rules: clocks.RuleSet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if rules is not None and not rules.right_of_first_refusal:
            self.fields["action"].choices = [
                (k, v[0]) for k, v in OFFICER_STEPS.items() if k not in FIRST_REFUSAL_ACTIONS
            ]

    on = date_field("Date it happened", "the date it happened", "2026-04-01")
    reasons = TextField(label="Reasons or notes (optional)", required=False, rows=3)


class SaleForm(forms.Form):
    on = date_field("Date of the sale", "the date of the sale", "2026-10-01")
    buyer_name = LineField(label="Buyer", max_length=200, required=False)
    to_community_interest_group = forms.BooleanField(label="The buyer is a community interest group", required=False)
    exempt_ground = forms.ChoiceField(
        label="Exempt disposal? (optional)",
        required=False,
        choices=[("", "Not exempt")] + [(g.value, f"{g.label} ({g.citation})") for g in ExemptGround],
    )


RULESET_LABELS = [(r.key, f"{r.title}: {clocks.in_force_note(r)}") for r in clocks.RULESETS.values()]


class RulesetForm(forms.Form):
    ruleset = forms.ChoiceField(
        label="Rule set for this case",
        choices=RULESET_LABELS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a rule set"},
    )


class PriceForm(forms.Form):
    """The price of the community group's purchase under its first refusal (2026 Act)."""

    how = forms.ChoiceField(
        label="How was the price fixed?",
        choices=[("agreed", "Agreed by the owner and the group"), ("valuation", "Set by an independent valuer")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the price was fixed"},
    )
    price = pounds_field("Price, in pounds", what="price", help_text="For example, 450000")
    valuer = forms.CharField(label="Valuer (independent valuation only)", max_length=200, required=False)
    on = date_field("Date the price was agreed or the valuation given", "the date", "2027-07-01")


class CouncilForm(forms.Form):
    code = forms.CharField(
        label="Local authority area (GSS code)",
        max_length=9,
        required=False,
        help_text="For example, E09000007. Council officers with a role for this code run its cases.",
    )
    organisation = forms.CharField(
        label="planning.data organisation", max_length=60, required=False, help_text="For example, local-authority:CMD"
    )
    ruleset = forms.ChoiceField(label="Rule set for new cases", choices=RULESET_LABELS, widget=forms.RadioSelect)


class VacancyForm(forms.Form):
    vacant_since = forms.DateField(
        label="Vacant since (leave blank if in use)",
        required=False,
        error_messages={"invalid": "Enter the date as year-month-day, like 2025-01-31"},
    )


class OwnershipImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file in HM Land Registry's UK or overseas companies ownership layout",
        error_messages={"required": "Choose a CSV file"},
    )


class BuyoutForm(BidRequestForm):
    purchase_price = pounds_field("Purchase price, in pounds", what="purchase price", whole_pounds=True,
                                  help_text="For example, 450000")  # fmt: skip
    requested = pounds_field("Amount asked for from the fund, in pounds", what="amount asked for", whole_pounds=True)
    match_funding = pounds_field("Match funding already raised (community shares, loans, grants), in pounds",
                                 what="match funding", whole_pounds=True, required=False)  # fmt: skip
    use_plan = TextField(
        label="Your use plan: what the building will be used for, and who it serves",
        rows=6,
        error_messages={"required": "Describe how the community will use the building"},
    )
    running_costs_plan = TextField(
        label="How will the building pay its way?",
        rows=4,
        error_messages={"required": "Say how the running costs will be met"},
    )

    def clean_match_funding(self) -> int:
        return self.cleaned_data["match_funding"] or 0


# --- high street rental auctions ------------------------------------------------------------------------


class HighStreetForm(forms.Form):
    council = forms.ModelChoiceField(
        label="Council", queryset=Council.objects.all(), empty_label=None,
        error_messages={"required": "Select the council"},
    )  # fmt: skip
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter a name"})
    kind = forms.ChoiceField(
        label="What is it?", choices=HighStreet.Kind.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select a high street or a town centre"},
    )  # fmt: skip
    description = TextField(
        label="Which streets or area does it cover?",
        rows=4,
        help_text="The public list describes every designation (LURA 2023 s.191(5))",
        error_messages={"required": "Describe the streets or area"},
    )
    on = date_field("Date community engagement began", "the date engagement began", "2025-01-06")


class DesignationStepForm(forms.Form):
    action = forms.ChoiceField(
        label="What happened",
        choices=[
            ("designate", "Designated (at least 28 days after engagement began)"),
            ("vary", "Designation varied"),
            ("withdraw", "Designation withdrawn"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened"},
    )
    on = date_field("Date", "the date", "2025-02-03")
    reasons = TextField(label="Notes (optional)", required=False, rows=3)


class LettingForm(forms.Form):
    high_street = forms.ModelChoiceField(
        label="Designated high street or town centre", queryset=HighStreet.objects.none(), empty_label=None,
        error_messages={"required": "Select the high street or town centre"},
    )  # fmt: skip
    address = forms.CharField(label="Address of the premises", max_length=400,
                              error_messages={"required": "Enter the address"})  # fmt: skip
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    title_number = forms.CharField(label="HM Land Registry title number (optional)", max_length=20, required=False)
    landlord_name = forms.CharField(label="Landlord's name (officers only)", max_length=200, required=False)
    landlord_email = forms.EmailField(label="Landlord's email address for notices (optional)", required=False)
    vacant_since = forms.DateField(
        label="Empty since (optional)", required=False, help_text="For example, 2025-01-31",
        error_messages={"invalid": "Enter the date as year-month-day, like 2025-01-31"},
    )  # fmt: skip

    def __init__(self, *args, high_streets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if high_streets is not None:
            self.fields["high_street"].queryset = high_streets


class OccupationForm(forms.Form):
    occupied_from = forms.DateField(
        label="Occupied from (blank: before our records)", required=False,
        error_messages={"invalid": "Enter the date as year-month-day, like 2024-01-31"},
    )  # fmt: skip
    occupied_to = forms.DateField(
        label="Occupied until, the last day (blank: still occupied)", required=False,
        error_messages={"invalid": "Enter the date as year-month-day, like 2024-06-30"},
    )  # fmt: skip
    note = forms.CharField(label="Note (optional)", max_length=200, required=False,
                           help_text="Substantial, sustained occupation only: not trespassers")  # fmt: skip


class LettingStepForm(forms.Form):
    action = forms.ChoiceField(
        label="What happened",
        choices=[(k, v[0]) for k, v in LETTING_ACTIONS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened"},
    )
    on = date_field("Date it happened (for a notice, the day it takes effect)", "the date it happened", "2026-03-02")
    use = forms.ChoiceField(
        label="Initial letting notice only: the suitable high-street use",
        choices=[("", "Not an initial letting notice")] + [(u.value, u.label) for u in hsra.HighStreetUse],
        required=False,
    )
    local_benefit = forms.BooleanField(
        label="Initial letting notice only: the council considers that occupying the premises for that use would "
        "benefit the local economy, society or environment",
        required=False,
    )
    warehouse = forms.BooleanField(
        label="The premises are, or were last used, wholly or mainly as a warehouse", required=False
    )
    grounds = forms.TypedMultipleChoiceField(
        label="Appeal only: the grounds (LURA 2023 Schedule 20)",
        choices=[(n, f"{n}. {text}") for n, text in hsra.APPEAL_GROUNDS.items()],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    years = forms.IntegerField(label="Tenancy only: years", required=False, min_value=0, max_value=5)
    months = forms.IntegerField(label="Tenancy only: and months", required=False, min_value=0, max_value=11)
    reasons = TextField(label="Notes (optional)", required=False, rows=3)

    def clean(self):
        data = super().clean()
        if data.get("action") == "serve_initial_notice" and not data.get("use"):
            self.add_error("use", "Select the suitable high-street use the notice names")
        if data.get("action") == "appeal" and not data.get("grounds"):
            self.add_error("grounds", "Select the grounds of appeal")
        if data.get("action") == "grant_lease" and not (data.get("years") or data.get("months")):
            self.add_error("years", "Enter how long the tenancy lasts (1 to 5 years)")
        return data
