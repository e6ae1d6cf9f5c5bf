"""`commonground users`: manage accounts from the command line."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from commonground.accounts.roles import Role
from commonground.terminal import fail, out, require_schema, setup_django

app = typer.Typer(help="Manage accounts from the command line.", no_args_is_help=True, add_completion=False)


@app.command("create")
def users_create(
    email: Annotated[str, typer.Argument(help="Email address to sign in with.")],
    full_name: Annotated[str, typer.Option("--name", help="Full name.")],
    role: Annotated[list[str], typer.Option(help=f"Role to grant (repeatable): {', '.join(Role)}.")] = [],  # noqa: B006
    scope: Annotated[
        str,
        typer.Option(
            help="Where the roles are held: site, council:GSS (e.g. council:E06000001) or neighbourhood:SLUG."
        ),
    ] = "site",
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Create an account with roles held site-wide, for one council or for one neighbourhood (e.g. the
    first site admin)."""
    setup_django()
    require_schema()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.db import transaction

    from commonground.accounts import scopes, services
    from commonground.accounts.models import User

    try:
        roles = {Role(r) for r in role}
    except ValueError:
        fail(f"--role must be one of: {', '.join(r.value for r in Role)}")
    try:
        scope = scopes.parse(scope)
    except scopes.ScopeError as exc:
        fail(f"--scope: {exc}")
    councils = _councils_of_scope(scope)
    try:
        validate_email(email)
    except ValidationError:
        fail(f"{email!r} is not a valid email address")
    if User.objects.filter(email__iexact=email).exists():
        fail(f"an account with the email address {email} already exists")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt("Password", hide_input=True)
    try:
        validate_password(password, User(email=email, full_name=full_name))
    except ValidationError as exc:
        fail(" ".join(exc.messages))
    with transaction.atomic():
        user = services.sign_up(email, full_name, password)
        if scope != scopes.SITE:
            services.set_roles("commonground users create", user, roles, frozenset(Role), scope, councils)
        else:
            services.set_roles("commonground users create", user, roles, frozenset(Role))
    held = ", ".join(f"{g.role} ({scopes.label(g.scope)})" for g in user.grants)
    out.print(f"Created {user.email} with roles: {held}")


def _councils_of_scope(scope: str) -> tuple[str, ...]:
    """Check a council or neighbourhood scope names something loaded; a neighbourhood's councils."""
    kind, _, key = scope.partition(":")
    if kind == "council":
        from commonground.places.services import find_area

        area = find_area(key)
        if area is None or area.area_type.level != "local_authority":
            fail(f"--scope: no local authority with the code {key} is loaded")
        return (key,)
    if kind == "neighbourhood":
        from commonground.neighbourhoods.services import councils_of

        try:
            return tuple(councils_of(key))
        except LookupError as exc:
            fail(f"--scope: {exc}")
    return ()
