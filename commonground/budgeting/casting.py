"""Who may vote in a PB process and how: codes, rolls, casting and changing ballots, paper double entry."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q

from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability
from commonground.audit.service import record
from commonground.budgeting.basics import Phase, ProcessError, account_of, ballot_projects, ballot_rules, scope_of
from commonground.budgeting.models import (
    AGE_BANDS,
    SEXES,
    BallotPaper,
    PaperEntry,
    Process,
    Proposal,
    RollEntry,
    VoterMark,
    VotingCode,
)
from commonground.engine import postcodes
from commonground.engine.pb import ballot
from commonground.places import services as places
from commonground.voting import codes, double_entry, limits, marks

CODE_LENGTH = 12  # 30**12 > 2**58: guessing one of 1,000 codes takes ~10**14 tries
CODE, RECEIPT = "budgeting.code", "budgeting.receipt"  # what each keyed hash is for (voting.codes)
# Wrong codes or receipt codes allowed from one address, against guessing; counted in the database,
# so every web worker sees the same count.
CODE_GUESSES = limits.Limit("budgeting.code-guess", allowed=10, window=15 * 60)


class TooManyGuesses(ProcessError):
    """Too many wrong codes or receipt codes from one address; the message says when to try again."""


# Who may vote -----------------------------------------------------------------------------------


def check_electorate(area, electorate: str) -> None:
    """A postcode check needs an area and the postcode lookup for it; otherwise the officer must
    choose another electorate (an officer-approved roll)."""
    if electorate != Process.Electorate.POSTCODE:
        return
    if area is None:
        raise ProcessError("Enter the code of the area whose residents vote, to check their postcodes", "area_code")
    if not places.has_postcodes(area):
        raise ProcessError(
            f"No postcodes are loaded for {area.name}, so voters' postcodes cannot be checked. Load the postcode "
            "lookup (commonground data load-postcodes) or choose a roll of voters approved by an officer",
            "electorate",
        )


def check_postcode(process: Process, text: str | None) -> str:
    """The voter's postcode in its published form, if it lies in the process's area.

    The postcode is checked and not kept: the "has voted" mark is enough to stop a second vote."""
    area = process.area
    if not (text or "").strip():
        raise ProcessError(f"Enter a postcode in {area.name}", "postcode")
    postcode = postcodes.normalise(text)
    if postcode is None:
        raise ProcessError(f"Enter a real postcode in {area.name}", "postcode")
    lsoas = places.postcode_lsoa_ids(postcode)
    if not lsoas:
        raise ProcessError(
            "We do not recognise that postcode. Check it, or ask the council to add you to the roll", "postcode"
        )
    if not lsoas & places.lsoa_ids_within(area):
        raise ProcessError(f"Enter a postcode in {area.name}: {postcode} is outside it", "postcode")
    return postcode


def may_vote_with_account(process: Process, user) -> tuple[bool, str]:
    """Whether a signed-in person is on this process's electorate, and if not, why."""
    if not process.accepts_accounts:
        return False, "This vote uses voting codes. Enter the code from your letter or the event."
    if not getattr(user, "is_authenticated", False):
        return False, "Sign in to vote, or use a voting code." if process.accepts_codes else "Sign in to vote."
    if process.electorate == Process.Electorate.ROLL:
        if process.roll.filter(email__iexact=user.email).exists():
            return True, ""
        return False, "You are not on the roll of voters for this process. Ask the council to add you."
    if process.electorate == Process.Electorate.POSTCODE:
        return True, ""  # any account; the postcode on the ballot is checked against the area
    if user_can(user, Capability.VOTE, scope_of(process)):
        return True, ""
    return False, "Only verified residents can vote online. Ask the council to verify where you live."


def issue_codes(process: Process, actor, number: int, batch: str) -> list[str]:
    """Make `number` one-time codes; they are returned once, for printing, and stored only hashed."""
    if not process.accepts_codes:
        raise ProcessError("This process does not use voting codes")
    if not 1 <= number <= 5000:
        raise ProcessError("Make between 1 and 5,000 codes at a time", field="number")
    issued = [codes.new(CODE_LENGTH) for _ in range(number)]
    with transaction.atomic():
        VotingCode.objects.bulk_create(
            VotingCode(process=process, code_hash=codes.digest(c, CODE), batch=batch) for c in issued
        )
        record(actor, "pb.codes", process, after={"issued": number, "batch": batch})
    return [codes.display(c) for c in issued]


