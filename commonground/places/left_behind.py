"""The left-behind lists (IMD and community need together), by edition and geography, apart from the other queries."""

from __future__ import annotations

from dataclasses import dataclass

from commonground.places import national
from commonground.places.models import Area, AreaType, AreaValue, DataSet
from commonground.places.services import combined_geometry, type_label


@dataclass(frozen=True)
class LeftBehindEdition:
    key: str
    imd: str  # the IMD edition's dataset
    needs: tuple[str, ...]  # community-need datasets, in order of preference
    geographies: tuple[str, ...]  # area types it is listed for, the default first
    title: str


LEFT_BEHIND_EDITIONS = (
    LeftBehindEdition("2025", "imd2025", ("cni2023", "need-proxy-2025"), ("ward24", "lsoa21", "msoa21", "lad24"),
                      "IoD 2025 and community need on the 2021 geography"),
    LeftBehindEdition("2019", "imd2019", ("cni2019",), ("ward17",),
                      "IoD 2019 and CNI 2019 at 2017 wards (the historical list, OCSI for Local Trust)"),
    LeftBehindEdition("demo", "demo-imd", ("demo-cni",), ("ward-demo",), "Demo Borough (invented figures)"),
)  # fmt: skip


def left_behind_editions() -> list[tuple[LeftBehindEdition, DataSet]]:
    """The editions of the left-behind list that the loaded data can give, with the need index each uses."""
    loaded = {d.slug: d for d in DataSet.objects.filter(measures__slug="left_behind").distinct()}
    found = []
    for edition in LEFT_BEHIND_EDITIONS:
        need = next((loaded[s] for s in edition.needs if s in loaded), None)
        if need is not None:
            found.append((edition, need))
    return found


def left_behind_areas(edition: str | None = None, geography: str | None = None, order: str = "imd_rank",
                      within: Area | None = None) -> dict:  # fmt: skip
    """The left-behind areas of one edition and geography (never two editions mixed), each with both ranks;
    by default the latest national edition at its first geography. Rows are ordered by a column name.
    `within`: only the areas whose parent it is (a council's wards)."""
    available = left_behind_editions()
    if not available:
        return {"edition": None, "need": None, "imd": None, "area_type": None, "rows": [], "rule": "",
                "editions": [], "geographies": []}  # fmt: skip
    chosen, need = next(((e, n) for e, n in available if e.key == edition), available[0])
    # Both scan the national tables (50-70 ms each), so they are stored per data version (places.national).
    loaded = set(national.stored(f"left-behind:types:{chosen.key}", lambda: list(
        AreaType.objects.filter(code__in=chosen.geographies, areas__isnull=False).values_list("code", flat=True)
        .distinct())))  # fmt: skip
    geographies = [g for g in chosen.geographies if g in loaded]
    type_code = geography if geography in geographies else (geographies[0] if geographies else chosen.geographies[0])
    area_type = AreaType.objects.filter(code=type_code).first()
    ids = national.stored(f"left-behind:{need.pk}:{type_code}", lambda: list(AreaValue.objects.filter(
        measure__slug="left_behind", measure__dataset=need, value=1, area__area_type__code=type_code,
    ).values_list("area_id", flat=True)))  # fmt: skip
    areas = Area.objects.filter(id__in=ids).select_related(  # council() reads each parent's type: no query each
        "area_type", "parent__area_type", "parent__parent__area_type"
    )
    if within is not None:
        areas = areas.filter(parent=within)
        ids = list(areas.values_list("id", flat=True))
    wanted = AreaValue.objects.filter(
        area_id__in=ids, measure__slug__in=["imd_rank", "imd_score", "imd_decile", "cni_rank"],
        measure__dataset__slug__in=[chosen.imd, need.slug],
    ).values_list("area_id", "measure__slug", "value")  # fmt: skip
    ranks = {(a, slug): v for a, slug, v in wanted}

    def council(area: Area) -> str:
        if area.area_type.level == AreaType.Level.LOCAL_AUTHORITY:
            return area.name
        parent = area.parent
        while parent is not None and parent.area_type.level != AreaType.Level.LOCAL_AUTHORITY:
            parent = parent.parent
        return parent.name if parent else ""

    rows = []
    for a in areas:
        rank = {slug: ranks.get((a.id, slug)) for slug in ("imd_rank", "imd_score", "imd_decile", "cni_rank")}
        rows.append({
            "code": a.code, "name": a.name, "local_authority": council(a), "population": a.population,
            "imd_score": rank["imd_score"],
            "imd_rank": None if rank["imd_rank"] is None else int(rank["imd_rank"]),
            "cni_rank": None if rank["cni_rank"] is None else int(rank["cni_rank"]),
            "imd_decile": None if rank["imd_decile"] is None else int(rank["imd_decile"]),
            "is_demo": a.is_demo, "url": a.get_absolute_url(), "area": a,
        })  # fmt: skip
    key = order if order in {"name", "local_authority", "population", "imd_rank", "cni_rank"} else "imd_rank"
    rows.sort(key=lambda r: (r[key] is None, r[key] if r[key] is not None else 0, r["name"]))
    return {"edition": chosen, "need": need, "imd": DataSet.objects.filter(slug=chosen.imd).first(),
            "area_type": area_type, "rows": rows,
            "rule": _rule(chosen, need, area_type), "editions": [e for e, _ in available],
            "geographies": geographies}  # fmt: skip


def _rule(edition: LeftBehindEdition, need: DataSet, area_type: AreaType | None) -> str:
    """The left-behind rule of an edition in one sentence, naming both indices' editions."""
    plural = type_label(area_type) if area_type else "areas"
    if need.is_demo:
        return (f"In the top quarter of {plural} on both the demo deprivation and community-need figures (with 12 "
                "wards, 10% would be one ward).")  # fmt: skip
    imd = DataSet.objects.filter(slug=edition.imd).first()
    proxy = " (an open proxy built from IoD indicators, not OCSI's CNI)" if need.slug == "need-proxy-2025" else ""
    return (f"In the most deprived 10% of {plural} in England on both the {imd.edition_label if imd else edition.imd} "
            f"IMD and the {need.edition_label}{proxy}.")  # fmt: skip


def left_behind_within(area: Area) -> dict | None:
    """The left-behind wards of a local authority, in the edition of the authority's own geography."""
    ward_types = set(area.children.filter(area_type__level=AreaType.Level.WARD).values_list("area_type__code",
                                                                                             flat=True))  # fmt: skip
    edition = next((e for e in LEFT_BEHIND_EDITIONS if ward_types & set(e.geographies)), None)
    if edition is None:
        return None
    found = left_behind_areas(edition.key, next(g for g in edition.geographies if g in ward_types), within=area)
    if found["edition"] is None or found["edition"].key != edition.key:
        return None
    return found


def with_geometry(rows: list[dict]) -> list[dict]:
    """The rows with each area's boundary (drawn from its LSOAs where none is loaded), for maps and GeoJSON."""
    return [{**r, "geometry": r["area"].geometry or combined_geometry(r["area"])} for r in rows]
