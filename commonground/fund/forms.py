"""Fund administrator forms; amounts are typed in pounds and stored in pence."""

from __future__ import annotations

import re

from django import forms
from django.utils.text import slugify

from commonground.core.forms import date_field, pounds_field, to_pence
from commonground.engine.fund import Eligibility, Policy, Profile
from commonground.fund.models import Disbursement, Fund, Priority
from commonground.outcomes.framework import active_measures

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
    name = forms.CharField(label="Fund name", max_length=200, error_messages={"required": "Enter the fund's name"})
    total = pounds_field("Total to allocate, in pounds", help_text="For example, 87500000")
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
    threshold_at_most = forms.FloatField(label="Eligible when the index is at most", required=False)
    custom_codes = forms.CharField(
        label="Ward codes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
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
    floor = pounds_field("Smallest award, in pounds (optional)", required=False)
    cap = pounds_field("Largest award, in pounds (optional)", required=False)

    def clean_total(self) -> int:
        pence = to_pence(self.cleaned_data["total"], "total", whole_pounds=True)
        if pence == 0:
            raise forms.ValidationError("The total must be more than £0")
        return pence

    def clean_floor(self) -> int:
        return (
            to_pence(self.cleaned_data["floor"], "smallest award", whole_pounds=True)
            if self.cleaned_data["floor"]
            else 0
        )

    def clean_cap(self) -> int | None:
        return (
            to_pence(self.cleaned_data["cap"], "largest award", whole_pounds=True) if self.cleaned_data["cap"] else None
        )

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
    amount = pounds_field("Amount, in pounds", help_text="For example, 25000 or 1250.50")
    paid_on = date_field("Date")
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)

    def clean_amount(self) -> int:
        pence = to_pence(self.cleaned_data["amount"], "amount")
        if pence == 0:
            raise forms.ValidationError("Enter an amount greater than £0")
        return pence


class SummaryForm(forms.Form):
    partnership_name = forms.CharField(label="Partnership name", max_length=200, required=False)
    summary = forms.CharField(label="What the plan is for", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class MemberForm(forms.Form):
    name = forms.CharField(
        label="Member's name", max_length=200, error_messages={"required": "Enter the member's name"}
    )
    role = forms.CharField(label="Role in the partnership (optional)", max_length=200, required=False)
    is_resident = forms.BooleanField(label="Lives in the ward", required=False, initial=True)


class PriorityForm(forms.Form):
    title = forms.CharField(label="Priority", max_length=200, error_messages={"required": "Enter the priority"})
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BudgetLineForm(forms.Form):
    title = forms.CharField(
        label="Budget line", max_length=200, error_messages={"required": "Enter what the money is for"}
    )
    amount = pounds_field("Amount, in pounds")
    priority = forms.ChoiceField(label="Priority it serves (optional)", required=False)

    def __init__(self, *args, priorities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [("", "None")] + [(str(p.id), p.title) for p in priorities]

    def clean_amount(self) -> int:
        pence = to_pence(self.cleaned_data["amount"], "amount")
        if pence == 0:
            raise forms.ValidationError("Enter an amount greater than £0")
        return pence


class SpendForm(forms.Form):
    line = forms.ChoiceField(label="Budget line", error_messages={"required": "Choose the budget line"})
    amount = pounds_field("Amount spent, in pounds")
    spent_on = date_field("Date spent")
    note = forms.CharField(label="What it paid for (optional)", max_length=300, required=False)

    def __init__(self, *args, lines=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [(str(line.id), line.title) for line in lines]

    clean_amount = BudgetLineForm.clean_amount


class UpdateForm(forms.Form):
    text = forms.CharField(
        label="Progress update",
        widget=forms.Textarea(attrs={"rows": 4}),
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


class PriorityStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=Priority.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the status"},
    )
    measures = forms.ModelMultipleChoiceField(
        active_measures(),
        required=False,
        label="Measures this priority should move",
        widget=forms.CheckboxSelectMultiple,
    )
