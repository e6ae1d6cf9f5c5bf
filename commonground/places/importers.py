"""Importers for the national data pack: one class per dataset on a shared base (after mySociety's
Local Intelligence Hub). Each runs in its own transaction, replaces what it loaded before, and
leaves every other dataset alone.

The directory layout (relative file names) is the one of the data pack and of `commonground data fetch`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from commonground.audit.service import record
from commonground.engine import geography, imd_files, left_behind, national, population, selection, shapes
from commonground.engine.indices import IMD2019_DOMAIN_NAMES, IMD2019_WEIGHTS, deciles, exponential_transform
from commonground.engine.postcodes import PostcodeReader
from commonground.engine.tables import DataError, codes, find_column, numeric, read_csv
from commonground.places.models import Area, AreaType, AreaValue, DataSet, Measure, Postcode

Progress = Callable[[int, int], None]  # (done, total) for the current step

# code → (level, name, vintage, current). The current geography is what pages show by default.
AREA_TYPES = {
    "lsoa11": ("lsoa", "LSOA (2011)", 2011, False),
    "ward17": ("ward", "Ward (2017)", 2017, False),
    "lad19": ("local_authority", "Local authority (2019)", 2019, False),
    "rgn19": ("region", "Region", 2019, True),  # regions have not changed since
    "lsoa21": ("lsoa", "LSOA (2021)", 2021, True),
    "msoa21": ("msoa", "MSOA (2021)", 2021, True),
    "ward24": ("ward", "Ward (2024)", 2024, True),
    "lad24": ("local_authority", "Local authority (2024)", 2024, True),
}
OGL = "Open Government Licence v3.0"
THIRD_PARTY = "Licensed third-party data"
# Generalised ONS boundaries in the data pack; 2017 ward shapes exist there only for the left-behind wards.
BOUNDARY_FILES = (
    ("boundaries/boundaries_lsoa11.geojson", "lsoa11", ["lsoa11_code", "LSOA11CD"]),
    ("boundaries/boundaries_ltla19.geojson", "lad19", ["ltla19_code", "LAD19CD"]),
    ("boundaries/boundaries_left_behind_areas_ward17_uk.geojson", "ward17", ["lba_code"]),
)
# The 2021 geography's own boundaries (`commonground data fetch` writes them) and, where they are missing,
# the closest earlier vintage: ONS issues a new GSS code whenever a boundary changes, so a shape under
# the same code is the same area.
BOUNDARIES_2021 = {
    "lsoa21": ("boundaries/boundaries_lsoa21.geojson", ["lsoa21_code", "LSOA21CD"]),
    "ward24": ("boundaries/boundaries_wards24.geojson", ["ward24_code", "WD24CD"]),
    "lad24": ("boundaries/boundaries_ltla24.geojson", ["ltla24_code", "lad24_code", "LAD24CD"]),
}
CLOSEST_BOUNDARIES = {
    "ward24": ("boundaries/boundaries_wards22.geojson", ["ward22_code", "WD22CD"]),
    "lad24": ("boundaries/boundaries_ltla19.geojson", ["ltla19_code", "LAD19CD"]),
}


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
            code: AreaType.objects.update_or_create(
                code=code, defaults={"level": level, "name": name, "vintage": vintage, "is_current": current}
            )[0]
            for code, (level, name, vintage, current) in AREA_TYPES.items()
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
            (ids[code], m.pk, float(v))
            for code, v in zip(area_codes, values, strict=True)
            if code in ids and v == v  # NaN never equals itself: no value, no row
        ]
        # Plain parameterised INSERTs: with millions of values, model objects would take most of the time.
        table = connection.ops.quote_name(AreaValue._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} (area_id, measure_id, value) VALUES (%s, %s, %s)", rows)  # noqa: S608
        return len(rows)

    def regions(self, types: dict[str, AreaType]) -> dict[str, int]:
        """England's regions (codes and names from the 2019 or 2021 district lookups), created if missing."""
        names: dict[str, str] = {}
        for relative, prefix in ((national.LOOKUP_LTLA21_REGION21, "region21"),
                                 (national.LOOKUP_LTLA19_REGION19, "region19")):  # fmt: skip
            if self.path(relative).is_file():
                frame = read_csv(self.path(relative))
                names.update(zip(frame[f"{prefix}_code"], frame[f"{prefix}_name"], strict=True))
        wanted = {code: (name, None) for code, name in names.items() if code.startswith("E12")}
        existing = dict(Area.objects.filter(area_type=types["rgn19"]).values_list("code", "population"))
        upsert_areas(types["rgn19"], wanted, {}, existing)
        return self.area_ids(types["rgn19"])


