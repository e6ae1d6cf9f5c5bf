"""The public's responses to a published assessment: signed, hidden with a reason, answered by the body."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from commonground.accounts.roles import Role
from commonground.accounts.scopes import Scope
from commonground.audit.service import record
from commonground.impact.errors import ImpactError
from commonground.impact.models import Assessment, Response


def board_choices(user, assessment: Assessment) -> list[tuple[str, str]]:
    """Neighbourhoods the decision touches whose board this person sits on (they may respond for it)."""
    version = assessment.published
    if version is None or not getattr(user, "is_authenticated", False):
        return []
    found = []
    for hood in (version.profile or {}).get("neighbourhoods", []):
        where = Scope.of([], [hood["slug"]])
        if any(g.role == Role.BOARD_MEMBER and g.covers(where) for g in user.grants):
            found.append((hood["slug"], hood["name"]))
    return found


@transaction.atomic
def respond(actor, assessment: Assessment, text: str, board: str = "") -> Response:
    """A public response on the record, signed by the account (for a board the person sits on)."""
    version = assessment.published
    if version is None:
        raise ImpactError("responses open when the assessment is published")
    text = text.strip()
    if not text:
        raise ImpactError("write your response")
    if len(text) > 10_000:
        raise ImpactError("keep your response under 10,000 characters")
    boards = dict(board_choices(actor, assessment))
    if board and board not in boards:
        raise ImpactError("you can respond only for the board of a neighbourhood you sit on")
    response = Response.objects.create(assessment=assessment, version=version, author=actor,
                                       signed_as=(actor.full_name or f"Account {actor.pk}")[:200], board=board,
                                       board_name=boards.get(board, ""), text=text)  # fmt: skip
    record(actor, "impact.respond", response, after={"assessment": assessment.reference, "version": version.number,
                                                     "board": board, "length": len(text)})  # fmt: skip
    return response


@transaction.atomic
def hide_response(actor, response: Response, reason: str) -> Response:
    reason = reason.strip()
    if not reason:
        raise ImpactError("say why the response is hidden (the reason is shown in its place)")
    if response.hidden:
        raise ImpactError("this response is already hidden")
    response.hidden, response.hidden_reason, response.hidden_at = True, reason[:300], timezone.now()
    response.hidden_by = actor if getattr(actor, "pk", None) else None
    response.save()
    record(actor, "impact.hide_response", response, after={"assessment": response.assessment.reference,
                                                          "reason": response.hidden_reason})  # fmt: skip
    return response


@transaction.atomic
def answer(actor, response: Response, text: str) -> Response:
    """The body's answer: what it did about what was said."""
    text = text.strip()
    if not text:
        raise ImpactError("say what the body did about this response")
    if response.hidden:
        raise ImpactError("a hidden response cannot be answered")
    before = {"answered": bool(response.answer)}
    response.answer, response.answered_at = text, timezone.now()
    response.answered_by = actor if getattr(actor, "pk", None) else None
    response.save()
    record(actor, "impact.answer", response, before=before,
           after={"assessment": response.assessment.reference, "length": len(text)})  # fmt: skip
    return response
