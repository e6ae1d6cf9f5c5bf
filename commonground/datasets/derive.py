"""Build the reference data pack's files from the publishers' files that `fetch` downloaded.

Why: `commonground data load --from DIR` reads the data pack's layout and column names, while ONS
publishes its lookups as FeatureServer tables with its own field names, its boundaries as polygons at
full precision, and its populations as a workbook. Each file here is written in the pack's columns,
through a temporary file and os.replace, and recorded in PROVENANCE.json with the sha256 of every input;
it is rebuilt only when an input, or the file itself, changed since.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

import pandas as pd

from commonground.datasets.fetch import FetchError, file_sha256
from commonground.datasets.provenance import Ledger, now
from commonground.datasets.sources import CATALOGUE, Source

__all__ = ["DERIVED", "DeriveResult", "Derived", "derive", "plan"]

Builder = Callable[[list[Path], Path], None]
"""`build(input_paths, output_path)`: read the inputs, write the whole output; ValueError names a bad input."""


@dataclass(frozen=True)
class Derived:
    """A file in the pack's layout and the downloaded files (catalogue paths) it is built from."""

    relative_path: str
    inputs: tuple[str, ...]
    build: Builder
    description: str


@dataclass(frozen=True)
class DeriveResult:
    relative_path: str
    status: Literal["built", "unchanged"]
    sha256: str
    bytes: int


def _write_csv(frame: pd.DataFrame, out: Path) -> None:
    frame.to_csv(out, index=False, lineterminator="\n")


def _features(path: Path) -> list[dict]:
    """The features of a GeoJSON FeatureCollection (a joined FeatureServer layer)."""
    collection = json.loads(path.read_bytes())
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise ValueError(f"{path.name} is not a GeoJSON FeatureCollection")
    return features


def _field(available: Iterable[str], wanted: tuple[str, ...], path: Path) -> str:
    """The first of `wanted` among the fields, ignoring case (ONS has spelled the same field both ways)."""
    by_lower = {f.lower(): f for f in available}
    for name in wanted:
        if name.lower() in by_lower:
            return by_lower[name.lower()]
    raise ValueError(f"{path.name} has no field {' or '.join(wanted)}")


def _lookup(columns: dict[str, tuple[str, ...]]) -> Builder:
    """A lookup CSV with the pack's `columns`, each from the first ONS field found; one row per distinct row."""

    def build(inputs: list[Path], out: Path) -> None:
        frame = pd.DataFrame([feature.get("properties") or {} for feature in _features(inputs[0])])
        picked = {column: frame[_field(frame.columns, fields, inputs[0])] for column, fields in columns.items()}
        _write_csv(pd.DataFrame(picked).drop_duplicates(), out)

    return build


# File 7's headers for the columns of the pack's imd2025_england_lsoa21.csv, as humaniverse/IMD maps them
# (data-raw/imd2025_england_lsoa21.R at commit 2f6c905, the script that built the pack's table).
_DOMAINS = {
    "IMD": "Index of Multiple Deprivation (IMD)",
    "Income": "Income",
    "Employment": "Employment",
    "Education": "Education, Skills and Training",
    "Health": "Health Deprivation and Disability",
    "Crime": "Crime",
    "Housing_and_Services": "Barriers to Housing and Services",
    "Environment": "Living Environment",
}
_SCORE_SUFFIX = {"IMD": " Score", "Income": " Score (rate)", "Employment": " Score (rate)"}
IMD2025_COLUMNS = {
    "lsoa21_code": "LSOA code (2021)",
    **{f"{k}_decile": f"{v} Decile (where 1 is most deprived 10% of LSOAs)" for k, v in _DOMAINS.items()},
    **{f"{k}_rank": f"{v} Rank (where 1 is most deprived)" for k, v in _DOMAINS.items()},
    **{f"{k}_score": f"{v}{_SCORE_SUFFIX.get(k, ' Score')}" for k, v in _DOMAINS.items()},
}


