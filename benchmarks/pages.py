"""Cold pages over real HTTP (issue 23): a throwaway PostgreSQL with the national data loaded, `commonground serve`
(gunicorn) on loopback, restarted so every cache is empty, then pages nobody has asked for since.

    python benchmarks/pages.py [--data ../shared/data] [--wards 200] [--concurrency 1] [--pdfs 5] [--json]
    python benchmarks/pages.py --code /tmp/cg-main-pages        # main's code, for a before/after
    python benchmarks/pages.py --profile                        # queries and time per page, in one process

After the restart it asks, in this order: the England dashboard (/outcomes/) once, the home page once, then for
200 distinct 2024 wards (a fixed seed; never requested before) the ward's profile (/places/CODE/), its dashboard
(/outcomes/areas/CODE/), the API area endpoints of commonground/places/api.py (/api/areas/CODE, …/indicators,
…/map), the dashboard of each ward's district the first time that district comes up, and the State of the
Neighbourhood PDF of the first `--pdfs` wards. In the same run the bare view of benchmarks/floor_urls.py is
asked as often, between the pages: its times are the floor of this stack on this machine at that moment.
Every response must be 200; anything else is counted and printed. `--code DIR` serves another checkout's
`commonground` package (also for migrating and loading the data). `--profile` skips HTTP: it counts the SQL
queries and times each page kind (England, home, then 30 wards' pages) with Django's test client in one fresh
process (cold caches).
Everything it starts is stopped and its files removed at the end (benchmarks/voting.py's Stack).
"""

# ruff: noqa: S603, S607  (runs PostgreSQL, psql and the server it starts itself)
from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from voting import Stack, request

HERE = Path(__file__).resolve().parent
KINDS = ("england", "home", "profile", "ward_dashboard", "district_dashboard", "api_area", "api_indicators",
         "api_map", "pdf", "floor")  # fmt: skip
PROFILED = 30  # wards the --profile step asks for (each of its pages)
NUMBERS = re.compile(r"\b\d+\b|'[^']*'")  # literals, so one query shape is counted once
SHAPE_CHARS, TOP_SHAPES = 160, 4
FUNCTIONS_OF, TOP_FUNCTIONS = ("england", "home"), 25  # pages whose first request is also run under cProfile


# ------------------------------------------------------------------ steps run inside Django (subprocesses)


def choose_wards(seed: int, n: int) -> list[dict]:
    """`n` distinct wards of the current (2024) geography with their districts, chosen with a fixed seed."""
    from commonground.places import services
    from commonground.places.models import Area, AreaType

    ward_type = services.current_types()[AreaType.Level.WARD]
    wards = list(Area.objects.filter(area_type=ward_type).order_by("code").values_list("code", "parent__code"))
    return [{"ward": w, "district": d, "type": ward_type.code} for w, d in random.Random(seed).sample(wards, n)]


def profile(wards: list[dict]) -> dict:
    """Each page kind through Django's test client in this (fresh) process: SQL queries and milliseconds."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every view first, as a served worker has: not page time)
    client = Client(HTTP_HOST="127.0.0.1")
    found: dict[str, list] = {}
    shapes: dict[str, dict[str, tuple[int, float]]] = {}  # per page kind: query shape -> (count, ms)
    python: dict[str, str] = {}  # page kind -> cProfile listing of its first request
    seen: set[str] = set()
    asked = [("england", "/outcomes/"), ("home", "/")] + [p for w in wards[:PROFILED] for p in paths(w, seen)]
    for kind, path in asked:
        if kind == "pdf":
            continue
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            if kind in FUNCTIONS_OF:  # where its Python time goes, too (cProfile adds some overhead)
                with cProfile.Profile() as functions:
                    status = client.get(path).status_code
                text = io.StringIO()
                pstats.Stats(functions, stream=text).sort_stats("cumulative").print_stats(TOP_FUNCTIONS)
                python[kind] = text.getvalue()
            else:
                status = client.get(path).status_code
            ms = (time.perf_counter() - started) * 1000
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        found.setdefault(kind, []).append({"path": path, "status": status, "ms": round(ms, 1),
                                           "queries": len(queries), "sql_ms": round(sql_ms, 1)})  # fmt: skip
        for q in queries.captured_queries:
            shape = NUMBERS.sub("N", q["sql"])[:SHAPE_CHARS]
            count, total = shapes.setdefault(kind, {}).get(shape, (0, 0.0))
            shapes[kind][shape] = (count + 1, total + float(q["time"]) * 1000)
    heaviest = {k: sorted(([s, n, round(t, 1)] for s, (n, t) in v.items()), key=lambda r: -r[2])[:TOP_SHAPES]
                for k, v in shapes.items()}  # fmt: skip
    return {"pages": found, "heaviest": heaviest, "python": python}


def inside(argv: list[str]) -> None:
    """`pages.py _wards SEED N FILE` or `pages.py _profile FILE` (wards from FILE): in the server's environment."""
    sys.path.insert(0, str(HERE))
    from commonground.terminal import setup_django

    setup_django()
    if argv[0] == "_wards":
        Path(argv[3]).write_text(json.dumps(choose_wards(int(argv[1]), int(argv[2]))))
    else:
        print(json.dumps(profile(json.loads(Path(argv[1]).read_text()))))


