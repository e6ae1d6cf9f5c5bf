"""Importers of the areas themselves: the 2011 and the current geographies, with parents and boundaries."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from commonground.engine import geography, national, shapes
from commonground.engine.tables import codes, read_csv
from commonground.places.importer_base import (
    BOUNDARIES_2021,
    BOUNDARY_FILES,
    CLOSEST_BOUNDARIES,
    Importer,
    store_shapes,
    sums,
    upsert_areas,
)
from commonground.places.models import Area, AreaType


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
