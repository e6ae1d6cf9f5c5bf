"""Account changes other code may call: sign-up and role changes, each audit-logged."""

from __future__ import annotations

from django.db import transaction

from commonground.accounts.models import RoleGrant, User
from commonground.accounts.roles import Role
from commonground.audit.service import record


@transaction.atomic
def sign_up(email: str, full_name: str, password: str) -> User:
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    record(user, "accounts.sign_up", user, after={"email": user.email, "roles": sorted(user.roles)})
    return user


@transaction.atomic
def set_roles(actor: User, user: User, roles: set[Role], allowed: frozenset[Role]) -> bool:
    """Grant and revoke roles within `allowed` (what the actor may hand out); True if anything changed.

    Site admins also get the Django admin (staff and superuser flags follow the role).
    """
    before = set(user.roles)
    wanted = (before - allowed) | (roles & allowed)
    wanted.add(Role.RESIDENT)
    if wanted == before:
        return False
    RoleGrant.objects.filter(user=user, role__in=[r.value for r in before - wanted]).delete()
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r.value) for r in wanted - before])
    is_admin = Role.SITE_ADMIN in wanted
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    if hasattr(user, "_roles_cache"):
        del user._roles_cache
    record(actor, "accounts.set_roles", user, before={"roles": sorted(before)}, after={"roles": sorted(wanted)})
    return True
