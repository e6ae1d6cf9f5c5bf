"""The plan's pages: the published plan (page and PDF), its versions, and the board's editing of the draft;
the engagement log that shows how residents shaped it. Thin: the work is in plans.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires
from commonground.accounts.roles import Capability
from commonground.neighbourhoods import plans
from commonground.neighbourhoods.board_views import form_page, refuse
from commonground.neighbourhoods.forms import (
    ApprovePlanForm,
    EngagementForm,
    InvestmentForm,
    ObjectiveForm,
    PlanForm,
)
from commonground.neighbourhoods.models import EngagementEvent, Investment, Neighbourhood, Objective, Plan
from commonground.neighbourhoods.services import NeighbourhoodError
from commonground.neighbourhoods.views import can_run, scope_of_slug

PDF_CACHE_SECONDS = 24 * 3600


def _version(request: HttpRequest, slug: str, version: int | None) -> tuple[Neighbourhood, Plan]:
    """A version anyone may read (published), or any version for those who run the neighbourhood; without a
    number, the latest published one."""
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    if version is None:
        plan = plans.latest_published(neighbourhood)
    else:
        plan = plans.version_of(neighbourhood, version)
        if plan is not None and plan.status != Plan.Status.PUBLISHED and not can_run(request, neighbourhood):
            plan = None
    if plan is None:
        raise Http404("No such plan")
    return neighbourhood, plan


def _manage_url(slug: str) -> str:
    return reverse("neighbourhoods:plan-manage", args=[slug])


@public
def plan_page(request: HttpRequest, slug: str, version: int | None = None) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    runner = can_run(request, neighbourhood)
    if version is None and plans.latest_published(neighbourhood) is None:
        return render(request, "neighbourhoods/plan.html", {"neighbourhood": neighbourhood, "can_run": runner})
    _, plan = _version(request, slug, version)
    document, delivery = plans.document(plan), plans.delivery(neighbourhood)
    context = {
        "neighbourhood": neighbourhood,
        "plan": document,
        "can_run": runner,
        "delivery": [{**o, "projects": delivery.get(o["ref"], [])} for o in document["objectives"]],
        "unfiled": delivery.get(None, []),
        "versions": neighbourhood.plans.order_by("-version") if runner else
        neighbourhood.plans.filter(status=Plan.Status.PUBLISHED).order_by("-version"),
    }  # fmt: skip
    return render(request, "neighbourhoods/plan.html", context)


@public
def plan_pdf(request: HttpRequest, slug: str, version: int | None = None) -> HttpResponse:
    neighbourhood, plan = _version(request, slug, version)
    if plan.status == Plan.Status.PUBLISHED:  # frozen: the same file for everyone, for ever
        key = f"neighbourhoods:plan-pdf:{plan.pk}:{plan.published_at.isoformat()}"
        pdf = cache.get_or_set(key, lambda: plans.render_pdf(plans.document(plan)), PDF_CACHE_SECONDS)
    else:
        pdf = plans.render_pdf(plans.document(plan))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slug}-plan-v{plan.version}.pdf"'
    return response


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def plan_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """The latest version with everything the board may do to it next."""
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    plan = plans.latest(neighbourhood)
    context = {
        "neighbourhood": neighbourhood,
        "plan": plan,
        "document": plans.export(plan) if plan else None,
        "lines": plan.investments.select_related("objective") if plan else [],
        "versions": neighbourhood.plans.order_by("-version"),
    }
    return render(request, "neighbourhoods/plan_manage.html", context)


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def plan_vision(request: HttpRequest, slug: str) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    plan = plans.latest(neighbourhood)
    fields = ("title", "first_year", "local_context", "vision", "vision_statement", "case_for_change")
    initial = {f: getattr(plan, f) for f in fields} if plan else {"title": f"{neighbourhood.name} plan"}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plans.update_vision(request.user, plans.draft_for(request.user, neighbourhood), **form.cleaned_data)
        except NeighbourhoodError as error:
            refuse(form, error)
        else:
            return redirect("neighbourhoods:plan-manage", slug)
    intro = "Saving changes to an approved or published version starts a new draft version; that one stays as it is."
    return form_page(request, neighbourhood, form, "The vision", "Save", _manage_url(slug), intro)


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def objective_edit(request: HttpRequest, slug: str, ref: int | None = None) -> HttpResponse:
    """An objective, found by its ref in the latest version; saving it edits (or starts) the draft."""
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    current = None
    if ref is not None:
        current = get_object_or_404(Objective, plan=plans.latest(neighbourhood), ref=ref)
    initial = {}
    if current:
        initial = {"title": current.title, "description": current.description, "theme": current.theme,
                   "strategic": list(current.strategic.all()), "measures": list(current.measures.all())}  # fmt: skip
    form = ObjectiveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plans.draft_for(request.user, neighbourhood)
            objective = plan.objectives.get(ref=ref) if ref is not None else None
            plans.save_objective(request.user, plan, objective=objective, **form.cleaned_data)
        except NeighbourhoodError as error:
            refuse(form, error)
        else:
            return redirect("neighbourhoods:plan-manage", slug)
    heading = f"Objective {ref}" if current else "Add an objective"
    return form_page(request, neighbourhood, form, heading, "Save", _manage_url(slug))


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
@require_POST
def objective_remove(request: HttpRequest, slug: str, ref: int) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    get_object_or_404(Objective, plan=plans.latest(neighbourhood), ref=ref)
    plan = plans.draft_for(request.user, neighbourhood)
    try:
        plans.remove_objective(request.user, plan.objectives.get(ref=ref))
    except NeighbourhoodError as error:
        messages.error(request, capfirst(str(error)))
    else:
        messages.success(request, f"Objective {ref} is removed from version {plan.version}")
    return redirect("neighbourhoods:plan-manage", slug)


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def investment_new(request: HttpRequest, slug: str) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    shown = plans.latest(neighbourhood) or Plan(neighbourhood=neighbourhood)
    form = InvestmentForm(request.POST or None, plan=shown)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = plans.draft_for(request.user, neighbourhood)
            objective = plan.objectives.get(ref=data["objective"].ref) if data["objective"] else None
            plans.add_investment(request.user, plan, objective=objective, year=data["year"], source=data["source"],
                                 capital_pence=data["capital_pence"], revenue_pence=data["revenue_pence"],
                                 note=data["note"])  # fmt: skip
        except NeighbourhoodError as error:
            refuse(form, error)
        else:
            return redirect("neighbourhoods:plan-manage", slug)
    return form_page(request, neighbourhood, form, "Add money to the investment plan", "Add", _manage_url(slug))


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
@require_POST
def investment_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    line = get_object_or_404(Investment, pk=pk, plan__neighbourhood__slug=slug, plan__status=Plan.Status.DRAFT)
    plans.remove_investment(request.user, line)
    messages.success(request, "The money is removed from the draft")
    return redirect("neighbourhoods:plan-manage", slug)


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def plan_approve(request: HttpRequest, slug: str) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    plan = plans.latest(neighbourhood)
    if plan is None:
        raise Http404("There is no plan to approve")
    form = ApprovePlanForm(request.POST or None, neighbourhood=neighbourhood)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["how"] == "decision":
                plans.approve(request.user, plan, decision=data["decision"])
            else:
                plans.approve(request.user, plan, chair_on=data["chair_on"])
        except NeighbourhoodError as error:
            refuse(form, error)
        else:
            messages.success(request, f"Version {plan.version} is approved")
            return redirect("neighbourhoods:plan-manage", slug)
    return form_page(request, neighbourhood, form, f"Approve version {plan.version}", "Approve", _manage_url(slug),
                     "Once approved, this version cannot change: later edits start a new draft.")  # fmt: skip


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
@require_POST
def plan_publish(request: HttpRequest, slug: str) -> HttpResponse:
    plan = plans.latest(get_object_or_404(Neighbourhood, slug=slug))
    try:
        if plan is None:
            raise NeighbourhoodError("there is no plan to publish")
        plans.publish(request.user, plan)
    except NeighbourhoodError as error:
        messages.error(request, capfirst(str(error)))
        return redirect("neighbourhoods:plan-manage", slug)
    messages.success(request, f"Version {plan.version} is published")
    return redirect("neighbourhoods:plan", slug)


# Engagement -------------------------------------------------------------------------------------------------


@public
def engagement(request: HttpRequest, slug: str) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    events = []
    for event in neighbourhood.engagement.prefetch_related("objectives__plan"):
        titles = {o.ref: o.title for o in sorted(event.objectives.all(), key=lambda o: o.plan.version)}  # latest wins
        events.append({"event": event, "objectives": sorted(titles.items())})
    context = {
        "neighbourhood": neighbourhood,
        "events": events,
        "summary": plans.engagement_summary(neighbourhood),
        "can_run": can_run(request, neighbourhood),
    }
    return render(request, "neighbourhoods/engagement.html", context)


@requires(Capability.RUN_NEIGHBOURHOOD, scope=scope_of_slug)
def event_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    event = get_object_or_404(EngagementEvent, pk=pk, neighbourhood=neighbourhood) if pk else None
    plan = plans.latest(neighbourhood)
    objectives = plan.objectives.all() if plan else Objective.objects.none()
    initial = {}
    if event:
        initial = {f: getattr(event, f) for f in ("kind", "held_on", "place", "participants", "heard", "changed")}
        initial |= {f"ages_{k}": v for k, v in event.ages.items()} | {f"areas_{k}": v for k, v in event.areas.items()}
        refs = set(event.objectives.values_list("ref", flat=True))
        initial["objectives"] = [o for o in objectives if o.ref in refs]
    form = EngagementForm(request.POST or None, initial=initial, areas=plans.area_keys(neighbourhood),
                          objectives=objectives)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data, tallies = form.cleaned_data, form.tallies()
        try:
            plans.save_event(
                request.user, neighbourhood, event=event, kind=data["kind"], held_on=data["held_on"],
                place=data["place"], participants=data["participants"], ages=tallies["ages"], areas=tallies["areas"],
                heard=data["heard"], changed=data["changed"], objectives=data["objectives"],
            )  # fmt: skip
        except NeighbourhoodError as error:
            refuse(form, error)
        else:
            return redirect("neighbourhoods:engagement", slug)
    intro = "Count people, never name them. Leave a count empty when you do not know it."
    return form_page(request, neighbourhood, form, "Change the event" if event else "Record an engagement event",
                     "Save", reverse("neighbourhoods:engagement", args=[slug]), intro)  # fmt: skip
