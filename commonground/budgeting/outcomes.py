"""The participatory budgeting section of area dashboards and the State of the Neighbourhood report
(see commonground.core.sections)."""

from __future__ import annotations

from django.db.models import Count, Q

from commonground.budgeting.models import Process, Result
from commonground.core.sections import Section
from commonground.delivery import services as delivery
from commonground.places.models import Area


def section(area: Area | None) -> dict | None:
    """Processes held in the area (or in its wards), with what was decided and delivered."""
    processes = Process.objects.exclude(phase=Process.Phase.DRAFT).select_related("area")
    if area is not None:
        processes = processes.filter(Q(area=area) | Q(area__parent=area))
    processes = list(processes.order_by("-created_at"))
    if not processes:
        return None
    results = {r.process_id: r for r in Result.objects.filter(process__in=processes)}
    delivered = {p.pk: delivery.summary(f"pb:{p.slug}:")["complete"] for p in processes}
    rows = []
    for p in processes:
        result = results.get(p.pk)
        rows.append(
            {
                "process": p.title,
                "area": p.area.name if p.area else "",
                "stage": p.get_phase_display(),
                "budget": p.budget,
                "ballots": result.ballots if result else None,
                "funded": len(result.winners) if result else None,
                "spent": result.spent if result else None,
                "delivered": delivered.get(p.pk, 0) if result else None,
            }
        )
    decided = sum(r.spent for r in results.values())
    ballots = sum(r.ballots for r in results.values())
    return {
        "summary": f"{len(processes)} process{'es' if len(processes) != 1 else ''}; residents' votes decided "
        f"how £{decided:,} is spent, from {ballots:,} ballots.",
        "columns": [
            ("process", "Process"),
            ("area", "Area"),
            ("stage", "Stage"),
            ("budget", "Budget (£)"),
            ("ballots", "Ballots"),
            ("funded", "Projects funded"),
            ("spent", "Funded (£)"),
            ("delivered", "Delivered"),
        ],
        "rows": rows,
        "tiles": [
            {"label": "Decided by residents' votes", "value": decided, "unit": "£", "note": "PB projects funded"},
            {"label": "PB ballots cast", "value": ballots, "unit": "", "note": "all processes counted"},
        ],
    }


SECTIONS = [Section("pb", "Participatory budgeting: processes and results", 50, section)]


def version() -> str:
    """Changes whenever a process moves on, is counted, or a winner's delivery record changes."""
    phases = sorted(Process.objects.values_list("phase").annotate(n=Count("id")))
    changes = delivery.summary("pb:")
    return f"pb:{phases}:{Result.objects.count()}:{changes['complete']}:{changes['changed']}"
