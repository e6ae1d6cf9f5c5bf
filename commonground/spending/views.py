"""Spending pages: a place's spend map (public), imports (people acting for a body) and pooled budgets."""

from __future__ import annotations

import functools
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.accounts.permissions import public, requires
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.engine import spend_keys
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places import services as places
from commonground.places.models import AreaType
from commonground.publicbodies import services as bodies
from commonground.spending import pooled_budgets, services
from commonground.spending.forms import (
    ContributionForm,
    DecisionForm,
    ImportForm,
    ObserveForm,
    OutcomeForm,
    PoolForm,
    PreventionForm,
)
from commonground.spending.models import PooledBudget, PreventionItem, SpendImport


def _key(request: HttpRequest) -> str:
    key = request.GET.get("key", spend_keys.POPULATION)
    return key if key in spend_keys.KEYS else spend_keys.POPULATION


@public
def home(request: HttpRequest) -> HttpResponse:
    mine = bodies.bodies_for(request.user)
    imports = SpendImport.objects.select_related("body")[:50]
    councils = services.councils_with_spending()
    return render(request, "spending/home.html", {
        "imports": imports, "pools": PooledBudget.objects.select_related("lead"), "councils": councils,
        "may_import": bool(mine) or bool(bodies.choices_for(request.user)),
    })  # fmt: skip


@public
def place(request: HttpRequest, code: str) -> HttpResponse:
    area = places.find_area(code, request.GET.get("type") or None)
    if area is None or area.area_type.level not in (AreaType.Level.LOCAL_AUTHORITY, AreaType.Level.WARD,
                                                    AreaType.Level.LSOA):  # fmt: skip
        raise Http404("No district, ward or LSOA has that code")
    key = _key(request)
    council = area.area_type.level == AreaType.Level.LOCAL_AUTHORITY
    pools = pooled_budgets.pools_for_council(area.code) if council else []
    suffix = f"&type={area.area_type.code}" if request.GET.get("type") else ""
    return render(request, "spending/place.html", {
        "title": f"Public spending in {area.name}", "caption": area.area_type.name, "key": key,
        "data": services.place_spending(services.area_lsoas(area), key), "keys": spend_keys.KEYS.items(),
        "map_url": f"/spending/places/{area.code}/map.geojson?key={key}{suffix}",
        "back": (area.get_absolute_url(), area.name), "pools": pools,
    })  # fmt: skip


@public
def place_geojson(request: HttpRequest, code: str) -> JsonResponse:
    area = places.find_area(code, request.GET.get("type") or None)
    if area is None:
        raise Http404("No area has that code")
    return JsonResponse(services.spend_geojson(services.area_lsoas(area), _key(request)),
                        content_type="application/geo+json")  # fmt: skip


def _neighbourhood(slug: str):
    hood = services.neighbourhood_named(slug)
    if hood is None:
        raise Http404("No such neighbourhood")
    return hood


@public
def neighbourhood(request: HttpRequest, slug: str) -> HttpResponse:
    hood = _neighbourhood(slug)
    codes = [a.code for a in neighbourhoods.areas_of(hood)]
    key = _key(request)
    return render(
        request,
        "spending/place.html",
        {
            "title": f"Public spending in {hood.name}",
            "caption": "Neighbourhood",
            "key": key,
            "data": services.place_spending(codes, key),
            "keys": spend_keys.KEYS.items(),
            "map_url": f"/spending/neighbourhoods/{hood.slug}/map.geojson?key={key}",
            "back": (hood.get_absolute_url(), hood.name),
            "pools": pooled_budgets.pools_for_neighbourhood(hood.slug),
        },
    )


@public
def neighbourhood_geojson(request: HttpRequest, slug: str) -> JsonResponse:
    hood = _neighbourhood(slug)
    return JsonResponse(services.spend_geojson([a.code for a in neighbourhoods.areas_of(hood)], _key(request)),
                        content_type="application/geo+json")  # fmt: skip


