"""Tenders: the published evaluation model, bids, evaluators' scores, moderation, the exact award, and the
social value the winner commits to and delivers.

Rules kept here: the weights add up to 100% and social value is weighted at least the model's floor (10%,
20% or 30%); the model cannot change once scoring starts; only a tender's named evaluators score; a
moderated score needs a reason; the award is computed by commonground.engine.tender in fractions and its
explanation is stored exactly as published. Every change is audit-logged, naming no one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone

from commonground.accounts.scopes import Scope
from commonground.audit.service import record
from commonground.engine import tender as engine
from commonground.procurement import model_data
from commonground.procurement.models import Bid, Commitment, Criterion, Delivery, ModeratedScore, Score, Tender
from commonground.publicbodies import services as bodies


class TenderError(ValueError):
    """A change to a tender that cannot be made; the message says why."""


def scope_of(tender: Tender) -> Scope:
    return Scope.of(bodies.scope_of(tender.body).councils, tender.neighbourhoods)


def may_run(user, tender: Tender) -> bool:
    return bodies.acts_for(user, tender.body)


def is_evaluator(user, tender: Tender) -> bool:
    return getattr(user, "is_authenticated", False) and tender.evaluators.filter(pk=user.pk).exists()


def _new_reference() -> str:
    prefix = f"T-{timezone.localdate().year}-"
    number = Tender.objects.filter(reference__startswith=prefix).count() + 1
    while Tender.objects.filter(reference=f"{prefix}{number:04d}").exists():
        number += 1
    return f"{prefix}{number:04d}"


def _check_weights(price: Decimal, quality: Decimal, social: Decimal, floor: int, scale: int) -> None:
    model = engine.Model(engine.as_fraction(price), engine.as_fraction(quality), engine.as_fraction(social),
                         Fraction(floor), scale, ())  # fmt: skip
    problems = [p for p in engine.check_model(model) if "has no criteria" not in p and "criteria add up" not in p]
    if problems:
        raise TenderError("; ".join(problems))


def _draft(tender: Tender) -> None:
    if tender.status != Tender.Status.DRAFT:
        raise TenderError("the evaluation model is fixed once scoring starts")


@transaction.atomic
def create(actor, body, title: str, description: str = "", price: Decimal = Decimal(60),
           quality: Decimal = Decimal(30), social_value: Decimal = Decimal(10), floor: int = 10, scale_max: int = 5,
           neighbourhoods: list[str] = (), reference: str = "") -> Tender:  # fmt: skip
    if not title.strip():
        raise TenderError("give the tender a title")
    _check_weights(price, quality, social_value, floor, scale_max)
    reference = reference.strip() or _new_reference()
    if Tender.objects.filter(reference=reference).exists():
        raise TenderError(f"a tender with the reference {reference} already exists")
    tender = Tender.objects.create(body=body, reference=reference[:40], title=title.strip()[:300],
                                   description=description.strip(), price_weight=price, quality_weight=quality,
                                   social_value_weight=social_value, social_value_floor=floor, scale_max=scale_max,
                                   neighbourhoods=sorted(set(neighbourhoods)),
                                   created_by=actor if getattr(actor, "pk", None) else None)  # fmt: skip
    record(
        actor,
        "procurement.create",
        tender,
        object_label=tender.reference,
        after={"body": body.slug, "weights": [price, quality, social_value], "floor": floor, "scale": scale_max},
    )
    return tender


@transaction.atomic
def set_model(actor, tender: Tender, price: Decimal, quality: Decimal, social_value: Decimal, floor: int,
              scale_max: int) -> Tender:  # fmt: skip
    _draft(tender)
    _check_weights(price, quality, social_value, floor, scale_max)
    before = {"weights": [tender.price_weight, tender.quality_weight, tender.social_value_weight],
              "floor": tender.social_value_floor, "scale": tender.scale_max}  # fmt: skip
    tender.price_weight, tender.quality_weight, tender.social_value_weight = price, quality, social_value
    tender.social_value_floor, tender.scale_max = floor, scale_max
    tender.save()
    record(actor, "procurement.set_model", tender, object_label=tender.reference, before=before,
           after={"weights": [price, quality, social_value], "floor": floor, "scale": scale_max})  # fmt: skip
    return tender


@transaction.atomic
def add_criterion(actor, tender: Tender, kind: str, name: str, weight: Decimal, outcome: str = "",
                  guidance: str = "") -> Criterion:  # fmt: skip
    _draft(tender)
    if kind not in Criterion.Kind.values:
        raise TenderError("a criterion is about quality or social value")
    if not name.strip():
        raise TenderError("name the criterion")
    if weight <= 0:
        raise TenderError("a criterion needs a weight above 0%")
    if kind == Criterion.Kind.SOCIAL_VALUE:
        if outcome not in model_data.outcomes():
            raise TenderError("choose the social value outcome the criterion measures")
    elif outcome:
        raise TenderError("only social value criteria measure a social value outcome")
    row = Criterion.objects.create(tender=tender, kind=kind, name=name.strip()[:300], weight=weight, outcome=outcome,
                                   guidance=guidance.strip(), order=tender.criteria.count() + 1)  # fmt: skip
    record(actor, "procurement.add_criterion", tender, object_label=tender.reference,
           after={"criterion": row.pk, "kind": kind, "weight": weight, "outcome": outcome})  # fmt: skip
    return row


@transaction.atomic
def remove_criterion(actor, criterion: Criterion) -> None:
    tender = criterion.tender
    _draft(tender)
    record(actor, "procurement.remove_criterion", tender, object_label=tender.reference,
           before={"criterion": criterion.pk, "weight": criterion.weight})  # fmt: skip
    criterion.delete()


@transaction.atomic
def add_bid(actor, tender: Tender, supplier: str, price_pence: int, is_sme: bool = False, is_vcse: bool = False) -> Bid:
    _draft(tender)
    if not supplier.strip():
        raise TenderError("name the supplier")
    if price_pence <= 0:
        raise TenderError("a bid's price must be more than £0")
    order = (tender.bids.order_by("-received_order").values_list("received_order", flat=True).first() or 0) + 1
    bid = Bid.objects.create(tender=tender, supplier=supplier.strip()[:300], price_pence=price_pence,
                             received_order=order, is_sme=is_sme, is_vcse=is_vcse)  # fmt: skip
    record(actor, "procurement.add_bid", tender, object_label=tender.reference,
           after={"bid": bid.pk, "received_order": order, "price_pence": price_pence})  # fmt: skip
    return bid


@transaction.atomic
def add_evaluator(actor, tender: Tender, user) -> None:
    if tender.status == Tender.Status.AWARDED:
        raise TenderError("the tender is awarded")
    tender.evaluators.add(user)
    record(actor, "procurement.add_evaluator", tender, object_label=tender.reference,
           after={"evaluator": f"account {user.pk}"})  # fmt: skip


def engine_model(tender: Tender) -> engine.Model:
    criteria = tuple(
        engine.Criterion(str(c.pk), c.name, c.kind, engine.as_fraction(c.weight)) for c in tender.criteria.all()
    )
    return engine.Model(engine.as_fraction(tender.price_weight), engine.as_fraction(tender.quality_weight),
                        engine.as_fraction(tender.social_value_weight), Fraction(tender.social_value_floor),
                        tender.scale_max, criteria)  # fmt: skip


def model_problems(tender: Tender) -> list[str]:
    return engine.check_model(engine_model(tender))


def start_problems(tender: Tender) -> list[str]:
    """What stops scoring from starting: an incomplete model, no bids, no evaluators."""
    problems = model_problems(tender)
    if not tender.bids.exists():
        problems.append("there are no bids")
    if not tender.evaluators.exists():
        problems.append("name at least one evaluator")
    return problems


@transaction.atomic
def start_evaluation(actor, tender: Tender) -> Tender:
    """Fix the model and open scoring: the model must be complete, with bids and evaluators."""
    _draft(tender)
    problems = start_problems(tender)
    if problems:
        raise TenderError("; ".join(problems))
    tender.status = Tender.Status.EVALUATING
    tender.save(update_fields=["status"])
    record(actor, "procurement.start_evaluation", tender, object_label=tender.reference,
           after={"bids": tender.bids.count(), "criteria": tender.criteria.count(),
                  "evaluators": tender.evaluators.count()})  # fmt: skip
    return tender


def _score_value(tender: Tender, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= tender.scale_max:
        raise TenderError(f"a score is a whole number from 0 to {tender.scale_max}")
    return value


@transaction.atomic
def score(actor, bid: Bid, criterion: Criterion, value: int, note: str = "") -> Score:
    tender = bid.tender
    if tender.status != Tender.Status.EVALUATING:
        raise TenderError("scoring is open only while the tender is being evaluated")
    if criterion.tender_id != tender.pk:
        raise TenderError("that criterion belongs to another tender")
    if not is_evaluator(actor, tender):
        raise TenderError("only the tender's evaluators score its bids")
    value = _score_value(tender, value)
    row, _ = Score.objects.update_or_create(bid=bid, criterion=criterion, evaluator=actor,
                                            defaults={"score": value, "note": note.strip()})  # fmt: skip
    record(actor, "procurement.score", tender, object_label=tender.reference,
           after={"bid": bid.pk, "criterion": criterion.pk, "score": value})  # fmt: skip
    return row


@transaction.atomic
def moderate(actor, bid: Bid, criterion: Criterion, value: int, reason: str) -> ModeratedScore:
    tender = bid.tender
    if tender.status != Tender.Status.EVALUATING:
        raise TenderError("moderation happens while the tender is being evaluated")
    if criterion.tender_id != tender.pk:
        raise TenderError("that criterion belongs to another tender")
    if not reason.strip():
        raise TenderError("give the reason for the moderated score")
    value = _score_value(tender, value)
    existing = ModeratedScore.objects.filter(bid=bid, criterion=criterion).first()
    row, _ = ModeratedScore.objects.update_or_create(
        bid=bid,
        criterion=criterion,
        defaults={
            "score": value,
            "reason": reason.strip(),
            "moderated_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    record(actor, "procurement.moderate", tender, object_label=tender.reference,
           before={"score": existing.score} if existing else None,
           after={"bid": bid.pk, "criterion": criterion.pk, "score": value})  # fmt: skip
    return row


def scoresheet(tender: Tender) -> list[dict]:
    """Each bid and criterion with every evaluator's score (evaluators numbered) and the moderated score."""
    evaluators = {pk: n for n, pk in enumerate(tender.evaluators.order_by("pk").values_list("pk", flat=True), start=1)}
    scores = defaultdict(dict)
    for s in Score.objects.filter(bid__tender=tender):
        scores[(s.bid_id, s.criterion_id)][evaluators.get(s.evaluator_id, 0)] = s.score
    moderated = {(m.bid_id, m.criterion_id): m for m in ModeratedScore.objects.filter(bid__tender=tender)}
    rows = []
    for bid in tender.bids.all():
        for criterion in tender.criteria.all():
            given = scores.get((bid.pk, criterion.pk), {})
            m = moderated.get((bid.pk, criterion.pk))
            rows.append({"bid": bid, "criterion": criterion,
                         "scores": [given.get(n) for n in sorted(evaluators.values())],
                         "moderated": m.score if m else None, "reason": m.reason if m else ""})  # fmt: skip
    return rows


