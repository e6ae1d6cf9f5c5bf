"""Online voting over real HTTP, end to end: a throwaway PostgreSQL, `commonground serve` (gunicorn) on loopback,
and voters that each GET the ballot form and POST a distinct valid ballot with its CSRF token.

    python benchmarks/voting.py --kind pb --concurrency 50 --ballots 3000 [--json]
    python benchmarks/voting.py --kind ballot --concurrency 50 --ballots 3000 [--json]

`--kind pb` makes a participatory budgeting process (30 projects, approval ballot of 1 to 5, one-time codes)
and `--kind ballot` a resident ballot (Yes/No, a roll with one code per elector), both through the project's
own services. In the same run, before the voters, the same server answers a bare view that inserts one row
per request (benchmarks/floor_urls.py, never part of the product): its rate is the floor, and the ballots'
rate is printed as a share of it. At the end the stored papers and "has voted" marks are counted in the
database: `stored` must equal `accepted`.

Each voter is a new browser: a new connection and no cookies. Voters come from different loopback addresses
(127.0.x.y, 40 voters each), as voters do from different homes: the per-address attempt limits stay on.
`--code DIR` serves another checkout's `commonground` package (e.g. main's, for a before/after in one session).
Everything it starts (PostgreSQL, gunicorn and its task worker) is stopped and its files removed at the end.
"""

# ruff: noqa: S603, S607  (runs PostgreSQL, psql and the server it starts itself)
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
PROJECTS = 30
MOST_CHOSEN = 5
VOTERS_PER_ADDRESS = 40  # under the resident ballot's 100 tries per address in 15 minutes
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ steps run inside Django (subprocesses)


def _django():
    sys.path.insert(0, str(HERE))
    from commonground.terminal import setup_django

    setup_django()


def setup_pb(ballots: int) -> dict:
    """A PB process for 30 projects on the ballot, voting open, `ballots` one-time codes."""
    from django.urls import reverse

    from commonground.budgeting import basics, casting, services
    from commonground.budgeting.models import Process
    from commonground.places.models import Area

    actor = "benchmarks/voting.py"
    area = Area.objects.filter(is_demo=True, code="X05000002").first() or Area.objects.order_by("id").first()
    process = services.create_process(
        actor, area, title="Benchmark budget", description="Voting benchmark.", source_of_money="benchmark",
        budget=1_000_000, ballot_type="approval", min_selections=1, max_selections=MOST_CHOSEN,
        rule="equal-shares", electorate=Process.Electorate.CODES,
    )  # fmt: skip
    process = services.advance(process, actor)
    proposals = [
        services.submit_proposal(
            process,
            None,
            title=f"Project {n}",
            summary=f"Project number {n} for the benchmark.",
            estimated_cost=10_000 + 1_000 * n,
            category=f"category {n % 4}",
        )  # fmt: skip
        for n in range(1, PROJECTS + 1)
    ]
    process = services.advance(process, actor)
    for p in proposals:
        services.review(p, actor, feasible=True, cost=p.estimated_cost, reason="")
    process = services.advance(process, actor)
    codes = []
    while len(codes) < ballots:
        codes += casting.issue_codes(process, actor, min(5000, ballots - len(codes)), "Benchmark")
    return {
        "path": reverse("budgeting:vote", args=[process.slug]),  # the served code's own address
        "codes": codes,
        "projects": [p.project_id for p in basics.ballot_projects(process)],
        "ref": process.pk,
    }


