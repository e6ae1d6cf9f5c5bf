"""`serve` asks the pages most visitors open first before it forks its workers (core.cli.warm_up), so the first
visitor after a restart gets the England dashboard from the cache the workers start with."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from commonground.core import cli
from commonground.outcomes import dashboards

pytestmark = pytest.mark.django_db


def _statements(run) -> tuple[int, object]:
    """How many SQL statements `run()` runs, and what it returns."""
    ran = []

    def counted(execute, sql, params, many, context):
        ran.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        found = run()
    return len(ran), found


def test_the_first_pages_are_made_before_the_first_visitor(demo):
    cache.clear()
    first = Client().get("/outcomes/").content
    cache.clear()
    assert [cli.ask(path) for path in cli.FIRST_PAGES] == [200, 200]
    warm, again = _statements(lambda: Client().get("/outcomes/").content)
    assert again == first  # the same page a visitor would have had made for them
    version, _ = _statements(dashboards.data_version)
    assert warm == version  # it read the data version and nothing else: the page was made before it came
