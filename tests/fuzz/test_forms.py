"""Every form officers and residents submit, given generated values: it validates or returns field
errors, never raises, and what it accepts is bounded (issue 19: NaN, Infinity, 1e30 in money
fields, a stray carriage return and an over-long field gave officers HTTP 500)."""

from __future__ import annotations

import importlib
import inspect
import math

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.core.forms import LineField
from tests.fuzz import seeds
from tests.fuzz.mutate import EXAMPLES, FUZZ, TOKENS, mutants, time_limit

pytestmark = [pytest.mark.fuzz, pytest.mark.sqlite, pytest.mark.django_db]

APPS = ["accounts", "assets", "ballots", "budgeting", "fund", "outcomes", "panels"]
FORMS = sorted(
    (cls for app in APPS for _, cls in inspect.getmembers(importlib.import_module(f"commonground.{app}.forms"),
                                                          inspect.isclass)
     if issubclass(cls, forms.BaseForm) and cls.__module__ == f"commonground.{app}.forms"),
    key=lambda cls: f"{cls.__module__}.{cls.__name__}",
)  # fmt: skip
# What people type into each kind of field, for the mutations to start from.
TYPICAL = {
    forms.DateField: "2027-04-01", forms.DateTimeField: "2027-03-01 09:00", forms.IntegerField: "12",
    forms.FloatField: "51.5", forms.EmailField: "name@example.org", forms.URLField: "https://example.org/offer",
    forms.SlugField: "feel-safe",
}  # fmt: skip
CRAFTED = ["NaN", "Infinity", "-Infinity", "1e30", "1e400", "1e" + "9" * 30, "12000\r", "12\r000", "Name\rX-Header: y",
           "x" * 100_001]  # fmt: skip


def form_class_name(cls) -> str:
    return f"{cls.__module__.split('.')[1]}.{cls.__name__}"


@pytest.fixture
def context(db):
    """What the forms that need one are built with: a ballot with options, a PB process and its projects."""
    import datetime as dt

    from django.utils import timezone

    from commonground.accounts.models import RoleGrant, User
    from commonground.accounts.roles import Role
    from commonground.ballots import services
    from commonground.budgeting.models import Process, Proposal
    from commonground.outcomes.models import WellbeingMeasure

    officer, scrutineer = (User.objects.create_user(f"{name}@example.org", full_name=name)  # no password to hash
                           for name in ("officer", "scrutineer"))  # fmt: skip
    RoleGrant.objects.create(user=officer, role=Role.COUNCIL_OFFICER)
    RoleGrant.objects.create(user=scrutineer, role=Role.SCRUTINEER)
    opens = timezone.now() - dt.timedelta(days=1)
    ballot = services.create_ballot(
        officer, title="Fuzz", estate="Fuzz", area=None, question="Yes or no?", options=["Yes", "No"],
        opens_at=opens, closes_at=opens + dt.timedelta(days=21), scrutineer=scrutineer, offer_title="Offer",
        offer_body="Homes.", offer_published_on=dt.date(2026, 1, 15),
    )  # fmt: skip
    process = Process(title="Fuzz PB", slug="fuzz-pb", budget=100_000, ballot_type="approval", min_selections=1,
                      max_selections=3, max_points=10)  # fmt: skip
    projects = [Proposal(pk=i, process=process, title=f"Project {i}", summary="A project", cost=1000 * i,
                         estimated_cost=1000 * i) for i in (1, 2, 3)]  # fmt: skip
    return {"ballot": ballot, "process": process, "projects": projects, "measure": WellbeingMeasure(slug="m")}


def build(cls, data, files, context, ballot_type: str = "approval"):
    """The form as its view builds it."""
    from commonground.accounts.roles import Role

    name = form_class_name(cls)
    if name == "budgeting.BallotForm":
        context["process"].ballot_type = ballot_type
        paper = ballot_type == "ranked"
        return cls(data, process=context["process"], projects=context["projects"], with_code=True, with_receipt=True,
                   with_paper_number=paper, age_bands=[("16-64", "16 to 64")])  # fmt: skip
    if name in ("ballots.BatchForm", "ballots.VoteForm", "ballots.DeclarationForm"):
        return cls(context["ballot"], data)
    extra = {
        "accounts.RolesForm": {"grantable": frozenset(Role)},
        "fund.BudgetLineForm": {"priorities": []},
        "fund.SpendForm": {"lines": []},
        "outcomes.MeasureChangeForm": {"measure": context["measure"]},
    }.get(name, {})
    if name == "accounts.SignInForm":
        return cls(None, data)
    return cls(data, files, **extra)


