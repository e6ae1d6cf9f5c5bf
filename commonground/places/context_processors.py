"""Whether the demo data is on show, for the banner every page carries."""

from __future__ import annotations

from django.http import HttpRequest

from commonground.places.services import demo_data_loaded


def demo(request: HttpRequest) -> dict:
    known = getattr(request, "showing_demo_data", None)  # put there by services.demo_data_known
    return {"showing_demo_data": demo_data_loaded() if known is None else known}
