"""Developer contributions pages: each council's agreements and money by year, and each neighbourhood CIL
zone's portion with the reasons, for anyone; the council's officers import files, watch spend-by dates
and make pots. The work is in services.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.contributions import services
from commonground.contributions.forms import ImportForm, ZoneForm
from commonground.contributions.models import Agreement, CilZone, Contribution
from commonground.contributions.services import ContributionsError
from commonground.engine import cil
from commonground.engine import contributions as standard
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places.models import Area
from commonground.pots import services as pots


def _council(code: str) -> Area:
    council = services.find_council(code)
    if council is None:
        raise Http404("No council has that code")
    return council


def scope_of_council(request: HttpRequest, code: str, **kwargs) -> Scope:
    """The council in the address: its officers import its files and watch its deadlines."""
    return services.council_scope(_council(code))


def scope_of_zone(request: HttpRequest, pk: int, **kwargs) -> Scope:
    return services.zone_scope(get_object_or_404(CilZone.objects.select_related("council", "neighbourhood"), pk=pk))


@public
def council_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "contributions/list.html",
        {"councils": services.councils(), "zones": CilZone.objects.select_related("council", "neighbourhood")},
    )


@public
def council_detail(request: HttpRequest, code: str) -> HttpResponse:
    council = _council(code)
    agreements = Agreement.objects.filter(council=council).prefetch_related("contributions")
    return render(
        request,
        "contributions/council.html",
        {
            "council": council,
            "agreements": agreements,
            "years": services.year_totals(council),
            "zones": CilZone.objects.filter(council=council),
            "is_officer": user_can(request.user, Capability.RUN_PROCESSES, services.council_scope(council)),
            "last_import": council and agreements.exists() and agreements.first().last_import,
        },
    )


@public
def agreement_detail(request: HttpRequest, code: str, reference: str) -> HttpResponse:
    council = _council(code)
    agreement = get_object_or_404(Agreement, council=council, reference=reference)
    today = timezone.localdate()
    rows = []
    for c in agreement.contributions.prefetch_related("transactions"):
        left = services.unspent_pence(c)
        clock = standard.clock(c.spend_by, today, left) if c.spend_by else None
        rows.append({"contribution": c, "unspent": left, "clock": clock, "transactions": c.transactions.all()})
    return render(
        request,
        "contributions/agreement.html",
        {
            "council": council,
            "agreement": agreement,
            "rows": rows,
            "is_officer": user_can(request.user, Capability.RUN_PROCESSES, services.council_scope(council)),
        },
    )


def _page(request, form, heading: str, button: str, back: str, caption: str = "", intro=(), multipart=False):
    return render(
        request,
        "contributions/form.html",
        {
            "form": form,
            "heading": heading,
            "button": button,
            "back": back,
            "caption": caption,
            "intro": intro,
            "multipart": multipart,
        },
    )


@requires(Capability.RUN_PROCESSES, scope=scope_of_council)
def import_files(request: HttpRequest, code: str) -> HttpResponse:
    council = _council(code)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        files = {k: (form.cleaned_data[k].name, form.cleaned_data[k].read()) for k in ImportForm.base_fields}
        try:
            done = services.import_files(request.user, council, **files)
        except ContributionsError as exc:
            problems = exc.errors
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            c = done.counts
            messages.success(
                request,
                f"Imported: {c.get('agreements_added', 0)} agreements added and {c.get('agreements_updated', 0)} "
                f"updated, {c.get('contributions_added', 0)} contributions added, {c.get('transactions_added', 0)} "
                f"transactions added.",
            )
            return redirect("contributions:council", code=council.code)
    intro = [
        "Upload the three files your council publishes with its Infrastructure Funding Statement, in the "
        "national data standard (planning.data.gov.uk's developer contributions). Rows with the same "
        "reference as before are updated. If any row has a mistake, nothing is stored and every mistake is "
        "listed with its file, line and field."
    ]
    return render(
        request,
        "contributions/form.html",
        {
            "form": form,
            "heading": "Import developer contributions",
            "caption": council.name,
            "button": "Import the files",
            "back": f"/contributions/{council.code}/",
            "intro": intro,
            "multipart": True,
            "problems": problems,
        },
    )


@requires(Capability.RUN_PROCESSES, scope=scope_of_council)
def deadlines(request: HttpRequest, code: str) -> HttpResponse:
    """The officer's list: Section 106 money with spend-by dates, soonest first, and reminders due."""
    council = _council(code)
    today = timezone.localdate()
    return render(
        request,
        "contributions/deadlines.html",
        {
            "council": council,
            "rows": services.clocks(council, today),
            "due": services.due_reminders(today, council),
            "today": today,
        },
    )


