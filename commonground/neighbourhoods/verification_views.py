"""Verifying residents: the resident's request, the officer's queue and decision. Thin: the work is in
verification.py. GOV.UK patterns with error summaries; no JavaScript."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.accounts.permissions import requires
from commonground.accounts.roles import Capability
from commonground.neighbourhoods import verification
from commonground.neighbourhoods.forms import VerificationDecisionForm, VerificationRequestForm
from commonground.neighbourhoods.models import Neighbourhood, VerificationRequest
from commonground.neighbourhoods.views import scope_of_slug


def _refuse(form, error: verification.VerificationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


@requires(Capability.USE_ACCOUNT)
def verify(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone signed in may ask to be verified as living in any neighbourhood; officers there decide."""
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    verified = verification.is_verified(request.user, neighbourhood)
    waiting = verification.waiting_for(request.user, neighbourhood)
    latest = verification.latest_for(request.user, neighbourhood)
    initial = {"full_name": request.user.full_name}
    form = VerificationRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and not verified and waiting is None and form.is_valid():
        try:
            verification.ask(request.user, neighbourhood, **form.cleaned_data)
        except verification.VerificationError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, f"Your request to be verified for {neighbourhood.name} is in")
            return redirect("neighbourhoods:verify", slug=slug)
    context = {
        "neighbourhood": neighbourhood,
        "form": form,
        "verified": verified,
        "waiting": waiting,
        "latest": latest,
        "lookup_loaded": verification.lookup_loaded(neighbourhood),
        "keep_days": settings.COMMONGROUND_VERIFICATION_KEEP_DAYS,
    }
    return render(request, "neighbourhoods/verify.html", context)


@requires(Capability.VERIFY_RESIDENTS, scope=scope_of_slug)
def verification_queue(request: HttpRequest, slug: str) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    waiting = verification.queue(request.user, neighbourhood)
    decided = neighbourhood.verification_requests.exclude(status=VerificationRequest.Status.WAITING).order_by(
        "-decided_at"
    )[:20]
    return render(request, "neighbourhoods/verification_queue.html",
                  {"neighbourhood": neighbourhood, "waiting": waiting, "decided": decided})  # fmt: skip


@requires(Capability.VERIFY_RESIDENTS, scope=scope_of_slug)
def verification_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    asked = get_object_or_404(VerificationRequest.objects.select_related("user"), pk=pk, neighbourhood=neighbourhood)
    if asked.erased_at is not None:
        raise Http404("This request was decided long ago and its details are erased")
    form = VerificationDecisionForm(request.POST or None)
    if request.method == "POST" and asked.status == VerificationRequest.Status.WAITING and form.is_valid():
        data = form.cleaned_data
        try:
            verification.decide(request.user, asked, approve=data["decision"] == "approve",
                                evidence=data["evidence"], reason=data["reason"])  # fmt: skip
        except verification.VerificationError as exc:
            _refuse(form, exc)
        else:
            outcome = "verified" if data["decision"] == "approve" else "not verified"
            messages.success(request, f"Request {asked.pk} decided: {outcome}. The resident is being told.")
            return redirect("neighbourhoods:verification", slug=slug)
    return render(request, "neighbourhoods/verification_decide.html",
                  {"neighbourhood": neighbourhood, "asked": asked, "form": form})  # fmt: skip
