"""The places sections of dashboards and reports: the area's indices and its left-behind status
(see commonground.core.sections)."""

from __future__ import annotations

from commonground.core.sections import Section
from commonground.places import services as places
from commonground.places.models import Area, AreaType


def _indices(area: Area) -> tuple[dict | None, dict | None]:
    """IMD and CNI figures of an area, read once for both sections that show them (kept on the instance)."""
    if getattr(area, "_section_indices", None) is None:
        grouped = places.figures(area)
        area._section_indices = (places.deprivation(area, grouped), places.community_need(area, grouped))
    return area._section_indices


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


def left_behind_section(area: Area | None) -> dict | None:
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


SECTIONS = [
    Section("profile", "Profile and indices", 10, profile_section),
    Section("left-behind", "Left-behind status", 20, left_behind_section),
]


def version() -> str:
    """Changes whenever a dataset is loaded, replaced or removed."""
    from django.db.models import Count, Max

    from commonground.places.models import DataSet

    loaded = DataSet.objects.aggregate(n=Count("id"), last=Max("loaded_at"))
    return f"{loaded['n']}|{loaded['last']}"
