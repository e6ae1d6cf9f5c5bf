"""Contract tests: schemathesis generates requests from the OpenAPI schema for every outcomes operation and
checks each response (status code, content type, headers, body) against what the schema documents.

Driven with Hypothesis directly: schemathesis's pytest plugin does not yet run under pytest 9."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """Requests go through the real WSGI handler, whose request signals close database connections
    outside autocommit; that would close the test's transaction on PostgreSQL. Django's test client
    turns the same signal off, so this does too."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_outcomes_api_matches_its_openapi_schema(demo):
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.include(path_regex="^/api/outcomes/").get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def conforms(case):
            case.call_and_validate()

        conforms()


KNOWN = {
    "/api/outcomes/areas/{code}/dashboard": [({"code": "X05000002"}, {}), ({"code": "X09000001"}, {})],
    "/api/outcomes/areas/{code}/dashboard.csv": [({"code": "X05000002"}, {})],
    "/api/outcomes/areas/{code}/map": [({"code": "X05000002"}, {"measure": "crime"}), ({"code": "X09000001"}, {})],
    "/api/outcomes/measures/{slug}/figures": [
        ({"slug": "crime"}, {"level": "ward", "limit": 5, "offset": 2}),
        ({"slug": "deprivation"}, {"level": "local_authority"}),
    ],
    "/api/outcomes/measures/{slug}/figures.csv": [({"slug": "crime"}, {})],
}


def test_known_areas_and_measures_match_the_schema_and_revalidate(demo):
    """The same checks on requests that find data, then the conditional GET: 304 with the same ETag."""
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    checked = 0
    for result in schema.include(path_regex="^/api/outcomes/").get_all_operations():
        operation = result.ok()
        for path_parameters, query in KNOWN.get(operation.path, [({}, {})]):
            case = operation.Case(path_parameters=path_parameters, query=query)
            response = case.call_and_validate()
            assert response.status_code == 200, (operation.path, response.text[:300])
            again = operation.Case(path_parameters=path_parameters, query=query,
                                   headers={"If-None-Match": response.headers["etag"][0]})  # fmt: skip
            assert again.call().status_code == 304
            checked += 1
    assert checked >= 12
