"""`commonground procurement`: the social value missions kept as data, and a tender's award explained."""

from __future__ import annotations

from typing import Annotated

import typer

from commonground.terminal import fail, out, require_schema, setup_django

app = typer.Typer(help="Social value in tenders: missions and awards.", no_args_is_help=True, add_completion=False)


@app.command("missions")
def missions() -> None:
    """The five social value missions and the outcomes a tender's criteria may measure, with their source."""
    from commonground.procurement import model_data

    source = model_data.source()
    out.print(f"{source['title']} ({source['published']}): {source['url']}", highlight=False, soft_wrap=True)
    for mission in model_data.missions():
        out.print(f"{mission['code']}  {mission['name']}", highlight=False)
        for outcome in mission["outcomes"]:
            out.print(f"    {outcome['code']}  {outcome['name']} [{outcome['source_status']}]", highlight=False,
                      soft_wrap=True)  # fmt: skip


@app.command("explain")
def explain(reference: Annotated[str, typer.Argument(help="The tender's reference, e.g. T-2026-0001.")]) -> None:
    """Print an awarded tender's published explanation: weights, formulas and every bid's points exactly."""
    setup_django()
    require_schema()
    from commonground.procurement.models import Tender

    tender = Tender.objects.filter(reference=reference).first()
    if tender is None:
        fail(f"no tender has the reference {reference!r}")
    if tender.award is None:
        fail(f"{reference} is not awarded yet: its model and scores are published at award")
    award = tender.award
    weights = award["weights"]
    out.print(f"{tender.reference}: {tender.title}", highlight=False)
    out.print(f"Weights: price {weights['price']}%, quality {weights['quality']}%, social value "
              f"{weights['social_value']}% (floor {award['social_value_floor']}%)", highlight=False)  # fmt: skip
    for formula in award["formulas"]:
        out.print(formula, highlight=False)
    for r in award["results"]:
        out.print(f"{r['rank']}. {r['supplier']}: {r['total']} points (exactly {r['total_exact']})", highlight=False)
        for step in r["steps"]:
            out.print(f"    {step}", highlight=False)
    out.print(
        f"Winner: {award['winner']}" + (f" (tie broken by {award['tie_broken_by']})" if award["tie_broken_by"] else ""),
        highlight=False,
    )
