"""Backup and restore that keep every row exactly, on SQLite and PostgreSQL.

Why not dumpdata/loaddata: Django's JSON encoder cuts timestamps to milliseconds, after which the audit
chain no longer verifies (its hashes cover the microseconds), and loaddata calls save(), which the
append-only audit model refuses. Here every table is read through its fields and written back with
raw INSERTs of the same values, in one transaction; a backup names the schema it came from and each
table's row count and SHA-256, and a restore checks both.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "commonground-backup"
VERSION = 1


class BackupError(Exception):
    """A backup that cannot be written or restored; the message names the file, table or row."""


def _models():
    """Every concrete, managed table (many-to-many tables included), in a stable order."""
    found = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    return sorted(found, key=lambda m: m._meta.db_table)


def _encode(value):
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, dt.timedelta):
        return {"$timedelta": value.total_seconds()}
    return value


def _decode(value):
    if isinstance(value, dict) and len(value) == 1:
        (key, raw), = value.items()  # fmt: skip
        decoders: dict[str, Callable] = {
            "$datetime": dt.datetime.fromisoformat, "$date": dt.date.fromisoformat, "$time": dt.time.fromisoformat,
            "$decimal": decimal.Decimal, "$bytes": base64.b64decode, "$uuid": uuid.UUID,
            "$timedelta": lambda s: dt.timedelta(seconds=s),
        }  # fmt: skip
        if key in decoders:
            return decoders[key](raw)
    return value


def _rows(model) -> Iterator[list]:
    fields = [f.attname for f in model._meta.concrete_fields]
    yield from model._base_manager.order_by("pk").values_list(*fields).iterator(chunk_size=2000)


def table_digests() -> dict[str, tuple[int, str]]:
    """Each table's row count and SHA-256 of its rows in key order (what a restore must reproduce)."""
    result = {}
    for model in _models():
        digest, count = hashlib.sha256(), 0
        for row in _rows(model):
            digest.update(json.dumps([_encode(v) for v in row], sort_keys=True, default=str).encode())
            count += 1
        result[model._meta.db_table] = (count, digest.hexdigest())
    return result


def _schema() -> dict[str, str]:
    """The last applied migration of each app: a backup restores only into the same schema."""
    applied = MigrationRecorder(connection).applied_migrations()
    latest: dict[str, str] = {}
    for app, name in sorted(applied):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def backup(path: Path, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Write every row to a gzipped JSON-lines file (header, then one line per row); returns row counts."""
    counts: dict[str, int] = {}
    digests: dict[str, str] = {}
    temporary = path.with_name(f".{path.name}.part")
    with transaction.atomic(), gzip.open(temporary, "wt", encoding="utf-8") as out:  # one consistent snapshot
        out.write(json.dumps({"format": FORMAT, "version": VERSION, "vendor": connection.vendor,
                              "created": dt.datetime.now(dt.UTC).isoformat(), "schema": _schema()}) + "\n")  # fmt: skip
        for model in _models():
            table = model._meta.db_table
            columns = [f.attname for f in model._meta.concrete_fields]
            out.write(json.dumps({"table": table, "columns": columns}) + "\n")
            digest, count = hashlib.sha256(), 0
            for row in _rows(model):
                encoded = [_encode(v) for v in row]
                digest.update(json.dumps(encoded, sort_keys=True, default=str).encode())
                out.write(json.dumps({"row": encoded}, default=str) + "\n")
                count += 1
            counts[table], digests[table] = count, digest.hexdigest()
            if progress:
                progress(table, count)
        out.write(json.dumps({"end": {t: [counts[t], digests[t]] for t in counts}}) + "\n")
    temporary.chmod(0o600)  # it holds everyone's accounts
    temporary.replace(path)
    return counts


def is_empty() -> bool:
    """No account and no audit record: nothing has happened in this database beyond its migrations."""
    from commonground.accounts.models import User
    from commonground.audit.service import record_count

    return not User.objects.exists() and record_count() == 0


def _read(path: Path) -> Iterator[dict]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    yield json.loads(line)
                except ValueError:
                    raise BackupError(f"{path}: line {number} is not JSON: the backup is damaged") from None
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (OSError, EOFError) as exc:
        raise BackupError(f"{path}: not a Common Ground backup ({exc})") from None


def restore(path: Path, replace: bool = False, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Put back every row of a backup, exactly, in one transaction; refuses a database in use unless `replace`."""
    lines = _read(path)
    header = next(lines, None)
    if not header or header.get("format") != FORMAT:
        raise BackupError(f"{path}: not a Common Ground backup")
    if header.get("schema") != _schema():
        raise BackupError(f"{path}: made with another version of the schema; migrate this database to the same "
                          "version (or restore into the version that made it)")  # fmt: skip
    if not replace and not is_empty():
        raise BackupError("this database already holds accounts or audit records: restore into an empty database, "
                          "or pass --replace to wipe it first")  # fmt: skip
    by_table = {m._meta.db_table: m for m in _models()}
    counts: dict[str, int] = {}
    expected = None
    with transaction.atomic():
        _wipe(list(by_table))
        model, fields, batch = None, [], []
        for entry in lines:
            if "table" in entry:
                _flush(model, fields, batch, counts)
                model = by_table.get(entry["table"])
                if model is None:
                    raise BackupError(f"{path}: table {entry['table']} is not in this version")
                known = {f.attname: f for f in model._meta.concrete_fields}
                missing = [c for c in entry["columns"] if c not in known]
                if missing:
                    raise BackupError(f"{path}: table {entry['table']} has no column {missing[0]} here")
                fields, batch = [known[c] for c in entry["columns"]], []
                counts[entry["table"]] = 0
                if progress:
                    progress(entry["table"], 0)
            elif "row" in entry:
                batch.append([_decode(v) for v in entry["row"]])
                if len(batch) >= 1000:
                    _flush(model, fields, batch, counts)
            elif "end" in entry:
                _flush(model, fields, batch, counts)
                expected = entry["end"]
        if expected is None:
            raise BackupError(f"{path}: the backup ends early (no closing line): it was cut short")
        _reset_sequences(by_table.values())
        found = table_digests()
        for table, (count, digest) in expected.items():
            if tuple(found.get(table, (0, ""))) != (count, digest):
                raise BackupError(f"{path}: table {table} did not come back the same ({found.get(table, (0,))[0]} rows "
                                  f"restored of {count})")  # fmt: skip
    return counts


def _wipe(tables: list[str]) -> None:
    """Empty every table that has rows (a fresh database has the ones its migrations seed)."""
    with connection.cursor() as cursor:
        for table in tables:
            name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT 1 FROM {name} LIMIT 1")  # noqa: S608 (our table names)
            if cursor.fetchone() is None:
                continue
            if table == "audit_auditrecord" and connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {name}")  # its trigger refuses DELETE; only the owner may truncate
            else:
                cursor.execute(f"DELETE FROM {name}")  # noqa: S608


def _flush(model, fields, batch: list, counts: dict[str, int]) -> None:
    """Insert rows with raw SQL, so no save() or auto_now field changes a value on the way in."""
    if model is None or not batch:
        return
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    values = [[f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)] for row in batch]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) VALUES ({marks})", values)  # noqa: S608
    counts[table] += len(batch)
    batch.clear()


def _reset_sequences(models) -> None:
    """PostgreSQL's id sequences continue after the restored rows (SQLite needs nothing)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
