"""Fund pages: public transparency and award pages; fund administrators create, preview, commit
and record payments. Thin: the work is in services.py."""

from __future__ import annotations

import csv
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.audit.service import record
from commonground.engine import threesixty
from commonground.engine.fund import Eligibility
from commonground.fund import plans, services
from commonground.fund.forms import DisbursementForm, FundForm, PriorityStatusForm
from commonground.fund.models import Award, CommunityPlan, EligibilityPolicy, Fund, Priority
from commonground.places import services as places
from commonground.places.models import Area, AreaValue
from commonground.places.services import INDEX_DATASETS, combined_geometry


def national(request: HttpRequest, *args, **kwargs) -> None:
    """A fund is national: only fund administrators for the whole site allocate and commit it."""
    return None


def scope_of_award(request: HttpRequest, slug: str, code: str, **kwargs) -> Scope | None:
    """Where the award in the address lives: its ward's council (payments and plans are local work)."""
    award = get_object_or_404(Award.objects.select_related("area"), fund__slug=slug, ward_code=code.upper())
    return places.scope_of(award.area)


def _visible(request: HttpRequest, slug: str) -> Fund:
    fund = get_object_or_404(Fund.objects.select_related("eligibility"), slug=slug)
    if fund.status != Fund.Status.COMMITTED and not user_can(request.user, Capability.MANAGE_FUND, None):
        raise Http404("No such fund")
    return fund


@public
def fund_list(request: HttpRequest) -> HttpResponse:
    can_manage = user_can(request.user, Capability.MANAGE_FUND, None)  # drafts: site-wide administrators
    funds = Fund.objects.all() if can_manage else Fund.objects.filter(status=Fund.Status.COMMITTED)
    return render(request, "fund/fund_list.html", {"funds": funds, "can_manage": can_manage})


@public
def fund_detail(request: HttpRequest, slug: str) -> HttpResponse:
    fund = _visible(request, slug)
    if fund.status != Fund.Status.COMMITTED:
        return redirect("fund:preview", slug=fund.slug)
    query = request.GET.get("q", "").strip()[:100]
    awards = fund.awards.annotate(paid=Sum("disbursements__amount_pence")).order_by("ward_code")
    shown = (
        awards.filter(Q(ward_name__icontains=query) | Q(local_authority__icontains=query) | Q(ward_code__iexact=query))
        if query
        else awards
    )
    totals = awards.aggregate(awarded=Sum("amount_pence"), people=Sum("population"))
    left_behind = awards.filter(left_behind=True).aggregate(s=Sum("amount_pence"))["s"] or 0
    paid = sum(a.paid or 0 for a in awards)
    by_year = services.paid_by_year(fund)
    return render(
        request,
        "fund/fund_detail.html",
        {
            "fund": fund,
            "awards": shown,
            "query": query,
            "count": awards.count(),
            "totals": totals,
            "left_behind_share": left_behind / totals["awarded"] if totals["awarded"] else 0,
            "paid": paid,
            "by_year": by_year,
            "replay": services.replay_command(fund),
            "method": services.plain_english_method(fund),
        },
    )


@public
def award_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    fund = _visible(request, slug)
    award = get_object_or_404(Award, fund=fund, ward_code=code.upper())
    paid = services.paid_pence(award)
    schedule = [(fund.start_date.year + i, pounds) for i, pounds in enumerate(award.schedule_pounds)]
    plan = CommunityPlan.objects.filter(award=award).first()
    return render(
        request,
        "fund/award_detail.html",
        {
            "fund": fund,
            "award": award,
            "paid": paid,
            "remaining": award.amount_pence - paid,
            "schedule": schedule,
            "disbursements": award.disbursements.order_by("paid_on", "id"),
            "can_record": user_can(request.user, Capability.MANAGE_FUND),
            "plan": plan,
            "lines": plans.spent_by_line(plan) if plan else [],
            "can_edit_plan": plans.can_edit(request.user, plan or CommunityPlan(award=award)),
        },
    )


@requires(Capability.MANAGE_FUND, scope=national)
def fund_create(request: HttpRequest) -> HttpResponse:
    form = FundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            policy = EligibilityPolicy.objects.create(
                name=f"{data['name']}: {dict(form.fields['eligibility'].choices)[data['eligibility']]}"[:200],
                kind=data["eligibility"],
                measure=data.get("threshold_measure") or "" if data["eligibility"] == Eligibility.THRESHOLD else "",
                at_most=data.get("threshold_at_most") if data["eligibility"] == Eligibility.THRESHOLD else None,
                codes=data.get("codes", []),
            )
            fund = Fund.objects.create(
                name=data["name"],
                slug=slugify(data["name"])[:80] or "fund",
                total_pence=data["total"],
                start_date=data["start_date"],
                years=data["years"],
                policy=data["policy"],
                profile=data["profile"],
                floor_pence=data["floor"],
                cap_pence=data["cap"],
                eligibility=policy,
                created_by=request.user,
            )
            record(
                request.user,
                "fund.create",
                fund,
                after={"total_pence": fund.total_pence, "policy": fund.policy, "eligibility": policy.kind},
            )
        return redirect("fund:preview", slug=fund.slug)
    return render(request, "fund/fund_form.html", {"form": form})


