"""Statutory clocks: the issue's worked example, month ends, 29 February and leap years."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

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


RTB = c.RIGHT_TO_BUY_2026


def test_right_to_buy_2026_is_enacted_awaiting_commencement_and_old_key_is_an_alias():
    # English Devolution and Community Empowerment Act 2026 (c. 23), Royal Assent 29 April 2026; ACV schedule
    # commenced by regulations not yet made: the commencement date is data, None until set.
    assert c.ruleset("right-to-buy") is RTB and c.canonical("right-to-buy") == "right-to-buy-2026"
    assert RTB.status == "enacted" and RTB.in_force_from is None and not RTB.in_force(D(2030, 1, 1))
    assert "commencement regulations" in c.in_force_note(RTB)
    assert c.in_force_note(c.LOCALISM_2011) == "in force since 21 September 2012"
    assert set(c.RULESETS) == {"localism-2011", "right-to-buy-2026"}


@pytest.mark.parametrize(
    ("notice", "last"),
    [
        (D(2027, 3, 2), D(2028, 3, 1)),
        (D(2027, 3, 1), D(2028, 2, 29)),  # leap year: 29 Feb 2028 is the last day
        (D(2027, 2, 28), D(2028, 2, 27)),  # 28 Feb 2028 exists: the day before it
        (D(2028, 2, 29), D(2029, 2, 28)),  # no 29 Feb 2029: end of February
        (D(2027, 8, 31), D(2028, 8, 30)),
        (D(2027, 1, 31), D(2028, 1, 30)),
        (D(2027, 12, 31), D(2028, 12, 30)),
    ],
)
def test_2026_moratorium_is_twelve_months(notice, last):
    # EDCE Act 2026 ACV schedule (Bill Sch 27/29; enacted numbering unconfirmed): 12-month moratorium.
    period = c.full_moratorium(notice, RTB)
    assert (period.begins, period.last_day, period.length) == (notice, last, "12 months")
    assert "Bill Sch 27/29" in period.citation and "enacted numbering unconfirmed" in period.citation
    assert period.note == "the community group has first refusal"


@pytest.mark.parametrize(
    ("clock", "waits_on"),
    [
        (c.nomination_decision, "nomination decision period"),
        (c.listing, "how long a listing lasts"),
        (c.review_request, "review of a listing"),
        (c.review_decision, "review of a listing"),
        (c.tribunal_appeal, "appeal against a listing"),
        (c.interim_moratorium, "interim (expression-of-interest) window"),
        (c.compensation_claim, "compensation"),
        (c.valuation_timetable, "valuation timetable"),
    ],
)
def test_2026_periods_waiting_on_regulations_are_refused_as_clocks(clock, waits_on):
    # Each waits on the new ACV regulations under the 2026 Act (none made): computing it names the regulation.
    with pytest.raises(c.PendingClock, match="waits on regulations") as pending:
        clock(D(2027, 3, 2), RTB)
    assert waits_on in str(pending.value) and "new ACV regulations under the 2026 Act" in str(pending.value)
    assert pending.value.begins == D(2027, 3, 2) and pending.value.citation
    shown = c.attempt(clock, D(2027, 3, 2), RTB)
    assert shown.pending and shown.last_day is None and shown.length == "waits on regulations"


def test_2026_protected_period_not_confirmed_and_exemptions_pending():
    with pytest.raises(c.PendingClock, match="not confirmed"):
        c.protected_period(D(2027, 3, 2), RTB)
    assert "exempt disposals" in RTB.exempt_disposals.waits_on
    assert "valuation basis" in RTB.valuation_basis.waits_on
    with pytest.raises(c.PendingClock):
        c.last_day(D(2027, 3, 2), RTB.listing)


def test_2026_disposal_report_shows_what_waits():
    shown = c.report(c.Event.DISPOSAL_NOTICE, D(2027, 3, 2), RTB, bid_request=D(2027, 3, 20))
    assert [(p.key, p.pending, p.last_day) for p in shown] == [
        ("interim_moratorium", True, None),
        ("full_moratorium", False, D(2028, 3, 1)),
        ("protected_period", True, None),
    ]
    assert c.report(c.Event.LISTED, D(2027, 3, 2), c.LOCALISM_2011)[0].last_day == D(2032, 3, 1)
    with pytest.raises(c.PendingClock):
        c.clocks(c.Event.DISPOSAL_NOTICE, D(2027, 3, 2), RTB)


def test_new_cases_use_the_2026_rules_only_once_commenced():
    # A council's choice switches for NEW cases only once the commencement date is set and reached.
    assert c.rules_for_new_case("right-to-buy-2026", D(2030, 1, 1)) is c.LOCALISM_2011  # date not set
    commenced = replace(RTB, in_force_from=D(2027, 4, 1))  # a test-set commencement date
    assert c.rules_for_new_case(commenced, D(2027, 3, 31)) is c.LOCALISM_2011
    assert c.rules_for_new_case(commenced, D(2027, 4, 1)) is commenced
    assert c.rules_for_new_case("localism-2011", D(2027, 4, 1)) is c.LOCALISM_2011


@pytest.mark.parametrize(
    ("end", "first"),
    [
        (D(2026, 3, 1), D(2025, 3, 2)),  # 365 days
        (D(2028, 2, 28), D(2027, 3, 1)),  # no 28 Feb problem: 365 days
        (D(2028, 2, 29), D(2027, 3, 1)),  # no 29 Feb 2027: the day after its month's end (366 days)
        (D(2028, 3, 1), D(2027, 3, 2)),  # spans 29 Feb 2028: 366 days
    ],
)
def test_year_ending_with_a_day(end, first):
    assert c.year_start(end, Length(1, Unit.YEARS)) == first


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


def test_cli_shows_2026_periods_waiting_on_regulations():
    result = run_cli("assets", "clocks", "--event", "disposal-notice", "--date", "2027-03-02",
                     "--ruleset", "right-to-buy", "--bid-request", "2027-03-20", "--format", "json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ruleset"] == "right-to-buy-2026" and data["ruleset_status"] == "enacted"
    assert [(p["key"], p["last_day"]) for p in data["periods"]] == [
        ("interim_moratorium", None),
        ("full_moratorium", "2028-03-01"),
        ("protected_period", None),
    ]
    assert "new ACV regulations" in data["periods"][0]["waits_on"]
    text = run_cli("assets", "clocks", "--event", "listed", "--date", "2027-03-02", "--ruleset", "right-to-buy-2026")
    assert text.returncode == 0 and "waits on regulations" in text.stdout and "not in force" in text.stdout