def _evaluate(tender: Tender) -> engine.Award:
    bids = [engine.Bid(str(b.pk), b.supplier, b.price_pence, b.received_order) for b in tender.bids.all()]
    scores = {(str(m.bid_id), str(m.criterion_id)): m.score for m in ModeratedScore.objects.filter(bid__tender=tender)}
    return engine.evaluate(engine_model(tender), bids, scores)


def preview(tender: Tender) -> tuple[engine.Award | None, str]:
    try:
        return _evaluate(tender), ""
    except engine.TenderError as exc:
        return None, str(exc)


def explain(tender: Tender, award: engine.Award) -> dict:
    """The award as published: weights, formulas, every bid's points exactly, the winner and the tie rule."""
    criteria = list(tender.criteria.all())
    outcomes = model_data.outcomes()
    return {
        "weights": {"price": engine.fmt(engine.as_fraction(tender.price_weight)),
                    "quality": engine.fmt(engine.as_fraction(tender.quality_weight)),
                    "social_value": engine.fmt(engine.as_fraction(tender.social_value_weight))},
        "social_value_floor": tender.social_value_floor, "scale_max": tender.scale_max,
        "formulas": [engine.PRICE_FORMULA, engine.CRITERION_FORMULA], "tie_rule": engine.TIE_RULE,
        "lowest_price": engine.pounds(award.lowest_price_pence),
        "criteria": [{"name": c.name, "kind": c.get_kind_display(), "weight": engine.fmt(engine.as_fraction(c.weight)),
                      "outcome": outcomes.get(c.outcome, {}).get("name", ""),
                      "mission": outcomes.get(c.outcome, {}).get("mission_name", "")} for c in criteria],
        "results": [{
            "rank": r.rank, "supplier": r.bid.supplier, "price": engine.pounds(r.bid.price_pence),
            "price_points": engine.fmt(r.price_points),
            "criteria": [engine.fmt(r.criterion_points[str(c.pk)]) for c in criteria],
            "quality_points": engine.fmt(r.quality_points), "social_value_points": engine.fmt(r.social_value_points),
            "total": engine.fmt(r.total), "total_exact": f"{r.total.numerator}/{r.total.denominator}",
            "steps": r.steps,
        } for r in award.results],
        "winner": award.winner.bid.supplier, "tie_broken_by": award.tie_broken_by,
    }  # fmt: skip


