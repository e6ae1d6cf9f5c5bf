"""A council's settings for its asset cases: its local authority area, planning.data organisation and rule set."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.text import slugify

from commonground.assets.models import (
    Council,
)
from commonground.assets.services import AssetError
from commonground.audit.service import record
from commonground.engine import clocks
from commonground.places.models import Area, AreaType

CURIE = re.compile(r"^[a-z][a-z0-9-]*:[A-Za-z0-9][A-Za-z0-9._-]*$")


def local_authority(code: str) -> Area:
    """The loaded local authority area with this GSS code, or AssetError saying none is loaded."""
    code = code.strip().upper()
    area = (
        Area.objects.filter(code=code, area_type__level=AreaType.Level.LOCAL_AUTHORITY)
        .select_related("area_type")
        .order_by("-area_type_id")
        .first()
    )
    if area is None:
        raise AssetError(f"no local authority area with the code {code!r} is loaded (load the areas first)")
    return area


def set_council(
    actor, council: Council, *, code: str | None = None, organisation: str | None = None, ruleset: str | None = None
) -> Council:
    """Give a council its local authority area (GSS code), planning.data organisation or rule set; audited."""
    with transaction.atomic():
        council = Council.objects.select_for_update().get(pk=council.pk)
        before = {"code": council.area.code if council.area_id else "", "organisation": council.organisation,
                  "ruleset": council.ruleset}  # fmt: skip
        if code is not None:
            council.area = local_authority(code) if code.strip() else None
        if organisation is not None:
            organisation = organisation.strip()
            if organisation and not CURIE.match(organisation):
                raise AssetError(f"{organisation!r} is not an organisation like local-authority:CMD")
            council.organisation = organisation
        if ruleset is not None:
            try:
                council.ruleset = clocks.ruleset(ruleset).key
            except ValueError as exc:
                raise AssetError(str(exc)) from None
        council.save()
        after = {"code": council.area.code if council.area_id else "", "organisation": council.organisation,
                 "ruleset": council.ruleset}  # fmt: skip
        record(actor, "assets.council", council, before=before, after=after)
    return council


def council_named(name: str) -> Council:
    name = " ".join(name.split())
    council = Council.objects.filter(name__iexact=name).first()
    if council is None:
        council = Council.objects.create(name=name, slug=slugify(name)[:80] or "council")
    return council
