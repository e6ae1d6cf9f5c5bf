"""Community plans: who may edit them and the rules on their money. Every change is audit-logged."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from commonground.accounts.models import User
from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability, Role
from commonground.audit.service import record
from commonground.fund.models import (
    Award,
    BudgetLine,
    CommunityPlan,
    PartnershipMember,
    Priority,
    ProgressUpdate,
    Spend,
)
from commonground.places.services import scope_of

MAX_PRIORITIES = 5  # neighbourhood plans agree 4–5 shared priorities


class PlanError(ValueError):
    """A plan change that breaks a rule; the message says which, in plain English."""


def plan_for(award: Award) -> CommunityPlan:
    plan, _ = CommunityPlan.objects.get_or_create(award=award)
    return plan


def can_edit(user, plan: CommunityPlan) -> bool:
    """Fund administrators edit plans where they administer (the site, or the award's council); organisers
    only the plans they are named on."""
    if user_can(user, Capability.MANAGE_FUND, scope_of(plan.award.area)):
        return True
    if plan.pk is None or not user_can(user, Capability.EDIT_COMMUNITY_PLAN):
        return False
    return plan.editors.filter(pk=user.pk).exists()


@transaction.atomic
def update_summary(plan: CommunityPlan, actor, partnership_name: str, summary: str) -> None:
    before = {"partnership_name": plan.partnership_name, "summary": plan.summary}
    plan.partnership_name, plan.summary = partnership_name, summary
    plan.save(update_fields=["partnership_name", "summary", "updated_at"])
    record(actor, "plan.update", plan, before=before, after={"partnership_name": partnership_name, "summary": summary})


@transaction.atomic
def add_member(plan: CommunityPlan, actor, name: str, role: str, is_resident: bool) -> PartnershipMember:
    member = PartnershipMember.objects.create(plan=plan, name=name, role=role, is_resident=is_resident)
    record(actor, "plan.add_member", plan, after={"name": name, "role": role, "is_resident": is_resident})
    return member


@transaction.atomic
def add_priority(plan: CommunityPlan, actor, title: str, description: str) -> Priority:
    CommunityPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.priorities.count() >= MAX_PRIORITIES:
        raise PlanError(f"a plan has at most {MAX_PRIORITIES} priorities: agree which to merge or drop")
    priority = Priority.objects.create(plan=plan, title=title, description=description)
    record(actor, "plan.add_priority", plan, after={"title": title})
    return priority


@transaction.atomic
def add_budget_line(plan: CommunityPlan, actor, title: str, amount_pence: int, priority: Priority | None) -> BudgetLine:
    CommunityPlan.objects.select_for_update().get(pk=plan.pk)
    budgeted = plan.lines.aggregate(s=Sum("amount_pence"))["s"] or 0
    left = plan.award.amount_pence - budgeted
    if amount_pence > left:
        raise PlanError(f"the budget lines would add up to more than the award: £{left / 100:,.2f} is left to budget")
    if priority is not None and priority.plan_id != plan.id:
        raise PlanError("that priority belongs to another plan")
    line = BudgetLine.objects.create(plan=plan, title=title, amount_pence=amount_pence, priority=priority)
    record(actor, "plan.add_budget_line", plan, after={"title": title, "amount_pence": amount_pence})
    return line


@transaction.atomic
def record_spend(line: BudgetLine, actor, amount_pence: int, spent_on: dt.date, note: str) -> Spend:
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    spent = line.spends.aggregate(s=Sum("amount_pence"))["s"] or 0
    if spent + amount_pence > line.amount_pence:
        left = line.amount_pence - spent
        raise PlanError(f"this is more than the £{left / 100:,.2f} left on “{line.title}”")
    recorder = actor if getattr(actor, "is_authenticated", False) else None
    spend = Spend.objects.create(
        line=line, amount_pence=amount_pence, spent_on=spent_on, note=note, recorded_by=recorder
    )
    record(actor, "plan.spend", line, before={"spent_pence": spent}, after={"spent_pence": spent + amount_pence})
    return spend


@transaction.atomic
def post_update(plan: CommunityPlan, actor, text: str, posted_on: dt.date) -> ProgressUpdate:
    update = ProgressUpdate.objects.create(plan=plan, text=text, posted_on=posted_on, author=actor)
    record(actor, "plan.post_update", plan, after={"posted_on": posted_on.isoformat()})
    return update


@transaction.atomic
def add_editor(plan: CommunityPlan, actor, email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise PlanError(f"no account has the email address {email}: ask them to create one first")
    if not user.has_role(Role.ORGANISER):
        raise PlanError(f"{user.email} is not a community group organiser: a site admin can grant that role")
    plan.editors.add(user)
    record(actor, "plan.add_editor", plan, after={"editor": f"account {user.pk}"})
    return user


def spent_by_line(plan: CommunityPlan) -> list[dict]:
    return [
        {"line": line, "spent": line.spent or 0, "left": line.amount_pence - (line.spent or 0)}
        for line in plan.lines.annotate(spent=Sum("spends__amount_pence")).select_related("priority")
    ]


@transaction.atomic
def set_priority_status(actor, priority: Priority, status: str, measures) -> None:
    """How a priority is going and the measures it should move (can_edit is checked by the view)."""
    before = {"status": priority.status, "measures": sorted(priority.measures.values_list("slug", flat=True))}
    priority.status = status
    priority.status_updated_at = timezone.now()
    priority.save(update_fields=["status", "status_updated_at"])
    priority.measures.set(measures)
    after = {"status": status, "measures": sorted(m.slug for m in measures)}
    record(actor, "plan.priority_status", priority.plan, before=before, after=after)
