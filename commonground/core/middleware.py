"""Site-wide request and response rules: addresses with NUL characters, and the Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse


class RejectNulCharacters:
    """Requests whose address carries a NUL character name nothing that can exist (PostgreSQL text cannot
    hold NUL), so they are answered "not found" before any view passes the value to the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
            message = "Not found: the address contains a NUL character."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=404)
            return HttpResponseNotFound(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class ContentSecurityPolicy:
    """No inline script or style and nothing from elsewhere, so injected markup cannot run (issue 19). The
    API explorer (django-ninja's Swagger UI page) and the Django admin ship inline scripts: they get a
    policy that allows those and nothing more."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        from django.conf import settings

        self.get_response = get_response
        tiles = settings.COMMONGROUND_MAP_TILES_URL
        tile_host = "" if not tiles else " " + "/".join(tiles.split("/")[:3]).replace("{s}.", "*.")
        common = ("default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                  f"frame-ancestors 'none'; img-src 'self' data:{tile_host}; connect-src 'self'")  # fmt: skip
        self.strict = f"{common}; script-src 'self'; style-src 'self'"
        self.relaxed = f"{common}; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        relaxed = request.path.startswith(("/api/docs", "/admin/"))
        response.headers.setdefault("Content-Security-Policy", self.relaxed if relaxed else self.strict)
        return response
