"""The base every national-data importer shares: area types, value writing, area and shape upserts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.db import connection
from django.utils import timezone

from commonground.engine import national, shapes
from commonground.engine.tables import read_csv
from commonground.places.models import Area, AreaType, AreaValue, DataSet, Measure

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
        # Millions of values: model objects would take most of the time, and on PostgreSQL one COPY per measure
        # is many times faster than parameterised INSERTs (a round of the protocol per row).
        table = connection.ops.quote_name(AreaValue._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} (area_id, measure_id, value) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
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
