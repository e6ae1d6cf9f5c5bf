"""Place pages: search, area profiles, and the national left-behind list (with downloads)."""

from __future__ import annotations

import csv
import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from commonground.accounts.permissions import public
from commonground.core import sections
from commonground.places import services
from commonground.places.models import Area, AreaType


@public
def area_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    results = services.search(query) if query else None
    authorities = Area.objects.filter(area_type__level=AreaType.Level.LOCAL_AUTHORITY).order_by("name")
    regions = Area.objects.filter(area_type__level=AreaType.Level.REGION).order_by("name")
    return render(request, "places/area_list.html",
                  {"query": query, "results": results, "authorities": authorities, "regions": regions})  # fmt: skip


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"boroughs": services.borough_summaries()})


@public
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = services.find_area(code, request.GET.get("type"))
    if area is None:
        raise Http404(f"No area has the code {code}")
    context = services.area_profile(area)
    context["other_vintages"] = Area.objects.filter(code=area.code).exclude(pk=area.pk).select_related("area_type")
    grouped = services.figures(area)
    imd = services.deprivation(area, grouped)
    need = services.community_need(area, grouped)
    context.update(
        happening=sections.links(area),
        imd=imd,
        need=need,
        left_behind_reason=services.left_behind_reason(area, imd, need),
        has_map=bool(area.geometry) or area.children.exclude(geometry="").exists()
        or Area.objects.filter(parent__parent=area).exclude(geometry="").exists(),
    )  # fmt: skip
    return render(request, "places/area_detail.html", context)


@public
def left_behind(request: HttpRequest) -> HttpResponse:
    order = request.GET.get("sort", "imd_rank")
    wards = services.left_behind_wards(order)
    return render(request, "places/left_behind.html", {"wards": wards, "order": order,
                                                        "any_demo": any(w["is_demo"] for w in wards)})  # fmt: skip


DOWNLOAD_COLUMNS = ["code", "name", "local_authority", "population", "imd_score", "imd_rank", "cni_rank"]


@public
def left_behind_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="left-behind-wards.csv"'
    writer = csv.DictWriter(response, fieldnames=DOWNLOAD_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(services.left_behind_wards())
    return response


@public
def left_behind_geojson(request: HttpRequest) -> JsonResponse:
    features = [
        {"type": "Feature", "properties": {k: w[k] for k in [*DOWNLOAD_COLUMNS, "imd_decile"]},
         "geometry": json.loads(w["geometry"])}
        for w in services.left_behind_wards() if w["geometry"]
    ]  # fmt: skip
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Content-Disposition"] = 'attachment; filename="left-behind-wards.geojson"'
    return response
