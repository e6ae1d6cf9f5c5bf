"""PB forms: setting up a process, proposing, reviewing, and the ballot itself (built per process)."""

from __future__ import annotations

from django import forms
from django.utils.text import slugify

from commonground.budgeting.models import BALLOT_TYPE_LABELS, SEXES, Process, Proposal
from commonground.core.forms import Choices, LineField, TextField, date_field, pounds_field
from commonground.engine.pb import rules
from commonground.engine.pb.ballot import BALLOT_TYPES


class ProcessForm(forms.Form):
    title = LineField(label="Name of the process", max_length=200, error_messages={"required": "Enter a name"})
    area_code = LineField(
        label="Area code (optional)",
        required=False,
        max_length=16,
        help_text="The GSS code of the ward or area whose residents decide, like E05000001.",
    )
    neighbourhood = forms.ChoiceField(
        label="Neighbourhood (optional)",
        required=False,
        help_text="A neighbourhood's process: its board and officers run it, and applications serve its plan",
    )
    description = TextField(label="What is it for?", required=False, rows=4)
    uses_applications = forms.BooleanField(
        label="People apply with a form, and a scoring panel shortlists the applications for the vote",
        required=False,
    )
    priorities = TextField(
        label="Priorities applications must serve (optional)",
        required=False,
        rows=3,
        help_text="One per line. A neighbourhood's process uses the objectives of its plan instead.",
    )
    shortlist_threshold = forms.IntegerField(
        label="Least score, out of 100, an application needs to go to the vote",
        min_value=0,
        max_value=100,
        initial=50,
        required=False,
    )
    scoring_panel = forms.SlugField(
        label="Citizens' panel the scorers were drawn from (optional)",
        required=False,
        max_length=80,
        help_text="The end of its address, like brookfield-panel in /panels/brookfield-panel/",
    )
    source_of_money = LineField(
        label="Where does the money come from? (optional)",
        required=False,
        max_length=200,
        help_text="For example, the CIL neighbourhood portion or a Community Wealth Fund award.",
    )
    budget = pounds_field("Budget, in whole pounds", what="budget", whole_pounds=True, help_text="For example, 150000")
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

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("proposals_close", "voting_opens", "voting_closes"):
            self.fields[name].required = False
        self.fields["neighbourhood"].choices = [("", "None"), *neighbourhoods]
        self.fields["neighbourhood"].widget = forms.Select(choices=self.fields["neighbourhood"].choices)

    def clean_shortlist_threshold(self) -> int:
        value = self.cleaned_data.get("shortlist_threshold")
        return 50 if value is None else value

    def clean_budget(self) -> int:
        pounds = self.cleaned_data["budget"] // 100
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
    title = LineField(label="Name your idea", max_length=150, error_messages={"required": "Name your idea"})
    summary = LineField(
        label="Describe it in one sentence", max_length=300, error_messages={"required": "Describe your idea"}
    )
    description = TextField(label="More detail (optional)", required=False, rows=5)
    location = LineField(label="Where? (optional)", required=False, max_length=200)
    category = LineField(
        label="Category (optional)", required=False, max_length=60, help_text="For example, green spaces or youth"
    )
    estimated_cost = pounds_field(
        "Roughly what would it cost, in whole pounds?", what="cost", whole_pounds=True, help_text="For example, 12000"
    )

    def clean_estimated_cost(self) -> int:
        return self.cleaned_data["estimated_cost"] // 100


