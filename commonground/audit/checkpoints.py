"""Signed checkpoints of the audit log's head, so a rewritten or truncated log is caught.

Why: a hash chain alone proves nothing against someone who can write the table: they can edit a
record and re-hash every record after it, or delete the newest ones, and the chain still checks
out. Transparency logs (Certificate Transparency, RFC 6962 "signed tree heads") anchor the chain
instead: a statement of the head (sequence number, head hash, time) signed with a key the database
cannot reach, published or kept elsewhere. Later, `verify` proves the log still contains every
checkpointed head with the same hash: an edit anywhere up to it changes that hash, a truncation
loses it.

The key is an Ed25519 private key in a PEM file named by COMMONGROUND_AUDIT_KEY (default
~/.config/commonground/audit-signing-key.pem), outside the data directory, readable only by the
operating-system user that writes checkpoints. The database role never sees it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

LOG_ID = "commonground-audit-log"


class CheckpointError(Exception):
    """A checkpoint that cannot be made, read or trusted; the message says which file and why."""


def key_path() -> Path:
    configured = os.environ.get("COMMONGROUND_AUDIT_KEY")
    return Path(configured) if configured else Path.home() / ".config" / "commonground" / "audit-signing-key.pem"


def make_key(path: Path) -> str:
    """Write a new Ed25519 private key (mode 0600, directory 0700); returns its public key's fingerprint."""
    if path.exists():
        raise CheckpointError(f"{path} already exists: a key is never overwritten")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return fingerprint(key.public_key())


def load_key(path: Path | None = None) -> Ed25519PrivateKey:
    path = path or key_path()
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise CheckpointError(
            f"no signing key at {path}: make one with `commonground audit keygen` (keep it outside the data "
            "directory) or point COMMONGROUND_AUDIT_KEY at yours"
        ) from None
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"{path} is not a PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path} is not an Ed25519 key")
    return key


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(public)).hexdigest()[:16]


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head: str
    time: str
    public_key: str  # base64 raw Ed25519
    signature: str  # base64

    def statement(self) -> bytes:
        """The signed bytes: the log, the head and the time, canonical JSON."""
        body = {"log": LOG_ID, "seq": self.seq, "head": self.head, "time": self.time}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def as_json(self) -> str:
        return json.dumps(
            {"log": LOG_ID, "seq": self.seq, "head": self.head, "time": self.time, "public_key": self.public_key,
             "key_fingerprint": self.key_fingerprint, "signature": self.signature},
            indent=1,
        )  # fmt: skip

    @property
    def key_fingerprint(self) -> str:
        return hashlib.sha256(base64.b64decode(self.public_key)).hexdigest()[:16]


def sign(seq: int, head: str, key: Ed25519PrivateKey, now: dt.datetime | None = None) -> Checkpoint:
    time = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    unsigned = Checkpoint(seq, head, time, base64.b64encode(_raw(key.public_key())).decode(), "")
    signature = base64.b64encode(key.sign(unsigned.statement())).decode()
    return Checkpoint(seq, head, time, unsigned.public_key, signature)


def read(path: Path, trusted_fingerprint: str | None = None) -> Checkpoint:
    """A checkpoint file whose signature checks out (and, when given, whose key is the trusted one)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        checkpoint = Checkpoint(int(data["seq"]), str(data["head"]), str(data["time"]), str(data["public_key"]),
                                str(data["signature"]))  # fmt: skip
        if data.get("log") != LOG_ID:
            raise ValueError(f"it is not a checkpoint of {LOG_ID}")
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint.public_key))
        public.verify(base64.b64decode(checkpoint.signature), checkpoint.statement())
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such file") from None
    except InvalidSignature:
        raise CheckpointError(f"{path}: the signature does not match its statement (the file was altered)") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{path}: not a checkpoint ({exc})") from None
    if trusted_fingerprint and checkpoint.key_fingerprint != trusted_fingerprint:
        raise CheckpointError(
            f"{path}: signed by key {checkpoint.key_fingerprint}, not the trusted key {trusted_fingerprint}"
        )
    return checkpoint
