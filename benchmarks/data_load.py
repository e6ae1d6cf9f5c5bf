"""The full national `commonground data load` on a throwaway PostgreSQL, timed as a whole command (issue 23).

    python benchmarks/data_load.py --data ../shared/data [--code DIR] [--json]

Starts PostgreSQL as benchmarks/voting.py does, migrates, then runs `commonground data load --from DATA` and
prints its wall time and the CPU time of the command itself (its process and children, not PostgreSQL's).
`--code DIR` loads with another checkout's package (for a before/after in one session). Everything it starts
is stopped and removed at the end.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from voting import Stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--code", help="serve this checkout's commonground package instead")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.workers = 1
    say = (lambda _m: None) if args.json else (lambda m: print(m, file=sys.stderr))
    stack = Stack(args, say)
    try:
        stack.start_postgres()
        stack.cli("migrate", stdout=subprocess.DEVNULL)
        say(f"Loading {args.data}…")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        stack.cli("data", "load", "--from", str(args.data.resolve()), stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        stack.close()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result = {"code": args.code or "this checkout", "wall_s": round(wall, 1), "command_cpu_s": round(cpu, 1)}
    if args.json:
        print(json.dumps(result))
    else:
        wall, cpu = result["wall_s"], result["command_cpu_s"]
        print(f"data load ({result['code']}): {wall} s wall, {cpu} s CPU in the command")


if __name__ == "__main__":
    main()
