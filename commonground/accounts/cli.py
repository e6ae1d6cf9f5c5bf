"""`commonground users`: manage accounts from the command line."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from commonground.terminal import fail, out, require_schema, setup_django

app = typer.Typer(help="Manage accounts from the command line.", no_args_is_help=True, add_completion=False)


@app.command("create")
def users_create(
    email: Annotated[str, typer.Argument(help="Email address to sign in with.")],
    full_name: Annotated[str, typer.Option("--name", help="Full name.")],
    role: Annotated[list[str], typer.Option(help="Role to grant (repeatable).")] = [],  # noqa: B006
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Create an account with roles, e.g. the first site admin."""
    setup_django()
    require_schema()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.db import transaction

    from commonground.accounts import services
    from commonground.accounts.models import User
    from commonground.accounts.roles import Role

    try:
        roles = {Role(r) for r in role}
    except ValueError:
        fail(f"--role must be one of: {', '.join(r.value for r in Role)}")
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
        services.set_roles("commonground users create", user, roles, frozenset(Role))
    out.print(f"Created {user.email} with roles: {', '.join(sorted(user.roles))}")