class ReviewForm(forms.Form):
    feasible = forms.ChoiceField(
        label="Can it go on the ballot?",
        choices=[("yes", "Yes: it is legal, the council can deliver it and it fits the budget"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether it can go on the ballot"},
    )
    cost = pounds_field("The council's cost estimate, in whole pounds", what="cost", whole_pounds=True)
    reason = TextField(
        label="Reasons",
        required=False,
        rows=3,
        help_text="Shown to the public. Required when it cannot go on the ballot.",
    )

    def clean_cost(self) -> int:
        return self.cleaned_data["cost"] // 100


class CodesForm(forms.Form):
    number = forms.IntegerField(label="How many codes?", min_value=1, max_value=5000, initial=300)
    batch = LineField(
        label="Label for this batch", max_length=100, required=False, help_text="For example, Hall vote 14 May"
    )


class RollForm(forms.Form):
    emails = TextField(
        label="Email addresses of approved voters",
        rows=6,
        max_length=500_000,  # thousands of addresses
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
            self.fields["paper_number"] = LineField(
                label="Paper number", max_length=40, error_messages={"required": "Enter the number on the paper"}
            )
        if with_code:
            self.fields["code"] = LineField(
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
            self.fields["receipt"] = LineField(
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
                choices=Choices(list(label.items())),
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
            self.fields["postcode"] = LineField(
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
                choices=Choices(age_bands),
                required=False,
                widget=forms.RadioSelect,
                help_text="So the council can see whether the voters are like the people who live here. Your answers "
                "are kept apart from your ballot, and results show only counts of 10 or more.",
            )
            self.fields["sex"] = forms.ChoiceField(
                label="Optional: what is your sex?", choices=Choices(SEXES), required=False, widget=forms.RadioSelect
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


# Applications, scoring, ring-fences and money ------------------------------------------------------------

BUDGET_LINES = 5
FENCE_ROWS = 4
CRITERIA_ROWS = 6
SCORE_CHOICES = [(str(n), str(n)) for n in range(6)]


def _percent_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        max_digits=6,
        decimal_places=3,
        error_messages={
            "invalid": "Enter a percentage, like 25",
            "min_value": "A share cannot be below 0%",
            "max_value": "A share cannot be above 100%",
            "max_decimal_places": "Use at most 3 decimal places",
        },
    )


class ApplicationForm(forms.Form):
    """The published application form: who applies, what for, which priority, and the budget lines."""

    title = forms.CharField(
        label="Name of the project", max_length=150, error_messages={"required": "Name the project"}
    )
    summary = forms.CharField(
        label="Describe it in one sentence",
        max_length=300,
        error_messages={"required": "Describe the project in one sentence"},
    )
    description = TextField(label="What will it do, and for whom? (optional)", required=False, rows=5)
    location = forms.CharField(label="Where? (optional)", required=False, max_length=200)
    applicant_kind = forms.ChoiceField(
        label="Who leads it?", widget=forms.RadioSelect, error_messages={"required": "Say who leads the project"}
    )
    organisation = forms.CharField(label="Name of your group (if a group applies)", required=False, max_length=200)

    def __init__(self, *args, priorities=(), kinds_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        from commonground.budgeting.models import ApplicantKind

        self.fields["applicant_kind"].choices = ApplicantKind.choices
        self.fields["applicant_kind"].required = kinds_required
        if priorities:
            self.fields["priority_ref"] = forms.TypedChoiceField(
                label="Which priority does it serve?",
                choices=[(str(r), t) for r, t in priorities],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose the priority your project serves"},
            )
        for n in range(1, BUDGET_LINES + 1):
            self.fields[f"line_{n}_item"] = LineField(
                label=f"Budget line {n}: what it buys" + ("" if n == 1 else " (optional)"),
                required=n == 1,
                max_length=200,
                error_messages={"required": "Give at least one budget line: what the money buys"},
            )
            self.fields[f"line_{n}_amount"] = pounds_field(
                f"Budget line {n}: cost in whole pounds", what=f"cost on budget line {n}", whole_pounds=True,
                required=n == 1,
            )  # fmt: skip

    def clean(self):
        data = super().clean()
        for n in range(1, BUDGET_LINES + 1):  # whole pounds (the field cleans to pence; blank lines cost nothing)
            data[f"line_{n}_amount"] = (data.get(f"line_{n}_amount") or 0) // 100
        return data

    def lines(self) -> list[tuple[str, int]]:
        return [
            (self.cleaned_data.get(f"line_{n}_item", ""), self.cleaned_data.get(f"line_{n}_amount") or 0)
            for n in range(1, BUDGET_LINES + 1)
        ]


class RingFenceForm(forms.Form):
    """Up to four ring-fences: whose projects, and the least and most share of the budget for them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from commonground.budgeting.models import ApplicantKind

        whose = [
            ("", "No ring-fence"),
            *[(k, f"Led by: {label}") for k, label in ApplicantKind.choices],
            ("category", "Projects in a category (name it below)"),
        ]
        for n in range(1, FENCE_ROWS + 1):
            self.fields[f"fence_{n}_whose"] = forms.ChoiceField(
                label=f"Ring-fence {n}: whose projects", choices=whose, required=False
            )
            self.fields[f"fence_{n}_category"] = forms.CharField(
                label=f"Ring-fence {n}: category", required=False, max_length=60
            )
            self.fields[f"fence_{n}_least"] = _percent_field(f"Ring-fence {n}: at least, per cent of the budget")
            self.fields[f"fence_{n}_most"] = _percent_field(f"Ring-fence {n}: at most, per cent of the budget")

    def clean(self):
        data = super().clean()
        for n in range(1, FENCE_ROWS + 1):
            whose = data.get(f"fence_{n}_whose")
            if whose == "category" and not (data.get(f"fence_{n}_category") or "").strip():
                self.add_error(f"fence_{n}_category", f"Ring-fence {n}: name the category")
            no_share = data.get(f"fence_{n}_least") is None and data.get(f"fence_{n}_most") is None
            if whose and no_share and f"fence_{n}_least" not in self.errors:
                self.add_error(f"fence_{n}_least", f"Ring-fence {n}: give a least share, a most share or both")
            if not whose and (data.get(f"fence_{n}_least") is not None or data.get(f"fence_{n}_most") is not None):
                self.add_error(f"fence_{n}_whose", f"Ring-fence {n}: say whose projects the share is for")
        return data

    def rows(self) -> list[tuple]:
        found = []
        for n in range(1, FENCE_ROWS + 1):
            whose = self.cleaned_data.get(f"fence_{n}_whose")
            if not whose:
                continue
            field, value = (
                ("category", self.cleaned_data[f"fence_{n}_category"].strip())
                if whose == "category"
                else ("applicant_kind", whose)
            )
            found.append(
                (field, value, self.cleaned_data.get(f"fence_{n}_least"), self.cleaned_data.get(f"fence_{n}_most"))
            )
        return found


class CriteriaForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, CRITERIA_ROWS + 1):
            self.fields[f"criterion_{n}_title"] = forms.CharField(
                label=f"Criterion {n}" + ("" if n == 1 else " (optional)"),
                required=n == 1,
                max_length=200,
                error_messages={"required": "Give at least one criterion"},
            )
            self.fields[f"criterion_{n}_description"] = forms.CharField(
                label=f"Criterion {n}: what scorers look for", required=False, max_length=1000
            )
            self.fields[f"criterion_{n}_weight"] = forms.IntegerField(
                label=f"Criterion {n}: weight",
                required=False,
                min_value=1,
                max_value=100,
                error_messages={
                    "invalid": "Enter the weight as a whole number, like 25",
                    "min_value": "A weight is at least 1",
                    "max_value": "A weight is at most 100",
                },
            )

    def clean(self):
        data = super().clean()
        for n in range(1, CRITERIA_ROWS + 1):
            named = (data.get(f"criterion_{n}_title") or "").strip()
            if named and not data.get(f"criterion_{n}_weight") and f"criterion_{n}_weight" not in self.errors:
                self.add_error(f"criterion_{n}_weight", f"Criterion {n}: give its weight, like 25")
        return data

    def rows(self) -> list[tuple[str, str, int]]:
        return [
            (
                self.cleaned_data[f"criterion_{n}_title"],
                self.cleaned_data.get(f"criterion_{n}_description", ""),
                self.cleaned_data[f"criterion_{n}_weight"],
            )
            for n in range(1, CRITERIA_ROWS + 1)
            if (self.cleaned_data.get(f"criterion_{n}_title") or "").strip()
        ]


class ScorerForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the panel member's account",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address, like name@example.org",
        },
    )


class DeclarationForm(forms.Form):
    interest = forms.CharField(
        label="What is your interest?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example: my sister runs the group applying. You will not score this application.",
        error_messages={"required": "Say what the interest is"},
    )


class ScoreForm(forms.Form):
    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        for c in criteria:
            self.fields[f"criterion_{c.pk}"] = forms.TypedChoiceField(
                label=f"{c.title} (weight {c.weight})",
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                help_text=(c.description + " " if c.description else "") + "0 is none, 5 is excellent.",
                error_messages={"required": f"Score {c.title} from 0 to 5"},
            )
        self.fields["comment"] = forms.CharField(
            label="Comment (optional, published without your name)",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=2000,
        )

    def values(self) -> dict[int, int]:
        return {int(k.split("_")[1]): v for k, v in self.cleaned_data.items() if k.startswith("criterion_")}


class ModerationForm(forms.Form):
    criterion = forms.TypedChoiceField(
        label="Criterion", coerce=int, error_messages={"required": "Choose the criterion"}
    )
    value = forms.TypedChoiceField(
        label="Agreed score",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the agreed score"},
    )
    reason = forms.CharField(
        label="Why (published)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say why the score is moderated"},
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [(str(c.pk), c.title) for c in criteria]
        self.fields["criterion"].widget = forms.Select(choices=self.fields["criterion"].choices)


class DrawForm(forms.Form):
    pot = forms.TypedChoiceField(label="Which pot?", coerce=int, error_messages={"required": "Choose a pot"})
    amount = pounds_field(
        "How much of it, in whole pounds? (0 takes the pot off)", what="amount", whole_pounds=True,
        help_text="For example, 200000",
    )  # fmt: skip

    def __init__(self, *args, pots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pot"].choices = [(str(p.pk), label) for p, label in pots]
        self.fields["pot"].widget = forms.Select(choices=self.fields["pot"].choices)

    def clean_amount(self) -> int:
        return self.cleaned_data["amount"] // 100
