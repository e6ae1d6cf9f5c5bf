"""Rows written on a vote's busiest path by fixed SQL: the INSERT for a set of models and columns is built once,
not on every vote (building it was a tenth of a PB ballot's CPU)."""

from __future__ import annotations

import functools

from django.db import connection, models

Row = tuple[type[models.Model], dict]  # a model and its values by column attribute (`process_id`, not `process`)


@functools.cache
def _statements(shape: tuple[tuple[type[models.Model], tuple[str, ...]], ...], vendor: str) -> tuple[tuple, tuple]:
    """The SQL for rows of this shape, and each row's fields in parameter order; `vendor` keys the quoting. On
    PostgreSQL the rows go in one statement (each INSERT but the last in a WITH): one round trip for them all."""
    name = connection.ops.quote_name
    inserts, fields = [], []
    for model, columns in shape:
        these = tuple(model._meta.get_field(column) for column in columns)
        inserts.append(
            f"INSERT INTO {name(model._meta.db_table)} ({', '.join(name(f.column) for f in these)}) "  # noqa: S608  (names from the model)
            f"VALUES ({', '.join(['%s'] * len(these))})"
        )
        fields.append(these)
    if vendor == "postgresql" and len(inserts) > 1:
        *first, last = inserts
        inserts = ["WITH " + ", ".join(f"r{i} AS ({sql})" for i, sql in enumerate(first)) + " " + last]
    return tuple(inserts), tuple(fields)


def insert(*rows: Row) -> None:
    """Insert one row of each (model, values), in order. Every column without a database default must be given
    (no model defaults are filled in); values are prepared by their fields, as the ORM would."""
    statements, fields = _statements(tuple((model, tuple(values)) for model, values in rows), connection.vendor)
    params = [[f.get_db_prep_save(values[f.attname], connection) for f in these]
              for these, (_, values) in zip(fields, rows, strict=True)]  # fmt: skip
    with connection.cursor() as cursor:
        if len(statements) == 1:
            cursor.execute(statements[0], [value for row in params for value in row])
        else:
            for sql, values in zip(statements, params, strict=True):
                cursor.execute(sql, values)
