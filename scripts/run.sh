#!/usr/bin/env bash
# Install Common Ground into .venv and serve it at http://127.0.0.1:8000 on SQLite with the demo data.
# Extra arguments go to `commonground serve` (e.g. --port 8080).
set -euo pipefail
source "$(dirname "$0")/_common.sh"
apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core  # WeasyPrint (State of the Neighbourhood PDFs)
ensure_venv ""
exec "$VENV/bin/commonground" serve "$@"
