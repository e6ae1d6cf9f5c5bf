"""Ballot operations: setup, the roll, codes, casting votes, paper batches, the count.

Every change runs in a transaction and writes the audit log; no audit record, log line or
message ever holds a voting code or what anyone voted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from commonground.audit.service import record
from commonground.ballots.models import (
    Ballot,
    BallotBox,
    BallotOption,
    BallotPaper,
    CampaignDeclaration,
    Challenge,
    Channel,
    Elector,
    OfferVersion,
    PaperBatch,
    Result,
    RollEvent,
    VoterMark,
    VotingCode,
)
from commonground.core.imports import too_long
from commonground.engine import ballot_count, csvrows
from commonground.voting import codes, double_entry, limits, marks

CODE = "ballots.code"  # what the codes' keyed hashes are for (voting.codes)
CODE_LENGTH = 20  # 20 symbols from 30 is 98 bits, above the 80 the issue asks for
RECEIPT_LENGTH = 12  # 59 bits: a receipt cannot be guessed from the others published with it
SPOILT = "spoilt"
# Attempts, wrong or right, allowed in a quarter hour: per browser session, and per address (higher,
# as a polling station or a block of flats may share one). Counted in the database, so every web
# worker sees the same count.
VOTE_ATTEMPTS = {
    "session": limits.Limit("ballots.vote-session", allowed=10, window=15 * 60),
    "address": limits.Limit("ballots.vote-address", allowed=100, window=15 * 60),
}


class BallotError(ValueError):
    """A ballot operation that cannot go ahead; the message says why."""


def require_scrutineer(user, ballot: Ballot) -> None:
    """Only the independent body appointed to this ballot may act on its roll, papers and count."""
    if not getattr(user, "is_authenticated", False) or ballot.scrutineer_id != user.pk:
        raise PermissionDenied("Only the independent body appointed to this ballot can do this.")


# ---------------------------------------------------------------- setup


def create_ballot(
    actor, *, title, estate, area, question, options, opens_at, closes_at, scrutineer, offer_title, offer_body,
    offer_url="", offer_published_on=None,
) -> Ballot:  # fmt: skip
    from commonground.accounts.roles import Role

    if not scrutineer.has_role(Role.SCRUTINEER):
        raise BallotError(f"{scrutineer} is not an independent body: grant them that role first")
    if scrutineer.pk == getattr(actor, "pk", None):
        raise BallotError("the independent body must be someone other than the officer setting up the ballot")
    labels = [o.strip() for o in options if o.strip()]
    if len(labels) < 2 or len(set(labels)) != len(labels):
        raise BallotError("give at least two different options")
    if closes_at <= opens_at:
        raise BallotError("voting must close after it opens")
    with transaction.atomic():
        ballot = Ballot.objects.create(
            title=title, estate=estate, area=area, question=question, opens_at=opens_at, closes_at=closes_at,
            scrutineer=scrutineer, created_by=actor,
        )  # fmt: skip
        for position, label in enumerate(labels, start=1):
            option = BallotOption.objects.create(ballot=ballot, label=label, position=position)
            BallotBox.objects.create(ballot=ballot, option=option)
        BallotBox.objects.create(ballot=ballot, option=None)
        record(
            actor,
            "ballots.create",
            ballot,
            after={
                "question": question, "options": labels, "opens_at": opens_at, "closes_at": closes_at,
                "scrutineer": scrutineer.pk,
            },
        )  # fmt: skip
        _add_offer(actor, ballot, offer_title, offer_body, offer_url, offer_published_on or timezone.localdate())
    return ballot


def _add_offer(actor, ballot, title, body, url, published_on) -> OfferVersion:
    number = (ballot.offer_versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = OfferVersion.objects.create(
        ballot=ballot, number=number, title=title, body=body, document_url=url, published_on=published_on,
        recorded_by=actor,
    )  # fmt: skip
    record(actor, "ballots.offer_version", version, after={"number": number, "published_on": published_on})
    return version


def add_offer_version(actor, ballot: Ballot, title: str, body: str, url: str, published_on: dt.date) -> OfferVersion:
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if ballot.phase() != Ballot.Phase.SETUP:
            raise BallotError("voting has opened: the Offer residents are voting on can no longer change")
        latest = ballot.offer_in_force
        if latest and published_on < latest.published_on:
            raise BallotError(f"a new version cannot be dated before version {latest.number} ({latest.published_on})")
        return _add_offer(actor, ballot, title, body, url, published_on)


# ---------------------------------------------------------------- the roll


def _age_day(ballot: Ballot) -> dt.date:
    """Age is judged on the first day of voting."""
    return timezone.localtime(ballot.opens_at).date()


def eligibility_problems(ballot: Ballot, category, qualifying_date, date_of_birth) -> list[str]:
    published = ballot.offer_published_on
    if published is None:
        return ["the ballot has no Landlord Offer yet"]
    return ballot_count.ineligibility_reasons(category, qualifying_date, date_of_birth, published, _age_day(ballot))


def _roll_open(ballot: Ballot) -> None:
    if ballot.phase() in (Ballot.Phase.CLOSED, Ballot.Phase.COUNTED):
        raise BallotError("voting has closed: the roll can no longer change")


def add_elector(actor, ballot: Ballot, *, full_name, address, date_of_birth, category, qualifying_date, evidence):
    require_scrutineer(actor, ballot)
    _roll_open(ballot)
    problems = eligibility_problems(ballot, category, qualifying_date, date_of_birth)
    if not evidence.strip():
        problems.append("say what evidence the entry rests on")
    if problems:
        raise BallotError("; ".join(problems))
    with transaction.atomic():
        Ballot.objects.select_for_update().filter(pk=ballot.pk).first()
        number = (ballot.electors.order_by("-roll_number").values_list("roll_number", flat=True).first() or 0) + 1
        elector = Elector.objects.create(
            ballot=ballot, roll_number=number, full_name=full_name, address=address, date_of_birth=date_of_birth,
            category=category, qualifying_date=qualifying_date, evidence=evidence,
        )  # fmt: skip
        RollEvent.objects.create(elector=elector, kind=RollEvent.Kind.ADDED, after=elector.snapshot(), by=actor)
        record(actor, "ballots.roll_add", elector, after=elector.audit_facts())
    return elector


ROLL_COLUMNS = ["full_name", "address", "date_of_birth", "category", "qualifying_date", "evidence"]


def _parse_date(text: str, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise BallotError(f"{column} {text!r} is not a date like 2024-05-31") from None


def import_roll(actor, ballot: Ballot, text: str) -> int:
    """Add every row of a CSV roll, or none: any bad row stops the import with its line number."""
    require_scrutineer(actor, ballot)
    try:
        header, lines = csvrows.read(io.StringIO(text, newline=""))
    except csvrows.CsvError as exc:
        raise BallotError(f"nothing was imported: {exc}") from None
    missing = [c for c in ROLL_COLUMNS if c not in header]
    if missing:
        raise BallotError(f"the file has no {', '.join(missing)} column (needs: {', '.join(ROLL_COLUMNS)})")
    errors: list[str] = []
    rows = []
    for line, row in lines:
        try:
            values = {c: row[c] for c in ROLL_COLUMNS}
            for column in ("full_name", "address", "evidence"):
                if not values[column]:
                    raise BallotError(f"{column} is empty")
            long = too_long(Elector, {c: values[c] for c in ("full_name", "address", "category")})
            if long:
                raise BallotError(long[0])
            values["date_of_birth"] = _parse_date(values["date_of_birth"], "date_of_birth")
            values["qualifying_date"] = _parse_date(values["qualifying_date"], "qualifying_date")
            problems = eligibility_problems(
                ballot, values["category"], values["qualifying_date"], values["date_of_birth"]
            )
            if problems:
                raise BallotError("not eligible: " + "; ".join(problems))
            rows.append(values)
        except BallotError as exc:
            errors.append(f"line {line}: {exc}")
    if errors:
        shown = errors[:20] + ([f"and {len(errors) - 20} more"] if len(errors) > 20 else [])
        raise BallotError("nothing was imported. " + " | ".join(shown))
    if not rows:
        raise BallotError("the file has no rows")
    with transaction.atomic():
        for values in rows:
            add_elector(actor, ballot, **values)
    return len(rows)


def correct_elector(actor, elector: Elector, reason: str, **changes) -> Elector:
    ballot = elector.ballot
    require_scrutineer(actor, ballot)
    _roll_open(ballot)
    if not reason.strip():
        raise BallotError("say why the entry is being corrected")
    merged = {**{f: getattr(elector, f) for f in ROLL_COLUMNS}, **changes}
    problems = eligibility_problems(ballot, merged["category"], merged["qualifying_date"], merged["date_of_birth"])
    if problems:
        raise BallotError("the corrected entry would not be eligible: " + "; ".join(problems))
    with transaction.atomic():
        before = elector.snapshot()
        for field, value in changes.items():
            setattr(elector, field, value)
        elector.save()
        RollEvent.objects.create(
            elector=elector,
            kind=RollEvent.Kind.CORRECTED,
            detail=reason,
            before=before,
            after=elector.snapshot(),
            by=actor,
        )
        facts = {**elector.audit_facts(), "fields_corrected": sorted(changes)}
        record(actor, "ballots.roll_correct", elector, after=facts)
    return elector


def challenge(actor, elector: Elector, raised_by: str, grounds: str) -> Challenge:
    require_scrutineer(actor, elector.ballot)
    _roll_open(elector.ballot)
    with transaction.atomic():
        item = Challenge.objects.create(elector=elector, raised_by=raised_by, grounds=grounds)
        RollEvent.objects.create(
            elector=elector, kind=RollEvent.Kind.CHALLENGED, detail=f"{raised_by}: {grounds}", by=actor
        )
        record(actor, "ballots.roll_challenge", elector, after={"challenge": item.pk})
    return item


def decide_challenge(actor, item: Challenge, uphold: bool, reason: str) -> None:
    elector = item.elector
    require_scrutineer(actor, elector.ballot)
    _roll_open(elector.ballot)
    if item.status != Challenge.Status.OPEN:
        raise BallotError("this challenge has already been decided")
    if not reason.strip():
        raise BallotError("give the reason for the decision")
    with transaction.atomic():
        before = elector.snapshot()
        if uphold:
            if VoterMark.objects.filter(elector=elector).exists():
                raise BallotError("this elector has already voted; their ballot paper cannot be found or removed")
            elector.on_roll = False
            elector.save(update_fields=["on_roll"])
            elector.codes.filter(active=True).update(active=False)
        item.status = Challenge.Status.UPHELD if uphold else Challenge.Status.REJECTED
        item.save(update_fields=["status"])
        kind = RollEvent.Kind.CHALLENGE_UPHELD if uphold else RollEvent.Kind.CHALLENGE_REJECTED
        RollEvent.objects.create(
            elector=elector, kind=kind, detail=reason, before=before, after=elector.snapshot(), by=actor
        )
        record(actor, f"ballots.{kind}", elector, after={"challenge": item.pk, "on_roll": elector.on_roll})


# ---------------------------------------------------------------- codes


@dataclass(frozen=True)
class IssuedCode:
    elector: Elector
    code: str


def issue_codes(actor, ballot: Ballot) -> list[IssuedCode]:
    """A code for every elector on the roll who has none; shown once to print and post."""
    require_scrutineer(actor, ballot)
    _roll_open(ballot)
    issued = []
    with transaction.atomic():
        waiting = ballot.electors.filter(on_roll=True, mark__isnull=True).exclude(codes__active=True)
        for elector in waiting.order_by("roll_number"):
            code = codes.new(CODE_LENGTH)
            VotingCode.objects.create(elector=elector, code_hash=codes.digest(code, CODE))
            issued.append(IssuedCode(elector, codes.display(code)))
        record(actor, "ballots.codes_issue", ballot, after={"issued": len(issued)})
    return issued


def replace_code(actor, elector: Elector) -> IssuedCode:
    """A new code for a lost or compromised one; every earlier code of the elector stops working."""
    require_scrutineer(actor, elector.ballot)
    _roll_open(elector.ballot)
    if not elector.on_roll:
        raise BallotError(f"{elector} is not on the roll")
    if VoterMark.objects.filter(elector=elector).exists():
        raise BallotError(f"{elector} has already voted")
    with transaction.atomic():
        cancelled = elector.codes.filter(active=True).update(active=False)
        code = codes.new(CODE_LENGTH)
        VotingCode.objects.create(elector=elector, code_hash=codes.digest(code, CODE))
        record(actor, "ballots.code_replace", elector, after={"cancelled": cancelled})
    return IssuedCode(elector, codes.display(code))


# ---------------------------------------------------------------- voting


class AlreadyVoted(BallotError):
    pass


class TooManyAttempts(BallotError):
    """Too many tries to vote from one session or address; the message says when to try again."""


def count_vote_attempt(session: str, address: str) -> None:
    """Count a try to vote, wrong code or right, against VOTE_ATTEMPTS; codes have ~98 bits, so
    this stops floods rather than guessing."""
    try:
        limits.take((VOTE_ATTEMPTS["session"], session), (VOTE_ATTEMPTS["address"], address))
    except limits.Refused as refused:
        raise TooManyAttempts(f"Too many attempts to vote. {refused.try_again()}") from None


def _lock(ballot: Ballot) -> None:
    """Votes on one ballot take turns: every vote rewrites all its counters and papers, so they
    would deadlock."""
    list(Ballot.objects.select_for_update(no_key=True).filter(pk=ballot.pk).values_list("pk", flat=True))


def _put_in_box(ballot: Ballot, additions: dict[int | None, int]) -> list[str]:
    """Add papers (option id, or None for spoilt: how many) with fresh receipts; returns the receipts.

    One UPDATE rewrites every counter row of the ballot, and every paper of the ballot is deleted
    and written again, grouped by option and sorted by receipt, in one transaction: all carry the
    same row version (PostgreSQL xmin) and their physical order (rowid, ctid) shows the totals and
    nothing else, whoever voted and whenever."""
    cases = [When(option_id=option_id, then=Value(n)) for option_id, n in additions.items() if option_id is not None]
    spoilt = additions.get(None, 0)
    increment = Case(*cases, When(option__isnull=True, then=Value(spoilt)), default=Value(0))
    BallotBox.objects.filter(ballot=ballot).update(votes=F("votes") + increment)
    added = [(uuid.uuid4(), option_id, receipt) for option_id, receipt in _new_receipts(ballot, additions)]
    if connection.vendor == "postgresql":
        _rewrite_papers_in_place(ballot, added)
        return [receipt for _, _, receipt in added]
    papers = [*BallotPaper.objects.filter(ballot=ballot).values_list("id", "option_id", "receipt"), *added]
    position = dict(ballot.options.values_list("pk", "position"))
    papers.sort(key=lambda paper: (position.get(paper[1], len(position) + 1), paper[2]))
    BallotPaper.objects.filter(ballot=ballot).delete()
    BallotPaper.objects.bulk_create(BallotPaper(id=i, ballot=ballot, option_id=o, receipt=r) for i, o, r in papers)
    return [receipt for _, _, receipt in added]


def _receipt() -> str:
    return codes.display(codes.new(RECEIPT_LENGTH))


def _new_receipts(ballot: Ballot, additions: dict[int | None, int]) -> list[tuple[int | None, str]]:
    """A fresh receipt for each added paper, none the same as another paper's of this ballot."""
    new = [(option_id, _receipt()) for option_id, n in additions.items() for _ in range(n)]
    while True:
        receipts = [receipt for _, receipt in new]
        taken = set(BallotPaper.objects.filter(ballot=ballot, receipt__in=receipts).values_list("receipt", flat=True))
        if not taken and len(set(receipts)) == len(receipts):
            return new
        seen: set[str] = set()
        for i, (option_id, receipt) in enumerate(new):
            if receipt in taken or receipt in seen:
                new[i] = (option_id, _receipt())
            seen.add(new[i][1])


