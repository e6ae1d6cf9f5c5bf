"""Loading the national data pack: every importer in order (one class per dataset on a shared base, after
mySociety's Local Intelligence Hub), and the postcode lookup. Each runs in its own transaction, replaces what
it loaded before, and leaves every other dataset alone.

The directory layout (relative file names) is the one of the data pack and of `commonground data fetch`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction

from commonground.audit.service import record
from commonground.engine.postcodes import PostcodeReader
from commonground.engine.tables import DataError
from commonground.places import left_behind, services
from commonground.places.deprivation_importers import (
    Cni2019Importer,
    Cni2023Importer,
    Imd2019Importer,
    Imd2025Importer,
    NeedProxyImporter,
)
from commonground.places.geography_importers import Geography2021Importer, GeographyImporter
from commonground.places.importer_base import (
    Importer,
    Progress,
)
from commonground.places.models import Area, AreaType, Postcode
from commonground.places.population_importers import Population2022Importer, PopulationImporter

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


def analyse() -> None:
    """On PostgreSQL, refresh the planner's statistics of the places tables after a load, rather than wait for
    autovacuum: until then it took the table of 81,432 areas for half demo areas, and every page's "is the
    demo data on show?" read the whole table (12-17 ms) instead of the empty partial index of demo areas."""
    if connection.vendor != "postgresql":
        return
    tables = sorted({m._meta.db_table for m in apps.get_app_config("places").get_models(include_auto_created=True)})
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")


def precompute_national() -> None:
    """Store the national figures the first visitors after a data load would otherwise wait for: the home
    page's councils, the left-behind lists, and what ranks are "of" in the current geography."""
    analyse()
    services.borough_summaries()
    for edition, _ in left_behind.left_behind_editions():
        for geography in edition.geographies:
            left_behind.left_behind_areas(edition.key, geography)
    services.precompute_ranks()


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
