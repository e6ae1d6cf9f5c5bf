"""Register pages (public), nominating and asking to bid (community organisers), decisions and the
owner's steps (council officers, who may record an owner's notice on the owner's behalf). Thin:
the rules are in the engine and the changes in services.py."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.assets import council_settings, ownership, planning_data, public_register, services
from commonground.assets.forms import (
    BidDateForm,
    BidRequestForm,
    BuyoutForm,
    CouncilForm,
    DecisionForm,
    DisposalNoticeForm,
    NominationForm,
    OwnershipImportForm,
    PriceForm,
    RulesetForm,
    SaleForm,
    StepForm,
    VacancyForm,
)
from commonground.assets.models import (
    Asset,
    BuyoutApplication,
    Council,
    Evidence,
    Nomination,
    Title,
)
from commonground.engine import clocks
from commonground.engine.asset_status import Status
from commonground.engine.right_to_buy import pounds

# --- where the object in the address lives (its council's local authority area), for `requires` ----------


def scope_of_asset(request: HttpRequest, pk: int, **kwargs) -> Scope | None:
    return services.asset_scope(get_object_or_404(Asset.objects.select_related("council__area"), pk=pk))


def scope_of_evidence(request: HttpRequest, pk: int, **kwargs) -> Scope | None:
    item = get_object_or_404(Evidence.objects.select_related("nomination__asset__council__area"), pk=pk)
    return services.asset_scope(item.nomination.asset)


def site_wide(request: HttpRequest, pk: int, **kwargs) -> Scope | None:
    """A council's own settings decide who runs its cases: only site-wide roles may change them."""
    get_object_or_404(Council, pk=pk)
    return None


@public
def register(request: HttpRequest) -> HttpResponse:
    council = request.GET.get("council", "")
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:100]
    assets = public_register.register(council, status, query)
    page = Paginator(assets, 50).get_page(request.GET.get("page"))
    filters = request.GET.urlencode()
    return render(
        request,
        "assets/register.html",
        {
            "page": page,
            "councils": Council.objects.all(),
            "statuses": [(s.value, s.label) for s in Status],
            "council": council,
            "status": status,
            "query": query,
            "filters": filters,
            "can_nominate": user_can(request.user, Capability.ORGANISE_GROUP),
            "can_run": user_can(request.user, Capability.RUN_PROCESSES),
        },
    )


def _filtered(request: HttpRequest):
    return public_register.register(
        request.GET.get("council", ""), request.GET.get("status", ""), request.GET.get("q", "").strip()[:100]
    )


