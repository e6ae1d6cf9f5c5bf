"""Checks every file import makes before writing: each value fits the column it goes into.

SQLite stores an over-long string without complaint and PostgreSQL refuses the whole transaction,
so an importer that left the check to the database failed on one and not the other.
"""

from __future__ import annotations

from django.db import models


def too_long(model: type[models.Model], values: dict[str, object], names: dict[str, str] | None = None) -> list[str]:
    """'<column>: N characters, at most M' for each value longer than its model field allows;
    `names` maps model field names to the file's column names for the message."""
    found = []
    for field_name, value in values.items():
        limit = model._meta.get_field(field_name).max_length
        if isinstance(value, str) and limit is not None and len(value) > limit:
            column = (names or {}).get(field_name, field_name)
            found.append(f"{column}: {len(value):,} characters, at most {limit:,}")
    return found
