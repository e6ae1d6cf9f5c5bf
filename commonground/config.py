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


EMAIL_BACKENDS = {
    "outbox": "commonground.notify.backends.OutboxBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "notify": "commonground.notify.backends.NotifyBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}


def email() -> dict:
    """Django's EMAIL_* settings from COMMONGROUND_EMAIL_*: an explicit backend, else GOV.UK Notify when its
    key is set, else SMTP when a host is set, else files in the data directory's private outbox (never the
    console, which would write password-reset links into the server log)."""
    host = os.environ.get("COMMONGROUND_EMAIL_HOST", "").strip()
    chosen = os.environ.get("COMMONGROUND_EMAIL_BACKEND", "").strip()
    if chosen:
        backend = EMAIL_BACKENDS.get(chosen, chosen)
        if "." not in backend:
            raise ConfigError(
                f"COMMONGROUND_EMAIL_BACKEND={chosen!r} is not a backend: use {', '.join(EMAIL_BACKENDS)} "
                "or a dotted path to a Django email backend"
            )
    elif notify()["api_key"]:
        backend = EMAIL_BACKENDS["notify"]
    else:
        backend = EMAIL_BACKENDS["smtp" if host else "outbox"]
    raw_port = os.environ.get("COMMONGROUND_EMAIL_PORT", "").strip()
    use_tls, use_ssl = flag("COMMONGROUND_EMAIL_USE_TLS"), flag("COMMONGROUND_EMAIL_USE_SSL")
    if use_tls and use_ssl:
        raise ConfigError("COMMONGROUND_EMAIL_USE_TLS and COMMONGROUND_EMAIL_USE_SSL cannot both be true; choose one")
    if raw_port and not (raw_port.isdigit() and 0 < int(raw_port) < 65536):
        raise ConfigError(f"COMMONGROUND_EMAIL_PORT={raw_port!r} is not a port number (1-65535)")
    return {
        "EMAIL_BACKEND": backend,
        "EMAIL_HOST": host or "localhost",
        "EMAIL_PORT": int(raw_port) if raw_port else (465 if use_ssl else 587 if use_tls else 25),
        "EMAIL_HOST_USER": os.environ.get("COMMONGROUND_EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": os.environ.get("COMMONGROUND_EMAIL_HOST_PASSWORD", ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": 30,
    }


def notify() -> dict:
    """GOV.UK Notify: the API key (checked for shape, never echoed), its templates and the API's address."""
    from commonground.notify.govuk import DEFAULT_BASE_URL, parse_key

    key = os.environ.get("COMMONGROUND_NOTIFY_API_KEY", "").strip()
    template = os.environ.get("COMMONGROUND_NOTIFY_TEMPLATE_ID", "").strip()
    if key:
        try:
            parse_key(key)
        except ValueError as exc:
            raise ConfigError(f"COMMONGROUND_NOTIFY_API_KEY {exc}") from None
        if not template:
            raise ConfigError(
                "COMMONGROUND_NOTIFY_TEMPLATE_ID is needed with COMMONGROUND_NOTIFY_API_KEY: the id of an email "
                "template whose subject is ((subject)) and body ((body))"
            )
    base_url = os.environ.get("COMMONGROUND_NOTIFY_BASE_URL", "").strip() or DEFAULT_BASE_URL
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise ConfigError(f"COMMONGROUND_NOTIFY_BASE_URL={base_url!r} is not an http(s) address")
    return {
        "api_key": key,
        "template_id": template,
        "letter_template_id": os.environ.get("COMMONGROUND_NOTIFY_LETTER_TEMPLATE_ID", "").strip(),
        "base_url": base_url.rstrip("/"),
    }


def positive_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ConfigError(f"{name}={raw!r} is not a positive number")
    return value
