"""The imports that write to the database, on mutated seeds: each file is imported whole, or refused
with the importer's error naming the line and field, and then nothing at all is stored (issue 19)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from hypothesis import example, given

from tests.fuzz import seeds
from tests.fuzz.mutate import FUZZ, mutants, survives
from tests.fuzz.targets import in_file

pytestmark = [pytest.mark.fuzz, pytest.mark.sqlite, pytest.mark.django_db]

SURVEY = seeds.SURVEY[0]
ROLL = seeds.ROLL[0]


def stored(*models) -> tuple[int, ...]:
    return tuple(m.objects.count() for m in models)


def refused_whole(run, text: str, error: type[Exception], models) -> None:
    """`run(text)` imports, or raises `error` having stored nothing."""
    before = stored(*models)
    try:
        run(text)
    except error:
        assert stored(*models) == before, "a refused import stored some rows"
        raise


@FUZZ
@given(mutants(seeds.SURVEY))
@example(SURVEY + "X05000001,extra,1,,,,surplus\n")  # an extra field: AttributeError on the list DictReader made
@example(SURVEY + '"' + "q" * 200_000)  # csv.Error
@example(SURVEY.replace("Often lonely", "L" * 300))  # a measure name longer than its column
@example(SURVEY.replace("71.5", "1e400"))
def test_survey_import(demo, text):
    from commonground.outcomes.importers import SurveyError, SurveyImport, import_survey
    from commonground.places.models import AreaValue, DataSet, Measure

    spec = SurveyImport(dataset="fuzz-survey", name="Fuzz survey", source="Fuzz", licence="OGL", period="2026")

    def run(text: str) -> None:
        path = in_file(text)
        try:
            import_survey(path, spec, "fuzz")
        finally:
            path.unlink()

    survives(lambda t: refused_whole(run, t, SurveyError, (DataSet, Measure, AreaValue)), text, (SurveyError,))


@pytest.fixture
def open_ballot(make_user):
    from commonground.accounts.roles import Role
    from commonground.ballots import services

    officer = make_user("officer@example.org", roles=(Role.COUNCIL_OFFICER,))
    scrutineer = make_user("scrutineer@example.org", roles=(Role.SCRUTINEER,))
    opens = timezone.now() - dt.timedelta(days=1)
    ballot = services.create_ballot(
        officer, title="Fuzz estate ballot", estate="Fuzz", area=None, question="Yes or no?", options=["Yes", "No"],
        opens_at=opens, closes_at=opens + dt.timedelta(days=21), scrutineer=scrutineer, offer_title="Offer",
        offer_body="Homes.", offer_published_on=dt.date(2026, 1, 15),
    )  # fmt: skip
    return scrutineer, ballot


@FUZZ
@given(mutants(seeds.ROLL))
@example(ROLL + "Extra Person,3 Estate Rd,1990-01-01,social_tenant,2019-01-01,tenancy,surplus\n")
@example(ROLL + '"' + "q" * 200_000)  # csv.Error
@example(ROLL.replace("Ada Lovelace", "A" * 250))  # a name longer than its column
@example(ROLL.replace("Ada Lovelace", "Ada\x00Lovelace"))  # PostgreSQL refuses NUL in text
def test_ballot_roll_import(open_ballot, text):
    from commonground.ballots.models import Elector, RollEvent
    from commonground.ballots.services import BallotError, import_roll

    scrutineer, ballot = open_ballot
    run = lambda t: import_roll(scrutineer, ballot, t)  # noqa: E731
    survives(lambda t: refused_whole(run, t, BallotError, (Elector, RollEvent)), text, (BallotError,))


@FUZZ
@given(mutants(seeds.OWNERSHIP))
@example(seeds.OWNERSHIP[0].replace("Crown Pubs Ltd", "C" * 400))  # a proprietor name longer than its column
@example(seeds.OWNERSHIP[0].replace("450000", "9" * 30))  # pence past the column's 64 bits
def test_ownership_import(db, text):
    from commonground.assets import ownership
    from commonground.assets.models import Proprietor, Title

    run = lambda t: ownership.import_titles(io.StringIO(t, newline=""), source="fuzz.csv")  # noqa: E731
    error = ownership.OwnershipImportError
    survives(lambda t: refused_whole(run, t, error, (Title, Proprietor)), text, (error,))


def test_the_seeds_import(demo, open_ballot):
    from commonground.assets import ownership
    from commonground.ballots.services import import_roll
    from commonground.outcomes.importers import SurveyImport, import_survey

    path = in_file(SURVEY)
    spec = SurveyImport(dataset="fuzz-survey", name="Fuzz survey", source="Fuzz", licence="OGL", period="2026")
    assert import_survey(path, spec, "fuzz")["values"] == 3
    path.unlink()
    assert import_roll(open_ballot[0], open_ballot[1], ROLL) == 2
    for text in seeds.OWNERSHIP:
        ownership.import_titles(io.StringIO(text, newline=""), source="fuzz.csv")
