"""Refusal and all-or-nothing steps, shared by the engine's cases that are rebuilt by replaying their steps."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable


class Refused(Exception):
    """A step the law does not allow; `reason` says why in plain words, `citation` which rule."""

    def __init__(self, reason: str, citation: str = "") -> None:
        super().__init__(f"{reason} ({citation})" if citation else reason)
        self.reason = reason
        self.citation = citation


def step(method: Callable) -> Callable:
    """A refused step leaves the object exactly as it was (clock and history included)."""

    @functools.wraps(method)
    def wrapped(self, *args, **kwargs):
        saved = copy.copy(self.__dict__)
        saved["history"] = list(self.history)
        try:
            return method(self, *args, **kwargs)
        except Refused:
            self.__dict__.update(saved)
            raise

    return wrapped
