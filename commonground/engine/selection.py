"""Selection methods as data: which places a programme chooses, from a declared, versioned spec.

A spec (TOML; the shipped ones are in commonground/specs/selection/) names the indices and their
editions, the geography, how the indices make one index of need, exclusions, caps per council or
region, and population bounds. `select(spec, source)` reruns it on a data source (the data pack's
files, or the database they were loaded into) and explains every place chosen and the nearest places
not chosen. Rows are sorted by code before ranking and figures rounded, so a rerun prints the same bytes.

Above LSOA level an index is aggregated with one of the IoD's own summary measures (IoD 2019
Technical Report, higher-level geographies; IoD 2025 File 10): population-weighted average score,
average rank, proportion of LSOAs in the most deprived 10%, or extent.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from commonground.engine import geography
from commonground.engine.composite import SpecError, spec_value
from commonground.engine.left_behind import cut_off, rank_among
from commonground.engine.tables import DataError, find_column, read_csv

# Geography → (the LSOAs it is built from, label).
GEOGRAPHIES = {
    "lsoa11": ("lsoa11", "2011 LSOAs"),
    "ward17": ("lsoa11", "2017 wards"),
    "lad19": ("lsoa11", "2019 districts"),
    "lsoa21": ("lsoa21", "2021 LSOAs"),
    "msoa21": ("lsoa21", "2021 MSOAs"),
    "ward24": ("lsoa21", "2024 wards"),
    "lad24": ("lsoa21", "2024 districts"),
}
# Index edition → (the LSOAs it is published for, or None when only above LSOA level; label).
DATASETS = {
    "imd2019": ("lsoa11", "IMD 2019"),
    "cni2019": (None, "CNI 2019"),  # OCSI published it for 2017 wards only
    "imd2025": ("lsoa21", "IMD 2025"),
    "cni2023": ("lsoa21", "CNI 2023"),
    "need-proxy-2025": ("lsoa21", "community need (open proxy, not the CNI)"),
}
# IoD summary measure → column of geography.aggregate; every one is higher for more need.
MEASURES = {
    "score": "score",
    "average_rank": "average_rank",
    "proportion": "proportion_lsoas_most_deprived_10pc",
    "extent": "extent",
}
RULES = ("all", "combined")
AREA_COLUMNS = ["code", "name", "council", "region", "population"]


class Source(Protocol):
    """Where a selection reads its figures: the data pack's files or the loaded database."""

    def lsoas(self, dataset: str) -> geography.LsoaTable:
        """LSOA figures of an index edition (score, rank 1 = most need, population weights)."""

    def native(self, dataset: str, geography: str) -> pd.Series | None:
        """Scores by area code where the edition is published at that geography, else None."""

    def parents(self, geography: str) -> dict[str, str]:
        """LSOA code → the code of the area of `geography` it lies in."""

    def areas(self, geography: str) -> pd.DataFrame:
        """One row per area: code, name, council, region, population."""


@dataclass(frozen=True)
class IndexUse:
    key: str  # column prefix in the output, e.g. imd
    dataset: str  # edition, e.g. imd2025
    measure: str = "score"
    weight: float = 1.0

    @property
    def column(self) -> str:
        return f"{self.key}_{self.measure}"

    @property
    def label(self) -> str:
        return DATASETS[self.dataset][1]


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    version: str
    geography: str  # a key of GEOGRAPHIES, or a CSV lookup (LSOA code → area code) for a custom set
    indices: tuple[IndexUse, ...]
    rule: str = "all"
    share: float | None = 0.10
    count: int | None = None
    universe: str | None = None  # an index key: rank among the areas that index covers
    exclude: tuple[str, ...] = ()
    exclude_reason: str = "excluded by the method"
    per_council: int | None = None
    per_region: int | None = None
    population_min: float | None = None
    population_max: float | None = None
    source: str = ""
    assumptions: tuple[str, ...] = ()

    @property
    def geography_label(self) -> str:
        return GEOGRAPHIES[self.geography][1] if self.geography in GEOGRAPHIES else f"areas of {self.geography}"


