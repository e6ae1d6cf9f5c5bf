"""The accounts API: who is signed in.

Annotations are real objects here (no postponed evaluation): django-ninja reads them through the
permission wrappers.
"""

from django.http import HttpRequest
from ninja import Router, Schema

from commonground.accounts.permissions import requires
from commonground.accounts.roles import Capability

router = Router(tags=["accounts"])


class Me(Schema):
    email: str
    full_name: str
    roles: list[str]


@router.get("/me", response=Me, summary="The signed-in user", tags=["accounts"])
@requires(Capability.USE_ACCOUNT)
def me(request: HttpRequest):
    user = request.user
    return {"email": user.email, "full_name": user.full_name, "roles": sorted(user.roles)}
