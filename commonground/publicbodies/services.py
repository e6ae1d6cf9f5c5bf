"""Public bodies: made, found, and who may act for them. Other apps ask here; they never read the tables.

A person acts for a body when they are named on it (its members: an NHS trust's or a police force's staff)
or when they run processes for a council it serves (council officers there, site admins). Every change
is audit-logged, naming people by account number only.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.audit.service import record
from commonground.places.models import Area, AreaType
from commonground.publicbodies.models import PublicBody

Kind = PublicBody.Kind


class BodyError(ValueError):
    """A body that cannot be made or changed as asked; the message says why."""


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "body"
    slug, n = base, 2
    while PublicBody.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def councils_named(codes: list[str]) -> list[Area]:
    """The local authorities with these GSS codes; BodyError naming any that is not loaded."""
    wanted = sorted({c.strip().upper() for c in codes if c.strip()})
    found = {a.code: a for a in Area.objects.filter(code__in=wanted, area_type__level=AreaType.Level.LOCAL_AUTHORITY)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise BodyError(f"no loaded local authority has the code {', '.join(missing)}")
    return [found[c] for c in wanted]


@transaction.atomic
def create(actor, name: str, kind: str, code: str = "", council_codes: list[str] = ()) -> PublicBody:
    name = " ".join(name.split())
    if not name:
        raise BodyError("give the body's name")
    if kind not in Kind.values:
        raise BodyError(f"kind must be one of {', '.join(Kind.values)}, not {kind!r}")
    code = code.strip().upper()
    if code and PublicBody.objects.filter(code=code).exists():
        raise BodyError(f"a body with the code {code} is already recorded")
    councils = councils_named(list(council_codes))
    try:
        body = PublicBody.objects.create(name=name[:200], slug=_unique_slug(name), kind=kind, code=code,
                                         is_demo=bool(councils) and all(c.is_demo for c in councils))  # fmt: skip
    except IntegrityError as exc:
        raise BodyError(f"a body with the code {code} was recorded just now") from exc
    body.councils.set(councils)
    record(
        actor, "publicbodies.create", body, after={"kind": kind, "code": code, "councils": [c.code for c in councils]}
    )
    return body


def council_body(actor, council: Area) -> PublicBody:
    """The body standing for a local authority, recorded the first time it is needed."""
    existing = PublicBody.objects.filter(code=council.code).first()
    if existing is not None:
        return existing
    name = council.name if council.name.lower().endswith("council") else f"{council.name} Council"
    return create(actor, name, Kind.COUNCIL, council.code, [council.code])


def scope_of(body: PublicBody) -> Scope:
    return Scope.of(body.councils.values_list("code", flat=True))


def acts_for(user, body: PublicBody) -> bool:
    """Whether this person may act for the body: named on it, or running processes for a council it serves."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if body.members.filter(pk=user.pk).exists():
        return True
    return user_can(user, Capability.RUN_PROCESSES, scope_of(body))


def acts_for_any(user, bodies) -> bool:
    return any(acts_for(user, b) for b in bodies)


def bodies_for(user) -> list[PublicBody]:
    """Every recorded body this person may act for."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [b for b in PublicBody.objects.prefetch_related("councils") if acts_for(user, b)]


def choices_for(user) -> list[tuple[str, str]]:
    """What a person may pick as the body acting: the bodies they act for, then the councils they are an
    officer of that are not recorded as bodies yet ("council:GSS", made when chosen)."""
    choices = [(f"body:{b.slug}", b.name) for b in bodies_for(user)]
    recorded = set(PublicBody.objects.exclude(code="").values_list("code", flat=True))
    councils = Area.objects.filter(area_type__level=AreaType.Level.LOCAL_AUTHORITY).exclude(code__in=recorded)
    for council in councils.order_by("name")[:500]:
        if user_can(user, Capability.RUN_PROCESSES, Scope.of([council.code])):
            name = council.name if council.name.lower().endswith("council") else f"{council.name} Council"
            choices.append((f"council:{council.code}", name))
    return choices


def chosen(actor, value: str) -> PublicBody:
    """The body picked from `choices_for` (recording a council's body on first use); BodyError if the person
    may not act for it."""
    kind, _, key = value.partition(":")
    if kind == "body":
        body = PublicBody.objects.filter(slug=key).first()
    elif kind == "council":
        council = Area.objects.filter(code=key, area_type__level=AreaType.Level.LOCAL_AUTHORITY).first()
        if council is None or not user_can(actor, Capability.RUN_PROCESSES, Scope.of([council.code])):
            raise BodyError("choose a council you work for")
        body = council_body(actor, council)
    else:
        body = None
    if body is None or not acts_for(actor, body):
        raise BodyError("choose a body you act for")
    return body


def find(text: str) -> PublicBody | None:
    """A body by its slug, its code or its exact name (case does not matter)."""
    text = " ".join(text.split())
    if not text:
        return None
    return (
        PublicBody.objects.filter(slug=text.lower()).first()
        or PublicBody.objects.filter(code=text.upper()).exclude(code="").first()
        or PublicBody.objects.filter(name__iexact=text).first()
    )


@transaction.atomic
def add_member(actor, body: PublicBody, user) -> bool:
    if body.members.filter(pk=user.pk).exists():
        return False
    body.members.add(user)
    record(actor, "publicbodies.add_member", body, after={"member": f"account {user.pk}"})
    return True


@transaction.atomic
def remove_member(actor, body: PublicBody, user) -> bool:
    if not body.members.filter(pk=user.pk).exists():
        return False
    body.members.remove(user)
    record(actor, "publicbodies.remove_member", body, before={"member": f"account {user.pk}"})
    return True


def for_councils(codes: list[str]) -> list[PublicBody]:
    """Bodies serving any of these local authorities' areas."""
    return list(PublicBody.objects.filter(councils__code__in=codes).prefetch_related("councils").distinct())


def all_bodies():
    return PublicBody.objects.prefetch_related("councils").order_by("name")


def by_slugs(slugs: list[str]) -> list[PublicBody]:
    return list(PublicBody.objects.filter(slug__in=slugs))
