"""`commonground ballot`: re-add a counted resident ballot's published papers."""

from __future__ import annotations

from typing import Annotated

import typer

from commonground.terminal import fail, out, require_schema, setup_django

app = typer.Typer(
    help="Resident ballots: the result from the stored ballot papers.", no_args_is_help=True, add_completion=False
)


@app.command("tally")
def ballot_tally(
    ballot_id: Annotated[int, typer.Option("--ballot", help="The ballot's number, as in its web address.")],
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """Re-add a counted ballot's published papers, check them against the ballot box, print the result."""
    import json

    setup_django()
    require_schema()
    from commonground.ballots.models import Ballot
    from commonground.ballots.services import current_totals
    from commonground.engine import ballot_count

    ballot = Ballot.objects.filter(pk=ballot_id).first()
    if ballot is None:
        fail(f"there is no ballot {ballot_id}")
    phase = ballot.phase()
    if phase in (Ballot.Phase.SETUP, Ballot.Phase.OPEN):
        closes = f"{ballot.closes_at:%Y-%m-%d %H:%M}"
        fail(f"ballot {ballot_id} is not closed: nothing is counted before voting closes ({closes} UTC)")
    if phase == Ballot.Phase.CLOSED:
        fail(f"ballot {ballot_id} has not been counted: only its independent body opens the count")
    options = [o.label for o in ballot.options.order_by("position")]
    electorate = ballot.result.totals["electorate"]
    readded = ballot_count.readd(options, [choice for _id, choice in ballot.result.papers], electorate)
    if readded.as_dict() != current_totals(ballot).as_dict():
        fail(f"ballot {ballot_id}: the published papers do not add up to the ballot box totals")
    result = {"ballot": ballot.pk, "question": ballot.question, **readded.as_dict()}
    if fmt == "json":
        out.print_json(json.dumps(result))
    else:
        votes = ", ".join(f"{o} {readded.votes[o]}" for o in options)
        out.print(
            f"{votes}; spoilt {readded.spoilt}; turnout {float(readded.turnout):.1%} of {readded.electorate}; "
            f"majority: {readded.majority_option or 'none'}"
        )
