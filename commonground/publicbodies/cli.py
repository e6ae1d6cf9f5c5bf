"""`commonground bodies`: record public bodies and name the accounts that act for them."""

from __future__ import annotations

from typing import Annotated

import typer

from commonground.terminal import fail, out, require_schema, setup_django

app = typer.Typer(help="Public bodies: councils, NHS, police and others.", no_args_is_help=True, add_completion=False)


@app.command("create")
def bodies_create(
    name: Annotated[str, typer.Option(help="The body's name.")],
    council: Annotated[list[str], typer.Option(help="GSS code of a council whose area it serves (repeat).")],
    kind: Annotated[
        str,
        typer.Option(
            help="council, nhs, police, fire, combined_authority, central_government, housing, voluntary or other."
        ),
    ] = "other",  # fmt: skip
    code: Annotated[str, typer.Option(help="Its GSS or ODS code, if it has one.")] = "",
) -> None:
    """Record a public body; prints its slug on the last line."""
    setup_django()
    require_schema()
    from commonground.publicbodies import services

    try:
        body = services.create("commonground bodies create", name, kind, code, council)
    except services.BodyError as exc:
        fail(str(exc))
    out.print(f"Recorded {body.name} ({body.get_kind_display()})")
    out.print(body.slug, highlight=False)


@app.command("list")
def bodies_list() -> None:
    """Every body with its kind, code and the councils it serves."""
    setup_django()
    require_schema()
    from commonground.publicbodies.models import PublicBody

    for b in PublicBody.objects.prefetch_related("councils"):
        out.print(f"{b.slug}\t{b.get_kind_display()}\t{b.code or '-'}\t{', '.join(c.code for c in b.councils.all())}",
                  highlight=False)  # fmt: skip


@app.command("add-member")
def bodies_add_member(
    body: Annotated[str, typer.Argument(help="The body's slug or code.")],
    email: Annotated[str, typer.Argument(help="Email address of an existing account.")],
) -> None:
    """Let an account act for a body (record its assessments, spending, pooled budgets and tenders)."""
    setup_django()
    require_schema()
    from commonground.accounts.models import User
    from commonground.publicbodies import services

    found = services.find(body)
    if found is None:
        fail(f"no public body is recorded as {body!r}: see `commonground bodies list`")
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        fail(f"no account has the email address {email!r}")
    added = services.add_member("commonground bodies add-member", found, user)
    out.print(f"Account {user.pk} {'now acts' if added else 'already acted'} for {found.name}")
