"""Forms for a neighbourhood, its board, meetings and plan: GOV.UK patterns, no JavaScript needed."""

from __future__ import annotations

import re

from django import forms

from commonground.core.forms import LineField, TextField, date_field, pounds_field
from commonground.engine import population
from commonground.neighbourhoods.models import (
    HORIZON_YEARS,
    INVESTMENT_YEARS,
    Board,
    BoardMember,
    Decision,
    EngagementEvent,
    Interest,
    InterventionTheme,
    Investment,
    Meeting,
    Neighbourhood,
    Objective,
    Plan,
    StrategicObjective,
    VerificationRequest,
    Vote,
    financial_year,
)
from commonground.neighbourhoods.plans import VISION_STATEMENT_WORDS, words
from commonground.outcomes.framework import active_measures

_CODE = re.compile(r"^[A-Z]\d{8}$")


class NeighbourhoodForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the neighbourhood's name"})
    kind = forms.ChoiceField(
        label="Kind of neighbourhood",
        choices=Neighbourhood.Kind.choices,
        widget=forms.RadioSelect,
        initial=Neighbourhood.Kind.PRIDE_IN_PLACE,
    )
    ward = forms.CharField(
        label="Ward code", required=False, max_length=9,
        help_text="Its LSOAs become the neighbourhood, for example E05000650. Leave empty to list LSOAs instead.",
    )  # fmt: skip
    lsoas = forms.CharField(
        label="LSOA codes", required=False, max_length=40_000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One or more LSOA codes separated by commas, spaces or new lines, for example E01012049, E01012053",
    )  # fmt: skip
    description = forms.CharField(label="Description (optional)", required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def clean(self):
        data = super().clean()
        ward = (data.get("ward") or "").strip().upper()
        codes = [c.upper() for c in re.split(r"[\s,;]+", data.get("lsoas") or "") if c]
        if bool(ward) == bool(codes):
            raise forms.ValidationError("Enter a ward code or a list of LSOA codes, not both")
        bad = [c for c in [ward, *codes] if c and not _CODE.match(c)]
        if bad:
            field = "ward" if ward and not _CODE.match(ward) else "lsoas"
            self.add_error(field, f"{bad[0]} is not an ONS code: codes are a letter and 8 digits, like E01012049")
        data["ward"], data["codes"] = ward, codes
        return data


def _optional(field: forms.Field) -> forms.Field:
    field.required = False
    return field


def _text(label: str, rows: int = 5, required: bool = False, help_text: str = "", **kwargs) -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}), **kwargs)  # fmt: skip


# The board ---------------------------------------------------------------------------------------------------


class BoardForm(forms.Form):
    name = forms.CharField(label="Name of the board", max_length=200,
                           error_messages={"required": "Enter the board's name"})  # fmt: skip
    kind = forms.ChoiceField(label="Is it a board or a partnership?", choices=Board.Kind.choices,
                             widget=forms.RadioSelect, initial=Board.Kind.BOARD)  # fmt: skip


class ApprovalForm(forms.Form):
    la_approved_on = _optional(date_field("Date the council approved the membership (optional)",
                                          "the date the council approved it", "2026-06-30"))  # fmt: skip
    la_approved_by = forms.CharField(
        label="Who approved it for the council (optional)", required=False, max_length=300,
        help_text="A body or post and the decision reference, for example Cabinet, decision CAB/2026/14",
    )  # fmt: skip
    mp_approved_on = _optional(date_field("Date the MP approved the membership (optional)",
                                          "the date the MP approved it", "2026-07-01"))  # fmt: skip


class MemberForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter the member's name"})
    seat = forms.ChoiceField(label="Seat", choices=BoardMember.Seat.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select the member's seat"})  # fmt: skip
    organisation = forms.CharField(label="Organisation they represent (optional)", required=False, max_length=200)
    term_starts = date_field("Term starts", "the day the term starts", "2026-04-01")
    term_ends = _optional(date_field("Term ends (optional)", "the day the term ends", "2028-03-31"))
    left_on = _optional(date_field("Left the board on (optional)", "the day they left", "2027-01-15"))
    email = forms.EmailField(
        label="Email address of their Common Ground account (optional)", required=False,
        help_text="While they serve, the account may edit this neighbourhood's board, meetings and plan.",
    )  # fmt: skip


class InterestForm(forms.Form):
    interest = forms.CharField(label="Interest", max_length=500,
                               help_text="For example, trustee of Brookfield Community Centre",
                               error_messages={"required": "Describe the interest"})  # fmt: skip
    declared_on = date_field("Declared on", "the date it was declared", "2026-05-12")
    mitigation = forms.CharField(
        label="How it is managed (optional)", required=False, max_length=500,
        help_text="For example, leaves the room when the centre's funding is discussed",
    )  # fmt: skip


# Meetings ---------------------------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, initial="Board meeting")
    held_on = date_field("Date", "the date of the meeting", "2026-09-17")
    place = forms.CharField(label="Place (optional)", required=False, max_length=300)
    agenda = _text("Agenda (optional)", rows=6)
    minutes = _text("Minutes (optional)", rows=10, help_text="Add them once the meeting has been held.")


class PaperForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the paper's title"})
    file = forms.FileField(
        label="File", help_text="A PDF, Word (DOCX), OpenDocument (ODT) or plain text file up to 10 MB",
        error_messages={"required": "Choose a file"},
    )  # fmt: skip


class DecisionForm(forms.Form):
    title = forms.CharField(label="Item", max_length=300, help_text="For example, Approve the plan, version 2",
                            error_messages={"required": "Say what the decision was about"})  # fmt: skip
    text = _text("What was resolved (optional)", rows=4)
    outcome = forms.ChoiceField(label="Outcome", choices=Decision.Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Select the outcome"})  # fmt: skip
    conflicts = forms.ModelMultipleChoiceField(
        label="Declared interests relevant to this item (optional)", queryset=Interest.objects.none(),
        required=False, widget=forms.CheckboxSelectMultiple,
        help_text="These members do not vote on it. Add an interest to a member's register first.",
    )  # fmt: skip

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["conflicts"]
        field.queryset = Interest.objects.filter(member__board=meeting.board).select_related("member")
        field.label_from_instance = lambda i: f"{i.member.name}: {i.interest}"


class VotesForm(forms.Form):
    """One question per member who may vote: for, against, abstained, or nothing recorded."""

    def __init__(self, *args, voters, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "No vote recorded"), *Vote.Choice.choices]
        for member in voters:
            self.fields[f"member_{member.pk}"] = forms.ChoiceField(
                label=f"{member.name} ({member.get_seat_display()})", choices=choices, required=False,
                widget=forms.RadioSelect,
            )  # fmt: skip

    def choices(self) -> dict[int, str]:
        return {int(k.removeprefix("member_")): v for k, v in self.cleaned_data.items() if v}


# The plan ---------------------------------------------------------------------------------------------------


class PlanForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the plan's title"})
    first_year = forms.TypedChoiceField(
        label="First year of the investment plan", coerce=int, initial=2026,
        choices=[(y, financial_year(y)) for y in range(2024, 2036)],
        help_text=f"The investment plan covers {INVESTMENT_YEARS} financial years from this one; the vision "
                  f"{HORIZON_YEARS}. Pride in Place's first period starts in 2026-27.",
    )  # fmt: skip
    local_context = _text("Local context (optional)", help_text="The community, its history, identity, people, "
                                                                "economy and story so far.")  # fmt: skip
    vision = _text("The 10-year vision (optional)", rows=8, help_text="What the neighbourhood will be like in ten "
                                                                      "years, and how it gets there.")  # fmt: skip
    vision_statement = _text(
        "Vision statement (optional)", rows=6,
        help_text=f"A short statement of the vision: at most {VISION_STATEMENT_WORDS} words.",
    )  # fmt: skip
    case_for_change = _text("The case for change (optional)", rows=6,
                            help_text="The evidence of need and of opportunity.")  # fmt: skip

    def clean_vision_statement(self):
        text = self.cleaned_data["vision_statement"]
        if words(text) > VISION_STATEMENT_WORDS:
            raise forms.ValidationError(
                f"The vision statement must be {VISION_STATEMENT_WORDS} words or fewer: it has {words(text)}"
            )
        return text


class ObjectiveForm(forms.Form):
    title = forms.CharField(label="Objective", max_length=200,
                            error_messages={"required": "Enter the objective"})  # fmt: skip
    description = _text("Description (optional)", rows=4)
    theme = forms.ModelChoiceField(
        label="Theme from the list of interventions", queryset=InterventionTheme.objects.filter(is_active=True),
        required=False, widget=forms.RadioSelect, blank=True, empty_label="Not on the list: it needs a business case",
        help_text="Pride in Place's indicative list, as restated by councils; anything else needs a business case.",
    )  # fmt: skip
    strategic = forms.ModelMultipleChoiceField(
        label="Strategic objectives it serves", queryset=StrategicObjective.objects.all(),
        widget=forms.CheckboxSelectMultiple, error_messages={"required": "Select at least one strategic objective"},
    )  # fmt: skip
    measures = forms.ModelMultipleChoiceField(
        label="Wellbeing measures that should show it working (optional)", queryset=active_measures(),
        required=False, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip


class InvestmentForm(forms.Form):
    objective = forms.ModelChoiceField(label="Objective", queryset=Objective.objects.none(), required=False,
                                       empty_label="Not tied to one objective")  # fmt: skip
    year = forms.ChoiceField(label="Financial year")
    source = forms.ChoiceField(label="Source of the money", choices=Investment.Source.choices)
    capital = pounds_field("Capital (£)", what="capital money", required=False,
                           help_text="Buildings, land, equipment. For example, 250000")  # fmt: skip
    revenue = pounds_field("Revenue (£)", what="revenue money", required=False,
                           help_text="Staff, running costs, activities. For example, 40000")  # fmt: skip
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = plan.objectives.all() if plan.pk else Objective.objects.none()
        self.fields["year"].choices = [(y, y) for y in plan.years]

    def clean(self):
        data = super().clean()
        for field in ("capital", "revenue"):
            data[f"{field}_pence"] = data.get(field) or 0  # PoundsField cleans to pence (None when blank)
        if not self.errors and data["capital_pence"] + data["revenue_pence"] == 0:
            self.add_error("capital", "Enter the capital or revenue money, or both")
        return data


class ApprovePlanForm(forms.Form):
    how = forms.ChoiceField(
        label="How did the board approve it?", widget=forms.RadioSelect,
        choices=[("decision", "By a decision recorded at a board meeting"), ("chair", "I approve it as the chair")],
        error_messages={"required": "Select how the board approved it"},
    )  # fmt: skip
    decision = forms.ModelChoiceField(label="The decision (if by a meeting)", queryset=Decision.objects.none(),
                                      required=False, empty_label="Choose a decision")  # fmt: skip
    chair_on = _optional(date_field("Date you approved it (if as the chair)", "the date you approved it",
                                    "2026-11-30"))  # fmt: skip

    def __init__(self, *args, neighbourhood, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        field.queryset = Decision.objects.filter(meeting__board__neighbourhood=neighbourhood,
                                                 outcome=Decision.Outcome.AGREED).select_related("meeting")  # fmt: skip
        field.label_from_instance = lambda d: f"{d.meeting}: {d.number}. {d.title}"

    def clean(self):
        data = super().clean()
        if data.get("how") == "decision" and not data.get("decision"):
            self.add_error("decision", "Choose the decision that approved it")
        if data.get("how") == "chair" and not data.get("chair_on"):
            self.add_error("chair_on", "Enter the date you approved it")
        return data


class EngagementForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of event?", choices=EngagementEvent.Kind.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of event"},
    )  # fmt: skip
    held_on = date_field("Date", "the date it was held (or a survey closed)", "2026-06-20")
    place = forms.CharField(label="Where", max_length=300, help_text="For example, Brookfield library, or online",
                            error_messages={"required": "Say where it was held"})  # fmt: skip
    participants = forms.IntegerField(label="How many people took part", min_value=0,
                                      error_messages={"required": "Enter how many people took part"})  # fmt: skip
    heard = _text("What people said", rows=6, required=True, error_messages={"required": "Say what people said"})
    changed = _text("How it changed the plan (optional)", rows=4)
    objectives = forms.ModelMultipleChoiceField(label="Objectives it shaped (optional)",
                                                queryset=Objective.objects.none(), required=False,
                                                widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args, areas: list[tuple[str, str]], objectives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = objectives
        self.counts = {"ages": [], "areas": []}
        for band in population.AGE.bands:
            self._count("ages", band.key, f"Aged {band.label}")
        for key, label in areas:
            self._count("areas", key, f"From {label}" if key != "outside" else label)
        self.order_fields(["kind", "held_on", "place", "participants"])

    def _count(self, group: str, key: str, label: str) -> None:
        name = f"{group}_{key}"
        self.fields[name] = forms.IntegerField(
            label=f"{label} (optional)", required=False, min_value=0,
            widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
        )  # fmt: skip
        self.counts[group].append((key, name))

    def tallies(self) -> dict[str, dict[str, int]]:
        return {g: {k: self.cleaned_data.get(n) or 0 for k, n in names} for g, names in self.counts.items()}


# Verifying residents ----------------------------------------------------------------------------------------


class VerificationRequestForm(forms.Form):
    full_name = LineField(label="Full name", max_length=200, error_messages={"required": "Enter your full name"})
    address = TextField(
        label="Address", max_length=500, rows=3, help_text="Your home address, without the postcode",
        error_messages={"required": "Enter your address"},
    )  # fmt: skip
    postcode = LineField(
        label="Postcode", max_length=10, error_messages={"required": "Enter your postcode"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}),
    )  # fmt: skip
    reply_by = forms.ChoiceField(
        label="How should we tell you the decision?", choices=VerificationRequest.Reply.choices,
        widget=forms.RadioSelect, initial=VerificationRequest.Reply.EMAIL,
        error_messages={"required": "Choose how we should tell you"},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["address"].widget.attrs["autocomplete"] = "street-address"


class VerificationDecisionForm(forms.Form):
    evidence = forms.MultipleChoiceField(
        label="What evidence did you see? (optional when refusing)", required=False,
        choices=VerificationRequest.Evidence.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Record the kind of evidence only: never the document, its number or what it says.",
    )  # fmt: skip
    decision = forms.ChoiceField(
        label="Decision", widget=forms.RadioSelect,
        choices=[("approve", "Verify: they live in the neighbourhood"), ("refuse", "Refuse")],
        error_messages={"required": "Choose whether to verify or refuse"},
    )  # fmt: skip
    reason = TextField(
        label="Why is it refused? (needed when refusing)", required=False, max_length=1000, rows=3,
        help_text="The resident is told this. Say what would help, for example a bill dated in the last 3 months.",
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("decision") == "approve" and not data.get("evidence"):
            self.add_error("evidence", "Say what evidence you saw before verifying someone")
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the request is refused: the resident is told")
        return data
