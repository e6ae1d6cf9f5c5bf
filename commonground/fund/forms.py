"""Fund administrator forms; amounts are typed in pounds and stored in pence."""

from __future__ import annotations

import re

from django import forms
from django.utils.text import slugify

from commonground.core.forms import LineField, TextField, date_field, pounds_field
from commonground.engine.fund import Eligibility, Policy, Profile
from commonground.fund.models import Disbursement, Fund

POLICY_CHOICES = [
    (Policy.BIG_LOCAL.value, "Big Local: about £1 million per 9,000 residents, with a floor and a cap"),
    (Policy.EQUAL.value, "Equal: the same amount for every ward"),
    (Policy.PER_CAPITA.value, "Per person: in proportion to population"),
    (Policy.NEEDS_WEIGHTED.value, "Needs weighted: per person, times the ward's IMD score"),
]
PROFILE_CHOICES = [
    (Profile.EVEN.value, "Even: the same every year"),
    (Profile.FRONT_LOADED.value, "Front-loaded: more in the early years"),
    (Profile.START_UP.value, "Start-up year: 5% in a first planning year, then even"),
]
ELIGIBILITY_CHOICES = [
    (Eligibility.LEFT_BEHIND.value, "Left-behind wards: most deprived 10% on both IMD and the Community Needs Index"),
    (Eligibility.IMD_DECILE_1.value, "The 10% most deprived wards on the IMD"),
    (Eligibility.THRESHOLD.value, "A threshold on an index"),
    (Eligibility.CUSTOM.value, "A list of ward codes"),
]
THRESHOLD_MEASURES = [
    ("imd_rank", "IMD rank (1 = most deprived)"),
    ("cni_rank", "Community Needs Index rank"),
    ("imd_score", "IMD score"),
]
WARD_CODE = re.compile(r"^[EWSNX]05\d{6}$")


class FundForm(forms.Form):
    name = LineField(label="Fund name", max_length=200, error_messages={"required": "Enter the fund's name"})
    total = pounds_field(
        "Total to allocate, in pounds", what="total", whole_pounds=True, help_text="For example, 87500000"
    )
    start_date = date_field("Start date", "the start date", "2027-04-01")
    years = forms.IntegerField(
        label="Years",
        min_value=1,
        max_value=50,
        initial=12,
        help_text="Big Local ran for 10 to 15 years.",
        error_messages={"required": "Enter how many years the awards run for"},
    )
    eligibility = forms.ChoiceField(
        label="Which wards can receive awards?",
        choices=ELIGIBILITY_CHOICES,
        widget=forms.RadioSelect,
        initial=Eligibility.LEFT_BEHIND.value,
    )
    threshold_measure = forms.ChoiceField(label="Threshold index", choices=THRESHOLD_MEASURES, required=False)
    threshold_at_most = forms.FloatField(
        label="Eligible when the index is at most", required=False, min_value=0, max_value=1_000_000
    )
    custom_codes = TextField(
        label="Ward codes",
        required=False,
        rows=4,
        max_length=100_000,  # every ward in England
        help_text="GSS ward codes (E05…), separated by commas, spaces or new lines.",
    )
    policy = forms.ChoiceField(
        label="How is the money shared?",
        choices=POLICY_CHOICES,
        widget=forms.RadioSelect,
        initial=Policy.BIG_LOCAL.value,
    )
    profile = forms.ChoiceField(
        label="How is each award paid over the years?",
        choices=PROFILE_CHOICES,
        widget=forms.RadioSelect,
        initial=Profile.EVEN.value,
    )
    floor = pounds_field("Smallest award, in pounds (optional)", what="smallest award", whole_pounds=True,
                         required=False)  # fmt: skip
    cap = pounds_field("Largest award, in pounds (optional)", what="largest award", whole_pounds=True, required=False)

    def clean_total(self) -> int:
        if self.cleaned_data["total"] == 0:
            raise forms.ValidationError("The total must be more than £0")
        return self.cleaned_data["total"]

    def clean_floor(self) -> int:
        return self.cleaned_data["floor"] or 0

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Fund.objects.filter(slug=slugify(name)[:80]).exists():
            raise forms.ValidationError("A fund with this name already exists: choose another name")
        return name

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("eligibility")
        if kind == Eligibility.THRESHOLD and data.get("threshold_at_most") is None:
            self.add_error("threshold_at_most", "Enter the threshold value")
        if kind == Eligibility.CUSTOM:
            codes = [c for c in re.split(r"[\s,;]+", (data.get("custom_codes") or "").upper()) if c]
            bad = [c for c in codes if not WARD_CODE.match(c)]
            if not codes:
                self.add_error("custom_codes", "Enter at least one ward code")
            elif bad:
                self.add_error("custom_codes", f"These are not ward codes: {', '.join(bad[:5])}")
            data["codes"] = codes
        floor, cap, total = data.get("floor"), data.get("cap"), data.get("total")
        if cap is not None and floor and cap < floor:
            self.add_error("cap", "The largest award must be at least the smallest award")
        if total and cap is not None and cap > total:
            self.add_error("cap", "The largest award cannot be more than the whole fund")
        return data


