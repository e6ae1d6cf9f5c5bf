"""The spending API: a place's spending by service and year, and the pooled budgets.

Annotations are real objects here (no postponed evaluation): django-ninja reads them.
"""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from commonground.accounts.permissions import public
from commonground.engine import spend_keys
from commonground.places import services as places
from commonground.spending import pooled_budgets, services
from commonground.spending.models import PooledBudget

router = Router(tags=["spending"])


class SpendLine(Schema):
    who: str
    service: str
    source: str
    basis: str
    by_year_pence: dict[str, int]
    total_pence: int
    shares: list[str]


class PlaceSpending(Schema):
    code: str
    name: str
    key: str
    key_label: str
    total_pence: int
    estimated_pence: int
    residents: int
    lines: list[SpendLine]


class PoolOut(Schema):
    slug: str
    name: str
    lead: str
    partners: list[str]
    councils: list[str]
    neighbourhoods: list[str]
    community_decides: bool
    contributions_pence: int
    invested_pence: int
    expected_saving_pence: int
    observed_saving_pence: int


@router.get("/spending/places/{code}", response=PlaceSpending, summary="Public spending in a district, ward or LSOA")
@public
def place(request: HttpRequest, code: str, key: str = spend_keys.POPULATION) -> dict:
    area = places.find_area(code)
    if area is None:
        raise HttpError(404, f"No area has the code {code}")
    if key not in spend_keys.KEYS:
        raise HttpError(400, f"key must be one of {', '.join(spend_keys.KEYS)}")
    data = services.place_spending(services.area_lsoas(area), key)
    return {
        "code": area.code,
        "name": area.name,
        "key": key,
        "key_label": data["key_label"],
        "total_pence": data["total"],
        "estimated_pence": data["estimated"],
        "residents": data["residents"],
        "lines": [
            {
                **{k: line[k] for k in ("who", "service", "source", "basis", "shares")},
                "by_year_pence": dict(line["cells"]),
                "total_pence": line["total"],
            }
            for line in data["lines"]
        ],
    }


def _pool(p: PooledBudget) -> dict:
    summary = pooled_budgets.pool_summary(p)
    return {
        "slug": p.slug,
        "name": p.name,
        "lead": p.lead.name,
        "partners": [b.name for b in p.partners.all()],
        "councils": p.councils,
        "neighbourhoods": p.neighbourhoods,
        "community_decides": p.community_decides,
        "contributions_pence": summary["total"],
        "invested_pence": summary["invested"],
        "expected_saving_pence": summary["expected_saving"],
        "observed_saving_pence": summary["observed_saving"],
    }


@router.get("/spending/pools", response=list[PoolOut], summary="Pooled budget agreements")
@public
def pools(request: HttpRequest) -> list[dict]:
    return [_pool(p) for p in PooledBudget.objects.select_related("lead")]


@router.get("/spending/pools/{slug}", response=PoolOut, summary="One pooled budget")
@public
def pool(request: HttpRequest, slug: str) -> dict:
    return _pool(get_object_or_404(PooledBudget.objects.select_related("lead"), slug=slug))