def _rewrite_papers_in_place(ballot: Ballot, added: list[tuple[uuid.UUID, int | None, str]]) -> None:
    """_put_in_box's rewrite on PostgreSQL: one statement deletes the ballot's papers and writes them again
    with the added ones, in the same order (option position, spoilt last, then receipt), without the papers
    leaving the database. (Writing them back from Python was two thirds of a vote's time at 1,500 papers.)"""
    name = connection.ops.quote_name
    papers, options = name(BallotPaper._meta.db_table), name(BallotOption._meta.db_table)
    values = ", ".join(["(%s::uuid, %s::bigint, %s::varchar)"] * len(added))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH old AS (DELETE FROM {papers} WHERE ballot_id = %s RETURNING id, option_id, receipt), "  # noqa: S608  (names from the models)
            f"added (id, option_id, receipt) AS (VALUES {values}), "
            f"every AS (SELECT id, option_id, receipt FROM old UNION ALL SELECT id, option_id, receipt FROM added) "
            f"INSERT INTO {papers} (id, ballot_id, option_id, receipt) SELECT e.id, %s, e.option_id, e.receipt "
            f"FROM every e LEFT JOIN {options} o ON o.id = e.option_id "
            f'ORDER BY o.position IS NULL, o.position, e.receipt COLLATE "C"',
            [ballot.pk, *(value for paper in added for value in paper), ballot.pk],
        )


