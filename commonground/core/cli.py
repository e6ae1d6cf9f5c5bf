"""The commands that run the service: serve, worker, migrate, init-demo, version."""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from commonground.terminal import console, fail, migrate, out, require_schema, setup_django

app = typer.Typer(no_args_is_help=True, add_completion=False)


def check_port_free(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        fail(f"--host {host!r} is not an address this machine can listen on ({exc.strerror})")
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(f"port {port} on {host} is already in use; stop the other program or choose --port")
            if exc.errno == errno.EACCES:
                fail(f"not allowed to listen on port {port}; use a port above 1023")
            fail(f"cannot listen on {host}:{port}: {exc.strerror}")


def pending_migrations() -> bool:
    """Whether any migration is unapplied (cheaper than running `migrate` on every start)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def static_fingerprint() -> str:
    """A digest of every static source file's path, size and modification time, and of the version: when it
    matches the last collection's, the collected (hashed, compressed) files are still right."""
    import hashlib

    from django.contrib.staticfiles.finders import get_finders

    from commonground import __version__

    digest = hashlib.sha256(__version__.encode())
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static_files() -> None:
    """Collect, hash and compress the static files only when they changed since the last start
    (whitenoise's compression of ~900 files took most of a minute on every start)."""
    from django.conf import settings
    from django.core.management import call_command

    marker = Path(settings.STATIC_ROOT) / ".collected"
    fingerprint = static_fingerprint()
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file() and marker.is_file() and marker.read_text() == fingerprint:
        return
    with console.status("Collecting static files (first start or after an upgrade)…"):
        call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(fingerprint)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Gunicorn worker processes.")] = 2,
) -> None:
    """Apply migrations, load the demo data if the database is empty, and serve with gunicorn."""
    check_port_free(host, port)
    setup_django()

    from commonground.budgeting import demo as pb_demo
    from commonground.places import demo
    from commonground.places.models import Area

    if pending_migrations():
        with console.status("Applying database migrations…"):
            migrate()
    if not Area.objects.exists():
        with console.status("Loading the Demo Borough demo data…"):
            counts = demo.load()
            pb_counts = pb_demo.load()
        console.print(
            f"Loaded demo data: {counts['areas']} areas, {counts['values']} indicator values, "
            f"a PB process with {pb_counts['ballots']} ballots"
        )
    collect_static_files()

    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 4)
            self.cfg.set("accesslog", "-")
            self.cfg.set("logger_class", redacting_logger())
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 10)  # on Ctrl+C or SIGTERM, idle keep-alives do not hold the stop
            self.cfg.set("control_socket_disable", True)

        def load(self):
            from commonground.wsgi import application

            return application

    shown = f"[{host}]" if ":" in host else host
    from commonground.notify import services as notify

    console.print(f"Common Ground is running at [bold]http://{shown}:{port}/[/]  (Ctrl+C to stop)")
    console.print(notify.mail_destination(), highlight=False, soft_wrap=True)
    from django.db import connections

    warm_up()
    connections.close_all()  # workers open their own connections after the fork
    task_worker = start_task_worker()
    try:
        Server().run()
    finally:
        task_worker.terminate()  # it finishes the task in hand first, for up to 30 seconds
        try:
            task_worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            task_worker.kill()


def warm_up() -> None:
    """Before gunicorn forks: import every view, build the URL resolver's reverse table, compile Common Ground's
    templates and import the PDF report's libraries. Each worker starts with them (forked), so the first
    visitors after a restart do not pay for them (about 0.2 s, 0.2 s and 2 s of a first request)."""
    from django.template.loader import get_template
    from django.urls import get_resolver, reverse

    from commonground.outcomes import dashboards

    get_resolver().url_patterns  # noqa: B018  (imports every view)
    reverse("home")
    package = Path(__file__).resolve().parents[1]
    for folder in package.glob("**/templates"):
        for template in sorted(folder.glob("**/*.html")):
            get_template(template.relative_to(folder).as_posix())  # kept by the cached template loader
    dashboards.preload_report()
    for path in FIRST_PAGES:
        ask(path)


# The pages most visitors open first, asked once before the fork: every worker starts with what they are made
# of in its caches (the England dashboard took about 0.5 s for its first visitor after each restart).
FIRST_PAGES = ("/", "/outcomes/")


def ask(path: str) -> int:
    """GET `path` as a signed-out visitor through the whole WSGI stack in this process; returns the status.
    Database connections are left open across it, as Django's test client leaves them (serve closes them all
    before forking; a test's connection holds its transaction)."""
    from django.conf import settings
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections

    host = next((h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")), "127.0.0.1")
    scheme = "https" if settings.SECURE_SSL_REDIRECT else "http"
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "", "HTTP_HOST": host,
        "SERVER_NAME": host, "SERVER_PORT": "443" if scheme == "https" else "80", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(), "wsgi.url_scheme": scheme, "wsgi.errors": sys.stderr,
    }  # fmt: skip
    statuses = []
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        body = WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status))
        try:
            b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)
    return int(statuses[0].split()[0])


