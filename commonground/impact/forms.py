"""Forms for an impact assessment, its impacts and engagement, responses, answers and reviews.

GOV.UK patterns: labels and hints, an error summary, radios for short choices; no JavaScript needed.
"""

from __future__ import annotations

from django import forms

from commonground.impact import errors, services
from commonground.impact.models import Engagement, Impact, Version
from commonground.impact.where import parse_codes, parse_points, parse_postcodes

_TEXT = {"rows": 4}


def optional_date(label: str, what: str, example: str = "2027-06-30", help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=False, help_text=help_text or f"For example, {example}",
        error_messages={"invalid": f"Enter {what} as year-month-day, like {example}"},
    )  # fmt: skip


class AssessmentForm(forms.Form):
    body = forms.ChoiceField(label="Public body making the decision", choices=(),
                             error_messages={"required": "Choose the body making the decision"})  # fmt: skip
    title = forms.CharField(label="Decision under consideration", max_length=300,
                            help_text="For example, Close the Brookfield library on Tuesdays",
                            error_messages={"required": "Enter the decision under consideration"})  # fmt: skip
    proposal = forms.CharField(label="What is proposed and why", widget=forms.Textarea(attrs=_TEXT),
                               max_length=20_000, error_messages={"required": "Describe the proposal"})  # fmt: skip
    decision_maker = forms.CharField(label="Who decides (optional)", required=False, max_length=200,
                                     help_text="For example, Cabinet, or the Director of Public Health")  # fmt: skip
    decision_due = optional_date("When the decision is due (optional)", "the date the decision is due")
    wards = forms.CharField(label="Wards it covers (optional)", required=False, max_length=5000,
                            help_text="Ward codes separated by commas, for example E05000650, E05000651")  # fmt: skip
    lsoas = forms.CharField(
        label="LSOAs it covers (optional)",
        required=False,
        max_length=40_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="LSOA codes separated by commas",
    )
    districts = forms.CharField(label="Whole districts or councils it covers (optional)", required=False,
                                max_length=2000, help_text="Local authority codes, for example E08000011")  # fmt: skip
    postcodes = forms.CharField(label="Postcodes of the services affected (optional)", required=False,
                                max_length=20_000, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="One per line or separated by commas, for example M1 1AE")  # fmt: skip
    points = forms.CharField(label="Sites by latitude and longitude (optional)", required=False, max_length=20_000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="One site per line, latitude first, for example 53.4794, -2.2453")  # fmt: skip
    affected_communities = forms.CharField(label="Communities affected", required=False, max_length=20_000,
                                           widget=forms.Textarea(attrs=_TEXT),
                                           help_text="Who lives or works there and uses the service")  # fmt: skip
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        max_length=40_000,
        widget=forms.Textarea(attrs=_TEXT),
        help_text="Data, service use, complaints, research: what the assessment rests on",
    )
    decision = forms.ChoiceField(label="Decision", choices=Version.Decision.choices, widget=forms.RadioSelect,
                                 initial=Version.Decision.UNDECIDED)  # fmt: skip
    decision_reasons = forms.CharField(label="Reasons for the decision", required=False, max_length=20_000,
                                       widget=forms.Textarea(attrs=_TEXT))  # fmt: skip
    review_date = optional_date("Review date", "the review date", help_text="When the body will look again at "
                                "what happened, for example 2027-06-30. Needed to publish.")  # fmt: skip
    change_note = forms.CharField(label="What changed in this version", required=False, max_length=300)

    def __init__(self, *args, body_choices=None, version_number: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        if body_choices is None:
            del self.fields["body"]
        else:
            self.fields["body"].choices = [("", "Choose a body")] + list(body_choices)
        if version_number == 1:
            del self.fields["change_note"]

    def clean(self):
        data = super().clean()
        where = {}
        for name, field, what in (("wards", "ward_codes", "a ward"), ("lsoas", "lsoa_input", "an LSOA"),
                                  ("districts", "district_codes", "a district")):  # fmt: skip
            try:
                where[field] = parse_codes(data.get(name, ""), what)
            except errors.ImpactError as exc:
                self.add_error(name, str(exc))
        try:
            where["postcodes"] = parse_postcodes(data.get("postcodes", ""))
        except errors.ImpactError as exc:
            self.add_error("postcodes", str(exc))
        try:
            where["points"] = parse_points(data.get("points", ""))
        except errors.ImpactError as exc:
            self.add_error("points", str(exc))
        data["where"] = where
        return data

    def version_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in services.TEXT_FIELDS if name in self.fields}
        return {**fields, **data["where"]}

    @staticmethod
    def initial_from(version: Version) -> dict:
        return {
            "title": version.title, "proposal": version.proposal, "decision_maker": version.decision_maker,
            "decision_due": version.decision_due, "wards": ", ".join(version.ward_codes),
            "lsoas": ", ".join(version.lsoa_input), "districts": ", ".join(version.district_codes),
            "postcodes": "\n".join(version.postcodes),
            "points": "\n".join(f"{lat}, {lon}" for lat, lon in version.points),
            "affected_communities": version.affected_communities, "evidence": version.evidence,
            "decision": version.decision, "decision_reasons": version.decision_reasons,
            "review_date": version.review_date, "change_note": version.change_note,
        }  # fmt: skip


