"""PB forms: setting up a process, proposing, reviewing, and the ballot itself (built per process)."""

from __future__ import annotations

from django import forms
from django.utils.text import slugify

from commonground.budgeting.models import BALLOT_TYPE_LABELS, SEXES, Process, Proposal
from commonground.core.forms import date_field, pounds_field, to_pence
from commonground.engine.pb import rules
from commonground.engine.pb.ballot import BALLOT_TYPES

MOST_POUNDS = 10**12  # far above any neighbourhood budget, far below the database's integer limit


def whole_pounds(value: str, field: str) -> int:
    try:
        pounds = to_pence(value, field, whole_pounds=True) // 100
    except ArithmeticError:  # "NaN", "Infinity", "1e400": not amounts of money
        raise forms.ValidationError(f"Enter the {field} as a number of pounds, like 12000") from None
    if pounds > MOST_POUNDS:
        raise forms.ValidationError(f"The {field} must be £{MOST_POUNDS:,} or less")
    return pounds


class ProcessForm(forms.Form):
    title = forms.CharField(label="Name of the process", max_length=200, error_messages={"required": "Enter a name"})
    area_code = forms.CharField(
        label="Area code (optional)",
        required=False,
        max_length=16,
        help_text="The GSS code of the ward or area whose residents decide, like E05000001.",
    )
    description = forms.CharField(label="What is it for?", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    source_of_money = forms.CharField(
        label="Where does the money come from? (optional)",
        required=False,
        max_length=200,
        help_text="For example, the CIL neighbourhood portion or a Community Wealth Fund award.",
    )
    budget = pounds_field("Budget, in whole pounds", help_text="For example, 150000")
    ballot_type = forms.ChoiceField(
        label="How do people vote?",
        choices=[(t, BALLOT_TYPE_LABELS[t]) for t in BALLOT_TYPES],
        widget=forms.RadioSelect,
        initial="approval",
    )
    min_selections = forms.IntegerField(
        label="Fewest projects a voter must choose", min_value=0, max_value=1000, initial=1
    )
    max_selections = forms.IntegerField(
        label="Most projects a voter may choose or rank (optional)", min_value=1, max_value=1000, required=False
    )
    max_points = forms.IntegerField(
        label="Points each voter shares out (cumulative ballots)", min_value=1, max_value=1000, required=False
    )
    rule = forms.ChoiceField(
        label="How are the winners chosen?",
        choices=Process._meta.get_field("rule").choices,
        widget=forms.RadioSelect,
        initial="equal-shares",
    )
    complete_greedily = forms.BooleanField(
        label="Equal Shares: spend money left over on the next most popular projects that fit",
        required=False,
        initial=True,
    )
    electorate = forms.ChoiceField(
        label="Who may vote?",
        choices=Process.Electorate.choices,
        widget=forms.RadioSelect,
        initial=Process.Electorate.VERIFIED_OR_CODES,
    )
    min_age = forms.IntegerField(label="Youngest age that may vote", min_value=0, max_value=18, initial=16)
    secret = forms.BooleanField(label="Secret ballot: nobody can see how a person voted", required=False, initial=True)
    proposals_close = date_field("Ideas close (optional)", "the date ideas close", "2027-03-31")
    voting_opens = date_field("Voting opens (optional)", "the date voting opens", "2027-05-01")
    voting_closes = date_field("Voting closes (optional)", "the date voting closes", "2027-05-21")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("proposals_close", "voting_opens", "voting_closes"):
            self.fields[name].required = False

    def clean_budget(self) -> int:
        pounds = whole_pounds(self.cleaned_data["budget"], "budget")
        if pounds == 0:
            raise forms.ValidationError("The budget must be more than £0")
        return pounds

    def clean(self):
        data = super().clean()
        if data.get("ballot_type") == "cumulative" and not data.get("max_points"):
            self.add_error("max_points", "Enter how many points each voter shares out")
        rule = rules.RULES.get(data.get("rule", ""))
        if rule and rule.approval_only and data.get("ballot_type") not in (None, "approval", "knapsack"):
            self.add_error("rule", f"{rule.label} counts approval and knapsack ballots only")
        low, high = data.get("min_selections"), data.get("max_selections")
        if low is not None and high is not None and high < low:
            self.add_error("max_selections", "The most must be at least the fewest")
        opens, closes = data.get("voting_opens"), data.get("voting_closes")
        if opens and closes and closes < opens:
            self.add_error("voting_closes", "Voting must close after it opens")
        if data.get("title") and not slugify(data["title"]):
            self.add_error("title", "Use some letters or numbers in the name")
        return data


class ProposalForm(forms.Form):
    title = forms.CharField(label="Name your idea", max_length=150, error_messages={"required": "Name your idea"})
    summary = forms.CharField(
        label="Describe it in one sentence", max_length=300, error_messages={"required": "Describe your idea"}
    )
    description = forms.CharField(
        label="More detail (optional)", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    location = forms.CharField(label="Where? (optional)", required=False, max_length=200)
    category = forms.CharField(
        label="Category (optional)", required=False, max_length=60, help_text="For example, green spaces or youth"
    )
    estimated_cost = pounds_field("Roughly what would it cost, in whole pounds?", help_text="For example, 12000")

    def clean_estimated_cost(self) -> int:
        return whole_pounds(self.cleaned_data["estimated_cost"], "cost")


class ReviewForm(forms.Form):
    feasible = forms.ChoiceField(
        label="Can it go on the ballot?",
        choices=[("yes", "Yes: it is legal, the council can deliver it and it fits the budget"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether it can go on the ballot"},
    )
    cost = pounds_field("The council's cost estimate, in whole pounds")
    reason = forms.CharField(
        label="Reasons",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to the public. Required when it cannot go on the ballot.",
    )

    def clean_cost(self) -> int:
        return whole_pounds(self.cleaned_data["cost"], "cost")


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(label="Status", choices=Proposal.Delivery.choices, widget=forms.RadioSelect)
    spent = pounds_field("Spent so far, in whole pounds")
    note = forms.CharField(label="Update for residents", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_spent(self) -> int:
        return whole_pounds(self.cleaned_data["spent"], "amount spent")


class CodesForm(forms.Form):
    number = forms.IntegerField(label="How many codes?", min_value=1, max_value=5000, initial=300)
    batch = forms.CharField(
        label="Label for this batch", max_length=100, required=False, help_text="For example, Hall vote 14 May"
    )


class RollForm(forms.Form):
    emails = forms.CharField(
        label="Email addresses of approved voters",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line. These people vote by signing in.",
    )

    def clean_emails(self) -> list[str]:
        validator = forms.EmailField()
        emails = []
        for number, line in enumerate(self.cleaned_data["emails"].splitlines(), start=1):
            text = line.strip()
            if not text:
                continue
            try:
                emails.append(validator.clean(text))
            except forms.ValidationError:
                raise forms.ValidationError(f"Line {number}: {text!r} is not an email address") from None
        if not emails:
            raise forms.ValidationError("Enter at least one email address")
        return emails


class BallotForm(forms.Form):
    """The ballot of one process: checkboxes, points or ranks, one field per project where needed."""

    def __init__(self, *args, process: Process, projects: list[Proposal], with_code: bool = False,
                 with_receipt: bool = False, with_paper_number: bool = False, with_postcode: bool = False,
                 age_bands: list[tuple[str, str]] | None = None, **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.process = process
        self.projects = projects
        self.on_paper = with_paper_number
        if with_paper_number:
            self.fields["paper_number"] = forms.CharField(
                label="Paper number", max_length=40, error_messages={"required": "Enter the number on the paper"}
            )
        if with_code:
            self.fields["code"] = forms.CharField(
                label="Voting code",
                max_length=40,
                required=not with_paper_number,
                help_text="The 12 letters and numbers on your card, like ABCD-EFGH-JKMN."
                + (
                    " Each person votes once: with a verified account or with a code, not both."
                    if process.accepts_accounts
                    else ""
                ),
                error_messages={"required": "Enter your voting code"},
                widget=forms.TextInput(
                    attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
                ),
            )
        if with_receipt:
            self.fields["receipt"] = forms.CharField(
                label="Receipt code", max_length=40, error_messages={"required": "Enter your receipt code"}
            )
        label = {p.project_id: f"{p.title} (£{p.cost:,})" for p in projects}
        if process.ballot_type in ("approval", "knapsack"):
            hint = f"Choose at least {process.min_selections}"
            if process.max_selections:
                hint += f" and at most {process.max_selections}"
            if process.ballot_type == "knapsack":
                hint += f". Together they must cost no more than £{process.budget:,}"
            self.fields["projects"] = forms.MultipleChoiceField(
                label="Which projects do you support?",
                choices=list(label.items()),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text=hint + ".",
            )
        else:
            what = "points" if process.ballot_type == "cumulative" else "rank"
            for p in projects:
                self.fields[f"p{p.project_id}"] = forms.IntegerField(
                    label=label[p.project_id],
                    required=False,
                    min_value=0,
                    max_value=1000,
                    error_messages={
                        "invalid": f"Enter the {what} for {p.title} as a whole number, like 3",
                        "min_value": f"The {what} for {p.title} cannot be negative",
                        "max_value": f"The {what} for {p.title} must be 1,000 or less",
                    },
                    help_text=p.summary,
                    widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
                )
        if with_postcode:
            where = process.area.name
            self.fields["postcode"] = forms.CharField(
                label="Your home postcode",
                max_length=10,
                help_text=f"Only residents of {where} can vote. We check your postcode is in {where}; it is not kept.",
                error_messages={"required": f"Enter a postcode in {where}"},
                widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}),
            )
        if not with_paper_number and process.min_age:
            self.fields["age_confirmed"] = forms.BooleanField(
                label=f"I am {process.min_age} or older and live in the area",
                error_messages={"required": f"Confirm you are {process.min_age} or older and live in the area"},
            )
        if age_bands is not None:
            # Optional equality monitoring (Public Sector Equality Duty, Equality Act 2010 s.149): kept with
            # the "has voted" record, never with the ballot paper.
            self.fields["age_band"] = forms.ChoiceField(
                label="Optional: how old are you?",
                choices=age_bands,
                required=False,
                widget=forms.RadioSelect,
                help_text="So the council can see whether the voters are like the people who live here. Your answers "
                "are kept apart from your ballot, and results show only counts of 10 or more.",
            )
            self.fields["sex"] = forms.ChoiceField(
                label="Optional: what is your sex?", choices=SEXES, required=False, widget=forms.RadioSelect
            )

    def groups(self) -> dict[str, list]:
        """The fields in page order, the per-project boxes of points or ranks apart so the page can
        put them in one fieldset with a legend (GOV.UK: a group of related inputs is a fieldset)."""
        scored = {f"p{p.project_id}" for p in self.projects}
        fields = self.visible_fields()
        first = next((i for i, f in enumerate(fields) if f.name in scored), len(fields))
        return {
            "before": fields[:first],
            "scored": [f for f in fields if f.name in scored],
            "after": [f for f in fields[first:] if f.name not in scored],
        }

    @property
    def legend(self) -> str:
        if self.on_paper:
            return f"{'Points' if self.process.ballot_type == 'cumulative' else 'Ranks'} written on the paper"
        if self.process.ballot_type == "cumulative":
            return f"Share out your {self.process.max_points} points"
        return "Number the projects in order"

    @property
    def hint(self) -> str:
        if self.process.ballot_type == "cumulative":
            return "Put the points you give each project in its box. Leave a box empty to give it none."
        most = f", up to {self.process.max_selections}" if self.process.max_selections else ""
        return f"Put 1 by your first choice, 2 by your second, and so on{most}. Leave the others empty."

    def equality(self) -> dict[str, str]:
        """The optional monitoring answers; call after is_valid()."""
        return {k: self.cleaned_data[k] for k in ("age_band", "sex") if self.cleaned_data.get(k)}

    def choices(self) -> dict[str, int]:
        """The ballot as project id -> 1, points or rank; call after is_valid()."""
        if "projects" in self.fields:
            return {pid: 1 for pid in self.cleaned_data.get("projects", [])}
        return {
            p.project_id: self.cleaned_data[f"p{p.project_id}"]
            for p in self.projects
            if self.cleaned_data.get(f"p{p.project_id}")
        }

    def error_field(self) -> str:
        """Where a ballot-level error belongs: the checkboxes, or the first project's box."""
        return (
            "projects" if "projects" in self.fields else (f"p{self.projects[0].project_id}" if self.projects else None)
        )