@public
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(SpendImport.objects.select_related("body"), pk=pk)
    rows = {SpendImport.Kind.TRANSPARENCY: batch.payments, SpendImport.Kind.GRANTS: batch.grants,
            SpendImport.Kind.BUDGETS: batch.budgets}[batch.kind].all()  # fmt: skip
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "spending/import_detail.html", {"batch": batch, "page": page})


@requires(Capability.USE_ACCOUNT)
def import_file(request: HttpRequest) -> HttpResponse:
    """Import a file a body already publishes: spending over £500, 360Giving grants or service budgets."""
    choices = [(f"body:{b.slug}", b.name) for b in bodies.bodies_for(request.user)]
    choices += [c for c in bodies.choices_for(request.user) if c not in choices]
    if not choices:
        raise PermissionDenied("Only people acting for a public body import its spending.")
    form = ImportForm(request.POST or None, request.FILES or None, body_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        content = upload.read()
        name = Path(upload.name).name
        try:
            body = bodies.chosen(request.user, data["body"]) if data["body"] else None
            if data["kind"] == SpendImport.Kind.TRANSPARENCY:
                batch = services.import_transparency(request.user, body, name, content, data["source_url"])
            elif data["kind"] == SpendImport.Kind.GRANTS:
                batch = services.import_grants(request.user, name, content, body, data["source_url"])
            else:
                batch = services.import_budgets(request.user, name, content,
                                                may_act=lambda b: bodies.acts_for(request.user, b))  # fmt: skip
        except bodies.BodyError as exc:
            form.add_error("body", str(exc))
        except services.SpendError as exc:
            form.add_error("file", str(exc)[0].upper() + str(exc)[1:])
            for problem in exc.errors:
                form.add_error(None, problem[0].upper() + problem[1:])
        else:
            messages.success(
                request,
                f"Imported {batch.rows:,} rows from {batch.filename}"
                + (f"; {batch.redacted} payee names redacted" if batch.redacted else ""),
            )
            return redirect("spending:import", pk=batch.pk)
    return render(request, "spending/import.html", {"form": form})


# Pooled budgets -------------------------------------------------------------------------------


def scope_of_pool(request: HttpRequest, slug: str, **kwargs) -> Scope:
    return pooled_budgets.scope_of(get_object_or_404(PooledBudget, slug=slug))


def for_pool(view):
    """A partner's steps: signed in, in the pool's scope, and acting for one of its partners."""

    @functools.wraps(view)
    def checked(request: HttpRequest, slug: str, *args, **kwargs):
        pool = get_object_or_404(PooledBudget.objects.select_related("lead"), slug=slug)
        if not pooled_budgets.may_run(request.user, pool):
            raise PermissionDenied("Only people acting for a partner in this pooled budget can do this.")
        return view(request, pool, *args, **kwargs)

    return requires(Capability.USE_ACCOUNT, scope=scope_of_pool)(checked)


@public
def pool(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(PooledBudget.objects.select_related("lead"), slug=slug)
    return render(request, "spending/pool.html", {
        "pool": found, "summary": pooled_budgets.pool_summary(found), "outcomes": found.outcomes.all(),
        "decisions": found.decisions.all(), "may_run": pooled_budgets.may_run(request.user, found),
        "capacities": pooled_budgets.CAPACITIES,
    })  # fmt: skip


@requires(Capability.USE_ACCOUNT)
def pool_create(request: HttpRequest) -> HttpResponse:
    mine = bodies.bodies_for(request.user)
    if not mine:
        raise PermissionDenied("Only people acting for a public body set up a pooled budget.")
    form = PoolForm(request.POST or None, lead_choices=[(b.slug, b.name) for b in mine],
                    partner_choices=[(b.slug, b.name) for b in bodies.all_bodies()])  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lead = next(b for b in mine if b.slug == data["lead"])
        partners = bodies.by_slugs(data["partners"])
        try:
            created = pooled_budgets.create_pool(request.user, data["name"], lead, partners, data["start_year"],
                                                 data["end_year"], data["description"], data["community_decides"],
                                                 data["community_rule"], data["neighbourhoods"])  # fmt: skip
        except services.SpendError as exc:
            form.add_error(None, str(exc)[0].upper() + str(exc)[1:])
        else:
            messages.success(request, f"Set up {created.name}")
            return redirect(created)
    return render(request, "spending/form.html", {"form": form, "heading": "Set up a pooled budget",
                                                  "button": "Set up the pooled budget"})  # fmt: skip


def _pool_form(request, pool, form, heading: str, button: str, act, intro: str = ""):
    if request.method == "POST" and form.is_valid():
        try:
            message = act(form.cleaned_data)
        except services.SpendError as exc:
            form.add_error(None, str(exc)[0].upper() + str(exc)[1:])
        else:
            messages.success(request, message)
            return redirect(pool)
    return render(request, "spending/form.html", {"form": form, "heading": heading, "button": button, "pool": pool,
                                                  "intro": intro})  # fmt: skip


@for_pool
def contribution(request: HttpRequest, pool: PooledBudget) -> HttpResponse:
    partners = pooled_budgets.pool_bodies(pool)
    form = ContributionForm(request.POST or None, partners=partners)

    def act(data):
        body = next(b for b in partners if b.slug == data["body"])
        pooled_budgets.set_contribution(request.user, pool, body, data["year"], data["amount"])
        return "Contribution recorded"

    return _pool_form(request, pool, form, "Record a contribution", "Record the contribution", act)


@for_pool
def outcome(request: HttpRequest, pool: PooledBudget) -> HttpResponse:
    form = OutcomeForm(request.POST or None, measures=pooled_budgets.measure_choices())

    def act(data):
        pooled_budgets.add_outcome(request.user, pool, data["measure"], data["target"], data["baseline"])
        return "Shared outcome recorded"

    return _pool_form(
        request,
        pool,
        form,
        "Add a shared outcome",
        "Add the outcome",
        act,
        "Outcomes are measured with the wellbeing framework's measures, so they show on the dashboards.",
    )


@for_pool
def decision(request: HttpRequest, pool: PooledBudget) -> HttpResponse:
    form = DecisionForm(request.POST or None)

    def act(data):
        pooled_budgets.record_decision(request.user, pool, data["decided_on"], data["title"], data["decision"],
                                       data["deciders"], data["amount"])  # fmt: skip
        return "Decision recorded"

    intro = (f"The agreement says: {pool.community_rule}. Record the community members who decided."
             if pool.community_decides else "Record who took the decision and in what capacity.")  # fmt: skip
    return _pool_form(request, pool, form, "Record a decision about the pool", "Record the decision", act, intro)


@for_pool
def prevention(request: HttpRequest, pool: PooledBudget) -> HttpResponse:
    form = PreventionForm(request.POST or None, neighbourhoods=pool.neighbourhoods)

    def act(data):
        pooled_budgets.add_prevention(request.user, pool, data["title"], data["service"], data["year"],
                                      data["invested"], data["demand_measure"], data["baseline"],
                                      data["expected_change"], data["expected_saving"],
                                      data["neighbourhood"])  # fmt: skip
        return "Added to the prevention ledger"

    return _pool_form(request, pool, form, "Invest to save: add to the prevention ledger", "Add to the ledger", act,
                      "Money spent now to reduce demand later, with the change you expect. Record what you observe "
                      "when the figures come in.")  # fmt: skip


@for_pool
def observe(request: HttpRequest, pool: PooledBudget, pk: int) -> HttpResponse:
    item = get_object_or_404(PreventionItem, pk=pk, pool=pool)
    form = ObserveForm(request.POST or None)

    def act(data):
        pooled_budgets.observe_prevention(request.user, item, data["observed_on"], data["observed_change"],
                                          data["observed_saving"], data["evidence"])  # fmt: skip
        return "Observed change recorded"

    return _pool_form(
        request,
        pool,
        form,
        f"What happened: {item.title}",
        "Record what happened",
        act,
        f"Expected: {item.expected_change} {item.demand_measure} from a baseline of {item.baseline}.",
    )
