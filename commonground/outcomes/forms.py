"""Council forms for the framework: add, retire or re-theme a measure; record residents' signals."""

from __future__ import annotations

from django import forms

from commonground.core.forms import LineField, ModelChoiceField, ModelMultipleChoiceField
from commonground.fund.forms import date_field
from commonground.outcomes.models import PriorityLink, Signal, Theme, WellbeingMeasure
from commonground.places.models import AreaType
from commonground.places.models import Measure as DataMeasure


class MeasureForm(forms.Form):
    theme = ModelChoiceField(
        Theme.objects.all(),
        label="Theme",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the theme the measure belongs to"},
    )
    name = LineField(label="Name", max_length=200, error_messages={"required": "Enter the measure's name"})
    slug = forms.SlugField(
        label="Short name for links and downloads",
        max_length=64,
        help_text="Lower-case letters, digits and dashes, for example 'feel-safe-at-night'",
        error_messages={
            "required": "Enter a short name",
            "invalid": "Use only lower-case letters, digits and dashes in the short name",
        },
    )
    source = LineField(
        label="Source",
        max_length=300,
        help_text="Who publishes the figures",
        error_messages={"required": "Enter who publishes the figures"},
    )
    unit = LineField(label="Unit (optional)", max_length=50, required=False, help_text="For example %, score")
    direction = forms.ChoiceField(
        label="Which way is better?",
        choices=DataMeasure.Direction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which way is better"},
    )
    geography = forms.ChoiceField(label="Geography", choices=AreaType.Level.choices, initial=AreaType.Level.WARD)
    period = LineField(
        label="How often it is published",
        max_length=100,
        error_messages={"required": "Enter how often it is published, for example 'Every year'"},
    )
    dataset_slug = forms.SlugField(
        label="Dataset (optional)",
        max_length=64,
        required=False,
        help_text="Short name of a loaded dataset, for example imd2019 or a survey",
    )
    measure_slug = forms.SlugField(
        label="Figure in that dataset (optional)", max_length=64, required=False, help_text="For example imd_score"
    )
    source_period = LineField(
        label="Period of those figures (optional)", max_length=20, required=False, help_text="For example 2024"
    )
    reason = LineField(label="Why (for the history)", max_length=300, required=False)

    def clean(self):
        data = super().clean()
        linked = [bool(data.get(k)) for k in ("dataset_slug", "measure_slug", "source_period")]
        if any(linked) and not all(linked):
            self.add_error("dataset_slug", "Enter the dataset, the figure and its period together, or none of them")
        return data


class MeasureChangeForm(forms.Form):
    action = forms.ChoiceField(
        label="Change",
        widget=forms.RadioSelect,
        choices=[
            ("retheme", "Move it to another theme"),
            ("retire", "Retire it"),
            ("reinstate", "Bring a retired measure back"),
        ],
        error_messages={"required": "Choose what to change"},
    )
    theme = ModelChoiceField(Theme.objects.all(), label="New theme (when moving)", required=False)
    reason = LineField(
        label="Why (for the history)", max_length=300, error_messages={"required": "Enter why, for the history"}
    )

    def __init__(self, *args, measure: WellbeingMeasure, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure

    def clean(self):
        data = super().clean()
        if data.get("action") == "retheme" and not data.get("theme"):
            self.add_error("theme", "Choose the theme to move the measure to")
        return data


class SignalForm(forms.Form):
    theme = ModelChoiceField(
        Theme.objects.all(), label="Theme", empty_label=None, error_messages={"required": "Choose the theme"}
    )
    statement = LineField(
        label="The change residents want to see, in their words",
        max_length=300,
        error_messages={"required": "Enter the change residents want to see"},
    )
    chosen_by = LineField(
        label="Who chose it",
        max_length=200,
        help_text="For example 'Brookfield residents' panel (24 people)'",
        error_messages={"required": "Enter who chose it"},
    )
    method = forms.ChoiceField(
        label="How they chose it",
        choices=Signal.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they chose it"},
    )
    chosen_on = date_field("When they chose it", "the date they chose it")
    area_code = LineField(
        label="Area code (optional)",
        max_length=16,
        required=False,
        help_text="Leave blank for the whole framework; a ward code for one ward",
    )
    measures = ModelMultipleChoiceField(
        WellbeingMeasure.objects.filter(status="active"),
        required=False,
        label="Measures that show it (optional)",
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_area_code(self):
        return self.cleaned_data["area_code"].strip().upper()


class PriorityForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=PriorityLink.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the status"},
    )
    measures = ModelMultipleChoiceField(
        WellbeingMeasure.objects.filter(status="active"),
        required=False,
        label="Measures this priority should move",
        widget=forms.CheckboxSelectMultiple,
    )
