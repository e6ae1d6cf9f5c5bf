"""The API's service operations and what every app's router shares (paging, problems).

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

from django.http import HttpRequest
from ninja import Router, Schema

from commonground import __version__
from commonground.accounts.permissions import public

router = Router()
MAX_PAGE = 500
MAX_OFFSET = 10**9  # past any real list, and inside PostgreSQL's bigint for OFFSET + LIMIT


class Problem(Schema):
    detail: str


def page_bounds(offset: int, limit: int) -> tuple[int, int]:
    return min(max(offset, 0), MAX_OFFSET), min(max(limit, 1), MAX_PAGE)


@router.get("/health", summary="Service status", tags=["service"])
@public
def health(request: HttpRequest) -> dict:
    return {"status": "ok", "version": __version__}