def typical(field: forms.Field) -> str:
    for kind, value in TYPICAL.items():
        if isinstance(field, kind):
            return value
    if isinstance(field, forms.ChoiceField) and field.choices:
        return str(next(iter(dict(field.choices)), ""))
    return "1,250.50" if "pounds" in str(field.label) else "Some words"


def submission(draw, fields) -> tuple[dict, dict]:
    """POST data and files for `fields`: typical values, mutated, crafted or random."""
    data, files = {}, {}
    for name, field in fields.items():
        if isinstance(field, forms.FileField):
            content = draw(mutants(seeds.POOL + seeds.QUOTAS + seeds.ROLL, 3))
            files[name] = SimpleUploadedFile(f"{name}.csv", content.encode("utf-8", "surrogateescape"))
            continue
        value = draw(st.one_of(mutants([typical(field)], 3), st.sampled_from(CRAFTED + TOKENS), st.text(max_size=30)))
        multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        data[name] = [value] if multiple else value
    return data, files


def bounded(form) -> None:
    """What a valid form hands on fits a database column and a one-line context."""
    for name, value in form.cleaned_data.items():
        field = form.fields[name]
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            assert abs(value) <= 10**15, f"{name}: {value}"
        if isinstance(value, float):
            assert math.isfinite(value) and abs(value) <= 1e9, f"{name}: {value}"
        if isinstance(value, str) and isinstance(field, LineField):
            assert not any(c in value for c in "\r\n"), f"{name}: {value!r}"


@pytest.mark.parametrize("cls", FORMS, ids=form_class_name)
def test_every_form_validates_or_names_the_field(cls, context):
    """Signing in hashes the password on every try, so that form gets a sixth of the examples."""
    signing_in = form_class_name(cls) == "accounts.SignInForm"

    @(settings(FUZZ, max_examples=max(EXAMPLES // 6, 5)) if signing_in else FUZZ)
    @given(st.sampled_from(["approval", "knapsack", "cumulative", "ranked"]), st.data())
    def check(ballot_type, draw):
        data, files = submission(draw.draw, build(cls, None, None, context, ballot_type).fields)
        form = build(cls, data, files, context, ballot_type)
        with time_limit():
            valid = form.is_valid()
        if valid:
            bounded(form)
        else:
            assert form.errors

    check()


MONEY = [("fund.FundForm", "total"), ("fund.DisbursementForm", "amount"), ("budgeting.ProcessForm", "budget"),
         ("assets.BuyoutForm", "requested"), ("panels.PanelForm", "payment"),
         ("ballots.DeclarationForm", "amount")]  # fmt: skip


@pytest.mark.parametrize("value", CRAFTED)
@pytest.mark.parametrize(("cls", "field"), MONEY)
def test_crafted_money_values_are_field_errors(cls, field, value, context):
    """The issue's crafted values in every kind of money field; a stray carriage return is ignored."""
    form = build(next(c for c in FORMS if form_class_name(c) == cls), {field: value}, {}, context)
    form.is_valid()
    assert (field in form.errors) == (value not in ("12000\r", "12\r000")), form.errors.get(field)


@pytest.mark.parametrize("cls", FORMS, ids=form_class_name)
def test_every_text_field_has_a_length_and_every_number_a_range(cls, context):
    for ballot_type in ("approval", "ranked"):
        for name, field in build(cls, None, None, context, ballot_type).fields.items():
            if isinstance(field, forms.CharField):
                assert field.max_length, f"{name} has no max_length"
            if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
                assert field.max_value is not None and field.min_value is not None, f"{name} is unbounded"
