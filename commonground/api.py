"""The JSON API (OpenAPI at /api/openapi.json, explorer at /api/docs): each app owns its router;
this file only mounts them. Every operation carries `public` or `requires(...)` from
accounts.permissions, like every page.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI

from commonground import __version__
from commonground.accounts.api import router as accounts
from commonground.accounts.permissions import public
from commonground.assets.api import router as assets
from commonground.audit.api import router as audit
from commonground.ballots.api import router as ballots
from commonground.budgeting.api import router as budgeting
from commonground.contributions.api import router as contributions
from commonground.delivery.api import router as delivery
from commonground.fund.api import router as fund
from commonground.impact.api import router as impact
from commonground.neighbourhoods.api import router as neighbourhoods
from commonground.notify.api import router as notify
from commonground.outcomes.api import router as outcomes
from commonground.panels.api import router as panels
from commonground.places.api import router as places
from commonground.pots.api import router as pots
from commonground.procurement.api import router as procurement
from commonground.publicbodies.api import router as publicbodies
from commonground.spending.api import router as spending

api = NinjaAPI(
    docs_decorator=public,
    title="Common Ground API",
    version=__version__,
    description="Open data on neighbourhoods, funds and decisions. Figures carry their source and licence.",
    urls_namespace="api",
)
for router in (
    places,
    neighbourhoods,
    accounts,
    audit,
    fund,
    budgeting,
    panels,
    ballots,
    assets,
    contributions,
    pots,
    delivery,
    outcomes,
    notify,
    publicbodies,
    impact,
    spending,
    procurement,
):
    api.add_router("", router)


@api.get("/health", summary="Service status", tags=["service"])
@public
def health(request: HttpRequest) -> dict:
    return {"status": "ok", "version": __version__}


@public
def guide(request: HttpRequest) -> HttpResponse:
    """The plain guide to the API at /api-guide/: every operation from the live schema."""
    schema = api.get_openapi_schema()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": op.get("summary", ""),
            "description": op.get("description", ""),
        }
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    ]
    return render(request, "core/api_docs.html", {"operations": operations, "version": schema["info"]["version"]})
