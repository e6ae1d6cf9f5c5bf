"""Sections of the dashboard and the State of the Neighbourhood report, one per capability.

An app adds its section by providing `commonground/<app>/outcomes.py` with

    def section(area: Area | None) -> dict | None      # area None means the nation
    def version() -> str                                # optional: changes when its figures change

returning {"summary": str, "columns": [(key, label), ...], "rows": [dict, ...], "tiles": [...],
"dataset": slug or None}. Until the app exists its section reads "None yet". Sections for places,
the fund and community plans are defined here because those apps came first.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, Sum

from commonground.places.models import Area, AreaType

Provider = Callable[[Area | None], dict | None]


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    order: int
    provider: Provider | None = None
    module: str = ""  # an app's `outcomes` module, looked up when it is installed

    def load(self) -> tuple[Provider | None, Callable[[], str] | None]:
        if self.provider is not None:
            return self.provider, None
        if not self.module or importlib.util.find_spec(self.module.rsplit(".", 1)[0]) is None:
            return None, None
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError:
            return None, None
        return getattr(module, "section", None), getattr(module, "version", None)


REGISTRY: dict[str, Section] = {}


def register(slug: str, title: str, order: int, module: str = "") -> Callable[[Provider], Provider]:
    def decorate(provider: Provider) -> Provider:
        REGISTRY[slug] = Section(slug, title, order, provider, module)
        return provider

    return decorate


def expect(slug: str, title: str, order: int, app: str) -> None:
    """A section another app will provide; 'None yet' until `commonground.<app>.outcomes` exists."""
    REGISTRY.setdefault(slug, Section(slug, title, order, None, f"commonground.{app}.outcomes"))


def collect(area: Area | None) -> list[dict]:
    """Every section's data for an area (or the nation), in report order."""
    _indices_memo.value = None  # figures are read afresh for every dashboard built
    result = []
    for section in sorted(REGISTRY.values(), key=lambda s: s.order):
        provider, _ = section.load()
        base = {
            "slug": section.slug,
            "title": section.title,
            "columns": [],
            "rows": [],
            "tiles": [],
            "dataset": None,
            "summary": "",
        }
        if provider is None:
            result.append({**base, "status": "none_yet", "summary": "None yet."})
            continue
        data = provider(area)
        if data is None:
            result.append({**base, "status": "empty", "summary": "Nothing recorded for this area yet."})
        else:
            result.append({**base, "status": "ok", **data})
    return result


def versions() -> list[str]:
    out = []
    for section in REGISTRY.values():
        _, version = section.load()
        if version is not None:
            out.append(str(version()))
    return out


def _pounds(pence: int | None) -> int:
    return (pence or 0) // 100


# Places: profile, indices and left-behind status ----------------------------------------------------------

_indices_memo = threading.local()


def _indices(area: Area) -> tuple[dict | None, dict | None]:
    """IMD and CNI figures of an area, read once for both of the sections that show them."""
    from commonground.places import services as places

    memo = getattr(_indices_memo, "value", None)
    if memo is None or memo[0] != area.pk:
        grouped = places.figures(area)
        memo = (area.pk, places.deprivation(area, grouped), places.community_need(area, grouped))
        _indices_memo.value = memo
    return memo[1], memo[2]


@register("profile", "Profile and indices", 10)
def profile_section(area: Area | None) -> dict | None:

    if area is None:
        return None
    imd, _ = _indices(area)
    if imd is None:
        return None
    rows = [
        {"figure": "IMD score", "value": round(imd["score"], 3), "note": "higher is more deprived"},
        {"figure": "IMD rank", "value": imd["rank"], "note": f"of {imd['of']:,} (1 is the most deprived)"},
        {"figure": "IMD decile", "value": imd["decile"], "note": "1 is the most deprived 10%"},
    ]
    rows += [
        {"figure": f"{d['name']} score", "value": round(d["score"], 1), "note": f"weight {d['weight_label']}"}
        for d in imd["domains"]
        if d["score"] is not None
    ]
    return {
        "summary": f"{imd['dataset'].name}: {area.name} ranks {imd['rank']:,} of {imd['of']:,} "
        f"(decile {imd['decile']}).",
        "columns": [("figure", "Figure"), ("value", "Value"), ("note", "Note")],
        "rows": rows,
        "dataset": imd["dataset"].slug,
        "tiles": [{"label": "IMD decile", "value": imd["decile"], "unit": "decile", "note": "1 is the most deprived"}],
    }


@register("left-behind", "Left-behind status", 20)
def left_behind_section(area: Area | None) -> dict | None:
    from commonground.places import services as places

    if area is None:
        wards = places.left_behind_wards()
        return {
            "summary": f"{len(wards):,} wards are left behind: in the most deprived 10% on both the IMD and the "
            "Community Needs Index (OCSI for Local Trust, 2019).",
            "columns": [
                ("name", "Ward"),
                ("local_authority", "Local authority"),
                ("imd_rank", "IMD rank"),
                ("cni_rank", "CNI rank"),
            ],
            "rows": [{k: w[k] for k in ("code", "name", "local_authority", "imd_rank", "cni_rank")} for w in wards],
            "tiles": [{"label": "Left-behind wards", "value": len(wards), "unit": "wards", "note": "OCSI 2019 rule"}],
        }
    imd, need = _indices(area)
    reason = places.left_behind_reason(area, imd, need)
    if area.area_type.level == AreaType.Level.LOCAL_AUTHORITY:
        wards = [w for w in places.left_behind_wards() if w["local_authority"] == area.name]
        return {
            "summary": f"{len(wards)} of {area.name}'s wards are left behind.",
            "columns": [("name", "Ward"), ("imd_rank", "IMD rank"), ("cni_rank", "CNI rank")],
            "rows": [{k: w[k] for k in ("code", "name", "imd_rank", "cni_rank")} for w in wards],
            "tiles": [{"label": "Left-behind wards", "value": len(wards), "unit": "wards", "note": "OCSI 2019 rule"}],
        }
    if reason is None:
        return None
    return {
        "summary": reason,
        "columns": [],
        "rows": [],
        "tiles": [
            {
                "label": "Left behind",
                "value": 1 if need["left_behind"] else 0,
                "unit": "yes = 1",
                "note": "most deprived 10% on IMD and CNI",
            }
        ],
    }


# Fund: awards and spend ------------------------------------------------------------------------------------


def _awards(area: Area | None):
    from commonground.fund.models import Award, Fund

    awards = Award.objects.filter(fund__status=Fund.Status.COMMITTED).select_related("fund")
    if area is None:
        return awards
    return awards.filter(Q(area=area) | Q(area__parent=area) | Q(area__parent__parent=area))


@register("fund", "Community Wealth Fund: awards and spend", 30)
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


@register("plan", "Neighbourhood plan: priorities, projects and status", 40)
def plan_section(area: Area | None) -> dict | None:
    from commonground.fund.models import Priority, Spend

    priorities = list(
        Priority.objects.filter(plan__award__in=_awards(area))
        .select_related("plan__award", "outcome")
        .prefetch_related("outcome__measures", "lines")
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
        link = getattr(p, "outcome", None)
        rows.append(
            {
                "name": p.plan.award.ward_name,
                "priority": p.title,
                "status": link.get_status_display() if link else "Not started",
                "measures": ", ".join(m.name for m in link.measures.all()) if link else "",
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


expect("pb", "Participatory budgeting: processes and results", 50, "budgeting")
expect("panels", "Panels held", 60, "panels")
expect("assets", "Assets listed and their clocks", 70, "assets")
