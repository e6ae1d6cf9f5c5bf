"""The `commonground` command: serve the app, load data, check the audit chain.

Every failure the user can fix prints one line starting "Error:" and exits non-zero.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import numpy as np
import typer
from rich.console import Console

app = typer.Typer(
    help="Common Ground: find the places, get the money there, let communities decide and own.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
audit_app = typer.Typer(help="Check the append-only audit log.", no_args_is_help=True)
users_app = typer.Typer(help="Manage accounts from the command line.", no_args_is_help=True)
index_app = typer.Typer(help="Compute deprivation and community-need indices from files.", no_args_is_help=True)
places_app = typer.Typer(help="Ward-level findings: left-behind neighbourhoods.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")
app.add_typer(index_app, name="index")
data_app = typer.Typer(help="Load and download the national data (IoD, ONS lookups, boundaries).", no_args_is_help=True)
app.add_typer(data_app, name="data")
pb_app = typer.Typer(help="Participatory budgeting: tally and explain pabulib (.pb) elections.", no_args_is_help=True)
app.add_typer(pb_app, name="pb")
fund_app = typer.Typer(
    help="Community Wealth Fund: allocate awards and publish them (360Giving).", no_args_is_help=True
)
app.add_typer(fund_app, name="fund")
app.add_typer(places_app, name="places")
assets_app = typer.Typer(
    help="Assets of community value: statutory clocks, reminders, ownership data.", no_args_is_help=True
)
app.add_typer(assets_app, name="assets")
ballot_app = typer.Typer(help="Resident ballots: the result from the stored ballot papers.", no_args_is_help=True)
app.add_typer(ballot_app, name="ballot")
outcomes_app = typer.Typer(help="Wellbeing framework: import local survey results.", no_args_is_help=True)
app.add_typer(outcomes_app, name="outcomes")
report_app = typer.Typer(help="State of the Neighbourhood reports (PDF).", no_args_is_help=True)
app.add_typer(report_app, name="report")
panel_app = typer.Typer(help="Citizens' assemblies: fair, verifiable sortition of panels.", no_args_is_help=True)
app.add_typer(panel_app, name="panel")

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
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)


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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Gunicorn worker processes.")] = 2,
) -> None:
    """Apply migrations, load the demo data if the database is empty, and serve with gunicorn."""
    check_port_free(host, port)
    setup_django()
    from django.core.management import call_command

    from commonground.budgeting import demo as pb_demo
    from commonground.places import demo
    from commonground.places.models import Area

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
    with console.status("Collecting static files…"):
        call_command("collectstatic", interactive=False, verbosity=0)

    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 4)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 60)
            self.cfg.set("control_socket_disable", True)

        def load(self):
            from commonground.wsgi import application

            return application

    shown = f"[{host}]" if ":" in host else host
    console.print(f"Common Ground is running at [bold]http://{shown}:{port}/[/]  (Ctrl+C to stop)")
    from django.db import connections

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
    """Run background tasks (panel selections) as they are queued; `serve` starts one for you."""
    setup_django()
    from django.core.management import call_command

    call_command("db_worker", batch=batch, reload=False, interval=1.0, startup_delay=False, verbosity=1)


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


@audit_app.command("verify")
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


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Argument(help="Email address to sign in with.")],
    full_name: Annotated[str, typer.Option("--name", help="Full name.")],
    role: Annotated[list[str], typer.Option(help="Role to grant (repeatable).")] = [],  # noqa: B006
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Create an account with roles, e.g. the first site admin."""
    setup_django()
    require_schema()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.db import transaction

    from commonground.accounts import services
    from commonground.accounts.models import User
    from commonground.accounts.roles import Role

    try:
        roles = {Role(r) for r in role}
    except ValueError:
        fail(f"--role must be one of: {', '.join(r.value for r in Role)}")
    try:
        validate_email(email)
    except ValidationError:
        fail(f"{email!r} is not a valid email address")
    if User.objects.filter(email__iexact=email).exists():
        fail(f"an account with the email address {email} already exists")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt("Password", hide_input=True)
    try:
        validate_password(password, User(email=email, full_name=full_name))
    except ValidationError as exc:
        fail(" ".join(exc.messages))
    with transaction.atomic():
        user = services.sign_up(email, full_name, password)
        services.set_roles("commonground users create", user, roles, frozenset(Role))
    out.print(f"Created {user.email} with roles: {', '.join(sorted(user.roles))}")


