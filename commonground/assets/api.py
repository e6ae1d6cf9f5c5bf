"""The assets API: the public register of assets of community value (what s.97(2) of the Localism Act 2011 says
an entry must reveal, with where each is) as JSON and GeoJSON. Withdrawn nominations are not on it.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema, Status

from commonground.accounts.permissions import public
from commonground.core.api import Problem

router = Router(tags=["assets"])


class AssetOut(Schema):
    id: int
    name: str
    address: str
    postcode: str
    council: str
    status: str
    ruleset: str
    listed_on: str
    listing_last_day: str
    disposal_notice_on: str
    interim_moratorium_last_day: str
    full_moratorium_last_day: str
    protected_period_last_day: str
    latitude: float | None
    longitude: float | None
    url: str


def _row(asset, on) -> dict:
    from commonground.assets import public_register

    row = public_register.register_row(asset, on)
    return {**row, "latitude": asset.latitude, "longitude": asset.longitude, "url": f"/assets/{asset.pk}/"}


@router.get(
    "/assets",
    response=list[AssetOut],
    summary="The public register of assets of community value, with their statutory dates",
    description="Filter by council slug (`council`) or status (`status`). Dates are ISO dates, or empty when the "
    "period has not started.",
)
@public
def asset_list(request: HttpRequest, council: str = "", status: str = ""):
    from commonground.assets import public_register, services

    today = services.today()
    assets = public_register.register(council=council[:80], status=status[:20]).order_by("name", "id")
    return [_row(a, today) for a in assets]


@router.get(
    "/assets/map",
    summary="The public register as GeoJSON: every asset with a map point",
    url_name="assets_map",
)
@public
def asset_map(request: HttpRequest):
    from commonground.assets import public_register, services

    data = public_register.register_geojson(public_register.register().order_by("name", "id"), services.today())
    return JsonResponse(data, content_type="application/geo+json")


@router.get("/assets/{asset_id}", response={200: AssetOut, 404: Problem}, summary="One asset on the public register")
@public
def asset_detail(request: HttpRequest, asset_id: int):
    from commonground.assets import public_register, services

    asset = public_register.register().filter(pk=asset_id).first()
    if asset is None:
        return Status(404, {"detail": f"No asset {asset_id} on the register"})
    return Status(200, _row(asset, services.today()))