@requires(Capability.MANAGE_FUND, scope=national)
def fund_preview(request: HttpRequest, slug: str) -> HttpResponse:
    fund = get_object_or_404(Fund.objects.select_related("eligibility"), slug=slug)
    context = {"fund": fund, "method": services.plain_english_method(fund)}
    try:
        allocation = services.preview(fund)
        context.update(
            allocation=allocation,
            by_region=services.totals_by(allocation, "region"),
            by_la=services.totals_by(allocation, "local_authority")[:20],
        )
    except services.FundError as exc:
        context["problem"] = str(exc)
    return render(request, "fund/fund_preview.html", context)


@require_POST
@requires(Capability.MANAGE_FUND, scope=national)
def fund_commit(request: HttpRequest, slug: str) -> HttpResponse:
    fund = get_object_or_404(Fund, slug=slug)
    try:
        count = services.commit(fund, request.user)
    except services.FundError as exc:
        messages.error(request, str(exc))
        return redirect("fund:preview", slug=slug)
    messages.success(request, f"Allocation committed: {count} awards")
    return redirect("fund:detail", slug=slug)


@requires(Capability.MANAGE_FUND, scope=scope_of_award)
def record_disbursement(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    award = get_object_or_404(Award.objects.select_related("fund"), fund__slug=slug, ward_code=code.upper())
    form = DisbursementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_disbursement(
                award.id, data["kind"], data["amount"], data["paid_on"], data["note"], request.user
            )
        except services.FundError as exc:
            form.add_error("amount", str(exc))
        else:
            messages.success(request, "Recorded")
            return redirect("fund:award", slug=slug, code=award.ward_code)
    return render(request, "fund/disbursement_form.html", {"form": form, "award": award})


def _committed(slug: str) -> Fund:
    return get_object_or_404(Fund, slug=slug, status=Fund.Status.COMMITTED)


@public
def fund_360giving(request: HttpRequest, slug: str) -> JsonResponse:
    fund = _committed(slug)
    data = threesixty.package(
        services.grant_rows([fund], request.build_absolute_uri("/").rstrip("/")), title=f"{fund.name} awards"
    )
    response = JsonResponse(data, json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{fund.slug}-360giving.json"'
    return response


@public
def fund_csv(request: HttpRequest, slug: str) -> HttpResponse:
    fund = _committed(slug)
    data = threesixty.package(services.grant_rows([fund]), title=fund.name)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{fund.slug}-awards.csv"'
    csv.writer(response).writerows(threesixty.csv_rows(data))
    return response


@public
def fund_eligible_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The eligible wards exactly as allocated, so `commonground fund allocate --eligible` replays it."""
    fund = _committed(slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{fund.slug}-eligible.csv"'
    writer = csv.writer(response)
    writer.writerow(["ward_code", "ward_name", "local_authority", "population", "need"])
    needs = services.needs_of(fund)
    for a in fund.awards.order_by("ward_code"):
        writer.writerow([a.ward_code, a.ward_name, a.local_authority, a.population, needs.get(a.ward_code, 1.0)])
    return response


def _ward_features(rows: list[tuple[Area, int]]) -> JsonResponse:
    """GeoJSON of wards with their award in pounds and IMD decile (for colouring)."""
    ids = [area.id for area, _ in rows]
    deciles = dict(
        AreaValue.objects.filter(
            area_id__in=ids, measure__slug="imd_decile", measure__dataset__slug__in=INDEX_DATASETS
        ).values_list("area_id", "value")
    )
    features = []
    for area, pounds in rows:
        geometry = area.geometry or combined_geometry(area)
        if geometry:
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(geometry),
                    "properties": {"code": area.code, "name": area.name, "amount": pounds,
                                   "imd_decile": int(deciles[area.id]) if area.id in deciles else None},
                }
            )  # fmt: skip
    return JsonResponse({"type": "FeatureCollection", "features": features})


@public
def fund_geojson(request: HttpRequest, slug: str) -> JsonResponse:
    fund = _committed(slug)
    return _ward_features([(a.area, a.amount_pounds) for a in fund.awards.select_related("area").order_by("ward_code")])


@requires(Capability.MANAGE_FUND, scope=national)
def fund_preview_geojson(request: HttpRequest, slug: str) -> JsonResponse:
    fund = get_object_or_404(Fund.objects.select_related("eligibility"), slug=slug)
    try:
        allocation = services.preview(fund)
    except services.FundError:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    areas = {a.code: a for a in services.eligible_areas(fund.eligibility)}
    return _ward_features([(areas[a.place.code], a.amount) for a in allocation.awards])


def _plan_actions(plan):
    """action name → (form class, extra form kwargs, handler(form data) that applies it)."""
    from commonground.fund.forms import (
        BudgetLineForm,
        EditorForm,
        MemberForm,
        PriorityForm,
        SpendForm,
        SummaryForm,
        UpdateForm,
    )

    priorities = list(plan.priorities.all())
    lines = list(plan.lines.all())
    by_id = {str(p.id): p for p in priorities}
    line_by_id = {str(line.id): line for line in lines}
    return {
        "summary": (SummaryForm, {}, lambda d, u: plans.update_summary(plan, u, d["partnership_name"], d["summary"])),
        "member": (MemberForm, {}, lambda d, u: plans.add_member(plan, u, d["name"], d["role"], d["is_resident"])),
        "priority": (PriorityForm, {}, lambda d, u: plans.add_priority(plan, u, d["title"], d["description"])),
        "line": (BudgetLineForm, {"priorities": priorities},
                 lambda d, u: plans.add_budget_line(plan, u, d["title"], d["amount"], by_id.get(d["priority"]))),
        "spend": (SpendForm, {"lines": lines},
                  lambda d, u: plans.record_spend(line_by_id[d["line"]], u, d["amount"], d["spent_on"], d["note"])),
        "update": (UpdateForm, {}, lambda d, u: plans.post_update(plan, u, d["text"], d["posted_on"])),
        "editor": (EditorForm, {}, lambda d, u: plans.add_editor(plan, u, d["email"])),
    }  # fmt: skip


@requires(Capability.EDIT_COMMUNITY_PLAN, scope=scope_of_award)
def plan_edit(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """One page, one small form per part of the plan; each posts its own `action`."""
    award = get_object_or_404(Award.objects.select_related("fund"), fund__slug=slug, ward_code=code.upper())
    plan = plans.plan_for(award)
    if not plans.can_edit(request.user, plan):
        raise PermissionDenied("Only this ward's named organisers and fund administrators can edit its plan.")
    actions = _plan_actions(plan)
    is_admin = user_can(request.user, Capability.MANAGE_FUND, places.scope_of(award.area))
    bound_action, bound = request.POST.get("action"), None
    if request.method == "POST":
        if bound_action not in actions or (bound_action == "editor" and not is_admin):
            raise PermissionDenied("Unknown or forbidden plan action.")
        form_class, kwargs, apply = actions[bound_action]
        bound = form_class(request.POST, **kwargs)
        if bound.is_valid():
            try:
                apply(bound.cleaned_data, request.user)
            except plans.PlanError as exc:
                bound.add_error(next(iter(bound.fields)), str(exc))
            else:
                messages.success(request, "Saved")
                return redirect("fund:plan", slug=slug, code=award.ward_code)
    initial = {"summary": {"partnership_name": plan.partnership_name, "summary": plan.summary}}
    forms_by_action = {
        name: bound if name == bound_action and bound is not None
        else form_class(initial=initial.get(name), auto_id=f"{name}-%s", **kwargs)
        for name, (form_class, kwargs, _) in actions.items()
        if name != "editor" or is_admin
    }  # fmt: skip
    if bound is not None:
        bound.auto_id = f"{bound_action}-%s"
    return render(request, "fund/plan_edit.html", {
        "award": award, "plan": plan, "forms": forms_by_action, "form": bound,
        "lines": plans.spent_by_line(plan), "full": plan.priorities.count() >= plans.MAX_PRIORITIES,
    })  # fmt: skip


def scope_of_priority(request: HttpRequest, pk: int, **kwargs) -> Scope | None:
    return places.scope_of(
        get_object_or_404(Priority.objects.select_related("plan__award__area"), pk=pk).plan.award.area
    )


@requires(Capability.EDIT_COMMUNITY_PLAN, scope=scope_of_priority)
def priority_status(request: HttpRequest, pk: int) -> HttpResponse:
    priority = get_object_or_404(Priority.objects.select_related("plan__award__fund"), pk=pk)
    if not plans.can_edit(request.user, priority.plan):
        return HttpResponse(
            "Only the partnership's named organisers and fund administrators may change this plan.", status=403
        )
    initial = {"status": priority.status, "measures": list(priority.measures.all())}
    form = PriorityStatusForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        plans.set_priority_status(
            request.user, priority, form.cleaned_data["status"], list(form.cleaned_data["measures"])
        )
        messages.success(request, f"Saved the status of “{priority.title}”")
        award = priority.plan.award
        return redirect("fund:plan", slug=award.fund.slug, code=award.ward_code)
    context = {"form": form, "title": f"Status of “{priority.title}”", "submit_label": "Save"}
    return render(request, "outcomes/form.html", context)
