"""Neighbourhood pages: the list, the hub of one neighbourhood, and making one (its board's pages are in
board_views.py, its plan's in plan_views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.neighbourhoods import hub, services, verification
from commonground.neighbourhoods.forms import NeighbourhoodForm
from commonground.neighbourhoods.models import Neighbourhood
from commonground.places import services as places


@public
def neighbourhood_list(request: HttpRequest) -> HttpResponse:
    neighbourhoods = Neighbourhood.objects.prefetch_related("councils")
    can_create = user_can(request.user, Capability.RUN_PROCESSES)
    return render(request, "neighbourhoods/list.html", {"neighbourhoods": neighbourhoods, "can_create": can_create})


def can_run(request: HttpRequest, neighbourhood: Neighbourhood) -> bool:
    """Whether this person edits the neighbourhood's board, meetings and plan (and so sees their drafts)."""
    return user_can(request.user, Capability.RUN_NEIGHBOURHOOD, services.scope_of(neighbourhood))


@public
def neighbourhood_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The neighbourhood's hub: its profile and map, money, plan, decisions, assets, delivery, outcomes, board and
    upcoming dates. Everything on it is public; officers and the board also see links to act."""
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    context = {"neighbourhood": neighbourhood, **hub.gather(neighbourhood), "can_run": can_run(request, neighbourhood)}
    if verification.can_verify(request.user, neighbourhood):
        context["verification_waiting"] = verification.queue(request.user, neighbourhood).count()
    if request.user.is_authenticated:
        context["verified"] = verification.is_verified(request.user, neighbourhood)
        context["asked"] = verification.waiting_for(request.user, neighbourhood)
    return render(request, "neighbourhoods/detail.html", context)


@requires(Capability.RUN_PROCESSES)
def neighbourhood_create(request: HttpRequest) -> HttpResponse:
    """Officers make neighbourhoods in their own council (the LSOAs' councils decide whose they are)."""
    initial = {"ward": request.GET.get("ward", ""), "name": request.GET.get("name", "")}
    form = NeighbourhoodForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["ward"]:
                codes, drawn_from = services.lsoa_codes_of_ward(data["ward"])
            else:
                codes, drawn_from = data["codes"], "a list of LSOAs"
            _, areas = places.lsoas(codes)
        except (services.NeighbourhoodError, LookupError) as exc:
            form.add_error("ward" if data["ward"] else "lsoas", str(exc))
        else:
            councils = [c.code for c in places.councils_of(areas)]
            if not user_can(request.user, Capability.RUN_PROCESSES, Scope.of(councils)):
                raise PermissionDenied("These LSOAs are in a council you do not work for.")
            neighbourhood = services.create(request.user, data["name"], codes, data["kind"], drawn_from,
                                            data["description"])  # fmt: skip
            messages.success(request, f"Created {neighbourhood.name}")
            return redirect(neighbourhood)
    return render(request, "neighbourhoods/create.html", {"form": form})


def scope_of_slug(request: HttpRequest, slug: str, **kwargs) -> Scope:
    """Where the neighbourhood named in the address lives (404 when there is none)."""
    return services.scope_of(get_object_or_404(Neighbourhood, slug=slug))
