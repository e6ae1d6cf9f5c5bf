"""Ballot results in the open API: the phase of every ballot, the totals of a counted one, never the roll."""

from __future__ import annotations

from commonground.ballots import services
from tests.ballots.conftest import close
from tests.ballots.test_ballots import _vote


def test_ballots_and_their_results_in_the_api(client, make_ballot, scrutineer):
    ballot = make_ballot()
    _vote(ballot, scrutineer, ["No", "No", "Yes"])
    listed = client.get("/api/ballots").json()
    assert [(b["id"], b["phase"], b["result"]) for b in listed] == [(ballot.pk, "open", None)]
    assert client.get(f"/api/ballots/{ballot.pk}/result").status_code == 404  # not counted yet
    close(ballot)
    services.open_count(scrutineer, ballot)
    result = client.get(f"/api/ballots/{ballot.pk}/result").json()
    assert result["majority"] == "No" and result["valid_votes"] == 3 and result["electorate"] == 4
    assert [(o["option"], o["votes"]) for o in result["options"]] == [("Yes", 1), ("No", 2)]
    assert result["ballot"]["phase"] == "counted" and len(result["papers_sha256"]) == 64
    assert "Resident 1" not in str(result) and "Hillside Road" not in str(result)  # the roll stays private
    assert client.get("/api/ballots/999999/result").status_code == 404
    schema = client.get("/api/openapi.json").json()
    assert {"/api/ballots", "/api/ballots/{ballot_id}/result"} <= set(schema["paths"])
