"""`commonground panel`: fair, verifiable sortition of citizens' panels from files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from commonground.terminal import fail, out, run_with_progress

app = typer.Typer(
    help="Citizens' assemblies: fair, verifiable sortition of panels. Short name: `panel`.",
    no_args_is_help=True,
    add_completion=False,
)


def _sortition_inputs(features: Path, people: Path, household_columns: str, id_column: str | None):
    from commonground.engine.sortition import model

    columns = [c.strip() for c in household_columns.split(",") if c.strip()]
    quotas = model.read_quotas(features)
    return model.read_pool(people, quotas, id_column=id_column, household_columns=columns), quotas


def _print_distribution(result: dict, fmt: str) -> None:
    import json

    if fmt == "json":
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        chances = result["probabilities"].values()
        out.print(
            f"{result['method']}: panels of {result['size']} from {len(chances)} people; "
            f"least chance {result['min_probability']:.6f}, most {max(chances):.6f}, "
            f"{len(result['panels'])} panels in the lottery"
        )


@app.command("select")
def panel_select(
    features: Annotated[Path, typer.Option(help="Quotas: feature,value,min,max[,...] or category,feature,min,max.")],
    people: Annotated[Path, typer.Option(help="Pool CSV: an id column and one column per feature.")],
    size: Annotated[int, typer.Option(help="Panel size k.")],
    method: Annotated[str, typer.Option(help="leximin, maximin, nash or legacy.")] = "leximin",
    household_columns: Annotated[str, typer.Option(help="Address columns: at most one person per household.")] = "",
    id_column: Annotated[str | None, typer.Option(help="Id column (default: first non-feature column).")] = None,
    seed: Annotated[int, typer.Option(help="legacy only: random seed for its draws.")] = 0,
    draws: Annotated[int, typer.Option(min=1, help="legacy only: panels drawn to estimate the chances.")] = 1000,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "json",
) -> None:
    """Compute a fair lottery over panels that meet the quotas; prints each person's chance and the panels."""
    from commonground.engine.sortition.leximin import select
    from commonground.engine.sortition.model import SortitionError

    try:
        pool, quotas = _sortition_inputs(features, people, household_columns, id_column)
        dist = run_with_progress(
            method, lambda report: select(pool, quotas, size, method, report, seed=seed, draws=draws)
        )
    except SortitionError as exc:
        fail(str(exc))
    _print_distribution(dist.to_json(), fmt)


@app.command("draw")
def panel_draw(
    distribution: Annotated[Path, typer.Option(help="JSON written by `panel select` or `panel replace`.")],
    seed: Annotated[str, typer.Option(help="Public seed, e.g. the numbers of a public lottery draw.")],
    panels: Annotated[int, typer.Option(help="Tickets m in the uniform lottery.")] = 1000,
    lottery_out: Annotated[Path | None, typer.Option(help="Also write the m tickets (JSON) for publication.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "json",
) -> None:
    """Round the distribution to m equally likely panels and pick one with SHA-256 of the public seed."""
    import json

    from commonground.engine.sortition import lottery
    from commonground.engine.sortition.model import SortitionError

    try:
        dist = lottery.read_distribution(distribution)
        result = lottery.draw(dist, seed, panels)
        if lottery_out is not None:
            tickets = lottery.build_lottery(dist, panels).tickets
            lottery_out.write_text(json.dumps({"lottery_sha256": result["lottery_sha256"], "tickets": tickets}))
    except SortitionError as exc:
        fail(str(exc))
    if fmt == "json":
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        out.print(
            f"Ticket {result['ticket']} of {result['tickets']} (seed {seed!r}): {', '.join(result['panel'])}; "
            f"largest change in anyone's chance {result['max_probability_change']:.4f}"
        )


@app.command("replace")
def panel_replace(
    features: Annotated[Path, typer.Option(help="The quotas the panel was selected under.")],
    people: Annotated[Path, typer.Option(help="The pool CSV the panel was selected from.")],
    panel: Annotated[Path, typer.Option(help="The panel: `panel draw` JSON, or one id per line.")],
    dropped: Annotated[str, typer.Option(help="Comma-separated ids of members who dropped out.")],
    method: Annotated[str, typer.Option(help="leximin, maximin, nash or legacy.")] = "leximin",
    household_columns: Annotated[str, typer.Option(help="Address columns: at most one person per household.")] = "",
    id_column: Annotated[str | None, typer.Option(help="Id column (default: first non-feature column).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "json",
) -> None:
    """A fair lottery over replacements from the rest of the pool, so the panel still meets the quotas."""
    import json

    from commonground.engine.sortition.model import SortitionError
    from commonground.engine.sortition.replacement import replace

    try:
        text = panel.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"{panel}: cannot read ({exc.strerror or exc})")
    try:
        members = [str(m) for m in json.loads(text)["panel"]]
    except (ValueError, KeyError, TypeError):
        members = [line.strip() for line in text.splitlines() if line.strip()]
    try:
        pool, quotas = _sortition_inputs(features, people, household_columns, id_column)
        gone = [d.strip() for d in dropped.split(",") if d.strip()]
        request, dist = run_with_progress(method, lambda report: replace(pool, quotas, members, gone, method, report))
    except SortitionError as exc:
        fail(str(exc))
    result = {**dist.to_json(), "staying": request.staying, "dropped": gone}
    _print_distribution(result, fmt)
