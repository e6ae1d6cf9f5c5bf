"""The voting kernel's one table: attempt counts shared by every web worker (see limits.py)."""

from __future__ import annotations

from django.db import models


class AttemptWindow(models.Model):
    """Attempts one key (a hashed address, session or account) has made in its current window."""

    key_hash = models.CharField(max_length=64, primary_key=True)
    ends = models.BigIntegerField(db_index=True, help_text="When the window ends, in Unix seconds.")
    attempts = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.attempts} attempts until {self.ends}"