@require_POST
@requires(Capability.RUN_PROCESSES, scope=scope_of_council)
def reminders_sent(request: HttpRequest, code: str) -> HttpResponse:
    council = _council(code)
    marked = services.mark_sent(request.user, services.due_reminders(timezone.localdate(), council))
    messages.success(request, f"{marked} reminder{'s' if marked != 1 else ''} marked as sent")
    return redirect("contributions:deadlines", code=council.code)


@requires(Capability.RUN_PROCESSES, scope=scope_of_council)
def zone_create(request: HttpRequest, code: str) -> HttpResponse:
    council = _council(code)
    form = ZoneForm(request.POST or None, neighbourhoods=neighbourhoods.names())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        neighbourhood = neighbourhoods.find(data["neighbourhood"]) if data["neighbourhood"] else None
        try:
            zone = services.create_zone(
                request.user,
                council,
                name=data["name"],
                wards=data["wards"],
                neighbourhood=neighbourhood,
                local_council=data["local_council"] == "yes",
                local_council_name=data["local_council_name"],
                dwellings=data["dwellings"],
                plan_made_on=data["plan_made_on"],
                index_factor=data["index_factor"],
                cap_year=data["cap_year"],
                local_rate_percent=data["local_rate_percent"],
            )
        except ContributionsError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, f"Zone set up: {zone.name}")
            return redirect("contributions:zone", pk=zone.pk)
    intro = [
        "A zone is where the neighbourhood portion of CIL is worked out: the CIL received from development "
        "in its wards, and the rules for the place (a parish or town council, a neighbourhood plan)."
    ]
    return _page(
        request,
        form,
        "Set up a neighbourhood CIL zone",
        "Set up the zone",
        f"/contributions/{council.code}/",
        caption=council.name,
        intro=intro,
    )


@public
def zone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    zone = get_object_or_404(CilZone.objects.select_related("council", "neighbourhood"), pk=pk)
    error = None
    try:
        found = services.portion(zone)
    except ContributionsError as exc:
        found, error = None, str(exc)
    years = [(y, pots.by_origin(services.pot_key_for_zone(zone, y.year))) for y in (found.years if found else [])]
    return render(
        request,
        "contributions/zone.html",
        {
            "zone": zone,
            "portion": found,
            "error": error,
            "receipts": services.receipts(zone),
            "years": years,
            "is_officer": user_can(request.user, Capability.RUN_PROCESSES, services.zone_scope(zone)),
        },
    )


@require_POST
@requires(Capability.RUN_PROCESSES, scope=scope_of_zone)
def zone_pot(request: HttpRequest, pk: int) -> HttpResponse:
    zone = get_object_or_404(CilZone.objects.select_related("council", "neighbourhood"), pk=pk)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, "Choose the financial year to make a pot from")
        return redirect("contributions:zone", pk=zone.pk)
    try:
        pot = services.pot_from_zone(request.user, zone, year)
    except ContributionsError as exc:
        messages.error(request, str(exc))
        return redirect("contributions:zone", pk=zone.pk)
    messages.success(request, f"Pot made: {pot.name}, {cil.money(pot.amount_pence)}")
    return redirect("pots:detail", slug=pot.slug)


@require_POST
@requires(Capability.RUN_PROCESSES, scope=scope_of_council)
def contribution_pot(request: HttpRequest, code: str, reference: str) -> HttpResponse:
    council = _council(code)
    contribution = get_object_or_404(
        Contribution.objects.select_related("agreement"), council=council, reference=reference
    )
    try:
        pot = services.pot_from_contribution(request.user, contribution)
    except ContributionsError as exc:
        messages.error(request, str(exc))
        return redirect("contributions:agreement", code=council.code, reference=contribution.agreement.reference)
    messages.success(request, f"Pot made: {pot.name}")
    return redirect("pots:detail", slug=pot.slug)
