"""Panel pages: the public sees the purpose, each pseudonymous volunteer's chance, the draw and the
replacement draws; organisers (RUN_PROCESSES) import the pool, run the selection, hold the draws and
record the members' replies."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.engine.sortition.model import SortitionError
from commonground.panels import services, tasks
from commonground.panels.forms import DrawForm, PanelForm, QuotaSuggestionForm, ResponseForm
from commonground.panels.models import Job, Panel, Replacement, Volunteer
from commonground.places import services as places


def scope_of_panel(request: HttpRequest, slug: str, **kwargs) -> Scope | None:
    """Where the panel in the address lives: its area's council (no area: site-wide officers only)."""
    return places.scope_of(get_object_or_404(Panel.objects.select_related("area"), slug=slug).area)


def _may_run(request: HttpRequest, panel: Panel) -> bool:
    return user_can(request.user, Capability.RUN_PROCESSES, places.scope_of(panel.area))


def _visible(request: HttpRequest, slug: str) -> Panel:
    panel = get_object_or_404(Panel.objects.select_related("area"), slug=slug)
    if panel.status == Panel.Status.DRAFT and not _may_run(request, panel):
        raise Http404("No such panel")
    return panel


@public
def panel_list(request: HttpRequest) -> HttpResponse:
    """Published panels for everyone; drafts only for those who run panels where they are."""
    can_run = user_can(request.user, Capability.RUN_PROCESSES)
    panels = [p for p in Panel.objects.select_related("area") if p.status != Panel.Status.DRAFT or _may_run(request, p)]
    return render(request, "panels/panel_list.html", {"panels": panels, "can_run": can_run})


@public
def panel_detail(request: HttpRequest, slug: str) -> HttpResponse:
    panel = _visible(request, slug)
    can_run = _may_run(request, panel)
    volunteers = list(panel.volunteers.all())
    chances = sorted((v for v in volunteers if v.probability is not None), key=lambda v: (v.probability, v.pseudonym))
    selected = sorted((v for v in volunteers if v.selected), key=lambda v: v.pseudonym)
    replacements = list(panel.replacements.all())
    open_round = next((r for r in replacements if not r.drawn), None)
    return render(
        request,
        "panels/panel_detail.html",
        {
            "panel": panel,
            "can_run": can_run,
            "pool_size": len(volunteers),
            "uniform": panel.size / len(volunteers) if volunteers else 0,
            "chances": chances,
            "selected": selected,
            "volunteers": volunteers if can_run else [],
            "columns": list(volunteers[0].details) if can_run and volunteers else [],
            "draw_form": DrawForm() if can_run and panel.status == Panel.Status.SELECTED and not panel.job else None,
            "replacements": replacements,
            "members": selected if can_run else [],
            "leaving": services.leaving(panel) if can_run and panel.status == Panel.Status.DRAWN else [],
            "replacement_form": DrawForm() if can_run and open_round and not panel.job else None,
            "open_round": open_round,
        },
    )


