"""Pot pages: every pot, its restrictions and its ledger for anyone; officers of the council (or
neighbourhood) it belongs to make pots, allocate from them and record payments and returns. The work is
in services.py."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places import services as places
from commonground.places.models import AreaType
from commonground.pots import services
from commonground.pots.forms import AllocationForm, MoneyForm, PotForm
from commonground.pots.models import Allocation, Pot
from commonground.pots.services import PotError


def scope_of_pot(request: HttpRequest, slug: str, **kwargs) -> Scope | None:
    """Where the pot in the address lives: its council and neighbourhood."""
    return services.scope_of(get_object_or_404(Pot.objects.select_related("council", "neighbourhood"), slug=slug))


def _pot(slug: str) -> Pot:
    return get_object_or_404(Pot.objects.select_related("council", "neighbourhood"), slug=slug)


@public
def pot_list(request: HttpRequest) -> HttpResponse:
    pots = [(pot, services.balance(pot)) for pot in Pot.objects.select_related("council", "neighbourhood")]
    return render(
        request,
        "pots/list.html",
        {"pots": pots, "can_create": user_can(request.user, Capability.RUN_PROCESSES)},
    )


@public
def pot_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pot = _pot(slug)
    allocations = [(a, *services.allocation_balance(a)) for a in pot.allocations.all()]
    return render(
        request,
        "pots/detail.html",
        {
            "pot": pot,
            "balance": services.balance(pot),
            "allocations": allocations,
            "reservations": [(r, services.outstanding(r)) for r in pot.reservations.all()],
            "entries": pot.entries.select_related("allocation", "reservation"),
            "can_run": user_can(request.user, Capability.RUN_PROCESSES, services.scope_of(pot)),
        },
    )


def _page(request, form, heading: str, button: str, back: str, caption: str = "", intro=()) -> HttpResponse:
    context = {"form": form, "heading": heading, "button": button, "back": back, "caption": caption, "intro": intro}
    return render(request, "govuk/simple_form.html", context)


@requires(Capability.RUN_PROCESSES)
def pot_create(request: HttpRequest) -> HttpResponse:
    """A pot for a council (and a neighbourhood), by an officer who holds the role there."""
    form = PotForm(request.POST or None, neighbourhoods=neighbourhoods.names())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        council = places.find_area(data["council_code"])
        if council is None or council.area_type.level != AreaType.Level.LOCAL_AUTHORITY:
            form.add_error(
                "council_code", f"{data['council_code'].strip().upper()} is not a council's code that is loaded"
            )
        neighbourhood = neighbourhoods.find(data["neighbourhood"]) if data["neighbourhood"] else None
        if not form.errors:
            where = Scope.of([council.code], [neighbourhood.slug] if neighbourhood else [])
            if not user_can(request.user, Capability.RUN_PROCESSES, where):
                raise PermissionDenied("You run processes for another council or neighbourhood, not this one.")
            try:
                pot = services.create_pot(
                    request.user, name=data["name"], source=data["source"], amount_pence=data["amount"],
                    council=council, neighbourhood=neighbourhood, may_pay_for=data["may_pay_for"],
                    spend_by=data["spend_by"], funder_name=data["funder_name"],
                )  # fmt: skip
            except PotError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, f"Pot made: {pot.name}")
                return redirect("pots:detail", slug=pot.slug)
    intro = ["A pot is money a neighbourhood or council may decide on. Everything in it is public."]
    return _page(request, form, "Make a pot", "Make the pot", "/pots/", intro=intro)


@requires(Capability.RUN_PROCESSES, scope=scope_of_pot)
def allocate(request: HttpRequest, slug: str) -> HttpResponse:
    pot = _pot(slug)
    form = AllocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.allocate(
                request.user, pot.pk, title=data["title"], recipient_name=data["recipient_name"],
                amount_pence=data["amount"], ward_code=data["ward_code"], on=data["decided_on"], note=data["note"],
            )  # fmt: skip
        except PotError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, f"Allocated from {pot.name}")
            return redirect("pots:detail", slug=pot.slug)
    left = services.balance(pot).available
    return _page(request, form, "Allocate money", "Allocate", pot.get_absolute_url(), caption=pot.name,
                 intro=[f"{services.money(left)} is left to allocate."])  # fmt: skip


@requires(Capability.RUN_PROCESSES, scope=scope_of_pot)
def record_money(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pot = _pot(slug)
    allocation = get_object_or_404(Allocation, pk=pk, pot=pot)
    form = MoneyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_money(request.user, allocation.pk, data["kind"], data["amount"], data["on"], data["note"])
        except PotError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, f"Recorded for {allocation.title}")
            return redirect("pots:detail", slug=pot.slug)
    amount, paid = services.allocation_balance(allocation)
    return _page(request, form, "Record a payment or return", "Record it", pot.get_absolute_url(),
                 caption=f"{pot.name}: {allocation.title}",
                 intro=[f"Allocated {services.money(amount)}, paid {services.money(paid)}."])  # fmt: skip


def _json(data: dict, filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@public
def pot_360giving(request: HttpRequest, slug: str) -> HttpResponse:
    pot = _pot(slug)
    try:
        data = services.package(Pot.objects.filter(pk=pot.pk), request.build_absolute_uri("/").rstrip("/"),
                                 title=f"Grants from {pot.name}")  # fmt: skip
    except PotError as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    return _json(data, f"{pot.slug}-360giving.json")


@public
def all_360giving(request: HttpRequest) -> HttpResponse:
    try:
        data = services.package(base_url=request.build_absolute_uri("/").rstrip("/"))
    except PotError as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    return _json(data, "pots-360giving.json")
