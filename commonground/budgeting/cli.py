"""`commonground pb`: tally, explain and check participatory budgeting elections (pabulib .pb files)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonground.terminal import fail, out

app = typer.Typer(
    help="Participatory budgeting: tally and explain pabulib (.pb) elections. Short name: `pb`.",
    no_args_is_help=True,
    add_completion=False,
)


def _read_election(file: Path, rule: str):
    """The election in a .pb file, after checking the rule's name; one `Error:` line otherwise."""
    from commonground.engine.pb import pabulib, rules

    if rule not in rules.RULES:
        fail(f"--rule must be one of {', '.join(rules.RULES)}, not {rule!r}")
    try:
        return pabulib.read(file)
    except pabulib.PabulibError as exc:
        fail(str(exc))


@app.command("tally")
def pb_tally(
    file: Annotated[Path, typer.Argument(help="A pabulib .pb file.")],
    rule: Annotated[
        str, typer.Option(help="One of: greedy, mes, mes-add1, mes-add1-greedy, equal-shares, phragmen.")
    ] = "mes-add1-greedy",
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "json",
    plain: Annotated[bool, typer.Option(help="greedy: ignore the file's threshold and no-skip settings.")] = False,
    constraints: Annotated[
        Path | None,
        typer.Option(help="A TOML file of ring-fences (docs/pb.md); else those the file's META records."),
    ] = None,
) -> None:
    """Pick the winning projects of a PB election with a rule; prints winners, money spent and budget."""
    import json

    from commonground.engine.pb import rules

    election = _read_election(file, rule)
    fences = _ring_fences(election, constraints)
    if fences is not None:
        _tally_fenced(file, election, rule, fences, fmt, plain)
        return
    try:
        winners = rules.tally(election, rule, plain=plain)
    except ValueError as exc:
        fail(f"{file}: {exc}")
    spent = sum(election.costs[election.index_of[w]] for w in winners)
    result = {"winners": winners, "spent": spent, "budget": election.budget, "rule": rule}
    if fmt == "json":
        out.print_json(json.dumps(result, default=str))
    else:
        out.print(f"{len(winners)} winners, {spent:,} of {election.budget:,} spent: {', '.join(winners)}")


@app.command("explain")
def pb_explain(
    file: Annotated[Path, typer.Argument(help="A pabulib .pb file.")],
    rule: Annotated[
        str, typer.Option(help="One of: greedy, mes, mes-add1, mes-add1-greedy, equal-shares, phragmen.")
    ] = "mes-add1-greedy",
    project: Annotated[str | None, typer.Option(help="A project id; every project when left out.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
    plain: Annotated[bool, typer.Option(help="greedy: ignore the file's threshold and no-skip settings.")] = False,
) -> None:
    """Why a project won or lost under a rule: its round and price, or what it lacked."""
    import json

    from commonground.engine.pb import explain

    election = _read_election(file, rule)
    if project is not None and project not in election.index_of:
        fail(f"{file}: no project {project!r}")
    try:
        found = explain.explain(election, rule, plain=plain)
    except ValueError as exc:
        fail(f"{file}: {exc}")
    chosen = [found[project]] if project is not None else list(found.values())
    if fmt == "json":
        data = chosen[0].as_dict() if project is not None else [e.as_dict() for e in chosen]
        out.print_json(json.dumps(data))
    else:
        for item in chosen:
            out.print(f"{item.project_id} ({'won' if item.won else 'not funded'}): {item.text}", soft_wrap=True)


@app.command("check")
def pb_check(
    file: Annotated[Path, typer.Argument(help="A pabulib .pb file.")],
    strict: Annotated[bool, typer.Option(help="Votes that break the META's ballot limits are errors.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """Check a .pb file and summarise it: ballots, limits, categories and anything read leniently."""
    import json

    from commonground.engine.pb import pabulib

    try:
        election = pabulib.read(file, strict=strict)
    except pabulib.PabulibError as exc:
        fail(str(exc))
    by_category: dict[str, dict[str, int]] = {}
    for cost, categories in zip(election.costs, election.categories, strict=True):
        for category in categories:
            entry = by_category.setdefault(category, {"projects": 0, "cost": 0})
            entry["projects"] += 1
            entry["cost"] += cost
    summary = {
        "vote_type": election.vote_type,
        "budget": election.budget,
        "projects": election.n_projects,
        "voters": election.n_voters,
        "limits": {k: v for k, v in vars(election.limits).items() if v is not None},
        "categories": by_category,
        "targets": sorted({t for targets in election.targets for t in targets}),
        "warnings": election.warnings,
    }
    if fmt == "json":
        out.print_json(json.dumps(summary, default=str))
        return
    out.print(
        f"{file}: {election.vote_type} ballots, {election.n_voters:,} voters, {election.n_projects} projects, "
        f"budget {election.budget:,}",
        soft_wrap=True,
    )
    for key, value in summary["limits"].items():
        out.print(f"  {key}: {value}")
    for category, entry in sorted(by_category.items()):
        out.print(f"  category {category}: {entry['projects']} projects costing {entry['cost']:,}", soft_wrap=True)
    if summary["targets"]:
        out.print(f"  targets: {', '.join(summary['targets'])}", soft_wrap=True)
    for warning in election.warnings:
        out.print(f"  warning: {warning}", soft_wrap=True)


# Ring-fences (issue 20): the rules are in engine/pb/constrained.py, the file formats in constraints.py.


def _ring_fences(election, path: Path | None):
    """The ring-fences from --constraints, else those the .pb META records (None: neither)."""
    from rich.markup import escape

    from commonground.engine.pb import constraints

    try:
        return constraints.read(path) if path is not None else constraints.from_meta(election.meta)
    except constraints.ConstraintsError as exc:
        fail(escape(f"{path or 'META'}: {exc}"))


def _tally_fenced(file: Path, election, rule: str, fences, fmt: str, plain: bool) -> None:
    """`pb tally` with ring-fences: today's keys plus what each ring-fence got."""
    import json

    from rich.markup import escape

    from commonground.engine.pb import constrained

    try:
        outcome = constrained.tally(election, rule, fences, plain=plain)
    except ValueError as exc:  # a ring-fence naming no column or value, one that cannot be met, or phragmen
        fail(escape(f"{file}: {exc}"))
    spent = sum(election.costs[election.index_of[w]] for w in outcome.winners)
    result = {"winners": outcome.winners, "spent": spent, "budget": election.budget, "rule": rule}
    result["ring_fences"] = [r.as_dict() for r in outcome.fences]
    if fmt == "json":
        out.print_json(json.dumps(result, default=str))
        return
    winners = ", ".join(outcome.winners)
    out.print(f"{len(outcome.winners)} winners, {spent:,} of {election.budget:,} spent: {winners}", soft_wrap=True)
    for r in outcome.fences:
        out.print(escape(f"  {r.summary()}"), soft_wrap=True)
