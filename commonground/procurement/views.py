"""Tender pages: the public list and award (the model and scores published after award, not before), the
body's steps, evaluators' scoring, moderation, and social value commitments delivered."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from commonground.accounts.models import User
from commonground.accounts.permissions import public, requires
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.procurement import model_data, services
from commonground.procurement.forms import (
    BidForm,
    CommitmentForm,
    CriterionForm,
    DeliveryForm,
    EvaluatorForm,
    GridForm,
    TenderForm,
    WeightsForm,
)
from commonground.procurement.models import Commitment, Criterion, ModeratedScore, Score, Tender
from commonground.publicbodies import services as bodies


def scope_of_tender(request: HttpRequest, reference: str, **kwargs) -> Scope:
    return services.scope_of(get_object_or_404(Tender.objects.select_related("body"), reference=reference))


def _tender_view(check):
    def decorate(view):
        @functools.wraps(view)
        def checked(request: HttpRequest, reference: str, *args, **kwargs):
            tender = get_object_or_404(Tender.objects.select_related("body"), reference=reference)
            if not check(request.user, tender):
                raise PermissionDenied("Only the people running this tender can do this.")
            return view(request, tender, *args, **kwargs)

        return requires(Capability.USE_ACCOUNT, scope=scope_of_tender)(checked)

    return decorate


for_body = _tender_view(services.may_run)
for_evaluator = _tender_view(services.is_evaluator)


def _form(request, tender, form, heading: str, button: str, intro: str = ""):
    return render(request, "procurement/form.html", {"form": form, "tender": tender, "heading": heading,
                                                     "button": button, "intro": intro})  # fmt: skip


def _fail(form, exc) -> None:
    text = str(exc)
    form.add_error(None, text[0].upper() + text[1:])


@public
def tender_list(request: HttpRequest) -> HttpResponse:
    return render(request, "procurement/list.html", {
        "tenders": Tender.objects.select_related("body", "awarded_bid"),
        "may_create": bool(bodies.bodies_for(request.user)) or bool(bodies.choices_for(request.user)),
    })  # fmt: skip


@public
def missions(request: HttpRequest) -> HttpResponse:
    return render(
        request, "procurement/missions.html", {"missions": model_data.missions(), "source": model_data.source()}
    )


@public
def tender(request: HttpRequest, reference: str) -> HttpResponse:
    found = get_object_or_404(Tender.objects.select_related("body", "awarded_bid"), reference=reference)
    runs = services.may_run(request.user, found)
    awarded = found.status == Tender.Status.AWARDED
    context = {"tender": found, "runs": runs, "awarded": awarded,
               "evaluates": services.is_evaluator(request.user, found)}  # fmt: skip
    if awarded or runs:  # the model and scores are public from the award; before it, only its own people see them
        context.update(criteria=found.criteria.all(), bids=found.bids.all(), sheet=services.scoresheet(found),
                       evaluator_numbers=range(1, found.evaluators.count() + 1))  # fmt: skip
    if runs and found.status == Tender.Status.DRAFT:
        context["problems"] = services.start_problems(found)
    if runs and found.status == Tender.Status.EVALUATING:
        context["preview"], context["preview_problem"] = services.preview(found)
    if awarded:
        context["delivery"] = services.delivery_summary(found.commitments.prefetch_related("deliveries"))
        context["outcomes"] = model_data.outcomes()
    return render(request, "procurement/tender.html", context)


@requires(Capability.USE_ACCOUNT)
def create(request: HttpRequest) -> HttpResponse:
    choices = bodies.choices_for(request.user)
    if not choices:
        raise PermissionDenied("Only people acting for a public body run its tenders.")
    form = TenderForm(request.POST or None, body_choices=choices, initial={"price_weight": "40", "quality_weight": "30",
                                                                           "social_value_weight": "30"})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a council's body is recorded only with its first tender
                body = bodies.chosen(request.user, data["body"])
                found = services.create(request.user, body, data["title"], data["description"], data["price_weight"],
                                        data["quality_weight"], data["social_value_weight"], data["floor"],
                                        data["scale_max"], data["neighbourhoods"])  # fmt: skip
        except bodies.BodyError as exc:
            form.add_error("body", str(exc))
        except services.TenderError as exc:
            _fail(form, exc)
        else:
            messages.success(request, f"Set up {found.reference}: add its criteria, bids and evaluators")
            return redirect(found)
    return render(request, "procurement/form.html", {"form": form, "heading": "Set up a tender evaluation",
                                                     "button": "Set up the tender",
                                                     "intro": "Weights are percentages of the whole evaluation and "
                                                              "must add up to 100%."})  # fmt: skip


@for_body
def weights(request: HttpRequest, tender: Tender) -> HttpResponse:
    form = WeightsForm(request.POST or None, initial={
        "price_weight": tender.price_weight.normalize(), "quality_weight": tender.quality_weight.normalize(),
        "social_value_weight": tender.social_value_weight.normalize(), "floor": tender.social_value_floor,
        "scale_max": tender.scale_max})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_model(request.user, tender, data["price_weight"], data["quality_weight"],
                               data["social_value_weight"], data["floor"], data["scale_max"])  # fmt: skip
        except services.TenderError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Weights saved")
            return redirect(tender)
    return _form(request, tender, form, "Weights and scale", "Save the weights")


@for_body
def add_criterion(request: HttpRequest, tender: Tender) -> HttpResponse:
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_criterion(request.user, tender, data["kind"], data["name"], data["weight"], data["outcome"],
                                   data["guidance"])  # fmt: skip
        except services.TenderError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Criterion added")
            return redirect(tender)
    return _form(request, tender, form, "Add a criterion", "Add the criterion",
                 "Each quality criterion's weight is part of the quality weight, each social value criterion's part of "
                 "the social value weight; a social value criterion measures one outcome from the list.")  # fmt: skip


@for_body
@require_POST
def remove_criterion(request: HttpRequest, tender: Tender, pk: int) -> HttpResponse:
    criterion = get_object_or_404(Criterion, pk=pk, tender=tender)
    try:
        services.remove_criterion(request.user, criterion)
    except services.TenderError as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, "Criterion removed")
    return redirect(tender)


@for_body
def add_bid(request: HttpRequest, tender: Tender) -> HttpResponse:
    form = BidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_bid(request.user, tender, data["supplier"], data["price"], data["is_sme"], data["is_vcse"])
        except services.TenderError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Bid recorded")
            return redirect(tender)
    return _form(request, tender, form, "Record a bid", "Record the bid")


@for_body
def add_evaluator(request: HttpRequest, tender: Tender) -> HttpResponse:
    form = EvaluatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
        if user is None:
            form.add_error("email", "No active account has that email address")
        else:
            try:
                services.add_evaluator(request.user, tender, user)
            except services.TenderError as exc:
                _fail(form, exc)
            else:
                messages.success(request, "Evaluator added")
                return redirect(tender)
    return _form(request, tender, form, "Add an evaluator", "Add the evaluator",
                 "Evaluators score every bid on every criterion on their own; scores are published with the award, "
                 "with evaluators numbered, not named.")  # fmt: skip


@for_body
@require_POST
def start(request: HttpRequest, tender: Tender) -> HttpResponse:
    try:
        services.start_evaluation(request.user, tender)
    except services.TenderError:
        return redirect(f"{tender.get_absolute_url()}#model")  # the page lists what is missing
    messages.success(request, "Scoring is open; the model is now fixed")
    return redirect(tender)


def _grid_page(request, tender, form, heading, button, intro):
    return render(request, "procurement/grid.html", {"form": form, "tender": tender, "heading": heading,
                                                     "button": button, "intro": intro})  # fmt: skip


@for_evaluator
def score(request: HttpRequest, tender: Tender) -> HttpResponse:
    if tender.status != Tender.Status.EVALUATING:
        raise Http404("Scoring is not open")
    mine = {
        (s.bid_id, s.criterion_id): (s.score, "")
        for s in Score.objects.filter(bid__tender=tender, evaluator=request.user)
    }
    form = GridForm(request.POST or None, bids=tender.bids.all(), criteria=tender.criteria.all(),
                    scale_max=tender.scale_max, initial_scores=mine)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            for cell in form.cells:
                value = form.cleaned_data[cell["score"]]
                if value is not None:
                    services.score(request.user, cell["bid"], cell["criterion"], value)
        except services.TenderError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Your scores are saved")
            return redirect(tender)
    return _grid_page(
        request,
        tender,
        form,
        "Score the bids",
        "Save my scores",
        f"Score each bid on each criterion from 0 to {tender.scale_max}, on your own.",
    )


@for_body
def moderate(request: HttpRequest, tender: Tender) -> HttpResponse:
    if tender.status != Tender.Status.EVALUATING:
        raise Http404("Moderation is not open")
    agreed = {
        (m.bid_id, m.criterion_id): (m.score, m.reason) for m in ModeratedScore.objects.filter(bid__tender=tender)
    }
    form = GridForm(request.POST or None, bids=tender.bids.all(), criteria=tender.criteria.all(),
                    scale_max=tender.scale_max, reasons=True, initial_scores=agreed)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            for cell in form.cells:
                value = form.cleaned_data[cell["score"]]
                if value is not None:
                    services.moderate(
                        request.user, cell["bid"], cell["criterion"], value, form.cleaned_data[cell["reason"]]
                    )
        except services.TenderError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Moderated scores saved")
            return redirect(tender)
    sheet = {(row["bid"].pk, row["criterion"].pk): row["scores"] for row in services.scoresheet(tender)}
    for cell in form.cells:
        cell["given"] = sheet.get((cell["bid"].pk, cell["criterion"].pk), [])
    return _grid_page(request, tender, form, "Moderate the scores", "Save the moderated scores",
                      "The moderated score is the one that counts. Give a reason for each, for example the consensus "
                      "reached or why one evaluator's view was preferred.")  # fmt: skip


@for_body
def award(request: HttpRequest, tender: Tender) -> HttpResponse:
    if tender.status != Tender.Status.EVALUATING:
        raise Http404("Only a tender being evaluated can be awarded")
    preview, problem = services.preview(tender)
    if request.method == "POST" and preview is not None:
        try:
            services.award(request.user, tender)
        except services.TenderError as exc:
            problem = str(exc)
        else:
            messages.success(request, "Awarded: the model, the scores and the explanation are published")
            return redirect(tender)
    return render(
        request,
        "procurement/award.html",
        {
            "tender": tender,
            "preview": preview,
            "problem": problem,
            "explained": services.explain(tender, preview) if preview else None,
        },
    )


@for_body
def add_commitment(request: HttpRequest, tender: Tender) -> HttpResponse:
    form = CommitmentForm(request.POST or None, neighbourhoods=tender.neighbourhoods)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_commitment(request.user, tender, data["kind"], data["description"], data["unit"],
                                    data["target"], data["neighbourhood"], data["due"], data["outcome"])  # fmt: skip
        except services.TenderError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Commitment recorded")
            return redirect(f"{tender.get_absolute_url()}#delivery")
    return _form(
        request,
        tender,
        form,
        "Record a social value commitment",
        "Record the commitment",
        "What the winning supplier committed to in the contract: local jobs, apprenticeships, spend with local "
        "and community businesses, emissions avoided.",
    )


@for_body
def add_delivery(request: HttpRequest, tender: Tender, pk: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment, pk=pk, tender=tender)
    form = DeliveryForm(request.POST or None, neighbourhoods=tender.neighbourhoods)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_delivery(request.user, commitment, data["delivered_on"], data["quantity"],
                                     data["evidence"], data["neighbourhood"])  # fmt: skip
        except services.TenderError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Delivery recorded")
            return redirect(f"{tender.get_absolute_url()}#delivery")
    return _form(
        request,
        tender,
        form,
        f"Delivered: {commitment.description}",
        "Record the delivery",
        f"Counted in {commitment.unit}; the target is {commitment.target.normalize()}.",
    )
