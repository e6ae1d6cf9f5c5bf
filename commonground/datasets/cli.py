"""`commonground data`: download the official publications and load them into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonground.terminal import console, fail, migrate, out, setup_django

app = typer.Typer(
    help="Load and download the national data (IoD, ONS lookups, boundaries).",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("load")
def data_load(
    source: Annotated[Path, typer.Option("--from", help="Directory laid out like the national data pack.")],
) -> None:
    """Load national data into the database: areas, boundaries, IMD 2019 (with ward, district and
    region summaries) and, when present, the licensed CNI 2019 with the left-behind wards.

    Each dataset loads in its own transaction and replaces its earlier load.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    setup_django()
    migrate()
    from commonground.engine.tables import DataError
    from commonground.places import importers

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console) as progress:

        def on_step(importer):
            task = progress.add_task(importer.name, total=None)
            return lambda done, total: progress.update(task, completed=done, total=total)

        try:
            summary = importers.load(source, "commonground data load", on_step)
        except (DataError, ValueError) as exc:
            fail(str(exc))
        from commonground.outcomes import dashboards

        task = progress.add_task("National figures for pages (comparisons, left-behind lists)", total=None)
        importers.precompute_national()  # stored now, so no visitor after a load or a restart waits for them
        tables = dashboards.precompute()
        progress.update(task, completed=tables, total=tables)
    table = Table(title="Loaded")
    for column in ("dataset", "status", "what"):
        table.add_column(column)
    for row in summary:
        table.add_row(row["dataset"], row["status"], ", ".join(f"{k}: {v:,}" for k, v in row["counts"].items()))
    out.print(table)


@app.command("load-postcodes")
def data_load_postcodes(
    file: Annotated[Path, typer.Argument(help="ONS Postcode Directory or NSPL CSV (pcds, lsoa11/lsoa21, doterm).")],
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Load the postcode lookup (postcode to LSOA) that PB processes use to check a voter lives in the
    area. Keeps live postcodes in LSOAs already loaded; replaces the previous load in one transaction."""
    import json

    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    if fmt not in ("text", "json"):
        fail(f"--format must be text or json, not {fmt!r}")
    setup_django()
    migrate()
    from commonground.engine.tables import DataError
    from commonground.places import importers

    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"Reading {file.name}", total=None)
        try:
            counts = importers.load_postcodes(
                file, "commonground data load-postcodes", lambda done, total: progress.update(task, completed=done,
                                                                                              total=total)
            )  # fmt: skip
        except DataError as exc:
            fail(str(exc))
    if fmt == "json":
        out.print_json(json.dumps(counts))
        return
    loaded = ", ".join(f"{n:,} in 20{k[-2:]} LSOAs" for k, n in counts.items()
                       if k.startswith("postcodes_"))  # fmt: skip
    out.print(f"Loaded postcodes: {loaded}; skipped {counts['terminated']:,} terminated and "
              f"{counts['outside']:,} outside the loaded areas")  # fmt: skip


@app.command("fetch")
def data_fetch(
    dest: Annotated[Path | None, typer.Option("--to", help="Directory to download into (created if missing).")] = None,
    only: Annotated[list[str], typer.Option(help="Only paths starting with this, e.g. imd2019/ (repeatable).")] = [],  # noqa: B006
    mirror: Annotated[str | None, typer.Option(help="Base URL of a mirror laid out like the destination.")] = None,
    list_only: Annotated[bool, typer.Option("--list", help="Print what would be fetched and built, and stop.")] = False,
) -> None:
    """Download the official publications (MHCLG's IoD 2019 and 2025; ONS's lookups, boundaries and
    populations) and build from them the files `data load --from DIR` reads, with a PROVENANCE.json."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
    from rich.table import Table

    from commonground.datasets.derive import derive, plan
    from commonground.datasets.fetch import FetchError, fetch, source_url

    try:
        sources, derived = plan(only or None)
    except FetchError as exc:
        fail(str(exc))
    if list_only:
        for s in sources:
            how = " (paged FeatureServer query)" if s.layer and not mirror else ""
            out.print(f"{s.relative_path}\n  publisher: {s.publisher}\n  url: {source_url(s, mirror)}{how}\n"
                      f"  licence: {s.licence}\n  sha256: {s.sha256 or 'not pinned (the digest received is recorded)'}",
                      highlight=False, soft_wrap=True)  # fmt: skip
        for d in derived:
            out.print(f"{d.relative_path}\n  built from: {', '.join(d.inputs)}", highlight=False, soft_wrap=True)
        return
    if dest is None:
        fail("--to DIR is required (or --list to see what would be fetched)")
    tasks: dict[str, int] = {}
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=console) as progress:

        def report(relative: str, done: int, total: int | None) -> None:
            if relative not in tasks:
                tasks[relative] = progress.add_task(relative, total=total)
            progress.update(tasks[relative], completed=done, total=total)

        try:
            dest.mkdir(parents=True, exist_ok=True)
            results = fetch(dest, base_url=mirror, progress=report, sources=sources)
            built = derive(dest, derived, progress=lambda relative: progress.console.print(f"Building {relative}"))
        except FetchError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"Could not write {exc.filename or dest}: {exc.strerror or exc}")
    table = Table(title=f"Fetched into {dest} (sources and digests in PROVENANCE.json)")
    for column in ("file", "status", "bytes", "sha256"):
        table.add_column(column)
    for r in results:
        table.add_row(r.relative_path, r.status + (" (verified)" if r.verified else ""), f"{r.bytes:,}", r.sha256[:16])
    for b in built:
        table.add_row(b.relative_path, b.status, f"{b.bytes:,}", b.sha256[:16])
    out.print(table)