class ImpactForm(forms.Form):
    place = forms.ChoiceField(label="Where", choices=(), required=False)
    group = forms.ChoiceField(label="Who is affected", choices=Impact.Group.choices, initial=Impact.Group.EVERYONE)
    direction = forms.ChoiceField(
        label="Is the impact positive or negative?",
        choices=Impact.Direction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the impact is positive or negative"},
    )
    description = forms.CharField(label="The impact", widget=forms.Textarea(attrs=_TEXT), max_length=10_000,
                                  error_messages={"required": "Describe the impact"})  # fmt: skip
    mitigation = forms.CharField(label="Mitigation", required=False, widget=forms.Textarea(attrs=_TEXT),
                                 max_length=10_000,
                                 help_text="How a negative impact will be avoided, reduced or justified")  # fmt: skip

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = list(places)


class EngagementForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of engagement", choices=Engagement.Kind.choices, widget=forms.RadioSelect,
                             initial=Engagement.Kind.ENGAGEMENT_LOG)  # fmt: skip
    what = forms.CharField(label="What was done", max_length=300,
                           error_messages={"required": "Say what engagement was done"})  # fmt: skip
    held_on = optional_date("When (optional)", "the date")
    link = forms.CharField(
        label="Link or reference (optional)",
        required=False,
        max_length=500,
        help_text="The address of the neighbourhood's engagement log or panel, or a reference",
    )
    summary = forms.CharField(label="What people said (optional)", required=False, max_length=20_000,
                              widget=forms.Textarea(attrs=_TEXT))  # fmt: skip


class ResponseForm(forms.Form):
    text = forms.CharField(label="Your response", widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000,
                           help_text="Public, with your name. Abusive responses are hidden by officers.",
                           error_messages={"required": "Write your response"})  # fmt: skip
    board = forms.ChoiceField(label="Respond as", required=False, widget=forms.RadioSelect, choices=())

    def __init__(self, *args, boards=(), **kwargs):
        super().__init__(*args, **kwargs)
        if boards:
            self.fields["board"].choices = [("", "Myself")] + [(s, f"The board of {n}") for s, n in boards]
            self.fields["board"].initial = ""
        else:
            del self.fields["board"]


class HideForm(forms.Form):
    reason = forms.CharField(
        label="Why this response is hidden",
        max_length=300,
        help_text="Shown publicly in its place, for example: abusive language about a named person",
        error_messages={"required": "Say why the response is hidden"},
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label="What the body did", widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000,
                             help_text="You said, we did: what changed because of this response, or why nothing did",
                             error_messages={"required": "Say what the body did"})  # fmt: skip


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label="Date of the review",
        help_text="For example, 2027-06-30",
        error_messages={
            "required": "Enter the date of the review",
            "invalid": "Enter the date as year-month-day, like 2027-06-30",
        },
    )
    note = forms.CharField(label="What the review found", widget=forms.Textarea(attrs=_TEXT), max_length=20_000,
                           error_messages={"required": "Say what the review found"})  # fmt: skip
    next_review = optional_date("Next review (optional)", "the next review date")


class NewVersionForm(forms.Form):
    change_note = forms.CharField(label="Why a new version", max_length=300,
                                  help_text="For example, the decision was taken, or engagement changed the plan",
                                  error_messages={"required": "Say why there is a new version"})  # fmt: skip
