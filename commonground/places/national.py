"""Figures over every area of a type, computed once per data version and stored (places.NationalFigure).

Why stored and not cached in each process: they scan tens of thousands of rows (700 ms for a dashboard's
comparison tables with the national data), and every gunicorn worker paid that again after each restart.
A row is valid while the loaded datasets are unchanged; a new load changes the version, and the next reader
computes and replaces it. `commonground data load` computes the common ones straight away.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection

from commonground.places.models import Area, DataSet, NationalFigure


def version() -> str:
    """Changes whenever a dataset is loaded, replaced or removed, or an area added (one query; the areas'
    highest id comes from the primary key's index)."""
    datasets, areas = DataSet._meta.db_table, Area._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {datasets}), (SELECT MAX(loaded_at) FROM {datasets}), "  # noqa: S608
            f"(SELECT MAX(id) FROM {areas})"
        )  # the table names come from the models
        return "|".join(str(v) for v in cursor.fetchone())


def stored(key: str, compute: Callable[[], object], current: str | None = None) -> object:
    """The figure under `key` for the current data version: read, or computed and stored (JSON: dict keys
    come back as strings, tuples as lists)."""
    current = current or version()
    found = NationalFigure.objects.filter(key=key).values_list("version", "value").first()
    if found is not None and found[0] == current:
        return found[1]
    value = compute()
    NationalFigure.objects.bulk_create(  # an upsert: two workers computing at once both succeed
        [NationalFigure(key=key, version=current, value=value)],
        update_conflicts=True, unique_fields=["key"], update_fields=["version", "value"],
    )  # fmt: skip
    return value
