"""Account changes other code may call: sign-up and role changes, each audit-logged."""

from __future__ import annotations

from django.db import transaction

from commonground.accounts.models import RoleGrant, User
from commonground.accounts.roles import Role
from commonground.accounts.scopes import SITE, parse
from commonground.audit.service import record


@transaction.atomic
def sign_up(email: str, full_name: str, password: str) -> User:
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    record(user, "accounts.sign_up", user, after={"roles": sorted(user.roles)})
    return user


@transaction.atomic
def set_roles(
    actor: User, user: User, roles: set[Role], allowed: frozenset[Role], scope: str = SITE, councils: tuple = ()
) -> bool:
    """Grant and revoke, in one scope, roles within `allowed` (what the actor may hand out there); True if
    anything changed. `councils` are a neighbourhood scope's councils (its residents' open processes).

    Site admins also get the Django admin (staff and superuser flags follow the site-wide role).
    """
    scope = parse(scope)
    before = {Role(g.role) for g in user.grants if g.scope == scope}
    wanted = (before - allowed) | (roles & allowed)
    if scope == SITE:
        wanted.add(Role.RESIDENT)
    if wanted == before:
        return False
    RoleGrant.objects.filter(user=user, scope=scope, role__in=[r.value for r in before - wanted]).delete()
    for role in sorted(wanted - before):  # one by one: the neighbourhoods app fills a neighbourhood's councils on save
        RoleGrant.objects.create(user=user, role=role.value, scope=scope, councils=",".join(sorted(councils)))
    user.forget_grants()
    is_admin = any(g.role == Role.SITE_ADMIN and g.scope == SITE for g in user.grants)
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    record(
        actor, "accounts.set_roles", user,
        before={"scope": scope, "roles": sorted(before)}, after={"scope": scope, "roles": sorted(wanted)},
    )  # fmt: skip
    return True


def granting_scopes(actor: User) -> dict[str, frozenset[Role]]:
    """For each scope where the actor may hand out roles, the roles they may hand out there."""
    from commonground.accounts.roles import CAPABILITIES, GRANTABLE_BY

    found: dict[str, set[Role]] = {}
    for grant in actor.grants:
        for capability, roles in GRANTABLE_BY.items():
            if Role(grant.role) in CAPABILITIES[capability]:
                found.setdefault(grant.scope, set()).update(roles)
    return {scope: frozenset(roles) for scope, roles in sorted(found.items())}
