"""Build any IoD-style composite index from an indicator table and a small TOML spec.

Per indicator: optional rate per 1,000 (with a denominator column), optional log, orientation so
that higher means more need, and rank-based normal scores (IoD 2019 Technical Report, appendix on
standardisation). Per domain: weighted sum of its indicators, then optionally the IoD exponential
transform of the domain rank. Overall: weighted sum of domains, ranked and cut into deciles.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from commonground.engine.indices import (
    deciles,
    exponential_transform,
    normal_scores,
    ranks_most_deprived_first,
    tied_ranks_most_deprived_first,
)
from commonground.engine.tables import DataError, codes, find_column, numeric, read_csv

DIRECTIONS = {"higher_more_need": True, "lower_more_need": False, "higher_less_need": False}
INDICATOR_TRANSFORMS = ("rate_per_1000", "log", "normal_scores")
DOMAIN_TRANSFORMS = ("exponential", "normal_scores", "none")


class SpecError(ValueError):
    """The TOML spec is wrong; the message names the key."""


@dataclass(frozen=True)
class Indicator:
    column: str
    direction: str
    transforms: tuple[str, ...] = ()
    weight: float = 1.0
    denominator: str | None = None
    label: str = ""
    missing: str = "error"


@dataclass(frozen=True)
class Domain:
    slug: str
    name: str
    weight: float
    transform: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class IndexSpec:
    name: str
    id_column: str
    domains: tuple[Domain, ...]
    description: str = ""
    proxies: dict[str, str] = field(default_factory=dict)


def spec_value(table: dict, key: str, where: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
    if not isinstance(table, dict):
        raise SpecError(f"{where}: expected a table of keys, got {table!r}"[:300])
    if key not in table:
        if default is ...:
            raise SpecError(f"{where}: missing key '{key}'")
        return default
    value = table[key]
    if not isinstance(value, kind) or (kind is float and isinstance(value, bool)):
        raise SpecError(f"{where}.{key}: expected {getattr(kind, '__name__', kind)}, got {value!r}"[:300])
    return value


def _weight(table: dict, where: str, default: Any = ...) -> float:
    """A weight: a number from 0 to 1,000,000 (TOML also allows nan, inf and integers of any size)."""
    value = spec_value(table, "weight", where, (int, float), default)
    if isinstance(value, bool) or not 0 <= value <= 1_000_000:
        raise SpecError(f"{where}.weight: {value!r} is not a number from 0 to 1,000,000"[:300])
    return float(value)


def parse_spec(text: str, source: str = "spec") -> IndexSpec:
    try:
        data = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or a plain ValueError for an integer of 5,000 digits
        raise SpecError(f"{source}: not valid TOML ({str(exc)[:200]})") from None
    index = spec_value(data, "index", source, dict)
    raw_domains = spec_value(data, "domain", source, list)
    if not raw_domains:
        raise SpecError(f"{source}: at least one [[domain]] is needed")
    domains = []
    for i, d in enumerate(raw_domains):
        where = f"{source}: domain[{i}]"
        slug = spec_value(d, "slug", where, str)
        transform = spec_value(d, "transform", where, str, "exponential")
        if transform not in DOMAIN_TRANSFORMS:
            raise SpecError(f"{where}.transform: {transform!r} is not one of {DOMAIN_TRANSFORMS}")
        indicators = []
        for j, ind in enumerate(spec_value(d, "indicator", where, list)):
            iw = f"{where}.indicator[{j}]"
            direction = spec_value(ind, "direction", iw, str)
            if direction not in DIRECTIONS:
                raise SpecError(f"{iw}.direction: {direction!r} is not one of {list(DIRECTIONS)}")
            transforms = tuple(spec_value(ind, "transform", iw, list, []))
            for t in transforms:
                if t not in INDICATOR_TRANSFORMS:
                    raise SpecError(f"{iw}.transform: {t!r} is not one of {INDICATOR_TRANSFORMS}")
            denominator = spec_value(ind, "denominator", iw, str, None)
            missing = spec_value(ind, "missing", iw, str, "error")
            if missing not in ("error", "median"):
                raise SpecError(f"{iw}.missing: {missing!r} is not 'error' or 'median'")
            if "rate_per_1000" in transforms and not denominator:
                raise SpecError(f"{iw}: rate_per_1000 needs a 'denominator' column")
            indicators.append(
                Indicator(
                    column=spec_value(ind, "column", iw, str),
                    direction=direction,
                    transforms=transforms,
                    weight=_weight(ind, iw, 1.0),
                    denominator=denominator,
                    label=spec_value(ind, "label", iw, str, ""),
                    missing=missing,
                )
            )
        if not indicators:
            raise SpecError(f"{where}: at least one [[domain.indicator]] is needed")
        if not any(i.weight for i in indicators):
            raise SpecError(f"{where}: the indicators' weights add up to 0")
        domains.append(
            Domain(
                slug=slug,
                name=spec_value(d, "name", where, str, slug),
                weight=_weight(d, where),
                transform=transform,
                indicators=tuple(indicators),
            )
        )
    total = sum(d.weight for d in domains)
    # The IMD's own published weights (22.5/22.5/13.5/13.5/9.3/9.3/9.3%) add up to 99.9%.
    if not np.isclose(total, 1.0, atol=0.005):
        raise SpecError(f"{source}: domain weights add up to {total:g}, not 1")
    return IndexSpec(
        name=spec_value(index, "name", f"{source}: index", str),
        id_column=spec_value(index, "id_column", f"{source}: index", str),
        description=spec_value(index, "description", f"{source}: index", str, ""),
        domains=tuple(domains),
        proxies=spec_value(data, "proxies", source, dict, {}),
    )


def load_spec(path: Path | str) -> IndexSpec:
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"{path}: file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_spec(text, str(path))


def _indicator_values(frame: pd.DataFrame, path: str, ind: Indicator) -> np.ndarray:
    column = find_column(frame, path, [ind.column], f"indicator {ind.column}")
    values = numeric(frame, path, column, allow_blank=ind.missing == "median")
    if ind.missing == "median":
        if np.isnan(values).all():
            raise DataError(path, "every value is blank, so there is no median to fill them with", column=column)
        values = np.where(np.isnan(values), np.nanmedian(values), values)  # stated in the spec, not silent
    if "rate_per_1000" in ind.transforms:
        denom = numeric(frame, path, find_column(frame, path, [ind.denominator], f"denominator {ind.denominator}"))
        zero = np.flatnonzero(denom <= 0)
        if zero.size:
            raise DataError(path, "denominator must be above zero", row=int(zero[0]) + 2, column=ind.denominator)
        values = values / denom * 1000
    if "log" in ind.transforms:
        negative = np.flatnonzero(values < 0)
        if negative.size:
            raise DataError(path, "log needs values of zero or more", row=int(negative[0]) + 2, column=column)
        values = np.log1p(values)
    more_need_high = DIRECTIONS[ind.direction]
    if "normal_scores" in ind.transforms:
        return normal_scores(values, higher_is_more_need=more_need_high)
    return values if more_need_high else -values


@dataclass(frozen=True)
class CompositeResult:
    ids: np.ndarray
    domain_scores: dict[str, np.ndarray]
    score: np.ndarray
    rank: np.ndarray
    decile: np.ndarray

    def to_frame(self, id_name: str) -> pd.DataFrame:
        frame = pd.DataFrame({id_name: self.ids})
        for slug, values in self.domain_scores.items():
            frame[f"{slug}_score"] = values
            frame[f"{slug}_rank"] = ranks_most_deprived_first(values)
        frame["score"] = self.score
        frame["rank"] = self.rank
        frame["decile"] = self.decile
        return frame


def build(spec: IndexSpec, frame: pd.DataFrame, path: str = "indicators") -> CompositeResult:
    """Compute the index for every row of `frame` (text columns, as read_csv gives)."""
    ids = codes(frame, path, find_column(frame, path, [spec.id_column], f"the id column {spec.id_column}"))
    n = ids.size
    domain_scores: dict[str, np.ndarray] = {}
    combined = np.zeros(n)
    for domain in spec.domains:
        weights = np.array([i.weight for i in domain.indicators])
        parts = np.column_stack([_indicator_values(frame, path, i) for i in domain.indicators])
        score = parts @ (weights / weights.sum())
        domain_scores[domain.slug] = score
        if domain.transform == "exponential":
            contribution = exponential_transform(tied_ranks_most_deprived_first(score), n=n)
        elif domain.transform == "normal_scores":
            contribution = normal_scores(score)
        else:
            contribution = score
        combined += domain.weight * contribution
    rank = ranks_most_deprived_first(combined)
    return CompositeResult(ids=ids, domain_scores=domain_scores, score=combined, rank=rank, decile=deciles(rank))


def build_from_files(spec_path: Path | str, indicators_path: Path | str) -> tuple[IndexSpec, CompositeResult]:
    spec = load_spec(spec_path)
    return spec, build(spec, read_csv(indicators_path), str(indicators_path))
