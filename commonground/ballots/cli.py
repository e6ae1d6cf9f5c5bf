"""`commonground ballot`: re-add a counted resident ballot's stored papers."""

from __future__ import annotations

from typing import Annotated

import typer

from commonground.terminal import fail, out, require_schema, setup_django

app = typer.Typer(
    help="Resident ballots: the result from the stored ballot papers. Short name: `ballot`.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("tally")
def ballot_tally(
    ballot_id: Annotated[int, typer.Option("--ballot", help="The ballot's number, as in its web address.")],
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """Re-add a counted ballot's stored papers, check them against the ballot box and the published
    papers, print the result."""
    import json

    setup_django()
    require_schema()
    from commonground.ballots.models import Ballot
    from commonground.ballots.services import BallotError, recount

    ballot = Ballot.objects.filter(pk=ballot_id).first()
    if ballot is None:
        fail(f"there is no ballot {ballot_id}")
    phase = ballot.phase()
    if phase in (Ballot.Phase.SETUP, Ballot.Phase.OPEN):
        closes = f"{ballot.closes_at:%Y-%m-%d %H:%M}"
        fail(f"ballot {ballot_id} is not closed: nothing is counted before voting closes ({closes} UTC)")
    if phase == Ballot.Phase.CLOSED:
        fail(f"ballot {ballot_id} has not been counted: only its independent body opens the count")
    try:
        readded = recount(ballot)
    except BallotError as exc:
        fail(f"ballot {ballot_id}: {exc}")
    result = {"ballot": ballot.pk, "question": ballot.question, **readded.as_dict()}
    if fmt == "json":
        out.print_json(json.dumps(result))
    else:
        votes = ", ".join(f"{o} {readded.votes[o]}" for o in readded.options)
        out.print(
            f"{votes}; spoilt {readded.spoilt}; turnout {float(readded.turnout):.1%} of {readded.electorate}; "
            f"majority: {readded.majority_option or 'none'}"
        )
