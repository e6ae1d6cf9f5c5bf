"""Where a vote's time goes, in one process: the SQL of each request (count and time, by statement) and the
Python profile, for the same GET-form-then-POST-ballot path as benchmarks/voting.py, through Django's test
client (no network, no server), on the database in DATABASE_URL or a fresh SQLite file.

    python benchmarks/vote_profile.py --kind pb --ballots 200 [--code DIR] [--top 25]

The first 20 voters warm the caches; the figures are for the rest. With VOTE_PROFILE_DUMP=FILE the raw profile is
also written to FILE (for pstats).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
WARM = 20


def shape(sql: str) -> str:
    """A statement with its values blanked, so the same query with other values counts as one."""
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    sql = re.sub(r"IN \([?, ]+\)", "IN (…)", sql)
    return sql[:160]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=["pb", "ballot"], default="pb")
    parser.add_argument("--ballots", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--code", default=None, help="profile the commonground package of this checkout")
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, str(Path(args.code).resolve()))
    sys.path.insert(0, str(HERE))
    os.environ.setdefault("COMMONGROUND_DATA_DIR", tempfile.mkdtemp(prefix="cg-profile-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "commonground.settings"
    import django

    django.setup()
    from django.test.utils import override_settings

    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"  # no collected manifest needed
    override_settings(STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                                "staticfiles": {"BACKEND": plain}}).enable()  # fmt: skip
    import voting
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from commonground.places import demo

    call_command("migrate", verbosity=0)
    demo.load()
    made = voting.setup_pb(args.ballots) if args.kind == "pb" else voting.setup_ballot(args.ballots)
    shower = voting.Voters(0, args.kind, made)
    stats = {"GET": collections.Counter(), "POST": collections.Counter()}
    sql_time = {"GET": collections.Counter(), "POST": collections.Counter()}
    wall = {"GET": 0.0, "POST": 0.0}
    profile = cProfile.Profile()
    from http.cookies import SimpleCookie

    client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)  # one handler, as in a server's worker
    for voter in range(args.ballots):
        client.cookies = SimpleCookie()  # a new browser for each voter
        client.defaults["REMOTE_ADDR"] = voting.source_of(voter)[0]
        measured = voter >= WARM
        for method in ("GET", "POST"):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                if measured:
                    profile.enable()
                if method == "GET":
                    response = client.get(made["path"])
                    token = voting.CSRF.search(response.content).group(1).decode()
                else:
                    response = client.post(  # as browsers and benchmarks/voting.py send it, not multipart
                        made["path"],
                        urlencode(shower.ballot(voter, token)),
                        content_type="application/x-www-form-urlencoded",
                    )
                if measured:
                    profile.disable()
                elapsed = time.perf_counter() - started
            if response.status_code not in (200, 302):
                raise SystemExit(f"{method} {response.status_code}: {response.content[:300]!r}")
            if measured:
                wall[method] += elapsed
                for q in queries.captured_queries:
                    stats[method][shape(q["sql"])] += 1
                    sql_time[method][shape(q["sql"])] += float(q["time"])
    n = args.ballots - WARM
    print(f"{args.kind}: {n} voters measured, {connection.vendor}, code from {args.code or HERE.parent}")
    for method in ("GET", "POST"):
        total = sum(stats[method].values())
        seconds = sum(sql_time[method].values())
        print(f"\n{method}: {wall[method] / n * 1000:.1f} ms a request, {total / n:.1f} queries a request "
              f"({seconds / n * 1000:.1f} ms of SQL)")  # fmt: skip
        for sql, count in stats[method].most_common():
            print(f"  {count / n:5.2f}× {sql_time[method][sql] / n * 1000:6.2f} ms  {sql}")
    print(f"\nPython profile of both requests, top {args.top} by cumulative time:")
    stats_ = pstats.Stats(profile)
    if os.environ.get("VOTE_PROFILE_DUMP"):
        profile.dump_stats(os.environ["VOTE_PROFILE_DUMP"])
    stats_.sort_stats("cumulative").print_stats(args.top)
    print(f"\nPython profile, top {args.top} by own time:")
    stats_.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