def _positive(value, where: str):
    """A count or bound of the spec; 0 means none."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise SpecError(f"{where}: expected a number of 0 or more (0 means none), got {value!r}")
    return value or None


def parse_spec(text: str, source: str = "spec", base: Path | None = None) -> Spec:
    """Read and check a selection spec; every mistake names the key and the value."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{source}: not valid TOML ({exc})") from exc
    method = spec_value(data, "method", source, dict)
    where = f"{source}: method"
    geo = spec_value(method, "geography", where, str)
    if geo not in GEOGRAPHIES:
        path = Path(geo) if Path(geo).is_absolute() or base is None else base / geo
        if path.suffix.lower() != ".csv":
            raise SpecError(f"{where}.geography: expected one of {list(GEOGRAPHIES)} or a CSV lookup, got {geo!r}")
        geo = str(path)
    indices = []
    for i, raw in enumerate(spec_value(data, "index", source, list)):
        at = f"{source}: index[{i}]"
        index = IndexUse(spec_value(raw, "key", at, str), spec_value(raw, "dataset", at, str),
                         spec_value(raw, "measure", at, str, "score"),
                         float(spec_value(raw, "weight", at, (int, float), 1.0)))  # fmt: skip
        if index.dataset not in DATASETS:
            raise SpecError(f"{at}.dataset: expected one of {list(DATASETS)}, got {index.dataset!r}")
        if index.measure not in MEASURES:
            raise SpecError(f"{at}.measure: expected one of {list(MEASURES)}, got {index.measure!r}")
        vintage = DATASETS[index.dataset][0]
        if vintage is None and geo != "ward17":
            raise SpecError(f"{at}.dataset: {index.dataset} is published for 2017 wards only, not {geo}")
        if vintage is not None and geo in GEOGRAPHIES and GEOGRAPHIES[geo][0] != vintage:
            raise SpecError(f"{at}.dataset: {index.dataset} is on {vintage} LSOAs but {geo} is built from "
                            f"{GEOGRAPHIES[geo][0]}: editions of different geographies are never mixed")  # fmt: skip
        indices.append(index)
    if not indices:
        raise SpecError(f"{source}: at least one [[index]] is needed")
    if len({i.key for i in indices}) != len(indices):
        raise SpecError(f"{source}: index keys must differ")
    need = spec_value(data, "need", source, dict, {})
    rule = spec_value(need, "rule", f"{source}: need", str, "all")
    if rule not in RULES:
        raise SpecError(f"{source}: need.rule: expected one of {list(RULES)}, got {rule!r}")
    share = spec_value(need, "share", f"{source}: need", (int, float), 0.10 if rule == "all" else 0)
    if not 0 <= share <= 1 or (rule == "all" and share == 0):
        raise SpecError(f"{source}: need.share: expected a fraction above 0 and at most 1, got {share!r}")
    count = _positive(need.get("count", 0), f"{source}: need.count")
    if rule == "combined" and not (count or share):
        raise SpecError(f"{source}: need: a combined index of need needs a count or a share")
    universe = spec_value(need, "universe", f"{source}: need", str, "") or None
    if universe is not None and universe not in {i.key for i in indices}:
        raise SpecError(f"{source}: need.universe: expected an index key, got {universe!r}")
    exclude = spec_value(data, "exclude", source, dict, {})
    caps = spec_value(data, "caps", source, dict, {})
    people = spec_value(data, "population", source, dict, {})
    return Spec(
        name=spec_value(method, "name", where, str),
        title=spec_value(method, "title", where, str),
        version=str(spec_value(method, "version", where, (str, int))),
        geography=geo,
        indices=tuple(indices),
        rule=rule,
        share=float(share) or None,
        count=count,
        universe=universe,
        exclude=tuple(c.strip().upper() for c in spec_value(exclude, "codes", f"{source}: exclude", list, [])),
        exclude_reason=spec_value(exclude, "reason", f"{source}: exclude", str, "excluded by the method"),
        per_council=_positive(caps.get("per_council", 0), f"{source}: caps.per_council"),
        per_region=_positive(caps.get("per_region", 0), f"{source}: caps.per_region"),
        population_min=_positive(people.get("min", 0), f"{source}: population.min"),
        population_max=_positive(people.get("max", 0), f"{source}: population.max"),
        source=spec_value(method, "source", where, str, ""),
        assumptions=tuple(spec_value(method, "assumptions", where, list, [])),
    )  # fmt: skip


