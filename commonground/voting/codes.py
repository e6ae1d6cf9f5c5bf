"""Voting codes and receipts, for every kind of vote (PB processes and resident ballots).

A code is drawn with `secrets` from an alphabet without look-alikes, shown once (printed on a
letter, or on the screen after voting) and stored only as a keyed hash: HMAC-SHA256 under a key
derived from SECRET_KEY for one purpose, so a copy of the database alone cannot test guesses, and
a hash made for one purpose (a PB code) never matches another's (a ballot code).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to read out, type and copy off paper
# PB codes and receipts issued before this module were keyed with SECRET_KEY itself; they still match.
_KEYED_WITH_SECRET_KEY = frozenset({"budgeting.code", "budgeting.receipt"})


def new(length: int) -> str:
    """A fresh random code of `length` symbols (log2(30) = 4.9 bits each), in stored form."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise(text: str) -> str:
    """A code as typed, in stored form: capitals, without the spaces and dashes people add."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def display(code: str) -> str:
    """A code in groups of four, as printed: ABCD-EFGH-JKMN."""
    code = normalise(code)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"commonground.{purpose}:".encode() + settings.SECRET_KEY.encode()).digest()


def digest(code: str, purpose: str) -> str:
    """The keyed hash stored for `code` (as typed) under `purpose`, e.g. "ballots.code"."""
    return hmac.new(_key(purpose), normalise(code).encode(), hashlib.sha256).hexdigest()


def stored_forms(code: str, purpose: str) -> list[str]:
    """Every hash a stored row may hold for `code`: the digest, then the pre-kernel form where one exists."""
    forms = [digest(code, purpose)]
    if purpose in _KEYED_WITH_SECRET_KEY:
        forms.append(hmac.new(settings.SECRET_KEY.encode(), normalise(code).encode(), hashlib.sha256).hexdigest())
    return forms
