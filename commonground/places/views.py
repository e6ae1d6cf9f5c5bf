"""Place pages: the home page, search, area profiles, and the left-behind lists (with downloads)."""

from __future__ import annotations

import csv
import hashlib
import json

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from commonground.accounts.permissions import public
from commonground.core import sections
from commonground.places import outcomes, services
from commonground.places.left_behind import left_behind_areas, with_geometry
from commonground.places.models import Area, AreaType


@public
def area_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    results = services.search(query) if query else None
    types = services.current_types()
    authorities = Area.objects.filter(area_type__level=AreaType.Level.LOCAL_AUTHORITY).filter(
        area_type__in=[t for t in types.values()] + list(AreaType.objects.filter(code__endswith="-demo"))
    )
    regions = Area.objects.filter(area_type=types.get(AreaType.Level.REGION))
    return render(request, "places/area_list.html", {
        "query": query, "results": results, "authorities": authorities.order_by("is_demo", "name"),
        "regions": regions.order_by("name"),
    })  # fmt: skip


@public
def home(request: HttpRequest) -> HttpResponse:
    """A short start: search, a map, the left-behind list and its count, what is happening, every council."""
    left = left_behind_areas()
    return render(request, "core/home.html", {
        "boroughs": services.borough_summaries(),
        "left_behind": left,
        "left_behind_label": services.type_label(left["area_type"]) if left["area_type"] else "",
        "happening": sections.links(None)[:6],
        "national": services.national_data_loaded(),
    })  # fmt: skip


@public
def districts_geojson(request: HttpRequest) -> JsonResponse:
    """The home page's map: England's current districts shaded by IMD decile, or the demo's LSOAs by score."""
    key = "places:districts:" + hashlib.sha256(outcomes.version().encode()).hexdigest()[:16]
    data = cache.get(key)
    if data is None:
        types = services.current_types()
        if services.national_data_loaded():
            areas = Area.objects.filter(area_type=types.get(AreaType.Level.LOCAL_AUTHORITY), is_demo=False)
        else:
            areas = Area.objects.filter(area_type__code="lsoa-demo")
        features = services.features(areas)
        data = {"type": "FeatureCollection", "features": features}
        cache.set(key, data, 3600)
    return JsonResponse(data)


@public
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = services.find_area(code, request.GET.get("type"))
    if area is None:
        raise Http404(f"No area has the code {code}")
    edition = request.GET.get("edition")
    context = services.area_profile(area)
    grouped = services.figures(area)
    imd = services.deprivation(area, grouped, edition)
    need = services.community_need(area, grouped, edition)
    current = services.current_types().get(area.area_type.level)
    context.update(
        other_editions=services.other_editions(area),
        is_older=not area.area_type.is_current and current is not None,
        current_type=current,
        happening=sections.links(area),
        imd=imd,
        need=need,
        left_behind_reason=services.left_behind_reason(area, imd, need),
        has_map=bool(area.geometry) or services.map_areas(area).exclude(geometry="").exists(),
        map_notes=services.map_notes(area),
        population_note=area.area_type.population_note,
    )
    return render(request, "places/area_detail.html", context)


def _left_behind(request: HttpRequest) -> dict:
    return left_behind_areas(request.GET.get("edition"), request.GET.get("geography"),
                                      request.GET.get("sort", "imd_rank"))  # fmt: skip


@public
def left_behind(request: HttpRequest) -> HttpResponse:
    found = _left_behind(request)
    area_type = found["area_type"]
    query = f"edition={found['edition'].key}&geography={area_type.code}" if found["edition"] else ""
    return render(request, "places/left_behind.html", {
        **found, "order": request.GET.get("sort", "imd_rank"), "query": query,
        "plural": services.type_label(area_type) if area_type else "areas",
        "any_demo": any(r["is_demo"] for r in found["rows"]),
        "geography_choices": [(t.code, services.type_label(t)) for t in sorted(
            AreaType.objects.filter(code__in=found["geographies"]), key=lambda t: found["geographies"].index(t.code))],
    })  # fmt: skip


DOWNLOAD_COLUMNS = ["code", "name", "local_authority", "population", "imd_score", "imd_rank", "cni_rank"]


def _filename(found: dict, extension: str) -> str:
    if found["edition"] is None:
        return f"left-behind.{extension}"
    return f"left-behind-{found['edition'].key}-{found['area_type'].code}.{extension}"


@public
def left_behind_csv(request: HttpRequest) -> HttpResponse:
    found = _left_behind(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(found, "csv")}"'
    writer = csv.DictWriter(response, fieldnames=DOWNLOAD_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(found["rows"])
    return response


@public
def left_behind_geojson(request: HttpRequest) -> JsonResponse:
    found = _left_behind(request)
    features = [
        {"type": "Feature", "properties": {k: r[k] for k in [*DOWNLOAD_COLUMNS, "imd_decile"]},
         "geometry": json.loads(r["geometry"])}
        for r in with_geometry(found["rows"]) if r["geometry"]
    ]  # fmt: skip
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Content-Disposition"] = f'attachment; filename="{_filename(found, "geojson")}"'
    return response