def add_to_roll(process: Process, actor, emails: list[str]) -> int:
    with transaction.atomic():
        added = 0
        for email in emails:
            _, created = RollEntry.objects.get_or_create(
                process=process, email=email.lower(), defaults={"added_by": account_of(actor)}
            )
            added += created
        record(actor, "pb.roll", process, after={"added": added})
    return added


# Casting ballots --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    receipt: str | None  # shown once in secret processes, to change the ballot later
    changed: bool


def equality_bands(process: Process) -> list[tuple[str, str]]:
    """The age bands a voter in this process can be in (no under-16 band when the vote is 16+)."""
    return [(k, label) for k, label in AGE_BANDS if k != "0_15" or process.min_age < 16]


def _check_equality(process: Process, answers: dict[str, str] | None) -> dict[str, str]:
    answers = {k: v for k, v in (answers or {}).items() if v}
    allowed = {"age_band": dict(equality_bands(process)), "sex": dict(SEXES)}
    for key, value in answers.items():
        if key not in allowed or value not in allowed[key]:
            raise ProcessError("Choose one of the answers offered, or leave the question blank", key)
    return answers


def cast(process: Process, choices: dict[str, int], *, user=None, code: str | None = None,
         postcode: str | None = None, equality: dict[str, str] | None = None,
         projects: list[Proposal] | None = None) -> Cast:  # fmt: skip
    """Record one ballot for an account holder or a code holder; one per voter, enforced by the
    database (a unique "has voted" mark), so concurrent submissions cannot both count.

    `equality` holds the optional monitoring answers (age_band, sex); they go on the mark, never on
    the paper. `projects` is the ballot the caller already read (ballot_projects), to read it once."""
    if code is not None and not process.accepts_codes:
        raise ProcessError("This process does not use voting codes", field="code")
    errors = ballot.check(ballot_rules(process, projects), choices)
    if errors:
        raise ProcessError(errors[0], field="choices")
    answers = _check_equality(process, equality)
    signed_in = getattr(user, "is_authenticated", False)
    # A code voter who is not signed in: one statement finds the code, its mark and the phase. If it waited
    # for the code's lock, it may not see the mark the other vote with that code just made (PostgreSQL
    # re-reads only the locked rows), so a refused mark is tried once more, as the code's second vote.
    for last_try in (code is None or signed_in, True):
        try:
            with transaction.atomic():
                return _cast_in_transaction(process, choices, user, code, postcode, answers, signed_in)
        except marks.AlreadyVoted:
            if last_try:
                raise ProcessError("This vote has already been cast.") from None
    raise AssertionError("unreachable")  # the second try returns or raises


def _cast_in_transaction(process: Process, choices: dict[str, int], user, code: str | None, postcode: str | None,
                         answers: dict[str, str], signed_in: bool) -> Cast:  # fmt: skip
    if code is not None and not signed_in:
        voting_code, mark = _open_code_and_mark(process, code)
    else:
        _require_open(process)
        voting_code = _voting_code(process, code) if code is not None else None
        if voting_code is None:
            allowed, why = may_vote_with_account(process, user)
            if not allowed:
                raise ProcessError(why)
            if process.electorate == Process.Electorate.POSTCODE:
                check_postcode(process, postcode)
        # A code used while signed in also marks the account, so one person cannot vote both ways.
        voter = Q(code=voting_code) if voting_code else Q(user=user)
        if voting_code and signed_in:
            voter |= Q(user=user)
        mark = VoterMark.objects.filter(voter, process=process).first()
    if mark is not None and voting_code is not None and mark.code_id != voting_code.pk:
        raise ProcessError("You have already voted in this process. A voting code cannot give a second vote.")
    if mark is not None:
        if process.secret or mark.paper_id is None:
            raise ProcessError(
                "This vote has already been cast. To change it, use the receipt code you were given."
                if process.secret
                else "This vote has already been cast."
            )
        BallotPaper.objects.filter(pk=mark.paper_id).update(choices=choices)
        if answers:
            VoterMark.objects.filter(pk=mark.pk).update(**answers)
        return Cast(receipt=None, changed=True)
    receipt = codes.new(CODE_LENGTH) if process.secret else None
    paper = uuid.uuid4()
    paper_row = {"id": paper, "process_id": process.pk, "choices": choices,
                 "receipt_hash": codes.digest(receipt, RECEIPT) if receipt else ""}  # fmt: skip
    mark_row = {"process_id": process.pk, "user_id": user.pk if signed_in else None,
                "code_id": voting_code.pk if voting_code else None, "paper_id": None if process.secret else paper,
                "age_band": answers.get("age_band", ""), "sex": answers.get("sex", "")}  # fmt: skip
    marks.record_rows((BallotPaper, paper_row), (VoterMark, mark_row))  # one round trip on PostgreSQL
    return Cast(receipt=codes.display(receipt) if receipt else None, changed=False)


