"""The "has voted" mark: one per voter, and the database, not the code, is what enforces it.

Each kind of vote keeps its own mark table (a PB account or code; a ballot's elector and channel),
with a unique constraint on the voter. Of concurrent votes by one voter exactly one insert commits;
`record` turns the others' constraint failure into AlreadyVoted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, models

from commonground.voting import rows


class AlreadyVoted(Exception):
    """The database refused a second "has voted" mark for the same voter."""


def record(model: type[models.Model], **fields) -> models.Model:
    """Insert a voter's mark in the caller's transaction, with no savepoint (so the vote's rows keep
    one PostgreSQL transaction id, as the secrecy tests describe): a refusal ends that transaction,
    so callers let AlreadyVoted leave it before using the database again."""
    with _refused_as_already_voted():
        return model.objects.create(**fields)


def record_rows(*written: rows.Row) -> None:
    """record() by fixed SQL (voting.rows.insert: column attributes, every column given), where the caller
    needs no mark object back, together with the vote's other rows (on PostgreSQL in the same statement): a PB
    ballot's paper and mark. Rows that are not marks must not be able to break a unique constraint."""
    with _refused_as_already_voted():
        rows.insert(*written)


@contextmanager
def _refused_as_already_voted() -> Iterator[None]:
    try:
        yield
    except IntegrityError:
        raise AlreadyVoted from None
