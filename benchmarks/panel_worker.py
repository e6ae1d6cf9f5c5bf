"""A panel selection through the web app's background worker, against the same selection from the CLI.

Imports the pool into a fresh SQLite database as the "Create a panel" page does, queues the selection,
then times `commonground worker --batch` (a fresh process: Django start-up, the engine, publishing the
pseudonymous lottery and every volunteer's chance) and `commonground panel select` on the same files
(a fresh process: the engine and JSON output). The ratio is the web path's overhead.

    python benchmarks/panel_worker.py --example ../shared/sortition/replication_examples/example_large_200 --size 200
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "commonground.cli", *args], env=env, check=True, capture_output=True)  # noqa: S603
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--example", type=Path, required=True, help="a directory with categories.csv and respondents.csv"
    )
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--method", default="leximin")
    options = parser.parse_args()
    quotas, people = options.example / "categories.csv", options.example / "respondents.csv"
    data_dir = tempfile.mkdtemp(prefix="cg-panel-bench-")
    env = {**os.environ, "COMMONGROUND_DATA_DIR": data_dir}
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    run(["migrate"], env)

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    django.setup()
    from commonground.accounts.models import User
    from commonground.panels import services
    from commonground.panels.models import Job, Panel

    organiser = User.objects.create_user(email="bench@example.org", password="not used in the benchmark")  # noqa: S106
    panel = services.create_panel(
        organiser, title=f"Benchmark {options.example.name}", purpose="Benchmark", size=options.size,
        payment_per_day_pence=0, quotas_csv=quotas.read_text(encoding="utf-8-sig"),
        pool_csv=people.read_text(encoding="utf-8-sig"), household_columns="",
    )  # fmt: skip
    services.start_job(organiser, panel, Job.SELECTION)
    web = run(["worker", "--batch"], env)
    panel = Panel.objects.get(pk=panel.pk)
    if panel.status != Panel.Status.SELECTED:
        raise SystemExit(f"the worker did not publish the chances: {panel.job_error or panel.status}")
    cli = run(["panel", "select", "--features", str(quotas), "--people", str(people), "--size", str(options.size),
               "--method", options.method, "--format", "json"], env)  # fmt: skip
    n = panel.volunteers.count()
    print("| instance | volunteers | k | web worker (queue → published) | CLI `panel select` | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| {options.example.name} | {n:,} | {options.size} | {web:.2f} s | {cli:.2f} s | {web / cli:.2f}× |")


if __name__ == "__main__":
    main()
