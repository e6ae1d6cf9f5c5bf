"""How long `commonground pb tally` takes as a whole command on a small file, start-up included (issue 17).

A small election's count takes milliseconds, so nearly all of the command's time is starting Python and
importing what the command needs. Each run is a fresh process; the bare interpreter (`python -c pass`) runs
in turn with it, so the share of the time that is ours holds on a noisy machine. Run it with another
environment's python to compare (e.g. one with a different typer).

    python benchmarks/cli_start.py --file ../shared/pabulib/Netherlands_Amsterdam_643.pb --runs 20
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (our own commands)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=Path("../shared/pabulib/Netherlands_Amsterdam_643.pb"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tally = [sys.executable, "-m", "commonground.cli", "pb", "tally", str(args.file)]
    bare = [sys.executable, "-c", "pass"]
    _wall(tally), _wall(bare)  # warm the file cache
    ours, floor = [], []
    for _ in range(args.runs):
        ours.append(_wall(tally))
        floor.append(_wall(bare))
    result = {
        "python": sys.executable,
        "file": args.file.name,
        "runs": args.runs,
        "tally_median_s": round(statistics.median(ours), 3),
        "tally_min_s": round(min(ours), 3),
        "tally_max_s": round(max(ours), 3),
        "python_median_s": round(statistics.median(floor), 3),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"commonground pb tally {result['file']}: median {result['tally_median_s']} s "
        f"(min {result['tally_min_s']}, max {result['tally_max_s']}) over {args.runs} runs; "
        f"bare python -c pass: median {result['python_median_s']} s"
    )


if __name__ == "__main__":
    main()
