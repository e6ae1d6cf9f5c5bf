"""The places sections of dashboards and reports: the area's indices and its left-behind status
(see commonground.core.sections)."""

from __future__ import annotations

from commonground.core.sections import Section
from commonground.places import left_behind
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
    edition = imd["edition"]
    rows = [{"figure": f"IMD score ({edition})", "value": round(imd["score"], 3), "note": "higher is more deprived"}]
    if imd["rank"] is not None:
        rows.append({"figure": f"IMD rank ({edition})", "value": imd["rank"],
                     "note": f"of {imd['among']} (1 is the most deprived)"})  # fmt: skip
    if imd["decile"] is not None:
        rows.append({"figure": f"IMD decile ({edition})", "value": imd["decile"], "note": "1 is the most deprived 10%"})
    rows += [
        {"figure": f"{d['name']} score", "value": round(d["score"], 1), "note": f"weight {d['weight_label']}"}
        for d in imd["domains"]
        if d["score"] is not None
    ]
    if imd["rank"] is None:
        summary = f"{edition}: {area.name} is the only {imd['kind']} here, so it has no rank."
    else:
        decile = f" (decile {imd['decile']})" if imd["decile"] is not None else ""
        summary = f"{edition}: {area.name} ranks {imd['rank']:,} of {imd['among']}{decile}."
    tiles = []
    if imd["decile"] is not None:
        tiles.append({"label": "IMD decile", "value": imd["decile"], "unit": "decile",
                      "note": f"{edition}; 1 is the most deprived"})  # fmt: skip
    return {
        "summary": summary,
        "columns": [("figure", "Figure"), ("value", "Value"), ("note", "Note")],
        "rows": rows,
        "dataset": imd["dataset"].slug,
        "tiles": tiles,
    }


def _list_section(found: dict, summary: str) -> dict:
    if found["need"].is_demo:
        rule = "demo rule: top quarter on both"
    else:
        rule = f"most deprived 10% on both {found['imd'].edition_label} and {found['need'].edition_label}"
    return {
        "summary": summary,
        "columns": [
            ("name", "Name"),
            ("local_authority", "Local authority"),
            ("imd_rank", "IMD rank"),
            ("cni_rank", "Community need rank"),
        ],  # fmt: skip
        "rows": [{k: r[k] for k in ("code", "name", "local_authority", "imd_rank", "cni_rank")} for r in found["rows"]],
        "tiles": [
            {
                "label": f"Left-behind {places.type_label(found['area_type'])}",
                "value": len(found["rows"]),
                "unit": "",
                "note": rule,
            }
        ],  # fmt: skip
    }


def left_behind_section(area: Area | None) -> dict | None:
    if area is None:
        found = left_behind.left_behind_areas()
        if found["edition"] is None:
            return None
        plural = places.type_label(found["area_type"])
        return _list_section(found, f"{len(found['rows']):,} {plural} are left behind. {found['rule']}")
    if area.area_type.level == AreaType.Level.LOCAL_AUTHORITY:
        found = left_behind.left_behind_within(area)
        if found is None:
            return None
        plural = places.type_label(found["area_type"])
        return _list_section(found, f"{len(found['rows'])} of {area.name}'s {plural} are left behind. {found['rule']}")
    imd, need = _indices(area)
    reason = places.left_behind_reason(area, imd, need)
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
                "note": f"most deprived 10% on {imd['edition']} and {need['edition']}",
            }
        ],
    }


SECTIONS = [
    Section("profile", "Profile and indices", 10, profile_section),
    Section("left-behind", "Left-behind status", 20, left_behind_section),
]


def version() -> str:
    """Changes whenever a dataset is loaded, replaced or removed."""
    from commonground.places import national

    return national.version()
