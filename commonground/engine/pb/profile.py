"""A PB election (instance + profile, as pabutools calls them) held as flat NumPy arrays.

Ballots are stored CSR-style: voter v's entries are `ballot_projects[ballot_ptr[v]:ballot_ptr[v + 1]]`
(project indices, in the ballot's own order: rank order for ordinal ballots) with `ballot_points`
alongside for cumulative and scoring ballots. Costs and the budget are exact (int or Fraction).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
Number = int | Fraction
LIMIT_KEYS = ("min_length", "max_length", "min_sum_points", "max_sum_points", "min_points", "max_points",
              "min_sum_cost", "max_sum_cost")  # fmt: skip


@dataclass(frozen=True)
class BallotLimits:
    """What a valid vote looked like in this election, as the file's META declares it (None: no limit)."""

    min_length: Number | None = None
    max_length: Number | None = None
    min_sum_points: Number | None = None
    max_sum_points: Number | None = None
    min_points: Number | None = None
    max_points: Number | None = None
    min_sum_cost: Number | None = None
    max_sum_cost: Number | None = None


@dataclass(eq=False)
class Election:
    meta: dict[str, str]
    project_columns: list[str]
    projects: list[dict[str, str]]  # every PROJECTS row as written, by column
    vote_columns: list[str]
    voters: list[dict[str, str]]  # every VOTES row as written, by column
    project_ids: list[str]
    costs: list[Number]
    budget: Number
    vote_type: str
    ballot_ptr: np.ndarray
    ballot_projects: np.ndarray
    ballot_points: np.ndarray | None = None
    index_of: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # oddities in the file that were read leniently
    limits: BallotLimits = field(default_factory=BallotLimits)

    @property
    def categories(self) -> list[tuple[str, ...]]:
        """Each project's categories (the PROJECTS column `category`, comma-separated), e.g. ("education",)."""
        return self._listed("category")

    @property
    def targets(self) -> list[tuple[str, ...]]:
        """Each project's target groups (the PROJECTS column `target`, comma-separated), e.g. ("seniors",)."""
        return self._listed("target")

    def _listed(self, column: str) -> list[tuple[str, ...]]:
        return [tuple(x.strip() for x in row.get(column, "").split(",") if x.strip()) for row in self.projects]

    @property
    def n_projects(self) -> int:
        return len(self.project_ids)

    @property
    def n_voters(self) -> int:
        return int(self.ballot_ptr.size - 1)

    def ballot(self, voter: int) -> np.ndarray:
        return self.ballot_projects[self.ballot_ptr[voter] : self.ballot_ptr[voter + 1]]

    def points(self, voter: int) -> np.ndarray:
        assert self.ballot_points is not None
        return self.ballot_points[self.ballot_ptr[voter] : self.ballot_ptr[voter + 1]]

    def voter_of_entry(self) -> np.ndarray:
        """For each ballot entry, the voter it belongs to (to vectorise per-voter sums)."""
        return np.repeat(np.arange(self.n_voters), np.diff(self.ballot_ptr))

    def approvals(self) -> np.ndarray:
        """Number of ballots naming each project."""
        return np.bincount(self.ballot_projects, minlength=self.n_projects)

    def same_as(self, other: Election) -> bool:
        """Equal content (used by round-trip tests)."""
        return (
            self.meta == other.meta
            and self.project_columns == other.project_columns
            and self.projects == other.projects
            and self.vote_columns == other.vote_columns
            and self.voters == other.voters
            and self.costs == other.costs
            and self.budget == other.budget
            and np.array_equal(self.ballot_ptr, other.ballot_ptr)
            and np.array_equal(self.ballot_projects, other.ballot_projects)
            and (
                (self.ballot_points is None and other.ballot_points is None)
                or (
                    self.ballot_points is not None
                    and other.ballot_points is not None
                    and np.array_equal(self.ballot_points, other.ballot_points)
                )
            )
        )


def with_borda_points(election: Election) -> Election:
    """Ordinal ballots as points, so the cardinal rules count them: a project ranked at position i
    (from 0) on a ballot of length L scores L − i − 1, pabutools' Additive_Borda_Sat. Entries worth
    nothing (the last ranked) are dropped, as a voter with no satisfaction is not a supporter there;
    every voter still counts, so MES shares the budget among all of them."""
    lengths = np.diff(election.ballot_ptr)
    voter = np.repeat(np.arange(election.n_voters), lengths)
    position = np.arange(election.ballot_projects.size) - election.ballot_ptr[:-1][voter]
    points = lengths[voter] - position - 1
    keep = points > 0
    ptr = np.concatenate([[0], np.cumsum(np.bincount(voter[keep], minlength=election.n_voters))])
    return replace(
        election,
        ballot_ptr=ptr.astype(election.ballot_ptr.dtype),
        ballot_projects=election.ballot_projects[keep],
        ballot_points=points[keep].astype(np.int64),
    )


def supporter_lists(election: Election) -> list[list[tuple[int, object]]]:
    """For each project, its supporters as (voter, satisfaction), exactly: the project's cost for
    approval ballots, the points for cardinal ones; voters who gave it nothing are left out.

    Kept here so that mes.py, which rules.py imports, need not import rules.py back."""
    if election.ballot_points is not None:
        sats = election.ballot_points.astype(object)
    else:
        sats = np.array(election.costs, dtype=object)[election.ballot_projects]
    voters = election.voter_of_entry()
    found: list[list[tuple[int, object]]] = [[] for _ in range(election.n_projects)]
    for voter, project, sat in zip(voters.tolist(), election.ballot_projects.tolist(), sats.tolist(), strict=True):
        if sat > 0:
            found[project].append((voter, sat))
    return found