def left_behind_spec(geography_key: str, need: str = "cni2023", share: float = 0.10, measure: str = "score") -> Spec:
    """The left-behind (doubly disadvantaged) rule on the current indices at any geography of 2021 LSOAs:
    in the most deprived `share` on both the IMD 2025 and community need (the CNI 2023, or the open proxy)."""
    indices = (IndexUse("imd", "imd2025", measure), IndexUse("cni", need, measure))
    label = GEOGRAPHIES[geography_key][1] if geography_key in GEOGRAPHIES else "areas"
    return Spec(name="left-behind-2025", title=f"Left-behind {label}, IoD 2025 and {DATASETS[need][1]}",
                version="2025.1", geography=geography_key, indices=indices, share=share,
                source="MHCLG IoD 2025; " + ("OCSI CNI 2023" if need == "cni2023" else DATASETS[need][1]))  # fmt: skip


def load_spec(path: Path | str) -> Spec:
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"{path}: file not found")
    return parse_spec(path.read_text(encoding="utf-8"), str(path), path.parent)


def shipped_specs() -> dict[str, Path]:
    """The methods that ship with Common Ground, by name."""
    folder = Path(__file__).resolve().parent.parent / "specs" / "selection"
    return {path.stem: path for path in sorted(folder.glob("*.toml"))}


@dataclass(frozen=True)
class Selection:
    spec: Spec
    chosen: pd.DataFrame  # one row per place chosen, in need order, with its reason
    near: pd.DataFrame  # the nearest places not chosen, with the reason each was not
    universe: int  # areas ranked
    cut: int | None  # last rank inside the share, when there is one


def majority(frame: pd.DataFrame, by: str, column: str) -> pd.Series:
    """Per group, the most frequent value of `column` (a tie goes to the first in sorted order): the council
    or region of an area whose LSOAs lie in more than one."""
    counts = frame.groupby([by, column]).size().reset_index(name="n")
    counts = counts.sort_values([by, "n", column], ascending=[True, False, True], kind="stable")
    return counts.drop_duplicates(by).set_index(by)[column]


