"""The ballot as every voter of a process sees it, kept in this process's memory per state of the process.

Every voter is shown the same ballot, and reading the process and its 30 projects through the ORM, building
the form and rendering the page were most of a vote's CPU. The state is read fresh on every request by fixed
statements (the process row, its projects on the ballot and its ring-fences, every stored column: digested by
PostgreSQL in one statement, read whole elsewhere; with them, whether the demo data is on show, which every page
says); what is
made from one state (the process, the projects, the ballot rules, the ring-fence sentences and rendered pages)
is kept under that exact state. Any change to the process, a project or a ring-fence gives a new state, so
nothing is ever served stale and nothing needs to be invalidated.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from commonground.budgeting import basics, fences
from commonground.budgeting.models import Process, Proposal, RingFence
from commonground.engine.pb.ballot import BallotRules
from commonground.places import services as places

MOST_KEPT = 16  # states of processes: a few open votes, and a few edits of each while voting


class Ballot:
    """One state of one process's ballot. `process` is a private copy per caller; the rest is shared and
    must not be changed."""

    def __init__(self, state: tuple, process: Process) -> None:
        self.state = state
        self.showing_demo_data = bool(state[1])
        self._process = process
        self.projects: list[Proposal] = basics.ballot_projects(process)
        self.rules: BallotRules = basics.ballot_rules(process, self.projects)
        self.fences: list[str] = fences.sentences(process)
        self._rendered: dict[tuple, str] = {}
        self._lock = threading.Lock()

    @property
    def process(self) -> Process:
        """A copy with no related objects loaded: its area or neighbourhood, where a page needs one, is read
        fresh (their rows are not part of the state)."""
        process = copy.copy(self._process)
        process._state.fields_cache = {}
        return process

    def rendered(self, parts: tuple, render: Callable[[], str]) -> SafeString:
        """What `render` makes for `parts` (the template and whatever else goes into it besides this state),
        rendered once per state."""
        html = self._rendered.get(parts)
        if html is None:
            html = str(render())
            with self._lock:
                self._rendered[parts] = html
        return mark_safe(html)  # noqa: S308  (our own template output, escaped when it was rendered)


_kept: OrderedDict[tuple, Ballot] = OrderedDict()
_lock = threading.Lock()


@functools.cache
def _statements(vendor: str) -> tuple[str, ...]:
    """Fixed SQL (no query building on every vote) for the state of a process's ballot. PostgreSQL digests
    every stored column of the process, its projects on the ballot and its ring-fences in one statement;
    elsewhere the three sets of rows are read whole."""
    name = connection.ops.quote_name
    process, projects, fences_ = (name(m._meta.db_table) for m in (Process, Proposal, RingFence))
    demo = f"EXISTS ({places.demo_data_sql()})"
    if vendor == "postgresql":
        digest = (
            "encode(sha256(convert_to(coalesce(string_agg({row}::text, '|' ORDER BY {row}.id), ''), 'UTF8')), 'hex')"
        )
        return (
            f"SELECT p.id, {demo}, {digest.format(row='p')}, "  # noqa: S608  (names from the models)
            f"(SELECT {digest.format(row='t')} FROM {projects} t WHERE t.process_id = p.id AND t.status = %s), "
            f"(SELECT {digest.format(row='f')} FROM {fences_} f WHERE f.process_id = p.id) "
            f"FROM {process} p WHERE p.slug = %s GROUP BY p.id",
        )

    def columns(model) -> str:
        return ", ".join(name(f.column) for f in model._meta.concrete_fields)

    return (
        f"SELECT {columns(Process)}, {demo} FROM {process} WHERE slug = %s",  # noqa: S608  (names from the models)
        f"SELECT {columns(Proposal)} FROM {projects} WHERE process_id = %s AND status = %s ORDER BY id",  # noqa: S608
        f"SELECT {columns(RingFence)} FROM {fences_} WHERE process_id = %s ORDER BY id",  # noqa: S608
    )


def _state(slug: str) -> tuple | None:
    """The process's id first, then whether the demo data is on show, then what identifies the state of its
    ballot."""
    statements = _statements(connection.vendor)
    with connection.cursor() as cursor:
        if len(statements) == 1:
            cursor.execute(statements[0], [Proposal.Status.FEASIBLE, slug])
            row = cursor.fetchone()
            return None if row is None else tuple(row)
        process_sql, projects_sql, fences_sql = statements
        cursor.execute(process_sql, [slug])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(projects_sql, [row[0], Proposal.Status.FEASIBLE])
        projects = tuple(cursor.fetchall())
        cursor.execute(fences_sql, [row[0]])
        return (row[0], bool(row[-1]), tuple(row), projects, tuple(cursor.fetchall()))


def ballot(slug: str) -> Ballot | None:
    """The ballot of the process with this slug as it stands now, or None if there is no such process."""
    state = _state(slug)
    if state is None:
        return None
    with _lock:
        found = _kept.get(state)
        if found is not None:
            _kept.move_to_end(state)
            return found
    # Built after the state was read, so it is never older than its key; a change in between is a new
    # state, read (and built) by the next request.
    found = Ballot(state, Process.objects.get(pk=state[0]))
    with _lock:
        _kept[state] = found
        while len(_kept) > MOST_KEPT:
            _kept.popitem(last=False)
    return found