def cast_online(code: str, ballot: Ballot, option_id: int) -> str:
    """Mark the code's elector as having voted and put their paper in the box, both or neither;
    returns the paper's receipt, to show the voter once (it is stored on the paper only)."""
    if ballot.phase() != Ballot.Phase.OPEN:
        raise BallotError("voting is not open")
    if not ballot.options.filter(pk=option_id).exists():
        raise BallotError("choose one of the options")
    digest = codes.digest(code, CODE)
    try:
        with transaction.atomic():
            _lock(ballot)
            found = (
                VotingCode.objects.select_related("elector")
                .filter(code_hash=digest, active=True, elector__ballot=ballot, elector__on_roll=True)
                .first()
            )
            if found is None:
                raise BallotError("that code is not valid for this ballot: check it, or ask for a replacement")
            marks.record(VoterMark, elector=found.elector, channel=Channel.ONLINE)
            (receipt,) = _put_in_box(ballot, {option_id: 1})
            record("voter", "ballots.vote", ballot, after={"channel": Channel.ONLINE})
    except marks.AlreadyVoted:
        raise AlreadyVoted("a vote has already been recorded for this code") from None
    return receipt


def mark_voted(actor, elector: Elector, channel: str) -> VoterMark:
    """The independent body marks a postal or in-person voter; their paper goes in a batch."""
    ballot = elector.ballot
    require_scrutineer(actor, ballot)
    if channel not in (Channel.POSTAL, Channel.IN_PERSON):
        raise BallotError("mark postal or in-person voters only; online votes mark themselves")
    phase = ballot.phase()
    if phase == Ballot.Phase.SETUP or phase == Ballot.Phase.COUNTED:
        raise BallotError("voting is not open")
    if phase == Ballot.Phase.CLOSED and channel == Channel.IN_PERSON:
        raise BallotError("voting has closed")
    if not elector.on_roll:
        raise BallotError(f"{elector} is not on the roll")
    try:
        with transaction.atomic():
            mark = marks.record(VoterMark, elector=elector, channel=channel)
            elector.codes.filter(active=True).update(active=False)
            record(actor, "ballots.mark", ballot, after={"roll_number": elector.roll_number, "channel": channel})
    except marks.AlreadyVoted:
        raise AlreadyVoted(f"{elector} has already voted") from None
    return mark


