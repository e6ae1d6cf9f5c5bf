"""`commonground impact`: the register of community impact assessments and the reviews falling due."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from commonground.terminal import fail, out, require_schema, setup_django

app = typer.Typer(help="Community impact assessments: register and reviews.", no_args_is_help=True,
                  add_completion=False)  # fmt: skip


def _day(on: str | None) -> dt.date | None:
    """The --on day (None: today); anything but YYYY-MM-DD fails the command."""
    try:
        return dt.date.fromisoformat(on) if on else None
    except ValueError:
        fail(f"--on {on!r} is not a date: write it as YYYY-MM-DD")


@app.command("due-reviews")
def due_reviews(
    on: Annotated[str | None, typer.Option(help="Day to check, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """List published assessments whose review is due on or before the day (the reminder list)."""
    day = _day(on)
    setup_django()
    require_schema()
    from commonground.impact import services

    due = services.due_reviews(day or services.today())
    for d in due:
        out.print(f"{d['reference']}\t{d['due'].isoformat()}\t{d['days_overdue']} days overdue\t{d['body'].name}\t"
                  f"{d['title']}", highlight=False)  # fmt: skip
    out.print(f"{len(due)} review{'s' if len(due) != 1 else ''} due", highlight=False)


@app.command("remind")
def remind(
    on: Annotated[str | None, typer.Option(help="Day to remind as of, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Queue reminders of reviews due within a week (or overdue) to each body's reviewers; the worker does
    this daily, each reminder once."""
    day = _day(on)
    setup_django()
    require_schema()
    from commonground.impact import services

    made = services.remind(day)
    out.print(f"Queued {made} reminder{'s' if made != 1 else ''}", highlight=False)


@app.command("list")
def impact_list() -> None:
    """Every published assessment: reference, version, body, neighbourhoods touched, title."""
    setup_django()
    require_schema()
    from commonground.impact import public_register

    for a in public_register.register():
        out.print(f"{a.reference}\tv{a.published_version}\t{a.body.name}\t{len(a.neighbourhoods)} neighbourhoods\t"
                  f"{a.published_title}", highlight=False)  # fmt: skip
