"""Values every page needs: the service name, navigation and map settings."""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability

MENU = [
    ("Home", "home"),
    ("Places", "places:area-list"),
    ("Neighbourhoods", "neighbourhoods:list"),
    ("Funds", "fund:list"),
    ("Budgeting", "budgeting:list"),
    ("Money", "pots:list"),
    ("Community assets", "assets:register"),
    ("Ballots", "ballots:list"),
    ("Panels", "panels:list"),
    ("Outcomes", "outcomes:nation"),
    ("Public services", "impact:register"),
    ("Open API", "api-guide"),
]


@functools.cache
def _menu(urlconf: str, prefix: str) -> tuple[tuple[str, str], ...]:
    """The menu's addresses, worked out once per URLconf and script prefix: every page shows them."""
    return tuple((text, reverse(name, urlconf=urlconf)) for text, name in MENU)


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    path = request.path
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    navigation = [{"text": text, "href": href} for text, href in _menu(urlconf, get_script_prefix())]
    if user is not None and user_can(user, Capability.READ_AUDIT_LOG):
        navigation.append({"text": "Audit log", "href": reverse("audit:log")})
    if user is not None and user_can(user, Capability.VERIFY_RESIDENTS):
        navigation.append({"text": "People", "href": reverse("accounts:people")})
    if user is not None and user_can(user, Capability.RUN_PROCESSES):
        navigation.append({"text": "Notices", "href": reverse("notify:outbox")})
    for item in navigation:
        href = item["href"]
        item["current"] = path == href
        item["active"] = href != "/" and path.startswith(href)
    return {
        "service_name": settings.COMMONGROUND_SERVICE_NAME,
        "navigation": navigation,
        "map_tiles_url": settings.COMMONGROUND_MAP_TILES_URL,
        "map_tiles_attribution": settings.COMMONGROUND_MAP_TILES_ATTRIBUTION,
    }
