"""Pages of high street rental auctions (LURA 2023 Part 10): designated high streets and letting cases."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.assets import auctions, services
from commonground.assets.forms import (
    DesignationStepForm,
    HighStreetForm,
    LettingForm,
    LettingStepForm,
    OccupationForm,
)
from commonground.assets.models import (
    Asset,
    Council,
    HighStreet,
    Letting,
    Title,
)
from commonground.engine import rental_auctions as hsra
from commonground.engine.high_street_vacancy import vacancy_condition
from commonground.engine.rental_auctions import DesignationStatus, LettingStatus


def scope_of_high_street(request: HttpRequest, pk: int, **kwargs) -> Scope | None:
    return auctions.high_street_scope(get_object_or_404(HighStreet.objects.select_related("council__area"), pk=pk))


def scope_of_letting(request: HttpRequest, pk: int, **kwargs) -> Scope | None:
    return auctions.letting_scope(get_object_or_404(Letting.objects.select_related("council__area"), pk=pk))


def _councils_for(user) -> list[Council]:
    return [c for c in Council.objects.select_related("area")
            if user_can(user, Capability.RUN_PROCESSES, services.council_scope(c))]  # fmt: skip


def _step_page(request: HttpRequest, form, act, heading: str, intro: str, back: str, back_label: str) -> HttpResponse:
    """A step's form: a valid POST records it through `act`, which returns the message (an AssetError is shown on
    the form instead), then goes back."""
    if request.method == "POST" and form.is_valid():
        try:
            message = act(form.cleaned_data)
        except services.AssetError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, message)
            return redirect(back)
    return render(request, "assets/form.html", {"form": form, "heading": heading, "button": "Record", "intro": intro,
                                                "back": back, "back_label": back_label})  # fmt: skip


@public
def high_streets(request: HttpRequest) -> HttpResponse:
    """The public list of designated high streets and town centres (LURA 2023 s.191(5))."""
    council = request.GET.get("council", "")
    return render(request, "assets/high_streets.html", {
        "rows": auctions.designations(council), "councils": Council.objects.all(), "council": council,
        "can_run": user_can(request.user, Capability.RUN_PROCESSES),
    })  # fmt: skip


@requires(Capability.RUN_PROCESSES)
def high_street_new(request: HttpRequest) -> HttpResponse:
    form = HighStreetForm(request.POST or None)
    form.fields["council"].queryset = Council.objects.filter(pk__in=[c.pk for c in _councils_for(request.user)])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            street = auctions.start_designation(
                request.user,
                council=data["council"],
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
                on=data["on"],
            )
        except services.AssetError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Community engagement recorded: designate after at least 28 days")
            return redirect("assets:high-street", pk=street.pk)
    return render(request, "assets/form.html", {
        "form": form, "heading": "Designate a high street or town centre", "button": "Start engagement",
        "intro": "A street important to the local economy because of a concentration of high-street uses, or a town "
        "centre (LURA 2023 s.191). Engage the community for at least 28 days first (SI 2024/1139).",
        "back": reverse("assets:high-streets"), "back_label": "Designated high streets",
    })  # fmt: skip


@public
def high_street_detail(request: HttpRequest, pk: int) -> HttpResponse:
    street = get_object_or_404(HighStreet.objects.select_related("council"), pk=pk)
    designation = auctions.designation_of(street)
    return render(request, "assets/high_street_detail.html", {
        "street": street, "designation": designation, "events": street.events.all(),
        "periods": designation.periods(), "lettings": street.lettings.all(),
        "can_run": user_can(request.user, Capability.RUN_PROCESSES, auctions.high_street_scope(street)),
    })  # fmt: skip


@requires(Capability.RUN_PROCESSES, scope=scope_of_high_street)
def high_street_step(request: HttpRequest, pk: int) -> HttpResponse:
    street = get_object_or_404(HighStreet, pk=pk)

    def act(data):
        auctions.designation_step(request.user, street, data["action"], data["on"], data["reasons"])
        return "Recorded"

    return _step_page(request, DesignationStepForm(request.POST or None), act, f"{street.name}: record a step",
                      "Designate once the engagement has run at least 28 days; a designation may be varied or "
                      "withdrawn at any time (LURA 2023 s.191(4)).", reverse("assets:high-street", args=[street.pk]),
                      street.name)  # fmt: skip


@public
def lettings(request: HttpRequest) -> HttpResponse:
    """The public register of rental auction cases (letting notices are local land charges, s.214(7))."""
    council, status = request.GET.get("council", ""), request.GET.get("status", "")
    page = Paginator(auctions.lettings(council, status), 50).get_page(request.GET.get("page"))
    return render(request, "assets/lettings.html", {
        "page": page, "councils": Council.objects.all(), "council": council, "status": status,
        "statuses": [(s.value, s.label) for s in LettingStatus], "filters": request.GET.urlencode(),
        "can_run": user_can(request.user, Capability.RUN_PROCESSES),
    })  # fmt: skip


@requires(Capability.RUN_PROCESSES)
def letting_candidates(request: HttpRequest) -> HttpResponse:
    """Premises long enough empty to meet the vacancy condition: from assets' recorded vacancy and the
    ownership register's Vacant Since dates."""
    mine = {c.pk for c in _councils_for(request.user)}
    return render(request, "assets/candidates.html", {"candidates": auctions.candidates(councils=mine),
                                                      "today": services.today()})  # fmt: skip


