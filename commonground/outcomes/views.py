"""Outcome pages: dashboards (nation, local authority, ward), the framework and its history, the report."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.outcomes import dashboards, figures, forms
from commonground.outcomes import framework as wellbeing
from commonground.outcomes.models import MeasureChange, WellbeingMeasure
from commonground.places.models import AreaType
from commonground.places.services import find_area, scope_of


def _area_or_404(code: str, request: HttpRequest):
    area = find_area(code, request.GET.get("type"))
    if area is None or area.area_type.level not in (AreaType.Level.WARD, AreaType.Level.LOCAL_AUTHORITY):
        raise Http404(f"No ward or local authority has the code {code}")
    return area


def _chosen(board: dict, slug: str | None) -> dict | None:
    """The measure the trend chart, comparison chart and map show: the one asked for, else the first headline."""
    measures = [m for t in board["themes"] for m in t["measures"] if m["latest"] is not None]
    return next((m for m in measures if m["slug"] == slug), None) or next(
        (m for m in measures if m["headline"]), measures[0] if measures else None
    )


def _page(request: HttpRequest, board: dict, area=None) -> HttpResponse:
    chosen = _chosen(board, request.GET.get("measure"))
    query = f"?type={area.area_type.code}" if area is not None else ""
    if area is not None:
        base = reverse("outcomes:area", args=[area.code])
        api = f"/api/outcomes/areas/{area.code}"
    else:
        base, api = reverse("outcomes:nation"), "/api/outcomes/nation"
    context = {
        "board": board,
        "area": area,
        "chosen": chosen,
        "measures": [m for t in board["themes"] for m in t["measures"] if m["latest"] is not None],
        "type_query": query,
        "page_url": base,
        "api_url": api,
        "csv_url": f"{base}dashboard.csv{query}",
        "map_url": f"{api}/map{query}{'&' if query else '?'}measure={chosen['slug']}" if chosen else "",
    }
    return render(request, "outcomes/dashboard.html", context)


def _cached_page(request: HttpRequest, key: str, build) -> HttpResponse:
    """Signed-out visitors share one rendered copy per page, measure and data version (the speed goal:
    p95 < 50 ms). Signed-in pages carry personal navigation, so they are rendered each time."""
    shareable = not request.user.is_authenticated and "messages" not in request.COOKIES
    version = dashboards.data_version()
    cache_key = f"outcomes:page:{version}:{key}:{request.GET.get('measure', '')[:64]}"
    if shareable:
        html = cache.get(cache_key)
        if html is not None:
            return HttpResponse(html)
    response = build(version)
    if shareable and response.status_code == 200:
        cache.set(cache_key, response.content.decode(), dashboards.CACHE_SECONDS)
    return response


@public
def nation(request: HttpRequest) -> HttpResponse:
    return _cached_page(request, "nation", lambda version: _page(request, dashboards.national_dashboard(version)))


@public
def area_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    area = _area_or_404(code, request)
    return _cached_page(
        request, f"area:{area.pk}", lambda version: _page(request, dashboards.area_dashboard(area, version), area)
    )


def _csv(board: dict, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.DictWriter(response, fieldnames=figures.CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(figures.figure_rows(board))
    return response


@public
def nation_csv(request: HttpRequest) -> HttpResponse:
    return _csv(dashboards.national_dashboard(), "england-dashboard.csv")


@public
def area_csv(request: HttpRequest, code: str) -> HttpResponse:
    area = _area_or_404(code, request)
    return _csv(dashboards.area_dashboard(area), f"{area.code}-dashboard.csv")


@public
def area_report(request: HttpRequest, code: str) -> HttpResponse:
    from commonground.outcomes import report

    area = _area_or_404(code, request)
    key = f"outcomes:pdf:{dashboards.data_version()}:{area.pk}"  # the same for everyone until the data change
    pdf = cache.get(key)
    if pdf is None:
        pdf = report.render_pdf(area)
        cache.set(key, pdf, dashboards.CACHE_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="state-of-the-neighbourhood-{area.code}.pdf"'
    return response


@public
def framework(request: HttpRequest) -> HttpResponse:
    themes = wellbeing.framework(include_retired=True)
    can_change = user_can(request.user, Capability.RUN_PROCESSES, None)
    return render(request, "outcomes/framework.html", {"themes": themes, "can_change": can_change})


@public
def measure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    measure = get_object_or_404(WellbeingMeasure.objects.select_related("theme").prefetch_related("sources"), slug=slug)
    history = MeasureChange.objects.filter(measure=measure).select_related("actor")
    can_change = user_can(request.user, Capability.RUN_PROCESSES, None)
    return render(request, "outcomes/measure.html", {"measure": measure, "history": history, "can_change": can_change})


def national(request: HttpRequest, *args, **kwargs) -> None:
    """The wellbeing framework is one for the whole site: only site-wide officers change it."""
    return None


@requires(Capability.RUN_PROCESSES, scope=national)
def measure_add(request: HttpRequest) -> HttpResponse:
    form = forms.MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            measure = wellbeing.add_measure(
                request.user,
                theme=data["theme"],
                slug=data["slug"],
                name=data["name"],
                source=data["source"],
                unit=data["unit"],
                direction=data["direction"],
                geography=data["geography"],
                period=data["period"],
                sources=[(data["dataset_slug"], data["measure_slug"], data["source_period"])]
                if data["dataset_slug"]
                else [],
                reason=data["reason"],
            )
        except wellbeing.FrameworkError as exc:
            form.add_error("slug", str(exc))
        else:
            messages.success(request, f"Added “{measure.name}” to {measure.theme.name}")
            return redirect("outcomes:measure", slug=measure.slug)
    return render(
        request, "outcomes/form.html", {"form": form, "title": "Add a measure", "submit_label": "Add measure"}
    )


@requires(Capability.RUN_PROCESSES, scope=national)
def measure_change(request: HttpRequest, slug: str) -> HttpResponse:
    measure = get_object_or_404(WellbeingMeasure, slug=slug)
    form = forms.MeasureChangeForm(request.POST or None, measure=measure)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "retire":
                wellbeing.retire_measure(request.user, measure, data["reason"])
            elif data["action"] == "reinstate":
                wellbeing.reinstate_measure(request.user, measure, data["reason"])
            else:
                wellbeing.retheme_measure(request.user, measure, data["theme"], data["reason"])
        except wellbeing.FrameworkError as exc:
            form.add_error("action", str(exc))
        else:
            messages.success(request, f"Changed “{measure.name}”: the history below shows it")
            return redirect("outcomes:measure", slug=measure.slug)
    return render(
        request,
        "outcomes/form.html",
        {"form": form, "title": f"Change “{measure.name}”", "submit_label": "Save change"},
    )


@requires(Capability.RUN_PROCESSES)
def signal_add(request: HttpRequest) -> HttpResponse:
    form = forms.SignalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = find_area(data["area_code"]) if data["area_code"] else None
        if data["area_code"] and area is None:
            form.add_error("area_code", f"No area has the code {data['area_code']}")
        elif not user_can(request.user, Capability.RUN_PROCESSES, scope_of(area)):
            form.add_error("area_code", "You record signals for another council: give an area in yours")
        else:
            wellbeing.record_signal(
                request.user,
                theme=data["theme"],
                statement=data["statement"],
                chosen_by=data["chosen_by"],
                method=data["method"],
                chosen_on=data["chosen_on"],
                area=area,
                measures=data["measures"],
            )
            messages.success(request, "Recorded the signal")
            return redirect("outcomes:framework")
    return render(
        request,
        "outcomes/form.html",
        {"form": form, "title": "Record a residents' signal", "submit_label": "Record signal"},
    )