def _custom_areas(spec: Spec, source: Source, vintage: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """A custom set: a CSV naming, for each LSOA, the area it belongs to; councils and regions by majority."""
    path = Path(spec.geography)
    frame = read_csv(path)
    lsoa = find_column(frame, path, [f"{vintage}_code", f"{vintage}cd", "lsoa_code"], f"the {vintage} code")
    area = find_column(frame, path, ["area_code", "code", "area"], "the area code (area_code)")
    lowered = {c.lower(): c for c in frame.columns}
    name = next((lowered[c] for c in ("area_name", "name") if c in lowered), area)
    parents = dict(zip(frame[lsoa].str.strip().str.upper(), frame[area].str.strip(), strict=True))
    lsoas = source.areas(vintage).set_index("code")
    known = [c for c in parents if c in lsoas.index]
    if not known:
        raise DataError(path, f"none of its LSOA codes is a {vintage} LSOA")
    members = pd.DataFrame({"code": [parents[c] for c in known]}, index=known)
    members = members.join(lsoas[["council", "region", "population"]])
    names = dict(zip(frame[area].str.strip(), frame[name].str.strip(), strict=True))
    areas = pd.DataFrame({"population": members.groupby("code")["population"].sum()})
    areas["council"], areas["region"] = majority(members, "code", "council"), majority(members, "code", "region")
    areas["name"] = [names.get(c, c) for c in areas.index]
    return areas.rename_axis("code").reset_index()[AREA_COLUMNS], parents


def _values(index: IndexUse, geography_key: str, parents: dict[str, str] | None, source: Source) -> pd.Series:
    native = source.native(index.dataset, geography_key)
    if native is not None:
        return native
    table = source.lsoas(index.dataset)
    parent_of = table.codes if parents is None else np.array([parents.get(c, "") for c in table.codes], dtype=object)
    summary = geography.aggregate(table, parent_of)
    return pd.Series(summary[MEASURES[index.measure]].to_numpy(), index=summary["code"].to_numpy())


def select(spec: Spec, source: Source, near: int = 10) -> Selection:
    """Rank the areas on each index, choose by the spec's rule, and say why for each."""
    vintage = next((DATASETS[i.dataset][0] for i in spec.indices if DATASETS[i.dataset][0]), "lsoa11")
    if spec.geography in GEOGRAPHIES:
        areas = source.areas(spec.geography)
        parents = None if spec.geography == vintage else source.parents(spec.geography)
    else:
        areas, parents = _custom_areas(spec, source, vintage)
    values = {index.key: _values(index, spec.geography, parents, source) for index in spec.indices}
    if spec.universe:  # areas the universe's index covers count even where no LSOA is fitted to them
        extra = values[spec.universe].index.difference(areas["code"])
        areas = pd.concat([areas, pd.DataFrame({"code": extra, "name": extra, "council": "", "region": ""})])
    areas = areas[AREA_COLUMNS].sort_values("code", kind="stable").reset_index(drop=True)
    for index in spec.indices:
        areas[index.column] = areas["code"].map(values[index.key])
    columns = [i.column for i in spec.indices]
    if spec.universe:
        keep = areas[next(i.column for i in spec.indices if i.key == spec.universe)].notna()
    else:
        keep = areas[columns].notna().all(axis=1)
    frame = areas[keep].reset_index(drop=True)
    n = len(frame)
    if n == 0:
        raise DataError(spec.geography, f"no {spec.geography_label} have figures for every index of {spec.name}")
    for index in spec.indices:
        frame[f"{index.key}_rank"] = rank_among(frame[index.column].to_numpy())
    ranks = frame[[f"{i.key}_rank" for i in spec.indices]].to_numpy()
    cut = cut_off(spec.share, n) if spec.share else None
    if spec.rule == "all":
        eligible = (ranks <= cut).all(axis=1)
        distance = np.nanmax(np.where(np.isnan(ranks), np.inf, ranks), axis=1) / max(cut, 1)
        order = np.lexsort((frame["code"].to_numpy(), np.nan_to_num(ranks[:, 0], nan=np.inf),
                            np.where(eligible, 0.0, distance)))  # fmt: skip
    else:
        weights = np.array([i.weight for i in spec.indices])
        frame["need"] = (ranks * weights).sum(axis=1) / weights.sum()
        frame["need_rank"] = rank_among(-frame["need"].to_numpy())
        eligible = frame["need_rank"].notna().to_numpy() & (frame["need_rank"] <= cut if cut else True)
        order = np.lexsort((frame["code"].to_numpy(), np.nan_to_num(frame["need_rank"].to_numpy(), nan=np.inf)))
    reasons, chosen = _walk(spec, frame, eligible, order, n, cut)
    frame["reason"] = reasons
    frame = _rounded(frame)
    ordered = frame.iloc[order]
    picked = ordered[chosen[order]].reset_index(drop=True)
    others = ordered[~chosen[order]].head(near).reset_index(drop=True)
    return Selection(spec, picked, others, n, cut)


def _walk(spec: Spec, frame: pd.DataFrame, eligible: np.ndarray, order: np.ndarray, n: int,
          cut: int | None) -> tuple[list[str], np.ndarray]:  # fmt: skip
    """Go down the areas in need order, choosing each eligible one the exclusions, bounds and caps allow."""
    reasons = [""] * len(frame)
    chosen = np.zeros(len(frame), dtype=bool)
    per_council: dict[str, int] = {}
    per_region: dict[str, int] = {}
    excluded = set(spec.exclude)
    rows = frame.to_dict("records")
    of = f"of {n:,} {spec.geography_label}"
    for i in order:
        row = rows[i]
        if not eligible[i]:
            if spec.rule == "all":
                past = [_rank_words(row, x) for x in spec.indices if not row[x.key + "_rank"] <= cut]
                reasons[i] = f"not in the most deprived {spec.share:.0%} (rank {cut:,} or better {of}): " + (
                    ", ".join(past) if past else "no figure"
                )
            else:
                reasons[i] = f"need rank {row['need_rank']:,.0f} {of} is past the top {spec.share:.0%} (rank {cut:,})"
            continue
        population = row["population"]
        if row["code"] in excluded:
            reasons[i] = spec.exclude_reason
        elif spec.population_min and not population >= spec.population_min:
            reasons[i] = f"population {population:,.0f} is below {spec.population_min:,.0f}"
        elif spec.population_max and not population <= spec.population_max:
            reasons[i] = f"population {population:,.0f} is above {spec.population_max:,.0f}"
        elif spec.per_council and per_council.get(row["council"], 0) >= spec.per_council:
            reasons[i] = f"{row['council']} already has {spec.per_council} (the cap per council)"
        elif spec.per_region and per_region.get(row["region"], 0) >= spec.per_region:
            reasons[i] = f"{row['region']} already has {spec.per_region} (the cap per region)"
        elif spec.count and chosen.sum() >= spec.count:
            reasons[i] = f"the method chooses {spec.count:,} places and they are already chosen"
        else:
            chosen[i] = True
            per_council[row["council"]] = per_council.get(row["council"], 0) + 1
            per_region[row["region"]] = per_region.get(row["region"], 0) + 1
            ranks = " and ".join(_rank_words(row, x) for x in spec.indices)
            if spec.rule == "all":
                reasons[i] = f"{ranks} {of}: within the most deprived {spec.share:.0%} (rank {cut:,} or better) on " \
                             "every index"  # fmt: skip
            else:
                reasons[i] = f"need rank {row['need_rank']:,.0f} {of} (the mean of {ranks})"
    return reasons, chosen


def _rank_words(row: dict, index: IndexUse) -> str:
    rank = row[index.key + "_rank"]
    return f"no {index.label} figure" if rank != rank else f"{index.label} rank {int(rank):,}"


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Whole people and ranks; index figures to 4 decimals (the IoD publishes 3): stable text on every rerun."""
    out = frame.copy()
    out["population"] = out["population"].round().astype("Int64")
    for column in out.columns:
        if column.endswith("_rank"):
            out[column] = out[column].round().astype("Int64")
        elif column not in AREA_COLUMNS and column != "reason" and out[column].dtype.kind == "f":
            out[column] = out[column].round(4)
    return out


def explain(selection: Selection) -> list[str]:
    """The method in plain words, with its assumptions: printed before the nearest places not chosen."""
    spec = selection.spec
    indices = " and ".join(f"{i.label} ({i.measure.replace('_', ' ')})" for i in spec.indices)
    lines = [f"{spec.title} (method {spec.name}, version {spec.version}): {len(selection.chosen):,} of "
             f"{selection.universe:,} {spec.geography_label}, ranked on {indices}."]  # fmt: skip
    lines += [f"Assumption: {text}" for text in spec.assumptions]
    return lines
