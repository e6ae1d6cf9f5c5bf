"""Statutory clocks: the issue's worked example, month ends, 29 February and leap years."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from commonground.engine import clocks as c
from commonground.engine.clocks import Length, Unit
from tests.conftest import run_cli

D = dt.date


def test_issue_example_exactly():
    periods = c.clocks(c.Event.DISPOSAL_NOTICE, D(2026, 3, 2), c.LOCALISM_2011, bid_request=D(2026, 3, 20))
    assert [(p.key, p.last_day) for p in periods] == [
        ("interim_moratorium", D(2026, 4, 12)),
        ("full_moratorium", D(2026, 9, 1)),
        ("protected_period", D(2027, 9, 1)),
    ]


@pytest.mark.parametrize(
    ("start", "length", "expected"),
    [
        (D(2026, 3, 2), Length(6, Unit.WEEKS), D(2026, 4, 12)),
        (D(2026, 1, 31), Length(1, Unit.MONTHS), D(2026, 2, 28)),  # no 31 Feb: end of February
        (D(2028, 1, 31), Length(1, Unit.MONTHS), D(2028, 2, 29)),  # leap year: 29 Feb is the last day
        (D(2028, 1, 29), Length(1, Unit.MONTHS), D(2028, 2, 28)),  # 29 Feb exists: day before it
        (D(2027, 1, 29), Length(1, Unit.MONTHS), D(2027, 2, 28)),  # no 29 Feb in 2027
        (D(2026, 8, 31), Length(6, Unit.MONTHS), D(2027, 2, 28)),
        (D(2027, 8, 31), Length(6, Unit.MONTHS), D(2028, 2, 29)),
        (D(2026, 8, 30), Length(6, Unit.MONTHS), D(2027, 2, 28)),
        (D(2026, 3, 31), Length(6, Unit.MONTHS), D(2026, 9, 30)),  # no 31 Sep: end of September
        (D(2026, 3, 1), Length(6, Unit.MONTHS), D(2026, 8, 31)),
        (D(2026, 8, 31), Length(18, Unit.MONTHS), D(2028, 2, 29)),
        (D(2026, 12, 15), Length(6, Unit.WEEKS), D(2027, 1, 25)),  # across a year end
        (D(2028, 2, 29), Length(5, Unit.YEARS), D(2033, 2, 28)),  # listed on 29 Feb: no 29 Feb 2033
        (D(2024, 2, 29), Length(4, Unit.YEARS), D(2028, 2, 28)),  # 29 Feb 2028 exists: day before it
        (D(2026, 3, 1), Length(5, Unit.YEARS), D(2031, 2, 28)),
        (D(2028, 3, 1), Length(5, Unit.YEARS), D(2033, 2, 28)),
        (D(2031, 3, 1), Length(1, Unit.YEARS), D(2032, 2, 29)),
        (D(2026, 2, 1), Length(28, Unit.DAYS), D(2026, 2, 28)),
        (D(2028, 2, 1), Length(28, Unit.DAYS), D(2028, 2, 28)),
        (D(2028, 2, 10), Length(8, Unit.WEEKS), D(2028, 4, 5)),  # 8 weeks across 29 Feb
        (D(2026, 2, 10), Length(8, Unit.WEEKS), D(2026, 4, 6)),
        (D(2026, 12, 31), Length(13, Unit.WEEKS), D(2027, 3, 31)),
    ],
)
def test_last_day_convention(start, length, expected):
    assert c.last_day(start, length) == expected


def test_period_must_have_length():
    with pytest.raises(ValueError, match="at least 1"):
        c.last_day(D(2026, 1, 1), Length(0, Unit.WEEKS))


def test_each_deadline_function_and_citation():
    r = c.LOCALISM_2011
    assert c.nomination_decision(D(2026, 1, 5), r).last_day == D(2026, 3, 1)
    assert c.nomination_decision(D(2026, 1, 5), r).citation == "SI 2012/2421 reg 7"
    assert c.listing(D(2026, 1, 5), r).last_day == D(2031, 1, 4)
    assert "s.87(3)" in c.listing(D(2026, 1, 5), r).citation
    assert c.review_request(D(2026, 1, 5), r).last_day == D(2026, 3, 1)
    assert "Sch. 2" in c.review_request(D(2026, 1, 5), r).citation
    assert c.review_decision(D(2026, 3, 1), r).last_day == D(2026, 4, 25)
    assert c.tribunal_appeal(D(2026, 4, 20), r).last_day == D(2026, 5, 17)
    assert "reg 11" in c.tribunal_appeal(D(2026, 4, 20), r).citation
    assert c.interim_moratorium(D(2026, 3, 2), r).citation == "Localism Act 2011 s.95(3)(a), (6)"
    assert c.compensation_claim(D(2026, 9, 2), r).last_day == D(2026, 12, 1)
    assert "reg 14" in c.compensation_claim(D(2026, 9, 2), r).citation


def test_full_moratorium_only_with_bid_request():
    periods = c.clocks(c.Event.DISPOSAL_NOTICE, D(2026, 3, 2))
    assert [p.key for p in periods] == ["interim_moratorium", "protected_period"]


def test_bid_request_on_last_day_of_interim_counts_but_day_after_does_not():
    assert len(c.disposal_periods(D(2026, 3, 2), c.LOCALISM_2011, D(2026, 4, 12))) == 3
    with pytest.raises(ValueError, match="outside the interim moratorium"):
        c.disposal_periods(D(2026, 3, 2), c.LOCALISM_2011, D(2026, 4, 13))
    with pytest.raises(ValueError, match="outside the interim moratorium"):
        c.disposal_periods(D(2026, 3, 2), c.LOCALISM_2011, D(2026, 3, 1))


def test_right_to_buy_is_a_proposal_with_12_month_moratorium():
    rules = c.ruleset("right-to-buy")
    assert rules.status == "proposal" and rules.in_force_from is None
    periods = c.clocks(c.Event.DISPOSAL_NOTICE, D(2026, 3, 2), rules, bid_request=D(2026, 3, 20))
    assert [p.last_day for p in periods] == [D(2026, 4, 12), D(2027, 3, 1), D(2027, 9, 1)]


def test_long_vacancy_only_under_right_to_buy():
    assert c.long_vacancy_watch(D(2025, 1, 1), c.LOCALISM_2011) is None
    assert not c.is_long_vacant(D(2025, 1, 1), D(2026, 6, 1), c.LOCALISM_2011)
    assert c.long_vacancy_watch(D(2025, 1, 1), c.RIGHT_TO_BUY).last_day == D(2025, 12, 31)
    assert not c.is_long_vacant(D(2025, 1, 1), D(2025, 12, 31), c.RIGHT_TO_BUY)
    assert c.is_long_vacant(D(2025, 1, 1), D(2026, 1, 1), c.RIGHT_TO_BUY)
    assert not c.is_long_vacant(None, D(2026, 1, 1), c.RIGHT_TO_BUY)


def test_unknown_ruleset_and_stray_bid_request():
    with pytest.raises(ValueError, match="unknown rule set"):
        c.ruleset("nope")
    with pytest.raises(ValueError, match="only applies to a disposal-notice"):
        c.clocks(c.Event.LISTED, D(2026, 1, 1), bid_request=D(2026, 1, 2))


def test_days_left():
    period = c.interim_moratorium(D(2026, 3, 2))
    assert period.days_left(D(2026, 4, 12)) == 0
    assert period.days_left(D(2026, 4, 1)) == 11


def test_cli_prints_issue_example_as_json():
    result = run_cli("assets", "clocks", "--event", "disposal-notice", "--date", "2026-03-02",
                     "--ruleset", "localism-2011", "--bid-request", "2026-03-20", "--format", "json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ruleset"] == "localism-2011"
    assert [(p["key"], p["last_day"]) for p in data["periods"]] == [
        ("interim_moratorium", "2026-04-12"),
        ("full_moratorium", "2026-09-01"),
        ("protected_period", "2027-09-01"),
    ]
    assert all(p["citation"] for p in data["periods"])


def test_cli_text_and_errors():
    result = run_cli("assets", "clocks", "--event", "nomination-received", "--date", "2026-01-05")
    assert result.returncode == 0, result.stderr
    assert "2026-03-01" in result.stdout and "SI 2012/2421 reg 7" in result.stdout
    bad = run_cli("assets", "clocks", "--event", "disposal-notice", "--date", "2026-02-30")
    assert bad.returncode != 0 and bad.stderr.startswith("Error:")
    late = run_cli("assets", "clocks", "--event", "disposal-notice", "--date", "2026-03-02",
                   "--bid-request", "2026-05-01")  # fmt: skip
    assert late.returncode == 1 and "outside the interim moratorium" in late.stderr