def engine_errors():
    """Turn the engine's data and spec errors into one-line CLI errors."""
    from contextlib import contextmanager

    from commonground.engine.composite import SpecError
    from commonground.engine.tables import DataError

    @contextmanager
    def guard():
        try:
            yield
        except (DataError, SpecError) as exc:
            fail(str(exc))

    return guard()


def write_table(frame, out: Path | None, fmt: str = "csv") -> None:
    """CSV (or JSON records) to a file, or to standard output when no file is given."""
    text = frame.to_json(orient="records", indent=1) if fmt == "json" else frame.to_csv(index=False)
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"Wrote {len(frame):,} rows to {out}")


@index_app.command("imd")
def index_imd(
    domain_ranks: Annotated[Path, typer.Option(help="IoD domains: File 2 (ranks), File 5 (scores) or compact CSV.")],
    out: Annotated[Path | None, typer.Option(help="Output CSV (default: standard output).")] = None,
) -> None:
    """Recompute the IMD 2019 for every LSOA: rank, exponential transform, weighted sum.

    Uses domain scores when the file has them, otherwise domain ranks.
    """
    from commonground.engine import imd_files
    from commonground.engine.indices import imd_from_domain_ranks, imd_from_domain_scores
    from commonground.engine.national import imd_table

    with engine_errors(), console.status("Reading domains…"):
        domains = imd_files.read_domains(domain_ranks)
    result = (
        imd_from_domain_scores(domains.values) if domains.kind == "scores" else imd_from_domain_ranks(domains.values)
    )
    table = imd_table(domains.lsoa_codes, result.score.round(6), result.rank)
    console.print(f"IMD computed for {len(table):,} LSOAs from domain {domains.kind}")
    write_table(table, out)


@index_app.command("build")
def index_build(
    spec: Annotated[Path, typer.Option(help="TOML spec: domains, indicators, directions, transforms, weights.")],
    indicators: Annotated[Path, typer.Option(help="CSV with one row per area and one column per indicator.")],
    out: Annotated[Path | None, typer.Option(help="Output CSV (default: standard output).")] = None,
) -> None:
    """Build a composite index (e.g. a Community Needs Index) from an indicator table and a spec."""
    from commonground.engine.composite import build_from_files

    with engine_errors(), console.status("Building the index…"):
        parsed, result = build_from_files(spec, indicators)
    frame = result.to_frame(parsed.id_column)
    console.print(f"{parsed.name}: {len(frame):,} areas, {len(parsed.domains)} domains")
    write_table(frame, out)


@places_app.command("left-behind")
def places_left_behind(
    cni: Annotated[Path, typer.Option(help="Community Needs Index by ward (e.g. cni2019_england_ward17.csv).")],
    data: Annotated[
        Path, typer.Option(envvar="COMMONGROUND_NATIONAL_DATA", help="Directory laid out like the national data pack.")
    ],
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    out: Annotated[Path | None, typer.Option(help="Output file (default: standard output).")] = None,
) -> None:
    """List wards in the most deprived 10% on both the IMD (ward aggregate) and the CNI."""
    from commonground.engine import left_behind, national

    if fmt not in {"csv", "json"}:
        fail(f"--format must be csv or json, not {fmt!r}")
    with engine_errors(), console.status("Aggregating IMD 2019 to 2017 wards…"):
        wards = national.imd2019_wards17(data)
        table = left_behind.read_cni(cni)
    found = left_behind.left_behind(wards, table)
    message = f"{len(found)} left-behind wards (cut-off rank {found.attrs['cut']} of {found.attrs['wards']:,})"
    if table.published_flag is not None:
        agree = int(np.isin(found["code"], table.codes[table.published_flag]).sum())
        message += f"; {agree} of them among the {int(table.published_flag.sum())} the CNI file flags"
    console.print(message)
    found["population"] = found["population"].round().astype("Int64")
    write_table(found.round({"imd_score": 3, "cni_score": 3}), out, fmt)


@data_app.command("load")
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
    table = Table(title="Loaded")
    for column in ("dataset", "status", "what"):
        table.add_column(column)
    for row in summary:
        table.add_row(row["dataset"], row["status"], ", ".join(f"{k}: {v:,}" for k, v in row["counts"].items()))
    out.print(table)


