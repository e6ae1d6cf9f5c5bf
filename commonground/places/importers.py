"""Importers for the national data pack: one class per dataset on a shared base (after mySociety's
Local Intelligence Hub). Each runs in its own transaction, replaces what it loaded before, and
leaves every other dataset alone.

The directory layout (relative file names) is the one of the data pack and of `commonground data fetch`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from commonground.audit.service import record
from commonground.engine import geography, imd_files, left_behind, national, population
from commonground.engine.indices import (
    IMD2019_DOMAIN_NAMES,
    IMD2019_WEIGHTS,
    deciles,
    exponential_transform,
    imd_from_domain_ranks,
)
from commonground.engine.postcodes import PostcodeReader
from commonground.engine.tables import DataError, codes, find_column, numeric, read_csv
from commonground.places.models import Area, AreaType, AreaValue, DataSet, Measure, Postcode

Progress = Callable[[int, int], None]  # (done, total) for the current step

AREA_TYPES = {
    "lsoa11": ("lsoa", "LSOA (2011)"),
    "ward17": ("ward", "Ward (2017)"),
    "lad19": ("local_authority", "Local authority (2019)"),
    "rgn19": ("region", "Region (2019)"),
    "lsoa21": ("lsoa", "LSOA (2021)"),
    "ward24": ("ward", "Ward (2024)"),
    "lad24": ("local_authority", "Local authority (2024)"),
}
OGL = "Open Government Licence v3.0"
# Generalised ONS boundaries in the data pack; 2017 ward shapes exist there only for the left-behind wards.
BOUNDARY_FILES = (
    ("boundaries/boundaries_lsoa11.geojson", "lsoa11", "lsoa11_code"),
    ("boundaries/boundaries_ltla19.geojson", "lad19", "ltla19_code"),
    ("boundaries/boundaries_left_behind_areas_ward17_uk.geojson", "ward17", "lba_code"),
)


@dataclass
class MeasureSpec:
    slug: str
    name: str
    unit: str = ""
    direction: str = Measure.Direction.NEUTRAL
    description: str = ""


class Importer:
    """Base: subclasses say which files they need and write areas or values."""

    slug = ""
    name = ""
    required: tuple[str, ...] = ()

    def __init__(self, data_dir: Path, progress: Progress | None = None) -> None:
        self.data_dir = data_dir
        self.progress = progress or (lambda done, total: None)

    def available(self) -> bool:
        return all((self.data_dir / f).is_file() for f in self.required)

    def path(self, relative: str) -> Path:
        return self.data_dir / relative

    def run(self) -> dict[str, int]:
        raise NotImplementedError

    # helpers shared by importers -------------------------------------------------------------

    @staticmethod
    def area_types() -> dict[str, AreaType]:
        return {
            code: AreaType.objects.update_or_create(code=code, defaults={"level": level, "name": name})[0]
            for code, (level, name) in AREA_TYPES.items()
        }

    @staticmethod
    def area_ids(area_type: AreaType) -> dict[str, int]:
        return dict(Area.objects.filter(area_type=area_type).values_list("code", "id"))

    def replace_dataset(self, **fields) -> DataSet:
        DataSet.objects.filter(slug=fields["slug"]).delete()
        return DataSet.objects.create(loaded_at=timezone.now(), **fields)

    def write_values(self, dataset: DataSet, measure: MeasureSpec, order: int, ids: dict[str, int],
                     area_codes: Iterable[str], values: Iterable[float]) -> int:  # fmt: skip
        m, _ = Measure.objects.get_or_create(
            dataset=dataset,
            slug=measure.slug,
            defaults={
                "name": measure.name,
                "unit": measure.unit,
                "direction": measure.direction,
                "description": measure.description,
                "order": order,
            },
        )
        rows = [
            AreaValue(area_id=ids[code], measure=m, value=float(v))
            for code, v in zip(area_codes, values, strict=True)
            if code in ids and v == v  # NaN never equals itself: no value, no row
        ]
        AreaValue.objects.bulk_create(rows, batch_size=5000)
        return len(rows)


RANK_UNIT = "rank (1 = most deprived)"
MORE, LESS = Measure.Direction.HIGHER_MORE_NEED, Measure.Direction.HIGHER_LESS_NEED
# Summary measures for wards, districts and regions (IoD 2019 Technical Report, higher-level summaries).
SUMMARY_MEASURES = (
    (MeasureSpec("imd_score", "IMD score", "score", MORE, "LSOA scores averaged, weighted by population."), "score"),
    (MeasureSpec("imd_rank", "IMD rank", RANK_UNIT, LESS, "Among areas of the same type."), "rank"),
    (MeasureSpec("imd_decile", "IMD decile", "decile", LESS, "1 is the most deprived 10%."), "decile"),
    (MeasureSpec("imd_extent", "IMD extent", "proportion", MORE,
                 "Share of people in the most deprived 30% of LSOAs, on the IoD sliding weight."), "extent"),
    (MeasureSpec("imd_share_most_deprived", "People in the most deprived 10% of LSOAs", "proportion", MORE),
     "population_share_most_deprived_10pc"),
)  # fmt: skip


def domain_score_measure(slug: str, label: str) -> MeasureSpec:
    """The 0–100 transformed domain score: comparable across domains and levels (IoD exponential transform)."""
    return MeasureSpec(
        f"{slug}_score",
        label,
        "0–100",
        MORE,
        f"Exponentially transformed domain rank (0 least, 100 most deprived), population-weighted above "
        f"LSOA level; weight in the IMD {IMD2019_WEIGHTS[slug]:.1%}.",
    )


class GeographyImporter(Importer):
    """England's LSOAs (2011), wards (2017), districts (2019) and regions, with names,
    parents, populations and generalised boundaries."""

    slug = "geography-2011"
    name = "Areas: LSOA 2011, wards 2017, districts and regions 2019"
    required = ("lookups/lookup_lsoa11_ltla19.csv", "lookups/lookup_lsoa11_ward17.csv",
                "lookups/lookup_ltla19_region19.csv")  # fmt: skip

    def run(self) -> dict[str, int]:
        types = self.area_types()
        lsoa_frame = read_csv(self.path("lookups/lookup_lsoa11_ltla19.csv"))
        england = lsoa_frame[lsoa_frame["lsoa11_code"].str.startswith("E01")]
        lsoa_codes = codes(england, "lookup_lsoa11_ltla19.csv", "lsoa11_code")
        lad_of = dict(zip(lsoa_codes, england["ltla19_code"], strict=True))
        lad_names = dict(zip(england["ltla19_code"], england["ltla19_name"], strict=True))
        regions = read_csv(self.path("lookups/lookup_ltla19_region19.csv"))
        region_of = dict(zip(regions["ltla19_code"], regions["region19_code"], strict=True))
        region_names = dict(zip(regions["region19_code"], regions["region19_name"], strict=True))
        ward_of = geography.read_lookup(self.path("lookups/lookup_lsoa11_ward17.csv"), "lsoa11", "ward17")
        ward_names = self._ward17_names()
        population = self._population()

        ward_lad: dict[str, str] = {}
        for lsoa, ward in ward_of.items():
            if lsoa in lad_of:
                ward_lad.setdefault(ward, lad_of[lsoa])
        steps = [
            (types["rgn19"], {c: (region_names[c], None) for c in set(region_of.values()) if c.startswith("E")}),
            (types["lad19"], {c: (lad_names[c], region_of.get(c)) for c in set(lad_of.values())}),
            (types["ward17"], {w: (ward_names.get(w, w), lad) for w, lad in ward_lad.items()}),
            (types["lsoa11"], {c: (england_name, ward_of.get(c)) for c, england_name in
                               zip(lsoa_codes, england["lsoa11_name"], strict=True)}),
        ]  # fmt: skip
        parent_type = {types["lad19"].code: types["rgn19"], types["ward17"].code: types["lad19"],
                       types["lsoa11"].code: types["ward17"]}  # fmt: skip
        counts: dict[str, int] = {}
        sums: dict[str, float] = {}
        for _area_type, wanted in reversed(steps):  # LSOAs first, so parents' populations can be summed
            for code, (_, parent) in wanted.items():
                if code in population and parent:
                    sums[parent] = sums.get(parent, 0) + population[code]
        for n, (area_type, wanted) in enumerate(steps):
            parent_ids = self.area_ids(parent_type[area_type.code]) if area_type.code in parent_type else {}
            pops = {c: population.get(c, sums.get(c)) for c in wanted}
            counts[area_type.code] = self._upsert(area_type, wanted, parent_ids, pops)
            self.progress(n + 1, len(steps) + 1)
        counts["boundaries"] = self._boundaries(types)
        self.progress(len(steps) + 1, len(steps) + 1)
        return counts

    def _ward17_names(self) -> dict[str, str]:
        """ONS publishes no 2017 ward-name table in the pack; the CNI file and the left-behind
        boundaries carry them (names are facts, not the licensed scores)."""
        names: dict[str, str] = {}
        cni = self.path("cni/cni2019_england_ward17.csv")
        if cni.is_file():
            frame = read_csv(cni)
            names.update(zip(frame["ward17_code"].str.strip(), frame["ward17_name"].str.strip(), strict=True))
        return names

    def _population(self) -> dict[str, float]:
        for relative in ("population/lsoa11_population_mid2019_EW.csv", *national.IMD2019_POPULATION_FILES):
            if self.path(relative).is_file():
                return geography.read_population(self.path(relative))
        return {}

    @staticmethod
    def _upsert(area_type: AreaType, wanted: dict[str, tuple[str, str | None]], parent_ids: dict[str, int],
                population: dict[str, float | None]) -> int:  # fmt: skip
        existing = {a.code: a for a in Area.objects.filter(area_type=area_type)}
        new, changed = [], []
        for code, (name, parent) in wanted.items():
            pop = population.get(code)
            fields = {"name": name, "parent_id": parent_ids.get(parent) if parent else None,
                      "population": None if pop is None else int(round(pop))}  # fmt: skip
            area = existing.get(code)
            if area is None:
                new.append(Area(area_type=area_type, code=code, **fields))
            elif any(getattr(area, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(area, k, v)
                changed.append(area)
        Area.objects.bulk_create(new, batch_size=5000)
        Area.objects.bulk_update(changed, ["name", "parent_id", "population"], batch_size=5000)
        return len(wanted)

    def _boundaries(self, types: dict[str, AreaType]) -> int:
        total = 0
        for relative, type_code, code_key in BOUNDARY_FILES:
            path = self.path(relative)
            if not path.is_file():
                continue
            try:
                features = json.loads(path.read_text(encoding="utf-8"))["features"]
            except (ValueError, KeyError) as exc:
                raise DataError(path, f"not a GeoJSON FeatureCollection ({exc})") from exc
            areas = {a.code: a for a in Area.objects.filter(area_type=types[type_code]).only("id", "code")}
            updated = []
            for i, feature in enumerate(features):
                code = str(feature.get("properties", {}).get(code_key, "")).strip().upper()
                if not code:
                    raise DataError(path, f"feature {i + 1} has no {code_key}")
                if code in areas:
                    areas[code].geometry = json.dumps(feature["geometry"], separators=(",", ":"))
                    updated.append(areas[code])
            Area.objects.bulk_update(updated, ["geometry"], batch_size=2000)
            total += len(updated)
        return total


class Imd2019Importer(Importer):
    """IMD 2019 recomputed from the domain ranks (the published method), with ward, district and
    region summaries computed here from LSOAs."""

    slug = "imd2019"
    name = "English Indices of Deprivation 2019"

    def available(self) -> bool:
        present = [self.path(p).is_file() for p in (*national.IMD2019_DOMAIN_FILES, *national.IMD2019_POPULATION_FILES)]
        domains, population = (
            present[: len(national.IMD2019_DOMAIN_FILES)],
            present[len(national.IMD2019_DOMAIN_FILES) :],
        )
        return any(domains) and any(population)

    def run(self) -> dict[str, int]:
        types = self.area_types()
        lsoas = national.imd2019_lsoas(self.data_dir)
        domains = imd_files.read_domains(national.first_present(self.data_dir, national.IMD2019_DOMAIN_FILES))
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="Ministry of Housing, Communities and Local Government",
            source_url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
            licence=OGL, release_date=dt.date(2019, 9, 26),
            description="IMD score recomputed from the seven domain ranks with the IoD 2019 method; ward, district "
                        "and region figures are population-weighted (mid-2015 IoD denominators).",
        )  # fmt: skip
        lookups = {
            "ward17": geography.read_lookup(self.path(national.LOOKUP_LSOA11_WARD17), "lsoa11", "ward17"),
            "lad19": geography.read_lookup(self.path(national.LOOKUP_LSOA11_LTLA19), "lsoa11", "ltla19"),
        }
        region_of = dict(Area.objects.filter(area_type=types["lad19"]).values_list("code", "parent__code"))
        lookups["rgn19"] = {lsoa: region_of.get(lad, "") or "" for lsoa, lad in lookups["lad19"].items()}
        parents_by_type = {types[code]: national.parents(lsoas, lookup) for code, lookup in lookups.items()}
        written = write_index_values(self, dataset, types["lsoa11"], lsoas, domains.values, parents_by_type)
        return {"values": written}


def write_index_values(importer: Importer, dataset: DataSet, lsoa_type: AreaType, lsoas: geography.LsoaTable,
                       domain_ranks: np.ndarray, parents_by_type: dict[AreaType, np.ndarray]) -> int:  # fmt: skip
    """IMD score, rank, decile and the seven domains for LSOAs, and the IoD summaries for each
    higher level; the same measure slugs at every level so pages read them one way."""
    written, order = 0, 0
    transformed = exponential_transform(domain_ranks, n=domain_ranks.shape[0])
    specs = [
        (MeasureSpec("imd_score", "IMD score", "score", MORE, "Higher is more deprived."), lsoas.score),
        (MeasureSpec("imd_rank", "IMD rank", RANK_UNIT, LESS, "Among areas of the same type."), lsoas.rank),
        (MeasureSpec("imd_decile", "IMD decile", "decile", LESS, "1 is the most deprived 10%."), deciles(lsoas.rank)),
    ]
    for j, (slug, label) in enumerate(IMD2019_DOMAIN_NAMES.items()):
        ranks = domain_ranks[:, j]
        specs.append((domain_score_measure(slug, label), transformed[:, j]))
        specs.append((MeasureSpec(f"{slug}_rank", f"{label} rank", RANK_UNIT, LESS), ranks))
        specs.append((MeasureSpec(f"{slug}_decile", f"{label} decile", "decile", LESS), deciles(ranks)))
    steps = len(specs) + len(parents_by_type)
    lsoa_ids = importer.area_ids(lsoa_type)
    for n, (spec, values) in enumerate(specs):
        written += importer.write_values(dataset, spec, order, lsoa_ids, lsoas.codes, values)
        order += 1
        importer.progress(n + 1, steps)
    for n, (area_type, parent_of) in enumerate(parents_by_type.items()):
        summary = geography.aggregate(lsoas, parent_of)
        ids = importer.area_ids(area_type)
        for spec, column in SUMMARY_MEASURES:
            written += importer.write_values(dataset, spec, order, ids, summary["code"], summary[column])
            order += 1
        for j, (slug, label) in enumerate(IMD2019_DOMAIN_NAMES.items()):
            domain = geography.LsoaTable(lsoas.codes, transformed[:, j], lsoas.rank, lsoas.population)
            averaged = geography.aggregate(domain, parent_of)
            written += importer.write_values(dataset, domain_score_measure(slug, label), order, ids,
                                             averaged["code"], averaged["score"])  # fmt: skip
            order += 1
        importer.progress(len(specs) + n + 1, steps)
    return written


class Cni2019Importer(Importer):
    """OCSI's Community Needs Index 2019 (licensed, third party) and the left-behind wards."""

    slug = "cni2019"
    name = "Community Needs Index 2019 (OCSI for Local Trust)"
    required = ("cni/cni2019_england_ward17.csv",)

    def run(self) -> dict[str, int]:
        types = self.area_types()
        path = self.path(self.required[0])
        frame = read_csv(path)
        table = left_behind.read_cni(path)
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="OCSI for Local Trust", licence="Licensed third-party data",
            release_date=dt.date(2019, 10, 21), is_third_party=True,
            description="Civic Assets, Connectedness and Active and Engaged Community domains at 2017 wards; "
                        "higher scores mean more need. Licensed: shown here, not re-published in bulk.",
        )  # fmt: skip
        ids = self.area_ids(types["ward17"])
        more, less = Measure.Direction.HIGHER_MORE_NEED, Measure.Direction.HIGHER_LESS_NEED
        written = 0
        columns = [("cni_score", "Community Needs Index score", "score", more, "Community Needs Index score"),
                   ("cni_rank", "Community Needs Index rank", "rank of 7,433", less, "Community Needs Index rank"),
                   ("civic_assets_score", "Civic Assets score", "score", more, "Civic Assets score"),
                   ("connectedness_score", "Connectedness score", "score", more, "Connectedness score"),
                   ("engaged_community_score", "Active and Engaged Community score", "score", more,
                    "Engaged community score")]  # fmt: skip
        for order, (slug, name, unit, direction, column) in enumerate(columns):
            header = find_column(frame, path, [column], name)
            values = numeric(frame, path, header)
            written += self.write_values(dataset, MeasureSpec(slug, name, unit, direction), order, ids, table.codes,
                                         values)  # fmt: skip
            self.progress(order + 1, len(columns) + 2)
        if table.published_flag is not None:
            written += self.write_values(
                dataset, MeasureSpec("published_left_behind", "Left behind (OCSI's published list)", "yes = 1"),
                len(columns), ids, table.codes, table.published_flag.astype(float),
            )  # fmt: skip
        if Imd2019Importer(self.data_dir).available():
            wards = national.imd2019_wards17(self.data_dir)
            found = left_behind.left_behind(wards, table)
            flag = np.isin(table.codes, found["code"].to_numpy()).astype(float)
            written += self.write_values(
                dataset,
                MeasureSpec("left_behind", "Left behind (top 10% on both IMD and CNI)", "yes = 1",
                            description=f"Ward IMD rank and CNI rank both within the most deprived "
                                        f"{found.attrs['cut']} of {found.attrs['wards']:,} wards."),
                len(columns) + 1, ids, table.codes, flag,
            )  # fmt: skip
        self.progress(len(columns) + 2, len(columns) + 2)
        return {"values": written}


