"""Pools, features and quotas for sortition, read from the CSV layouts practitioners already use.

Two layouts are accepted:
- sortition-algorithms / stratification-app: features `feature,value,min,max[,min_flex,max_flex]`
  and a people CSV with an id column and one column per feature;
- the *Nature* 2021 replication package: `category,feature,min,max` and `respondents.csv`
  with one column per category and no id column (people are numbered from 0 in file order).

People who share every feature value (and, under the household rule, nothing else that matters)
are interchangeable, so the algorithms work on *groups* of them: that keeps the integer programs
small even for pools of thousands.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from commonground.engine import csvrows


class SortitionError(ValueError):
    """Bad input (file, row, field) or an impossible request; the message is shown to the user."""


class InfeasibleQuotas(SortitionError):
    """No panel meets the quotas; `relaxations` lists the smallest change that makes one possible."""

    def __init__(self, message: str, relaxations: list[Relaxation]):
        super().__init__(message)
        self.relaxations = relaxations


@dataclass(frozen=True)
class Quota:
    feature: str
    value: str
    min: int
    max: int


@dataclass(frozen=True)
class Relaxation:
    """One quota bound that has to move for any panel to exist."""

    feature: str
    value: str
    bound: str  # "min" or "max"
    current: int
    needed: int

    def describe(self) -> str:
        verb = "lower" if self.bound == "min" else "raise"
        return f"{self.feature}={self.value}: {verb} {self.bound} from {self.current} to {self.needed}"


@dataclass
class Pool:
    """The volunteers: ids, the value index of each feature per person, and household keys."""

    ids: list[str]
    features: list[str]
    values: dict[str, list[str]]  # feature -> its values, in the quota file's order
    codes: np.ndarray  # (n, F) int: index into values[feature]
    households: list[str | None] = field(default_factory=list)  # None: no household rule for this person

    @property
    def n(self) -> int:
        return len(self.ids)

    def subset(self, keep: Sequence[int]) -> Pool:
        keep = list(keep)
        return Pool(
            ids=[self.ids[i] for i in keep],
            features=self.features,
            values=self.values,
            codes=self.codes[keep],
            households=[self.households[i] for i in keep] if self.households else [],
        )


@dataclass
class Quotas:
    """Min/max number of panel members per feature value (`feature -> value -> (min, max)`)."""

    bounds: dict[str, dict[str, tuple[int, int]]]

    def items(self) -> list[Quota]:
        return [Quota(f, v, lo, hi) for f, vals in self.bounds.items() for v, (lo, hi) in vals.items()]


@dataclass
class Groups:
    """Interchangeable people: same feature values and same household (if the rule is on).

    `members[g]` are pool indices, `counts[g] = len(members[g])`, `incidence` is (Q, G): group g has
    quota row q's value; `households` lists, for each shared household, the groups inside it.
    """

    members: list[list[int]]
    counts: np.ndarray
    incidence: np.ndarray
    quota_rows: list[Quota]
    households: list[list[int]]


def _cell(row: dict[str, str], column: str) -> str:
    return (row.get(column) or "").strip()


MOST = 1_000_000  # a quota bound above this is a typing slip: no pool or panel is that large


def _int_field(row: dict[str, str], column: str, where: str) -> int:
    raw = _cell(row, column)
    try:
        number = int(raw)
    except ValueError:
        try:
            as_float = float(raw)
        except ValueError:
            raise SortitionError(f"{where}, field '{column}': {raw!r} is not a whole number") from None
        if not as_float.is_integer():
            raise SortitionError(f"{where}, field '{column}': {raw!r} is not a whole number") from None
        number = int(as_float)
    if number < 0:
        raise SortitionError(f"{where}, field '{column}': {number} is negative")
    if number > MOST:
        raise SortitionError(f"{where}, field '{column}': {raw!r} is more than {MOST:,}")
    return number


def _read_rows(path: Path | str, text: str | None = None) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and (line number, row) pairs of the file at `path`, or of `text` when given."""
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise SortitionError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise SortitionError(f"{path}: not UTF-8 text") from None
    try:
        return csvrows.read(io.StringIO(text, newline=""))
    except csvrows.CsvError as exc:
        raise SortitionError(f"{path}, {exc}") from None


