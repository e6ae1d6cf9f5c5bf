"""Site-wide pages: about, accessibility statement and a health check (the home page is the places app's)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import get_script_prefix

from commonground import __version__
from commonground.accounts.permissions import public


@public
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@public
def health(request: HttpRequest) -> JsonResponse:
    """Load balancers poll this: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "version": __version__, "database": connection.vendor})
    except Exception as exc:  # noqa: BLE001  (any database failure means unhealthy)
        return JsonResponse({"status": "error", "detail": str(exc).splitlines()[0]}, status=503)


class HttpResponseMovedForAllMethods(HttpResponsePermanentRedirect):
    """308: like 301, but a browser repeats a POST as a POST at the new address."""

    status_code = 308


def moved(new_prefix: str):
    """A view that sends every address under an old prefix to the same place under its new one.

    Pages and API paths renamed to the capability's one name (`pb/` became `budgeting/`) keep old
    links, bookmarks and scripts working: GET and HEAD get a 301, other methods a 308.
    """

    @public
    def view(request: HttpRequest, rest: str = "") -> HttpResponse:
        target = f"{get_script_prefix()}{new_prefix}{rest}"
        if request.META.get("QUERY_STRING"):
            target += "?" + request.META["QUERY_STRING"]
        if request.method in ("GET", "HEAD"):
            return HttpResponsePermanentRedirect(target)
        return HttpResponseMovedForAllMethods(target)

    return view