@contextmanager
def code_guesses(address: str | None) -> Iterator[None]:
    """Count a vote or change by code or receipt from `address` against CODE_GUESSES (None: not
    counted, e.g. at the kiosk an officer started). The try is counted before it is made, so
    concurrent guesses cannot all slip under the limit, and given back unless the code was wrong."""
    if address is None:
        yield
        return
    try:
        (tried,) = limits.take((CODE_GUESSES, address))
    except limits.Refused as refused:
        raise TooManyGuesses(f"Too many wrong codes from this connection. {refused.try_again()}") from None
    wrong = False
    try:
        yield
    except ProcessError as exc:
        wrong = exc.field in ("code", "receipt")
        raise
    finally:
        if not wrong:
            limits.refund(tried)


def _require_open(process: Process, *, paper: bool = False) -> None:
    """Check voting is open and hold a share lock on the process until the ballot commits, so
    closing the vote (which locks the row for update) waits for ballots in flight and counts them.
    After the closing date only officers' paper entries are taken (papers that arrived in time)."""
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Process._meta.db_table)
        lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
        cursor.execute(f"SELECT phase FROM {table} WHERE id = %s{lock}", [process.pk])  # noqa: S608  (names from the model)
        row = cursor.fetchone()
    _check_open(process, row[0] if row else None, paper=paper)


def _check_open(process: Process, phase: str | None, *, paper: bool = False) -> None:
    if phase != Phase.VOTING:
        raise ProcessError("Voting is not open")
    if not paper and process.past_closing_date():
        raise ProcessError(f"Voting closed on {process.voting_closes:%-d %B %Y}")


def _open_code_and_mark(process: Process, code: str) -> tuple[VotingCode, VoterMark | None]:
    """_require_open, _voting_code and the code's "has voted" mark in one statement (one round trip
    instead of three on a vote's busiest path), with the same locks and the same errors in the same order."""
    name = connection.ops.quote_name
    forms = codes.stored_forms(code, CODE)
    lock = " FOR UPDATE OF c FOR SHARE OF p" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.phase, c.id, c.cancelled, m.id, m.paper_id FROM {name(VotingCode._meta.db_table)} c "  # noqa: S608  (names from the models)
            f"JOIN {name(Process._meta.db_table)} p ON p.id = c.process_id "
            f"LEFT JOIN {name(VoterMark._meta.db_table)} m ON m.code_id = c.id AND m.process_id = c.process_id "
            f"WHERE c.process_id = %s AND c.code_hash IN ({', '.join(['%s'] * len(forms))}) "
            f"ORDER BY c.id LIMIT 1{lock}",
            [process.pk, *forms],
        )
        row = cursor.fetchone()
    if row is None:
        _require_open(process)  # not open comes first, as on the other path
        raise ProcessError("That voting code is not right. Check it and try again.", field="code")
    phase, code_id, cancelled, mark_id, paper_id = row
    _check_open(process, phase)
    if cancelled:
        raise ProcessError("That voting code is not right. Check it and try again.", field="code")
    voting_code = VotingCode(pk=code_id, process=process, cancelled=False)
    mark = VoterMark(pk=mark_id, process=process, code_id=code_id, paper_id=paper_id) if mark_id else None
    return voting_code, mark


def _voting_code(process: Process, code: str) -> VotingCode:
    found = (
        VotingCode.objects.select_for_update()
        .filter(process=process, code_hash__in=codes.stored_forms(code, CODE))
        .first()
    )
    if found is None or found.cancelled:
        raise ProcessError("That voting code is not right. Check it and try again.", field="code")
    return found


