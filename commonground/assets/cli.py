"""`commonground assets`: statutory clocks, reminders, ownership data and councils' rule sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonground.terminal import fail, out, parse_day, require_schema, setup_django

app = typer.Typer(
    help="Assets of community value: statutory clocks, reminders, ownership data.",
    no_args_is_help=True,
    add_completion=False,
)


def _import_csv(file: Path, read, refused: type[Exception]):
    """What `read` makes of the CSV `file`; a file that is not UTF-8 text, or that the import refuses, fails."""
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            return read(handle)
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")
    except refused as exc:
        fail(f"{file}: nothing imported: {exc}")


@app.command("clocks")
def assets_clocks(
    event: Annotated[
        str,
        typer.Option(
            help="nomination-received, listed, listing-notice, review-requested, "
            "review-decision, disposal-notice, moratorium-end or delisted."
        ),
    ],  # fmt: skip
    date: Annotated[str, typer.Option(help="The day the event happened (YYYY-MM-DD).")],
    ruleset: Annotated[
        str, typer.Option(help="localism-2011 (in force) or right-to-buy-2026 (enacted, awaiting commencement).")
    ] = "localism-2011",
    bid_request: Annotated[
        str | None, typer.Option(help="disposal-notice only: the day a community interest group asked to bid.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """Print every statutory period an event starts, with its last day and citation."""
    import json

    from commonground.engine import clocks

    if fmt not in ("json", "text"):
        fail(f"--format must be json or text, not {fmt!r}")
    try:
        chosen_event = clocks.Event(event)
    except ValueError:
        fail(f"--event must be one of {', '.join(e.value for e in clocks.Event)}, not {event!r}")
    try:
        rules = clocks.ruleset(ruleset)
    except ValueError as exc:
        fail(str(exc))
    on = parse_day(date, "--date")
    bid = parse_day(bid_request, "--bid-request") if bid_request else None
    try:
        periods = clocks.report(chosen_event, on, rules, bid)
    except ValueError as exc:
        fail(str(exc))
    if fmt == "json":
        result = {
            "event": chosen_event.value,
            "date": on.isoformat(),
            "ruleset": rules.key,
            "ruleset_status": rules.status,
            "in_force": clocks.in_force_note(rules),
            "bid_request": bid.isoformat() if bid else None,
            "periods": [p.as_dict() for p in periods],
        }
        out.print_json(json.dumps(result))
        return
    if rules.in_force_from is None:
        out.print(f"Rule set {rules.key} is {rules.status}, {clocks.in_force_note(rules)}.", highlight=False,
                  soft_wrap=True)  # fmt: skip
    for p in periods:
        if p.pending:
            out.print(f"{p.name} (from {p.begins.isoformat()}): {p.length}: {p.waits_on}  [{p.citation}]",
                      highlight=False, soft_wrap=True)  # fmt: skip
            continue
        out.print(f"{p.name} ({p.length} from {p.begins.isoformat()}): last day {p.last_day.isoformat()}"
                  f"  [{p.citation}]", highlight=False, soft_wrap=True)  # fmt: skip


@app.command("remind")
def assets_remind(
    date: Annotated[str | None, typer.Option(help="Pretend today is this day (YYYY-MM-DD).")] = None,
    days_before: Annotated[int, typer.Option(min=0, max=60, help="Remind this many days before a last day.")] = 7,
    send: Annotated[bool, typer.Option(help="Also send every notice that is due now.")] = False,
) -> None:
    """Queue deadline reminders for every party (once each) in the outbox; the worker also does this daily."""
    setup_django()
    require_schema()
    from commonground.assets import services
    from commonground.notify import services as notify

    on = parse_day(date, "--date") if date else None
    made = services.remind(on, days_before)
    out.print(f"Queued {made} reminder{'s' if made != 1 else ''}")
    if send:
        counts = notify.deliver_due()
        out.print(f"Sent {counts['sent']} notices; {counts['retrying']} to try again; {counts['failed']} failed")


@app.command("import-ownership")
def assets_import_ownership(
    file: Annotated[Path, typer.Argument(help="CSV in HM Land Registry's UK/overseas companies ownership layout.")],
) -> None:
    """Import (add or replace) registered titles and their company owners; all rows or none."""
    if not file.is_file():
        fail(f"{file}: no such file")
    setup_django()
    require_schema()
    from commonground.assets import ownership

    counts = _import_csv(file, lambda handle: ownership.import_titles(handle, source=file.name),
                         ownership.OwnershipImportError)  # fmt: skip
    out.print(f"Imported {counts['titles']} titles ({counts['created']} new, {counts['updated']} replaced)")


@app.command("council")
def assets_council(
    name: Annotated[str, typer.Argument(help="The listing council's name.")],
    ruleset: Annotated[
        str | None,
        typer.Option(help="Rule set for new cases (used once in force): localism-2011 or right-to-buy-2026."),
    ] = None,
    code: Annotated[
        str | None, typer.Option(help="GSS code of its local authority area (scopes officers and notices).")
    ] = None,
    organisation: Annotated[
        str | None, typer.Option(help="planning.data organisation CURIE, e.g. local-authority:CMD.")
    ] = None,
) -> None:
    """Create a council or set its area, organisation or the rule set its new cases use (cases keep theirs)."""
    from commonground.engine import clocks

    if ruleset is not None:
        try:
            clocks.ruleset(ruleset)
        except ValueError as exc:
            fail(str(exc))
    setup_django()
    require_schema()
    from commonground.assets import council_settings, services

    council = council_settings.council_named(name)
    try:
        council = council_settings.set_council(
            "command line", council, code=code, organisation=organisation, ruleset=ruleset
        )
    except services.AssetError as exc:
        fail(str(exc))
    rules = clocks.ruleset(council.ruleset)
    now = clocks.rules_for_new_case(rules, services.today())
    uses = rules.key
    if now is not rules:
        uses = f"{rules.key} once in force ({clocks.in_force_note(rules)}); until then {now.key}"
    area = "; no area set (site-wide roles only)"
    if council.area_id:
        area = f"; area {council.area.code} ({council.area.name})"
    organisation = f"; organisation {council.organisation}" if council.organisation else ""
    out.print(f"{council.name}: new cases use {uses}{area}{organisation}", highlight=False, soft_wrap=True)


@app.command("export-register")
def assets_export_register(
    council: Annotated[str, typer.Option(help="The council's name.")],
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
) -> None:
    """Write a council's register in planning.data.gov.uk's asset-of-community-value layout."""
    setup_django()
    require_schema()
    from commonground.assets import planning_data
    from commonground.assets.services import AssetError

    try:
        chosen = planning_data.council_or_error(council)
        text = planning_data.export_csv(chosen)
    except AssetError as exc:
        fail(str(exc))
    out_file.write_text(text, encoding="utf-8")
    rows = text.count("\n") - 1
    out.print(f"Wrote {rows} asset{'s' if rows != 1 else ''} of {chosen.name} to {out_file}", highlight=False)


@app.command("import-register")
def assets_import_register(
    file: Annotated[Path, typer.Argument(help="CSV in planning.data.gov.uk's asset-of-community-value layout.")],
    council: Annotated[str, typer.Option(help="The council whose published list this is.")],
    check_only: Annotated[bool, typer.Option("--check-only", help="Check the dates; store nothing.")] = False,
) -> None:
    """Load a council's published list (all rows or none) and report every date that disagrees with our clocks."""
    if not file.is_file():
        fail(f"{file}: no such file")
    setup_django()
    require_schema()
    from commonground.assets import planning_data
    from commonground.assets.services import AssetError

    try:
        chosen = planning_data.council_or_error(council)
        report = _import_csv(
            file,
            lambda handle: planning_data.import_register(handle, chosen, check_only=check_only, source=file.name),
            planning_data.RegisterImportError,
        )
    except AssetError as exc:
        fail(str(exc))
    for line in report.lines():
        out.print(line, highlight=False, soft_wrap=True)
