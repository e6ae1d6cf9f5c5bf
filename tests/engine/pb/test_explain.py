"""Explanations agree with the tally and their figures hold together."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from commonground.engine.pb import explain, pabulib, rules
from tests.conftest import SHARED
from tests.engine.pb.test_rules import elections

PABULIB = SHARED / "pabulib"


def check(election, rule: str, plain: bool = False) -> dict:
    found = explain.explain(election, rule, plain=plain)
    winners = set(rules.tally(election, rule, plain=plain))
    assert set(found) == set(election.project_ids)
    assert {pid for pid, ex in found.items() if ex.won} == winners
    for pid, ex in found.items():
        cost = election.costs[election.index_of[pid]]
        assert ex.text and ex.project_id == pid and ex.rule == rule
        if ex.reason == "bought":
            assert ex.won and ex.round is not None and 1 <= ex.round <= ex.rounds
        if ex.reason in ("unaffordable", "completion"):
            # what its supporters had left could not pay for it: the cheapest equal price was more
            assert ex.supporters_money < float(cost) * (1 + 1e-9)
            assert ex.needed_per_supporter >= ex.left_per_supporter * (1 - 1e-9)
            assert ex.won == (ex.reason == "completion")
        if ex.reason == "did-not-fit":
            assert not ex.won and ex.money_left < cost
            assert all(found[a].won and found[a].position < ex.position for a in ex.ahead)
        if ex.reason == "funded":
            assert ex.won and ex.money_left >= cost
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_explanations_match_the_winners_on_random_elections(case):
    text, cardinal = case
    election = pabulib.parse(text)
    for rule in rules.RULES:
        if rule == "phragmen" and cardinal:
            continue
        check(election, rule)


@pytest.mark.reference("pabulib")
@pytest.mark.parametrize(
    "name", ["Netherlands_Assen_2024", "Poland_Wieliczka_2023_Green_Budget", "Poland_Warszawa_2026_Wesola",
             "Switzerland_Zurich_S5", "Poland_Swiecie_2023"],
)  # fmt: skip
def test_explanations_match_the_winners_on_real_elections(name):
    election = pabulib.read(PABULIB / f"{name}.pb")
    for rule in rules.RULES:
        if rule == "phragmen" and election.ballot_points is not None:
            continue
        check(election, rule)


@pytest.mark.reference("pabulib")
def test_city_greedy_explains_thresholds_and_the_stop():
    election = pabulib.read(PABULIB / "Poland_Warszawa_2026_Wesola.pb")
    found = check(election, "greedy")
    reasons = {ex.reason for ex in found.values()}
    assert "below-threshold" in reasons
    plain = check(election, "greedy", plain=True)
    assert "below-threshold" not in {ex.reason for ex in plain.values()}


@pytest.mark.reference("pabulib")
def test_mes_loser_reads_as_needed_against_had():
    election = pabulib.read(PABULIB / "Netherlands_Assen_2024.pb")
    found = check(election, "equal-shares")
    loser = next(ex for ex in found.values() if ex.reason == "unaffordable")
    assert loser.text.startswith(f"Needed €{loser.needed_per_supporter:,.2f} from each of its {loser.supporters}")
    assert "each left on average" in loser.text


@pytest.mark.reference("pabulib")
@pytest.mark.sqlite
def test_explain_command():
    from tests.conftest import run_cli

    path = str(PABULIB / "Netherlands_Assen_2024.pb")
    election = pabulib.read(PABULIB / "Netherlands_Assen_2024.pb")
    winner = next(p["project_id"] for p in election.projects if p["selected"] == "1")
    result = run_cli("pb", "explain", path, "--rule", "equal-shares", "--project", winner, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["won"] is True and data["round"] >= 1
    text = run_cli("pb", "explain", path, "--rule", "greedy", "--project", winner)
    assert text.returncode == 0 and text.stdout.startswith(f"{winner} (")
    bad = run_cli("pb", "explain", path, "--project", "nope")
    assert bad.returncode == 1 and bad.stderr.strip() == f"Error: {path}: no project 'nope'"
