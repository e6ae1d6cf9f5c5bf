"""`commonground neighbourhoods`: make and list neighbourhoods; keep board members' roles in step with their terms."""

from __future__ import annotations

from typing import Annotated

import typer

from commonground.terminal import fail, out, require_schema, setup_django

app = typer.Typer(help="Neighbourhoods: named areas made of LSOAs.", no_args_is_help=True, add_completion=False)


@app.command("create")
def neighbourhoods_create(
    name: Annotated[str, typer.Option(help="The neighbourhood's name.")],
    ward: Annotated[str | None, typer.Option(help="A 2024 ward code: the neighbourhood is its 2021 LSOAs.")] = None,
    lsoas: Annotated[str | None, typer.Option(help="LSOA codes, comma-separated (2021 LSOAs by preference).")] = None,
    kind: Annotated[
        str, typer.Option(help="pride_in_place, community_wealth_fund, big_local, parish, ward or other.")
    ] = "other",
) -> None:
    """Create a neighbourhood from a ward or a list of LSOAs; prints its slug on the last line."""
    if (ward is None) == (lsoas is None):
        fail("give exactly one of --ward CODE or --lsoas CODE,CODE,...")
    setup_django()
    require_schema()
    from commonground.neighbourhoods import services

    try:
        if ward is not None:
            codes, drawn_from = services.lsoa_codes_of_ward(ward)
        else:
            codes, drawn_from = [c for c in lsoas.split(",") if c.strip()], "a list of LSOAs"
        neighbourhood = services.create("commonground neighbourhoods create", name, codes, kind, drawn_from)
    except services.NeighbourhoodError as exc:
        fail(str(exc))
    summary = services.profile(neighbourhood)
    out.print(f"Created {neighbourhood.name}: {summary['lsoas']} LSOAs, population {summary['population']:,}")
    out.print(neighbourhood.slug, highlight=False)


@app.command("list")
def neighbourhoods_list() -> None:
    """Every neighbourhood with its kind, LSOAs and councils."""
    setup_django()
    require_schema()
    from commonground.neighbourhoods.models import Neighbourhood

    for n in Neighbourhood.objects.prefetch_related("councils", "boundaries"):
        boundary = n.boundary
        councils = ", ".join(c.name for c in n.councils.all())
        out.print(f"{n.slug}\t{n.get_kind_display()}\t{len(boundary.lsoas) if boundary else 0} LSOAs\t{councils}")


@app.command("sync-roles")
def neighbourhoods_sync_roles() -> None:
    """Give board members' accounts the board member role as their terms start and take it away as they end or
    they leave; run daily (for example from cron)."""
    setup_django()
    require_schema()
    from commonground.neighbourhoods import board

    changed = board.sync_all_roles("commonground neighbourhoods sync-roles")
    out.print(f"{changed} account{'s' if changed != 1 else ''} changed")
