"""The voting benchmark's URLconf (see floor_settings.py): every page of Common Ground, plus `/bench-floor/`,
a bare view that inserts one row per request. Its rate on the same gunicorn, middleware and PostgreSQL is the
floor that benchmarks/voting.py compares ballots with."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

FLOOR_TABLE = "bench_floor"  # made by voting.py's setup step


@csrf_exempt
def floor(request):
    """One INSERT and a tiny response: what any write over this stack costs at least."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FLOOR_TABLE} (at) VALUES (now())")  # noqa: S608  (a constant)
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench-floor/", floor), path("", include("commonground.urls"))]