def change_with_receipt(process: Process, receipt: str, choices: dict[str, int],
                        projects: list[Proposal] | None = None) -> None:  # fmt: skip
    """Secret processes: replace the ballot whose receipt this is, until voting closes."""
    errors = ballot.check(ballot_rules(process, projects), choices)
    if errors:
        raise ProcessError(errors[0], field="choices")
    with transaction.atomic():
        _require_open(process)
        changed = BallotPaper.objects.filter(
            process=process, receipt_hash__in=codes.stored_forms(receipt, RECEIPT)
        ).update(choices=choices)
        if not changed:
            raise ProcessError("That receipt code is not right. Check it and try again.", field="receipt")


def turnout(process: Process) -> int:
    return process.papers.count()


# Paper ballots: double entry --------------------------------------------------------------------


def enter_paper(process: Process, actor, paper_number: str, choices: dict[str, int], code: str = "") -> str:
    """Store one officer's reading of a paper; returns "waiting", "counted" or "mismatch"."""
    paper_number = paper_number.strip()
    if not paper_number:
        raise ProcessError("Enter the number printed on the paper", field="paper_number")
    errors = ballot.check(ballot_rules(process), choices)
    if errors:
        raise ProcessError(f"Paper {paper_number}: {errors[0]}", field="choices")
    if code.strip() and not process.accepts_codes:
        raise ProcessError("This process does not use voting codes", field="code")
    code_hash = _code_hash(process, code) if code.strip() else ""
    with transaction.atomic():
        _require_open(process, paper=True)
        entries = list(PaperEntry.objects.select_for_update().filter(process=process, paper_number=paper_number))
        if any(e.entry == 3 for e in entries) or (len(entries) == 2 and _same(entries[0], entries[1])):
            raise ProcessError(f"Paper {paper_number} has already been counted", field="paper_number")
        if len(entries) == 1 and entries[0].entered_by_id == actor.pk:
            raise ProcessError("The second entry must be made by a different officer", field="paper_number")
        number = 3 if len(entries) == 2 else len(entries) + 1
        if number == 3 and actor.pk in {e.entered_by_id for e in entries}:
            raise ProcessError("A mismatch is settled by an officer who made neither entry", field="paper_number")
        entry = PaperEntry.objects.create(
            process=process,
            paper_number=paper_number,
            entry=number,
            choices=choices,
            code_hash=code_hash,
            entered_by=actor,
        )
        record(actor, "pb.paper_entry", process, after={"paper": paper_number, "entry": number})
        if number == 1:
            return "waiting"
        if number == 2 and not _same(entries[0], entry):
            return "mismatch"
        _count_paper(process, entry)
        return "counted"


def _code_hash(process: Process, code: str) -> str:
    """The hash a paper's code is kept under: the matching code's own (whichever form it was issued
    in), so both entries of the paper and the count find the same code."""
    forms = codes.stored_forms(code, CODE)
    found = VotingCode.objects.filter(process=process, code_hash__in=forms).values_list("code_hash", flat=True)
    return found.first() or forms[0]


def _same(a: PaperEntry, b: PaperEntry) -> bool:
    return a.code_hash == b.code_hash and not double_entry.differences(a.choices, b.choices)


def _count_paper(process: Process, entry: PaperEntry) -> None:
    number = entry.paper_number
    voting_code = None
    if entry.code_hash:
        voting_code = VotingCode.objects.select_for_update().filter(process=process, code_hash=entry.code_hash).first()
        if voting_code is None or voting_code.cancelled:
            raise ProcessError(f"Paper {number}: the code on it is not a valid code", field="code")
    paper = BallotPaper.objects.create(process=process, choices=entry.choices)
    if voting_code is not None:
        try:
            marks.record(VoterMark, process=process, code=voting_code, paper=None if process.secret else paper)
        except marks.AlreadyVoted:
            raise ProcessError(f"Paper {number}: that code has already voted", field="code") from None


def mismatches(process: Process) -> list[dict]:
    """The mismatch report: papers whose two entries disagree and have no adjudication yet, with
    what each entry said for every project they disagree on."""
    titles = {p.project_id: p.title for p in ballot_projects(process)}
    by_paper: dict[str, dict[int, PaperEntry]] = {}
    for entry in process.paper_entries.select_related("entered_by"):
        by_paper.setdefault(entry.paper_number, {})[entry.entry] = entry
    return [
        {
            "paper": number,
            "first": e[1],
            "second": e[2],
            "differences": double_entry.differences(e[1].choices, e[2].choices, titles),
            "codes_differ": e[1].code_hash != e[2].code_hash,
        }
        for number, e in sorted(by_paper.items())
        if 1 in e and 2 in e and 3 not in e and not _same(e[1], e[2])
    ]
