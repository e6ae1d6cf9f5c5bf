"""Count what the mutation fuzzing finds, target by target, for issue notes and longer runs than CI's:

    python -m tests.fuzz.run --inputs 2000

Each input is a seed mutated with random.Random(i), so a count is reproducible; a crash is any
error other than the target's own refusal, grouped by type and the line of the platform's code
that raised it; a hang is an input still running after the time limit.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import tempfile
import time
import traceback


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=1000, help="inputs per target")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    os.environ.setdefault("COMMONGROUND_DATA_DIR", tempfile.mkdtemp())
    import django

    django.setup()
    from tests.fuzz.mutate import Hang, mutate, time_limit
    from tests.fuzz.targets import TARGETS

    print(f"{'target':45} {'inputs':>7} {'read':>6} {'refused':>8} {'crashes':>8} {'hangs':>6} {'seconds':>8}")
    for target in TARGETS:
        refusals = target.refusals()
        read = refused = hangs = 0
        crashes: collections.Counter = collections.Counter()
        started = time.perf_counter()
        for i in range(args.inputs):
            rng = random.Random(i)
            text = mutate(rng.choice(target.seeds), rng, rng.randint(0, 6))
            try:
                with time_limit():
                    target.run(text)
                read += 1
            except refusals:
                refused += 1
            except Hang:
                hangs += 1
            except Exception as exc:  # noqa: BLE001  (a crash is what is being counted)
                frames = [f for f in traceback.extract_tb(exc.__traceback__) if "commonground" in f.filename]
                where = f"{frames[-1].filename.split('commonground/')[-1]}:{frames[-1].lineno}" if frames else "?"
                crashes[(type(exc).__name__, where)] += 1
        seconds = time.perf_counter() - started
        found = sum(crashes.values())
        print(f"{target.name:45} {args.inputs:7} {read:6} {refused:8} {found:8} {hangs:6} {seconds:8.1f}")
        for (kind, where), n in crashes.most_common():
            print(f"    {n:6} × {kind} at {where}")


if __name__ == "__main__":
    main()