class Imd2025Importer(Importer):
    """IMD 2025 on 2021 LSOAs, with 2024 wards and districts: areas and figures.

    The pack has no 2021-LSOA populations, so they are carried over from the mid-2019 2011-LSOA
    populations through ONS's LSOA11→LSOA21 lookup, each 2011 LSOA's people shared equally among
    the 2021 LSOAs it maps to (exact for unchanged and merged LSOAs, an approximation for splits).
    """

    slug = "imd2025"
    name = "English Indices of Deprivation 2025"
    required = ("imd2025/imd2025_england_lsoa21.csv", "lookups/lookup_lsoa21_ward24_ltla24.csv",
                "lookups/lookup_lsoa11_lsoa21_ltla22.csv", "population/lsoa11_population_mid2019_EW.csv")  # fmt: skip

    def run(self) -> dict[str, int]:
        types = self.area_types()
        domains = imd_files.read_domains(self.path(self.required[0]))
        result = imd_from_domain_ranks(domains.values)
        lookup_path = self.path(self.required[1])
        frame = read_csv(lookup_path)
        frame = frame[frame["lsoa21_code"].str.startswith("E01")]
        population = self._population_2021()
        lad_regions = self._lad_regions()
        rows = list(frame.itertuples())
        steps = [
            (types["lad24"], {r.ltla24_code: (r.ltla24_name, lad_regions.get(r.ltla24_code)) for r in rows}, "rgn19"),
            (types["ward24"], {r.ward24_code: (r.ward24_name, r.ltla24_code) for r in rows}, "lad24"),
            (types["lsoa21"], {r.lsoa21_code: (r.lsoa21_name, r.ward24_code) for r in rows}, "ward24"),
        ]  # fmt: skip
        sums: dict[str, float] = {}
        for code, (_, ward) in steps[2][1].items():
            sums[ward] = sums.get(ward, 0) + population.get(code, 0)
        for code, (_, lad) in steps[1][1].items():
            sums[lad] = sums.get(lad, 0) + sums.get(code, 0)
        counts: dict[str, int] = {}
        for area_type, wanted, parent_code in steps:
            parent_ids = self.area_ids(types[parent_code])
            pops = {c: population.get(c, sums.get(c)) for c in wanted}
            counts[area_type.code] = GeographyImporter._upsert(area_type, wanted, parent_ids, pops)
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="Ministry of Housing, Communities and Local Government",
            source_url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025",
            licence=OGL, release_date=dt.date(2025, 10, 30),
            description="IMD 2025 recomputed from the seven domain ranks with the IoD method (2021 LSOAs); ward and "
                        "district figures are population-weighted with populations carried over from 2011 LSOAs.",
        )  # fmt: skip
        pop = np.array([population.get(c, 0.0) for c in domains.lsoa_codes])
        lsoas = geography.LsoaTable(domains.lsoa_codes, result.score, result.rank, np.maximum(pop, 1.0))
        ward_of = dict(zip(frame["lsoa21_code"], frame["ward24_code"], strict=True))
        lad_of = dict(zip(frame["lsoa21_code"], frame["ltla24_code"], strict=True))
        parents_by_type = {types["ward24"]: national.parents(lsoas, ward_of),
                           types["lad24"]: national.parents(lsoas, lad_of)}  # fmt: skip
        counts["values"] = write_index_values(self, dataset, types["lsoa21"], lsoas, domains.values, parents_by_type)
        return counts

    def _population_2021(self) -> dict[str, float]:
        population_2011 = geography.read_population(self.path(self.required[3]))
        pairs = read_csv(self.path(self.required[2]))
        fan_out = pairs.groupby("lsoa11_code")["lsoa21_code"].transform("count").to_numpy()
        shares = np.array([population_2011.get(c, 0.0) for c in pairs["lsoa11_code"]]) / fan_out
        return pd.Series(shares).groupby(pairs["lsoa21_code"].to_numpy()).sum().to_dict()

    def _lad_regions(self) -> dict[str, str]:
        path = self.path("lookups/lookup_ltla21_region21.csv")
        if not path.is_file():
            return {}
        frame = read_csv(path)
        return dict(zip(frame["ltla21_code"], frame["region21_code"], strict=True))


