"""Every page and API operation declares who may use it, through accounts.permissions."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from commonground.accounts.permissions import ACCESS_ATTRIBUTE
from commonground.api import api


def walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield namespace, p


def test_every_page_declares_its_access():
    undeclared = []
    for namespace, pattern in walk(get_resolver().url_patterns):
        if namespace == "admin":
            continue  # Django admin: AdminSite.admin_view lets in active staff only (site admins)
        view = pattern.callback
        if namespace == "api":
            continue  # checked operation by operation below
        if not hasattr(view, ACCESS_ATTRIBUTE):
            undeclared.append(f"{namespace}:{pattern.name} ({pattern.pattern})")
    assert undeclared == []


def test_every_api_operation_declares_its_access():
    undeclared = []
    seen = 0
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                seen += 1
                if not hasattr(operation.view_func, ACCESS_ATTRIBUTE):
                    undeclared.append(f"{operation.methods} {path}")
    assert seen >= 5
    assert undeclared == []


@pytest.mark.django_db
def test_api_refuses_without_session_and_without_role(client, make_user):
    from commonground.accounts.roles import Role

    assert client.get("/api/me").status_code == 401
    assert client.get("/api/audit").status_code == 401
    client.force_login(make_user("res@example.org", roles=(Role.RESIDENT,)))
    me = client.get("/api/me").json()
    assert me == {"email": "res@example.org", "full_name": "Res", "roles": ["resident"]}
    denied = client.get("/api/audit")
    assert denied.status_code == 403
    assert "read_audit_log" in denied.json()["detail"]
    client.force_login(make_user("officer@example.org", roles=(Role.COUNCIL_OFFICER,)))
    log = client.get("/api/audit").json()
    assert isinstance(log, list) and log[0]["action"] == "accounts.sign_in"


@pytest.mark.django_db
def test_openapi_schema_and_guide(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Common Ground API"
    assert {"/api/areas", "/api/areas/{code}", "/api/me", "/api/audit", "/api/health"} <= set(schema["paths"])
    guide = client.get("/api-guide/").content.decode()
    assert "/api/areas/{code}" in guide
    docs = client.get("/api/docs")
    assert docs.status_code == 200


@pytest.mark.django_db
def test_health(client):
    data = client.get("/health/").json()
    assert data["status"] == "ok"


@pytest.mark.parametrize("url", ["/api/areas/X05000002?type=%00", "/api/outcomes/areas/X05000002/map?type=a%00b",
                                 "/places/X05000002/?type=%00", "/api/outcomes/measures/cr%00ime/figures"])  # fmt: skip
def test_addresses_with_nul_characters_are_not_found_before_reaching_the_database(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "NUL character" in response.content.decode()
