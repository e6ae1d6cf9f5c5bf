"""Forms for making a neighbourhood: from a ward, or a list of LSOA codes (no JavaScript needed)."""

from __future__ import annotations

import re

from django import forms

from commonground.neighbourhoods.models import Neighbourhood

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
