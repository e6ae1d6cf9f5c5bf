"""Pot forms: make a pot, allocate from it, and record a payment, a return or a reduction."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from commonground.core.forms import date_field, pounds_field
from commonground.pots.models import Entry, Pot


def more_than_nothing(pence: int) -> int:
    if pence == 0:
        raise forms.ValidationError("The amount must be more than £0")
    return pence


class PotForm(forms.Form):
    name = forms.CharField(label="Name of the pot", max_length=200, error_messages={"required": "Name the pot"})
    source = forms.ChoiceField(
        label="Where does the money come from?",
        choices=Pot.Source.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the money comes from"},
    )
    amount = pounds_field("Amount, in pounds", what="amount", help_text="For example, 200000")
    council_code = forms.CharField(
        label="Council (GSS code)",
        max_length=16,
        help_text="The local authority whose money it is, like E09000025",
        error_messages={"required": "Enter the council's GSS code"},
    )
    neighbourhood = forms.ChoiceField(
        label="Neighbourhood (optional)",
        required=False,
        help_text="Where the money is decided, if it belongs to one neighbourhood",
    )
    may_pay_for = forms.CharField(
        label="What may it pay for? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Its restrictions, like: infrastructure or anything else that addresses "
        "the demands development places on the area (CIL reg 59F)",
    )
    spend_by = date_field("Spend by (optional)", "the date it must be spent by", "2027-03-31")
    funder_name = forms.CharField(
        label="Funder's name (optional)",
        required=False,
        max_length=200,
        help_text="As published in 360Giving; the council's name if left empty",
    )

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["spend_by"].required = False
        self.fields["neighbourhood"].choices = [("", "None"), *neighbourhoods]
        self.fields["neighbourhood"].widget = forms.Select(choices=self.fields["neighbourhood"].choices)

    def clean_amount(self) -> int:
        return more_than_nothing(self.cleaned_data["amount"])


class AllocationForm(forms.Form):
    title = forms.CharField(
        label="What is the money for?", max_length=200, error_messages={"required": "Say what the money is for"}
    )
    recipient_name = forms.CharField(
        label="Who receives it?",
        max_length=200,
        help_text="The group, organisation or body that delivers it",
        error_messages={"required": "Name who receives the money"},
    )
    amount = pounds_field("Amount, in pounds", what="amount")
    ward_code = forms.CharField(
        label="Ward (GSS code, optional)",
        required=False,
        max_length=16,
        help_text="Where it benefits, like E05013908; published in 360Giving",
    )
    decided_on = date_field("Decided on", "the date it was decided", "2027-01-15")
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("decided_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_amount(self) -> int:
        return more_than_nothing(self.cleaned_data["amount"])

    def clean_ward_code(self) -> str:
        code = self.cleaned_data["ward_code"].strip().upper()
        if code and not (len(code) == 9 and code[0] in "EWSNX" and code[1:3] == "05" and code[3:].isdigit()):
            raise forms.ValidationError(f"{code} is not a ward's GSS code, like E05013908")
        return code


class MoneyForm(forms.Form):
    kind = forms.ChoiceField(
        label="What happened?",
        widget=forms.RadioSelect,
        choices=[
            (Entry.Kind.PAY, "A payment to the recipient"),
            (Entry.Kind.RETURN, "The recipient returned money"),
            (Entry.Kind.RELEASE, "Reduce the allocation (unpaid money goes back to the pot)"),
        ],
        error_messages={"required": "Choose what happened"},
    )
    amount = pounds_field("Amount, in pounds", what="amount")
    on = date_field("Date", "the date", "2027-02-01")
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_amount(self) -> int:
        return more_than_nothing(self.cleaned_data["amount"])
