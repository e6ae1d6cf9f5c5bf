"""Scoring applications: each panel member scores each application they have not recused themselves from
against the published criteria (0 to 5); the panel's moderated score replaces the members' average on a
criterion where they agree one; the weighted total, out of 100, decides the shortlist.

    total = 100 × Σ weight × score ÷ (5 × Σ weight)

A criterion's members' scores that differ by 3 or more (one gives 1, another 4) are flagged for
moderation. Reads the tables; writes nothing (services.py does, audited).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from commonground.budgeting.models import Criterion, Declaration, Moderation, Process, Proposal, Score

TOP = 5
SPREAD_TO_MODERATE = 3


@dataclass
class CriterionScore:
    criterion: Criterion
    values: list[int]
    moderated: Moderation | None = None

    @property
    def mean(self) -> Fraction | None:
        return Fraction(sum(self.values), len(self.values)) if self.values else None

    @property
    def used(self) -> Fraction | None:
        """The score that counts: the moderated one, else the members' average."""
        return Fraction(self.moderated.value) if self.moderated is not None else self.mean

    @property
    def spread(self) -> int:
        return max(self.values) - min(self.values) if self.values else 0

    @property
    def needs_moderation(self) -> bool:
        return self.moderated is None and self.spread >= SPREAD_TO_MODERATE


@dataclass
class ApplicationScore:
    proposal: Proposal
    criteria: list[CriterionScore]
    scorers: int  # members who scored it
    recusals: int  # members who recused themselves from it
    threshold: int
    comments: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.criteria) and all(c.used is not None for c in self.criteria)

    @property
    def total(self) -> Fraction | None:
        if not self.complete:
            return None
        weights = sum(c.criterion.weight for c in self.criteria)
        return 100 * sum(c.criterion.weight * c.used for c in self.criteria) / (TOP * weights)

    @property
    def total_shown(self) -> str:
        return "not yet scored" if self.total is None else f"{float(self.total):.1f}"

    @property
    def needs_moderation(self) -> bool:
        return any(c.needs_moderation for c in self.criteria)

    @property
    def shortlisted(self) -> bool:
        return self.total is not None and self.total >= self.threshold


def table(process: Process) -> list[ApplicationScore]:
    """Every application with its scores, highest total first (unscored ones last)."""
    criteria = list(process.criteria.all())
    values: dict[tuple[int, int], list[int]] = defaultdict(list)
    scored_by: dict[int, set[int]] = defaultdict(set)
    comments: dict[int, list[str]] = defaultdict(list)
    for s in Score.objects.filter(proposal__process=process).order_by("scorer_id", "criterion_id"):
        values[(s.proposal_id, s.criterion_id)].append(s.value)
        scored_by[s.proposal_id].add(s.scorer_id)
        if s.comment and s.comment not in comments[s.proposal_id]:
            comments[s.proposal_id].append(s.comment)
    moderated = {(m.proposal_id, m.criterion_id): m for m in Moderation.objects.filter(proposal__process=process)}
    recused: dict[int, int] = defaultdict(int)
    for d in Declaration.objects.filter(proposal__process=process, recused=True):
        recused[d.proposal_id] += 1
    rows = [
        ApplicationScore(
            proposal=p,
            criteria=[CriterionScore(c, values[(p.pk, c.pk)], moderated.get((p.pk, c.pk))) for c in criteria],
            scorers=len(scored_by[p.pk]),
            recusals=recused[p.pk],
            threshold=process.shortlist_threshold,
            comments=comments[p.pk],
        )
        for p in process.proposals.order_by("id")
    ]
    return sorted(rows, key=lambda r: (r.total is None, -(r.total or 0), r.proposal.pk))
