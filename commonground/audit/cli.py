"""`commonground audit`: check the append-only audit log."""

from __future__ import annotations

import typer

from commonground.terminal import console, fail, out, require_schema, setup_django

app = typer.Typer(help="Check the append-only audit log.", no_args_is_help=True, add_completion=False)


@app.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; exit 1 naming the first broken record."""
    setup_django()
    require_schema()
    from commonground.audit.service import verify

    with console.status("Checking the audit chain…"):
        count, broken = verify()
    if broken is not None:
        fail(f"{broken} (checked {count} records)")
    out.print(f"Audit chain intact: {count} records checked")
