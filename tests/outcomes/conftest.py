import pytest


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test's database is rolled back, so dashboards cached by an earlier test must not leak in."""
    from django.core.cache import cache

    from commonground.outcomes import dashboards

    cache.clear()
    dashboards._TABLES.clear()
    yield
    cache.clear()
    dashboards._TABLES.clear()
