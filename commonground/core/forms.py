"""Render every Django form with GOV.UK Frontend markup (labels, hints, error messages), and the
fields several apps share (dates and amounts of money typed the way people write them)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"


def date_field(label: str, what: str = "the date", example: str = "2027-06-30") -> forms.DateField:
    """A year-month-day date with GOV.UK-style messages that say what to type."""
    return forms.DateField(
        label=label,
        help_text=f"For example, {example}",
        error_messages={"required": f"Enter {what}", "invalid": f"Enter {what} as year-month-day, like {example}"},
    )


def pounds_field(label: str, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )


def to_pence(value: str, field: str, whole_pounds: bool = False) -> int:
    text = value.replace(",", "").replace("£", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise forms.ValidationError(f"Enter the {field} as a number of pounds, like 87500000") from None
    if amount < 0:
        raise forms.ValidationError(f"The {field} cannot be negative")
    if whole_pounds and amount != amount.to_integral_value():
        raise forms.ValidationError(f"Enter the {field} in whole pounds")
    if amount != amount.quantize(Decimal("0.01")):
        raise forms.ValidationError(f"Enter the {field} to the nearest penny")
    return int(amount * 100)