def upsert_areas(area_type: AreaType, wanted: dict[str, tuple[str, str | None]], parent_ids: dict[str, int],
                 population: dict[str, float | None]) -> int:  # fmt: skip
    """Create or update areas of one type: code → (name, parent code), with their populations."""
    existing = {a.code: a for a in Area.objects.filter(area_type=area_type)}
    new, changed = [], []
    for code, (name, parent) in wanted.items():
        pop = population.get(code)
        fields = {"name": name, "parent_id": parent_ids.get(parent) if parent else None,
                  "population": None if pop is None or pop != pop else int(round(pop))}  # fmt: skip
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


def store_shapes(area_type: AreaType, found: dict[str, tuple[dict, str]]) -> int:
    """Set each area's boundary and, when it is not the area's own published one, a note saying how it was drawn."""
    ids = Importer.area_ids(area_type)
    rows = [(shapes.dumps(geometry), note, ids[code]) for code, (geometry, note) in found.items() if code in ids]
    table = connection.ops.quote_name(Area._meta.db_table)
    with connection.cursor() as cursor:  # one plain UPDATE per area: bulk_update's CASE WHEN is far slower
        cursor.executemany(f"UPDATE {table} SET geometry = %s, geometry_note = %s WHERE id = %s", rows)  # noqa: S608
    return len(rows)


def sums(values: pd.Series, groups: pd.Series) -> dict[str, float]:
    """Totals of `values` per group label (blank labels left out)."""
    keep = groups.fillna("").to_numpy() != ""
    return values[keep].groupby(groups[keep].to_numpy()).sum().to_dict()


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
WEIGHT = MeasureSpec("population_weight", "Population weight", "people", description="The population its "
                     "figures above LSOA level are weighted by.")  # fmt: skip


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
    required = (national.LOOKUP_LSOA11_LTLA19, national.LOOKUP_LSOA11_WARD17, national.LOOKUP_LTLA19_REGION19)

    def run(self) -> dict[str, int]:
        types = self.area_types()
        region_ids = self.regions(types)
        lsoa_frame = read_csv(self.path(national.LOOKUP_LSOA11_LTLA19))
        england = lsoa_frame[lsoa_frame["lsoa11_code"].str.startswith("E01")]
        lsoa_codes = codes(england, "lookup_lsoa11_ltla19.csv", "lsoa11_code")
        lad_of = dict(zip(lsoa_codes, england["ltla19_code"], strict=True))
        lad_names = dict(zip(england["ltla19_code"], england["ltla19_name"], strict=True))
        regions = read_csv(self.path(national.LOOKUP_LTLA19_REGION19))
        region_of = dict(zip(regions["ltla19_code"], regions["region19_code"], strict=True))
        ward_of = geography.read_lookup(self.path(national.LOOKUP_LSOA11_WARD17), "lsoa11", "ward17")
        ward_names, cni_lads = self._cni_wards()
        people, note = self._population()

        ward_lad: dict[str, str] = {}
        for lsoa, ward in ward_of.items():
            if lsoa in lad_of:
                ward_lad.setdefault(ward, lad_of[lsoa])
        for ward, lad in cni_lads.items():  # wards no LSOA is best-fitted to: the CNI still ranks them
            ward_lad.setdefault(ward, lad)
        frame = pd.DataFrame({"lsoa": lsoa_codes, "people": [people.get(c, np.nan) for c in lsoa_codes]})
        frame["ward"] = frame["lsoa"].map(ward_of)
        frame["lad"] = frame["lsoa"].map(lad_of)
        frame["region"] = frame["lad"].map(region_of)
        pops = {**people, **sums(frame["people"], frame["ward"]), **sums(frame["people"], frame["lad"])}
        self._region_populations(sums(frame["people"], frame["region"]), types, note)
        steps = [
            (types["lad19"], {c: (lad_names[c], region_of.get(c)) for c in set(lad_of.values())}, region_ids),
            (types["ward17"], {w: (ward_names.get(w, w), lad) for w, lad in ward_lad.items()}, types["lad19"]),
            (types["lsoa11"], {c: (england_name, ward_of.get(c)) for c, england_name in
                               zip(lsoa_codes, england["lsoa11_name"], strict=True)}, types["ward17"]),
        ]  # fmt: skip
        counts: dict[str, int] = {}
        for n, (area_type, wanted, parents) in enumerate(steps):
            parent_ids = parents if isinstance(parents, dict) else self.area_ids(parents)
            counts[area_type.code] = upsert_areas(area_type, wanted, parent_ids, pops)
            AreaType.objects.filter(pk=area_type.pk).update(population_note=note)
            self.progress(n + 1, len(steps) + 1)
        counts["boundaries"] = self._boundaries(types)
        self.progress(len(steps) + 1, len(steps) + 1)
        return counts

    def _cni_wards(self) -> tuple[dict[str, str], dict[str, str]]:
        """Names and districts of the 2017 wards. ONS publishes no 2017 ward-name table in the pack; the
        CNI file carries them (names are facts, not the licensed scores)."""
        path = self.path(national.CNI2019)
        if not path.is_file():
            return {}, {}
        frame = read_csv(path)
        wards = frame["ward17_code"].str.strip()
        return dict(zip(wards, frame["ward17_name"].str.strip(), strict=True)), dict(
            zip(wards, frame["lad19_code"].str.strip(), strict=True)
        )

    def _population(self) -> tuple[dict[str, float], str]:
        for relative, note in ((national.POPULATION_LSOA11, "ONS mid-2019 estimates"),
                               (national.IMD2019_POPULATION_FILES[0], "IoD 2019 denominators (mid-2015)"),
                               (national.IMD2019_POPULATION_FILES[1], "IoD 2019 denominators (mid-2015)")):  # fmt: skip
            if self.path(relative).is_file():
                return geography.read_population(self.path(relative)), note
        return {}, ""

    @staticmethod
    def _region_populations(totals: dict[str, float], types: dict[str, AreaType], note: str) -> None:
        """Regions belong to the current geography: once 2021 LSOAs are loaded their totals are kept."""
        if Area.objects.filter(area_type=types["lsoa21"]).exists():
            return
        for code, total in totals.items():
            Area.objects.filter(area_type=types["rgn19"], code=code).update(population=int(round(total)))
        AreaType.objects.filter(pk=types["rgn19"].pk).update(population_note=note)

    def _boundaries(self, types: dict[str, AreaType]) -> int:
        total = 0
        for relative, type_code, code_keys in BOUNDARY_FILES:
            if self.path(relative).is_file():
                found = shapes.read_features(self.path(relative), code_keys)
                total += store_shapes(types[type_code], {code: (shape, "") for code, shape in found.items()})
        return total


