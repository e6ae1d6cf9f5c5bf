"""PROVENANCE.json: what each file in a fetched directory is, where it came from and its sha256.

Why: an installation must be able to say where every figure came from (publisher, address, licence,
date) and prove the file is the one that was fetched. The same record tells later runs which downloads
are already complete (the file still has the digest recorded when it arrived) and which derived files
are up to date (built from inputs with the digests recorded when they were built).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path, PurePosixPath

__all__ = ["PROVENANCE", "Ledger", "now"]

PROVENANCE = "PROVENANCE.json"
ABOUT = (
    "Written by `commonground data fetch`. Each entry is a file in this directory: a download (kind 'download': "
    "the publisher's address, the address it was fetched from, the sha256 received, whether a pinned digest "
    "verified it) or a file derived from downloads in the data pack's layout (kind 'derived': the sha256 of each "
    "input it was built from). Licence: every file is published under the Open Government Licence v3.0; "
    "contains public sector information and OS data (c) Crown copyright and database right."
)


def now() -> str:
    """The current UTC time to the second, as recorded in the ledger."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Ledger:
    """The PROVENANCE.json of one directory, saved atomically after every change."""

    def __init__(self, dest: Path) -> None:
        self.path = Path(dest) / PROVENANCE
        try:
            self.files: dict[str, dict] = json.loads(self.path.read_text(encoding="utf-8"))["files"]
        except FileNotFoundError:
            self.files = {}
        except (ValueError, KeyError, TypeError):
            self.files = {}  # unreadable: every file is checked again and the record rebuilt

    def sha256(self, relative_path: str) -> str | None:
        return self.files.get(relative_path, {}).get("sha256")

    def record(self, relative_path: str, entry: dict) -> None:
        self.files[str(PurePosixPath(relative_path))] = entry
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        body = {"about": ABOUT, "files": dict(sorted(self.files.items()))}
        try:
            temporary.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            os.replace(temporary, self.path)
        finally:
            temporary.unlink(missing_ok=True)
