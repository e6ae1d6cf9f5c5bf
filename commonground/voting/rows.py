"""Rows written on a vote's busiest path by fixed SQL: the INSERT for a model and a set of columns is built once,
not on every vote (building it was a tenth of a PB ballot's CPU)."""

from __future__ import annotations

import functools

from django.db import connection, models


@functools.cache
def _statement(model: type[models.Model], columns: tuple[str, ...], vendor: str) -> tuple[str, tuple]:
    """The INSERT and its fields; `vendor` keys the quoting."""
    fields = tuple(model._meta.get_field(name) for name in columns)
    name = connection.ops.quote_name
    sql = (
        f"INSERT INTO {name(model._meta.db_table)} ({', '.join(name(f.column) for f in fields)}) "  # noqa: S608  (names from the model)
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    return sql, fields


def insert(model: type[models.Model], **values) -> None:
    """Insert one row of `model`. Keys are column attributes (`process_id`, not `process`), and every column
    without a database default must be given (no model defaults are filled in): values are prepared by their
    fields, as the ORM would."""
    sql, fields = _statement(model, tuple(values), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(values[f.attname], connection) for f in fields])