class DisbursementForm(forms.Form):
    kind = forms.ChoiceField(
        label="What happened?",
        choices=Disbursement.Kind.choices,
        widget=forms.RadioSelect,
        initial=Disbursement.Kind.PAYMENT,
    )
    amount = pounds_field("Amount, in pounds", what="amount", help_text="For example, 25000 or 1250.50")
    paid_on = date_field("Date")
    note = LineField(label="Note (optional)", max_length=300, required=False)

    def clean_amount(self) -> int:
        if self.cleaned_data["amount"] == 0:
            raise forms.ValidationError("Enter an amount greater than £0")
        return self.cleaned_data["amount"]


class SummaryForm(forms.Form):
    partnership_name = LineField(label="Partnership name", max_length=200, required=False)
    summary = TextField(label="What the plan is for", required=False, rows=4)


class MemberForm(forms.Form):
    name = LineField(label="Member's name", max_length=200, error_messages={"required": "Enter the member's name"})
    role = LineField(label="Role in the partnership (optional)", max_length=200, required=False)
    is_resident = forms.BooleanField(label="Lives in the ward", required=False, initial=True)


class PriorityForm(forms.Form):
    title = LineField(label="Priority", max_length=200, error_messages={"required": "Enter the priority"})
    description = TextField(label="Description (optional)", required=False, rows=3)


class BudgetLineForm(forms.Form):
    title = LineField(label="Budget line", max_length=200, error_messages={"required": "Enter what the money is for"})
    amount = pounds_field("Amount, in pounds", what="amount")
    priority = forms.ChoiceField(label="Priority it serves (optional)", required=False)

    def __init__(self, *args, priorities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [("", "None")] + [(str(p.id), p.title) for p in priorities]

    clean_amount = DisbursementForm.clean_amount


class SpendForm(forms.Form):
    line = forms.ChoiceField(label="Budget line", error_messages={"required": "Choose the budget line"})
    amount = pounds_field("Amount spent, in pounds", what="amount")
    spent_on = date_field("Date spent")
    note = LineField(label="What it paid for (optional)", max_length=300, required=False)

    def __init__(self, *args, lines=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [(str(line.id), line.title) for line in lines]

    clean_amount = DisbursementForm.clean_amount


class UpdateForm(forms.Form):
    text = TextField(
        label="Progress update",
        rows=4,
        error_messages={"required": "Write the update"},
    )
    posted_on = date_field("Date")


class EditorForm(forms.Form):
    email = forms.EmailField(
        label="Organiser's email address",
        error_messages={
            "required": "Enter the organiser's email address",
            "invalid": "Enter an email address like name@example.com",
        },
    )
