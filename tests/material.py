"""Small files of the right shape that the tests make themselves, so a fresh clone needs nothing beside it.

Each generator is seeded and writes the same bytes every time. Checks against outside truth (real
elections, the national data pack, published outputs) read ../shared instead and are marked `reference`.
"""

from __future__ import annotations

import csv
import random
import tempfile
from functools import cache
from pathlib import Path

# The practitioners' layout (sortition-algorithms, Sortition Foundation): feature,value,min,max,min_flex,max_flex.
PRACTITIONER_QUOTAS = {
    "Gender": {"Female": (11, 12), "Male": (10, 11), "Non-binary or other": (0, 1)},
    "age_bracket": {"0-15": (0, 0), "16-29": (4, 7), "30-44": (4, 7), "45-59": (4, 6), "60+": (4, 6)},
    "edu_level": {"No qualifications": (4, 7), "Level 1": (4, 7), "Level 2 or 3": (4, 6), "Level 4 and above": (4, 6)},
    "geo_bucket": {
        "North East": (2, 5),
        "North West": (1, 5),
        "Yorkshire": (1, 5),
        "Midlands": (1, 5),
        "East": (1, 5),
        "London": (1, 5),
        "South East": (1, 5),
        "South West": (1, 5),
    },
}
# One panel of 22 that meets every quota: the generator builds its first members from it, so the pool is feasible.
_REFERENCE_PANEL = {
    "Gender": {"Female": 11, "Male": 11},
    "age_bracket": {"16-29": 6, "30-44": 6, "45-59": 5, "60+": 5},
    "edu_level": {"No qualifications": 6, "Level 1": 6, "Level 2 or 3": 5, "Level 4 and above": 5},
    "geo_bucket": {
        "North East": 2,
        "North West": 3,
        "Yorkshire": 3,
        "Midlands": 3,
        "East": 2,
        "London": 3,
        "South East": 3,
        "South West": 3,
    },  # fmt: skip
}
RARE_REGION = "North East"
PRACTITIONER_COLUMNS = [
    "nationbuilder_id", "first_name", "last_name", "email", "mobile_number", "primary_address1",
    "primary_address2", "primary_city", "primary_zip", "Gender", "age_bracket", "geo_bucket", "edu_level",
]  # fmt: skip


@cache
def _root() -> Path:
    return Path(tempfile.mkdtemp(prefix="commonground-test-material-"))


def practitioner_quotas_csv() -> str:
    rows = ["feature,value,min,max,min_flex,max_flex"]
    for feature, values in PRACTITIONER_QUOTAS.items():
        rows += [f"{feature},{value},{low},{high},0,{high}" for value, (low, high) in values.items()]
    return "\n".join(rows) + "\n"


def practitioner_pool_csv(n: int = 150, seed: int = 22) -> str:
    """A volunteer pool of `n` people, ids p0…p{n-1}, one household each. A panel of 22 within the quotas
    exists by construction; the rest of the pool follows that panel's mix, except that only the panel's
    two people live in the North East, so every panel needs both and neither can be replaced."""
    rng = random.Random(seed)
    people: list[dict[str, str]] = [{} for _ in range(n)]
    for feature, counts in _REFERENCE_PANEL.items():
        panel_values = [value for value, count in counts.items() for _ in range(count)]
        rng.shuffle(panel_values)
        others = [value for value in panel_values if value != RARE_REGION]
        for i, person in enumerate(people):
            person[feature] = panel_values[i] if i < len(panel_values) else rng.choice(others)
    rng.shuffle(people)
    lines = [",".join(PRACTITIONER_COLUMNS)]
    for i, person in enumerate(people):
        lines.append(
            f"p{i},first_name{i},last_name{i},email{i}@example.org,0770090{i:04d},{i} Test Street,Flat {i},Testville,"
            f"TE{i % 9 + 1} {i % 10}AA,{person['Gender']},{person['age_bracket']},{person['geo_bucket']},"
            f"{person['edu_level']}"
        )
    return "\n".join(lines) + "\n"


@cache
def practitioner_pool() -> Path:
    """A directory holding features.csv and candidates.csv in the practitioners' layout (22 to select from 150)."""
    directory = _root() / "practitioner"
    directory.mkdir()
    (directory / "features.csv").write_text(practitioner_quotas_csv())
    (directory / "candidates.csv").write_text(practitioner_pool_csv())
    return directory


@cache
def replication_pool(n: int = 200, seed: int = 20) -> Path:
    """categories.csv and respondents.csv in the layout of the Nature 2021 replication examples (20 from 200):
    100 women and 100 men, each leaning liberal or conservative; every quota 9 to 20."""
    rng = random.Random(seed)
    directory = _root() / "replication"
    directory.mkdir()
    with (directory / "categories.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["category", "feature", "min", "max"])
        for category, features in (("gender", ("female", "male")), ("leaning", ("liberal", "conservative"))):
            writer.writerows([category, feature, 9, 20] for feature in features)
    genders = ["female"] * (n // 2) + ["male"] * (n - n // 2)
    rng.shuffle(genders)
    with (directory / "respondents.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["gender", "leaning"])
        writer.writerows([gender, rng.choice(("liberal", "conservative"))] for gender in genders)
    return directory


@cache
def practitioner_least_chance() -> float:
    """The least selection chance the engine's leximin gives on the practitioner pool (22 seats): what the
    web app and the worker must publish for the same files."""
    from commonground.engine.sortition import model
    from commonground.engine.sortition.leximin import select

    directory = practitioner_pool()
    quotas = model.read_quotas(directory / "features.csv")
    pool = model.read_pool(directory / "candidates.csv", quotas)
    return float(select(pool, quotas, 22, "leximin").probabilities.min())
