"""The add1 jump gives exactly the outcome of raising the endowment one unit at a time."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from commonground.engine.pb import mes, mes_interval, mes_runs, pabulib
from tests.conftest import SHARED
from tests.engine.pb.test_rules import elections, reference

PABULIB = SHARED / "pabulib"


def ids(election, trace) -> list[str]:
    return sorted(election.project_ids[p] for p in trace.selected)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(elections(), st.booleans())
def test_jump_equals_unit_steps_on_random_elections(case, exhaustive_stop):
    text, cardinal = case
    election = pabulib.parse(text)
    jumped = mes.add1(election, 1, exhaustive_stop)
    assume(jumped.steps <= 400)  # the exact unit-step reference is slow beyond that
    stepped = mes.unit_steps_reference(election, 1, exhaustive_stop, max_steps=jumped.steps + 1)
    assert stepped is not None, "the unit steps go on after the jump stopped"
    assert ids(election, jumped.trace) == ids(election, stepped)
    assert jumped.trace.endowment == stepped.endowment  # stopped at the same endowment, not just the same set
    if exhaustive_stop:
        assert ids(election, jumped.trace) == reference(text, "mes", cardinal, increment=1)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_fast_run_equals_exact_run(case):
    text, _ = case
    election = pabulib.parse(text)
    prep = mes_runs.Prepared(election)
    for extra in (0, 3, 17):
        endowment = Fraction(election.budget) / election.n_voters + extra
        fast, exact = mes_runs.run(prep, endowment), mes_runs.exact_run(prep, endowment)
        assert fast.selected == exact.selected
        assert [r.rho for r in fast.rounds] == pytest.approx([r.rho for r in exact.rounds], rel=1e-9)


REAL = [("Netherlands_Assen_2024", True), ("Netherlands_Assen_2024", False),
        ("Poland_Gdynia_2023_Kamienna_Gora__small", True), ("Poland_Gdynia_2023_Kamienna_Gora__small", False),
        ("Netherlands_Amsterdam_643", True), ("Netherlands_Amsterdam_643", False),
        ("Switzerland_Zurich_S5R", True)]  # fmt: skip


@pytest.mark.reference("pabulib")
@pytest.mark.parametrize(("name", "exhaustive_stop"), REAL)
def test_jump_equals_unit_steps_on_real_elections(name, exhaustive_stop):
    election = pabulib.read(PABULIB / f"{name}.pb")
    jumped = mes.add1(election, 1, exhaustive_stop)
    stepped = mes.unit_steps_reference(election, 1, exhaustive_stop)
    assert ids(election, jumped.trace) == ids(election, stepped)
    assert jumped.trace.endowment == stepped.endowment
    assert jumped.runs <= jumped.steps + 1 or jumped.steps < 5


@pytest.mark.reference("pabulib")
@pytest.mark.parametrize(
    "name", ["Worldwide_Mechanical_Turk_Utilities_8", "Poland_Swiecie_2023", "Hungary_Veszprem_2025"]
)
def test_jump_matches_pabutools_where_unit_steps_are_slow(name):
    path = PABULIB / f"{name}.pb"
    election = pabulib.read(path)
    cardinal = election.vote_type in ("cumulative", "scoring")
    result = mes.add1(election, 1, True)
    assert result.runs < result.steps  # it did jump
    if name != "Hungary_Veszprem_2025":  # pabutools takes minutes on Veszprém's add1
        assert ids(election, result.trace) == reference(str(path), "mes", cardinal, increment=1)


@st.composite
def tie_prone_elections(draw):
    """Elections whose costs are 20, 40 or 80: projects often cost their supporters the same, and
    such ties can hold across whole intervals (the case the exact affine settlement is for)."""
    n_projects = draw(st.integers(2, 5))
    costs = [draw(st.sampled_from([20, 40, 80])) for _ in range(n_projects)]
    budget = draw(st.integers(1, sum(costs)))
    lines = ["META", "key;value", f"budget;{budget}", "vote_type;approval", "PROJECTS", "project_id;cost"]
    lines += [f"{i};{c}" for i, c in enumerate(costs)] + ["VOTES", "voter_id;vote"]
    for v in range(draw(st.integers(2, 9))):
        chosen = draw(st.lists(st.integers(0, n_projects - 1), min_size=1, max_size=n_projects, unique=True))
        lines.append(f"{v};{','.join(map(str, chosen))}")
    return "\n".join(lines) + "\n"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(elections().map(lambda case: case[0]), tie_prone_elections()), st.integers(0, 30),
       st.integers(1, 12), st.booleans())  # fmt: skip
def test_every_endowment_in_an_interval_buys_one_of_the_sets_it_allows(text, extra, width, settle):
    """interval_run's proof, with and without the exact settlement of ties: every endowment in the
    interval buys one of the sets it returns."""
    election = pabulib.parse(text)
    prep = mes_runs.Prepared(election)
    low = Fraction(election.budget) / election.n_voters + extra
    possible = mes_interval.interval_run(prep, low, low + width, settle=settle).outcomes
    assume(possible is not None)
    for between in range(2 * width + 1):  # every unit, and the halves: the proof is for the whole interval
        assert frozenset(mes_runs.exact_run(prep, low + Fraction(between, 2)).selected) in possible


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tie_prone_elections(), st.booleans())
def test_jump_equals_unit_steps_where_ties_are_common(text, exhaustive_stop):
    election = pabulib.parse(text)
    jumped = mes.add1(election, 1, exhaustive_stop)
    assume(jumped.steps <= 400)
    stepped = mes.unit_steps_reference(election, 1, exhaustive_stop, max_steps=jumped.steps + 1)
    assert stepped is not None, "the unit steps go on after the jump stopped"
    assert ids(election, jumped.trace) == ids(election, stepped)
    assert jumped.trace.endowment == stepped.endowment


def test_a_tie_that_holds_across_the_interval_is_settled_exactly():
    """Found by a random search: from 16 to 30 units above budget / voters, projects 1 and 3 cost
    their supporters the same at every endowment, so the float bounds cannot split them and the
    proof follows both; the exact affine settlement gives 1 (the lower id) at all of them."""
    text = ("META\nkey;value\nbudget;88\nvote_type;approval\nPROJECTS\nproject_id;cost\n0;20\n1;20\n2;40\n3;80\n"
            "VOTES\nvoter_id;vote\n0;3,0,2,1\n1;0,2,1,3\n")  # fmt: skip
    election = pabulib.parse(text)
    prep = mes_runs.Prepared(election)
    low = Fraction(election.budget) / election.n_voters + 16
    assert len(mes_interval.interval_run(prep, low, low + 14).outcomes) == 2
    assert mes_interval.interval_run(prep, low, low + 14, settle=True).outcomes == {frozenset({0, 1, 2})}
    for quarter in range(14 * 4 + 1):
        assert frozenset(mes_runs.exact_run(prep, low + Fraction(quarter, 4)).selected) == {0, 1, 2}


def veszprem_prefix(votes: int) -> str:
    """The first `votes` votes of Veszprém 2025, with num_votes to match."""
    text = (PABULIB / "Hungary_Veszprem_2025.pb").read_text(encoding="utf-8")
    head, rows = text.split("\nVOTES\n")
    lines = rows.splitlines()
    return head.replace("num_votes;1607", f"num_votes;{votes}") + "\nVOTES\n" + "\n".join(lines[: votes + 1]) + "\n"


@pytest.mark.reference("pabulib")
def test_a_tie_lasting_60000_units_does_not_fall_back_to_unit_steps():
    """Issue 19: on the first 95 votes of Veszprém 2025, projects 24 and 32 cost their supporters the
    same from about 1,033,500 units above budget / voters on (their capped supporters paid the same
    price for 02), so every proof across that stretch followed both and failed: 63,020 runs, most
    exact, over 30 s. The exact affine settlement proves the stretch in a few jumps. The stop and
    the winners are those the unit-step loop reached before the fix."""
    election = pabulib.parse(veszprem_prefix(95))
    result = mes.add1(election, 1, True)
    assert ids(election, result.trace) == ["02", "24", "32", "45"]
    assert result.steps == 1_093_745
    assert result.runs < 500  # 63,020 before
    prep = mes_runs.Prepared(election)
    start = Fraction(election.budget) / election.n_voters
    before, at = (mes_runs.exact_run(prep, start + result.steps + d).selected for d in (-1, 0))
    assert sum(election.costs[p] for p in before) == 100_000_000  # 20,000,000 more still fits
    assert sum(election.costs[p] for p in at) == 120_000_000  # the whole budget: exhaustive


@pytest.mark.reference("pabulib")
def test_an_interval_with_near_ties_is_proven_through_branches(monkeypatch):
    """Toulouse 2024, 300 to 304 units above budget / voters: projects sharing supporters are
    within the bounds' reach of each other in several rounds, so the proof follows both orders;
    every endowment in between (units and quarters) buys a set it allows."""
    election = pabulib.read(PABULIB / "France_Toulouse_2024.pb")
    prep = mes_runs.Prepared(election)
    low = Fraction(election.budget) / election.n_voters + 300
    branched = []
    original = mes_interval._cheapest

    def cheapest(prep, branch, *args):
        found, may_end = original(prep, branch, *args)
        branched.append(len(found) > 1)
        return found, may_end

    monkeypatch.setattr(mes_interval, "_cheapest", cheapest)  # a spy: records how many projects each round may buy
    possible = mes_interval.interval_run(prep, low, low + 4).outcomes
    assert any(branched)
    assert possible is not None
    for quarter in range(17):
        assert frozenset(mes_runs.run(prep, low + Fraction(quarter, 4)).selected) in possible


@pytest.mark.reference("pabulib")
def test_an_interval_where_the_outcome_changes_allows_both_sets():
    """Toulouse 2024 buys one set up to 20 units above budget / voters and another from 21: the
    proof over [20, 22] allows both (and the loop may jump over it, since neither stops it)."""
    election = pabulib.read(PABULIB / "France_Toulouse_2024.pb")
    prep = mes_runs.Prepared(election)
    low = Fraction(election.budget) / election.n_voters + 20
    before, after = (frozenset(mes_runs.run(prep, low + extra).selected) for extra in (0, 2))
    assert before != after
    assert mes_interval.interval_run(prep, low, low + 2).outcomes == {before, after}


@pytest.mark.reference("pabulib")
def test_exact_ties_among_supporters_with_no_money_left_are_settled_in_floats():
    """Supporters who paid all they had leave a project priced 1 / (supporters with money) under
    cost satisfaction, so two projects tie exactly (Toulouse 2024, 8 units above budget / voters:
    two projects at 1/28); floats settle it by id, without the Fraction rerun, as exact_run does."""
    election = pabulib.read(PABULIB / "France_Toulouse_2024.pb")
    prep = mes_runs.Prepared(election)
    endowment = Fraction(election.budget) / election.n_voters + 8
    fast, exact = mes_runs.float_run(prep, endowment), mes_runs.exact_run(prep, endowment)
    assert fast.selected == exact.selected
    assert [r.rho_exact for r in fast.rounds if r.rho_exact is not None] == [
        r.rho_exact for r, f in zip(exact.rounds, fast.rounds, strict=True) if f.rho_exact is not None
    ]


def test_a_supporter_exactly_at_the_price_does_not_stall_the_float_run():
    # Found by Hypothesis: a supporter whose money/points equals the price exactly was capped and
    # uncapped in turn as the float price's last bit rounded either way, so the run never ended.
    text = ("META\nkey;value\nbudget;15\nvote_type;cumulative\nPROJECTS\nproject_id;cost\n0;19\n1;22\n2;11\n3;12\n"
            "4;10\nVOTES\nvoter_id;vote;points\n0;3,2,0;5,1,1\n1;1;2\n2;0,3,4,1,2;2,1,4,3,1\n3;4,3;5,1\n4;2;5\n"
            "5;0,4,2,1,3;2,1,1,5,4\n6;4,2,3;3,5,2\n7;3;1\n8;0,1;1,2\n")  # fmt: skip
    election = pabulib.parse(text)
    prep = mes_runs.Prepared(election)
    endowment = Fraction(election.budget, election.n_voters) + 1
    assert mes_runs.float_run(prep, endowment).selected == mes_runs.exact_run(prep, endowment).selected
    jumped = mes.add1(election, 1, False)
    stepped = mes.unit_steps_reference(election, 1, False, max_steps=jumped.steps + 1)
    assert ids(election, jumped.trace) == ids(election, stepped)


@pytest.mark.reference("pabulib")
def test_where_proofs_cost_more_than_runs_the_loop_sweeps_unit_runs(monkeypatch):
    """Łódź 2022 (90,494 voters, every project sharing supporters with every other) changes set at
    almost every unit, so a proof costs several runs and jumps little: add1 then makes unit runs
    in sweeps, and still stops where plain unit steps (each an exact run) stop."""
    election = pabulib.read(PABULIB / "Poland_Lodz_2022.pb")
    prep = mes_runs.Prepared(election)
    calls = {"proofs": 0, "runs": 0}
    original_run, original_proof = mes_runs.run, mes_interval.interval_run

    def run(*args):
        calls["runs"] += 1
        return original_run(*args)

    def interval_run(*args, **kwargs):
        calls["proofs"] += 1
        return original_proof(*args, **kwargs)

    monkeypatch.setattr(mes, "run", run)
    monkeypatch.setattr(mes, "interval_run", interval_run)
    jumped = mes.add1(election, 1, True, prep=prep)
    assert calls["runs"] > calls["proofs"]  # unit runs took over from proofs

    start = Fraction(election.budget) / election.n_voters
    k, previous = 0, None
    while True:  # pabutools' loop, one unit at a time, with the exact-when-close run
        trace = original_run(prep, start + k)
        spent = sum(Fraction(election.costs[p]) for p in trace.selected)
        if spent > election.budget:
            stopped = previous
            break
        left = [p for p in prep.candidates if p not in trace.selected]
        if all(spent + election.costs[p] > election.budget for p in left):  # exhaustive (or all bought)
            stopped = trace
            break
        previous, k = trace, k + 1
    assert ids(election, jumped.trace) == ids(election, stopped)
    assert jumped.trace.endowment == stopped.endowment
