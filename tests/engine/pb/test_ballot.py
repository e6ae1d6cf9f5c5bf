"""Ballot checks and the .pb export of web ballots, counted by the same rules as real elections."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.engine.pb import ballot, pabulib, rules

COSTS = {"1": 40_000, "2": 25_000, "3": 30_000, "4": 10_000}


def test_approval_limits():
    r = ballot.BallotRules("approval", COSTS, 60_000, min_selections=1, max_selections=2)
    assert ballot.check(r, {"1": 1}) == []
    assert ballot.check(r, {}) == ["Choose at least 1 project"]
    assert ballot.check(r, {"1": 1, "2": 1, "3": 1}) == ["Choose at most 2 projects; you chose 3"]
    assert ballot.check(r, {"9": 1}) == ["Project 9 is not on this ballot"]
    assert ballot.check(r, {"1": 2}) == ["Tick each project you support once"]


def test_knapsack_must_fit_the_budget():
    r = ballot.BallotRules("knapsack", COSTS, 60_000)
    assert ballot.check(r, {"1": 1, "4": 1}) == []
    assert ballot.check(r, {"1": 1, "2": 1}) == ["Your choices cost 65,000, more than the budget of 60,000"]


def test_knapsack_ticks_count_once_and_values_must_be_whole_numbers():
    """A knapsack ballot is stored as approval: a 5 would have shown as 5 votes in the support table."""
    knapsack = ballot.BallotRules("knapsack", COSTS, 60_000)
    assert ballot.check(knapsack, {"1": 5}) == ["Tick each project you support once"]
    cumulative = ballot.BallotRules("cumulative", COSTS, 60_000, max_points=10)
    for value in (1.5, "3", True, None):
        assert ballot.check(cumulative, {"1": value}) == ["Points and ranks must be whole numbers"]


def test_cumulative_points():
    r = ballot.BallotRules("cumulative", COSTS, 60_000, max_points=10)
    assert ballot.check(r, {"1": 6, "2": 4}) == []
    assert ballot.check(r, {"1": 6, "2": 5}) == ["You gave 11 points; you have 10 to share"]
    with pytest.raises(ValueError, match="points"):
        ballot.BallotRules("cumulative", COSTS, 60_000)


def test_ranked_needs_consecutive_ranks_and_scores_borda():
    r = ballot.BallotRules("ranked", COSTS, 60_000, max_selections=3)
    assert ballot.check(r, {"3": 1, "1": 2}) == []
    assert ballot.check(r, {"3": 1, "1": 3}) == ["Number your choices 1, 2, 3 and so on, using each number once"]
    assert ballot.points(r, {"3": 1, "1": 2}) == {"3": 3, "1": 2}


def test_export_reads_back_and_counts_like_the_file():
    r = ballot.BallotRules("approval", COSTS, 60_000, max_selections=3)
    projects = [ballot.Project(pid, f"Project; {pid}", cost) for pid, cost in COSTS.items()]
    ballots = [{"1": 1, "4": 1}, {"2": 1, "3": 1}, {"1": 1}, {"3": 1, "4": 1}]
    text = ballot.to_pabulib({"description": "Test", "rule": "equalshares/add1"}, r, projects, ballots)
    election = pabulib.parse(text)
    assert election.n_voters == 4 and election.budget == 60_000 and election.meta["max_length"] == "3"
    assert election.projects[0]["name"] == "Project, 1"
    assert rules.tally(election, "greedy") == rules.tally(ballot.to_election({}, r, projects, ballots), "greedy")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.dictionaries(st.sampled_from(list(COSTS)), st.integers(1, 5), min_size=1, max_size=4), max_size=30),
    st.sampled_from(["approval", "cumulative", "ranked"]),
)
def test_every_valid_ballot_survives_the_round_trip(raw, ballot_type):
    r = ballot.BallotRules(ballot_type, COSTS, 60_000, max_points=20 if ballot_type == "cumulative" else None)
    valid = []
    for b in raw:
        if ballot_type == "approval":
            b = {p: 1 for p in b}
        elif ballot_type == "ranked":
            b = {p: i for i, p in enumerate(sorted(b), start=1)}
        if not ballot.check(r, b):
            valid.append(b)
    projects = [ballot.Project(pid, pid, cost) for pid, cost in COSTS.items()]
    election = ballot.to_election({}, r, projects, valid)
    assert election.n_voters == len(valid)
    for v, b in enumerate(valid):
        named = {election.project_ids[p] for p in election.ballot(v)}
        assert named == set(b)
        if election.ballot_points is not None:
            given_points = dict(
                zip((election.project_ids[p] for p in election.ballot(v)), election.points(v), strict=True)
            )
            assert given_points == ballot.points(r, b)
