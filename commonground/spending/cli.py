"""`commonground spending`: import published spending (Transparency Code, 360Giving, service budgets) and
print a place's spending by service and year."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonground.terminal import fail, out, require_schema, setup_django

app = typer.Typer(help="Public spending by place: import files, show a place.", no_args_is_help=True,
                  add_completion=False)  # fmt: skip
ACTOR = "commonground spending"


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")


def _report(exc) -> None:
    for problem in exc.errors:
        out.print(problem, highlight=False, soft_wrap=True)
    fail(str(exc))


@app.command("import-transparency")
def import_transparency(
    file: Annotated[Path, typer.Argument(help="Spending over £500 CSV in a Transparency Code layout.")],
    body: Annotated[str, typer.Option(help="The publishing body's slug, code or exact name (see `bodies list`).")],
    source_url: Annotated[str, typer.Option(help="Where the body publishes the file.")] = "",
) -> None:
    """Import a council's spending over £500: every row or none; payees who are people are redacted."""
    data = _read(file)
    setup_django()
    require_schema()
    from commonground.publicbodies import services as bodies
    from commonground.spending import services

    found = bodies.find(body)
    if found is None:
        fail(f"no public body is recorded as {body!r}: record it with `commonground bodies create`")
    try:
        batch = services.import_transparency(f"{ACTOR} import-transparency", found, file.name, data, source_url)
    except services.SpendError as exc:
        _report(exc)
    out.print(f"Imported {batch.rows:,} payments, £{batch.total_pence / 100:,.2f}, {batch.redacted} payee names "
              f"redacted, for {found.name}", highlight=False)  # fmt: skip


@app.command("import-360giving")
def import_360giving(
    file: Annotated[Path, typer.Argument(help="360Giving JSON package or CSV.")],
    body: Annotated[str, typer.Option(help="The funder, if it is a recorded body (optional).")] = "",
) -> None:
    """Import grants in the 360Giving standard, placed by their beneficiary locations."""
    data = _read(file)
    setup_django()
    require_schema()
    from commonground.publicbodies import services as bodies
    from commonground.spending import services

    found = bodies.find(body) if body else None
    if body and found is None:
        fail(f"no public body is recorded as {body!r}")
    try:
        batch = services.import_grants(f"{ACTOR} import-360giving", file.name, data, found)
    except services.SpendError as exc:
        _report(exc)
    out.print(f"Imported {batch.rows:,} grants, £{batch.total_pence / 100:,.2f}; {batch.skipped} outside the loaded "
              "areas were left out", highlight=False)  # fmt: skip


@app.command("import-budgets")
def import_budgets(file: Annotated[Path, typer.Argument(help="CSV: body,service,area_code,year,amount.")]) -> None:
    """Import other bodies' service budgets by area and financial year."""
    data = _read(file)
    setup_django()
    require_schema()
    from commonground.spending import services

    try:
        batch = services.import_budgets(f"{ACTOR} import-budgets", file.name, data)
    except services.SpendError as exc:
        _report(exc)
    out.print(f"Imported {batch.rows:,} budgets, £{batch.total_pence / 100:,.2f}", highlight=False)


@app.command("place")
def place(
    code: Annotated[str, typer.Argument(help="A district, ward or LSOA code.")],
    key: Annotated[str, typer.Option(help="Allocation key for estimates: population or need.")] = "population",
) -> None:
    """Print who spends what on which service in a place, by financial year (estimates marked)."""
    setup_django()
    require_schema()
    from commonground.places import services as places
    from commonground.spending import services

    area = places.find_area(code)
    if area is None:
        fail(f"no loaded area has the code {code!r}")
    try:
        data = services.place_spending(services.area_lsoas(area), key)
    except services.SpendError as exc:
        fail(str(exc))
    typer.echo("\t".join(["who", "service", "basis", *data["year_labels"], "total"]))  # tab-separated, for scripts
    for line in data["lines"]:
        typer.echo(
            "\t".join(
                [
                    line["who"],
                    line["service"],
                    line["basis"],
                    *[f"{c / 100:.2f}" for _, c in line["cells"]],
                    f"{line['total'] / 100:.2f}",
                ]
            )
        )
