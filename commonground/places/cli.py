"""`commonground index` and `commonground places`: compute the indices and find the places from files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from commonground.terminal import console, engine_errors, fail, write_table

index = typer.Typer(
    help="Compute deprivation and community-need indices from files.", no_args_is_help=True, add_completion=False
)
places = typer.Typer(
    help="Ward-level findings: left-behind neighbourhoods.", no_args_is_help=True, add_completion=False
)


@index.command("imd")
def index_imd(
    domain_ranks: Annotated[Path, typer.Option(help="IoD domains: File 2 (ranks), File 5 (scores) or compact CSV.")],
    out: Annotated[Path | None, typer.Option(help="Output CSV (default: standard output).")] = None,
) -> None:
    """Recompute the IMD 2019 for every LSOA: rank, exponential transform, weighted sum.

    Uses domain scores when the file has them, otherwise domain ranks.
    """
    from commonground.engine import imd_files
    from commonground.engine.indices import imd_from_domain_ranks, imd_from_domain_scores
    from commonground.engine.national import imd_table

    with engine_errors(), console.status("Reading domains…"):
        domains = imd_files.read_domains(domain_ranks)
    result = (
        imd_from_domain_scores(domains.values) if domains.kind == "scores" else imd_from_domain_ranks(domains.values)
    )
    table = imd_table(domains.lsoa_codes, result.score.round(6), result.rank)
    console.print(f"IMD computed for {len(table):,} LSOAs from domain {domains.kind}")
    write_table(table, out)


@index.command("build")
def index_build(
    spec: Annotated[Path, typer.Option(help="TOML spec: domains, indicators, directions, transforms, weights.")],
    indicators: Annotated[Path, typer.Option(help="CSV with one row per area and one column per indicator.")],
    out: Annotated[Path | None, typer.Option(help="Output CSV (default: standard output).")] = None,
) -> None:
    """Build a composite index (e.g. a Community Needs Index) from an indicator table and a spec."""
    from commonground.engine.composite import build_from_files

    with engine_errors(), console.status("Building the index…"):
        parsed, result = build_from_files(spec, indicators)
    frame = result.to_frame(parsed.id_column)
    console.print(f"{parsed.name}: {len(frame):,} areas, {len(parsed.domains)} domains")
    write_table(frame, out)


@places.command("left-behind")
def places_left_behind(
    cni: Annotated[Path, typer.Option(help="Community Needs Index by ward (e.g. cni2019_england_ward17.csv).")],
    data: Annotated[
        Path, typer.Option(envvar="COMMONGROUND_NATIONAL_DATA", help="Directory laid out like the national data pack.")
    ],
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    out: Annotated[Path | None, typer.Option(help="Output file (default: standard output).")] = None,
) -> None:
    """List wards in the most deprived 10% on both the IMD (ward aggregate) and the CNI."""
    from commonground.engine import left_behind, national

    if fmt not in {"csv", "json"}:
        fail(f"--format must be csv or json, not {fmt!r}")
    with engine_errors(), console.status("Aggregating IMD 2019 to 2017 wards…"):
        wards = national.imd2019_wards17(data)
        table = left_behind.read_cni(cni)
    found = left_behind.left_behind(wards, table)
    message = f"{len(found)} left-behind wards (cut-off rank {found.attrs['cut']} of {found.attrs['wards']:,})"
    if table.published_flag is not None:
        agree = int(np.isin(found["code"], table.codes[table.published_flag]).sum())
        message += f"; {agree} of them among the {int(table.published_flag.sum())} the CNI file flags"
    console.print(message)
    found["population"] = found["population"].round().astype("Int64")
    write_table(found.round({"imd_score": 3, "cni_score": 3}), out, fmt)
