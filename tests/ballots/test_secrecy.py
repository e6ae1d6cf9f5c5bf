"""Ballot secrecy: with the whole database, who voted and what was voted cannot be linked.

Two ballots are run with the same electors voting in the same order; in one, elector 1 votes Yes
and elector 2 No, in the other the other way round (and so on). Everything the database holds
about the votes, row metadata included (SQLite rowid; PostgreSQL ctid and xmin), is the same for
both: an officer reading every table cannot tell the two apart, so cannot tell how anyone voted.
The ballot papers are in it too; only their random keys and receipts differ between the two.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, transaction

from commonground.audit.models import AuditRecord
from commonground.ballots import services
from commonground.ballots.models import BallotBox, BallotPaper, VoterMark
from tests.ballots.conftest import add_people

pytestmark = pytest.mark.django_db


def _ranks(values: list) -> list[int]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0] * len(values)
    for rank, index in enumerate(order):
        ranks[index] = rank
    return ranks


def _rows(sql: str, alias: str, ballot_id: int) -> list[tuple]:
    """Rows with their physical position and writing transaction turned into ranks within the ballot."""
    on_postgresql = connection.vendor == "postgresql"
    physical = f"{alias}.ctid, {alias}.xmin::text::bigint" if on_postgresql else f"{alias}.rowid, 0"
    with connection.cursor() as cursor:
        cursor.execute(sql.format(physical=physical), [ballot_id])
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        positions = [tuple(int(x) for x in str(r[0]).strip("()").split(",")) for r in rows]
    else:
        positions = [r[0] for r in rows]
    position_ranks = _ranks(positions)
    writers = sorted({r[1] for r in rows})
    return sorted((position_ranks[i], writers.index(r[1]), *r[2:]) for i, r in enumerate(rows))


def dump(ballot) -> dict:
    marks = _rows(
        "SELECT {physical}, e.roll_number, m.channel FROM ballots_votermark m "
        "JOIN ballots_elector e ON e.id = m.elector_id WHERE e.ballot_id = %s",
        "m",
        ballot.pk,
    )
    boxes = _rows(
        "SELECT {physical}, o.position, b.votes FROM ballots_ballotbox b "
        "LEFT JOIN ballots_ballotoption o ON o.id = b.option_id WHERE b.ballot_id = %s",
        "b",
        ballot.pk,
    )
    papers = _rows(
        "SELECT {physical}, o.position FROM ballots_ballotpaper p "
        "LEFT JOIN ballots_ballotoption o ON o.id = p.option_id WHERE p.ballot_id = %s",
        "p",
        ballot.pk,
    )
    audit = list(
        AuditRecord.objects.filter(object_type="ballots.Ballot", object_id=str(ballot.pk), action="ballots.vote")
        .order_by("seq")
        .values_list("actor_label", "after")
    )
    return {"marks": marks, "boxes": boxes, "papers": papers, "audit": audit}


def _run(make_ballot, scrutineer, choices: list[str]):
    ballot = make_ballot()
    add_people(scrutineer, ballot, len(choices))
    options = {o.label: o.pk for o in ballot.options.all()}
    for issued, choice in zip(services.issue_codes(scrutineer, ballot), choices, strict=True):
        services.cast_online(issued.code, ballot, options[choice])
    return ballot


def test_the_stored_votes_do_not_tell_who_voted_what(make_ballot, scrutineer):
    world_a = _run(make_ballot, scrutineer, ["Yes", "No", "Yes", "No", "No"])
    world_b = _run(make_ballot, scrutineer, ["No", "Yes", "No", "No", "Yes"])
    seen_a, seen_b = dump(world_a), dump(world_b)
    assert seen_a == seen_b
    assert [row[-1] for row in seen_a["boxes"]] == [2, 3, 0]  # Yes 2, No 3, spoilt 0: the totals, nothing more
    assert [row[-1] for row in seen_a["papers"]] == [1, 1, 2, 2, 2]  # in option order: the totals again
    assert len(seen_a["marks"]) == 5


def test_mark_and_ballot_box_tables_hold_no_time_order_or_link():
    assert {f.name for f in VoterMark._meta.concrete_fields} == {"id", "elector", "channel"}
    assert {f.name for f in BallotBox._meta.concrete_fields} == {"id", "ballot", "option", "votes"}
    assert {f.name for f in BallotPaper._meta.concrete_fields} == {"id", "ballot", "option", "receipt"}
    for model in (VoterMark, BallotBox, BallotPaper):
        assert isinstance(model._meta.pk.default(), uuid.UUID)  # random keys, no sequence
        assert not model._meta.ordering
    for model in (BallotBox, BallotPaper):
        assert not any(f.related_model is VoterMark for f in model._meta.get_fields())


def test_every_vote_rewrites_every_counter_and_paper_of_the_ballot(make_ballot, scrutineer):
    ballot = _run(make_ballot, scrutineer, ["Yes", "No", "Yes"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT xmin::text) FROM (SELECT xmin FROM ballots_ballotbox WHERE ballot_id = %s "
                "UNION ALL SELECT xmin FROM ballots_ballotpaper WHERE ballot_id = %s) AS written",
                [ballot.pk, ballot.pk],
            )
            assert cursor.fetchone()[0] == 1  # the last vote's transaction wrote every row alike
    totals = services.current_totals(ballot)
    assert totals.votes == {"Yes": 2, "No": 1} and totals.spoilt == 0
    assert sorted(choice for _receipt, choice in services.stored_papers(ballot)) == ["No", "Yes", "Yes"]


def test_a_new_receipt_is_never_one_the_ballot_already_has(make_ballot, scrutineer, monkeypatch):
    """Receipts are drawn at random; a draw that repeats a stored receipt, or another new one, is drawn again
    (services._new_receipts), and the papers are still written in option and receipt order."""
    ballot = _run(make_ballot, scrutineer, ["Yes"])
    (stored,) = [receipt for receipt, _choice in services.stored_papers(ballot)]
    draws = iter([stored, "AAAA-AAAA-AAAA", "AAAA-AAAA-AAAA", "BBBB-BBBB-BBBB", "CCCC-CCCC-CCCC"])
    monkeypatch.setattr(services, "_receipt", lambda: next(draws))
    options = {o.label: o.pk for o in ballot.options.all()}
    with transaction.atomic():
        added = services._put_in_box(ballot, {options["No"]: 2, None: 1})
    assert sorted(added) == ["AAAA-AAAA-AAAA", "BBBB-BBBB-BBBB", "CCCC-CCCC-CCCC"] and stored not in added
    papers = _rows(
        "SELECT {physical}, coalesce(o.position, 99), p.receipt FROM ballots_ballotpaper p "
        "LEFT JOIN ballots_ballotoption o ON o.id = p.option_id WHERE p.ballot_id = %s",
        "p",
        ballot.pk,
    )
    assert [row[2:] for row in papers] == sorted(row[2:] for row in papers)  # physical order: option, then receipt
    assert len({row[1] for row in papers}) == 1  # and all written by one transaction
    assert BallotBox.objects.get(ballot=ballot, option=None).votes == 1
