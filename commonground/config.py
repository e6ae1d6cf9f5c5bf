"""Read the deployment configuration from the environment (twelve-factor) with safe local defaults.

Every problem is raised as a ConfigError whose message is one line naming the variable, so the CLI
can print it and exit non-zero instead of showing a traceback.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url


class ConfigError(Exception):
    """A setting in the environment is wrong; the message says which and why."""


def data_dir() -> Path:
    """The directory for the SQLite file and the generated secret key.

    An explicit COMMONGROUND_DATA_DIR must already exist: a typo should not silently start an
    empty database somewhere else. The default directory is created on first use.
    """
    explicit = os.environ.get("COMMONGROUND_DATA_DIR")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_dir():
            raise ConfigError(
                f"COMMONGROUND_DATA_DIR={explicit!r} does not exist or is not a directory; "
                "create it first or unset the variable"
            )
        return path
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    path = base / "commonground"
    path.mkdir(parents=True, exist_ok=True)
    return path


SUPPORTED_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")


def private_sqlite_file(path: Path) -> None:
    """The SQLite file holds everyone's accounts: create it readable by its owner only (0600), and
    tighten an existing one (issue 19: it was created 0644)."""
    if str(path) in ("", ":memory:") or path.name.startswith("file:"):
        return
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if path.exists() and path.stat().st_mode & 0o077:
        path.chmod(0o600)


def database(directory: Path, variable: str = "DATABASE_URL") -> dict:
    """A database URL from the environment parsed into Django's DATABASES entry; default: SQLite in the
    data directory."""
    url = os.environ.get(variable, "").strip()
    if not url:
        path = directory / "commonground.sqlite3"
        private_sqlite_file(path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            # IMMEDIATE makes writers queue for the lock up front instead of failing mid-transaction.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    scheme = urlsplit(url).scheme
    if scheme not in SUPPORTED_SCHEMES:
        raise ConfigError(
            f"{variable} has scheme {scheme or '(none)'!r}; use postgres://user:password@host:port/name "
            "or sqlite:////absolute/path.sqlite3"
        )
    try:
        parsed = dj_database_url.parse(url, conn_max_age=60)
    except ValueError as exc:
        raise ConfigError(f"{variable} could not be read: {exc}") from exc
    if scheme == "sqlite":
        parsed.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
        private_sqlite_file(Path(parsed["NAME"]))
    elif not parsed.get("NAME"):
        raise ConfigError(f"{variable} names no database: add /databasename at the end")
    return parsed


def secret_key(directory: Path) -> str:
    """COMMONGROUND_SECRET_KEY, or a random key kept (mode 0600) in the data directory."""
    key = os.environ.get("COMMONGROUND_SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ConfigError("COMMONGROUND_SECRET_KEY is shorter than 32 characters")
        return key
    path = directory / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes/no value; use true or false")


def host_list(name: str, default: str) -> list[str]:
    return [h.strip() for h in os.environ.get(name, default).split(",") if h.strip()]
