"""`commonground delivery`: list funded projects and how their delivery is going."""

from __future__ import annotations

from typing import Annotated

import typer

from commonground.terminal import out

app = typer.Typer(help="Delivery of funded projects.", no_args_is_help=True, add_completion=False)


@app.command("list")
def delivery_list(
    neighbourhood: Annotated[str, typer.Option(help="Only this neighbourhood (its slug).")] = "",
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """Every funded thing with its status, progress, budget and spend."""
    import json

    from commonground.terminal import require_schema, setup_django

    setup_django()
    require_schema()
    from commonground.delivery.models import Record

    found = Record.objects.order_by("-funded_on", "title")
    if neighbourhood:
        found = found.filter(neighbourhood__slug=neighbourhood)
    rows = [{"reference": r.reference, "title": r.title, "status": r.status, "progress": r.progress,
             "amount_pence": r.amount_pence, "spent_pence": r.spent_pence} for r in found]  # fmt: skip
    if fmt == "json":
        out.print_json(json.dumps(rows))
        return
    for r in rows:
        out.print(f"{r['reference']}: {r['title']} — {r['status']}, {r['progress']}%", soft_wrap=True)