@data_app.command("load-postcodes")
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


@data_app.command("fetch")
def data_fetch(
    dest: Annotated[Path, typer.Option("--to", help="Directory to download into (created if missing).")],
    only: Annotated[list[str], typer.Option(help="Only paths starting with this, e.g. imd2019/ (repeatable).")] = [],  # noqa: B006
    mirror: Annotated[str | None, typer.Option(help="Base URL of a mirror laid out like the data pack.")] = None,
) -> None:
    """Download the official publications (IoD 2019 and 2025 from GOV.UK) with sha256 checks where known."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
    from rich.table import Table

    from commonground.datasets.fetch import FetchError, fetch

    dest.mkdir(parents=True, exist_ok=True)
    tasks: dict[str, int] = {}
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=console) as progress:

        def report(relative: str, done: int, total: int | None) -> None:
            if relative not in tasks:
                tasks[relative] = progress.add_task(relative, total=total)
            progress.update(tasks[relative], completed=done, total=total)

        try:
            results = fetch(dest, base_url=mirror, only=only or None, progress=report)
        except FetchError as exc:
            fail(str(exc))
    table = Table(title=f"Downloaded into {dest}")
    for column in ("file", "status", "bytes", "sha256"):
        table.add_column(column)
    for r in results:
        table.add_row(r.relative_path, r.status + (" (verified)" if r.verified else ""), f"{r.bytes:,}", r.sha256[:16])
    out.print(table)


def _eligible_from_file(path: Path) -> list:
    """Places from a CSV (ward_code required; name, local_authority, population, need optional);
    anything missing is filled from the database."""
    from commonground.engine.fund import places_from_csv

    places, ward_codes = places_from_csv(path)
    if places is not None:
        return places
    setup_django()
    from commonground.fund.models import EligibilityPolicy
    from commonground.fund.services import eligible_areas, places_for

    policy = EligibilityPolicy(name=str(path), kind="custom", codes=list(ward_codes))
    return places_for(eligible_areas(policy))


@fund_app.command("allocate")
def fund_allocate(
    total: Annotated[int, typer.Option(min=1, help="The fund in whole pounds.")],
    years: Annotated[int, typer.Option(min=1, max=50, help="Years the awards run for.")] = 12,
    policy: Annotated[str, typer.Option(help="big-local, equal, per-capita or needs-weighted.")] = "big-local",
    profile: Annotated[str, typer.Option(help="Drawdown: even, front-loaded or start-up.")] = "even",
    floor: Annotated[int, typer.Option(min=0, help="Smallest award in pounds.")] = 0,
    cap: Annotated[int | None, typer.Option(min=1, help="Largest award in pounds.")] = None,
    eligible: Annotated[Path | None, typer.Option(help="CSV of eligible wards (default: left-behind wards).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
) -> None:
    """Allocate a fund across eligible wards in whole pounds; the same inputs give byte-identical output."""
    import csv
    import io
    import json

    from commonground.engine import fund as engine
    from commonground.engine.tables import DataError

    if fmt not in {"json", "csv"}:
        fail(f"--format must be json or csv, not {fmt!r}")
    try:
        rule = engine.AllocationPolicy(engine.Policy(policy), total, years, engine.Profile(profile), floor, cap)
    except ValueError as exc:
        fail(f"{exc} (policy: {', '.join(engine.Policy)}; profile: {', '.join(engine.Profile)})")
    try:
        if eligible is not None:
            places = _eligible_from_file(eligible)
        else:
            setup_django()
            from commonground.fund.models import EligibilityPolicy
            from commonground.fund.services import eligible_areas, places_for

            places = places_for(eligible_areas(EligibilityPolicy(name="left behind", kind="left-behind")))
        allocation = engine.allocate(places, rule)
    except (DataError, ValueError) as exc:
        fail(str(exc))
    header = {"policy": allocation.policy.describe(), "data_version": allocation.data_version,
              "eligible_wards": len(allocation.awards), "total_awarded": allocation.total_awarded,
              "unallocated": allocation.unallocated, "notes": list(allocation.notes)}  # fmt: skip
    rows = [
        {"ward_code": a.place.code, "ward_name": a.place.name, "local_authority": a.place.local_authority,
         "population": a.place.population, "amount": a.amount, "schedule": list(a.schedule)}
        for a in allocation.awards
    ]  # fmt: skip
    if fmt == "json":
        sys.stdout.write(json.dumps({**header, "awards": rows}, indent=1, ensure_ascii=False) + "\n")
        return
    buffer = io.StringIO()
    for key in ("data_version", "eligible_wards", "total_awarded", "unallocated"):
        buffer.write(f"# {key}: {header[key]}\n")
    buffer.write(f"# policy: {json.dumps(header['policy'], sort_keys=True)}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["ward_code", "ward_name", "local_authority", "population", "amount"]
                    + [f"year_{i}" for i in range(1, years + 1)])  # fmt: skip
    for r in rows:
        writer.writerow([r["ward_code"], r["ward_name"], r["local_authority"], r["population"], r["amount"],
                         *r["schedule"]])  # fmt: skip
    writer.writerow(["TOTAL", "", "", sum(r["population"] for r in rows), allocation.total_awarded])
    sys.stdout.write(buffer.getvalue())


@fund_app.command("export-360giving")
def fund_export(
    out: Annotated[Path, typer.Option(help="360Giving JSON package to write.")],
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Also write the 360Giving spreadsheet columns.")] = None,
    prefix: Annotated[str | None, typer.Option(help="Override the funds' 360Giving org prefix.")] = None,
) -> None:
    """Write every committed award, with the payments recorded so far, in the 360Giving standard."""
    import csv
    import json

    setup_django()
    require_schema()
    from commonground.engine import threesixty
    from commonground.fund.models import Fund
    from commonground.fund.services import grant_rows

    funds = list(Fund.objects.filter(status=Fund.Status.COMMITTED))
    if prefix:
        for f in funds:
            f.org_prefix = prefix
    try:
        data = threesixty.package(grant_rows(funds), title="Community Wealth Fund awards")
    except ValueError as exc:
        fail(str(exc))
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    console.print(f"Wrote {len(data['grants']):,} grants to {out}")
    if csv_out is not None:
        with csv_out.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(threesixty.csv_rows(data))
        console.print(f"Wrote the spreadsheet columns to {csv_out}")


def _read_election(file: Path, rule: str):
    """The election in a .pb file, after checking the rule's name; one `Error:` line otherwise."""
    from commonground.engine.pb import pabulib, rules

    if rule not in rules.RULES:
        fail(f"--rule must be one of {', '.join(rules.RULES)}, not {rule!r}")
    try:
        return pabulib.read(file)
    except pabulib.PabulibError as exc:
        fail(str(exc))