def setup_ballot(ballots: int) -> dict:
    """A resident ballot open now (Yes/No), a roll of `ballots` electors and a code for each."""
    import datetime as dt

    from django.utils import timezone

    from commonground.accounts.models import RoleGrant, User
    from commonground.accounts.roles import Role
    from commonground.ballots import services

    officer = User.objects.create_user(email="officer@bench.invalid", password=None, full_name="Officer")
    scrutineer = User.objects.create_user(email="body@bench.invalid", password=None, full_name="Independent Body")
    RoleGrant.objects.create(user=officer, role=Role.COUNCIL_OFFICER)
    RoleGrant.objects.create(user=scrutineer, role=Role.SCRUTINEER)
    opens = timezone.now() - dt.timedelta(hours=1)
    ballot = services.create_ballot(
        officer, title="Benchmark estate ballot", estate="Benchmark", area=None,
        question="Are you in favour of the proposal?", options=["Yes", "No"], opens_at=opens,
        closes_at=opens + dt.timedelta(days=21), scrutineer=scrutineer, offer_title="Landlord Offer",
        offer_body="New homes for every tenant at the same rent.", offer_published_on=dt.date(2026, 1, 15),
    )  # fmt: skip
    rows = ["full_name,address,date_of_birth,category,qualifying_date,evidence"]
    rows += [
        f"Resident {i},{i} Benchmark Road,1970-01-01,social_tenant,2010-01-01,Tenancy T{i}" for i in range(ballots)
    ]
    services.import_roll(scrutineer, ballot, "\n".join(rows) + "\n")
    issued = services.issue_codes(scrutineer, ballot)
    return {
        "path": f"/ballots/{ballot.pk}/vote/",
        "codes": [i.code for i in issued],
        "options": [o.pk for o in ballot.options.order_by("position")],
        "ref": ballot.pk,
    }


def stored(kind: str, ref: int) -> dict:
    """What the database holds after the run: papers and "has voted" marks (and the box, for ballots)."""
    if kind == "pb":
        from commonground.budgeting.models import BallotPaper, VoterMark

        return {
            "papers": BallotPaper.objects.filter(process_id=ref).count(),
            "marks": VoterMark.objects.filter(process_id=ref).count(),
        }
    from django.db.models import Sum

    from commonground.ballots.models import BallotBox, BallotPaper, VoterMark

    return {
        "papers": BallotPaper.objects.filter(ballot_id=ref).count(),
        "marks": VoterMark.objects.filter(elector__ballot_id=ref).count(),
        "box": BallotBox.objects.filter(ballot_id=ref).aggregate(n=Sum("votes"))["n"] or 0,
    }


def inside(argv: list[str]) -> None:
    """`voting.py _setup KIND N FILE` or `voting.py _stored KIND REF`: run in the server's environment."""
    _django()
    from django.db import connection

    if argv[0] == "_setup":
        kind, n, out = argv[1], int(argv[2]), argv[3]
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, at timestamptz)")
        made = setup_pb(n) if kind == "pb" else setup_ballot(n)
        Path(out).write_text(json.dumps(made))
    else:
        print(json.dumps(stored(argv[1], int(argv[2]))))


# ------------------------------------------------------------------ the stack: PostgreSQL and the server


