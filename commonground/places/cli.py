"""`commonground index` and `commonground places`: compute the indices and find the places from files."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from commonground.terminal import console, engine_errors, fail, write_table

index = typer.Typer(
    help="Compute deprivation and community-need indices from files.", no_args_is_help=True, add_completion=False
)
places = typer.Typer(
    help="Find the places: left-behind neighbourhoods and selection methods declared as data.",
    no_args_is_help=True,
    add_completion=False,
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


GEOGRAPHY_HELP = "lsoa21, msoa21, ward24 or lad24 (2025); ward17 (2019); or a CSV naming each LSOA's area (custom)."


def _source(data: Path | None, cni: Path | None):
    """The data pack's files when --data is given, else what `commonground data load` loaded."""
    if data is not None:
        from commonground.engine.national import PackSource

        return PackSource(data, cni)
    if cni is not None:
        fail("--cni needs --data DIR (the data pack the IMD and the lookups come from)")
    from commonground.terminal import require_schema, setup_django

    setup_django()
    require_schema()
    from commonground.places.selection import DatabaseSource

    return DatabaseSource()


def _near_table(selection, near: int) -> None:
    """The method in words, its assumptions, and the nearest places not chosen with the reason each was not."""
    from rich.table import Table

    from commonground.engine.selection import explain

    for line in explain(selection):
        console.print(line, highlight=False, soft_wrap=True)
    if near and len(selection.near):
        table = Table(title=f"The {min(near, len(selection.near))} nearest not chosen", title_justify="left")
        for column in ("code", "name", "council", "reason"):
            table.add_column(column, overflow="fold")
        for row in selection.near.head(near).itertuples():
            table.add_row(row.code, row.name, row.council, row.reason)
        console.print(table)


@places.command("left-behind")
def places_left_behind(
    edition: Annotated[str, typer.Option(help="2025 (IoD 2025 and CNI 2023) or 2019 (the historical wards).")] = "2025",
    geography: Annotated[str, typer.Option(help=GEOGRAPHY_HELP)] = "",
    threshold: Annotated[float, typer.Option(help="Share in the most deprived on both indices (0.1 or 0.2).")] = 0.10,
    measure: Annotated[
        str, typer.Option(help="IoD summary above LSOA level: score, average_rank, proportion or extent.")
    ] = "score",
    cni: Annotated[
        Path | None, typer.Option(help="Community Needs Index file (e.g. cni2019_england_ward17.csv).")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            envvar="COMMONGROUND_NATIONAL_DATA",
            help="Directory laid out like the national data pack (default: what `data load` loaded).",
        ),
    ] = None,  # fmt: skip
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    out: Annotated[Path | None, typer.Option(help="Output file (default: standard output).")] = None,
) -> None:
    """List the left-behind (doubly disadvantaged) areas: in the most deprived share on both the IMD and the
    Community Needs Index. 2025: IoD 2025 and CNI 2023 on 2021 LSOAs and above (the open proxy for community
    need where the CNI is not loaded); 2019: OCSI's rule at 2017 wards."""
    if fmt not in {"csv", "json"}:
        fail(f"--format must be csv or json, not {fmt!r}")
    if edition not in {"2025", "2019"}:
        fail(f"--edition must be 2025 or 2019, not {edition!r}")
    if not 0 < threshold <= 1:
        fail(f"--threshold must be a share above 0 and at most 1, such as 0.1, not {threshold!r}")
    if edition == "2019" and cni is not None and data is not None:
        _left_behind_2019(cni, data, threshold, fmt, out)
        return
    from commonground.engine import selection

    if measure not in selection.MEASURES:
        fail(f"--measure must be one of {', '.join(selection.MEASURES)}, not {measure!r}")
    with engine_errors():
        source = _source(data, cni)
        if edition == "2019":
            spec = selection.load_spec(selection.shipped_specs()["left-behind-2019"])
            spec = dataclasses.replace(spec, share=threshold)
        else:
            geography = geography or "lsoa21"
            if geography not in selection.GEOGRAPHIES and not Path(geography).is_file():
                fail(f"--geography must be one of lsoa21, msoa21, ward24, lad24 or a CSV file, not {geography!r}")
            spec = selection.left_behind_spec(geography, _need(source), threshold, measure)
        with console.status("Ranking the areas on both indices…"):
            found = selection.select(spec, source, near=0)
    console.print(selection.explain(found)[0], highlight=False, soft_wrap=True)
    write_table(found.chosen.drop(columns=["reason"]), out, fmt)


def _need(source) -> str:
    """The CNI 2023 when it can be read, else the open proxy for community need (said so on the console)."""
    from commonground.engine.tables import DataError

    if getattr(source, "cni", None) is not None:  # a CNI file named with --cni: its errors are the user's to see
        return "cni2023"
    try:
        source.lsoas("cni2023")
        return "cni2023"
    except DataError:
        console.print("The CNI 2023 is not loaded: community need is the open proxy built from the IoD 2025 "
                      "indicators (specs/community_need_proxy_2025.toml), not OCSI's index.")  # fmt: skip
        return "need-proxy-2025"


def _left_behind_2019(cni: Path, data: Path, share: float, fmt: str, out: Path | None) -> None:
    """OCSI's 2019 rule straight from the files, compared with the CNI file's own published flag."""
    from commonground.engine import left_behind, national

    with engine_errors(), console.status("Aggregating IMD 2019 to 2017 wards…"):
        wards = national.imd2019_wards17(data)
        table = left_behind.read_cni(cni)
    found = left_behind.left_behind(wards, table, share)
    message = f"{len(found)} left-behind wards (cut-off rank {found.attrs['cut']} of {found.attrs['wards']:,})"
    if table.published_flag is not None:
        agree = int(np.isin(found["code"], table.codes[table.published_flag]).sum())
        message += f"; {agree} of them among the {int(table.published_flag.sum())} the CNI file flags"
    console.print(message)
    found["population"] = found["population"].round().astype("Int64")
    write_table(found.round({"imd_score": 3, "cni_score": 3}), out, fmt)


@places.command("select")
def places_select(
    method: Annotated[
        str, typer.Option(help="A shipped method (left-behind-2019, pride-in-place-2, cwf) or a spec file.")
    ],
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    near: Annotated[int, typer.Option(help="How many of the nearest places not chosen to explain.")] = 10,
    cni: Annotated[Path | None, typer.Option(help="Community Needs Index file, when not in the data pack.")] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            envvar="COMMONGROUND_NATIONAL_DATA",
            help="Directory laid out like the national data pack (default: what `data load` loaded).",
        ),
    ] = None,  # fmt: skip
    out: Annotated[Path | None, typer.Option(help="Output file (default: standard output).")] = None,
) -> None:
    """Rerun a selection method declared as data: one row per place chosen, with the reason; the method, its
    assumptions and the nearest places not chosen (with why) go to standard error. Byte-identical on reruns."""
    from commonground.engine import selection

    if fmt not in {"csv", "json"}:
        fail(f"--format must be csv or json, not {fmt!r}")
    shipped = selection.shipped_specs()
    path = shipped.get(method) or Path(method)
    if not path.is_file():
        fail(f"--method must be one of {', '.join(shipped)} or a spec file, not {method!r}")
    with engine_errors():
        spec = selection.load_spec(path)
        source = _source(data, cni)
        with console.status(f"Running {spec.name}…"):
            found = selection.select(spec, source, near=near)
    _near_table(found, near)
    write_table(found.chosen, out, fmt)
