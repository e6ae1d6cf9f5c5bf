"""Whether the demo data is on show, for the banner every page carries."""

from __future__ import annotations

from django.http import HttpRequest

from commonground.places.services import demo_data_loaded


def demo(request: HttpRequest) -> dict:
    return {"showing_demo_data": demo_data_loaded()}
