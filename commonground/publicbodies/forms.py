"""Forms for recording a public body and naming who acts for it (no JavaScript needed)."""

from __future__ import annotations

import re

from django import forms

from commonground.publicbodies.models import PublicBody


class BodyForm(forms.Form):
    name = forms.CharField(label="Name of the body", max_length=200,
                           error_messages={"required": "Enter the body's name"})  # fmt: skip
    kind = forms.ChoiceField(label="Kind of body", choices=PublicBody.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose the kind of body"})  # fmt: skip
    code = forms.CharField(label="GSS or ODS code (optional)", required=False, max_length=20,
                           help_text="For example E08000011 for a council or RBQ for an NHS trust.")  # fmt: skip
    councils = forms.CharField(
        label="Councils whose areas it serves", max_length=2000,
        help_text="Local authority codes separated by commas, for example E08000011, E08000012",
        error_messages={"required": "Enter at least one council's code"},
    )  # fmt: skip

    def clean_councils(self):
        codes = [c.upper() for c in re.split(r"[\s,;]+", self.cleaned_data["councils"]) if c]
        bad = [c for c in codes if not re.fullmatch(r"[A-Z]\d{8}", c)]
        if bad:
            raise forms.ValidationError(f"{bad[0]} is not a council code: a letter and 8 digits, like E08000011")
        return codes


class MemberForm(forms.Form):
    email = forms.EmailField(label="Email address of the account to add",
                             error_messages={"required": "Enter the email address of an account",
                                             "invalid": "Enter an email address like name@example.org"})  # fmt: skip
