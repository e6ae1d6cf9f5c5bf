"""Ballots as residents fill them in, checked against the process's ballot rules, and turned into a
pabulib election so the same rules (and `commonground pb tally`) count them.

Ballot types follow the PB practice described by pabulib (Faliszewski et al. 2023, "vote_type"):
approval with a minimum and maximum number of selections, knapsack (the chosen projects must fit
the budget; stored as approval, as the Stanford knapsack files are), cumulative points and ranked.
Ranked ballots are counted as Borda scores (k points for a first preference down to 1 for the
k-th, k = the most a voter may rank), so every rule with additive utilities applies to them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from commonground.engine.pb import pabulib
from commonground.engine.pb.profile import Election

BALLOT_TYPES = ("approval", "knapsack", "cumulative", "ranked")
PABULIB_VOTE_TYPE = {"approval": "approval", "knapsack": "approval", "cumulative": "cumulative", "ranked": "scoring"}


@dataclass(frozen=True)
class BallotRules:
    """What a valid ballot looks like in one process."""

    ballot_type: str
    costs: Mapping[str, int]  # project id -> cost, in whole currency units or pence, as long as consistent
    budget: int
    min_selections: int = 1
    max_selections: int | None = None
    max_points: int | None = None  # cumulative ballots: points each voter shares out

    def __post_init__(self) -> None:
        if self.ballot_type not in BALLOT_TYPES:
            raise ValueError(f"ballot type must be one of {', '.join(BALLOT_TYPES)}, not {self.ballot_type!r}")
        if self.ballot_type == "cumulative" and not self.max_points:
            raise ValueError("cumulative ballots need the number of points each voter has")

    @property
    def rank_limit(self) -> int:
        return self.max_selections or len(self.costs)


def check(rules: BallotRules, choices: Mapping[str, int]) -> list[str]:
    """Every reason this ballot is not valid, in plain English; empty when it is valid.

    `choices` maps project id to 1 (approval, knapsack), points (cumulative) or rank (ranked, 1 = first).
    """
    errors: list[str] = []
    unknown = [p for p in choices if p not in rules.costs]
    if unknown:
        return [f"Project {', '.join(sorted(unknown))} is not on this ballot"]
    if any(isinstance(v, bool) or not isinstance(v, int) for v in choices.values()):
        return ["Points and ranks must be whole numbers"]
    chosen = {p: v for p, v in choices.items() if v}
    if any(v < 0 for v in chosen.values()):
        errors.append("Points and ranks cannot be negative")
    count = len(chosen)
    if count < rules.min_selections:
        errors.append(f"Choose at least {rules.min_selections} project{'s' if rules.min_selections != 1 else ''}")
    if rules.max_selections is not None and count > rules.max_selections:
        errors.append(f"Choose at most {rules.max_selections} projects; you chose {count}")
    if rules.ballot_type in ("approval", "knapsack") and any(v != 1 for v in chosen.values()):
        errors.append("Tick each project you support once")
    if rules.ballot_type == "knapsack":
        total = sum(rules.costs[p] for p in chosen)
        if total > rules.budget:
            errors.append(f"Your choices cost {total:,}, more than the budget of {rules.budget:,}")
    elif rules.ballot_type == "cumulative":
        assert rules.max_points is not None
        total = sum(chosen.values())
        if total > rules.max_points:
            errors.append(f"You gave {total} points; you have {rules.max_points} to share")
    elif rules.ballot_type == "ranked":
        ranks = sorted(chosen.values())
        if ranks != list(range(1, count + 1)):
            errors.append("Number your choices 1, 2, 3 and so on, using each number once")
    return errors


def points(rules: BallotRules, choices: Mapping[str, int]) -> dict[str, int]:
    """The points a valid ballot gives each project it names (Borda scores for ranked ballots)."""
    chosen = {p: v for p, v in choices.items() if v}
    if rules.ballot_type == "ranked":
        return {p: rules.rank_limit + 1 - rank for p, rank in sorted(chosen.items(), key=lambda item: item[1])}
    return chosen


@dataclass(frozen=True)
class Project:
    project_id: str
    name: str
    cost: int
    category: str = ""
    extra: tuple[tuple[str, str], ...] = ()  # more PROJECTS columns, e.g. (("applicant_kind", "youth"),)


def to_pabulib(
    meta: Mapping[str, str], rules: BallotRules, projects: Sequence[Project], ballots: Sequence[Mapping[str, int]]
) -> str:
    """The .pb text of a process: anyone can re-count it with `commonground pb tally`.

    `meta` gives description, country, unit, instance, rule and so on; the ballot settings are added.
    """
    vote_type = PABULIB_VOTE_TYPE[rules.ballot_type]
    scored = vote_type != "approval"
    full_meta = {
        **meta,
        "num_projects": str(len(projects)),
        "num_votes": str(len(ballots)),
        "budget": str(rules.budget),
        "vote_type": vote_type,
        "min_length": str(rules.min_selections),
    }
    if rules.max_selections is not None:
        full_meta["max_length"] = str(rules.max_selections)
    if rules.ballot_type == "cumulative":
        full_meta["max_sum_points"] = str(rules.max_points)
    if rules.ballot_type == "ranked":
        full_meta["comment"] = f"ranked ballots counted as Borda scores: {rules.rank_limit} for a first choice"
    lines = ["META", "key;value", *(f"{_cell(k)};{_cell(v)}" for k, v in full_meta.items())]
    columns = list(dict.fromkeys(key for p in projects for key, _ in p.extra))
    lines += ["PROJECTS", ";".join(["project_id", "cost", "name", "category", *columns])]
    for p in projects:
        extra = dict(p.extra)
        cells = [
            _cell(p.project_id),
            str(p.cost),
            _cell(p.name),
            _cell(p.category),
            *(_cell(extra.get(c, "")) for c in columns),
        ]
        lines.append(";".join(cells))
    lines += ["VOTES", "voter_id;vote;points" if scored else "voter_id;vote"]
    for number, ballot in enumerate(ballots, start=1):
        given = sorted(points(rules, ballot).items(), key=lambda item: (-item[1], item[0]))
        vote = ",".join(p for p, _ in given)
        lines.append(f"{number};{vote};{','.join(str(v) for _, v in given)}" if scored else f"{number};{vote}")
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    """One .pb field: the format is semicolon-separated, so strip what would break a row."""
    return " ".join(str(value).replace(";", ",").replace('"', "'").split())


def to_election(
    meta: Mapping[str, str], rules: BallotRules, projects: Sequence[Project], ballots: Sequence[Mapping[str, int]]
) -> Election:
    return pabulib.parse(to_pabulib(meta, rules, projects, ballots), source="process")
