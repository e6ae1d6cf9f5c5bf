"""Pooled budgets: partners' contributions, shared outcomes, joint decisions and the prevention ledger."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from commonground.accounts.scopes import Scope
from commonground.audit.service import record
from commonground.engine import spendfiles
from commonground.neighbourhoods import services as neighbourhoods
from commonground.outcomes import framework
from commonground.publicbodies import services as bodies
from commonground.spending.models import (
    Contribution,
    PoolDecision,
    PooledBudget,
    PreventionItem,
    SharedOutcome,
)
from commonground.spending.services import SpendError

CAPACITIES = {"partner": "Partner body", "officer": "Officer", "community": "Community member",
              "board": "Neighbourhood board member"}  # fmt: skip


def pool_bodies(pool: PooledBudget) -> list:
    return [pool.lead, *[p for p in pool.partners.all() if p.pk != pool.lead_id]]


def may_run(user, pool: PooledBudget) -> bool:
    return bodies.acts_for_any(user, pool_bodies(pool))


def scope_of(pool: PooledBudget) -> Scope:
    councils = set(pool.councils)
    for body in pool_bodies(pool):
        councils |= set(bodies.scope_of(body).councils)
    return Scope.of(sorted(councils), pool.neighbourhoods)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "pool"
    slug, n = base, 2
    while PooledBudget.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_pool(
    actor,
    name: str,
    lead,
    partners: list,
    start_year: int,
    end_year: int,
    description: str = "",
    community_decides: bool = False,
    community_rule: str = "",
    neighbourhood_slugs: list[str] = (),
) -> PooledBudget:
    if not name.strip():
        raise SpendError("give the pooled budget a name")
    if end_year < start_year:
        raise SpendError("the agreement cannot end before it starts")
    if community_decides and not community_rule.strip():
        raise SpendError("say what the agreement says about community members in its decisions")
    councils = set()
    for body in [lead, *partners]:
        councils |= set(bodies.scope_of(body).councils)
    known = []
    for slug in neighbourhood_slugs:
        try:
            councils |= set(neighbourhoods.councils_of(slug))
        except LookupError as exc:
            raise SpendError(str(exc)) from None
        known.append(slug)
    pool = PooledBudget.objects.create(
        name=name.strip()[:200], slug=_unique_slug(name), description=description.strip(), lead=lead,
        councils=sorted(councils), neighbourhoods=sorted(set(known)), community_decides=community_decides,
        community_rule=community_rule.strip()[:300], start_year=start_year, end_year=end_year,
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    pool.partners.set({lead, *partners})
    record(actor, "spending.create_pool", pool, after={"lead": lead.slug, "partners": sorted(b.slug for b in partners),
                                                       "community_decides": community_decides,
                                                       "years": [start_year, end_year]})  # fmt: skip
    return pool


@transaction.atomic
def set_contribution(actor, pool: PooledBudget, body, year: int, amount_pence: int) -> Contribution:
    if body not in pool.partners.all():
        raise SpendError(f"{body.name} is not a partner in {pool.name}")
    if not pool.start_year <= year <= pool.end_year:
        raise SpendError(f"the agreement runs from {spendfiles.year_label(pool.start_year)} to "
                         f"{spendfiles.year_label(pool.end_year)}")  # fmt: skip
    if amount_pence < 0:
        raise SpendError("a contribution cannot be negative")
    existing = Contribution.objects.filter(pool=pool, body=body, financial_year=year).first()
    before = {"amount_pence": existing.amount_pence} if existing else None
    row, _ = Contribution.objects.update_or_create(pool=pool, body=body, financial_year=year,
                                                   defaults={"amount_pence": amount_pence})  # fmt: skip
    record(actor, "spending.contribution", pool, before=before,
           after={"body": body.slug, "year": year, "amount_pence": amount_pence})  # fmt: skip
    return row


def measure_choices() -> list[tuple[str, str]]:
    return [(m.slug, f"{m.name} ({m.theme.name})") for m in framework.active_measures().select_related("theme")]


@transaction.atomic
def add_outcome(actor, pool: PooledBudget, measure_slug: str, target: str, baseline: str = "") -> SharedOutcome:
    names = dict((m.slug, m.name) for m in framework.active_measures())
    if measure_slug not in names:
        raise SpendError("choose one of the wellbeing framework's measures in use")
    if not target.strip():
        raise SpendError("say what the partners aim for")
    row = SharedOutcome.objects.create(pool=pool, measure_slug=measure_slug, measure_name=names[measure_slug],
                                       target=target.strip()[:300], baseline=baseline.strip()[:200])  # fmt: skip
    record(actor, "spending.add_outcome", pool, after={"measure": measure_slug})
    return row


@transaction.atomic
def record_decision(actor, pool: PooledBudget, decided_on, title: str, decision: str, deciders: list[dict],
                    amount_pence: int | None = None) -> PoolDecision:  # fmt: skip
    """A decision about the pool and who took it; where the agreement puts community members in its
    decisions, at least one of the deciders must be one."""
    if not title.strip() or not decision.strip():
        raise SpendError("give the decision a title and say what was decided")
    cleaned = []
    for d in deciders:
        name = " ".join(str(d.get("name", "")).split())[:200]
        capacity = d.get("capacity", "")
        if not name:
            continue
        if capacity not in CAPACITIES:
            raise SpendError(f"say in what capacity {name} decided: one of {', '.join(CAPACITIES)}")
        cleaned.append({"name": name, "capacity": capacity, "body": " ".join(str(d.get("body", "")).split())[:200]})
    if not cleaned:
        raise SpendError("record who took the decision")
    community = sum(1 for d in cleaned if d["capacity"] in ("community", "board"))
    if pool.community_decides and community == 0:
        raise SpendError(f"the agreement says community members take part in its decisions ({pool.community_rule}): "
                         "record the community members who decided")  # fmt: skip
    row = PoolDecision.objects.create(pool=pool, decided_on=decided_on, title=title.strip()[:300],
                                      decision=decision.strip(), deciders=cleaned, amount_pence=amount_pence,
                                      recorded_by=actor if getattr(actor, "pk", None) else None)  # fmt: skip
    record(
        actor,
        "spending.decision",
        pool,
        after={
            "decision": row.pk,
            "deciders": len(cleaned),
            "community_members": community,
            "amount_pence": amount_pence,
        },
    )
    return row


@transaction.atomic
def add_prevention(actor, pool: PooledBudget, title: str, service: str, year: int, invested_pence: int,
                   demand_measure: str, baseline: Decimal, expected_change: Decimal, expected_saving_pence: int,
                   neighbourhood: str = "") -> PreventionItem:  # fmt: skip
    if not title.strip() or not service.strip() or not demand_measure.strip():
        raise SpendError("name the investment, the service and how its demand is counted")
    if neighbourhood and neighbourhood not in pool.neighbourhoods:
        raise SpendError("choose a neighbourhood the pooled budget covers")
    row = PreventionItem.objects.create(
        pool=pool, title=title.strip()[:300], service=service.strip()[:200], neighbourhood=neighbourhood,
        financial_year=year, invested_pence=invested_pence, demand_measure=demand_measure.strip()[:200],
        baseline=baseline, expected_change=expected_change, expected_saving_pence=expected_saving_pence,
    )  # fmt: skip
    record(actor, "spending.add_prevention", pool, after={"item": row.pk, "invested_pence": invested_pence,
                                                          "expected_saving_pence": expected_saving_pence})  # fmt: skip
    return row


@transaction.atomic
def observe_prevention(actor, item: PreventionItem, observed_on, observed_change: Decimal, observed_saving_pence: int,
                       evidence: str) -> PreventionItem:  # fmt: skip
    if not evidence.strip():
        raise SpendError("say where the observed change comes from (the evidence)")
    before = {"observed_change": item.observed_change, "observed_saving_pence": item.observed_saving_pence}
    item.observed_on, item.observed_change = observed_on, observed_change
    item.observed_saving_pence, item.evidence = observed_saving_pence, evidence.strip()
    item.save()
    record(
        actor,
        "spending.observe_prevention",
        item.pool,
        before=before,
        after={"item": item.pk, "observed_change": observed_change, "observed_saving_pence": observed_saving_pence},
    )
    return item


def pool_summary(pool: PooledBudget) -> dict:
    """Contributions by partner and year, and the prevention ledger's totals."""
    years = list(range(pool.start_year, pool.end_year + 1))
    rows = []
    cells = {(c.body_id, c.financial_year): c.amount_pence for c in pool.contributions.all()}
    for body in pool_bodies(pool):
        amounts = [(spendfiles.year_label(y), cells.get((body.pk, y), 0)) for y in years]
        rows.append({"body": body, "amounts": amounts, "total": sum(a for _, a in amounts)})
    ledger = list(pool.prevention.all())
    return {
        "years": years, "year_labels": [spendfiles.year_label(y) for y in years], "rows": rows,
        "totals": [(spendfiles.year_label(y), sum(r["amounts"][i][1] for r in rows)) for i, y in enumerate(years)],
        "total": sum(r["total"] for r in rows), "ledger": ledger,
        "invested": sum(i.invested_pence for i in ledger),
        "expected_saving": sum(i.expected_saving_pence for i in ledger),
        "observed_saving": sum(i.observed_saving_pence or 0 for i in ledger),
        "observed_items": sum(1 for i in ledger if i.observed_on),
    }  # fmt: skip


def pools_for_council(code: str) -> list[PooledBudget]:
    return [p for p in PooledBudget.objects.all() if code in p.councils]


def pools_for_neighbourhood(slug: str) -> list[PooledBudget]:
    return [p for p in PooledBudget.objects.all() if slug in p.neighbourhoods]
