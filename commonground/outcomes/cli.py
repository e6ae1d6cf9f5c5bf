"""`commonground outcomes` and `commonground report`: survey imports and State of the Neighbourhood PDFs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonground.terminal import console, fail, out, require_schema, setup_django

outcomes = typer.Typer(
    help="Wellbeing framework: import local survey results.", no_args_is_help=True, add_completion=False
)
report = typer.Typer(help="State of the Neighbourhood reports (PDF).", no_args_is_help=True, add_completion=False)


@outcomes.command("import-survey")
def outcomes_import_survey(
    file: Annotated[Path, typer.Argument(help="CSV: area_code,measure,value[,measure_name,unit,direction].")],
    dataset: Annotated[str, typer.Option(help="Short name of the dataset, one per survey wave, e.g. survey-2025.")],
    period: Annotated[str, typer.Option(help="Period label on trend charts, e.g. 2025.")],
    name: Annotated[str, typer.Option(help="Dataset name shown with its figures.")] = "",
    source: Annotated[str, typer.Option(help="Who ran the survey.")] = "Local residents' survey",
    licence: Annotated[str, typer.Option(help="Licence of the figures.")] = "Open Government Licence v3.0",
    area_type: Annotated[str | None, typer.Option(help="Area type code when codes repeat, e.g. ward17.")] = None,
    theme: Annotated[
        str | None, typer.Option(help="Add measures not yet in the framework under this theme (slug).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """Import one wave of local survey results (replaces an earlier import of the same dataset)."""
    import json

    setup_django()
    require_schema()
    from commonground.outcomes.importers import SurveyError, SurveyImport, import_survey

    spec = SurveyImport(dataset=dataset, name=name or f"Local survey {period}", source=source, licence=licence,
                        period=period, area_type=area_type, theme=theme)  # fmt: skip
    try:
        counts = import_survey(file, spec, "commonground outcomes import-survey")
    except SurveyError as exc:
        fail(str(exc))
    if fmt == "json":
        out.print_json(json.dumps({"dataset": dataset, **counts}))
    else:
        out.print(f"Imported {counts['values']:,} values for {counts['measures']} measures into {dataset}; "
                  f"{counts['linked']} linked to the framework ({counts['created']} new)")  # fmt: skip


@report.command("area")
def report_area(
    code: Annotated[str, typer.Argument(help="GSS code of a ward or local authority.")],
    out_path: Annotated[Path, typer.Option("--out", help="PDF file to write.")] = Path("report.pdf"),
    area_type: Annotated[str | None, typer.Option("--type", help="Area type code when codes repeat.")] = None,
) -> None:
    """Write the State of the Neighbourhood report for one area as a PDF."""
    import time

    setup_django()
    require_schema()
    from commonground.outcomes import report as report_module
    from commonground.places.models import AreaType
    from commonground.places.services import find_area

    area = find_area(code, area_type)
    if area is None or area.area_type.level not in (AreaType.Level.WARD, AreaType.Level.LOCAL_AUTHORITY):
        fail(f"no ward or local authority has the code {code!r}")
    started = time.perf_counter()
    with console.status(f"Writing the report for {area.name}…"):
        pdf = report_module.render_pdf(area)
    try:
        out_path.write_bytes(pdf)
    except OSError as exc:
        fail(f"cannot write {out_path}: {exc.strerror}")
    out.print(f"Wrote {out_path} ({len(pdf) / 1024:,.0f} KB) for {area.name} in {time.perf_counter() - started:.1f} s")