class Geography2021Importer(Importer):
    """The current geography: England's 2021 LSOAs and MSOAs and 2024 wards and districts, with names,
    parents (LSOA → ward → district → region; each LSOA also in its MSOA), populations and boundaries."""

    slug = "geography-2021"
    name = "Areas: LSOA and MSOA 2021, wards and districts 2024"
    required = (national.LOOKUP_LSOA21_WARD24,)

    def available(self) -> bool:
        carried = all(self.path(p).is_file() for p in (national.POPULATION_LSOA11, national.LOOKUP_LSOA11_LSOA21))
        return super().available() and (national.lsoa21_population_file(self.data_dir) is not None or carried)

    def run(self) -> dict[str, int]:
        types = self.area_types()
        region_ids = self.regions(types)
        frame = national.lsoa21_areas(self.data_dir)
        people = national.lsoa21_population(self.data_dir)
        region_of = national.lad24_regions(self.data_dir, frame)
        frame["people"] = frame["lsoa21_code"].map(people.counts)
        frame["region"] = frame["ltla24_code"].map(region_of)
        pops = {**people.counts, **sums(frame["people"], frame["ward24_code"]),
                **sums(frame["people"], frame["ltla24_code"]), **sums(frame["people"], frame["region"])}  # fmt: skip
        has_msoa = "msoa21_code" in frame
        if has_msoa:
            pops.update(sums(frame["people"], frame["msoa21_code"]))
        rows = list(frame.itertuples())
        steps = [
            (types["lad24"], {r.ltla24_code: (r.ltla24_name, region_of.get(r.ltla24_code)) for r in rows}, "rgn19"),
            (types["ward24"], {r.ward24_code: (r.ward24_name, r.ltla24_code) for r in rows}, "lad24"),
            (types["lsoa21"], {r.lsoa21_code: (r.lsoa21_name, r.ward24_code) for r in rows}, "ward24"),
        ]  # fmt: skip
        if has_msoa:  # MSOAs nest in districts; their LSOAs are linked to them beside the ward hierarchy
            lad_of_msoa = frame.groupby("msoa21_code")["ltla24_code"].agg(lambda s: Counter(s).most_common(1)[0][0])
            names = frame.groupby("msoa21_code")["msoa21_name"].first()
            steps.insert(2, (types["msoa21"], {m: (names[m], lad) for m, lad in lad_of_msoa.items()}, "lad24"))
        counts: dict[str, int] = {}
        for n, (area_type, wanted, parent_code) in enumerate(steps):
            parent_ids = region_ids if parent_code == "rgn19" else self.area_ids(types[parent_code])
            counts[area_type.code] = upsert_areas(area_type, wanted, parent_ids, pops)
            self.progress(n + 1, len(steps) + 2)
        for code in ("lsoa21", "msoa21", "ward24", "lad24", "rgn19"):
            AreaType.objects.filter(pk=types[code].pk).update(population_note=people.note)
        for code, total in sums(frame["people"], frame["region"]).items():
            Area.objects.filter(pk=region_ids.get(code)).update(population=int(round(total)))
        if has_msoa:
            counts["lsoas_in_msoas"] = self._link_msoas(types, frame)
        counts["boundaries"] = self._boundaries(types, frame)
        self.progress(len(steps) + 2, len(steps) + 2)
        return counts

    def _link_msoas(self, types: dict[str, AreaType], frame: pd.DataFrame) -> int:
        lsoa_ids, msoa_ids = self.area_ids(types["lsoa21"]), self.area_ids(types["msoa21"])
        through = Area.also_in.through
        through.objects.filter(from_area__area_type=types["lsoa21"]).delete()
        links = [through(from_area_id=lsoa_ids[lsoa], to_area_id=msoa_ids[msoa])
                 for lsoa, msoa in zip(frame["lsoa21_code"], frame["msoa21_code"], strict=True)
                 if lsoa in lsoa_ids and msoa in msoa_ids]  # fmt: skip
        through.objects.bulk_create(links, batch_size=5000)
        return len(links)

    def _published(self, type_code: str) -> dict[str, dict]:
        relative, keys = BOUNDARIES_2021[type_code]
        return shapes.read_features(self.path(relative), keys) if self.path(relative).is_file() else {}

    def _boundaries(self, types: dict[str, AreaType], frame: pd.DataFrame) -> int:
        """Each level from its own boundary file when the pack has one; else the same code in the closest
        earlier vintage; else drawn by joining the level below, with a note saying so."""
        lsoas = {code: (shape, "") for code, shape in self._published("lsoa21").items()} or self._lsoas_from_2011()
        found = {"lsoa21": lsoas}
        for type_code, child, parent, label in (("ward24", "lsoa21_code", "ward24_code", "2021 LSOAs (ONS best fit)"),
                                                ("lad24", "ward24_code", "ltla24_code", "2024 wards")):  # fmt: skip
            level = {code: (shape, "") for code, shape in self._published(type_code).items()}
            relative, keys = CLOSEST_BOUNDARIES[type_code]
            if not level and self.path(relative).is_file():
                level = {c: (s, "") for c, s in shapes.read_features(self.path(relative), keys).items()}
            below = found["lsoa21" if type_code == "ward24" else "ward24"]
            members: dict[str, set[str]] = {}
            for part, whole in zip(frame[child], frame[parent], strict=True):
                members.setdefault(whole, set()).add(part)
            for code, parts in members.items():
                if code not in level and all(p in below for p in parts):
                    shape = shapes.dissolve(below[p][0] for p in sorted(parts))
                    if shape is not None:
                        level[code] = (shape, f"Drawn by joining its {label}: approximate")
            found[type_code] = level
        return sum(store_shapes(types[code], level) for code, level in found.items())

    def _lsoas_from_2011(self) -> dict[str, tuple[dict, str]]:
        """2021 LSOAs drawn from the 2011 boundaries: unchanged LSOAs keep theirs, merged ones join them,
        and a split one shows the 2011 LSOA it was split from (noted)."""
        relative, _, keys = BOUNDARY_FILES[0]
        if not (self.path(relative).is_file() and self.path(national.LOOKUP_LSOA11_LSOA21).is_file()):
            return {}
        older = shapes.read_features(self.path(relative), keys)
        pairs = read_csv(self.path(national.LOOKUP_LSOA11_LSOA21))
        parts: dict[str, list[str]] = {}
        fan_out: Counter = Counter()
        for old, new in zip(pairs["lsoa11_code"], pairs["lsoa21_code"], strict=True):
            parts.setdefault(new, []).append(old)
            fan_out[old] += 1
        found: dict[str, tuple[dict, str]] = {}
        for code, olds in parts.items():
            known = sorted(c for c in olds if c in older)
            if len(known) > 1:
                joined = shapes.dissolve(older[c] for c in known)
                if joined is not None:
                    found[code] = (joined, "")
            elif known and fan_out[known[0]] > 1:
                found[code] = (older[known[0]], f"Shown with the 2011 LSOA it was split from ({known[0]})")
            elif known:
                found[code] = (older[known[0]], "")
        return found


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
            licence=OGL, release_date=dt.date(2019, 9, 26), family="IoD", edition=2019,
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
                       domain_ranks: np.ndarray, parents_by_type: dict[AreaType, np.ndarray],
                       national_deciles: bool = True) -> int:  # fmt: skip
    """IMD score, rank, decile and the seven domains for LSOAs, the population weights, and the IoD
    summaries for each higher level; the same measure slugs at every level so pages read them one way.
    Deciles are written only when the ranks are national (`national_deciles`): never among demo areas."""
    written, order = 0, 0
    transformed = exponential_transform(domain_ranks, n=domain_ranks.shape[0])
    decile = MeasureSpec("imd_decile", "IMD decile", "decile", LESS, "1 is the most deprived 10%.")
    specs = [
        (MeasureSpec("imd_score", "IMD score", "score", MORE, "Higher is more deprived."), lsoas.score),
        (MeasureSpec("imd_rank", "IMD rank", RANK_UNIT, LESS, "Among areas of the same type."), lsoas.rank),
        (decile, deciles(lsoas.rank)),
        (WEIGHT, lsoas.population),
    ]
    for j, (slug, label) in enumerate(IMD2019_DOMAIN_NAMES.items()):
        ranks = domain_ranks[:, j]
        specs.append((domain_score_measure(slug, label), transformed[:, j]))
        specs.append((MeasureSpec(f"{slug}_rank", f"{label} rank", RANK_UNIT, LESS), ranks))
        specs.append((MeasureSpec(f"{slug}_decile", f"{label} decile", "decile", LESS), deciles(ranks)))
    summaries = [(spec, column) for spec, column in SUMMARY_MEASURES if national_deciles or column != "decile"]
    if not national_deciles:
        specs = [(spec, values) for spec, values in specs if not spec.slug.endswith("_decile")]
    steps = len(specs) + len(parents_by_type)
    lsoa_ids = importer.area_ids(lsoa_type)
    for n, (spec, values) in enumerate(specs):
        written += importer.write_values(dataset, spec, order, lsoa_ids, lsoas.codes, values)
        order += 1
        importer.progress(n + 1, steps)
    for n, (area_type, parent_of) in enumerate(parents_by_type.items()):
        summary = geography.aggregate(lsoas, parent_of)
        ids = importer.area_ids(area_type)
        for spec, column in summaries:
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
    required = (national.CNI2019,)

    def run(self) -> dict[str, int]:
        types = self.area_types()
        path = self.path(self.required[0])
        frame = read_csv(path)
        table = left_behind.read_cni(path)
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="OCSI for Local Trust", licence=THIRD_PARTY,
            release_date=dt.date(2019, 10, 21), is_third_party=True, family="CNI", edition=2019,
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
    """IMD 2025 on 2021 LSOAs, recomputed from the domain ranks, with the IoD summaries for 2021 MSOAs,
    2024 wards and districts, and regions."""

    slug = "imd2025"
    name = "English Indices of Deprivation 2025"
    required = (national.IMD2025_LSOAS,)

    def available(self) -> bool:
        return super().available() and Geography2021Importer(self.data_dir).available()

    def run(self) -> dict[str, int]:
        types = self.area_types()
        people = national.lsoa21_population(self.data_dir)
        domains = imd_files.read_domains(self.path(national.IMD2025_LSOAS))
        lsoas = national.imd2025_lsoas(self.data_dir, people, domains)
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="Ministry of Housing, Communities and Local Government",
            source_url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025",
            licence=OGL, release_date=dt.date(2025, 10, 30), family="IoD", edition=2025,
            description="IMD 2025 recomputed from the seven domain ranks with the IoD method (2021 LSOAs); MSOA, "
                        f"ward, district and region figures are population-weighted ({people.note}).",
        )  # fmt: skip
        frame = national.lsoa21_areas(self.data_dir)
        region_of = national.lad24_regions(self.data_dir, frame)
        lookups = {"ward24": "ward24_code", "lad24": "ltla24_code", "msoa21": "msoa21_code"}
        parents_by_type = {types[code]: national.parents(lsoas, dict(zip(frame["lsoa21_code"], frame[column],
                                                                          strict=True)))
                           for code, column in lookups.items() if column in frame}  # fmt: skip
        lad_of = dict(zip(frame["lsoa21_code"], frame["ltla24_code"], strict=True))
        parents_by_type[types["rgn19"]] = national.parents(lsoas, {c: region_of.get(lad, "") for c, lad in
                                                                   lad_of.items()})  # fmt: skip
        return {"values": write_index_values(self, dataset, types["lsoa21"], lsoas, domains.values, parents_by_type)}


