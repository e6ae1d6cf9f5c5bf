"""The count of a PB process and what is published from it: results, the replay command and who voted."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Count

from commonground.budgeting import fences
from commonground.budgeting.basics import ProcessError, ballot_projects, ballot_rules, election_meta, pb_projects
from commonground.budgeting.casting import equality_bands, turnout
from commonground.budgeting.models import PREFER_NOT, Process, Proposal, Result
from commonground.budgeting.money import delivery_records
from commonground.engine import disclosure, population
from commonground.engine.pb import ballot, explain, pabulib, rules
from commonground.places import services as places


def count(process: Process) -> Result:
    """Count the ballots with the process's rule and freeze the result with its .pb file."""
    proposals = ballot_projects(process)
    rules_ = ballot_rules(process, proposals)
    # Receipts are no use once voting is closed. Rewriting every paper in this one transaction also
    # gives them all the same PostgreSQL row version (xmin), so no paper keeps the transaction id it
    # shared with its voter's "has voted" mark.
    process.papers.update(receipt_hash="")
    papers = list(process.papers.values_list("choices", flat=True))
    fenced = process.ring_fences.exists()
    meta = election_meta(process)
    try:
        meta |= fences.meta(process)
        engine_fences = fences.to_engine(process) if fenced else []
    except fences.FenceError as exc:
        raise ProcessError(str(exc)) from None
    text = ballot.to_pabulib(meta, rules_, pb_projects(proposals), papers)
    election = pabulib.parse(text, source="process")  # the published file is what is counted
    completion = process.complete_greedily
    winners = rules.tally(election, process.rule, completion=completion) if papers else []
    explanations = explain.explain(election, process.rule, completion=completion) if papers else {}
    fence_report: list[dict] = []
    if fenced:
        unconstrained = set(winners)
        try:
            outcome = fences.tally(election, process.rule, engine_fences)
        except fences.FenceError as exc:
            raise ProcessError(str(exc)) from None
        winners = list(outcome.winners)
        stored = list(process.ring_fences.all())
        for got, fence in zip(outcome.fences, stored, strict=True):
            fence_report.append(
                {
                    **got.as_dict(),
                    "sentence": fences.sentence(fence, process.budget),
                    "projects": fences.projects_label(fence.field, fence.value),
                }
            )
        by_project = {
            p.project_id: [
                fences.sentence(f, process.budget)
                for f in stored
                if (f.field == "category" and f.value == p.category)
                or (f.field == "applicant_kind" and f.value == p.applicant_kind)
            ]
            for p in proposals
        }
        plain = {pid: e.text for pid, e in explanations.items()}
        explained = {
            p.project_id: fences.explain(
                p.project_id in winners,
                p.project_id in unconstrained,
                plain.get(p.project_id, ""),
                by_project[p.project_id] or [fences.sentence(f, process.budget) for f in stored],
            )
            for p in proposals
        }
    else:
        explained = {pid: e.text for pid, e in explanations.items()}
    support: dict[str, dict[str, int]] = {p.project_id: {"ballots": 0, "points": 0} for p in proposals}
    for paper in papers:
        for pid, points in ballot.points(rules_, paper).items():
            support[pid]["ballots"] += 1
            support[pid]["points"] += points
    return Result.objects.create(
        process=process,
        rule=process.rule,
        winners=winners,
        spent=sum(rules_.costs[w] for w in winners),
        support=support,
        explanations=explained,
        pb_text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        ballots=len(papers),
        fences=fence_report,
    )


@dataclass(frozen=True)
class ResultRow:
    proposal: Proposal
    ballots: int  # ballots naming it
    points: int
    won: bool
    why: str  # why it won or lost, in plain English
    record: object = None  # its delivery record (winners, once results are published)


def result_rows(process: Process) -> list[ResultRow]:
    """Each project on the ballot with its support, whether it won and why, funded ones first then
    by points: the one source of the results page, its CSV and the API."""
    result = process.result
    records = delivery_records(process)
    rows = [
        ResultRow(
            proposal,
            result.support.get(proposal.project_id, {}).get("ballots", 0),
            result.support.get(proposal.project_id, {}).get("points", 0),
            proposal.project_id in result.winners,
            result.explanations.get(proposal.project_id, ""),
            records.get(proposal.project_id),
        )
        for proposal in ballot_projects(process)
    ]
    return sorted(rows, key=lambda row: (not row.won, -row.points, row.proposal.pk))


def replay_command(process: Process) -> str:
    """The command anyone can run on the downloaded .pb file to get the published winners."""
    command = f"commonground pb tally {process.slug}.pb --rule {process.result.rule}"
    if process.result.fences:
        command += f" --constraints {process.slug}-ring-fences.toml"
    return command


def voter_profile(process: Process) -> dict | None:
    """The voters who answered the equality question by age band and sex, against the area's people
    (shares of each), with every count under 10 hidden; None when nobody answered and there are no
    population figures to show."""
    people = places.population_profile(process.area) if process.area else None
    marks = process.marks.all()
    eligible = dict(equality_bands(process))
    groups, hidden_any, anyone = [], False, False
    for group in population.GROUPS:
        field = "age_band" if group.key == "age" else "sex"
        keys = [b.key for b in group.bands if group.key != "age" or b.key in eligible]
        tally = {row[field]: row["n"] for row in marks.exclude(**{field: ""}).values(field).annotate(n=Count("id"))}
        anyone |= bool(tally)
        counts = {k: tally.get(k, 0) for k in keys}
        answered = sum(counts.values())
        people_counts = {}
        if people is not None:
            bands = next(g["bands"] for g in people["groups"] if g["key"] == group.key)
            people_counts = {b["key"]: b["count"] for b in bands if b["key"] in keys}
        people_total = sum(people_counts.values())
        hidden = set(keys) if answered < disclosure.THRESHOLD else disclosure.hidden_cells(counts)
        prefer_not = tally.get(PREFER_NOT, 0)
        hidden_any |= bool(hidden) or prefer_not < disclosure.THRESHOLD
        groups.append({
            "key": group.key,
            "label": group.label,
            "answered": answered if answered >= disclosure.THRESHOLD else None,
            "prefer_not": prefer_not if prefer_not >= disclosure.THRESHOLD else None,
            "bands": [
                {
                    "key": b.key,
                    "label": b.label,
                    "voters": None if b.key in hidden else counts[b.key],
                    "voter_share": None if b.key in hidden else counts[b.key] / answered,
                    "population_share": people_counts[b.key] / people_total if people_total else None,
                }
                for b in group.bands
                if b.key in keys
            ],
        })  # fmt: skip
    if people is None and not anyone:
        return None
    return {
        "groups": groups,
        "has_population": people is not None,
        "adults_only": "0_15" not in eligible,
        "min_age": process.min_age,
        "threshold": disclosure.THRESHOLD,
        "hidden_any": hidden_any,
    }


def stats(process: Process) -> dict:
    return {
        "proposals": process.proposals.count(),
        "on_ballot": process.proposals.filter(status=Proposal.Status.FEASIBLE).count(),
        "codes": process.codes.aggregate(n=Count("id"))["n"],
        "turnout": turnout(process),
    }
