"""Who may vote and how the count adds up (CFG s.8 rules), without a database."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from commonground.engine.ballot_count import (
    Category,
    count,
    ineligibility_reasons,
    one_year_before,
    readd,
    window_warnings,
)

PUBLISHED = dt.date(2026, 3, 1)
VOTING = dt.date(2026, 4, 1)
ADULT = dt.date(1980, 1, 1)


def reasons(category, qualifying, born=ADULT):
    return ineligibility_reasons(category, qualifying, born, PUBLISHED, VOTING)


def test_social_tenant_on_or_before_publication_is_eligible_after_is_not():
    assert reasons(Category.SOCIAL_TENANT, PUBLISHED) == []
    assert reasons(Category.SOCIAL_TENANT, dt.date(2001, 5, 5)) == []
    late = reasons(Category.SOCIAL_TENANT, dt.date(2026, 3, 2))
    assert late == ["tenancy dated 02 March 2026, after the Landlord Offer was published on 01 March 2026"]


@pytest.mark.parametrize("category", [Category.RESIDENT_OWNER, Category.HOUSING_REGISTER])
def test_owners_and_register_need_a_full_year_before_publication(category):
    assert reasons(category, dt.date(2025, 3, 1)) == []
    (reason,) = reasons(category, dt.date(2025, 3, 2))
    assert "less than a year before the Landlord Offer was published on 01 March 2026" in reason
    assert "needs 01 March 2025 or earlier" in reason


def test_age_16_on_the_first_day_of_voting():
    assert reasons(Category.SOCIAL_TENANT, PUBLISHED, born=dt.date(2010, 4, 1)) == []
    (reason,) = reasons(Category.SOCIAL_TENANT, PUBLISHED, born=dt.date(2010, 4, 2))
    assert reason.startswith("not aged 16 or over on 01 April 2026")


def test_unknown_category_and_missing_dates_are_named():
    assert reasons("lodger", PUBLISHED)[0].startswith("category must be one of")
    assert reasons(Category.HOUSING_REGISTER, None) == ["the date they joined the housing register is missing"]


def test_leap_day_year_before():
    assert one_year_before(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)


def test_window_warning_under_three_weeks():
    start = dt.datetime(2026, 4, 1, 9)
    assert window_warnings(start, start + dt.timedelta(days=21)) == []
    assert "20 days" in window_warnings(start, start + dt.timedelta(days=20))[0]
    assert window_warnings(start, start) == ["voting must close after it opens"]


def test_simple_majority_of_valid_votes_with_turnout_of_the_roll():
    result = count(["Yes", "No"], {"Yes": 73, "No": 27}, spoilt=2, electorate=150)
    assert result.majority_option == "Yes"
    assert result.papers == 102
    assert result.turnout == Fraction(102, 150)
    assert result.as_dict()["options"][0] == {"option": "Yes", "votes": 73, "share_of_valid": 0.73}


def test_tie_and_plurality_without_majority_have_no_majority():
    assert count(["Yes", "No"], {"Yes": 5, "No": 5}, 0, 10).majority_option is None
    assert count(["A", "B", "C"], {"A": 4, "B": 3, "C": 3}, 0, 10).majority_option is None


def test_impossible_totals_are_refused():
    with pytest.raises(ValueError, match="only 3 electors"):
        count(["Yes", "No"], {"Yes": 3, "No": 1}, 0, 3)
    with pytest.raises(ValueError, match="not on the ballot"):
        count(["Yes", "No"], {"Maybe": 1}, 0, 3)


def test_readd_papers_gives_the_same_result():
    papers = ["Yes"] * 7 + ["No"] * 3 + [None]
    assert readd(["Yes", "No"], papers, 20) == count(["Yes", "No"], {"Yes": 7, "No": 3}, 1, 20)
    with pytest.raises(ValueError, match="'Perhaps'"):
        readd(["Yes", "No"], ["Perhaps"], 20)