# ------------------------------------------------------------------ the client


def paths(ward: dict, districts_seen: set[str]) -> list[tuple[str, str]]:
    """The pages asked for one ward, in order; its district's dashboard only the first time it comes up."""
    code, kind = ward["ward"], ward["type"]
    found = [
        ("profile", f"/places/{code}/?type={kind}"),
        ("ward_dashboard", f"/outcomes/areas/{code}/?type={kind}"),
        ("api_area", f"/api/areas/{code}?type={kind}"),
        ("api_indicators", f"/api/areas/{code}/indicators?type={kind}"),
        ("api_map", f"/api/areas/{code}/map?type={kind}"),
    ]
    if ward["district"] and ward["district"] not in districts_seen:
        districts_seen.add(ward["district"])
        found.append(("district_dashboard", f"/outcomes/areas/{ward['district']}/"))
    return found


class Client:
    """Times GETs (a new connection each: a new visitor) and collects statuses; `concurrency` threads."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {k: [] for k in KINDS}
        self.errors: list[str] = []

    def get(self, kind: str, path: str) -> None:
        started = time.perf_counter()
        try:
            status, _ = request(self.port, "GET", path)
        except OSError as exc:
            status = type(exc).__name__
        took = time.perf_counter() - started
        with self.lock:
            self.times[kind].append(took)
            if status != 200:
                self.errors.append(f"{status} {path}")

    def run(self, jobs: list[list[tuple[str, str]]], concurrency: int, progress) -> None:
        """Each job (one ward's pages, then a floor request) runs in order; jobs are shared by the threads."""
        left = list(reversed(jobs))
        done = [0]

        def worker():
            while True:
                with self.lock:
                    if not left:
                        return
                    job = left.pop()
                for kind, path in job:
                    self.get(kind, path)
                with self.lock:
                    done[0] += 1

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            progress(done[0])
            time.sleep(0.2)
        progress(done[0])


def summary(seconds: list[float]) -> dict:
    if not seconds:
        return {"n": 0}
    ordered = sorted(seconds)

    def cut(q: float) -> float:  # nearest rank: the p95 of 200 figures is the 190th
        return round(ordered[max(0, math.ceil(len(ordered) * q) - 1)] * 1000, 1)

    return {"n": len(ordered), "p50_ms": cut(0.50), "p95_ms": cut(0.95), "max_ms": round(ordered[-1] * 1000, 1)}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("_wards", "_profile"):
        return inside(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    shared = Path(os.environ.get("COMMONGROUND_SHARED", HERE.parent.parent / "shared"))  # as tests/conftest.py
    parser.add_argument("--data", default=str(shared / "data"), help="national data pack (default ../shared/data)")
    parser.add_argument("--wards", type=int, default=200)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (commonground serve --workers)")
    parser.add_argument("--pdfs", type=int, default=5, help="State of the Neighbourhood PDFs (first wards)")
    parser.add_argument("--code", default=None, help="serve the commonground package of this checkout instead")
    parser.add_argument("--profile", action="store_true", help="queries and time per page in one process, no HTTP")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    err = Console(stderr=True)
    say = lambda text: err.print(text, style="dim")  # noqa: E731
    stack = Stack(args, say)
    client = Client(stack.port)
    try:
        stack.start_postgres()
        say("Migrating…")
        stack.cli("migrate", stdout=subprocess.DEVNULL)
        floor_table = "CREATE TABLE bench_floor (id bigserial PRIMARY KEY, at timestamptz)"  # floor_urls.py's
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-p", str(stack.pgport), "-U", "commonground", "-c",
                        floor_table, "commonground"], env={**os.environ, "PGPASSWORD": "commonground"},
                       stdout=subprocess.DEVNULL, check=True)  # fmt: skip
        say(f"Loading the national data from {args.data} (a minute or more)…")
        started = time.perf_counter()
        stack.cli("data", "load", "--from", str(Path(args.data).resolve()), stdout=subprocess.DEVNULL)
        load_seconds = time.perf_counter() - started
        chosen = stack.work / "wards.json"
        subprocess.run([sys.executable, __file__, "_wards", str(args.seed), str(args.wards), str(chosen)],
                       env=stack.env, cwd=stack.work, check=True)  # fmt: skip
        wards = json.loads(chosen.read_text())
        if args.profile:
            say("Profiling in one process (cold caches)…")
            done = subprocess.run([sys.executable, __file__, "_profile", str(chosen)], env=stack.env, cwd=stack.work,
                                  check=True, capture_output=True, text=True)  # fmt: skip
            return report_profile(json.loads(done.stdout), args)
        stack.start_server()
        say("Restarting the server: every cache starts empty…")
        stack.stop_server()
        stack.start_server()  # its readiness check asks only the bare view
        first = [("england", "/outcomes/"), ("home", "/")]
        for kind, path in first:
            client.get(kind, path)
        seen: set[str] = set()
        jobs = [
            paths(w, seen) + ([("pdf", f"/outcomes/areas/{w['ward']}/report.pdf?type={w['type']}")] if i < args.pdfs
                              else []) + [("floor", "/bench-floor/")]
            for i, w in enumerate(wards)
        ]  # fmt: skip
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=args.json) as bar:
            task = bar.add_task(f"{len(wards)} wards' pages", total=len(jobs))
            started = time.perf_counter()
            client.run(jobs, args.concurrency, lambda n: bar.update(task, completed=n))
            wall = time.perf_counter() - started
    finally:
        stack.close()

    result = {
        "code": args.code or str(HERE.parent),
        "wards": len(wards),
        "districts": len(seen),
        "concurrency": args.concurrency,
        "workers": args.workers,
        "load_seconds": round(load_seconds, 1),
        "seconds": round(wall, 1),
        "pages": {k: summary(v) for k, v in client.times.items() if v},
        "errors": len(client.errors),
        "error_examples": client.errors[:10],
        "load_average": round(os.getloadavg()[0], 1),  # other work on the machine, for reading the figures
    }
    if args.json:
        print(json.dumps(result))
        return
    table = Table(title=f"Cold pages: {len(wards)} wards, {len(seen)} districts, concurrency {args.concurrency}, "
                  f"{args.workers} workers")  # fmt: skip
    for name in ("page", "n", "p50", "p95", "max"):
        table.add_column(name, justify="left" if name == "page" else "right")
    for kind, figures in result["pages"].items():
        table.add_row(kind, str(figures["n"]), *(f"{figures[k]:.1f} ms" for k in ("p50_ms", "p95_ms", "max_ms")))
    Console().print(table)
    Console().print(f"errors {result['errors']} {client.errors[:10] or ''}; data load {result['load_seconds']} s; "
                    f"load average {result['load_average']}; code {result['code']}")  # fmt: skip