def write_need_values(importer: Importer, dataset: DataSet, table: geography.LsoaTable,
                      domains: dict[str, tuple[str, np.ndarray]], labels: tuple[str, str]) -> int:  # fmt: skip
    """A community-need index on 2021 LSOAs: score, rank and domain scores for LSOAs and, population-weighted,
    for MSOAs, wards and districts; and which areas are doubly disadvantaged with the IMD 2025 (the
    left-behind rule at each geography, through the selection engine)."""
    types = importer.area_types()
    score_name, rank_name = labels
    frame = national.lsoa21_areas(importer.data_dir)
    source = national.PackSource(importer.data_dir)
    written, order = 0, 0
    levels = [("lsoa21", None), ("msoa21", "msoa21_code"), ("ward24", "ward24_code"), ("lad24", "ltla24_code")]
    levels = [(code, column) for code, column in levels if column is None or column in frame]
    for n, (code, column) in enumerate(levels):
        ids = importer.area_ids(types[code])
        parent_of = table.codes if column is None else national.parents(
            table, dict(zip(frame["lsoa21_code"], frame[column], strict=True)))  # fmt: skip
        summary = geography.aggregate(table, parent_of)
        figures = [(MeasureSpec("cni_score", score_name, "score", MORE, "Higher means more need."), summary["score"]),
                   (MeasureSpec("cni_rank", rank_name, RANK_UNIT.replace("deprived", "need"), LESS,
                                "Among areas of the same type."), summary["rank"])]  # fmt: skip
        for slug, (label, values) in domains.items():
            domain = geography.LsoaTable(table.codes, values, table.rank, table.population)
            part = geography.aggregate(domain, parent_of)
            figures.append((MeasureSpec(slug, label, "score", MORE), part["score"]))
        for spec, values in figures:
            written += importer.write_values(dataset, spec, order, ids, summary["code"], values)
            order += 1
        spec = selection.left_behind_spec(code, need=dataset.slug)
        chosen = set(selection.select(spec, source, near=0).chosen["code"])
        flags = [1.0 if c in chosen else 0.0 for c in summary["code"]]
        where = selection.GEOGRAPHIES[code][1]
        rule = MeasureSpec("left_behind", "Left behind (most deprived 10% on both IMD 2025 and community need)",
                           "yes = 1", description=f"IMD 2025 and {score_name} both in the most deprived 10% of "
                           f"{where} (population-weighted average scores above LSOAs).")  # fmt: skip
        written += importer.write_values(dataset, rule, order, ids, summary["code"], flags)
        order += 1
        importer.progress(n + 1, len(levels))
    return written


