#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint, the suite on SQLite, the suite on a real PostgreSQL
# started for this run, and end-to-end tests in real headless Chromium.
set -euo pipefail
source "$(dirname "$0")/_common.sh"
cd "$ROOT"

apt_install postgresql chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core  # pango: WeasyPrint PDFs
ensure_venv "[test]"
PY="$VENV/bin/python"
export PATH="$VENV/bin:$PATH"

WORK="$(mktemp -d)"
PGDATA_DIR="$WORK/pg"
cleanup() {
  if [ -f "$PGDATA_DIR/data/postmaster.pid" ]; then
    $RUNAS "$PGBIN/pg_ctl" -D "$PGDATA_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# Each pytest pass appends how many checks against outside truth it skipped (../shared missing).
export COMMONGROUND_REFERENCE_COUNT="$WORK/reference-skipped"

echo "== Lint (ruff)"
ruff check .
ruff format --check .

echo "== Tests on SQLite"
COMMONGROUND_DATA_DIR="$WORK/sqlite" && mkdir -p "$COMMONGROUND_DATA_DIR" && export COMMONGROUND_DATA_DIR
"$PY" -m pytest -m "not postgresql and not e2e"

echo "== Tests on PostgreSQL"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
PGPORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$PGDATA_DIR"
RUNAS=""
if [ "$(id -u)" -eq 0 ]; then  # PostgreSQL refuses to run as root
  chown postgres "$WORK" "$PGDATA_DIR"
  chmod 755 "$WORK"
  RUNAS="runuser -u postgres --"
fi
$RUNAS "$PGBIN/initdb" -D "$PGDATA_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
# No autovacuum: every test's rows are rolled back, and a vacuum that ran while a test held a national load of
# uncommitted rows recorded the table as empty (0 rows on many pages), so that test's queries were planned for an
# empty table and one ran for minutes. Without it the planner sizes tables from their pages, the same every run.
$RUNAS "$PGBIN/pg_ctl" -D "$PGDATA_DIR/data" -l "$PGDATA_DIR/server.log" -w \
  -o "-k $PGDATA_DIR -p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300 -c autovacuum=off" start >/dev/null
# The app connects as an ordinary role (not a superuser), as it would in production.
# A second, owning role runs migrations in the test of role separation (docs/security.md).
psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE commonground LOGIN CREATEDB PASSWORD 'commonground'" \
  -c "CREATE ROLE commonground_owner LOGIN CREATEDB PASSWORD 'commonground_owner'" \
  -c "CREATE DATABASE commonground OWNER commonground" >/dev/null
export COMMONGROUND_TEST_OWNER_URL="postgres://commonground_owner:commonground_owner@127.0.0.1:$PGPORT/postgres"
DATABASE_URL="postgres://commonground:commonground@127.0.0.1:$PGPORT/commonground" \
  "$PY" -m pytest -m "not sqlite and not e2e"

echo "== End-to-end tests in headless Chromium"
"$PY" -m pytest -m e2e

if [ -s "$COMMONGROUND_REFERENCE_COUNT" ]; then
  skipped="$(awk '{s += $1} END {print s}' "$COMMONGROUND_REFERENCE_COUNT")"
  echo "== Passed, but $skipped checks against outside truth did not run: ../shared is missing."
  echo "   To run them, put the research pack beside the repository (README, Tests):  git clone <pack> ../shared"
  echo "   or point COMMONGROUND_SHARED at it; .ci/run always does."
else
  echo "== Passed, with every check against outside truth."
fi
