"""The fund's sections of dashboards and reports: awards, payments and the neighbourhood plans they
fund (see commonground.core.sections)."""

from __future__ import annotations

from django.db.models import Max, Q, Sum
from django.urls import reverse

from commonground.core.sections import Section
from commonground.fund.models import Award, CommunityPlan, Disbursement, Fund, Priority, Spend
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places.models import Area, AreaType


def _pounds(pence: int | None) -> int:
    return (pence or 0) // 100


def _awards(area: Area | None):
    awards = Award.objects.filter(fund__status=Fund.Status.COMMITTED).select_related("fund")
    if area is None:
        return awards
    return awards.filter(Q(area=area) | Q(area__parent=area) | Q(area__parent__parent=area))


def fund_section(area: Area | None) -> dict | None:
    awards = list(_awards(area).annotate(paid=Sum("disbursements__amount_pence")).order_by("fund__name", "ward_name"))
    if not awards:
        return None
    total = sum(a.amount_pence for a in awards)
    paid = sum(a.paid or 0 for a in awards)
    rows = [
        {
            "fund": a.fund.name,
            "name": a.ward_name,
            "code": a.ward_code,
            "awarded": _pounds(a.amount_pence),
            "paid": _pounds(a.paid),
            "awarded_unit": "£",
            "paid_unit": "£",
            "period": f"{a.planned_start:%Y}–{a.planned_end:%Y}",
        }
        for a in awards
    ]
    return {
        "summary": f"{len(awards)} award{'s' if len(awards) != 1 else ''}: £{_pounds(total):,} awarded, "
        f"£{_pounds(paid):,} paid so far.",
        "columns": [
            ("name", "Ward"),
            ("fund", "Fund"),
            ("awarded", "Awarded (£)"),
            ("paid", "Paid (£)"),
            ("period", "Years"),
        ],
        "rows": rows,
        "tiles": [
            {"label": "Fund awarded", "value": _pounds(total), "unit": "£", "note": "committed awards"},
            {"label": "Fund paid so far", "value": _pounds(paid), "unit": "£", "note": "payments less returns"},
        ],
    }


def plan_section(area: Area | None) -> dict | None:
    priorities = list(
        Priority.objects.filter(plan__award__in=_awards(area))
        .select_related("plan__award")
        .prefetch_related("measures", "lines")
        .order_by("plan__award__ward_name", "id")
    )
    spent = dict(
        Spend.objects.filter(line__priority__in=priorities)
        .values("line__priority")
        .annotate(total=Sum("amount_pence"))
        .values_list("line__priority", "total")
    )
    rows = []
    for p in priorities:
        rows.append(
            {
                "name": p.plan.award.ward_name,
                "priority": p.title,
                "status": p.get_status_display(),
                "measures": ", ".join(m.name for m in p.measures.all()),
                "projects": ", ".join(line.title for line in p.lines.all()),
                "budget": _pounds(sum(line.amount_pence for line in p.lines.all())),
                "budget_unit": "£",
                "spent": _pounds(spent.get(p.pk)),
                "spent_unit": "£",
            }
        )
    if not rows:
        return None
    return {
        "summary": f"{len(rows)} priorit{'ies' if len(rows) != 1 else 'y'} agreed by the partnership"
        f"{'s' if area is None or area.area_type.level != AreaType.Level.WARD else ''}.",
        "columns": [
            ("name", "Ward"),
            ("priority", "Priority"),
            ("status", "Status"),
            ("measures", "Measures"),
            ("projects", "Funded projects"),
            ("budget", "Budget (£)"),
            ("spent", "Spent (£)"),
        ],
        "rows": rows,
    }


SECTIONS = [
    Section("fund", "Community Wealth Fund: awards and spend", 30, fund_section),
    Section("plan", "Neighbourhood plan: priorities, projects and status", 40, plan_section),
]


def version() -> str:
    """Changes with any commitment, payment, spend, plan or priority."""
    parts = [
        Fund.objects.aggregate(v=Max("committed_at"))["v"],
        Disbursement.objects.aggregate(v=Max("id"))["v"],
        Spend.objects.aggregate(v=Max("id"))["v"],
        CommunityPlan.objects.aggregate(v=Max("updated_at"))["v"],
        Priority.objects.count(),
        Priority.objects.aggregate(v=Max("status_updated_at"))["v"],
    ]
    return "|".join(str(p) for p in parts)


def links(area: Area | None) -> list[tuple[str, str]]:
    """The committed awards in this area, each linked to its page."""
    if area is None:  # the home page's national list: nothing of this app's is listed there
        return []
    return [
        (
            f"{a.fund.name}: £{_pounds(a.amount_pence):,} over {a.fund.years} years",
            reverse("fund:award", args=[a.fund.slug, a.ward_code]),
        )
        for a in _awards(area).order_by("fund__name", "ward_name")
    ]


def awards_in(neighbourhood) -> list[Award]:
    """Committed awards to wards that share an LSOA with the neighbourhood."""
    councils = list(neighbourhood.councils.all())
    candidates = _awards(None).filter(Q(area__parent__in=councils) | Q(area__parent__parent__in=councils))
    return [a for a in candidates.select_related("area__area_type") if neighbourhoods.overlaps(neighbourhood, a.area)]


def neighbourhood_money(neighbourhood) -> list[dict]:
    rows = []
    for award in awards_in(neighbourhood):
        paid = award.disbursements.aggregate(s=Sum("amount_pence"))["s"] or 0
        rows.append({
            "kind": "Community Wealth Fund award", "title": f"{award.fund.name}: {award.ward_name}",
            "url": reverse("fund:award", args=[award.fund.slug, award.ward_code]), "amount_pence": award.amount_pence,
            "spent_pence": paid, "scheduled_pence": award.amount_pence - paid,
            "note": f"Paid over {award.fund.years} years from {award.planned_start:%B %Y}", "source": "fund",
        })  # fmt: skip
    return rows
