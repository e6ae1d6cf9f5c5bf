"""Ward dashboard latency with the national data loaded, served by `commonground serve` (gunicorn) on loopback.

Load tool: `hey` (Debian package `hey`) when installed, else a small threaded Python client doing the same
(keep-alive, fixed concurrency). Baseline in the same run: the ward's place profile page (/places/CODE/).
Also times the State of the Neighbourhood PDF for a few wards (warm server) and once from the CLI (cold).

    commonground data load --from ../shared/data          # with DATABASE_URL pointing at the database below
    python benchmarks/dashboard.py --database /tmp/national.sqlite3 --requests 400 --concurrency 4
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import os
import random
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 120) -> tuple[int, float, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  (loopback)
        body = response.read()
        return response.status, time.perf_counter() - started, len(body)


def with_hey(url: str, requests: int, concurrency: int) -> list[float]:
    done = subprocess.run(["hey", "-n", str(requests), "-c", str(concurrency), "-o", "csv", url],  # noqa: S603,S607
                          capture_output=True, text=True, check=True)  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    bad = [r for r in rows if r["status-code"] != "200"]
    if bad:
        raise SystemExit(f"{len(bad)} responses were not 200 for {url}: {bad[0]}")
    return [float(r["response-time"]) for r in rows]


def with_python(url: str, requests: int, concurrency: int) -> list[float]:
    """The same as hey: `concurrency` keep-alive connections sharing `requests` GETs."""
    host, _, rest = url.removeprefix("http://").partition("/")
    name, _, port = host.partition(":")
    path = "/" + rest
    times: list[float] = []
    left = [requests]
    lock = threading.Lock()

    def worker():
        connection = http.client.HTTPConnection(name, int(port), timeout=60)
        while True:
            with lock:
                if left[0] == 0:
                    break
                left[0] -= 1
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise SystemExit(f"{url} returned {response.status}")
            with lock:
                times.append(elapsed)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, required=True, help="SQLite file with the national data loaded")
    parser.add_argument("--requests", type=int, default=400, help="requests per page measured")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--wards", type=int, default=3, help="random 2017 wards to measure (fixed seed)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--pdfs", type=int, default=3, help="wards whose PDF report is timed")
    args = parser.parse_args()

    with sqlite3.connect(args.database) as db:
        codes = [c for (c,) in db.execute(
            "SELECT a.code FROM places_area a JOIN places_areatype t ON t.id = a.area_type_id "
            "WHERE t.code = 'ward17' ORDER BY a.code")]  # fmt: skip
    if not codes:
        raise SystemExit(f"{args.database} has no 2017 wards: run `commonground data load` into it first")
    wards = random.Random(2026).sample(codes, args.wards)
    tool = "hey" if shutil.which("hey") else "python"
    load = with_hey if tool == "hey" else with_python

    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="cg-bench-")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{args.database.resolve()}", "COMMONGROUND_DATA_DIR": data_dir,
           "COMMONGROUND_SECRET_KEY": os.environ.get("COMMONGROUND_SECRET_KEY", "benchmark-" + "x" * 40)}  # fmt: skip
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = open(Path(data_dir) / "server.log", "w")  # noqa: SIM115  (kept open for the server's lifetime)
    command = [sys.executable, "-m", "commonground.cli", "serve", "--port", str(port), "--workers", str(args.workers)]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so `finally` stops the server
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if fetch(f"{base}/health/", 2)[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("commonground serve did not start: see " + log.name)
            time.sleep(0.5)

        print(f"tool: {tool}; {args.requests} requests per page, concurrency {args.concurrency}, "
              f"{args.workers} gunicorn workers; wards {', '.join(wards)}\n")  # fmt: skip
        first = []
        for code in wards:  # the first hit builds the national comparison tables and the ward's figures
            for _ in range(args.workers * 2):
                first.append(fetch(f"{base}/outcomes/areas/{code}/")[1])
        print(f"first requests (cold caches, incl. national tables): max {max(first) * 1000:.0f} ms, "
              f"median {statistics.median(first) * 1000:.0f} ms\n")  # fmt: skip

        print("| ward | page | p50 | p95 | p99 | baseline p95 (place profile) | ratio |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        all_p95 = []
        for code in wards:
            fetch(f"{base}/places/{code}/")
            ours = load(f"{base}/outcomes/areas/{code}/", args.requests, args.concurrency)
            baseline = load(f"{base}/places/{code}/", args.requests, args.concurrency)
            p95, b95 = percentile(ours, 95), percentile(baseline, 95)
            all_p95.append(p95)
            print(f"| {code} | /outcomes/areas/{code}/ | {percentile(ours, 50) * 1000:.1f} ms | {p95 * 1000:.1f} ms | "
                  f"{percentile(ours, 99) * 1000:.1f} ms | {b95 * 1000:.1f} ms | {b95 / p95:.1f}× |")  # fmt: skip
        print(f"\nworst ward p95: {max(all_p95) * 1000:.1f} ms (goal < 50 ms)\n")

        print("| ward | PDF (warm server) | size |")
        print("| --- | --- | --- |")
        for code in wards[: args.pdfs]:
            status, seconds, size = fetch(f"{base}/outcomes/areas/{code}/report.pdf")
            print(f"| {code} | {seconds:.2f} s | {size / 1024:.0f} KB |")
        started, cpu_before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "commonground.cli", "report", "area", wards[0], "--out",  # noqa: S603
                        str(Path(data_dir) / "report.pdf")], env=env, check=True, capture_output=True)  # fmt: skip
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
        print(f"\nCLI `commonground report area {wards[0]}` (new process, imports and national tables included): "
              f"{time.perf_counter() - started:.2f} s wall, {cpu:.2f} s CPU")  # fmt: skip
        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
