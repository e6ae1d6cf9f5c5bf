"""`commonground contributions`: import a council's developer contributions (S106 and CIL, in the national
data standard), list Section 106 spend-by dates, run the reminders, and work out neighbourhood CIL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from commonground.terminal import fail, out

app = typer.Typer(
    help="Developer contributions: S106, CIL and spend-by dates.", no_args_is_help=True, add_completion=False
)


def _council(code: str):
    from commonground.contributions.services import find_council

    council = find_council(code)
    if council is None:
        fail(f"no loaded council has the code {code!r} (a GSS code like E09000025)")
    return council


@app.command("import")
def import_files(
    council: Annotated[str, typer.Option(help="The council's GSS code, like E09000025.")],
    agreements: Annotated[Path, typer.Option(help="developer-agreement.csv")],
    contributions: Annotated[Path, typer.Option(help="developer-agreement-contribution.csv")],
    transactions: Annotated[Path, typer.Option(help="developer-agreement-transaction.csv")],
) -> None:
    """Import the three files: every row checked first; nothing is stored if any is wrong."""
    from commonground.terminal import require_schema, setup_django

    setup_django()
    require_schema()
    from rich.markup import escape

    from commonground.contributions.services import ContributionsError, import_files

    files = {}
    for key, path in (("agreements", agreements), ("contributions", contributions), ("transactions", transactions)):
        try:
            files[key] = (path.name, path.read_bytes())
        except OSError as exc:
            fail(f"cannot read {path}: {exc.strerror}")
    try:
        done = import_files("commonground contributions import", _council(council), **files)
    except ContributionsError as exc:
        for problem in exc.errors[1:]:
            out.print(escape(problem), soft_wrap=True)
        fail(escape(exc.errors[0] if exc.errors else str(exc)))
    for warning in done.warnings:
        out.print(f"warning: {escape(warning)}", soft_wrap=True)
    out.print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(done.counts.items())), soft_wrap=True)


@app.command("deadlines")
def deadlines(
    council: Annotated[str, typer.Option(help="The council's GSS code.")],
    today: Annotated[str | None, typer.Option(help="Count from this day (YYYY-MM-DD) instead of today.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """Section 106 money with a spend-by date, soonest first, with what is unspent and the next reminder."""
    import json

    from commonground.terminal import require_schema, setup_django

    setup_django()
    require_schema()
    from commonground.contributions.services import clocks

    day = _day(today)
    rows = clocks(_council(council), day)
    data = [
        {
            "contribution": r["contribution"].reference,
            "agreement": r["agreement"].reference,
            "purpose": r["contribution"].purpose,
            "spend_by": r["clock"].deadline.isoformat(),
            "days_left": r["clock"].days_left,
            "state": r["clock"].state,
            "unspent_pence": r["clock"].unspent_pence,
            "next_reminder": r["clock"].next_reminder.isoformat() if r["clock"].next_reminder else None,
        }
        for r in rows
    ]
    if fmt == "json":
        out.print_json(json.dumps(data))
        return
    for r in rows:
        out.print(f"{r['contribution'].reference} ({r['contribution'].purpose}): {r['clock'].plain}", soft_wrap=True)


@app.command("remind")
def remind(
    today: Annotated[str | None, typer.Option(help="Run as on this day (YYYY-MM-DD).")] = None,
    mark_sent: Annotated[bool, typer.Option("--mark-sent", help="Record the reminders as sent.")] = False,
) -> None:
    """Print the spend-by reminders due (run daily); with --mark-sent each is printed once."""
    from commonground.terminal import require_schema, setup_django

    setup_django()
    require_schema()
    from commonground.contributions.services import due_reminders
    from commonground.contributions.services import mark_sent as mark

    due = due_reminders(_day(today))
    for r in due:
        c = r.contribution
        out.print(f"{c.council.code} {c.reference} ({c.purpose}): {r.what}, {r.deadline:%-d %B %Y}", soft_wrap=True)
    if mark_sent:
        mark("commonground contributions remind", due)
    out.print(f"{len(due)} reminder{'s' if len(due) != 1 else ''} due")


@app.command("cil")
def neighbourhood_cil(
    zone: Annotated[int, typer.Option(help="The zone's number (its page is /contributions/zones/N/).")],
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """The neighbourhood portion of CIL in a zone, by financial year, and why (CIL Regulations 2010 reg 59A-59F)."""
    import json

    from commonground.terminal import require_schema, setup_django

    setup_django()
    require_schema()
    from commonground.contributions import services
    from commonground.contributions.models import CilZone

    found = CilZone.objects.filter(pk=zone).first()
    if found is None:
        fail(f"there is no zone {zone}")
    try:
        portion = services.portion(found)
    except services.ContributionsError as exc:
        fail(str(exc))
    if fmt == "json":
        out.print_json(json.dumps({"years": {y.label: y.passed_pence for y in portion.years}, "lines": portion.lines}))
        return
    for line in portion.lines:
        out.print(line, soft_wrap=True)


def _day(text: str | None) -> dt.date:
    from django.utils import timezone

    if text is None:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"--today must be a date like 2027-01-31, not {text!r}")
