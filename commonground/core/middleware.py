"""Requests whose address carries a NUL character name nothing that can exist (PostgreSQL text
cannot hold NUL), so they are answered "not found" before any view passes the value to the database."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse


class RejectNulCharacters:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
            message = "Not found: the address contains a NUL character."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=404)
            return HttpResponseNotFound(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
