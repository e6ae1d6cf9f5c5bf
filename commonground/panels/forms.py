"""Organiser forms: create a panel from two CSV files; hold a draw with a public seed; record replies."""

from __future__ import annotations

from django import forms

from commonground.core.forms import LineField, TextField, pounds_field
from commonground.engine.sortition.model import SortitionError
from commonground.panels import services
from commonground.panels.models import Volunteer
from commonground.places.services import find_area

MAX_UPLOAD = 5 * 1024 * 1024


def _text(upload, what: str) -> str:
    if upload.size > MAX_UPLOAD:
        raise forms.ValidationError(f"The {what} must be smaller than 5 MB")
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(f"The {what} must be a CSV file saved as UTF-8") from None


def _area(code: str):
    area = find_area(code)
    if area is None:
        raise forms.ValidationError(f"There is no area with the code {code.strip().upper()}")
    return area


class QuotaSuggestionForm(forms.Form):
    """Step one (a GET form, so it never loses the uploads of the main form): quotas in proportion to
    the area's population."""

    prefix = "suggest"
    area = LineField(
        label="Area code",
        max_length=16,
        help_text="A ward or local authority code, for example E05001645.",
        error_messages={"required": "Enter the area's code to suggest quotas from its population"},
    )
    size = forms.IntegerField(
        label="Members the quotas are for",
        min_value=1,
        max_value=1000,
        error_messages={"required": "Enter how many members the quotas are for"},
    )

    def clean_area(self):
        return _area(self.cleaned_data["area"])

    def clean(self):
        data = super().clean()
        if data.get("area") and data.get("size"):
            self.suggestion = services.suggested_quotas(data["area"], data["size"])
            if self.suggestion is None:
                self.add_error("area", f"No population figures are loaded for {data['area'].name}")
        return data


class PanelForm(forms.Form):
    title = LineField(label="Panel name", max_length=200, error_messages={"required": "Enter the panel's name"})
    purpose = TextField(
        label="Purpose",
        rows=3,
        error_messages={"required": "Enter what the panel will decide or advise on"},
    )
    size = forms.IntegerField(
        label="Panel size",
        min_value=1,
        max_value=1000,
        error_messages={"required": "Enter how many members the panel will have"},
    )
    payment = pounds_field("Payment per day, in pounds", what="payment per day", help_text="For example, 100")
    area = LineField(
        label="Area (optional)",
        required=False,
        max_length=16,
        help_text="The ward or local authority code, for example E05001645.",
    )
    quotas_text = TextField(  # filled in by QuotaSuggestionForm, or typed
        label="Quotas",
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 7, "spellcheck": "false"}),
        help_text="One line per group: feature,value,min,max. Suggest them from the area above, then edit, "
        "or upload a file instead.",
    )
    quotas = forms.FileField(
        label="Or upload the quotas (CSV)",
        required=False,
        help_text="Columns feature,value,min,max (the stratification app's layout) or category,feature,min,max.",
    )
    pool = forms.FileField(
        label="Volunteer pool (CSV)",
        required=True,
        help_text="One row per volunteer: an id column and one column per feature.",
        error_messages={"required": "Choose the volunteer pool file"},
    )
    household_columns = LineField(
        label="Address columns (optional)",
        required=False,
        max_length=500,
        help_text="Comma-separated, e.g. address1,postcode: at most one person per household.",
    )

    def clean_area(self):
        return _area(self.cleaned_data["area"]) if self.cleaned_data["area"].strip() else None

    def clean_quotas(self) -> str:
        upload = self.cleaned_data["quotas"]
        return _text(upload, "quotas file") if upload else ""

    def clean_pool(self) -> str:
        return _text(self.cleaned_data["pool"], "volunteer pool")

    def clean(self):
        data = super().clean()
        if "quotas" in data and "quotas_text" in data:
            data["quotas"] = data["quotas"] or data["quotas_text"].strip()
            if not data["quotas"]:
                self.add_error("quotas_text", "Enter the quotas, suggest them from the area, or upload a file")
                del data["quotas"]
        if {"quotas", "pool", "size"} <= set(data):
            try:
                quotas, pool = services.parse(data["quotas"], data["pool"], data.get("household_columns", ""))
            except SortitionError as exc:
                quotas_field = "quotas" if self.files.get("quotas") else "quotas_text"
                field = quotas_field if str(exc).startswith("quotas file") else "pool"
                self.add_error(field, str(exc))
                return data
            duplicates = services.duplicate_volunteers(data["pool"])
            if duplicates:
                more = f" (and {len(duplicates) - 3} more)" if len(duplicates) > 3 else ""
                listed = "; ".join(duplicates[:3])
                self.add_error("pool", f"The pool looks like it has people registered twice: {listed}{more}. "
                                       "Remove the repeats and upload it again")  # fmt: skip
            self.shared_households = services.shared_households(pool)
            if data["size"] > pool.n:
                self.add_error("size", f"The panel cannot be larger than the pool ({pool.n} volunteers)")
        return data


class DrawForm(forms.Form):
    seed = LineField(
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