@transaction.atomic
def award(actor, tender: Tender) -> Tender:
    """Compute the award from the moderated scores and publish it with the model and every score."""
    if tender.status != Tender.Status.EVALUATING:
        raise TenderError("only a tender being evaluated can be awarded")
    try:
        result = _evaluate(tender)
    except engine.TenderError as exc:
        raise TenderError(str(exc)) from None
    tender.award = explain(tender, result)
    tender.awarded_bid = tender.bids.get(pk=int(result.winner.bid.key))
    tender.awarded_at = timezone.now()
    tender.status = Tender.Status.AWARDED
    tender.save()
    record(actor, "procurement.award", tender, object_label=tender.reference,
           after={"bid": tender.awarded_bid.pk, "total": tender.award["results"][0]["total_exact"],
                  "tie_broken_by": result.tie_broken_by})  # fmt: skip
    return tender


# Commitments and delivery -----------------------------------------------------------------------


@transaction.atomic
def add_commitment(actor, tender: Tender, kind: str, description: str, unit: str, target: Decimal,
                   neighbourhood: str = "", due: dt.date | None = None, outcome: str = "") -> Commitment:  # fmt: skip
    if tender.status != Tender.Status.AWARDED:
        raise TenderError("commitments are the winning supplier's, recorded after the award")
    if kind not in Commitment.Kind.values:
        raise TenderError("choose the kind of commitment")
    if not description.strip() or not unit.strip():
        raise TenderError("describe the commitment and how it is counted")
    if target <= 0:
        raise TenderError("the target must be more than 0")
    if neighbourhood and neighbourhood not in tender.neighbourhoods:
        raise TenderError("choose a neighbourhood the contract serves")
    if outcome and outcome not in model_data.outcomes():
        raise TenderError("choose a social value outcome from the list")
    row = Commitment.objects.create(
        tender=tender,
        kind=kind,
        description=description.strip()[:300],
        unit=unit.strip()[:100],
        target=target,
        neighbourhood=neighbourhood,
        due=due,
        outcome=outcome,
    )
    record(actor, "procurement.add_commitment", tender, object_label=tender.reference,
           after={"commitment": row.pk, "kind": kind, "target": target, "neighbourhood": neighbourhood})  # fmt: skip
    return row


