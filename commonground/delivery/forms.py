"""Delivery forms: an update (status, progress, spend, what happened, a photo) and a milestone."""

from __future__ import annotations

from django import forms

from commonground.core.forms import date_field, pounds_field
from commonground.delivery.models import Record


class UpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=Record.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status"},
    )
    progress = forms.IntegerField(
        label="Progress, per cent done",
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Enter how far along it is, from 0 to 100",
            "invalid": "Enter progress as a whole number from 0 to 100",
            "min_value": "Progress cannot be below 0",
            "max_value": "Progress cannot be above 100",
        },
    )
    spent = pounds_field(
        "Spent so far, in pounds", what="amount spent", help_text="Everything spent to date, for example 12500"
    )
    text = forms.CharField(
        label="What has happened?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Say what has happened"},
    )
    photo = forms.FileField(
        label="A photo (optional)",
        required=False,
        help_text="A JPEG, PNG or WebP image up to 5 MB. Its location and other camera details are removed.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label="What does the photo show? (needed with a photo)",
        required=False,
        max_length=250,
        help_text="For people who cannot see it, like: The new benches",
    )

    def clean(self):
        data = super().clean()
        if data.get("photo") and not data.get("alt_text", "").strip():
            self.add_error("alt_text", "Describe what the photo shows, for people who cannot see it")
        return data


class MilestoneForm(forms.Form):
    title = forms.CharField(label="Milestone", max_length=200, error_messages={"required": "Name the milestone"})
    due_on = date_field("Due (optional)", "the date it is due", "2027-06-30")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_on"].required = False