class Cni2023Importer(Importer):
    """OCSI's Community Needs Index 2023 on 2021 LSOAs (licensed, third party: shown on pages, never
    re-published in bulk) and the doubly disadvantaged areas it makes with the IMD 2025."""

    slug = "cni2023"
    name = "Community Needs Index 2023 (OCSI)"
    required = (national.CNI2023,)
    DOMAINS = (("civic_assets_score", "Civic Assets score", "Civic Assets Domain Score"),
               ("connectedness_score", "Connectedness score", "Connectedness Domain Score"),
               ("engaged_community_score", "Active and Engaged Community score",
                "Active and Engaged Community Domain Score"))  # fmt: skip

    def available(self) -> bool:
        return super().available() and Imd2025Importer(self.data_dir).available()

    def run(self) -> dict[str, int]:
        path = self.path(national.CNI2023)
        table = national.cni_lsoas(path, national.lsoa21_population(self.data_dir))
        frame = read_csv(path)
        domains = {slug: (label, numeric(frame, path, find_column(frame, path, [column], label)))
                   for slug, label, column in self.DOMAINS}  # fmt: skip
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="OCSI (Oxford Consultants for Social Inclusion)",
            source_url="https://ocsi.uk/", licence=THIRD_PARTY, release_date=dt.date(2023, 5, 1),
            is_third_party=True, family="CNI", edition=2023,
            description="Civic Assets, Connectedness and Active and Engaged Community on 2021 LSOAs; higher scores "
                        "mean more need; MSOA, ward and district figures are population-weighted averages. "
                        "Licensed: shown here, not re-published in bulk.",
        )  # fmt: skip
        labels = ("Community Needs Index score", "Community Needs Index rank")
        return {"values": write_need_values(self, dataset, table, domains, labels)}


