"""Ballot forms (GOV.UK patterns, no JavaScript needed)."""

from __future__ import annotations

from django import forms

from commonground.accounts.models import User
from commonground.accounts.roles import Role
from commonground.ballots.models import CampaignDeclaration, Channel
from commonground.ballots.services import SPOILT
from commonground.core.forms import LineField, ModelChoiceField, TextField, date_field, pounds_field
from commonground.engine.ballot_count import CATEGORY_LABELS, Category, window_warnings
from commonground.places.models import Area

OFFER_LENGTH = 100_000  # a Landlord Offer runs to many pages
CATEGORY_CHOICES = [(c.value, CATEGORY_LABELS[c]) for c in Category]


def datetime_field(label: str, what: str) -> forms.DateTimeField:
    example = "2027-03-01 09:00"
    return forms.DateTimeField(
        label=label,
        help_text=f"Year-month-day and 24-hour time, UK time. For example, {example}",
        error_messages={"required": f"Enter {what}", "invalid": f"Enter {what} like {example}"},
    )


class BallotForm(forms.Form):
    title = LineField(label="Ballot name", max_length=200, error_messages={"required": "Enter a name"})
    estate = LineField(label="Estate", max_length=200, error_messages={"required": "Enter the estate"})
    area_code = LineField(
        label="Area code (optional)",
        max_length=16,
        required=False,
        help_text="The ward or neighbourhood, e.g. X05000001",
    )
    question = TextField(label="Question", rows=3, error_messages={"required": "Enter the question"})
    options = TextField(label="Options", initial="Yes\nNo", rows=3, help_text="One per line.")
    opens_at = datetime_field("Voting opens", "when voting opens")
    closes_at = datetime_field("Voting closes", "when voting closes")
    scrutineer = ModelChoiceField(
        label="Independent body",
        queryset=User.objects.none(),
        help_text="Runs the roll, the voting and the count. Only they can open the count.",
        error_messages={"required": "Choose the independent body"},
    )
    offer_title = LineField(label="Landlord Offer title", max_length=200, error_messages={"required": "Enter a title"})
    offer_body = TextField(
        label="Landlord Offer", rows=8, max_length=OFFER_LENGTH, error_messages={"required": "Enter the Offer"}
    )
    offer_url = forms.URLField(
        max_length=200, label="Link to the full Offer document (optional)", required=False, assume_scheme="https"
    )
    offer_published_on = date_field("Offer published on", "the date the Offer was published", "2027-01-15")
    short_window_ok = forms.BooleanField(
        label="Yes, the voting window is meant to be shorter than 3 weeks", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scrutineer"].queryset = User.objects.filter(role_grants__role=Role.SCRUTINEER, is_active=True)
        self.fields["scrutineer"].label_from_instance = lambda user: f"{user.full_name} ({user.email})"

    def clean_options(self) -> list[str]:
        labels = [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]
        if len(labels) < 2:
            raise forms.ValidationError("Give at least two options, one per line")
        if len(set(labels)) != len(labels):
            raise forms.ValidationError("Each option must be different")
        if any(len(label) > 200 for label in labels):
            raise forms.ValidationError("Keep each option to 200 characters or fewer")
        return labels

    def clean_area_code(self) -> Area | None:
        code = self.cleaned_data["area_code"].strip().upper()
        if not code:
            return None
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise forms.ValidationError(f"There is no area with the code {code}")
        return area

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes:
            warnings = window_warnings(opens, closes)
            if closes <= opens:
                self.add_error("closes_at", "Voting must close after it opens")
            elif warnings and not data.get("short_window_ok"):
                self.add_error("closes_at", f"Warning: {warnings[0]}. Tick the box below to confirm.")
        published = data.get("offer_published_on")
        if published and opens and published > opens.date():
            self.add_error("offer_published_on", "The Offer must be published before voting opens")
        return data


class OfferForm(forms.Form):
    title = LineField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    body = TextField(label="Landlord Offer", rows=10, max_length=OFFER_LENGTH)
    document_url = forms.URLField(
        max_length=200, label="Link to the full document (optional)", required=False, assume_scheme="https"
    )
    published_on = date_field("Published on", "the date this version was published", "2027-01-15")


class ElectorForm(forms.Form):
    full_name = LineField(label="Full name", max_length=200, error_messages={"required": "Enter the name"})
    address = LineField(label="Address on the estate", max_length=300, error_messages={"required": "Enter the address"})
    date_of_birth = date_field("Date of birth", "the date of birth", "1980-04-30")
    category = forms.ChoiceField(label="Why they can vote", choices=CATEGORY_CHOICES, widget=forms.RadioSelect)
    qualifying_date = date_field("Qualifying date", "the qualifying date", "2019-06-01")
    evidence = TextField(
        label="Evidence",
        rows=3,
        help_text="What was checked, e.g. tenancy agreement reference, council tax record.",
        error_messages={"required": "Say what evidence was checked"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualifying_date"].help_text = (
            "Tenancy agreement date (social tenants), date they made it their only or principal home (leaseholders "
            "and freeholders), or date they joined the housing register."
        )


class CorrectionForm(ElectorForm):
    reason = TextField(label="Why it is being corrected", rows=2)


class RollImportForm(forms.Form):
    file = forms.FileField(
        label="Roll as a CSV file",
        help_text=(
            "Columns: full_name, address, date_of_birth, category, qualifying_date, evidence. Dates like 2024-05-31."
        ),
        error_messages={"required": "Choose a CSV file"},
    )


class ChallengeForm(forms.Form):
    raised_by = LineField(label="Who raised it", max_length=200)
    grounds = TextField(label="Grounds", rows=3)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=[("uphold", "Uphold: remove from the roll"), ("reject", "Reject: stays on the roll")],
        widget=forms.RadioSelect,
    )
    reason = TextField(label="Reason", rows=2)


class MarkForm(forms.Form):
    roll_number = forms.IntegerField(label="Roll number", min_value=1, max_value=1_000_000)
    channel = forms.ChoiceField(
        label="How they voted",
        choices=[(Channel.POSTAL, "By post"), (Channel.IN_PERSON, "In person")],
        widget=forms.RadioSelect,
    )


class VoteForm(forms.Form):
    option = forms.ChoiceField(
        label="Your vote", widget=forms.RadioSelect, error_messages={"required": "Choose an option"}
    )
    code = LineField(
        label="Your voting code",
        max_length=40,
        help_text="From the letter the independent body sent you, e.g. ABCD-EFGH-JKMN-PQRS-TVWX",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        error_messages={"required": "Enter your voting code"},
    )

    def __init__(self, ballot, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [(str(o.pk), o.label) for o in ballot.options.all()]


class BatchForm(forms.Form):
    """Counts for one batch of papers; entered twice, the second time without seeing the first."""

    label = LineField(label="Batch label", max_length=100, help_text="Written on the batch, e.g. POST-03")
    channel = forms.ChoiceField(
        label="Papers from",
        choices=[(Channel.POSTAL, "Postal votes"), (Channel.IN_PERSON, "The in-person ballot box")],
        widget=forms.RadioSelect,
    )

    def __init__(self, ballot, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for option in ballot.options.all():
            self.fields[f"option_{option.pk}"] = forms.IntegerField(
                label=f"Papers for {option.label}", min_value=0, max_value=1_000_000
            )
        self.fields["spoilt"] = forms.IntegerField(label="Spoilt papers", min_value=0, max_value=1_000_000, initial=0)

    def entry(self) -> dict[str, int]:
        data = self.cleaned_data
        entry = {key.removeprefix("option_"): value for key, value in data.items() if key.startswith("option_")}
        entry[SPOILT] = data["spoilt"]
        return entry


class DeclarationForm(forms.Form):
    side = LineField(
        label="Campaign side", max_length=200, help_text="For example, the landlord, or a residents' group"
    )
    supports = forms.ChoiceField(label="Campaigning for", required=False)
    kind = forms.ChoiceField(
        label="What is declared", choices=CampaignDeclaration.Kind.choices, widget=forms.RadioSelect
    )
    description = TextField(label="Description", rows=3)
    amount = pounds_field("Amount spent, in pounds (spending only)", what="amount", required=False)
    link = forms.URLField(
        max_length=200, label="Link to the material (optional)", required=False, assume_scheme="https"
    )
    made_on = date_field("Date", "the date")

    def __init__(self, ballot, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supports"].choices = [("", "No option")] + [(str(o.pk), o.label) for o in ballot.options.all()]

    def clean(self):
        data = super().clean()
        if data.get("kind") == CampaignDeclaration.Kind.SPEND and data.get("amount") is None:
            self.add_error("amount", "Enter the amount spent")
        return data
