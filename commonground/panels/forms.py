"""Organiser forms: create a panel from two CSV files; hold a draw with a public seed; record replies."""

from __future__ import annotations

from django import forms

from commonground.engine.sortition.model import SortitionError
from commonground.fund.forms import pounds_field, to_pence
from commonground.panels import services
from commonground.panels.models import Volunteer

MAX_UPLOAD = 5 * 1024 * 1024


def _text(upload, what: str) -> str:
    if upload.size > MAX_UPLOAD:
        raise forms.ValidationError(f"The {what} must be smaller than 5 MB")
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(f"The {what} must be a CSV file saved as UTF-8") from None


class PanelForm(forms.Form):
    title = forms.CharField(label="Panel name", max_length=200, error_messages={"required": "Enter the panel's name"})
    purpose = forms.CharField(
        label="Purpose",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what the panel will decide or advise on"},
    )
    size = forms.IntegerField(
        label="Panel size",
        min_value=1,
        max_value=1000,
        error_messages={"required": "Enter how many members the panel will have"},
    )
    payment = pounds_field("Payment per day, in pounds", help_text="For example, 100")
    quotas = forms.FileField(
        label="Quotas (CSV)",
        help_text="Columns feature,value,min,max (the stratification app's layout) or category,feature,min,max.",
        error_messages={"required": "Choose the quotas file"},
    )
    pool = forms.FileField(
        label="Volunteer pool (CSV)",
        help_text="One row per volunteer: an id column and one column per feature.",
        error_messages={"required": "Choose the volunteer pool file"},
    )
    household_columns = forms.CharField(
        label="Address columns (optional)",
        required=False,
        help_text="Comma-separated, e.g. address1,postcode: at most one person per household.",
    )

    def clean_payment(self) -> int:
        return to_pence(self.cleaned_data["payment"], "payment per day")

    def clean_quotas(self) -> str:
        return _text(self.cleaned_data["quotas"], "quotas file")

    def clean_pool(self) -> str:
        return _text(self.cleaned_data["pool"], "volunteer pool")

    def clean(self):
        data = super().clean()
        if {"quotas", "pool", "size"} <= set(data):
            try:
                quotas, pool = services.parse(data["quotas"], data["pool"], data.get("household_columns", ""))
            except SortitionError as exc:
                field = "quotas" if str(exc).startswith("quotas file") else "pool"
                self.add_error(field, str(exc))
                return data
            if data["size"] > pool.n:
                self.add_error("size", f"The panel cannot be larger than the pool ({pool.n} volunteers)")
        return data


class DrawForm(forms.Form):
    seed = forms.CharField(
        label="Public seed",
        max_length=200,
        help_text="Announced after the chances were published, e.g. the numbers of a national lottery draw.",
        error_messages={"required": "Enter the public seed"},
    )

    def clean_seed(self) -> str:
        seed = self.cleaned_data["seed"].strip()
        if not seed:
            raise forms.ValidationError("Enter the public seed")
        return seed


class ResponseForm(forms.Form):
    response = forms.ChoiceField(
        label="Their reply",
        choices=Volunteer.Response.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the member's reply"},
    )