def read_quotas(path: Path | str, text: str | None = None) -> Quotas:
    """Quotas from `feature,value,min,max[,min_flex,max_flex]` or `category,feature,min,max`."""
    header, rows = _read_rows(path, text)
    lower = [h.lower() for h in header]
    if {"feature", "value", "min", "max"} <= set(lower):
        feature_col, value_col = header[lower.index("feature")], header[lower.index("value")]
    elif {"category", "feature", "min", "max"} <= set(lower):
        feature_col, value_col = header[lower.index("category")], header[lower.index("feature")]
    else:
        raise SortitionError(
            f"{path}: header must be feature,value,min,max[,min_flex,max_flex] or category,feature,min,max; "
            f"found {','.join(header)}"
        )
    min_col, max_col = header[lower.index("min")], header[lower.index("max")]
    bounds: dict[str, dict[str, tuple[int, int]]] = {}
    for number, row in rows:
        where = f"{path}, row {number}"
        feature, value = _cell(row, feature_col), _cell(row, value_col)
        if not feature:
            raise SortitionError(f"{where}, field '{feature_col}': empty")
        if not value:
            raise SortitionError(f"{where}, field '{value_col}': empty")
        lo, hi = _int_field(row, min_col, where), _int_field(row, max_col, where)
        if lo > hi:
            raise SortitionError(f"{where}: min {lo} is greater than max {hi} for {feature}={value}")
        values = bounds.setdefault(feature, {})
        if value in values:
            raise SortitionError(f"{where}: {feature}={value} appears twice")
        values[value] = (lo, hi)
    if not bounds:
        raise SortitionError(f"{path}: no quotas")
    return Quotas(bounds)


def read_pool(
    path: Path | str,
    quotas: Quotas,
    *,
    id_column: str | None = None,
    household_columns: Sequence[str] = (),
    text: str | None = None,
) -> Pool:
    """People with one column per quota feature. The id column is `id_column`, else the first
    column that is not a feature; with none (the replication layout) people are numbered from 0."""
    header, rows = _read_rows(path, text)
    features = list(quotas.bounds)
    missing = [f for f in features if f not in header]
    if missing:
        raise SortitionError(f"{path}: no column for feature(s) {', '.join(missing)}")
    for column in household_columns:
        if column not in header:
            raise SortitionError(f"{path}: no household column '{column}'")
    if id_column is not None and id_column not in header:
        raise SortitionError(f"{path}: no id column '{id_column}'")
    if id_column is None:
        id_column = next((h for h in header if h not in quotas.bounds), None)
    values = {f: list(quotas.bounds[f]) for f in features}
    index = {f: {v: i for i, v in enumerate(vals)} for f, vals in values.items()}
    ids: list[str] = []
    codes = np.zeros((len(rows), len(features)), dtype=np.int64)
    households: list[str | None] = []
    seen: dict[str, int] = {}
    for r, (number, row) in enumerate(rows):
        where = f"{path}, row {number}"
        person = _cell(row, id_column) if id_column else str(r)
        if not person:
            raise SortitionError(f"{where}, field '{id_column}': empty id")
        if person in seen:
            raise SortitionError(f"{where}, field '{id_column}': id {person!r} already used on row {seen[person]}")
        seen[person] = number
        ids.append(person)
        for j, feature in enumerate(features):
            value = _cell(row, feature)
            if value not in index[feature]:
                allowed = ", ".join(values[feature])
                raise SortitionError(
                    f"{where}, field '{feature}': {value!r} is not one of the quota values ({allowed})"
                )
            codes[r, j] = index[feature][value]
        if household_columns:
            parts = [_cell(row, c).casefold() for c in household_columns]
            households.append("\x1f".join(parts) if any(parts) else None)
    if not ids:
        raise SortitionError(f"{path}: no people")
    return Pool(ids=ids, features=features, values=values, codes=codes, households=households)


def group_pool(pool: Pool, quotas: Quotas) -> Groups:
    """Split the pool into groups of interchangeable people (same values; same shared household)."""
    household_size: dict[str, int] = {}
    for h in pool.households:
        if h is not None:
            household_size[h] = household_size.get(h, 0) + 1
    keys: dict[tuple, int] = {}
    members: list[list[int]] = []
    group_household: list[str | None] = []
    for i in range(pool.n):
        h = pool.households[i] if pool.households else None
        shared = h if h is not None and household_size[h] > 1 else None
        key = (tuple(pool.codes[i]), shared)
        if key not in keys:
            keys[key] = len(members)
            members.append([])
            group_household.append(shared)
        members[keys[key]].append(i)
    rows = quotas.items()
    incidence = np.zeros((len(rows), len(members)))
    row_of = {(q.feature, q.value): r for r, q in enumerate(rows)}
    for g, people in enumerate(members):
        first = pool.codes[people[0]]
        for j, feature in enumerate(pool.features):
            incidence[row_of[(feature, pool.values[feature][first[j]])], g] = 1.0
    by_household: dict[str, list[int]] = {}
    for g, h in enumerate(group_household):
        if h is not None:
            by_household.setdefault(h, []).append(g)
    return Groups(
        members=members,
        counts=np.array([len(m) for m in members], dtype=np.int64),
        incidence=incidence,
        quota_rows=rows,
        households=list(by_household.values()),
    )