@transaction.atomic
def record_delivery(actor, commitment: Commitment, delivered_on: dt.date, quantity: Decimal, evidence: str,
                    neighbourhood: str = "") -> Delivery:  # fmt: skip
    tender = commitment.tender
    if quantity <= 0:
        raise TenderError("record a quantity delivered above 0")
    if not evidence.strip():
        raise TenderError("say what shows it was delivered (the evidence)")
    neighbourhood = neighbourhood or commitment.neighbourhood
    if neighbourhood and neighbourhood not in tender.neighbourhoods:
        raise TenderError("choose a neighbourhood the contract serves")
    row = Delivery.objects.create(commitment=commitment, delivered_on=delivered_on, quantity=quantity,
                                  neighbourhood=neighbourhood, evidence=evidence.strip(),
                                  recorded_by=actor if getattr(actor, "pk", None) else None)  # fmt: skip
    record(actor, "procurement.delivery", tender, object_label=tender.reference,
           after={"commitment": commitment.pk, "quantity": quantity, "neighbourhood": neighbourhood})  # fmt: skip
    return row


def delivery_summary(commitments) -> list[dict]:
    """Each commitment with what has been delivered against it, in all and by neighbourhood."""
    rows = []
    for c in commitments:
        deliveries = list(c.deliveries.all())
        delivered = sum((d.quantity for d in deliveries), Decimal(0))
        by_place = defaultdict(Decimal)
        for d in deliveries:
            by_place[d.neighbourhood or ""] += d.quantity
        rows.append({"commitment": c, "delivered": delivered, "share": (delivered / c.target) if c.target else None,
                     "by_neighbourhood": sorted(by_place.items()), "deliveries": deliveries})  # fmt: skip
    return rows


def for_neighbourhood(slug: str) -> list[Tender]:
    return [t for t in Tender.objects.filter(status=Tender.Status.AWARDED) if slug in t.neighbourhoods]