def report_profile(profiled: dict, args) -> None:
    """Per page kind: median queries, median SQL time and median total time (cold process, first is first),
    then the query shapes that took most of each kind's SQL time."""
    rows = {}
    for kind, items in profiled["pages"].items():
        q = sorted(i["queries"] for i in items)
        sql = sorted(i["sql_ms"] for i in items)
        ms = sorted(i["ms"] for i in items)
        rows[kind] = {"n": len(items), "queries_median": q[len(q) // 2], "queries_max": q[-1],
                      "sql_ms_median": sql[len(sql) // 2], "ms_median": ms[len(ms) // 2], "ms_first": items[0]["ms"],
                      "sql_ms_first": items[0]["sql_ms"], "bad": sum(i["status"] != 200 for i in items)}  # fmt: skip
    if args.json:
        print(json.dumps({"code": args.code or str(HERE.parent), "profile": rows, **profiled}))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Queries and time per page (Django test client, one process, cold)")
    for name in ("page", "n", "queries (median)", "queries (max)", "SQL ms (median)", "ms (median)", "first ms",
                 "first SQL ms", "not 200"):  # fmt: skip
        table.add_column(name, justify="left" if name == "page" else "right")
    for kind, r in rows.items():
        table.add_row(kind, *(str(v) for v in r.values()))
    out = Console(width=200)  # the shapes are long
    out.print(table)
    for kind, heavy in profiled["heaviest"].items():
        out.print(f"[bold]{kind}[/]: heaviest query shapes (count, ms in all its requests)")
        for shape, count, ms in heavy:
            out.print(f"  {count:5d} {ms:8.1f} ms  {shape}", markup=False, highlight=False)
    for kind, listing in profiled["python"].items():
        out.print(f"[bold]{kind}[/]: Python functions, cumulative (cProfile)")
        out.print(listing, markup=False, highlight=False)


if __name__ == "__main__":
    main()
