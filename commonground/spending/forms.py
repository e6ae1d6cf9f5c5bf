"""Forms for importing spending and running a pooled budget (GOV.UK patterns, no JavaScript)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms

from commonground.core.forms import date_field, pounds_field
from commonground.engine import spendfiles
from commonground.spending.models import SpendImport
from commonground.spending.pooled_budgets import CAPACITIES


def year_field(label: str = "Financial year") -> forms.CharField:
    return forms.CharField(label=label, max_length=9, help_text="For example, 2026-27",
                           widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
                           error_messages={"required": f"Enter the {label.lower()}"})  # fmt: skip


def clean_year(value: str) -> int:
    try:
        return spendfiles.parse_year(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)[0].upper() + str(exc)[1:]) from None


def clean_decimal(value: str, what: str) -> Decimal:
    try:
        number = Decimal(value.replace(",", "").strip())
    except InvalidOperation:
        raise forms.ValidationError(f"Enter {what} as a number, like -120 or 35.5") from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise forms.ValidationError(f"Enter {what} as a number, like -120 or 35.5")
    return number.quantize(Decimal("0.01"))


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=SpendImport.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose what the file holds"})  # fmt: skip
    body = forms.ChoiceField(
        label="Public body that published it",
        required=False,
        choices=(),
        help_text="Needed for spending over £500; for 360Giving, the funder if it is a body here",
    )
    file = forms.FileField(label="The file (CSV, or JSON for 360Giving)",
                           error_messages={"required": "Choose the file to import"})  # fmt: skip
    source_url = forms.URLField(label="Where the body publishes it (optional)", required=False, assume_scheme="https")

    def __init__(self, *args, body_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", "Choose a body")] + list(body_choices)

    def clean(self):
        data = super().clean()
        if data.get("kind") == SpendImport.Kind.TRANSPARENCY and not data.get("body"):
            self.add_error("body", "Choose the council or body whose spending this is")
        return data


class PoolForm(forms.Form):
    name = forms.CharField(label="Name of the pooled budget", max_length=200,
                           error_messages={"required": "Enter the pooled budget's name"})  # fmt: skip
    description = forms.CharField(label="What it is for", required=False, max_length=10_000,
                                  widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    lead = forms.ChoiceField(label="Lead body (holds the pool)", choices=(),
                             error_messages={"required": "Choose the lead body"})  # fmt: skip
    partners = forms.MultipleChoiceField(label="Partner bodies", required=False, choices=(),
                                         widget=forms.CheckboxSelectMultiple)  # fmt: skip
    start_year = year_field("First financial year")
    end_year = year_field("Last financial year")
    neighbourhoods = forms.CharField(
        label="Neighbourhoods it covers (optional)",
        required=False,
        max_length=2000,
        help_text="Their short names (as in their web address), separated by commas",
    )
    community_decides = forms.BooleanField(label="The agreement puts community members in its decisions",
                                           required=False)  # fmt: skip
    community_rule = forms.CharField(
        label="What the agreement says about community members (if it does)",
        required=False,
        max_length=300,
        help_text="For example, two residents of the neighbourhood board vote on every spend",
    )

    def __init__(self, *args, lead_choices=(), partner_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [("", "Choose a body")] + list(lead_choices)
        self.fields["partners"].choices = list(partner_choices)

    def clean_start_year(self):
        return clean_year(self.cleaned_data["start_year"])

    def clean_end_year(self):
        return clean_year(self.cleaned_data["end_year"])

    def clean_neighbourhoods(self):
        return [s.strip().lower() for s in re.split(r"[\s,;]+", self.cleaned_data["neighbourhoods"]) if s.strip()]


class ContributionForm(forms.Form):
    body = forms.ChoiceField(label="Partner", choices=(), error_messages={"required": "Choose the partner"})
    year = year_field()
    amount = pounds_field("Contribution, in pounds", what="contribution")

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [(b.slug, b.name) for b in partners]

    def clean_year(self):
        return clean_year(self.cleaned_data["year"])


class OutcomeForm(forms.Form):
    measure = forms.ChoiceField(label="Outcome measure (wellbeing framework)", choices=(),
                                error_messages={"required": "Choose a measure"})  # fmt: skip
    baseline = forms.CharField(label="Baseline (optional)", required=False, max_length=200,
                               help_text="Where it stands now, for example 62% in 2025")  # fmt: skip
    target = forms.CharField(label="What the partners aim for", max_length=300,
                             error_messages={"required": "Say what the partners aim for"})  # fmt: skip

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", "Choose a measure")] + list(measures)


class DecisionForm(forms.Form):
    decided_on = date_field("Date of the decision", "the date of the decision")
    title = forms.CharField(label="Decision", max_length=300, error_messages={"required": "Enter the decision"})
    decision = forms.CharField(label="What was decided and why", widget=forms.Textarea(attrs={"rows": 4}),
                               max_length=20_000, error_messages={"required": "Say what was decided"})  # fmt: skip
    amount = pounds_field("Amount, in pounds (optional)", what="amount", required=False)
    deciders = forms.CharField(
        label="Who decided", widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000,
        help_text=f"One person a line: name, capacity ({', '.join(CAPACITIES)}), body or group. For example: "
                  "Amina Khan, community, Brookfield board",
        error_messages={"required": "Record who took the decision"},
    )  # fmt: skip

    def clean_deciders(self):
        people = []
        for number, line in enumerate(self.cleaned_data["deciders"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) < 2 or parts[1].lower() not in CAPACITIES:
                raise forms.ValidationError(
                    f"Line {number}: write the name, then the capacity ({', '.join(CAPACITIES)})"
                )
            people.append({"name": parts[0], "capacity": parts[1].lower(), "body": ", ".join(parts[2:])})
        return people


class PreventionForm(forms.Form):
    title = forms.CharField(label="Investment", max_length=300, help_text="For example, Falls prevention classes",
                            error_messages={"required": "Name the investment"})  # fmt: skip
    service = forms.CharField(label="Service whose demand should fall", max_length=200,
                              help_text="For example, Emergency hospital care",
                              error_messages={"required": "Name the service"})  # fmt: skip
    neighbourhood = forms.ChoiceField(label="Neighbourhood (optional)", required=False, choices=())
    year = year_field("Financial year of the investment")
    invested = pounds_field("Spent now, in pounds", what="amount spent")
    demand_measure = forms.CharField(label="How demand is counted", max_length=200,
                                     help_text="For example, emergency admissions for falls a year",
                                     error_messages={"required": "Say how demand is counted"})  # fmt: skip
    baseline = forms.CharField(label="Demand now", max_length=20, error_messages={"required": "Enter the demand now"})
    expected_change = forms.CharField(label="Expected change in demand", max_length=20,
                                      help_text="Negative when demand should fall, for example -40",
                                      error_messages={"required": "Enter the expected change"})  # fmt: skip
    expected_saving = pounds_field("Expected saving, in pounds", what="expected saving")

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].choices = [("", "The whole area")] + [(s, s) for s in neighbourhoods]

    def clean_year(self):
        return clean_year(self.cleaned_data["year"])

    def clean_baseline(self):
        return clean_decimal(self.cleaned_data["baseline"], "the demand now")

    def clean_expected_change(self):
        return clean_decimal(self.cleaned_data["expected_change"], "the expected change")


class ObserveForm(forms.Form):
    observed_on = date_field("Date observed", "the date observed")
    observed_change = forms.CharField(label="Observed change in demand", max_length=20,
                                      error_messages={"required": "Enter the observed change"})  # fmt: skip
    observed_saving = pounds_field("Observed saving, in pounds", what="observed saving")
    evidence = forms.CharField(label="Evidence", widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000,
                               error_messages={"required": "Say where the figures come from"})  # fmt: skip

    def clean_observed_change(self):
        return clean_decimal(self.cleaned_data["observed_change"], "the observed change")