@pb_app.command("tally")
def pb_tally(
    file: Annotated[Path, typer.Argument(help="A pabulib .pb file.")],
    rule: Annotated[
        str, typer.Option(help="One of: greedy, mes, mes-add1, mes-add1-greedy, equal-shares, phragmen.")
    ] = "mes-add1-greedy",
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "json",
    plain: Annotated[bool, typer.Option(help="greedy: ignore the file's threshold and no-skip settings.")] = False,
) -> None:
    """Pick the winning projects of a PB election with a rule; prints winners, money spent and budget."""
    import json

    from commonground.engine.pb import rules

    election = _read_election(file, rule)
    try:
        winners = rules.tally(election, rule, plain=plain)
    except ValueError as exc:
        fail(f"{file}: {exc}")
    spent = sum(election.costs[election.index_of[w]] for w in winners)
    result = {"winners": winners, "spent": spent, "budget": election.budget, "rule": rule}
    if fmt == "json":
        out.print_json(json.dumps(result, default=str))
    else:
        out.print(f"{len(winners)} winners, {spent:,} of {election.budget:,} spent: {', '.join(winners)}")


@pb_app.command("check")
def pb_check(
    file: Annotated[Path, typer.Argument(help="A pabulib .pb file.")],
    strict: Annotated[bool, typer.Option(help="Votes that break the META's ballot limits are errors.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """Check a .pb file and summarise it: ballots, limits, categories and anything read leniently."""
    import json

    from commonground.engine.pb import pabulib

    try:
        election = pabulib.read(file, strict=strict)
    except pabulib.PabulibError as exc:
        fail(str(exc))
    by_category: dict[str, dict[str, int]] = {}
    for cost, categories in zip(election.costs, election.categories, strict=True):
        for category in categories:
            entry = by_category.setdefault(category, {"projects": 0, "cost": 0})
            entry["projects"] += 1
            entry["cost"] += cost
    summary = {
        "vote_type": election.vote_type,
        "budget": election.budget,
        "projects": election.n_projects,
        "voters": election.n_voters,
        "limits": {k: v for k, v in vars(election.limits).items() if v is not None},
        "categories": by_category,
        "targets": sorted({t for targets in election.targets for t in targets}),
        "warnings": election.warnings,
    }
    if fmt == "json":
        out.print_json(json.dumps(summary, default=str))
        return
    out.print(
        f"{file}: {election.vote_type} ballots, {election.n_voters:,} voters, {election.n_projects} projects, "
        f"budget {election.budget:,}",
        soft_wrap=True,
    )
    for key, value in summary["limits"].items():
        out.print(f"  {key}: {value}")
    for category, entry in sorted(by_category.items()):
        out.print(f"  category {category}: {entry['projects']} projects costing {entry['cost']:,}", soft_wrap=True)
    if summary["targets"]:
        out.print(f"  targets: {', '.join(summary['targets'])}", soft_wrap=True)
    for warning in election.warnings:
        out.print(f"  warning: {warning}", soft_wrap=True)


def parse_day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} must be a real date as YYYY-MM-DD, not {value!r}")


@assets_app.command("clocks")
def assets_clocks(
    event: Annotated[
        str,
        typer.Option(
            help="nomination-received, listed, listing-notice, review-requested, "
            "review-decision, disposal-notice, moratorium-end or delisted."
        ),
    ],  # fmt: skip
    date: Annotated[str, typer.Option(help="The day the event happened (YYYY-MM-DD).")],
    ruleset: Annotated[str, typer.Option(help="localism-2011 (law) or right-to-buy (proposal).")] = "localism-2011",
    bid_request: Annotated[
        str | None, typer.Option(help="disposal-notice only: the day a community interest group asked to bid.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """Print every statutory period an event starts, with its last day and citation."""
    import json

    from commonground.engine import clocks

    if fmt not in ("json", "text"):
        fail(f"--format must be json or text, not {fmt!r}")
    try:
        chosen_event = clocks.Event(event)
    except ValueError:
        fail(f"--event must be one of {', '.join(e.value for e in clocks.Event)}, not {event!r}")
    try:
        rules = clocks.ruleset(ruleset)
    except ValueError as exc:
        fail(str(exc))
    on = parse_day(date, "--date")
    bid = parse_day(bid_request, "--bid-request") if bid_request else None
    try:
        periods = clocks.clocks(chosen_event, on, rules, bid)
    except ValueError as exc:
        fail(str(exc))
    if fmt == "json":
        result = {
            "event": chosen_event.value,
            "date": on.isoformat(),
            "ruleset": rules.key,
            "ruleset_status": rules.status,
            "bid_request": bid.isoformat() if bid else None,
            "periods": [p.as_dict() for p in periods],
        }
        out.print_json(json.dumps(result))
        return
    if rules.status != "law":
        out.print(f"Rule set {rules.key} is a {rules.status}, not law.", highlight=False)
    for p in periods:
        out.print(f"{p.name} ({p.length} from {p.begins.isoformat()}): last day {p.last_day.isoformat()}"
                  f"  [{p.citation}]", highlight=False, soft_wrap=True)  # fmt: skip


@assets_app.command("remind")
def assets_remind(
    date: Annotated[str | None, typer.Option(help="Pretend today is this day (YYYY-MM-DD).")] = None,
    days_before: Annotated[int, typer.Option(min=0, max=60, help="Remind this many days before a last day.")] = 7,
    send: Annotated[bool, typer.Option(help="Also email every unsent notice that has an address.")] = False,
) -> None:
    """Queue deadline reminders for every party (once each) in the notification outbox."""
    setup_django()
    require_schema()
    from commonground.assets import services

    on = parse_day(date, "--date") if date else None
    made = services.remind(on, days_before)
    out.print(f"Queued {made} reminder{'s' if made != 1 else ''}")
    if send:
        out.print(f"Sent {services.send_outbox()} notices")


@assets_app.command("import-ownership")
def assets_import_ownership(
    file: Annotated[Path, typer.Argument(help="CSV in HM Land Registry's UK/overseas companies ownership layout.")],
) -> None:
    """Import (add or replace) registered titles and their company owners; all rows or none."""
    if not file.is_file():
        fail(f"{file}: no such file")
    setup_django()
    require_schema()
    from commonground.assets import ownership

    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            counts = ownership.import_titles(handle, source=file.name)
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")
    except ownership.OwnershipImportError as exc:
        fail(f"{file}: nothing imported: {exc}")
    out.print(f"Imported {counts['titles']} titles ({counts['created']} new, {counts['updated']} replaced)")


@assets_app.command("council")
def assets_council(
    name: Annotated[str, typer.Argument(help="The listing council's name.")],
    ruleset: Annotated[str, typer.Option(help="Rule set for the council's new cases.")] = "localism-2011",
) -> None:
    """Create a council or change the rule set its new cases use (existing cases keep theirs)."""
    from commonground.engine import clocks

    try:
        clocks.ruleset(ruleset)
    except ValueError as exc:
        fail(str(exc))
    setup_django()
    require_schema()
    from commonground.assets.services import council_named
    from commonground.audit.service import record

    council = council_named(name)
    before = council.ruleset
    council.ruleset = ruleset
    council.save(update_fields=["ruleset"])
    record("command line", "assets.council_ruleset", council, before={"ruleset": before}, after={"ruleset": ruleset})
    out.print(f"{council.name}: new cases use {ruleset}")


@ballot_app.command("tally")
def ballot_tally(
    ballot_id: Annotated[int, typer.Option("--ballot", help="The ballot's number, as in its web address.")],
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """Re-add a counted ballot's published papers, check them against the ballot box, print the result."""
    import json

    setup_django()
    require_schema()
    from commonground.ballots.models import Ballot
    from commonground.ballots.services import current_totals
    from commonground.engine import ballot_count

    ballot = Ballot.objects.filter(pk=ballot_id).first()
    if ballot is None:
        fail(f"there is no ballot {ballot_id}")
    phase = ballot.phase()
    if phase in (Ballot.Phase.SETUP, Ballot.Phase.OPEN):
        closes = f"{ballot.closes_at:%Y-%m-%d %H:%M}"
        fail(f"ballot {ballot_id} is not closed: nothing is counted before voting closes ({closes} UTC)")
    if phase == Ballot.Phase.CLOSED:
        fail(f"ballot {ballot_id} has not been counted: only its independent body opens the count")
    options = [o.label for o in ballot.options.order_by("position")]
    electorate = ballot.result.totals["electorate"]
    readded = ballot_count.readd(options, [choice for _id, choice in ballot.result.papers], electorate)
    if readded.as_dict() != current_totals(ballot).as_dict():
        fail(f"ballot {ballot_id}: the published papers do not add up to the ballot box totals")
    result = {"ballot": ballot.pk, "question": ballot.question, **readded.as_dict()}
    if fmt == "json":
        out.print_json(json.dumps(result))
    else:
        votes = ", ".join(f"{o} {readded.votes[o]}" for o in options)
        out.print(
            f"{votes}; spoilt {readded.spoilt}; turnout {float(readded.turnout):.1%} of {readded.electorate}; "
            f"majority: {readded.majority_option or 'none'}"
        )


def _sortition_inputs(features: Path, people: Path, household_columns: str, id_column: str | None):
    from commonground.engine.sortition import model

    columns = [c.strip() for c in household_columns.split(",") if c.strip()]
    quotas = model.read_quotas(features)
    return model.read_pool(people, quotas, id_column=id_column, household_columns=columns), quotas


def _run_with_progress(task: str, work):
    """Run `work(progress)` with a rich progress bar on standard error."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True
    ) as bar:
        job = bar.add_task(task, total=None)

        def report(what: str, done: int, total: int) -> None:
            bar.update(job, description=f"{task}: {what}", completed=done, total=total)

        return work(report)


def _print_distribution(result: dict, fmt: str) -> None:
    import json

    if fmt == "json":
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        chances = result["probabilities"].values()
        out.print(
            f"{result['method']}: panels of {result['size']} from {len(chances)} people; "
            f"least chance {result['min_probability']:.6f}, most {max(chances):.6f}, "
            f"{len(result['panels'])} panels in the lottery"
        )


@panel_app.command("select")
def panel_select(
    features: Annotated[Path, typer.Option(help="Quotas: feature,value,min,max[,...] or category,feature,min,max.")],
    people: Annotated[Path, typer.Option(help="Pool CSV: an id column and one column per feature.")],
    size: Annotated[int, typer.Option(help="Panel size k.")],
    method: Annotated[str, typer.Option(help="leximin, maximin, nash or legacy.")] = "leximin",
    household_columns: Annotated[str, typer.Option(help="Address columns: at most one person per household.")] = "",
    id_column: Annotated[str | None, typer.Option(help="Id column (default: first non-feature column).")] = None,
    seed: Annotated[int, typer.Option(help="legacy only: random seed for its draws.")] = 0,
    draws: Annotated[int, typer.Option(min=1, help="legacy only: panels drawn to estimate the chances.")] = 1000,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "json",
) -> None:
    """Compute a fair lottery over panels that meet the quotas; prints each person's chance and the panels."""
    from commonground.engine.sortition.leximin import select
    from commonground.engine.sortition.model import SortitionError

    try:
        pool, quotas = _sortition_inputs(features, people, household_columns, id_column)
        dist = _run_with_progress(
            method, lambda report: select(pool, quotas, size, method, report, seed=seed, draws=draws)
        )
    except SortitionError as exc:
        fail(str(exc))
    _print_distribution(dist.to_json(), fmt)


@panel_app.command("draw")
def panel_draw(
    distribution: Annotated[Path, typer.Option(help="JSON written by `panel select` or `panel replace`.")],
    seed: Annotated[str, typer.Option(help="Public seed, e.g. the numbers of a public lottery draw.")],
    panels: Annotated[int, typer.Option(help="Tickets m in the uniform lottery.")] = 1000,
    lottery_out: Annotated[Path | None, typer.Option(help="Also write the m tickets (JSON) for publication.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "json",
) -> None:
    """Round the distribution to m equally likely panels and pick one with SHA-256 of the public seed."""
    import json

    from commonground.engine.sortition import lottery
    from commonground.engine.sortition.model import SortitionError

    try:
        dist = lottery.read_distribution(distribution)
        result = lottery.draw(dist, seed, panels)
        if lottery_out is not None:
            tickets = lottery.build_lottery(dist, panels).tickets
            lottery_out.write_text(json.dumps({"lottery_sha256": result["lottery_sha256"], "tickets": tickets}))
    except SortitionError as exc:
        fail(str(exc))
    if fmt == "json":
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        out.print(
            f"Ticket {result['ticket']} of {result['tickets']} (seed {seed!r}): {', '.join(result['panel'])}; "
            f"largest change in anyone's chance {result['max_probability_change']:.4f}"
        )


@panel_app.command("replace")
def panel_replace(
    features: Annotated[Path, typer.Option(help="The quotas the panel was selected under.")],
    people: Annotated[Path, typer.Option(help="The pool CSV the panel was selected from.")],
    panel: Annotated[Path, typer.Option(help="The panel: `panel draw` JSON, or one id per line.")],
    dropped: Annotated[str, typer.Option(help="Comma-separated ids of members who dropped out.")],
    method: Annotated[str, typer.Option(help="leximin, maximin, nash or legacy.")] = "leximin",
    household_columns: Annotated[str, typer.Option(help="Address columns: at most one person per household.")] = "",
    id_column: Annotated[str | None, typer.Option(help="Id column (default: first non-feature column).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "json",
) -> None:
    """A fair lottery over replacements from the rest of the pool, so the panel still meets the quotas."""
    import json

    from commonground.engine.sortition.model import SortitionError
    from commonground.engine.sortition.replacement import replace

    try:
        text = panel.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"{panel}: cannot read ({exc.strerror or exc})")
    try:
        members = [str(m) for m in json.loads(text)["panel"]]
    except (ValueError, KeyError, TypeError):
        members = [line.strip() for line in text.splitlines() if line.strip()]
    try:
        pool, quotas = _sortition_inputs(features, people, household_columns, id_column)
        gone = [d.strip() for d in dropped.split(",") if d.strip()]
        request, dist = _run_with_progress(method, lambda report: replace(pool, quotas, members, gone, method, report))
    except SortitionError as exc:
        fail(str(exc))
    result = {**dist.to_json(), "staying": request.staying, "dropped": gone}
    _print_distribution(result, fmt)


@pb_app.command("explain")
def pb_explain(
    file: Annotated[Path, typer.Argument(help="A pabulib .pb file.")],
    rule: Annotated[
        str, typer.Option(help="One of: greedy, mes, mes-add1, mes-add1-greedy, equal-shares, phragmen.")
    ] = "mes-add1-greedy",
    project: Annotated[str | None, typer.Option(help="A project id; every project when left out.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
    plain: Annotated[bool, typer.Option(help="greedy: ignore the file's threshold and no-skip settings.")] = False,
) -> None:
    """Why a project won or lost under a rule: its round and price, or what it lacked."""
    import json

    from commonground.engine.pb import explain

    election = _read_election(file, rule)
    if project is not None and project not in election.index_of:
        fail(f"{file}: no project {project!r}")
    try:
        found = explain.explain(election, rule, plain=plain)
    except ValueError as exc:
        fail(f"{file}: {exc}")
    chosen = [found[project]] if project is not None else list(found.values())
    if fmt == "json":
        data = chosen[0].as_dict() if project is not None else [e.as_dict() for e in chosen]
        out.print_json(json.dumps(data))
    else:
        for item in chosen:
            out.print(f"{item.project_id} ({'won' if item.won else 'not funded'}): {item.text}", soft_wrap=True)


@outcomes_app.command("import-survey")
def outcomes_import_survey(
    file: Annotated[Path, typer.Argument(help="CSV: area_code,measure,value[,measure_name,unit,direction].")],
    dataset: Annotated[str, typer.Option(help="Short name of the dataset, one per survey wave, e.g. survey-2025.")],
    period: Annotated[str, typer.Option(help="Period label on trend charts, e.g. 2025.")],
    name: Annotated[str, typer.Option(help="Dataset name shown with its figures.")] = "",
    source: Annotated[str, typer.Option(help="Who ran the survey.")] = "Local residents' survey",
    licence: Annotated[str, typer.Option(help="Licence of the figures.")] = "Open Government Licence v3.0",
    area_type: Annotated[str | None, typer.Option(help="Area type code when codes repeat, e.g. ward17.")] = None,
    theme: Annotated[
        str | None, typer.Option(help="Add measures not yet in the framework under this theme (slug).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """Import one wave of local survey results (replaces an earlier import of the same dataset)."""
    import json

    setup_django()
    require_schema()
    from commonground.outcomes.importers import SurveyError, SurveyImport, import_survey

    spec = SurveyImport(dataset=dataset, name=name or f"Local survey {period}", source=source, licence=licence,
                        period=period, area_type=area_type, theme=theme)  # fmt: skip
    try:
        counts = import_survey(file, spec, "commonground outcomes import-survey")
    except SurveyError as exc:
        fail(str(exc))
    if fmt == "json":
        out.print_json(json.dumps({"dataset": dataset, **counts}))
    else:
        out.print(f"Imported {counts['values']:,} values for {counts['measures']} measures into {dataset}; "
                  f"{counts['linked']} linked to the framework ({counts['created']} new)")  # fmt: skip


@report_app.command("area")
def report_area(
    code: Annotated[str, typer.Argument(help="GSS code of a ward or local authority.")],
    out_path: Annotated[Path, typer.Option("--out", help="PDF file to write.")] = Path("report.pdf"),
    area_type: Annotated[str | None, typer.Option("--type", help="Area type code when codes repeat.")] = None,
) -> None:
    """Write the State of the Neighbourhood report for one area as a PDF."""
    import time

    setup_django()
    require_schema()
    from commonground.outcomes import report
    from commonground.places.models import AreaType
    from commonground.places.services import find_area

    area = find_area(code, area_type)
    if area is None or area.area_type.level not in (AreaType.Level.WARD, AreaType.Level.LOCAL_AUTHORITY):
        fail(f"no ward or local authority has the code {code!r}")
    started = time.perf_counter()
    with console.status(f"Writing the report for {area.name}…"):
        pdf = report.render_pdf(area)
    try:
        out_path.write_bytes(pdf)
    except OSError as exc:
        fail(f"cannot write {out_path}: {exc.strerror}")
    out.print(f"Wrote {out_path} ({len(pdf) / 1024:,.0f} KB) for {area.name} in {time.perf_counter() - started:.1f} s")


@app.command()
def version() -> None:
    """Print the version."""
    from commonground import __version__

    out.print(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
