"""`commonground fund`: allocate a Community Wealth Fund and publish its awards (360Giving)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from commonground.terminal import console, fail, require_schema, setup_django

app = typer.Typer(
    help="Community Wealth Fund: allocate awards and publish them (360Giving).",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("allocate")
def fund_allocate(
    total: Annotated[int, typer.Option(min=1, help="The fund in whole pounds.")],
    years: Annotated[int, typer.Option(min=1, max=50, help="Years the awards run for.")] = 12,
    policy: Annotated[str, typer.Option(help="big-local, equal, per-capita or needs-weighted.")] = "big-local",
    profile: Annotated[str, typer.Option(help="Drawdown: even, front-loaded or start-up.")] = "even",
    floor: Annotated[int, typer.Option(min=0, help="Smallest award in pounds.")] = 0,
    cap: Annotated[int | None, typer.Option(min=1, help="Largest award in pounds.")] = None,
    eligible: Annotated[Path | None, typer.Option(help="CSV of eligible wards (default: left-behind wards).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
) -> None:
    """Allocate a fund across eligible wards in whole pounds; the same inputs give byte-identical output."""
    import csv
    import io
    import json

    from commonground.engine import fund as engine
    from commonground.engine.tables import DataError

    if fmt not in {"json", "csv"}:
        fail(f"--format must be json or csv, not {fmt!r}")
    try:
        rule = engine.AllocationPolicy.of(policy, total, years, profile, floor, cap)
    except ValueError as exc:
        fail(str(exc))
    try:
        places, codes = engine.places_from_csv(eligible) if eligible is not None else (None, None)
        if places is None:  # names and populations come from the loaded national data
            setup_django()
            from commonground.fund.services import eligible_places

            places = eligible_places(None if codes is None else list(codes))
        allocation = engine.allocate(places, rule)
    except (DataError, ValueError) as exc:
        fail(str(exc))
    header = {"policy": allocation.policy.describe(), "data_version": allocation.data_version,
              "eligible_wards": len(allocation.awards), "total_awarded": allocation.total_awarded,
              "unallocated": allocation.unallocated, "notes": list(allocation.notes)}  # fmt: skip
    rows = [
        {"ward_code": a.place.code, "ward_name": a.place.name, "local_authority": a.place.local_authority,
         "population": a.place.population, "amount": a.amount, "schedule": list(a.schedule)}
        for a in allocation.awards
    ]  # fmt: skip
    if fmt == "json":
        sys.stdout.write(json.dumps({**header, "awards": rows}, indent=1, ensure_ascii=False) + "\n")
        return
    buffer = io.StringIO()
    for key in ("data_version", "eligible_wards", "total_awarded", "unallocated"):
        buffer.write(f"# {key}: {header[key]}\n")
    buffer.write(f"# policy: {json.dumps(header['policy'], sort_keys=True)}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["ward_code", "ward_name", "local_authority", "population", "amount"]
                    + [f"year_{i}" for i in range(1, years + 1)])  # fmt: skip
    for r in rows:
        writer.writerow([r["ward_code"], r["ward_name"], r["local_authority"], r["population"], r["amount"],
                         *r["schedule"]])  # fmt: skip
    writer.writerow(["TOTAL", "", "", sum(r["population"] for r in rows), allocation.total_awarded])
    sys.stdout.write(buffer.getvalue())


@app.command("export-360giving")
def fund_export(
    out: Annotated[Path, typer.Option(help="360Giving JSON package to write.")],
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Also write the 360Giving spreadsheet columns.")] = None,
    prefix: Annotated[str | None, typer.Option(help="Override the funds' 360Giving org prefix.")] = None,
) -> None:
    """Write every committed award, with the payments recorded so far, in the 360Giving standard."""
    import csv
    import json

    setup_django()
    require_schema()
    from commonground.engine import threesixty
    from commonground.fund.models import Fund
    from commonground.fund.services import grant_rows

    funds = list(Fund.objects.filter(status=Fund.Status.COMMITTED))
    if prefix:
        for f in funds:
            f.org_prefix = prefix
    try:
        data = threesixty.package(grant_rows(funds), title="Community Wealth Fund awards")
    except ValueError as exc:
        fail(str(exc))
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    console.print(f"Wrote {len(data['grants']):,} grants to {out}")
    if csv_out is not None:
        with csv_out.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(threesixty.csv_rows(data))
        console.print(f"Wrote the spreadsheet columns to {csv_out}")
