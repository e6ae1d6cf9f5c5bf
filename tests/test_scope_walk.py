"""The scope walk (issue 18): every page and API operation that takes an object, found from the URLconf and the
OpenAPI schema (so a new one is walked the day it is added), is tried by people holding every role, but for
another council or another neighbourhood. Each must refuse them: 403, 404, 405 for the wrong method, never 200
with the object and never 500; and nothing they send is written.

Objects come from tests/everything.py (one of everything in Demo Borough and its Brookfield neighbourhood). A
URL parameter is filled from where it sits in the path (its app, the word before it and its name), so a new view
on a known kind of object needs nothing here; a new kind of object fails `test_every_parameter_is_known` until
it is added to PARAMETERS.

A few views let any signed-in person act on an object of another place on purpose; they are listed in OPEN_TO_ALL
with the reason. Everything else that is not public must refuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from commonground.accounts.permissions import ACCESS_ATTRIBUTE
from commonground.api import api
from commonground.audit.models import AuditRecord
from commonground.neighbourhoods import services as neighbourhoods
from commonground.neighbourhoods.models import Neighbourhood
from tests.everything import build, holder_of_every_role

Found = dict
# (app namespace, the literal path segment before the parameter, the parameter) → its value from everything.
PARAMETERS: dict[tuple[str, str, str], Callable[[Found], object] | None] = {
    ("accounts", "people", "pk"): lambda f: f["resident"].pk,
    ("accounts", "confirm", "token"): None,  # public, a one-time link
    ("accounts", "password-reset", "token"): None,
    ("accounts", "password-reset", "uidb64"): None,
    ("assets", "assets", "pk"): lambda f: f["asset"].pk,
    ("assets", "councils", "pk"): lambda f: f["listing"].pk,
    ("assets", "evidence", "pk"): lambda f: f["evidence"].pk,
    ("assets", "high-streets", "pk"): lambda f: f["street"].pk,
    ("assets", "rental-auctions", "pk"): lambda f: f["letting"].pk,
    ("ballots", "ballots", "pk"): lambda f: f["ballot"].pk,
    ("ballots", "challenges", "challenge_id"): lambda f: f["challenge"].pk,
    ("ballots", "roll", "number"): lambda f: f["elector"].roll_number,
    ("budgeting", "panel", "pk"): lambda f: f["scorer"].pk,
    ("budgeting", "budgeting", "slug"): lambda f: f["process"].slug,
    ("", "pb", "rest"): lambda f: f"{f['process'].slug}/",  # the old addresses: a public redirect
    ("budgeting", "proposals", "pk"): lambda f: f["proposal"].pk,
    ("budgeting", "scoring", "pk"): lambda f: f["proposal"].pk,
    ("contributions", "agreements", "reference"): lambda f: f["agreement"].reference,
    ("contributions", "contributions", "code"): lambda f: f["council"].code,
    ("contributions", "contributions", "reference"): lambda f: f["contribution"].reference,
    ("contributions", "zones", "pk"): lambda f: f["zone"].pk,
    ("delivery", "delivery", "pk"): lambda f: f["record"].pk,
    ("delivery", "milestones", "milestone"): lambda f: f["milestone"].pk,
    ("delivery", "photos", "pk"): None,  # public, and there is no photo
    ("fund", "awards", "code"): lambda f: f["award"].ward_code,
    ("fund", "funds", "slug"): lambda f: f["fund"].slug,
    ("fund", "priorities", "pk"): lambda f: f["priority"].pk,
    ("impact", "engagement", "pk"): lambda f: f["engagement"].pk,
    ("impact", "impact", "reference"): lambda f: f["assessment"].reference,
    ("impact", "impacts", "pk"): lambda f: f["impact"].pk,
    ("impact", "responses", "pk"): lambda f: f["response"].pk,
    ("neighbourhoods", "decisions", "number"): lambda f: f["decision"].number,
    ("neighbourhoods", "engagement", "pk"): lambda f: f["event"].pk,
    ("neighbourhoods", "investment", "pk"): lambda f: f["line"].pk,
    ("neighbourhoods", "meetings", "pk"): lambda f: f["meeting"].pk,
    ("neighbourhoods", "members", "pk"): lambda f: f["chair"].pk,
    ("neighbourhoods", "neighbourhoods", "slug"): lambda f: f["hood"].slug,
    ("neighbourhoods", "objectives", "ref"): lambda f: f["objective"].ref,
    ("neighbourhoods", "papers", "paper_pk"): lambda f: f["paper"].pk,
    ("neighbourhoods", "plan", "version"): lambda f: f["plan"].version,
    ("neighbourhoods", "verification", "pk"): lambda f: f["verification"].pk,
    ("notify", "notify", "pk"): lambda f: f["notice"].pk,
    ("notify", "unsubscribe", "token"): None,  # public, a one-time link
    ("outcomes", "areas", "code"): lambda f: f["ward"].code,
    ("outcomes", "measures", "slug"): lambda f: f["measure"].slug,
    ("outcomes", "priorities", "pk"): lambda f: f["priority"].pk,
    ("panels", "members", "pseudonym"): lambda f: f["volunteer"].pseudonym,
    ("panels", "panels", "slug"): lambda f: f["panel"].slug,
    ("panels", "replacements", "number"): lambda f: f["replacement"].number,
    ("places", "places", "code"): lambda f: f["ward"].code,
    ("pots", "allocations", "pk"): lambda f: f["allocation"].pk,
    ("pots", "pots", "slug"): lambda f: f["pot"].slug,
    ("procurement", "commitments", "pk"): lambda f: f["commitment"].pk,
    ("procurement", "criteria", "pk"): lambda f: f["criterion"].pk,
    ("procurement", "procurement", "reference"): lambda f: f["tender"].reference,
    ("publicbodies", "bodies", "slug"): lambda f: f["body"].slug,
    ("spending", "imports", "pk"): None,  # public, and nothing was imported
    ("spending", "neighbourhoods", "slug"): lambda f: f["hood"].slug,
    ("spending", "places", "code"): lambda f: f["ward"].code,
    ("spending", "pools", "slug"): lambda f: f["pool"].slug,
    ("spending", "prevention", "pk"): lambda f: f["prevention"].pk,
    # The API's paths: (router, the segment before the parameter, the parameter).
    ("api", "areas", "code"): lambda f: f["ward"].code,
    ("api", "neighbourhoods", "slug"): lambda f: f["hood"].slug,
    ("api", "processes", "slug"): lambda f: f["process"].slug,
    ("api", "contributions", "code"): lambda f: f["council"].code,
    ("api", "zones", "zone_id"): lambda f: f["zone"].pk,
    ("api", "pots", "slug"): lambda f: f["pot"].slug,
    ("api", "delivery", "record_id"): lambda f: f["record"].pk,
    ("api", "measures", "slug"): lambda f: f["measure"].slug,
    ("api", "notices", "notice_id"): lambda f: f["notice"].pk,
    ("api", "assessments", "reference"): lambda f: f["assessment"].reference,
    ("api", "places", "code"): lambda f: f["ward"].code,
    ("api", "pools", "slug"): lambda f: f["pool"].slug,
    ("api", "tenders", "reference"): lambda f: f["tender"].reference,
    ("api", "funds", "slug"): lambda f: f["fund"].slug,
    ("api", "awards", "code"): lambda f: f["award"].ward_code,
    ("api", "panels", "slug"): lambda f: f["panel"].slug,
    ("api", "assets", "asset_id"): lambda f: f["asset"].pk,
    ("api", "ballots", "ballot_id"): lambda f: f["ballot"].pk,
}

# Views any signed-in person may use on another place's object, on purpose.
OPEN_TO_ALL = {
    "neighbourhoods:verify": "a resident asks to be verified for any neighbourhood (an officer there decides)",
    "budgeting:propose": "anyone signed in may put forward an idea in an open round (officers review it)",
    "impact:respond": "anyone signed in may respond to a published impact assessment",
    "accounts:person-roles": "accounts belong to no place: an officer sees a person's name and email and only the "
    "roles held in the officer's own scopes, and grants only there",
}
REFUSED = {403, 404, 405}


def _parameters(route: str) -> list[tuple[str, str]]:
    """(segment before, name) of each parameter in a Django route or an OpenAPI path."""
    found, before = [], ""
    for segment in route.strip("/").split("/"):
        match = re.fullmatch(r"<(?:\w+:)?(\w+)>.*|\{(\w+)\}.*", segment)
        if match:
            found.append((before, match.group(1) or match.group(2)))
        else:
            before = segment
    return found


def pages() -> list[tuple[str, str, object]]:
    """(namespace:name, route, view) of every page that takes an object (Django admin and the API aside)."""

    def walk(patterns, namespace="", prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield namespace, p, prefix + str(p.pattern)

    return [
        (f"{namespace}:{p.name}", route, p.callback)
        for namespace, p, route in walk(get_resolver().url_patterns)
        if namespace not in ("admin", "api") and "<" in route
    ]


def operations() -> list[tuple[str, object]]:
    """(path, view function) of every API operation that takes an object, from the OpenAPI schema."""
    views = {}
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                views[("/api" + path).replace("/api/api/", "/api/")] = operation.view_func
    schema = api.get_openapi_schema()
    return [(path, views[path]) for path in schema["paths"] if "{" in path]


def _fill(namespace: str, route: str, found: Found) -> str | None:
    """The route with its parameters filled in from everything, or None when one has no object here."""
    url = route
    for before, name in _parameters(route):
        make = PARAMETERS[(namespace, before, name)]
        if make is None:
            return None
        value = str(make(found))
        url = re.sub(r"<(?:\w+:)?" + name + r">|\{" + name + r"\}", value, url, count=1)
    return url if url.startswith("/") else "/" + url


def test_every_parameter_is_known():
    """A page or operation on a new kind of object must say here which object of everything it takes."""
    unknown = set()
    for name, route, _view in pages():
        unknown |= {(name, before, p) for before, p in _parameters(route)
                    if (name.split(":")[0], before, p) not in PARAMETERS}  # fmt: skip
    for path, _view in operations():
        unknown |= {(path, before, p) for before, p in _parameters(path) if ("api", before, p) not in PARAMETERS}
    assert unknown == set()
    assert len(pages()) >= 150 and len(operations()) >= 20


@pytest.fixture
def walk(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    found = build()
    codes, drawn_from = neighbourhoods.lsoa_codes_of_ward("X05000003")
    ashby = neighbourhoods.create("test", "Ashby Park", codes, Neighbourhood.Kind.PRIDE_IN_PLACE, drawn_from)
    elsewhere = holder_of_every_role("knowsley@example.org", "council:E08000011")
    next_door = holder_of_every_role("ashby@example.org", f"neighbourhood:{ashby.slug}")
    return found, [elsewhere, next_door]


def _refused(response) -> bool:
    return response.status_code in REFUSED


def test_people_scoped_elsewhere_are_refused_every_object(client, walk):
    found, outsiders = walk
    walked, holes = 0, []
    acted = AuditRecord.objects.exclude(action="accounts.sign_in")  # signing each outsider in is recorded
    written = acted.count()
    pending = [(name, _fill(name.split(":")[0], route, found)) for name, route, view in pages()
               if getattr(view, ACCESS_ATTRIBUTE) != "public" and name not in OPEN_TO_ALL]  # fmt: skip
    assert all(url is not None for _name, url in pending)  # a page that checks access needs an object to walk
    for user in outsiders:
        for name, url in pending:
            for method in ("get", "post"):
                client.force_login(user)  # afresh each time: a view that signs people out must not hide a hole
                response = getattr(client, method)(url)
                walked += 1
                if not _refused(response):
                    holes.append(f"{user.email} {method.upper()} {url} ({name}): {response.status_code}")
    assert holes == []
    assert acted.count() == written  # nothing they sent was acted on
    assert walked >= 4 * 100


def test_people_scoped_elsewhere_are_refused_every_private_api_operation(client, walk):
    found, outsiders = walk
    holes, walked = [], 0
    for path, view in operations():
        if getattr(view, ACCESS_ATTRIBUTE) == "public":
            continue
        url = _fill("api", path, found)
        for user in outsiders:
            client.force_login(user)
            response = client.get(url)
            walked += 1
            if response.status_code not in (401, 403, 404):
                holes.append(f"{user.email} GET {url}: {response.status_code}")
    assert holes == []
    assert walked >= 4


def test_public_pages_and_operations_never_fail_and_keep_private_things_private(client, walk):
    """Every public page and operation on an object answers an outsider without a server error, and drafts stay
    hidden from them."""
    found, outsiders = walk
    client.force_login(outsiders[0])
    failures = []
    for name, route, view in pages():
        public = getattr(view, ACCESS_ATTRIBUTE) == "public"
        if public and (url := _fill(name.split(":")[0], route, found)) and client.get(url).status_code >= 500:
            failures.append(url)
    for path, view in operations():
        if getattr(view, ACCESS_ATTRIBUTE) == "public" and client.get(_fill("api", path, found)).status_code >= 500:
            failures.append(path)
    assert failures == []
    hood, draft = found["hood"], found["draft"]
    for url in (
        f"/neighbourhoods/{hood.slug}/plan/{draft.version}/",  # the next version of the plan, a draft
        f"/neighbourhoods/{hood.slug}/plan/{draft.version}.pdf",
        f"/impact/{found['draft_assessment'].reference}/",  # an impact assessment not yet published
        f"/api/impact/assessments/{found['draft_assessment'].reference}",
    ):
        for user in outsiders:
            client.force_login(user)
            assert client.get(url).status_code in (403, 404), (user.email, url)