def _imd2025(inputs: list[Path], out: Path) -> None:
    """The pack's IMD 2025 table from File 7 (UTF-8 BOM and thousands separators tolerated)."""
    frame = pd.read_csv(inputs[0], encoding="utf-8-sig", thousands=",", dtype={IMD2025_COLUMNS["lsoa21_code"]: str})
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [header for header in IMD2025_COLUMNS.values() if header not in frame.columns]
    if missing:
        raise ValueError(f"{inputs[0].name} has no column {missing[0]!r}")
    _write_csv(frame[list(IMD2025_COLUMNS.values())].set_axis(list(IMD2025_COLUMNS), axis=1), out)


# ONS mid-2024 small-area population estimates on 2021 LSOAs (SAPE, released with the mid-2022 revision
# of November 2025), sheet "Mid-2024 LSOA 2021" of sapelsoabroadage20222024.xlsx: the latest year.
POPULATION_YEAR = 2024
POPULATION_SHEET = f"Mid-{POPULATION_YEAR} LSOA 2021"
_BAND = re.compile(r"([FM])(\d+)(?:-(\d+)|\+)")
_AGE_GROUPS = (("pop_0_15", 0, 15), ("pop_16_64", 16, 64), ("pop_65_plus", 65, None))


def _age_group(low: int, high: int | None) -> str | None:
    for column, start, end in _AGE_GROUPS:
        if low >= start and (end is None or (high is not None and high <= end)):
            return column
    return None


def _population(inputs: list[Path], out: Path) -> None:
    """Total, broad age groups (0-15, 16-64, 65+) and sexes per LSOA, from ONS's female and male bands."""
    path = inputs[0]
    sheet = pd.read_excel(path, sheet_name=POPULATION_SHEET, header=None, dtype=object, engine="openpyxl")
    header = next((i for i, row in enumerate(sheet.head(20).itertuples(index=False))
                   if "LSOA 2021 Code" in {str(v).strip() for v in row}), None)  # fmt: skip
    if header is None:
        raise ValueError(f"sheet {POPULATION_SHEET!r} of {path.name} has no 'LSOA 2021 Code' header")
    frame = sheet.iloc[header + 1 :].set_axis([str(c).strip() for c in sheet.iloc[header]], axis=1)
    frame = frame[frame["LSOA 2021 Code"].notna()]
    if "Total" not in frame.columns:
        raise ValueError(f"sheet {POPULATION_SHEET!r} of {path.name} has no 'Total' column")

    def counts(column: str) -> pd.Series:
        values = pd.to_numeric(frame[column].astype(str).str.replace(",", "").str.strip(), errors="coerce")
        bad = values.isna() | (values < 0) | (values != values.round())
        if bad.any():
            row = frame.index[bad.to_numpy().argmax()] + 1
            raise ValueError(f"{path.name} row {row}, column {column!r}: {frame[column][bad].iloc[0]!r} is not a count")
        return values.astype("int64")

    table = pd.DataFrame({"lsoa21_code": frame["LSOA 2021 Code"].astype(str).str.strip()})
    table[f"pop_total_mid{POPULATION_YEAR}"] = counts("Total")
    for column in ("pop_0_15", "pop_16_64", "pop_65_plus", "pop_female", "pop_male"):
        table[column] = 0
    for column in frame.columns:
        band = _BAND.fullmatch(column)
        if band is None:
            continue
        sex, low, high = band[1], int(band[2]), int(band[3]) if band[3] else None
        group = _age_group(low, high)
        if group is None:
            raise ValueError(f"{path.name} band {column!r} straddles 0-15, 16-64 and 65+")
        values = counts(column)
        table[group] += values
        table["pop_female" if sex == "F" else "pop_male"] += values
    total = table[f"pop_total_mid{POPULATION_YEAR}"]
    for columns in (["pop_0_15", "pop_16_64", "pop_65_plus"], ["pop_female", "pop_male"]):
        off = table[columns].sum(axis=1) != total
        if off.any():
            code = table["lsoa21_code"][off].iloc[0]
            raise ValueError(f"{path.name}: for {code} the bands {', '.join(columns)} do not add up to the Total")
    _write_csv(table, out)