def _entry_problems(ballot: Ballot, entry: dict[str, int]) -> None:
    keys = {str(o.pk) for o in ballot.options.all()} | {SPOILT}
    if set(entry) != keys or any(not isinstance(v, int) or v < 0 for v in entry.values()):
        raise BallotError("enter a number, 0 or more, for every option and for spoilt papers")
    if sum(entry.values()) == 0:
        raise BallotError("a batch needs at least one paper")


def enter_batch(actor, ballot: Ballot, channel: str, label: str, entry: dict[str, int]) -> PaperBatch:
    """First entry of a batch, or the second entry of the open batch with the same label."""
    require_scrutineer(actor, ballot)
    if ballot.phase() in (Ballot.Phase.SETUP, Ballot.Phase.COUNTED):
        raise BallotError("papers can be entered only once voting has opened and before the count")
    _entry_problems(ballot, entry)
    with transaction.atomic():
        _lock(ballot)
        batch = ballot.batches.filter(label=label, status=PaperBatch.Status.AWAITING_SECOND).first()
        if batch is None:
            batch = PaperBatch.objects.create(
                ballot=ballot, channel=channel, label=label, first_entry=entry, first_by=actor
            )
            record(actor, "ballots.batch_first_entry", batch, after={"channel": channel, "label": label})
            return batch
        if batch.channel != channel:
            raise BallotError(f"batch {label!r} was first entered as {batch.get_channel_display().lower()} papers")
        batch.second_entry, batch.second_by = entry, actor
        labels = {str(o.pk): o.label for o in ballot.options.all()} | {SPOILT: "Spoilt"}
        differences = double_entry.differences(batch.first_entry, entry, labels)
        if differences:
            batch.status, batch.mismatch = PaperBatch.Status.MISMATCH, differences
            batch.save()
            record(actor, "ballots.batch_mismatch", batch, after={"label": label, "fields_differing": len(differences)})
            return batch
        marked = VoterMark.objects.filter(elector__ballot=ballot, channel=channel).count()
        already = sum(b.papers for b in ballot.batches.filter(channel=channel, status=PaperBatch.Status.AGREED))
        if already + batch.papers > marked:
            raise BallotError(
                f"{already + batch.papers} {channel} papers would be counted but only {marked} {channel} voters are "
                "marked as having voted: mark the voters first"
            )
        batch.status = PaperBatch.Status.AGREED
        batch.save()
        _put_in_box(ballot, {(None if k == SPOILT else int(k)): n for k, n in entry.items()})
        record(actor, "ballots.batch_agreed", batch, after={"label": label, "papers": batch.papers})
    return batch


