"""Contributions forms: import a council's three files, set up a neighbourhood CIL zone."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from commonground.contributions.models import CilZone
from commonground.core.forms import date_field

MAX_FILE_BYTES = 20 * 1024 * 1024


def _file(label: str, name: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        help_text=f"The {name}.csv file, in planning.data.gov.uk's columns",
        error_messages={"required": f"Choose the {name} file"},
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ImportForm(forms.Form):
    agreements = _file("Developer agreements", "developer-agreement")
    contributions = _file("Contributions", "developer-agreement-contribution")
    transactions = _file("Transactions", "developer-agreement-transaction")

    def clean(self):
        data = super().clean()
        for name in ("agreements", "contributions", "transactions"):
            upload = data.get(name)
            if upload is not None and upload.size > MAX_FILE_BYTES:
                self.add_error(name, f"{upload.name} is {upload.size / 1024 / 1024:.1f} MB: at most 20 MB, please")
        return data


class ZoneForm(forms.Form):
    name = forms.CharField(label="Name of the zone", max_length=200, error_messages={"required": "Name the zone"})
    wards = forms.CharField(
        label="Wards (GSS codes)",
        help_text="The wards whose CIL receipts count, separated by commas, like E05013908, E05013909",
        error_messages={"required": "Enter at least one ward's GSS code"},
    )
    neighbourhood = forms.ChoiceField(label="Neighbourhood (optional)", required=False)
    local_council = forms.ChoiceField(
        label="Is there a parish or town council here?",
        choices=[
            ("no", "No: the council keeps the neighbourhood portion (reg 59F)"),
            ("yes", "Yes: the share is passed to it (reg 59A)"),
        ],
        widget=forms.RadioSelect,
        initial="no",
    )
    local_council_name = forms.CharField(label="Its name (if there is one)", required=False, max_length=200)
    dwellings = forms.IntegerField(
        label="Council tax dwellings in its area (if there is one)",
        required=False,
        min_value=0,
        max_value=10_000_000,
        help_text="The 15% share passed to a parish is capped at £100 for each dwelling a year (reg 59A(7))",
        error_messages={"invalid": "Enter the number of dwellings as a whole number"},
    )
    plan_made_on = date_field(
        "Neighbourhood development plan made on (optional)", "the date the plan was made", "2024-07-01"
    )
    index_factor = forms.DecimalField(
        label="Index factor for the £100 cap",
        initial=Decimal(1),
        min_value=Decimal("0.0001"),
        max_value=Decimal(100),
        max_digits=8,
        decimal_places=4,
        help_text="1 unless your council index-links the cap: how to index it is unsettled (docs/money.md)",
        error_messages={"invalid": "Enter the index factor as a number, like 1 or 1.25"},
    )
    cap_year = forms.ChoiceField(
        label="Count the cap against",
        choices=CilZone.CapYear.choices,
        widget=forms.RadioSelect,
        initial=CilZone.CapYear.RECEIPT,
    )
    local_rate_percent = forms.DecimalField(
        label="The council's own share, per cent (no parish only, optional)",
        required=False,
        min_value=Decimal(15),
        max_value=Decimal(100),
        max_digits=6,
        decimal_places=3,
        help_text="Leave empty for the 15% of reg 59A(5); some councils set aside more, like Newham's 20",
        error_messages={"invalid": "Enter the share as a number of per cent, like 20"},
    )

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_made_on"].required = False
        self.fields["neighbourhood"].choices = [("", "None"), *neighbourhoods]
        self.fields["neighbourhood"].widget = forms.Select(choices=self.fields["neighbourhood"].choices)

    def clean_wards(self) -> list[str]:
        codes = [c.strip().upper() for c in self.cleaned_data["wards"].replace(";", ",").replace("\n", ",").split(",")]
        codes = [c for c in codes if c]
        bad = [c for c in codes if not (len(c) == 9 and c[0] in "EWSNX" and c[1:3] == "05" and c[3:].isdigit())]
        if bad:
            raise forms.ValidationError(f"{bad[0]} is not a ward's GSS code, like E05013908")
        return codes

    def clean(self):
        data = super().clean()
        if data.get("local_council") == "yes" and data.get("dwellings") is None and "dwellings" not in self.errors:
            self.add_error("dwellings", "Enter the number of council tax dwellings: the 15% share is capped by it")
        if data.get("local_council") == "yes" and data.get("local_rate_percent") is not None:
            self.add_error("local_rate_percent", "A council's own share is only for areas without a parish (reg 59F)")
        return data
