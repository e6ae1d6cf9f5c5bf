"""`commonground pots`: list pots and publish their allocations as 360Giving data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonground.terminal import fail, out

app = typer.Typer(help="Pots of money a neighbourhood or council decides on.", no_args_is_help=True,
                  add_completion=False)  # fmt: skip


@app.command("list")
def pots_list(fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text") -> None:
    """Every pot with its amount, what is allocated, set aside, paid and left (pounds)."""
    import json

    from commonground.terminal import require_schema, setup_django

    setup_django()
    require_schema()
    from commonground.pots.models import Pot
    from commonground.pots.services import balance, money

    rows = []
    for pot in Pot.objects.order_by("slug"):
        b = balance(pot)
        rows.append({"slug": pot.slug, "name": pot.name, "source": pot.source, "amount_pence": b.amount,
                     "allocated_pence": b.allocated, "set_aside_pence": b.reserved, "paid_pence": b.paid,
                     "left_pence": b.available})  # fmt: skip
    if fmt == "json":
        out.print_json(json.dumps(rows))
        return
    for r in rows:
        out.print(f"{r['slug']}: {money(r['amount_pence'])}, {money(r['allocated_pence'])} allocated, "
                  f"{money(r['left_pence'])} left", soft_wrap=True)  # fmt: skip


@app.command("export-360giving")
def export(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the 360Giving JSON package.")],
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Also write the 360Giving spreadsheet columns.")
    ] = None,
) -> None:
    """Publish every allocation from every pot (PB winners included) in the 360Giving standard."""
    import csv
    import json

    from commonground.terminal import require_schema, setup_django

    setup_django()
    require_schema()
    from commonground.engine import threesixty
    from commonground.pots.services import PotError, package

    try:
        data = package()
    except PotError as exc:
        fail(str(exc))
    out_file.write_text(json.dumps(data, indent=2), encoding="utf-8")
    if csv_file is not None:
        with csv_file.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(threesixty.csv_rows(data))
    out.print(f"Wrote {len(data['grants'])} grants to {out_file}")
