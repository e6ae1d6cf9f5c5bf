"""Forms for a tender's model, bids, scores and moderation, and the social value delivered (no JavaScript)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms

from commonground.core.forms import date_field, pounds_field
from commonground.engine import tender as engine
from commonground.procurement import model_data
from commonground.procurement.models import Commitment, Criterion


def percent_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=6, help_text=help_text,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}),
                           error_messages={"required": f"Enter the {label.lower()}"})  # fmt: skip


def to_decimal(value: str, what: str, places: str = "0.01") -> Decimal:
    try:
        number = Decimal(value.replace("%", "").replace(",", "").strip())
    except InvalidOperation:
        raise forms.ValidationError(f"Enter {what} as a number, like 30 or 12.5") from None
    if not number.is_finite() or number < 0 or number != number.quantize(Decimal(places)):
        raise forms.ValidationError(f"Enter {what} as a number of at most two decimal places, like 30 or 12.5")
    return number


class WeightsForm(forms.Form):
    price_weight = percent_field("Price weight, %")
    quality_weight = percent_field("Quality weight, %")
    social_value_weight = percent_field("Social value weight, %", "PPN 002 asks central government for at least 10%")
    floor = forms.TypedChoiceField(
        label="Least social value weight this model allows",
        coerce=int,
        choices=[(f, f"{f}%") for f in engine.FLOORS],
        widget=forms.RadioSelect,
        initial=30,
        help_text="30% is the baseline Common Ground proposes; it is not law",
    )
    scale_max = forms.TypedChoiceField(
        label="Scores run from 0 to",
        coerce=int,
        choices=[(s, str(s)) for s in engine.SCALES],
        widget=forms.RadioSelect,
        initial=5,
    )

    def clean_price_weight(self):
        return to_decimal(self.cleaned_data["price_weight"], "the price weight")

    def clean_quality_weight(self):
        return to_decimal(self.cleaned_data["quality_weight"], "the quality weight")

    def clean_social_value_weight(self):
        return to_decimal(self.cleaned_data["social_value_weight"], "the social value weight")

    def clean(self):
        data = super().clean()
        weights = [data.get(k) for k in ("price_weight", "quality_weight", "social_value_weight")]
        if all(w is not None for w in weights):
            if sum(weights) != 100:
                self.add_error(
                    "social_value_weight", f"The weights must add up to 100%: they add up to {sum(weights)}%"
                )
            elif data.get("floor") is not None and weights[2] < data["floor"]:
                self.add_error("social_value_weight", f"Social value must be weighted at least {data['floor']}% "
                               "(the floor you chose)")  # fmt: skip
        return data


class TenderForm(WeightsForm):
    body = forms.ChoiceField(label="Contracting body", choices=(), error_messages={"required": "Choose the body"})
    title = forms.CharField(label="What is being bought", max_length=300,
                            error_messages={"required": "Enter what is being bought"})  # fmt: skip
    description = forms.CharField(label="Description (optional)", required=False, max_length=20_000,
                                  widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    neighbourhoods = forms.CharField(label="Neighbourhoods the contract serves (optional)", required=False,
                                     max_length=2000, help_text="Their short names, separated by commas")  # fmt: skip

    field_order = ["body", "title", "description", "neighbourhoods", "price_weight", "quality_weight",
                   "social_value_weight", "floor", "scale_max"]  # fmt: skip

    def __init__(self, *args, body_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", "Choose a body")] + list(body_choices)

    def clean_neighbourhoods(self):
        return [s.strip().lower() for s in re.split(r"[\s,;]+", self.cleaned_data["neighbourhoods"]) if s.strip()]


class CriterionForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=Criterion.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose quality or social value"})  # fmt: skip
    name = forms.CharField(label="Criterion", max_length=300, error_messages={"required": "Name the criterion"})
    weight = percent_field("Weight, % of the whole evaluation")
    outcome = forms.ChoiceField(label="Social value outcome (social value criteria only)", required=False,
                                choices=())  # fmt: skip
    guidance = forms.CharField(label="What a good answer shows (optional)", required=False, max_length=10_000,
                               widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "None (a quality criterion)")] + model_data.outcome_choices()

    def clean_weight(self):
        return to_decimal(self.cleaned_data["weight"], "the weight")


class BidForm(forms.Form):
    supplier = forms.CharField(label="Supplier", max_length=300, error_messages={"required": "Enter the supplier"})
    price = pounds_field("Price, in pounds", what="price")
    is_sme = forms.BooleanField(label="The supplier is a small or medium-sized enterprise", required=False)
    is_vcse = forms.BooleanField(label="The supplier is a voluntary, community or social enterprise", required=False)


class EvaluatorForm(forms.Form):
    email = forms.EmailField(label="Email address of the evaluator's account",
                             error_messages={"required": "Enter an email address",
                                             "invalid": "Enter an email address like name@example.org"})  # fmt: skip


class GridForm(forms.Form):
    """One score (and for moderation, a reason) for every bid on every criterion."""

    def __init__(self, *args, bids=(), criteria=(), scale_max: int = 5, reasons: bool = False, initial_scores=None,
                 **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.cells = []
        initial_scores = initial_scores or {}
        for bid in bids:
            for criterion in criteria:
                name = f"s_{bid.pk}_{criterion.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=f"{bid.supplier}: {criterion.name}", required=False, coerce=int, empty_value=None,
                    choices=[("", "Not scored")] + [(n, str(n)) for n in range(scale_max + 1)],
                    initial=initial_scores.get((bid.pk, criterion.pk), ("", ""))[0],
                )  # fmt: skip
                cell = {"bid": bid, "criterion": criterion, "score": name}
                if reasons:
                    reason = f"r_{bid.pk}_{criterion.pk}"
                    self.fields[reason] = forms.CharField(
                        label=f"Reason for {bid.supplier}: {criterion.name}",
                        required=False,
                        max_length=2000,
                        initial=initial_scores.get((bid.pk, criterion.pk), ("", ""))[1],
                    )
                    cell["reason"] = reason
                self.cells.append(cell)

    def clean(self):
        data = super().clean()
        for cell in self.cells:
            if (
                "reason" in cell
                and data.get(cell["score"]) is not None
                and not (data.get(cell["reason"]) or "").strip()
            ):
                self.add_error(cell["reason"], f"Give the reason for the moderated score of {cell['bid'].supplier} "
                               f"on {cell['criterion'].name}")  # fmt: skip
        return data


class CommitmentForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of commitment", choices=Commitment.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose the kind of commitment"})  # fmt: skip
    outcome = forms.ChoiceField(label="Social value outcome (optional)", required=False, choices=())
    description = forms.CharField(label="Commitment", max_length=300,
                                  help_text="For example, 12 apprenticeships for residents of Brookfield",
                                  error_messages={"required": "Describe the commitment"})  # fmt: skip
    unit = forms.CharField(label="Counted in", max_length=100, help_text="For example, apprenticeship starts",
                           error_messages={"required": "Say how it is counted"})  # fmt: skip
    target = forms.CharField(label="Target", max_length=20, error_messages={"required": "Enter the target"})
    neighbourhood = forms.ChoiceField(label="Neighbourhood (where it applies to one)", required=False, choices=())
    due = forms.DateField(label="Due by (optional)", required=False, help_text="For example, 2028-03-31",
                          error_messages={"invalid": "Enter the date as year-month-day, like 2028-03-31"})  # fmt: skip

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "None")] + model_data.outcome_choices()
        self.fields["neighbourhood"].choices = [("", "The whole contract")] + [(s, s) for s in neighbourhoods]

    def clean_target(self):
        return to_decimal(self.cleaned_data["target"], "the target")


class DeliveryForm(forms.Form):
    delivered_on = date_field("Date delivered", "the date delivered")
    quantity = forms.CharField(label="Quantity delivered", max_length=20,
                               error_messages={"required": "Enter the quantity delivered"})  # fmt: skip
    neighbourhood = forms.ChoiceField(label="Neighbourhood (optional)", required=False, choices=())
    evidence = forms.CharField(label="Evidence", widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000,
                               error_messages={"required": "Say what shows it was delivered"})  # fmt: skip

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].choices = [("", "As the commitment says")] + [(s, s) for s in neighbourhoods]

    def clean_quantity(self):
        return to_decimal(self.cleaned_data["quantity"], "the quantity")
