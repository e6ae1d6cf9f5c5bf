"""The social value missions and measures a tender chooses from, read from data/social_value.toml."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "social_value.toml"


@cache
def model() -> dict:
    with DATA.open("rb") as handle:
        return tomllib.load(handle)


def missions() -> list[dict]:
    return model()["missions"]


def source() -> dict:
    return model()["source"]


def outcomes() -> dict[str, dict]:
    """Every outcome by code, with its mission's code and name."""
    return {
        o["code"]: {**o, "mission": m["code"], "mission_name": m["name"]} for m in missions() for o in m["outcomes"]
    }


def outcome_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a form's select: each mission with its outcomes."""
    return [(m["name"], [(o["code"], o["name"]) for o in m["outcomes"]]) for m in missions()]
