"""Our rules against pabutools 1.2.3 (GPL, test-only oracle): random elections and real files."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.engine.pb import pabulib, rules
from tests.conftest import SHARED

PABULIB = SHARED / "pabulib"


def reference(path_or_text, rule: str, cardinal: bool, increment=None):
    from pabutools.election import Additive_Cardinal_Sat, Cost_Sat, parse_pabulib
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    inst, prof = parse_pabulib_from_string(path_or_text) if "\n" in str(path_or_text) else parse_pabulib(path_or_text)
    sat = Additive_Cardinal_Sat if cardinal else Cost_Sat
    if rule == "greedy":
        result = greedy_utilitarian_welfare(inst, prof, sat_class=sat)
    elif rule == "phragmen":
        from pabutools.rules import sequential_phragmen

        result = sequential_phragmen(inst, prof)
    else:
        result = method_of_equal_shares(inst, prof, sat_class=sat, voter_budget_increment=increment)
    return sorted(p.name for p in result)


@st.composite
def elections(draw):
    n_projects = draw(st.integers(2, 7))
    costs = [draw(st.integers(1, 40)) for _ in range(n_projects)]
    budget = draw(st.integers(1, sum(costs)))
    cardinal = draw(st.booleans())
    lines = ["META", "key;value", f"budget;{budget}", f"vote_type;{'cumulative' if cardinal else 'approval'}",
             "PROJECTS", "project_id;cost"] + [f"{i};{c}" for i, c in enumerate(costs)]  # fmt: skip
    lines += ["VOTES", "voter_id;vote;points" if cardinal else "voter_id;vote"]
    for v in range(draw(st.integers(1, 12))):
        chosen = draw(st.lists(st.integers(0, n_projects - 1), min_size=1, max_size=n_projects, unique=True))
        vote = ",".join(map(str, chosen))
        if cardinal:
            points = ",".join(str(draw(st.integers(1, 5))) for _ in chosen)
            lines.append(f"{v};{vote};{points}")
        else:
            lines.append(f"{v};{vote}")
    return "\n".join(lines) + "\n", cardinal


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_random_elections_match_pabutools(case):
    text, cardinal = case
    election = pabulib.parse(text)
    assert sorted(rules.greedy(election)) == reference(text, "greedy", cardinal)
    assert sorted(rules.mes(election)) == reference(text, "mes", cardinal)
    assert sorted(rules.mes(election, increment=1)) == reference(text, "mes", cardinal, increment=1)
    if not cardinal:
        assert sorted(rules.phragmen(election)) == reference(text, "phragmen", cardinal)


FAST = ["Netherlands_Assen_2024", "Poland_Gdynia_2023_Kamienna_Gora__small", "Switzerland_Zurich_S5",
        "Switzerland_Zurich_D10", "Worldwide_Mechanical_Turk_Utilities_8", "Netherlands_Amsterdam_643",
        "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals", "Poland_Swiecie_2023", "Hungary_Veszprem_2025",
        "Poland_Wieliczka_2023_Green_Budget"]  # fmt: skip


@pytest.mark.reference("pabulib")
@pytest.mark.parametrize("name", FAST)
def test_real_elections_match_pabutools(name):
    path = PABULIB / f"{name}.pb"
    election = pabulib.read(path)
    cardinal = election.vote_type in ("cumulative", "scoring")
    assert sorted(rules.greedy(election)) == reference(str(path), "greedy", cardinal)
    assert sorted(rules.mes(election)) == reference(str(path), "mes", cardinal)
    if not cardinal:
        assert sorted(rules.phragmen(election)) == reference(str(path), "phragmen", cardinal)


@pytest.mark.reference("pabulib")
@pytest.mark.parametrize("name", ["Netherlands_Assen_2024", "Poland_Gdynia_2023_Kamienna_Gora__small"])
def test_add1_matches_pabutools_on_real_elections(name):
    path = PABULIB / f"{name}.pb"
    election = pabulib.read(path)
    assert sorted(rules.mes(election, increment=1)) == reference(str(path), "mes", False, increment=1)


@pytest.mark.reference("pabulib")
def test_assen_official_winners_are_mes_add1():
    election = pabulib.read(PABULIB / "Netherlands_Assen_2024.pb")
    official = sorted(p["project_id"] for p in election.projects if p["selected"] == "1")
    assert sorted(rules.mes(election, increment=1)) == official


@pytest.mark.reference("pabulib")
def test_tally_command(tmp_path):
    import json

    from tests.conftest import run_cli

    result = run_cli("pb", "tally", str(PABULIB / "Netherlands_Assen_2024.pb"), "--rule", "mes-add1")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    election = pabulib.read(PABULIB / "Netherlands_Assen_2024.pb")
    assert sorted(data["winners"]) == sorted(p["project_id"] for p in election.projects if p["selected"] == "1")
    assert data["spent"] <= data["budget"] == 100_000
    broken = tmp_path / "broken.pb"
    broken.write_text("META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;x\nVOTES\n")
    bad = run_cli("pb", "tally", str(broken))
    assert bad.returncode == 1
    assert bad.stderr.strip() == f"Error: {broken}, line 7: cost of project 1 'x' is not a number"


@pytest.mark.reference("pabulib")
@pytest.mark.parametrize(
    "name", ["Netherlands_Assen_2024", "Poland_Swiecie_2023", "Poland_Wieliczka_2023_Green_Budget"]
)
def test_equal_shares_reproduces_the_cities_official_winners(name):
    """Cost utilities, add1 until the next step would overspend; no completion (their META rule has none)."""
    election = pabulib.read(PABULIB / f"{name}.pb")
    official = sorted(p["project_id"] for p in election.projects if p["selected"] == "1")
    assert sorted(rules.equal_shares(election)) == official


CITY_GREEDY = [
    "Poland_Warszawa_2026",
    "Poland_Warszawa_2026_Wesola",
    "Poland_Warszawa_2026_Marymont-Potok_Stary_Zoliborz",
    "Poland_Lodz_2022",
    "Poland_Katowice_2023",
    "Poland_Wroclaw_2015_150_-_500",
    "Poland_Wroclaw_2018",
    "Poland_Gdynia_2023_Green_Budget",
]


@pytest.mark.reference("pabulib")
@pytest.mark.parametrize("name", CITY_GREEDY)
def test_greedy_with_the_citys_settings_reproduces_the_official_winners(name):
    election = pabulib.read(PABULIB / f"{name}.pb")
    assert rules.has_city_settings(election)
    official = sorted(p["project_id"] for p in election.projects if p["selected"] == "1")
    assert sorted(rules.city_greedy(election)) == official


@pytest.mark.reference("pabulib")
def test_files_without_city_settings_use_plain_greedy():
    election = pabulib.read(PABULIB / "Poland_Wieliczka_2023_Green_Budget.pb")
    assert not rules.has_city_settings(election)


def borda_reference(path_or_text, rule: str, increment=None) -> list[str]:
    """pabutools on ordinal ballots with Additive_Borda_Sat (the satisfaction it offers for them)."""
    from pabutools.election import Additive_Borda_Sat, parse_pabulib
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    inst, prof = parse_pabulib_from_string(path_or_text) if "\n" in str(path_or_text) else parse_pabulib(path_or_text)
    if rule == "greedy":
        return sorted(p.name for p in greedy_utilitarian_welfare(inst, prof, sat_class=Additive_Borda_Sat))
    result = method_of_equal_shares(inst, prof, sat_class=Additive_Borda_Sat, voter_budget_increment=increment)
    return sorted(p.name for p in result)


@st.composite
def ordinal_elections(draw) -> str:
    n_projects = draw(st.integers(2, 7))
    costs = [draw(st.integers(1, 40)) for _ in range(n_projects)]
    lines = ["META", "key;value", f"budget;{draw(st.integers(1, sum(costs)))}", "vote_type;ordinal",
             "PROJECTS", "project_id;cost"] + [f"{i};{c}" for i, c in enumerate(costs)]  # fmt: skip
    lines += ["VOTES", "voter_id;vote"]
    for v in range(draw(st.integers(1, 12))):
        ranking = draw(st.lists(st.integers(0, n_projects - 1), min_size=1, max_size=n_projects, unique=True))
        lines.append(f"{v};{','.join(map(str, ranking))}")
    return "\n".join(lines) + "\n"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ordinal_elections())
def test_random_ordinal_elections_match_pabutools_borda(text):
    election = pabulib.parse(text)
    assert sorted(rules.tally(election, "greedy", plain=True)) == borda_reference(text, "greedy")
    assert sorted(rules.tally(election, "mes")) == borda_reference(text, "mes")
    assert sorted(rules.tally(election, "mes-add1")) == borda_reference(text, "mes", increment=1)


@pytest.mark.reference("pabulib")
@pytest.mark.parametrize(
    "name", ["Switzerland_Zurich_S5R", "US_Stanford_Dataset_PB_Chicago_47th_Ward_2021_vote_rankings"]
)
def test_ordinal_files_match_pabutools_borda(name):
    path = PABULIB / f"{name}.pb"
    election = pabulib.read(path)
    assert election.vote_type == "ordinal"
    assert sorted(rules.tally(election, "greedy", plain=True)) == borda_reference(str(path), "greedy")
    assert sorted(rules.tally(election, "mes")) == borda_reference(str(path), "mes")
    assert sorted(rules.tally(election, "mes-add1")) == borda_reference(str(path), "mes", increment=1)
    with pytest.raises(ValueError, match="approval ballots only"):
        rules.tally(election, "phragmen")


def test_borda_points_drop_the_last_ranked_but_keep_every_voter():
    from commonground.engine.pb.profile import with_borda_points

    text = ("META\nkey;value\nbudget;10\nvote_type;ordinal\nPROJECTS\nproject_id;cost\na;5\nb;5\nc;5\n"
            "VOTES\nvoter_id;vote\n1;c,a,b\n2;b\n3;a,c\n")  # fmt: skip
    scored = with_borda_points(pabulib.parse(text))
    assert scored.n_voters == 3
    assert [[scored.project_ids[p] for p in scored.ballot(v)] for v in range(3)] == [["c", "a"], [], ["a"]]
    assert [scored.points(v).tolist() for v in range(3)] == [[2, 1], [], [1]]


def test_an_election_with_no_votes_buys_nothing_under_mes():
    """Issue 19: the file the site writes for a vote with no ballots divided by zero voters in every
    MES rule; with no voters no one has money, so nothing is bought (pabutools agrees)."""
    text = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;60\nVOTES\nvoter_id;vote\n"
    election = pabulib.parse(text)
    for rule in ("mes", "mes-add1", "equal-shares"):
        assert rules.tally(election, rule) == []
    assert reference(text, "mes", False) == reference(text, "mes", False, increment=1) == []
