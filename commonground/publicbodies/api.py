"""The public bodies API: who records impact assessments, spending and tenders, and where they serve.

Annotations are real objects here (no postponed evaluation): django-ninja reads them.
"""

from django.http import HttpRequest
from ninja import Router, Schema

from commonground.accounts.permissions import public
from commonground.publicbodies.models import PublicBody

router = Router(tags=["public bodies"])


class BodyOut(Schema):
    slug: str
    name: str
    kind: str
    code: str
    councils: list[str]


@router.get("/bodies", response=list[BodyOut], summary="Public bodies")
@public
def bodies(request: HttpRequest) -> list[dict]:
    return [
        {"slug": b.slug, "name": b.name, "kind": b.kind, "code": b.code, "councils": [c.code for c in b.councils.all()]}
        for b in PublicBody.objects.prefetch_related("councils")
    ]
