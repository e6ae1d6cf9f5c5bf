from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from commonground.accounts.permissions import public
from commonground.places.models import Area, AreaType
from commonground.places.services import area_profile, find_area


@public
def area_list(request: HttpRequest) -> HttpResponse:
    authorities = Area.objects.filter(area_type__level=AreaType.Level.LOCAL_AUTHORITY).prefetch_related("children")
    return render(request, "places/area_list.html", {"authorities": authorities})


@public
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = find_area(code)
    if area is None:
        raise Http404(f"No area has the code {code}")
    return render(request, "places/area_detail.html", area_profile(area))
