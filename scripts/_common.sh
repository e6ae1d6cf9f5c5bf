# Shared by run.sh and test.sh: Debian packages and the project's virtual environment.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${COMMONGROUND_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  # Install the named Debian packages that are missing (needs root or sudo).
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
  # $1: pip extras spec, e.g. "." or ".[test]"
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      apt_install python3-venv
      "$PYTHON" -m venv "$VENV"
    fi
  fi
  local marker="$VENV/.installed${1//[^a-z]/-}"
  if [ -f "$marker" ] && [ "$marker" -nt "$ROOT/pyproject.toml" ]; then
    return 0  # installed from this pyproject.toml with these extras (editable: code changes need no reinstall)
  fi
  echo "Installing Common Ground and its Python packages into $VENV (the first time takes a few minutes)…"
  # One line per package as it comes (progress); pip's errors still reach stderr, and pipefail stops the script.
  "$VENV/bin/python" -m pip install --disable-pip-version-check -e "$ROOT$1" \
    | { grep --line-buffered -E '^(Collecting|Successfully)' || true; }
  touch "$marker"
}