def _ring(ring: list) -> list:
    """A ring rounded to 5 decimal places (about 1 m), points repeated by the rounding dropped."""
    kept: list[list[float]] = []
    for position in ring:
        point = [round(float(position[0]), 5), round(float(position[1]), 5)]
        if not kept or point != kept[-1]:
            kept.append(point)
    return kept


def _multipolygon(geometry: object, where: str) -> dict:
    """A (Multi)Polygon as a MultiPolygon (the pack's geometry type) at 5 decimal places; rings and
    polygons the rounding collapses (fewer than four positions) are dropped."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"{where} is {kind or 'without geometry'}, not a polygon")
    polygons = [geometry["coordinates"]] if kind == "Polygon" else geometry["coordinates"]
    kept = []
    for polygon in polygons:
        rings = [_ring(ring) for ring in polygon]
        if rings and len(rings[0]) >= 4:
            kept.append([ring for ring in rings if len(ring) >= 4])
    if not kept:
        raise ValueError(f"{where} has no polygon left at 5 decimal places")
    return {"type": "MultiPolygon", "coordinates": kept}


def _boundaries(title: str, properties: dict[str, str]) -> Builder:
    """GeoJSON in the pack's style (named `title`; WGS84 lon/lat, 5 dp, MultiPolygons) with the pack's
    property names, each from an ONS field."""

    def build(inputs: list[Path], out: Path) -> None:
        features = _features(inputs[0])
        fields = {}
        if features:
            first = features[0].get("properties") or {}
            fields = {name: _field(first, (field,), inputs[0]) for name, field in properties.items()}
        with out.open("w", encoding="utf-8") as handle:
            handle.write(f'{{"type":"FeatureCollection","name":"{title}","crs":{{"type":"name","properties":'
                         '{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[\n')  # fmt: skip
            for n, feature in enumerate(features):
                values = feature.get("properties") or {}
                where = f"{inputs[0].name} feature {n + 1}"
                missing = [field for field in fields.values() if values.get(field) in (None, "")]
                if missing:
                    raise ValueError(f"{where} has no {missing[0]}")
                out_feature = {
                    "type": "Feature",
                    "properties": {name: values[field] for name, field in fields.items()},
                    "geometry": _multipolygon(feature.get("geometry"), where),
                }
                handle.write((",\n" if n else "") + json.dumps(out_feature, ensure_ascii=False, separators=(",", ":")))
            handle.write("\n]}\n")

    return build


_FILE7_2025 = "imd2025/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv"

DERIVED: tuple[Derived, ...] = (
    Derived(
        "imd2025/imd2025_england_lsoa21.csv",
        (_FILE7_2025,),
        _imd2025,
        "IMD 2025 and its seven domains per LSOA (2021): deciles, ranks and scores, in the columns of the data "
        "pack's table (humaniverse/IMD's names), from IoD 2025 File 7.",
    ),
    Derived(
        "lookups/lookup_lsoa21_ward24_ltla24.csv",
        ("raw/ons/LSOA21_WD24_LAD24_EW_LU.geojson",),
        _lookup(
            {
                "lsoa21_name": ("LSOA21NM",),
                "lsoa21_code": ("LSOA21CD",),
                "ward24_name": ("WD24NM",),
                "ward24_code": ("WD24CD",),
                "ltla24_name": ("LAD24NM",),
                "ltla24_code": ("LAD24CD",),
            }
        ),  # fmt: skip
        "Best-fit 2021 LSOA to 2024 ward and district, England and Wales.",
    ),
    Derived(
        "lookups/lookup_ltla24_region24.csv",
        ("raw/ons/LAD24_RGN24_EN_LU.geojson",),
        _lookup(
            {
                "ltla24_name": ("LAD24NM",),
                "ltla24_code": ("LAD24CD",),
                "region24_name": ("RGN24NM",),
                "region24_code": ("RGN24CD",),
            }
        ),  # fmt: skip
        "2024 district to region, England.",
    ),
    Derived(
        "lookups/lookup_lsoa11_lsoa21_ltla22.csv",
        ("raw/ons/LSOA11_LSOA21_LAD22_EW_LU.geojson",),
        _lookup(
            {
                "lsoa11_name": ("LSOA11NM",),
                "lsoa11_code": ("F_LSOA11CD", "LSOA11CD"),
                "change_code": ("CHGIND",),
                "lsoa21_name": ("LSOA21NM",),
                "lsoa21_code": ("LSOA21CD",),
                "ltla22_name": ("LAD22NM",),
                "ltla22_code": ("LAD22CD",),
            }
        ),  # fmt: skip
        "2011 LSOA to 2021 LSOA (change code U, S, M or X) and 2022 district, England and Wales.",
    ),
    Derived(
        "lookups/lookup_lsoa21_msoa21.csv",
        ("raw/ons/OA_LSOA_MSOA_EW_DEC_2021_LU_v3.geojson",),
        _lookup(
            {
                "lsoa21_code": ("LSOA21CD",),
                "lsoa21_name": ("LSOA21NM",),
                "msoa21_code": ("MSOA21CD",),
                "msoa21_name": ("MSOA21NM",),
            }
        ),  # fmt: skip
        "2021 LSOA to 2021 MSOA, England and Wales (the Output Area lookup's distinct LSOA rows).",
    ),
    Derived(
        "lookups/lookup_lsoa11_ltla19.csv",
        ("raw/ons/LSOA11_WD19_LAD19_EW_LU.geojson",),
        _lookup(
            {
                "lsoa11_name": ("LSOA11NM",),
                "lsoa11_code": ("LSOA11CD",),
                "ltla19_name": ("LAD19NM",),
                "ltla19_code": ("LAD19CD",),
            }
        ),  # fmt: skip
        "2011 LSOA to 2019 district (the IoD 2019 districts), England and Wales.",
    ),
    Derived(
        "lookups/lookup_lsoa11_ward17.csv",
        ("raw/ons/LSOA11_WD17_EW_LU.geojson",),
        _lookup({"lsoa11_code": ("LSOA11CD",), "ward17_code": ("WD17CD",)}),
        "Best-fit 2011 LSOA to 2017 ward (the Community Needs Index 2019 wards), England and Wales.",
    ),
    Derived(
        "lookups/lookup_ltla19_region19.csv",
        ("raw/ons/LAD19_RGN19_EN_LU.geojson",),
        _lookup(
            {
                "ltla19_name": ("LAD19NM",),
                "ltla19_code": ("LAD19CD",),
                "region19_name": ("RGN19NM",),
                "region19_code": ("RGN19CD",),
            }
        ),  # fmt: skip
        "2019 district to region, England.",
    ),
    Derived(
        f"population/lsoa21_population_mid{POPULATION_YEAR}.csv",
        ("raw/ons/sapelsoabroadage20222024.xlsx",),
        _population,
        f"ONS mid-{POPULATION_YEAR} population per 2021 LSOA (England and Wales): total, 0-15, 16-64, 65+, female "
        f"and male, summed from the sheet {POPULATION_SHEET!r} of the broad-age estimates.",
    ),
    Derived(
        "boundaries/boundaries_lsoa21.geojson",
        ("raw/ons/Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BGC_V5.geojson",),
        _boundaries("boundaries_lsoa21", {"lsoa21_name": "LSOA21NM", "lsoa21_code": "LSOA21CD"}),
        "Generalised clipped 2021 LSOA boundaries, England and Wales (WGS84, 5 dp).",
    ),
    Derived(
        "boundaries/boundaries_wards24.geojson",
        ("raw/ons/Wards_December_2024_Boundaries_UK_BGC.geojson",),
        _boundaries("boundaries_wards24", {"ward24_name": "WD24NM", "ward24_code": "WD24CD", "ltla24_code": "LAD24CD"}),
        "Generalised clipped December 2024 ward boundaries, UK (WGS84, 5 dp).",
    ),
    Derived(
        "boundaries/boundaries_ltla24.geojson",
        ("raw/ons/Local_Authority_Districts_December_2024_Boundaries_UK_BGC.geojson",),
        _boundaries("boundaries_ltla24", {"ltla24_name": "LAD24NM", "ltla24_code": "LAD24CD"}),
        "Generalised clipped December 2024 district boundaries, UK (WGS84, 5 dp).",
    ),
)


def plan(only: Iterable[str] | None = None) -> tuple[tuple[Source, ...], tuple[Derived, ...]]:
    """What to download and what to build for the `only` path prefixes (everything when None).

    A prefix picks the sources and derived files under it; a derived file brings its inputs, and every
    derived file whose inputs are all picked is built too (`--only lookups/` fetches ONS's lookup layers).
    """
    if only is None:
        return CATALOGUE, DERIVED
    prefixes = (only,) if isinstance(only, str) else tuple(only)

    def picked(path: str) -> bool:
        return any(path.startswith(p) for p in prefixes)

    wanted = [d for d in DERIVED if picked(d.relative_path)]
    needed = {path for d in wanted for path in d.inputs}
    sources = tuple(s for s in CATALOGUE if picked(s.relative_path) or s.relative_path in needed)
    if not sources:
        known = ", ".join(sorted({p.relative_path.split("/", 1)[0] + "/" for p in (*CATALOGUE, *DERIVED)}))
        raise FetchError(f"Nothing matches {', '.join(prefixes) or '(nothing)'}; paths start with {known}.")
    chosen = {s.relative_path for s in sources}
    return sources, tuple(d for d in DERIVED if d in wanted or set(d.inputs) <= chosen)


def derive(dest: Path, derived: Iterable[Derived] = DERIVED,
           progress: Callable[[str], None] | None = None) -> list[DeriveResult]:  # fmt: skip
    """Build each derived file under `dest` whose inputs or output changed since it was last built.

    `progress(relative_path)` is called before a file is (re)built. Stops at the first failure, leaving
    the previous version of that file, if any, in place.
    """
    dest = Path(dest)
    ledger = Ledger(dest)
    publications = {s.relative_path: s for s in CATALOGUE}
    results = []
    for spec in derived:
        paths = [dest.joinpath(*PurePosixPath(p).parts) for p in spec.inputs]
        missing = [p for p, path in zip(spec.inputs, paths, strict=True) if not path.is_file()]
        if missing:
            raise FetchError(f"Cannot build {spec.relative_path}: {missing[0]} is missing (fetch it with --only "
                             f"{missing[0]}).")  # fmt: skip
        inputs = {p: file_sha256(path)[0] for p, path in zip(spec.inputs, paths, strict=True)}
        target = dest.joinpath(*PurePosixPath(spec.relative_path).parts)
        record = ledger.files.get(spec.relative_path, {})
        if target.is_file() and record.get("derived_from") == inputs:
            digest, size = file_sha256(target)
            if digest == record.get("sha256"):
                results.append(DeriveResult(spec.relative_path, "unchanged", digest, size))
                continue
        if progress is not None:
            progress(spec.relative_path)
        digest, size = _build(spec, paths, target)
        sources = [publications[p] for p in spec.inputs]
        ledger.record(spec.relative_path, {
            "kind": "derived",
            "publisher": "; ".join(sorted({s.publisher for s in sources})),
            "licence": "; ".join(sorted({s.licence for s in sources})),
            "description": spec.description,
            "urls": [s.url for s in sources],
            "derived_from": inputs,
            "sha256": digest,
            "bytes": size,
            "built": now(),
        })  # fmt: skip
        results.append(DeriveResult(spec.relative_path, "built", digest, size))
    return results


def _build(spec: Derived, inputs: list[Path], target: Path) -> tuple[str, int]:
    """Run the builder into a temporary file next to the target, then move it into place."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        spec.build(inputs, temporary)
        digest, size = file_sha256(temporary)
        os.replace(temporary, target)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise FetchError(f"Cannot build {spec.relative_path}: {message}.") from exc
    except OSError as exc:
        raise FetchError(f"Cannot build {spec.relative_path} in {target.parent}: {exc.strerror or exc}.") from exc
    finally:
        temporary.unlink(missing_ok=True)
    return digest, size
