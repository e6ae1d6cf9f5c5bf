"""Impact assessment pages: the public register and record, the body's drafting steps, responses.

Thin: the work is in services.py and its neighbours (where, responses, public_register). Every view
is `public` or `requires(...)`; views on one assessment resolve its scope, and the body's own steps also check
the person acts for the body.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.impact import errors, public_register, responses, services, where
from commonground.impact.forms import (
    AnswerForm,
    AssessmentForm,
    EngagementForm,
    HideForm,
    ImpactForm,
    NewVersionForm,
    ResponseForm,
    ReviewForm,
)
from commonground.impact.models import Assessment, Engagement, FrozenVersion, Impact, Response, Version
from commonground.publicbodies import services as bodies


def scope_of_reference(request: HttpRequest, reference: str, **kwargs) -> Scope:
    """Where the assessment in the address lives (404 when there is none)."""
    return services.scope_of(get_object_or_404(Assessment.objects.select_related("body"), reference=reference))


def for_body(view):
    """The body's own steps: signed in, in the assessment's scope, and acting for its body."""

    @functools.wraps(view)
    def checked(request: HttpRequest, reference: str, *args, **kwargs):
        assessment = get_object_or_404(Assessment.objects.select_related("body"), reference=reference)
        if not bodies.acts_for(request.user, assessment.body):
            raise PermissionDenied("Only people acting for this body can do this.")
        return view(request, assessment, *args, **kwargs)

    return requires(Capability.USE_ACCOUNT, scope=scope_of_reference)(checked)


def _form_page(request, form, heading: str, button: str, intro: str = "", assessment=None, back=None):
    return render(request, "impact/form.html", {"form": form, "heading": heading, "button": button, "intro": intro,
                                                "assessment": assessment, "back": back})  # fmt: skip


# Public -------------------------------------------------------------------------------------------


@public
def register(request: HttpRequest) -> HttpResponse:
    filters = {
        key: request.GET.get(key, "").strip()[:100] for key in ("q", "body", "neighbourhood", "ward", "decision")
    }
    found = public_register.register(
        filters["q"], filters["body"], filters["neighbourhood"], filters["ward"], filters["decision"]
    )
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "impact/register.html", {
        "page": page, "filters": filters, "querystring": query.urlencode(),
        "bodies": public_register.register_bodies(),
        "decisions": Version.Decision.choices,
        "can_record": request.user.is_authenticated and bool(bodies.choices_for(request.user)),
    })  # fmt: skip


@public
def register_geojson(request: HttpRequest) -> JsonResponse:
    found = public_register.register(request.GET.get("q", "")[:100], request.GET.get("body", "")[:100],
                              request.GET.get("neighbourhood", "")[:100], request.GET.get("ward", "")[:20])  # fmt: skip
    return JsonResponse(public_register.register_geojson(found), content_type="application/geo+json")


def _visible_version(request, assessment: Assessment, number: int | None = None) -> Version:
    """The version to show: the number asked for, else the latest published, else the draft for the body."""
    acts = bodies.acts_for(request.user, assessment.body)
    versions = assessment.versions.all() if acts else assessment.versions.filter(status=Version.Status.PUBLISHED)
    if number is not None:
        version = versions.filter(number=number).first()
    else:
        version = (assessment.published or assessment.draft) if acts else assessment.published
    if version is None:
        raise Http404("This assessment is not published yet")
    return version


@public
def detail(request: HttpRequest, reference: str, number: int | None = None) -> HttpResponse:
    assessment = get_object_or_404(Assessment.objects.select_related("body"), reference=reference)
    version = _visible_version(request, assessment, number)
    acts = bodies.acts_for(request.user, assessment.body)
    responses = assessment.responses.select_related("version") if assessment.published else []
    return render(request, "impact/detail.html", {
        "assessment": assessment, "version": version, "profile": services.profile_of(version), "acts": acts,
        "draft": assessment.draft, "published": assessment.published,
        "versions": assessment.versions.order_by("number") if acts else assessment.versions.filter(
            status=Version.Status.PUBLISHED).order_by("number"),
        "impacts": version.impacts.all(), "engagement": version.engagement.all(), "responses": responses,
        "problems": services.publish_problems(version) if acts and not version.is_published else [],
        "review_due": services.review_due_on(assessment), "reviews": assessment.reviews.all(),
        "may_respond": request.user.is_authenticated and assessment.published is not None,
    })  # fmt: skip


@public
def map_geojson(request: HttpRequest, reference: str, number: int | None = None) -> JsonResponse:
    assessment = get_object_or_404(Assessment.objects.select_related("body"), reference=reference)
    version = _visible_version(request, assessment, number)
    return JsonResponse(where.geojson(version.lsoa_codes), content_type="application/geo+json")


# The body's steps -------------------------------------------------------------------------------


@requires(Capability.USE_ACCOUNT)
def create(request: HttpRequest) -> HttpResponse:
    """Record a decision under consideration for a body the person acts for."""
    choices = bodies.choices_for(request.user)
    if not choices:
        raise PermissionDenied("Only people acting for a public body record impact assessments.")
    form = AssessmentForm(request.POST or None, body_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a council's body is recorded only with its first assessment
                body = bodies.chosen(request.user, form.cleaned_data["body"])
                assessment = services.create(request.user, body, **form.version_fields())
        except bodies.BodyError as exc:
            form.add_error("body", str(exc))
        except errors.ImpactError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Recorded {assessment.reference} as a draft")
            return redirect(assessment)
    return render(request, "impact/edit.html", {"form": form, "heading": "Record a decision under consideration"})


def _draft(assessment: Assessment) -> Version:
    draft = assessment.draft
    if draft is None:
        raise Http404("There is no draft: start a new version first")
    return draft


@for_body
def edit(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    draft = _draft(assessment)
    form = AssessmentForm(request.POST or None, initial=AssessmentForm.initial_from(draft), version_number=draft.number)
    if request.method == "POST" and form.is_valid():
        try:
            services.update(request.user, draft, **form.version_fields())
        except errors.ImpactError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved version {draft.number}")
            return redirect(assessment)
    return render(request, "impact/edit.html", {"form": form, "assessment": assessment,
                                                "heading": f"Edit version {draft.number}"})  # fmt: skip


@for_body
def add_impact(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    draft = _draft(assessment)
    form = ImpactForm(request.POST or None, places=services.place_choices(draft))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_impact(request.user, draft, data["place"], data["group"], data["direction"],
                                data["description"], data["mitigation"])  # fmt: skip
        except errors.ImpactError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Impact recorded")
            return redirect(f"{assessment.get_absolute_url()}#impacts")
    return _form_page(request, form, "Record an impact", "Record the impact",
                      "An impact on a place the decision touches or on a group of people: positive or negative, "
                      "and for a negative one, how it will be avoided, reduced or justified.", assessment)  # fmt: skip


@for_body
@require_POST
def remove_impact(request: HttpRequest, assessment: Assessment, pk: int) -> HttpResponse:
    impact = get_object_or_404(Impact, pk=pk, version__assessment=assessment)
    try:
        services.remove_impact(request.user, impact)
    except FrozenVersion as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, "Impact removed")
    return redirect(f"{assessment.get_absolute_url()}#impacts")


@for_body
def add_engagement(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    draft = _draft(assessment)
    form = EngagementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_engagement(request.user, draft, data["kind"], data["what"], data["held_on"], data["link"],
                                    data["summary"])  # fmt: skip
        except errors.ImpactError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Engagement recorded")
            return redirect(f"{assessment.get_absolute_url()}#engagement")
    return render(request, "impact/form.html", {
        "form": form, "assessment": assessment, "heading": "Record engagement", "button": "Record the engagement",
        "intro": "Engagement done before the decision. Link to the neighbourhood's engagement log or citizens' panel "
                 "where there is one.",
        "suggestions": services.engagement_logs(draft),
    })  # fmt: skip


@for_body
@require_POST
def remove_engagement(request: HttpRequest, assessment: Assessment, pk: int) -> HttpResponse:
    row = get_object_or_404(Engagement, pk=pk, version__assessment=assessment)
    try:
        services.remove_engagement(request.user, row)
    except FrozenVersion as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, "Engagement removed")
    return redirect(f"{assessment.get_absolute_url()}#engagement")


@for_body
def publish(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    draft = _draft(assessment)
    problems = services.publish_problems(draft)
    if request.method == "POST" and not problems:
        try:
            services.publish(request.user, draft)
        except errors.ImpactError as exc:
            problems = [str(exc)]
        else:
            messages.success(request, f"Published version {draft.number}: it is on the register and open for responses")
            return redirect(assessment)
    return render(request, "impact/publish.html", {"assessment": assessment, "version": draft, "problems": problems,
                                                   "profile": services.profile_of(draft)})  # fmt: skip


@for_body
def new_version(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    form = NewVersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.new_version(request.user, assessment, form.cleaned_data["change_note"])
        except errors.ImpactError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Started version {draft.number} from the published one")
            return redirect("impact:edit", reference=assessment.reference)
    return _form_page(
        request,
        form,
        "Start a new version",
        "Start the new version",
        "The published version stays on the record as it is; the new one starts as a copy.",
        assessment,
    )


@for_body
def answer(request: HttpRequest, assessment: Assessment, pk: int) -> HttpResponse:
    response = get_object_or_404(Response, pk=pk, assessment=assessment)
    form = AnswerForm(request.POST or None, initial={"answer": response.answer})
    if request.method == "POST" and form.is_valid():
        try:
            responses.answer(request.user, response, form.cleaned_data["answer"])
        except errors.ImpactError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Answer published")
            return redirect(f"{assessment.get_absolute_url()}#response-{response.pk}")
    return render(
        request,
        "impact/response_form.html",
        {
            "form": form,
            "assessment": assessment,
            "response": response,
            "heading": "You said, we did",
            "button": "Publish the answer",
        },
    )


@for_body
def hide(request: HttpRequest, assessment: Assessment, pk: int) -> HttpResponse:
    response = get_object_or_404(Response, pk=pk, assessment=assessment)
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            responses.hide_response(request.user, response, form.cleaned_data["reason"])
        except errors.ImpactError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Response hidden; the reason is shown in its place")
            return redirect(f"{assessment.get_absolute_url()}#responses")
    return render(request, "impact/response_form.html", {"form": form, "assessment": assessment, "response": response,
                                                         "heading": "Hide an abusive response",
                                                         "button": "Hide the response", "warning": True})  # fmt: skip


@for_body
def review(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    form = ReviewForm(request.POST or None, initial={"reviewed_on": services.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_review(request.user, assessment, data["reviewed_on"], data["note"], data["next_review"])
        except errors.ImpactError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Review recorded")
            return redirect(f"{assessment.get_absolute_url()}#reviews")
    return _form_page(
        request,
        form,
        "Record a review",
        "Record the review",
        "Look again at what the decision did to the places and people it touched.",
        assessment,
    )


# Residents and boards ---------------------------------------------------------------------------


@requires(Capability.USE_ACCOUNT, scope=scope_of_reference)
def respond(request: HttpRequest, reference: str) -> HttpResponse:
    assessment = get_object_or_404(Assessment.objects.select_related("body"), reference=reference)
    if assessment.published is None:
        raise Http404("Responses open when the assessment is published")
    boards = responses.board_choices(request.user, assessment)
    form = ResponseForm(request.POST or None, boards=boards)
    if request.method == "POST" and form.is_valid():
        try:
            response = responses.respond(request.user, assessment, form.cleaned_data["text"],
                                        form.cleaned_data.get("board") or "")  # fmt: skip
        except errors.ImpactError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your response is published on the record")
            return redirect(f"{assessment.get_absolute_url()}#response-{response.pk}")
    return render(request, "impact/response_form.html", {
        "form": form, "assessment": assessment, "heading": f"Respond to {assessment.published_title}",
        "button": "Publish my response",
        "intro": "Your response is public and signed with your name. The body answers what it did about it.",
    })  # fmt: skip


@requires(Capability.USE_ACCOUNT)
def reviews(request: HttpRequest) -> HttpResponse:
    """The officer's list of reviews due (today and the next 30 days) for the bodies they act for."""
    on = services.today()
    horizon = on + dt.timedelta(days=30)
    mine = {b.pk for b in bodies.bodies_for(request.user)}
    if not mine:
        raise PermissionDenied("Only people acting for a public body see its reviews.")
    due = [d for d in services.due_reviews(horizon) if d["body"].pk in mine]
    return render(request, "impact/reviews.html", {"due": due, "today": on, "horizon": horizon,
                                                   "register": reverse("impact:register")})  # fmt: skip