# ---------------------------------------------------------------- count


def current_totals(ballot: Ballot) -> ballot_count.Result:
    boxes = {b.option_id: b.votes for b in ballot.boxes.all()}
    options = list(ballot.options.order_by("position"))
    electorate = ballot.electors.filter(on_roll=True).count()
    return ballot_count.count(
        [o.label for o in options], {o.label: boxes.get(o.pk, 0) for o in options}, boxes.get(None, 0), electorate
    )


def stored_papers(ballot: Ballot) -> list[list]:
    """The ballot papers as published: [receipt, option or None for spoilt], sorted by receipt."""
    labels = dict(ballot.options.values_list("pk", "label"))
    rows = ballot.papers.values_list("receipt", "option_id")
    return sorted([receipt, labels.get(option_id)] for receipt, option_id in rows)


def papers_digest(papers: list[list]) -> str:
    return hashlib.sha256(json.dumps(papers, separators=(",", ":")).encode()).hexdigest()


def recount(ballot: Ballot) -> ballot_count.Result:
    """Re-add the stored ballot papers and check them against the ballot box counters, and once
    counted against the published papers and their SHA-256; BallotError says what disagrees."""
    options = [o.label for o in ballot.options.order_by("position")]
    papers = stored_papers(ballot)
    box = current_totals(ballot)
    try:
        readded = ballot_count.readd(options, [choice for _receipt, choice in papers], box.electorate)
    except ValueError as exc:
        raise BallotError(f"the stored ballot papers cannot be added up: {exc}") from None
    if readded.as_dict() != box.as_dict():
        raise BallotError("the stored ballot papers do not add up to the ballot box totals")
    result = getattr(ballot, "result", None)
    if result is not None and (papers != result.papers or papers_digest(result.papers) != result.papers_sha256):
        raise BallotError("the published ballot papers are not the stored ones")
    return readded


