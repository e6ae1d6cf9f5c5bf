"""Account changes other code may call: sign-up, throttled sign-in and role changes, each audit-logged."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest

from commonground.accounts.models import RoleGrant, User
from commonground.accounts.roles import Role
from commonground.accounts.scopes import SITE, parse
from commonground.audit.service import record
from commonground.voting import limits

# Failed sign-ins allowed in a quarter hour, against password guessing: per account, as NCSC password
# guidance advises (about 10 tries before a lock-out), and per client address, higher because a
# library or an office may share one. Counted in the database, so every web worker sees the same count.
SIGN_IN_ATTEMPTS = {
    "account": limits.Limit("accounts.sign-in-account", allowed=10, window=15 * 60),
    "address": limits.Limit("accounts.sign-in-address", allowed=100, window=15 * 60),
}


class SignInLocked(Exception):
    """Too many failed sign-ins for this account or from this address; the message says when to try again."""

    def __init__(self, refused: limits.Refused) -> None:
        self.resets_at = refused.resets_at
        super().__init__(f"Too many failed attempts to sign in. {refused.try_again()}")


@transaction.atomic
def sign_up(email: str, full_name: str, password: str) -> User:
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    record(user, "accounts.sign_up", user, after={"roles": sorted(user.roles)})
    return user


def sign_in(request: HttpRequest, email: str, password: str) -> User | None:
    """The account these credentials open, or None; raises SignInLocked when over SIGN_IN_ATTEMPTS.

    Every try is counted before the password is checked, so concurrent guesses cannot slip under the
    limit; a success gives the address its try back and clears the account's failures. The same
    happens for an email with no account, so the answer never tells whether an account exists."""
    try:
        account, address = limits.take(
            (SIGN_IN_ATTEMPTS["account"], email.strip().lower()),
            (SIGN_IN_ATTEMPTS["address"], limits.address(request)),
        )
    except limits.Refused as refused:
        _audit_lock_out(email, refused)
        raise SignInLocked(refused) from None
    user = authenticate(request, username=email, password=password)
    if user is not None:
        limits.reset(account)
        limits.refund(address)
    return user


def _audit_lock_out(email: str, refused: limits.Refused) -> None:
    """Record each lock-out once, when it starts. UK GDPR Art. 5(1)(c), data minimisation: the record
    names the account by its id only, and holds nothing typed (no email for a missing account, no
    password, no address)."""
    for scope, attempt in zip(SIGN_IN_ATTEMPTS, refused.attempts, strict=True):
        if attempt.first_refused:
            account = User.objects.filter(email__iexact=email.strip()).values_list("pk", flat=True).first()
            named = scope == "account" and account is not None
            record(
                None,
                "accounts.sign_in_locked",
                object_type="accounts.User" if named else "",
                object_id=str(account) if named else "",
                after={"by": scope, "until": attempt.resets_at.isoformat(timespec="seconds")},
            )


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


CONFIRM_SALT = "commonground.accounts.confirm-email"
CONFIRM_DAYS = 3


def ask_to_sign_up(email: str, full_name: str, password: str, confirm_url) -> None:
    """Sign-up that does not tell a visitor whether an address already has an account (issue 19): a new
    address gets an inactive account and a link to confirm it; an address in use gets an email saying so.
    Either way the page says the same thing and the password is hashed once, so the time is the same."""
    from django.contrib.auth.hashers import make_password
    from django.core import signing
    from django.core.mail import send_mail

    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and existing.is_active:
        make_password(password)
        send_mail("You already have a Common Ground account",
                  "Someone, perhaps you, tried to create an account with this email address, which already has one.\n"
                  "Sign in, or reset your password if you have forgotten it. If it was not you, you need do nothing.",
                  None, [existing.email])  # fmt: skip
        return
    with transaction.atomic():
        if existing is None:
            user = User.objects.create_user(email=email, password=password, full_name=full_name, is_active=False)
            record(user, "accounts.sign_up", user, after={"roles": sorted(user.roles), "confirmed": False})
        else:  # asked again before confirming: the latest password and name count
            user = existing
            user.set_password(password)
            user.full_name = full_name
            user.save(update_fields=["password", "full_name"])
    token = signing.dumps(user.pk, salt=CONFIRM_SALT)
    send_mail("Confirm your Common Ground account",
              f"Confirm your email address to finish creating your account:\n\n{confirm_url(token)}\n\n"
              f"The link works for {CONFIRM_DAYS} days. If you did not ask for an account, ignore this email.",
              None, [user.email])  # fmt: skip


def confirm_sign_up(token: str) -> User | None:
    """The account a confirmation link names, made active; None when the link is wrong or too old."""
    from django.core import signing

    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_DAYS * 86400)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        return None
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        record(user, "accounts.confirm_email", user)
    return user