@public
def panel_distribution(request: HttpRequest, slug: str) -> HttpResponse:
    """The published lottery (pseudonymous): with the seed, anyone can replay the draw."""
    panel = _visible(request, slug)
    if not panel.distribution_json:
        raise Http404("No selection yet")
    response = HttpResponse(panel.distribution_json, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{panel.slug}-distribution.json"'
    return response


@requires(Capability.RUN_PROCESSES)
def panel_create(request: HttpRequest) -> HttpResponse:
    suggestion = QuotaSuggestionForm(request.GET if "suggest-area" in request.GET else None)
    initial = {}
    if suggestion.is_bound and suggestion.is_valid():
        data = suggestion.cleaned_data
        initial = {"area": data["area"].code, "size": data["size"], "quotas_text": suggestion.suggestion}
        messages.success(request, f"Quotas suggested from the population of {data['area'].name}: check and edit them")
    form = PanelForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not user_can(request.user, Capability.RUN_PROCESSES, places.scope_of(data.get("area"))):
            raise PermissionDenied("You run panels for another council: choose an area in yours.")
        panel = services.create_panel(
            request.user,
            title=data["title"],
            purpose=data["purpose"],
            size=data["size"],
            payment_per_day_pence=data["payment"],
            quotas_csv=data["quotas"],
            pool_csv=data["pool"],
            household_columns=data.get("household_columns", ""),
            area=data.get("area"),
        )
        shared = form.shared_households
        addresses = f"{shared} address has" if shared == 1 else f"{shared} addresses have"
        note = f"; {addresses} more than one volunteer (only one from each can be on the panel)" if shared else ""
        messages.success(request, f"Imported {panel.volunteers.count()} volunteers{note}")
        return redirect("panels:detail", slug=panel.slug)
    return render(request, "panels/panel_form.html", {"form": form, "suggestion": suggestion})


@require_POST
@requires(Capability.RUN_PROCESSES, scope=scope_of_panel)
def panel_select(request: HttpRequest, slug: str) -> HttpResponse:
    panel = get_object_or_404(Panel, slug=slug)
    try:
        tasks.start_job(request.user, panel, Job.SELECTION)
    except SortitionError as exc:
        messages.error(request, f"Cannot compute the chances: {exc}")
    else:
        messages.success(request, "Computing the chances: this page shows the progress")
    return redirect("panels:detail", slug=panel.slug)


@requires(Capability.RUN_PROCESSES, scope=scope_of_panel)
def panel_progress(request: HttpRequest, slug: str) -> JsonResponse:
    """The running computation's progress, for the detail page's script (the page itself shows it too)."""
    panel = get_object_or_404(Panel, slug=slug)
    return JsonResponse({"job": panel.job, "progress": panel.job_progress, "error": panel.job_error,
                         "status": panel.status})  # fmt: skip


@require_POST
@requires(Capability.RUN_PROCESSES, scope=scope_of_panel)
def panel_draw(request: HttpRequest, slug: str) -> HttpResponse:
    panel = get_object_or_404(Panel, slug=slug, status=Panel.Status.SELECTED)
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            services.hold_draw(request.user, panel, form.cleaned_data["seed"])
        except SortitionError as exc:
            messages.error(request, f"The panel was not drawn: {exc}")
        else:
            messages.success(request, "The panel has been drawn")
        return redirect("panels:detail", slug=panel.slug)
    return render(request, "panels/draw_form.html", {"form": form, "panel": panel})


@public
def replacement_distribution(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The published replacement lottery (pseudonymous, with who stays and who left)."""
    panel = _visible(request, slug)
    replacement = get_object_or_404(Replacement, panel=panel, number=number)
    response = HttpResponse(replacement.distribution_json, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{panel.slug}-replacement-{number}.json"'
    return response


@requires(Capability.RUN_PROCESSES, scope=scope_of_panel)
def member_response(request: HttpRequest, slug: str, pseudonym: str) -> HttpResponse:
    panel = get_object_or_404(Panel, slug=slug, status=Panel.Status.DRAWN)
    volunteer = get_object_or_404(Volunteer, panel=panel, pseudonym=pseudonym, selected=True)
    data = request.POST if request.method == "POST" else None  # an empty POST is still a submission
    form = ResponseForm(data, initial={"response": volunteer.response})
    if request.method == "POST" and form.is_valid():
        services.record_response(request.user, volunteer, form.cleaned_data["response"])
        messages.success(request, f"Reply recorded for {volunteer.pseudonym}")
        return redirect("panels:detail", slug=panel.slug)
    return render(request, "panels/response_form.html", {"form": form, "panel": panel, "volunteer": volunteer})


@require_POST
@requires(Capability.RUN_PROCESSES, scope=scope_of_panel)
def replacement_select(request: HttpRequest, slug: str) -> HttpResponse:
    panel = get_object_or_404(Panel, slug=slug, status=Panel.Status.DRAWN)
    try:
        tasks.start_job(request.user, panel, Job.REPLACEMENT)
    except SortitionError as exc:
        messages.error(request, f"Cannot compute the replacement chances: {exc}")
    else:
        messages.success(request, "Computing the replacement chances: this page shows the progress")
    return redirect("panels:detail", slug=panel.slug)


@require_POST
@requires(Capability.RUN_PROCESSES, scope=scope_of_panel)
def replacement_draw(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    replacement = get_object_or_404(Replacement, panel__slug=slug, number=number, draw_result__isnull=True)
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            services.hold_replacement_draw(request.user, replacement, form.cleaned_data["seed"])
        except SortitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The replacements have been drawn")
        return redirect("panels:detail", slug=slug)
    return render(
        request, "panels/draw_form.html", {"form": form, "panel": replacement.panel, "replacement": replacement}
    )
