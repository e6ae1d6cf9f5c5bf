"""Site-wide pages: about, accessibility statement and a health check (the home page is the places app's)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

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