class NeedProxyImporter(Importer):
    """Where OCSI's CNI is not in the pack: the open proxy for community need built from the IoD 2025
    indicators (specs/community_need_proxy_2025.toml), labelled a proxy wherever it is shown."""

    slug = "need-proxy-2025"
    name = "Community need, open proxy (IoD 2025 indicators; not the CNI)"
    required = (national.IMD2025_INDICATORS,)

    def available(self) -> bool:
        cni = self.path(national.CNI2023).is_file()
        return super().available() and not cni and Imd2025Importer(self.data_dir).available()

    def run(self) -> dict[str, int]:
        from commonground.engine.composite import build_from_files

        spec_path = Path(selection.__file__).resolve().parent.parent / "specs" / national.NEED_PROXY_2025
        spec, result = build_from_files(spec_path, self.path(national.IMD2025_INDICATORS))
        table = national.need_proxy_lsoas(self.data_dir, national.lsoa21_population(self.data_dir))
        domains = {f"{d.slug}_score": (d.name, result.domain_scores[d.slug]) for d in spec.domains}
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source="Computed by Common Ground from the IoD 2025 indicators (MHCLG)",
            licence=OGL, release_date=dt.date(2025, 10, 30),
            description=f"A PROXY, not OCSI's Community Needs Index. {spec.description}",
        )  # fmt: skip
        labels = ("Community need score (open proxy)", "Community need rank (open proxy)")
        return {"values": write_need_values(self, dataset, table, domains, labels)}


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
    required = (national.POPULATION_LSOA11, *GeographyImporter.required)

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