@requires(Capability.RUN_PROCESSES)
def letting_new(request: HttpRequest) -> HttpResponse:
    streets = HighStreet.objects.filter(
        council__in=_councils_for(request.user), status=DesignationStatus.DESIGNATED
    ).select_related("council")
    initial = {}
    asset = None
    if request.GET.get("asset", "").isdigit():
        asset = get_object_or_404(Asset, pk=int(request.GET["asset"]))
        initial = {"address": asset.address, "postcode": asset.postcode, "title_number": asset.title_number,
                   "landlord_name": asset.owner_name, "vacant_since": asset.vacant_since}  # fmt: skip
    elif request.GET.get("title"):
        title = get_object_or_404(Title, title_number=request.GET["title"])
        owner = title.proprietors.first()
        initial = {"address": title.property_address, "postcode": title.postcode, "title_number": title.title_number,
                   "landlord_name": owner.name if owner else "", "vacant_since": title.vacant_since}  # fmt: skip
    form = LettingForm(request.POST or None, initial=initial, high_streets=streets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        street = data["high_street"]
        if not user_can(request.user, Capability.RUN_PROCESSES, auctions.high_street_scope(street)):
            raise PermissionDenied("This high street belongs to another council.")
        if asset is not None and asset.council_id != street.council_id:
            form.add_error("high_street", "Choose a high street of the asset's own council")
        else:
            letting = auctions.open_letting(
                request.user, high_street=street, address=data["address"], postcode=data["postcode"],
                title_number=data["title_number"], landlord_name=data["landlord_name"],
                landlord_email=data["landlord_email"], asset=asset, vacant_since=data["vacant_since"],
            )  # fmt: skip
            messages.success(request, "Premises recorded: record its occupation, then serve the initial letting notice")
            return redirect("assets:letting", pk=letting.pk)
    return render(request, "assets/form.html", {
        "form": form, "heading": "Record long-vacant premises", "button": "Record the premises",
        "intro": "Premises on a designated high street or in a designated town centre, suitable for a high-street use "
        "(LURA 2023 s.192). The landlord's name and email are shown to the council's officers only.",
        "back": reverse("assets:candidates"), "back_label": "Candidates",
    })  # fmt: skip


@public
def letting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letting = get_object_or_404(Letting.objects.select_related("council", "high_street", "asset"), pk=pk)
    today = services.today()
    case = auctions.case_of(letting, today)
    can_run = user_can(request.user, Capability.RUN_PROCESSES, auctions.letting_scope(letting))
    return render(request, "assets/letting_detail.html", {
        "letting": letting, "case": case, "today": today, "periods": case.periods(),
        "running": case.running(today), "events": letting.events.all(), "can_run": can_run,
        "occupations": letting.occupations.all(),
        "vacancy": vacancy_condition(auctions.occupation_of(letting), today),
        "grounds": [(n, hsra.APPEAL_GROUNDS[n]) for n in case.grounds],
    })  # fmt: skip


@requires(Capability.RUN_PROCESSES, scope=scope_of_letting)
def letting_step(request: HttpRequest, pk: int) -> HttpResponse:
    letting = get_object_or_404(Letting, pk=pk)

    def act(data):
        warning = auctions.letting_step(
            request.user, letting, data["action"], data["on"], data["reasons"], use=data["use"],
            local_benefit=data["local_benefit"], warehouse=data["warehouse"], grounds=data["grounds"],
            years=data["years"] or 0, months=data["months"] or 0,
        )  # fmt: skip
        return f"Recorded{': ' + warning if warning else ''}"

    return _step_page(request, LettingStepForm(request.POST or None), act, f"{letting.address}: record a step",
                      "The council's notices, the landlord's counter-notice and appeal, the auction and the tenancy "
                      "(LURA 2023 Part 10; SI 2024/1139). The vacancy condition is checked from the recorded "
                      "occupation on the day the initial letting notice takes effect.",
                      reverse("assets:letting", args=[letting.pk]), letting.address)  # fmt: skip


@requires(Capability.RUN_PROCESSES, scope=scope_of_letting)
def letting_occupation(request: HttpRequest, pk: int) -> HttpResponse:
    letting = get_object_or_404(Letting, pk=pk)

    def act(data):
        auctions.add_occupation(request.user, letting, data["occupied_from"], data["occupied_to"], data["note"])
        return "Occupation recorded"

    return _step_page(request, OccupationForm(request.POST or None), act, f"{letting.address}: record occupation",
                      "Occupation must be substantial and sustained; a trespasser, or someone living in premises not "
                      "designed or adapted for living in, does not count.",
                      reverse("assets:letting", args=[letting.pk]), letting.address)  # fmt: skip
