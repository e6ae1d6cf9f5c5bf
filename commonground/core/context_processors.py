"""Values every page needs: the service name, navigation and map settings."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    path = request.path
    navigation = [
        {"text": "Home", "href": reverse("home")},
        {"text": "Places", "href": reverse("places:area-list")},
        {"text": "Neighbourhoods", "href": reverse("neighbourhoods:list")},
        {"text": "Funds", "href": reverse("fund:list")},
        {"text": "Budgeting", "href": reverse("budgeting:list")},
        {"text": "Money", "href": reverse("pots:list")},
        {"text": "Community assets", "href": reverse("assets:register")},
        {"text": "Ballots", "href": reverse("ballots:list")},
        {"text": "Panels", "href": reverse("panels:list")},
        {"text": "Outcomes", "href": reverse("outcomes:nation")},
        {"text": "Public services", "href": reverse("impact:register")},
        {"text": "Open API", "href": reverse("api-guide")},
    ]
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
