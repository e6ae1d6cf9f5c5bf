"""The "has voted" mark: one per voter, and the database, not the code, is what enforces it.

Each kind of vote keeps its own mark table (a PB account or code; a ballot's elector and channel),
with a unique constraint on the voter. Of concurrent votes by one voter exactly one insert commits;
`record` turns the others' constraint failure into AlreadyVoted.
"""

from __future__ import annotations

from django.db import IntegrityError, models, transaction


class AlreadyVoted(Exception):
    """The database refused a second "has voted" mark for the same voter."""


def record(model: type[models.Model], **fields) -> models.Model:
    """Insert a voter's mark, in a savepoint so the caller's transaction can report the refusal."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        raise AlreadyVoted from None
