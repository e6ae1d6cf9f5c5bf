"""Rendered pieces of the ballot page kept in this process's memory, keyed by everything they are made from.

Every voter is shown the same empty ballot and project list, and rendering them (30 projects, twice) was
most of a ballot's CPU. The key is a digest of every stored field of the process and of each project on
the ballot, plus how the form is set up, all read fresh on each request: any change to the process or a
project gives a new key, so nothing is ever served stale and nothing needs to be invalidated.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

from django.db.models import Model
from django.utils.safestring import SafeString, mark_safe

MOST_KEPT = 64  # fragments per process: a few ballot kinds of a few open votes
_kept: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()


def state(objects: Iterable[Model]) -> tuple:
    """Every stored field of each object, in order: what a fragment made from them depends on."""
    return tuple(
        (obj._meta.label, tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)) for obj in objects
    )


def rendered(name: str, parts: tuple, render: Callable[[], str]) -> SafeString:
    """The fragment `name` made from `parts`, rendered once per distinct `parts` (last used kept)."""
    key = hashlib.sha256(repr((name, parts)).encode()).hexdigest()
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
            return mark_safe(html)  # noqa: S308  (our own template output, escaped when it was rendered)
    html = str(render())
    with _lock:
        _kept[key] = html
        while len(_kept) > MOST_KEPT:
            _kept.popitem(last=False)
    return mark_safe(html)  # noqa: S308  (as above)
