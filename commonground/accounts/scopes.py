"""Where a role is held and where an object lives: the whole site, a council, or one neighbourhood.

Why: power is scoped (after Decidim's participatory spaces). An officer of Knowsley must not open,
change or count anything of Hartlepool's; a board member of one neighbourhood edits only its plan; a
resident verified for a neighbourhood votes in its processes and in its council's open ones. Every
permission check compares a grant's scope with the scope of the object acted on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SITE = "site"
KINDS = ("site", "council", "neighbourhood")
_GSS_COUNCIL = re.compile(r"^[EXW]0[6-9]\d{6}$")  # unitary, district, metropolitan, London borough (X: demo)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ScopeError(ValueError):
    """A scope written wrongly; the message shows the forms that work."""


@dataclass(frozen=True)
class Scope:
    """Where an object lives: the councils (GSS codes) and neighbourhoods (slugs) it belongs to."""

    councils: frozenset[str] = frozenset()
    neighbourhoods: frozenset[str] = frozenset()

    @classmethod
    def of(cls, councils=(), neighbourhoods=()) -> Scope:
        return cls(frozenset(c for c in councils if c), frozenset(n for n in neighbourhoods if n))


@dataclass(frozen=True)
class Grant:
    """A role held in one scope; `councils` are a neighbourhood's councils (for residents' open processes)."""

    role: str
    scope: str = SITE
    councils: frozenset[str] = frozenset()

    @property
    def kind(self) -> str:
        return self.scope.partition(":")[0]

    @property
    def key(self) -> str:
        return self.scope.partition(":")[2]

    def covers(self, scope: Scope | None, residential: bool = False) -> bool:
        """Whether this grant reaches an object in `scope` (None: an object tied to no place)."""
        if self.kind == "site":
            return True
        if scope is None:
            return False
        if self.kind == "council":
            return self.key in scope.councils
        if self.key in scope.neighbourhoods:
            return True
        # A resident of a neighbourhood also takes part in the council's processes open to all its residents.
        return residential and not scope.neighbourhoods and bool(self.councils & scope.councils)


def parse(text: str | None) -> str:
    """A scope as stored: "site", "council:GSS" or "neighbourhood:SLUG" (checked, normalised)."""
    text = (text or SITE).strip()
    if text == SITE:
        return SITE
    kind, _, key = text.partition(":")
    if kind == "council" and _GSS_COUNCIL.match(key.strip().upper()):
        return f"council:{key.strip().upper()}"
    if kind == "neighbourhood" and _SLUG.match(key.strip()):
        return f"neighbourhood:{key.strip()}"
    raise ScopeError(
        f"{text!r} is not a scope: use site, council:GSS (a local authority code such as council:E06000001) "
        "or neighbourhood:SLUG"
    )


def label(scope: str) -> str:
    kind, _, key = scope.partition(":")
    return "the whole site" if kind == SITE else f"{kind} {key}"