def open_count(actor, ballot: Ballot, now=None) -> Result:
    require_scrutineer(actor, ballot)
    phase = ballot.phase(now)
    if phase == Ballot.Phase.COUNTED:
        raise BallotError("this ballot has already been counted")
    if phase != Ballot.Phase.CLOSED:
        raise BallotError(
            f"the count opens after voting closes ({timezone.localtime(ballot.closes_at):%d %B %Y %H:%M})"
        )
    waiting = ballot.batches.exclude(status=PaperBatch.Status.AGREED).exclude(
        label__in=ballot.batches.filter(status=PaperBatch.Status.AGREED).values("label")
    )
    if waiting.exists():
        raise BallotError(f"{waiting.count()} paper batch(es) still need a matching second entry")
    with transaction.atomic():
        result = recount(ballot)
        papers = stored_papers(ballot)
        saved = Result.objects.create(
            ballot=ballot, totals=result.as_dict(), papers=papers, papers_sha256=papers_digest(papers), counted_by=actor
        )
        record(actor, "ballots.count", ballot, after=saved.totals)
    return saved


def campaign_declare(actor, ballot: Ballot, **fields) -> CampaignDeclaration:
    require_scrutineer(actor, ballot)
    with transaction.atomic():
        item = CampaignDeclaration.objects.create(ballot=ballot, declared_by=actor, **fields)
        record(
            actor,
            "ballots.campaign_declare",
            item,
            after={
                "side": item.side,
                "kind": item.kind,
                "amount_pence": item.amount_pence,
                "description": item.description,
            },
        )
    return item


def channel_turnout(ballot: Ballot) -> dict[str, int]:
    """Voters marked by each channel (keys are Channel values)."""
    counts = dict.fromkeys(Channel.values, 0)
    for channel in VoterMark.objects.filter(elector__ballot=ballot).values_list("channel", flat=True):
        counts[channel] += 1
    return counts