def write_population_bands(importer: Importer, dataset: DataSet, lsoa_type: AreaType, lsoa_bands: pd.DataFrame) -> int:
    """Band counts for the LSOAs and, summed, for every ancestor (ward, district, region) in the database."""
    written = 0
    table = lsoa_bands
    area_type = lsoa_type
    while table is not None and not table.empty:
        areas = Area.objects.filter(area_type=area_type).values_list("code", "id", "parent__code", "parent__area_type")
        ids = {code: pk for code, pk, _, _ in areas}
        parent_of = {code: parent for code, _, parent, _ in areas}
        for order, band in enumerate(population.BANDS):
            label = f"Aged {band.label.lower()}" if band in population.AGE.bands else band.label
            spec = MeasureSpec(band.slug, f"Population: {label.lower()}", "people")
            written += importer.write_values(dataset, spec, order, ids, table.index, table[band.slug].to_numpy())
        parent_types = {t for _, _, _, t in areas if t is not None}
        if len(parent_types) != 1:
            break
        area_type = AreaType.objects.get(pk=parent_types.pop())
        table = population.sum_to_parents(table, parent_of)
    return written


class PopulationImporter(Importer):
    """ONS mid-2019 LSOA population by broad age band and sex, summed to wards, districts and regions."""

    slug = "population-mid2019"
    name = "Population by age and sex, mid-2019 (ONS)"
    required = ("population/lsoa11_population_mid2019_EW.csv", *GeographyImporter.required)

    def run(self) -> dict[str, int]:
        types = self.area_types()
        bands = population.read_bands(self.path(self.required[0]))
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="Office for National Statistics, mid-2019 small-area estimates",
            source_url="https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates",
            licence=OGL, release_date=dt.date(2020, 10, 15),
            description="People by broad age band and sex in 2011 LSOAs; wards, districts and regions are sums.",
        )  # fmt: skip
        self.progress(1, 2)
        written = write_population_bands(self, dataset, types["lsoa11"], bands)
        self.progress(2, 2)
        return {"values": written}


