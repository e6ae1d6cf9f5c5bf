"""What every app's command group shares: one-line errors, Django set-up, tables and progress bars.

Kept free of Django and of the apps at import time, so a command that needs neither starts fast.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

console = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def setup_django(check_database: bool = True) -> None:
    """Configure Django from the environment; turn configuration mistakes into one-line errors."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    from commonground.config import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        fail(str(exc), 2)
    if check_database:
        from django.db import connection
        from django.db.utils import OperationalError

        try:
            connection.ensure_connection()
        except OperationalError as exc:
            settings = connection.settings_dict
            where = settings.get("HOST") or settings.get("NAME")
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            fail(f"cannot connect to the {connection.vendor} database at {where} (DATABASE_URL): {reason}", 2)


def require_schema() -> None:
    """Stop with a one-line error when the database has not been migrated to this version."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        where = connection.settings_dict.get("NAME")
        fail(f"the database at {where} is not set up for this version: run `commonground migrate` first", 2)


def migrate(quiet: bool = True) -> None:
    """Apply migrations. With COMMONGROUND_OWNER_DATABASE_URL (PostgreSQL), in a separate process connected
    as that owner role, which then grants the app's role what it needs: no UPDATE, DELETE or TRUNCATE on
    audit rows and no ownership to disable their trigger (docs/security.md)."""
    import subprocess

    from django.core.management import call_command
    from django.db import connection

    owner = os.environ.get("COMMONGROUND_OWNER_DATABASE_URL", "").strip()
    if not owner:
        call_command("migrate", interactive=False, verbosity=0 if quiet else 1)
        return
    env = {**os.environ, "DATABASE_URL": owner, "COMMONGROUND_GRANT_TO": connection.settings_dict["USER"]}
    env.pop("COMMONGROUND_OWNER_DATABASE_URL")
    done = subprocess.run([sys.executable, "-m", "commonground.cli", "migrate"], env=env, capture_output=quiet,  # noqa: S603
                          text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        fail(f"migrating as the owner role failed: {(done.stderr or '').strip().splitlines()[-1:] or done.returncode}")


@contextmanager
def engine_errors():
    """Turn the engine's data and spec errors into one-line CLI errors."""
    from commonground.engine.composite import SpecError
    from commonground.engine.tables import DataError

    try:
        yield
    except (DataError, SpecError) as exc:
        fail(str(exc))


def write_table(frame, out_path: Path | None, fmt: str = "csv") -> None:
    """CSV (or JSON records) to a file, or to standard output when no file is given."""
    text = frame.to_json(orient="records", indent=1) if fmt == "json" else frame.to_csv(index=False)
    if out_path is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out_path.write_text(text, encoding="utf-8")
        console.print(f"Wrote {len(frame):,} rows to {out_path}")


def parse_day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} must be a real date as YYYY-MM-DD, not {value!r}")


def run_with_progress(task: str, work):
    """Run `work(report)` with a rich progress bar on standard error; `report(what, done, total)`."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True
    ) as bar:
        job = bar.add_task(task, total=None)

        def report(what: str, done: int, total: int) -> None:
            bar.update(job, description=f"{task}: {what}", completed=done, total=total)

        return work(report)