class Stack:
    """A throwaway PostgreSQL cluster and `commonground serve` on loopback; `close()` stops and removes both."""

    def __init__(self, args, say) -> None:
        self.args = args
        self.say = say
        self.work = Path(tempfile.mkdtemp(prefix="cg-voting-"))
        self.pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
        self.pgdata = self.work / "pg" / "data"
        self.runas = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.server: subprocess.Popen | None = None
        self.pg_started = False
        self.port = free_port()
        pgport = free_port()
        self.pgport = pgport
        data = self.work / "data"
        data.mkdir()
        code = [str(Path(args.code).resolve())] if args.code else []
        # Collected static files are kept between runs of the same checkout (serve recollects when they change).
        static = Path(tempfile.gettempdir()) / f"cg-voting-static-{hashlib.sha256(str(code).encode()).hexdigest()[:12]}"
        static.mkdir(exist_ok=True)
        (data / "static").symlink_to(static)
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://commonground:commonground@127.0.0.1:{pgport}/commonground",
            "COMMONGROUND_DATA_DIR": str(data),
            "COMMONGROUND_SECRET_KEY": "benchmark-only-secret-key-" + "x" * 32,
            "DJANGO_SETTINGS_MODULE": "floor_settings",
            "PYTHONPATH": os.pathsep.join([*code, str(HERE)]),
        }

    def start_postgres(self) -> None:
        self.say("Starting PostgreSQL…")
        (self.work / "pg").mkdir()
        if self.runas:
            shutil.chown(self.work / "pg", "postgres")
            os.chmod(self.work, 0o755)  # noqa: S103  (postgres must reach its folder)
        quiet = {"stdout": subprocess.DEVNULL, "check": True}
        subprocess.run([*self.runas, f"{self.pgbin}/initdb", "-D", str(self.pgdata), "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--no-locale"], **quiet)  # fmt: skip
        options = (f"-k {self.work / 'pg'} -p {self.pgport} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c max_connections=300")  # fmt: skip
        subprocess.run([*self.runas, f"{self.pgbin}/pg_ctl", "-D", str(self.pgdata), "-l",
                        str(self.work / "pg" / "server.log"), "-w", "-o", options, "start"], **quiet)  # fmt: skip
        self.pg_started = True
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-p", str(self.pgport), "-U", "postgres", "-v",
                        "ON_ERROR_STOP=1", "-c", "CREATE ROLE commonground LOGIN CREATEDB PASSWORD 'commonground'",
                        "-c", "CREATE DATABASE commonground OWNER commonground"], **quiet)  # fmt: skip

    def cli(self, *words: str, **kw) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "commonground.cli", *words]
        return subprocess.run(command, env=self.env, cwd=self.work, check=True, **kw)  # noqa: S603

    def prepare(self) -> dict:
        self.say("Migrating and loading the demo data…")
        self.cli("migrate", stdout=subprocess.DEVNULL)
        if self.args.data:
            self.say(f"Loading the national data from {self.args.data} (a minute or more)…")
            self.cli("data", "load", "--from", str(Path(self.args.data).resolve()), stdout=subprocess.DEVNULL)
        self.cli("init-demo", stdout=subprocess.DEVNULL)
        self.say(f"Setting up the {self.args.kind} vote with {self.args.ballots} codes…")
        out = self.work / "setup.json"
        subprocess.run([sys.executable, __file__, "_setup", self.args.kind, str(self.args.ballots), str(out)],  # noqa: S603
                       env=self.env, cwd=self.work, check=True)  # fmt: skip
        return json.loads(out.read_text())

    def start_server(self) -> None:
        self.say("Starting commonground serve (collects static files on a first start)…")
        log = open(self.work / "serve.log", "wb")  # noqa: SIM115  (open while the server runs)
        command = [sys.executable, "-m", "commonground.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--workers", str(self.args.workers)]  # fmt: skip
        self.server = subprocess.Popen(command, env=self.env, cwd=self.work, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603
                                       start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise SystemExit("commonground serve stopped:\n" + (self.work / "serve.log").read_text()[-3000:])
            try:
                status, _ = request(self.port, "GET", "/bench-floor/")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("commonground serve did not answer within 300 s")

    def cpu_seconds(self) -> float:
        """CPU used so far by the server side: every process of `serve` (gunicorn and its workers) and of
        PostgreSQL (the postmaster and its backends, with those that have ended). On a machine other work shares,
        CPU per ballot moves much less than ballots per second."""
        postmaster = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended while we looked
            pid, ppid, group = int(stat.parent.name), int(fields[1]), int(fields[2])
            if group == self.server.pid or pid == postmaster or ppid == postmaster:
                # utime, stime, and the times of waited-for children that ended (backends, restarted workers)
                total += sum(int(v) for v in fields[11:15])
        return total / os.sysconf("SC_CLK_TCK")

    def stored(self, ref: int) -> dict:
        done = subprocess.run([sys.executable, __file__, "_stored", self.args.kind, str(ref)], env=self.env,  # noqa: S603
                              cwd=self.work, check=True, capture_output=True, text=True)  # fmt: skip
        return json.loads(done.stdout)

    def stop_server(self) -> None:
        """Stop gunicorn and its task worker (benchmarks/pages.py restarts it to measure cold pages)."""
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        self.server = None

    def close(self) -> None:
        self.stop_server()
        if self.pg_started:
            subprocess.run([*self.runas, f"{self.pgbin}/pg_ctl", "-D", str(self.pgdata), "-m", "fast", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)  # fmt: skip
        shutil.rmtree(self.work, ignore_errors=True)


# ------------------------------------------------------------------ the client


def request(port, method, path, body=b"", headers=None, source=None, connection=None):
    """One request; returns (status, body) or, with a connection given, (status, body, response)."""
    own = connection is None
    if own:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=source)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return (response.status, data) if own else (response.status, data, response)
    finally:
        if own:
            connection.close()


def source_of(voter: int) -> tuple[str, int]:
    n = 2 + voter // VOTERS_PER_ADDRESS
    return (f"127.{n // 62_000 % 250}.{n // 250 % 250}.{n % 250 + 1}", 0)


class Voters:
    """`concurrency` threads; each takes the next voter, opens a connection as that voter, GETs the form and
    POSTs the ballot. Times every GET and POST; counts what was accepted and what went wrong."""

    def __init__(self, port: int, kind: str, made: dict, seed: int = 23) -> None:
        self.port, self.kind, self.made = port, kind, made
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.next = 0
        self.done = 0
        self.gets: list[float] = []
        self.posts: list[float] = []
        self.accepted = 0
        self.errors: dict[str, int] = {}

    def ballot(self, voter: int, token: str) -> list[tuple[str, str]]:
        rng = random.Random(voter)
        fields = [("csrfmiddlewaretoken", token), ("code", self.made["codes"][voter])]
        if self.kind == "pb":
            chosen = rng.sample(self.made["projects"], rng.randint(1, MOST_CHOSEN))
            fields += [("projects", str(p)) for p in sorted(chosen)]
            fields += [("age_confirmed", "on"), ("age_band", rng.choice(["16_64", "65_plus", ""])),
                       ("sex", rng.choice(["female", "male", ""]))]  # fmt: skip
        else:
            fields.append(("option", str(rng.choice(self.made["options"]))))
        return fields

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1

    def one(self, voter: int) -> None:
        path = self.made["path"]
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120, source_address=source_of(voter))
        try:
            started = time.perf_counter()
            status, body, response = request(self.port, "GET", path, connection=connection)
            got = time.perf_counter() - started
            found = CSRF.search(body)
            if status != 200 or not found:
                return self.error(f"GET {status}")
            cookies = "; ".join(c.split(";", 1)[0] for c in response.msg.get_all("Set-Cookie") or [])
            form = urlencode(self.ballot(voter, found.group(1).decode())).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies}
            started = time.perf_counter()
            status, body, response = request(self.port, "POST", path, form, headers, connection=connection)
            posted = time.perf_counter() - started
            with self.lock:
                self.gets.append(got)
                self.posts.append(posted)
            ok = (status == 200 and b"Your vote is recorded" in body) if self.kind == "pb" else (
                status == 302 and response.getheader("Location", "").endswith("/voted/"))  # fmt: skip
            if not ok:
                return self.error(f"POST {status}")
            with self.lock:
                self.accepted += 1
        except OSError as exc:
            self.error(type(exc).__name__)
        finally:
            connection.close()
            with self.lock:
                self.done += 1

    def run(self, ballots: int, concurrency: int, progress) -> float:
        def worker():
            while True:
                with self.lock:
                    if self.next >= ballots:
                        return
                    voter, self.next = self.next, self.next + 1
                self.one(voter)

        started = time.perf_counter()
        threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            progress(self.done)
            time.sleep(0.2)
        progress(self.done)
        return time.perf_counter() - started


