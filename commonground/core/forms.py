"""Render every Django form with GOV.UK Frontend markup (labels, hints, error messages), and the
fields several apps share: dates, amounts of money typed the way people write them, and text that
is bounded and free of stray control characters (issue 19: crafted values gave officers HTTP 500)."""

import re
from decimal import Decimal

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.choices import BaseChoiceIterator

MOST_POUNDS = 10**12  # far above any fund or budget; in pence, far below the database's integer limit
TEXT_LENGTH = 10_000  # a textarea's default limit: several pages of writing


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


class Choices(BaseChoiceIterator):
    """Choices already in Django's canonical form, a list of (value, label): a choice field takes them as they are.
    Given a plain list, Django normalises it item by item and imports a module in every step (about 200 µs for
    30 choices, on every ballot a voter sends)."""

    def __init__(self, pairs: list[tuple]) -> None:
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)


class LineField(forms.CharField):
    """One line of text: a carriage return, newline or tab inside it becomes a space, so a pasted or
    crafted value cannot break an email subject or a download's file name later."""

    def to_python(self, value):
        return re.sub(r"[\r\n\t\v\f\x85\u2028\u2029]+", " ", super().to_python(value))


class TextField(forms.CharField):
    """Several lines of text (a textarea), at most `max_length` characters, line endings as "\\n"."""

    def __init__(self, *, max_length: int = TEXT_LENGTH, rows: int = 4, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        return re.sub(r"\r\n?", "\n", super().to_python(value))


class PoundsField(forms.CharField):
    """An amount of money typed in pounds ("£1,250.50"), cleaned to whole pence (None when left
    blank). Anything that is not a plain amount up to MOST_POUNDS is a field error naming `what`."""

    def __init__(self, label: str, *, what: str, whole_pounds: bool = False, required: bool = True,
                 help_text: str = "") -> None:  # fmt: skip
        super().__init__(
            label=label,
            required=required,
            help_text=help_text,
            max_length=40,
            error_messages={"max_length": f"Enter the {what} as a number of pounds, like 12000"},
            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        )
        self.what, self.whole_pounds = what, whole_pounds

    def clean(self, value) -> int | None:
        text = super().clean(value)
        return to_pence(text, self.what, self.whole_pounds) if text else None


def _database_key(value) -> bool:
    """Whether `value` could be a row's id: Django hands 99999999999999999999 to the database,
    where it overflows SQLite's integer (OverflowError) or PostgreSQL's (DataError)."""
    return re.fullmatch(r"\s*[0-9]{1,18}\s*", str(value)) is not None


class ModelChoiceField(forms.ModelChoiceField):
    """One row from a queryset; a value that cannot be an id is simply not one of the choices."""

    def to_python(self, value):
        if value not in self.empty_values and not _database_key(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Rows from a queryset; a value that cannot be an id is simply not one of the choices."""

    def _check_values(self, value):
        for pk in value:
            if not _database_key(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": str(pk)[:40]}
                )
        return super()._check_values(value)


def pounds_field(label: str, *, what: str, whole_pounds: bool = False, required: bool = True,
                 help_text: str = "") -> PoundsField:  # fmt: skip
    return PoundsField(label, what=what, whole_pounds=whole_pounds, required=required, help_text=help_text)


# No NaN, Infinity or 1_000; an exponent Decimal can hold (longer ones raise InvalidOperation).
AMOUNT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,9})?")


def to_pence(value: str, field: str, whole_pounds: bool = False) -> int:
    """Pence from an amount in pounds; commas, a £ sign and any whitespace inside are ignored."""
    text = re.sub(r"[\s,£]", "", value)
    if not AMOUNT.fullmatch(text):
        raise forms.ValidationError(f"Enter the {field} as a number of pounds, like 12000")
    amount = Decimal(text)
    if amount < 0:
        raise forms.ValidationError(f"The {field} cannot be negative")
    if amount and amount.adjusted() >= 13 or amount > MOST_POUNDS:  # adjusted() first: 1e999999999 stays cheap
        raise forms.ValidationError(f"The {field} must be £{MOST_POUNDS:,} or less")
    if whole_pounds and amount != amount.to_integral_value():
        raise forms.ValidationError(f"Enter the {field} in whole pounds")
    if amount != amount.quantize(Decimal("0.01")):
        raise forms.ValidationError(f"Enter the {field} to the nearest penny")
    return int(amount * 100)
