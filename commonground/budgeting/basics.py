"""What the parts of PB process logic share (error, phases, place, ballot), so they need not import each other."""

from __future__ import annotations

from commonground.accounts.scopes import Scope
from commonground.budgeting.models import Process, Proposal
from commonground.engine.pb import ballot
from commonground.neighbourhoods import services as neighbourhoods
from commonground.places import services as places

Phase = Process.Phase
BEFORE_SCORING = (Phase.DRAFT, Phase.PROPOSALS)


class ProcessError(Exception):
    """A request the process's state or rules do not allow; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def account_of(actor):
    """The account behind an action, or None for commands (which name themselves in the audit log)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def scope_of(process: Process) -> Scope | None:
    """Where a process lives, for permission checks: its area's councils and its neighbourhood (with the
    neighbourhood's councils). None: a process tied to no place, for site-wide roles only."""
    councils = set(places.scope_of(process.area).councils) if process.area_id else set()
    hoods = []
    if process.neighbourhood_id:
        hoods = [process.neighbourhood.slug]
        councils |= set(neighbourhoods.councils_of(process.neighbourhood.slug))
    if not councils and not hoods:
        return None
    return Scope.of(sorted(councils), hoods)


def council_of(process: Process):
    """The council the process's money and delivery belong to (its area's, else its neighbourhood's)."""
    if process.area_id:
        found = places.councils_of([process.area])
        if found:
            return found[0]
    if process.neighbourhood_id:
        codes_ = neighbourhoods.councils_of(process.neighbourhood.slug)
        if codes_:
            return places.find_area(codes_[0])
    return None


def ballot_projects(process: Process) -> list[Proposal]:
    return list(process.proposals.filter(status=Proposal.Status.FEASIBLE).order_by("id"))


def ballot_rules(process: Process, proposals: list[Proposal] | None = None) -> ballot.BallotRules:
    proposals = ballot_projects(process) if proposals is None else proposals
    return ballot.BallotRules(
        ballot_type=process.ballot_type,
        costs={p.project_id: p.cost for p in proposals},
        budget=process.budget,
        min_selections=process.min_selections,
        max_selections=process.max_selections,
        max_points=process.max_points,
    )


def pb_projects(proposals: list[Proposal]) -> list[ballot.Project]:
    """The ballot's projects for the .pb file, with who leads each where any application says."""
    kinds = any(p.applicant_kind for p in proposals)
    return [
        ballot.Project(
            p.project_id, p.title, p.cost, p.category, (("applicant_kind", p.applicant_kind),) if kinds else ()
        )
        for p in proposals
    ]


def election_meta(process: Process) -> dict[str, str]:
    """The .pb file's META: where and what the process is, and its rule as pabulib names it."""
    meta = {
        "description": process.title,
        "country": "United Kingdom",
        "unit": process.area.name if process.area else process.title,
        "instance": process.slug,
        "currency": "GBP",
        "rule": process.pb_rule.meta_rule(process.complete_greedily),
    }
    if process.area:
        meta["subunit"] = process.area.code
    return meta