def floor(port: int, requests: int, concurrency: int, progress) -> tuple[float, list[float], int]:
    """The bare view at the same concurrency: one new connection and one POST (one INSERT) per request."""
    lock = threading.Lock()
    left = [requests]
    times: list[float] = []
    bad = [0]

    def worker():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
                n = requests - left[0]
            started = time.perf_counter()
            try:
                status, _ = request(port, "POST", "/bench-floor/", b"", source=source_of(n))
            except OSError:
                status = 0
            with lock:
                times.append(time.perf_counter() - started)
                bad[0] += status != 200

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        progress(len(times))
        time.sleep(0.2)
    progress(len(times))
    wall = time.perf_counter() - started
    return (requests - bad[0]) / wall, times, bad[0]


def percentiles(seconds: list[float]) -> dict[str, float]:
    if len(seconds) < 2:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("_setup", "_stored"):
        return inside(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=["pb", "ballot"], default="pb")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--ballots", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (commonground serve --workers)")
    parser.add_argument("--floor-requests", type=int, default=None, help="bare view requests (default: --ballots)")
    parser.add_argument("--warmup", type=int, default=20, help="form GETs before timing (no ballot cast)")
    parser.add_argument("--data", default=None, help="also load the national data pack from DIR first")
    parser.add_argument("--code", default=None, help="serve the commonground package of this checkout instead")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    err = Console(stderr=True)
    stack = Stack(args, lambda text: err.print(text, style="dim"))

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        stack.start_postgres()
        made = stack.prepare()
        stack.start_server()
        for _ in range(args.warmup):
            request(stack.port, "GET", made["path"])
            request(stack.port, "POST", "/bench-floor/")
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=args.json) as bar:
            n_floor = args.floor_requests or args.ballots
            task = bar.add_task("bare view (floor)", total=n_floor)
            cpu = [stack.cpu_seconds()]
            floor_rate, floor_times, floor_bad = floor(
                stack.port, n_floor, args.concurrency, lambda n: bar.update(task, completed=n)
            )
            cpu.append(stack.cpu_seconds())
            task = bar.add_task(f"{args.kind} ballots", total=args.ballots)
            voters = Voters(stack.port, args.kind, made)
            wall = voters.run(args.ballots, args.concurrency, lambda n: bar.update(task, completed=n))
            cpu.append(stack.cpu_seconds())
        counted = stack.stored(made["ref"])
    finally:
        stack.close()

    get, post, fl = percentiles(voters.gets), percentiles(voters.posts), percentiles(floor_times)
    per_floor = (cpu[1] - cpu[0]) / max(n_floor - floor_bad, 1)
    per_ballot = (cpu[2] - cpu[1]) / max(voters.accepted, 1)
    result = {
        "kind": args.kind,
        "concurrency": args.concurrency,
        "ballots": args.ballots,
        "workers": args.workers,
        "code": args.code or str(HERE.parent),
        "accepted": voters.accepted,
        "stored": counted["papers"],
        "marks": counted["marks"],
        **({"box": counted["box"]} if "box" in counted else {}),
        "errors": sum(voters.errors.values()),
        "error_kinds": voters.errors,
        "seconds": round(wall, 3),
        "accepted_per_s": round(voters.accepted / wall, 1),
        **{f"get_{k}_ms": round(v, 1) for k, v in get.items()},
        **{f"post_{k}_ms": round(v, 1) for k, v in post.items()},
        "floor_per_s": round(floor_rate, 1),
        "floor_errors": floor_bad,
        **{f"floor_{k}_ms": round(v, 1) for k, v in fl.items()},
        "share_of_floor": round(voters.accepted / wall / floor_rate, 3) if floor_rate else None,
        # Server CPU (serve and PostgreSQL) per ballot (GET and POST) and per bare-view request, and their ratio:
        # the share of the floor a machine with nothing else on it would give.
        "server_cpu_ms_per_ballot": round(per_ballot * 1000, 2),
        "floor_server_cpu_ms_per_request": round(per_floor * 1000, 2),
        "cpu_share_of_floor": round(per_floor / per_ballot, 3) if per_ballot else None,
        "load_average": round(os.getloadavg()[0], 1),  # other work on the machine, for reading the figures
    }
    if args.json:
        print(json.dumps(result))
        return
    table = Table(title=f"{args.kind} voting, {args.ballots} ballots at concurrency {args.concurrency}")
    for name in ("", "p50", "p95", "p99"):
        table.add_column(name, justify="right" if name else "left")
    for label, figures in (("GET form", get), ("POST ballot", post), ("bare view (floor)", fl)):
        table.add_row(label, *(f"{figures[k]:.1f} ms" for k in ("p50", "p95", "p99")))
    Console().print(table)
    Console().print(
        f"accepted {result['accepted']} in {wall:.1f} s = [bold]{result['accepted_per_s']} ballots/s[/]; "
        f"floor {result['floor_per_s']} requests/s; share of floor {result['share_of_floor']}; "
        f"stored {result['stored']} papers, {result['marks']} marks"
        + (f", {result['box']} in the box" if "box" in result else "")
        + f"; errors {result['errors']} {voters.errors or ''}"
    )


if __name__ == "__main__":
    main()