# Addresses that carry a secret: a password-reset token, an unsubscribe token. The access log shows them blanked.
SECRET_PATHS = re.compile(r"(/account/password-reset/[^/\s]+/|/notify/unsubscribe/)(?!set-password/)[^/?\s]+")


def redact_path(text: str) -> str:
    return SECRET_PATHS.sub(r"\1[redacted]", text)


def redacting_logger():
    """Gunicorn's logger, writing request lines without the secrets some addresses carry."""
    from gunicorn.glogging import Logger

    class RedactingLogger(Logger):
        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            return {key: redact_path(value) if isinstance(value, str) else value for key, value in atoms.items()}

    return RedactingLogger


def start_task_worker() -> subprocess.Popen:
    """`commonground worker` beside the web server, so long jobs run with the one-command start.
    On Linux it is told to stop if `serve` dies without cleaning up (prctl PR_SET_PDEATHSIG)."""
    import signal

    def die_with_parent() -> None:
        if sys.platform.startswith("linux"):
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG

    return subprocess.Popen([sys.executable, "-m", "commonground.cli", "worker"], preexec_fn=die_with_parent)  # noqa: S603,PLW1509


@app.command()
def worker(
    batch: Annotated[bool, typer.Option("--batch", help="Run the tasks waiting now, then exit.")] = False,
) -> None:
    """Run background tasks (panel selections) as they are queued, and send notices when they are due;
    `serve` starts one for you. A thread beside the task runner sends due notices every
    COMMONGROUND_NOTIFY_INTERVAL seconds and runs the daily asset and impact-review reminders, so no cron
    job is needed."""
    setup_django()
    import threading

    from django.conf import settings
    from django.core.management import call_command

    from commonground.assets import services as assets
    from commonground.audit import service as audit
    from commonground.contributions import services as contributions
    from commonground.impact import services as impact
    from commonground.neighbourhoods import board
    from commonground.neighbourhoods import services as neighbourhoods
    from commonground.notify import services as notify

    if batch:
        call_command("db_worker", batch=True, reload=False, interval=1.0, startup_delay=False, verbosity=1)
        notify.deliver_due()
        return
    stop = threading.Event()
    interval = settings.COMMONGROUND_NOTIFY_INTERVAL

    def checkpoint() -> None:  # a signed checkpoint of the audit log's head, when a signing key is set up
        audit.write_scheduled_checkpoint(Path(settings.DATA_DIR) / "checkpoints", dt.timedelta(days=1))

    def sync_board_roles() -> None:  # board members gain or lose their role as their terms start and end
        board.sync_all_roles("commonground worker")

    daily = [assets.remind, impact.remind, sync_board_roles, checkpoint, contributions.daily,
             neighbourhoods.erase_old_verification_requests]  # fmt: skip
    sender = threading.Thread(target=notify.deliver_forever, args=(stop, interval, daily), name="notices", daemon=True)
    sender.start()
    try:
        call_command("db_worker", batch=False, reload=False, interval=1.0, startup_delay=False, verbosity=1)
    finally:  # db_worker exits on SIGTERM or Ctrl+C: let the notice in hand finish (a lease covers the rest)
        stop.set()
        sender.join(timeout=30)


@app.command("init-demo")
def init_demo() -> None:
    """Reload the bundled Demo Borough demo data (replaces earlier demo data only)."""
    setup_django()
    from commonground.budgeting import demo as pb_demo
    from commonground.places import demo

    with console.status("Applying database migrations…"):
        migrate()
    with console.status("Loading the Demo Borough demo data…"):
        counts = demo.load()
        pb_counts = pb_demo.load()
    out.print(
        f"Loaded demo data: {counts['areas']} areas, {counts['measures']} measures, {counts['values']} values, "
        f"a PB process with {pb_counts['ballots']} ballots"
    )


@app.command("migrate")
def migrate_command() -> None:
    """Apply database migrations."""
    setup_django()
    migrate(quiet=False)


@app.command()
def version() -> None:
    """Print the version."""
    from commonground import __version__

    out.print(__version__)


@app.command("backup")
def backup_command(
    out_path: Annotated[Path, typer.Option("--out", help="Backup file to write (gzipped JSON lines, mode 0600).")],
) -> None:
    """Write every row of the database, exactly (timestamps to the microsecond), to one file."""
    setup_django()
    require_schema()
    from commonground.core import backup

    try:
        counts = backup.backup(out_path)
    except OSError as exc:
        fail(f"cannot write {out_path}: {exc.strerror or exc}")
    out.print(f"Backed up {sum(counts.values()):,} rows of {len(counts)} tables to {out_path}")


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="A file written by `commonground backup`.")],
    replace: Annotated[bool, typer.Option(help="Wipe a database that is in use before restoring.")] = False,
) -> None:
    """Put back every row of a backup in one transaction; refuses a database in use unless --replace."""
    setup_django()
    migrate()
    from commonground.core import backup

    try:
        counts = backup.restore(file, replace=replace)
    except backup.BackupError as exc:
        fail(str(exc))
    out.print(f"Restored {sum(counts.values()):,} rows of {len(counts)} tables from {file}; run "
              "`commonground audit verify` to check the audit chain")  # fmt: skip