IMPORTERS: tuple[type[Importer], ...] = (
    GeographyImporter, Imd2019Importer, Cni2019Importer, Imd2025Importer, PopulationImporter,
)  # fmt: skip


def load(data_dir: Path, actor: object, on_step: Callable[[Importer], Progress] | None = None) -> list[dict]:
    """Run every importer whose files are present, each in its own transaction; returns a summary."""
    if not data_dir.is_dir():
        raise DataError(data_dir, "directory not found")
    summary = []
    for importer_class in IMPORTERS:
        importer = importer_class(data_dir)
        if not importer.available():
            summary.append({"dataset": importer.slug, "status": "skipped (files not present)", "counts": {}})
            continue
        if on_step is not None:
            importer.progress = on_step(importer)
        with transaction.atomic():
            counts = importer.run()
            record(actor, "places.load_dataset", object_type="places.DataSet", object_id=importer.slug,
                   object_label=importer.name, after={"from": str(data_dir), **counts})  # fmt: skip
        summary.append({"dataset": importer.slug, "status": "loaded", "counts": counts})
    return summary


def load_postcodes(path: Path, actor: object, progress: Progress | None = None, *, demo: bool = False) -> dict:
    """Replace the postcode lookup from an ONSPD or NSPL CSV in one transaction, keeping the live
    postcodes whose LSOA (2011 and/or 2021) is in the database. `demo` loads the Demo Borough's
    invented postcodes instead and replaces only those."""
    lsoas = Area.objects.filter(area_type__level=AreaType.Level.LSOA, is_demo=demo)
    if demo:
        ids = {"lsoa11": dict(lsoas.values_list("code", "id"))}
    else:
        ids = {v: dict(lsoas.filter(area_type__code=v).values_list("code", "id")) for v in ("lsoa11", "lsoa21")}
    if not any(ids.values()):
        raise DataError(path, "no LSOAs are loaded to match postcodes to; run `commonground data load` first")
    reader = PostcodeReader(Path(path), {v: codes.keys() for v, codes in ids.items()})
    if progress is not None:
        reader.progress = progress
    with transaction.atomic():
        # A plain semi-join on the areas: filtering through the relation makes Django delete by an id
        # subquery over the whole table, which PostgreSQL runs row by row on millions of fresh rows.
        removed, _ = Postcode.objects.filter(area_id__in=Area.objects.filter(is_demo=demo).values("id")).delete()
        stored, by_vintage = 0, dict.fromkeys(ids, 0)
        table = connection.ops.quote_name(Postcode._meta.db_table)
        batch = connection.ops.bulk_batch_size(["postcode", "area_id"], [None] * 5000)
        with connection.cursor() as cursor:
            for chunk in reader.chunks():
                for vintage, part in chunk.groupby("vintage"):
                    values = [v for pair in zip(part["postcode"], part["lsoa"].map(ids[vintage]), strict=True)
                              for v in pair]  # fmt: skip
                    # Many rows per INSERT: with millions of rows, model objects would take most of the time.
                    for begin in range(0, len(values), 2 * batch):
                        params = values[begin : begin + 2 * batch]
                        rows = ", ".join(["(%s, %s)"] * (len(params) // 2))
                        cursor.execute(f"INSERT INTO {table} (postcode, area_id) VALUES {rows}", params)  # noqa: S608
                    by_vintage[vintage] += len(part)
                    stored += len(part)
        if not stored:
            raise DataError(path, f"none of its {reader.rows:,} rows is a live postcode in an LSOA in the database")
        counts = {**{f"postcodes_{v}": n for v, n in by_vintage.items()}, "terminated": reader.terminated,
                  "outside": reader.outside, "replaced": removed}  # fmt: skip
        after = {"from": str(path), "columns": reader.columns, **counts}
        record(actor, "places.load_postcodes", object_type="places.Postcode", object_id="demo" if demo else "onspd",
               object_label="Postcode lookup", after=after)  # fmt: skip
    return counts