@public
def register_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(public_register.register_csv(_filtered(request), services.today()), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="assets-of-community-value.csv"'
    return response


@public
def register_geojson(request: HttpRequest) -> HttpResponse:
    data = public_register.register_geojson(_filtered(request), services.today())
    return HttpResponse(public_register.dumps_geojson(data), content_type="application/geo+json")


@public
def unsuccessful(request: HttpRequest) -> HttpResponse:
    """The list of land nominated unsuccessfully, with the reasons (Localism Act 2011 s.93)."""
    nominations = Nomination.objects.filter(outcome=Nomination.Outcome.NOT_LISTED).select_related("asset__council")
    council = request.GET.get("council", "")
    if council:
        nominations = nominations.filter(asset__council__slug=council)
    return render(
        request,
        "assets/unsuccessful.html",
        {"nominations": nominations, "councils": Council.objects.all(), "council": council},
    )


@public
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_object_or_404(Asset.objects.select_related("council"), pk=pk)
    today = services.today()
    case = services.case_of(asset, today)
    services.refresh_status(asset, case)
    scope = services.asset_scope(asset)
    can_run = user_can(request.user, Capability.RUN_PROCESSES, scope)
    title = Title.objects.filter(title_number=asset.title_number).prefetch_related("proprietors").first()
    rules = clocks.ruleset(asset.ruleset)
    return render(
        request,
        "assets/asset_detail.html",
        {
            "asset": asset,
            "case": case,
            "today": today,
            "rules": rules,
            "in_force": clocks.in_force_note(rules),
            "price": (pounds(case.price()[0]), case.price()[1]) if case.price() else None,
            "clocks": public_register.clock_lines(case, today),
            "periods": case.periods(),
            "events": asset.events.all(),
            "title": title,
            "row": public_register.register_row(asset, today),
            "long_vacant": public_register.long_vacant(asset, today),
            "nominations": asset.nominations.all(),
            "bid_requests": asset.bid_requests.all(),
            "sales": asset.sales.all(),
            "notices": services.notices(asset)[:50] if can_run else None,
            "can_run": can_run,
            "can_bid": user_can(request.user, Capability.ORGANISE_GROUP, scope)
            and case.status in (Status.INTERIM_MORATORIUM, Status.FULL_MORATORIUM),
            "lettings": asset.lettings.all() if can_run else (),
            "status": case.status,
        },
    )


@requires(Capability.ORGANISE_GROUP)
def nominate(request: HttpRequest) -> HttpResponse:
    form = NominationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            asset = services.nominate(
                request.user,
                council=council_settings.council_named(data["council"]),
                name=data["name"],
                address=data["address"],
                postcode=data["postcode"],
                community_use=data["community_use"],
                land_use=data["land_use"],
                body_name=data["body_name"],
                body=form.body(),
                contact_email=data["contact_email"],
                received_on=services.today(),
                latitude=data["latitude"],
                longitude=data["longitude"],
                vacant_since=data["vacant_since"],
                evidence=[data["evidence"]] if data.get("evidence") else [],
                claim=form.claim(),
            )
        except services.AssetError as exc:
            form.add_error(None, str(exc))
        else:
            rules = clocks.ruleset(asset.ruleset)
            decide = clocks.attempt(clocks.nomination_decision, services.today(), rules)
            within = decide.length if not decide.pending else "the period new regulations will set"
            messages.success(request, f"Nomination received: the council must decide within {within}")
            return redirect("assets:detail", pk=asset.pk)
    return render(request, "assets/nominate.html", {"form": form})


@requires(Capability.ORGANISE_GROUP, scope=scope_of_asset)
def bid(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_object_or_404(Asset, pk=pk)
    form = BidRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_to_bid(
                request.user, asset, data["body_name"], form.body(), data["contact_email"], services.today()
            )
        except services.AssetError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Request received: your group is treated as a potential bidder")
            return redirect("assets:detail", pk=asset.pk)
    return render(
        request,
        "assets/step_form.html",
        {
            "form": form,
            "asset": asset,
            "heading": "Ask to be treated as a potential bidder",
            "intro": "Only a community interest group can ask, in writing, during the 6-week interim moratorium "
            "(Localism Act 2011 s.95(3); SI 2012/2421 reg 12).",
            "button": "Send the request",
        },
    )


def _officer_form(request: HttpRequest, asset: Asset, form_class, heading: str, intro: str, button: str, act,
                  form_kwargs=None) -> HttpResponse:  # fmt: skip
    """One officer's step on a case: the form, then `act(user, asset, data)` (which returns the message) and the
    case page again; a step the rules refuse shows as the form's error."""
    form = form_class(request.POST or None, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        try:
            message = act(request.user, asset, form.cleaned_data)
        except services.AssetError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, message)
            return redirect("assets:detail", pk=asset.pk)
    return render(
        request,
        "assets/step_form.html",
        {"form": form, "asset": asset, "heading": heading, "intro": intro, "button": button},
    )


def officer_step(form_class, heading: str, intro: str, button: str):
    """The view for a step that needs nothing from the case but its form: the decorated function is the act."""

    def decorate(act):
        def view(request: HttpRequest, pk: int) -> HttpResponse:
            asset = get_object_or_404(Asset, pk=pk)
            return _officer_form(request, asset, form_class, heading, intro, button, act)

        view.__name__, view.__qualname__, view.__doc__ = act.__name__, act.__qualname__, act.__doc__
        return requires(Capability.RUN_PROCESSES, scope=scope_of_asset)(view)

    return decorate


@officer_step(
    DecisionForm,
    "Decide the nomination",
    "Decide within 8 weeks of receiving it (SI 2012/2421 reg 7), with written reasons.",
    "Record the decision",
)
def decide(user, asset: Asset, data: dict) -> str:
    services.decide(user, asset, data["decision"] == "listed", data["reasons"], data["on"])
    return "Decision recorded"


@officer_step(
    DisposalNoticeForm,
    "Record the owner's notice of an intended disposal",
    "The day the council receives the notice starts the interim moratorium, the full moratorium "
    "(if a group asks to bid) and the protected period (Localism Act 2011 s.95).",
    "Record the notice",
)
def disposal(user, asset: Asset, data: dict) -> str:
    services.notify_disposal(user, asset, data["on"], data["owner_name"], data["owner_email"])
    return "Disposal notice recorded: the interim moratorium has started"


@requires(Capability.RUN_PROCESSES, scope=scope_of_asset)
def step(request: HttpRequest, pk: int) -> HttpResponse:
    """Reviews, appeals, withdrawals and (under the Right to Buy) first refusal: the choices follow the rule set."""

    def act(user, asset, data):
        services.record_step(user, asset, data["action"], data["on"], data["reasons"])
        return "Recorded"

    asset = get_object_or_404(Asset, pk=pk)
    rules = clocks.ruleset(asset.ruleset)
    intro = "Reviews, appeals and withdrawals, recorded for the owner or the council" + (
        "; the community group's first refusal, valuation and progress check." if rules.right_of_first_refusal else "."
    )
    return _officer_form(request, asset, StepForm, "Record a step in the case", intro, "Record", act, {"rules": rules})


@officer_step(
    PriceForm,
    "Record the price",
    "Under the Community Right to Buy the price is agreed by the owner and the group, or set by an independent "
    "valuer at market value. The valuation basis and timetable wait on regulations: record the figure and date.",
    "Record the price",
)
def price(user, asset: Asset, data: dict) -> str:
    """The price of the group's purchase under first refusal: agreed, or the independent valuer's figure."""
    services.record_price(user, asset, data["how"], data["on"], data["price"], data["valuer"])
    return "Price recorded"


@officer_step(
    SaleForm,
    "Record a sale",
    "A sale during a moratorium is refused unless to a community interest group or exempt.",
    "Record the sale",
)
def sale(user, asset: Asset, data: dict) -> str:
    why = services.record_sale(
        user, asset, data["on"], data["to_community_interest_group"], data["buyer_name"], data["exempt_ground"]
    )
    return f"Sale recorded: {why}"


@officer_step(
    RulesetForm, "Choose the rule set for this case", "Only before the decision: a case never mixes rule sets.", "Save"
)
def ruleset(user, asset: Asset, data: dict) -> str:
    services.set_ruleset(user, asset, data["ruleset"])
    return "Rule set chosen for this case"


@officer_step(
    VacancyForm,
    "Record vacancy",
    "Empty for the year ending with the previous day meets the vacancy condition for a high street rental "
    "auction (LURA 2023 Part 10): the building is then listed as a candidate.",
    "Save",
)
def vacancy(user, asset: Asset, data: dict) -> str:
    services.set_vacancy(user, asset, data["vacant_since"])
    return "Vacancy recorded"


@requires(Capability.RUN_PROCESSES, scope=scope_of_asset)
def late_bid(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer records a written bid request that arrived by post or email."""
    asset = get_object_or_404(Asset, pk=pk)
    form = BidRequestForm(request.POST or None)
    dated = BidDateForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and dated.is_valid():
        data = form.cleaned_data
        try:
            services.request_to_bid(
                request.user, asset, data["body_name"], form.body(), data["contact_email"], dated.cleaned_data["on"]
            )
        except services.AssetError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Bid request recorded")
            return redirect("assets:detail", pk=asset.pk)
    return render(
        request,
        "assets/step_form.html",
        {
            "form": form,
            "extra": dated,
            "asset": asset,
            "heading": "Record a written request to bid",
            "intro": "A request received by post or email.",
            "button": "Record the request",
        },
    )


@requires(Capability.RUN_PROCESSES, scope=scope_of_evidence)
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Evidence, pk=pk)
    response = HttpResponse(bytes(item.content), content_type=item.content_type)
    response["Content-Disposition"] = f'attachment; filename="{item.filename.replace(chr(34), "")}"'
    return response


@requires(Capability.RUN_PROCESSES)
def outbox(request: HttpRequest) -> HttpResponse:
    """The asset notices now live in the one outbox (an old bookmark still works)."""
    return redirect(f"{reverse('notify:outbox')}?about=assets.asset")


@public
def ownership_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    titles = ownership.search(query)[:200] if query else []
    return render(
        request,
        "assets/ownership.html",
        {
            "query": query,
            "titles": titles,
            "can_import": user_can(request.user, Capability.RUN_PROCESSES),
            "count": Title.objects.count(),
        },
    )


@requires(Capability.RUN_PROCESSES)
def ownership_import(request: HttpRequest) -> HttpResponse:
    form = OwnershipImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
            counts = ownership.import_titles(text, request.user, upload.name)
        except UnicodeDecodeError:
            form.add_error("file", "The file must be UTF-8 text")
        except ownership.OwnershipImportError as exc:
            form.add_error("file", f"Nothing was imported: {exc}")
        else:
            messages.success(request, f"Imported {counts['titles']} titles ({counts['created']} new)")
            return redirect("assets:ownership")
    return render(request, "assets/ownership_import.html", {"form": form})


@requires(Capability.ORGANISE_GROUP, scope=scope_of_asset)
def buyout_apply(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_object_or_404(Asset, pk=pk)
    form = BuyoutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.apply_for_buyout(
                request.user,
                asset,
                body_name=data["body_name"],
                body=form.body(),
                contact_email=data["contact_email"],
                purchase_price_pence=data["purchase_price"],
                requested_pence=data["requested"],
                match_funding_pence=data["match_funding"],
                use_plan=data["use_plan"],
                running_costs_plan=data["running_costs_plan"],
            )
        except services.AssetError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Application sent to the High Street Buyout Fund")
            return redirect("assets:detail", pk=asset.pk)
    return render(
        request,
        "assets/step_form.html",
        {
            "form": form,
            "asset": asset,
            "heading": "Apply to the High Street Buyout Fund",
            "intro": "A proposal, not yet law: the fund would help community groups buy listed high-street buildings. "
            "Your group must be one that may bid (SI 2012/2421 reg 12).",
            "button": "Send the application",
        },
    )


@requires(Capability.MANAGE_FUND)
def buyout_list(request: HttpRequest) -> HttpResponse:
    applications = BuyoutApplication.objects.select_related("asset__council")
    return render(request, "assets/buyout_list.html", {"applications": applications})


@public
def register_planning_data(request: HttpRequest) -> HttpResponse:
    """A council's register in planning.data.gov.uk's asset-of-community-value layout."""
    council = get_object_or_404(Council, slug=request.GET.get("council", ""))
    try:
        text = planning_data.export_csv(council)
    except services.AssetError as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="asset-of-community-value-{council.slug}.csv"'
    return response


# --- councils: area, organisation, rule set (site admins) ---------------------------------------------------


@requires(Capability.MANAGE_ROLES)
def councils(request: HttpRequest) -> HttpResponse:
    rows = [
        {"council": c, "rules": clocks.ruleset(c.ruleset),
         "now": clocks.rules_for_new_case(c.ruleset, services.today())}
        for c in Council.objects.select_related("area")
    ]  # fmt: skip
    return render(request, "assets/councils.html", {"rows": rows})


@requires(Capability.MANAGE_ROLES, scope=site_wide)
def council_edit(request: HttpRequest, pk: int) -> HttpResponse:
    council = get_object_or_404(Council.objects.select_related("area"), pk=pk)
    initial = {"code": council.area.code if council.area_id else "", "organisation": council.organisation,
               "ruleset": clocks.canonical(council.ruleset)}  # fmt: skip
    form = CouncilForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            council_settings.set_council(request.user, council, code=data["code"], organisation=data["organisation"],
                                 ruleset=data["ruleset"])  # fmt: skip
        except services.AssetError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{council.name} saved")
            return redirect("assets:councils")
    return render(request, "assets/form.html", {
        "form": form, "heading": f"{council.name}: area and rule set", "button": "Save",
        "intro": "The local authority area decides which council officers run this council's cases and who its "
        "notices are scoped to. The rule set applies to new cases once it is in force.",
        "back": reverse("assets:councils"), "back_label": "All councils",
    })  # fmt: skip
