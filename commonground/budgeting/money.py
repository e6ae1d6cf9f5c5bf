"""A PB process's money: the ring-fences voting must keep, the pots it draws on and the winners' delivery."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability
from commonground.audit.service import record
from commonground.budgeting import fences
from commonground.budgeting.basics import (
    BEFORE_SCORING,
    Phase,
    ProcessError,
    ballot_projects,
    ballot_rules,
    council_of,
    election_meta,
    pb_projects,
)
from commonground.budgeting.models import Process
from commonground.delivery import services as delivery
from commonground.engine.pb import ballot, pabulib
from commonground.places.models import AreaType
from commonground.pots import services as pots


def check_fences_before_voting(process: Process) -> None:
    """Voting opens only if the ring-fences can all be kept by some choice of the projects on the ballot."""
    if not process.ring_fences.exists():
        return
    proposals = ballot_projects(process)
    text = ballot.to_pabulib(election_meta(process), ballot_rules(process, proposals), pb_projects(proposals), [])
    why = fences.feasible_or_why(pabulib.parse(text, source="ballot"), fences.to_engine(process))
    if why:
        raise ProcessError(f"Voting cannot open: no choice of the projects on the ballot keeps the ring-fences ({why})")


# Money: pots and delivery ----------------------------------------------------------------------------------


def money_reference(process: Process) -> str:
    return f"pb:{process.slug}"


def draw_from_pot(process: Process, actor, pot_id: int, pounds: int):
    """Set `pounds` of a pot aside as (part of) this process's budget; 0 takes the pot off. The budget
    becomes what all its pots hold for it. Only before voting, and only by someone who may run the pot."""
    pot = pots.get(pot_id)
    if pot is None:
        raise ProcessError("Choose a pot", "pot")
    if not user_can(actor, Capability.RUN_PROCESSES, pots.scope_of(pot)):
        raise ProcessError(f"You cannot spend from {pot.name}: it belongs to another council or neighbourhood", "pot")
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        if locked.phase not in (*BEFORE_SCORING, Phase.SCORING, Phase.REVIEW):
            raise ProcessError("The budget cannot change once voting has opened")
        url = reverse("budgeting:detail", args=[locked.slug])
        try:
            pots.set_aside(actor, pot.pk, money_reference(locked), locked.title, pounds * 100, url=url)
        except pots.PotError as exc:
            raise ProcessError(str(exc), "amount") from None
        held = sum(amount for _, amount in pots.set_aside_for(money_reference(locked)))
        if held:
            before = locked.budget
            locked.budget = held // 100
            locked.source_of_money = ", ".join(
                r.pot.name for r, amount in pots.set_aside_for(money_reference(locked)) if amount
            )[:200]
            locked.save(update_fields=["budget", "source_of_money"])
            record(actor, "pb.budget", locked, before={"budget": before}, after={"budget": locked.budget})
    return locked


def draws(process: Process) -> list[tuple]:
    """(pot, money held for the process now) of each pot it draws on."""
    return [(r.pot, held) for r, held in pots.set_aside_for(money_reference(process))]


def publish_winners(process: Process, actor) -> None:
    """When results are published: every winner gets a delivery record, and where the budget came from pots,
    an allocation from the money set aside (what is left goes back to the pots)."""
    result = process.result
    council = council_of(process)
    ward = process.area.code if process.area_id and process.area.area_type.level == AreaType.Level.WARD else ""
    winners = [p for p in ballot_projects(process) if p.project_id in result.winners]
    results_url = reverse("budgeting:results", args=[process.slug])
    recipient = {
        p.pk: p.organisation
        or (f"{p.get_applicant_kind_display()}: {p.title}" if p.applicant_kind else "")
        or (council.name if council else "The council")
        for p in winners
    }
    for p in winners:
        delivery.ensure(
            actor,
            p.reference,
            source="pb",
            title=p.title,
            amount_pence=p.cost * 100,
            summary=p.summary,
            origin_url=results_url,
            recipient_name=recipient[p.pk],
            council=council,
            neighbourhood=process.neighbourhood,
            ward_code=ward,
            objective_ref=p.priority_ref,
            funded_on=result.computed_at.date(),
        )
    if pots.set_aside_for(money_reference(process)):
        items = [
            {
                "reference": p.reference,
                "title": p.title,
                "recipient_name": recipient[p.pk],
                "amount_pence": p.cost * 100,
                "ward_code": ward,
                "url": results_url,
                "neighbourhood": process.neighbourhood,
            }
            for p in winners
        ]
        try:
            pots.allocate_set_aside(actor, money_reference(process), items, on=result.computed_at.date())
        except pots.PotError as exc:
            raise ProcessError(f"The winners cannot be paid from the pots: {exc}") from None


def delivery_records(process: Process) -> dict[str, object]:
    """The delivery record of each winner, by project id."""
    found = delivery.by_reference(f"pb:{process.slug}:{p.pk}" for p in process.proposals.all())
    return {ref.rsplit(":", 1)[1]: r for ref, r in found.items()}
