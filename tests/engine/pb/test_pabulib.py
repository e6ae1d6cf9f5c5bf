"""The pabulib reader and writer on all 30 real elections, and clear errors on broken files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from commonground.engine.pb import pabulib
from tests.conftest import SHARED

PABULIB = SHARED / "pabulib"
FILES = sorted(PABULIB.glob("*.pb"))


def test_the_shared_collection_is_there():
    if len(FILES) != 30:
        pytest.fail(f"expected the 30 pabulib files in {PABULIB}, found {len(FILES)}")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_read_write_read_is_lossless(path: Path, tmp_path):
    election = pabulib.read(path)
    assert election.n_projects == len(election.projects) > 0
    assert election.n_voters == len(election.voters) > 0
    if "num_votes" in election.meta:
        assert election.n_voters == int(election.meta["num_votes"])
    copy = tmp_path / "copy.pb"
    pabulib.write(election, copy)
    again = pabulib.read(copy)
    assert again.same_as(election)
    assert pabulib.dumps(again) == pabulib.dumps(election)


def test_ballots_match_the_votes_column():
    election = pabulib.read(PABULIB / "Poland_Wieliczka_2023_Green_Budget.pb")
    first = election.voters[0]
    assert [election.project_ids[i] for i in election.ballot(0)] == first["vote"].split(",")
    assert election.budget == 1_000_000 and election.vote_type == "approval"
    declared = np.array([int(p["votes"]) for p in election.projects])
    assert np.array_equal(election.approvals(), declared)


def test_cumulative_points_are_read():
    election = pabulib.read(PABULIB / "Poland_Katowice_2023.pb")
    assert election.ballot_points is not None and election.ballot_points.size == election.ballot_projects.size
    assert (election.ballot_points > 0).all()


GOOD = (
    "META\nkey;value\nbudget;100\nvote_type;approval\n"
    "PROJECTS\nproject_id;cost\n1;60\n2;50\n"
    "VOTES\nvoter_id;vote\n1;1,2\n"
)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (GOOD.replace("1;60", "1;sixty"), "cost of project 1 'sixty' is not a number"),
        (GOOD.replace("1;1,2", "1;1,3"), "line 11: vote names project '3', which is not in PROJECTS"),
        (GOOD.replace("1;1,2", "1;1;2"), "line 11: 3 fields where the VOTES header has 2"),
        (GOOD.replace("vote_type;approval", "vote_type;lottery"), "vote_type 'lottery' is not one of"),
        (GOOD.replace("budget;100\n", ""), "META has no budget"),
        (GOOD.replace("VOTES\nvoter_id;vote\n1;1,2\n", ""), "no VOTES section"),
        (GOOD.replace("project_id;cost", "id;cost"), "line 6: the PROJECTS header needs project_id and cost"),
        (GOOD.replace("vote_type;approval", "vote_type;cumulative"), "cumulative ballots need a points column"),
    ],
)
def test_broken_files_name_the_line_and_field(broken, message):
    with pytest.raises(pabulib.PabulibError, match=message.replace("(", r"\(").replace("'", "'")):
        pabulib.parse(broken, "test.pb")
