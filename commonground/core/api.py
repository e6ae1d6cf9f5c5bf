"""What every app's API router shares: paging bounds and the problem body of an error.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

from ninja import Schema

MAX_PAGE = 500
MAX_OFFSET = 10**9  # past any real list, and inside PostgreSQL's bigint for OFFSET + LIMIT


class Problem(Schema):
    detail: str


def page_bounds(offset: int, limit: int) -> tuple[int, int]:
    return min(max(offset, 0), MAX_OFFSET), min(max(limit, 1), MAX_PAGE)