class Population2022Importer(Importer):
    """ONS population of 2021 LSOAs by broad age band and sex (mid-2022 in the pack; the latest year `data
    fetch` brought), when the file has the bands, summed to 2024 wards, districts and regions."""

    slug = "population-mid2022"  # the slug names the 2021-LSOA estimates whatever their year; the name says it
    name = "Population by age and sex (ONS, 2021 LSOAs)"

    def available(self) -> bool:
        path = national.lsoa21_population_file(self.data_dir)
        return (path is not None and Geography2021Importer(self.data_dir).available()
                and population.has_bands(path))  # fmt: skip

    def run(self) -> dict[str, int]:
        types = self.area_types()
        path = national.lsoa21_population_file(self.data_dir)
        year = national.population_year(path)
        self.name = f"Population by age and sex, mid-{year} (ONS)"
        bands = population.read_bands(path)
        dataset = self.replace_dataset(
            slug=self.slug, name=self.name, source=f"Office for National Statistics, mid-{year} small-area estimates",
            source_url="https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates",
            licence=OGL, release_date=dt.date(2024, 3, 20) if year == "2022" else None,
            description="People by broad age band and sex in 2021 LSOAs; wards, districts and regions are sums.",
        )  # fmt: skip
        written = write_population_bands(self, dataset, types["lsoa21"], bands)
        self.progress(1, 1)
        return {"values": written}


IMPORTERS: tuple[type[Importer], ...] = (
    GeographyImporter, Imd2019Importer, Cni2019Importer, PopulationImporter,
    Geography2021Importer, Imd2025Importer, Cni2023Importer, NeedProxyImporter, Population2022Importer,
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
