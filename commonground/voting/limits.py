"""Attempt limits kept in the database, so every web worker counts against the same figure.

A limit allows so many attempts per key (a client address, a browser session, an account) in a fixed
window. Each key's count is one row of `AttemptWindow`, raised by a single INSERT … ON CONFLICT DO
UPDATE … RETURNING: an atomic statement in SQLite and PostgreSQL alike, so concurrent attempts in
different processes each get their own number and no more than the allowed number get through.
Keys are stored as keyed hashes, so the table holds no addresses, sessions or emails.

Callers count an attempt before trying it (`take`), and give it back when it turned out right
(`refund`) where only failures should use up the limit.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from commonground.voting import codes
from commonground.voting.models import AttemptWindow


@dataclass(frozen=True)
class Limit:
    name: str  # part of every key, so two limits never share a count
    allowed: int  # attempts allowed in one window
    window: int  # seconds


@dataclass(frozen=True)
class Attempt:
    limit: Limit
    key_hash: str
    number: int  # this attempt's number in its window, from 1
    ends: int  # Unix seconds

    @property
    def allowed(self) -> bool:
        return self.number <= self.limit.allowed

    @property
    def resets_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.ends, dt.UTC)

    @property
    def first_refused(self) -> bool:
        """The attempt that went over: the moment to note a lock-out once, not at every later try."""
        return self.number == self.limit.allowed + 1


class Refused(Exception):
    """Over a limit; `attempts` are every count taken, `resets_at` when all refusing windows end."""

    def __init__(self, attempts: list[Attempt]) -> None:
        self.attempts = attempts
        self.resets_at = max(a.resets_at for a in attempts if not a.allowed)
        super().__init__(f"Too many attempts. {self.try_again()}")

    def try_again(self) -> str:
        """When the person may try again, in UK time: "Try again after 3:45pm (in 15 minutes)."."""
        at = timezone.localtime(self.resets_at)
        minutes = max(1, math.ceil((self.resets_at - timezone.now()).total_seconds() / 60))
        clock = f"{at:%-I:%M}{'am' if at.hour < 12 else 'pm'}"
        return f"Try again after {clock} (in {minutes} minute{'' if minutes == 1 else 's'})."


def address(request: HttpRequest) -> str:
    """The client address limits count by (the proxy in front must set REMOTE_ADDR to the client's)."""
    return request.META.get("REMOTE_ADDR", "unknown")


def browser(request: HttpRequest) -> str:
    """The browser limits count by: its session if it has one; else its CSRF cookie, which every POST that
    passed the CSRF check carries, so an anonymous voter costs no session row; else a new session."""
    if request.session.session_key:
        return request.session.session_key
    secret = request.META.get("CSRF_COOKIE")
    if secret and not settings.CSRF_USE_SESSIONS and request.COOKIES.get(settings.CSRF_COOKIE_NAME):
        return f"csrf:{secret}"
    request.session.save()
    return request.session.session_key


def _count(limit: Limit, identity: str) -> Attempt:
    key_hash = codes.digest(f"{limit.name}:{identity}", "voting.limit")
    now = int(time.time())
    table = connection.ops.quote_name(AttemptWindow._meta.db_table)
    # Whether this attempt began a window, to clear the windows that have ended then, so the table stays small.
    # Not `number == 1`: after a refund that is every right code from an address. PostgreSQL says whether the
    # row is new (xmax 0: no earlier version), so many attempts from one key within its window's first second
    # do not all clear; elsewhere a window that ends a whole window from now began in this second.
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key_hash, ends, attempts) VALUES (%s, %s, 1) "  # noqa: S608  (names from the model)
            f"ON CONFLICT (key_hash) DO UPDATE SET "
            f"attempts = CASE WHEN {table}.ends <= %s THEN 1 ELSE {table}.attempts + 1 END, "
            f"ends = CASE WHEN {table}.ends <= %s THEN excluded.ends ELSE {table}.ends END "
            f"RETURNING attempts, ends{', xmax = 0' if postgresql else ''}",
            [key_hash, now + limit.window, now, now],
        )
        number, ends, *new = cursor.fetchone()
        if new[0] if postgresql else ends == now + limit.window:
            cursor.execute(f"DELETE FROM {table} WHERE ends <= %s", [now])  # noqa: S608  (as above)
    return Attempt(limit, key_hash, number, ends)


def take(*counted: tuple[Limit, str]) -> list[Attempt]:
    """Count one attempt against each (limit, identity); raise Refused when any is over its limit.

    Run it outside the attempt's own transaction, so a failed attempt's count is not rolled back."""
    attempts = [_count(limit, identity) for limit, identity in counted]
    if not all(a.allowed for a in attempts):
        raise Refused(attempts)
    return attempts


def refund(attempt: Attempt) -> None:
    """Give back an attempt that turned out right, so only failures use up the limit."""
    table = connection.ops.quote_name(AttemptWindow._meta.db_table)  # fixed SQL: a refund follows every right vote
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET attempts = attempts - 1 WHERE key_hash = %s AND ends = %s AND attempts > 0",  # noqa: S608  (a name from the model)
            [attempt.key_hash, attempt.ends],
        )


def reset(attempt: Attempt) -> None:
    """Forget a key's failures (a successful sign-in clears its account's count)."""
    AttemptWindow.objects.filter(key_hash=attempt.key_hash).delete()
