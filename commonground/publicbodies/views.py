"""Public bodies: the public list and page of each, recording one, and naming who acts for it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.accounts.models import User
from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.core import sections
from commonground.publicbodies import services
from commonground.publicbodies.forms import BodyForm, MemberForm
from commonground.publicbodies.models import PublicBody


def scope_of_body(request: HttpRequest, slug: str, **kwargs) -> Scope:
    return services.scope_of(get_object_or_404(PublicBody, slug=slug))


@public
def body_list(request: HttpRequest) -> HttpResponse:
    bodies = PublicBody.objects.prefetch_related("councils")
    return render(request, "publicbodies/list.html",
                  {"bodies": bodies, "can_create": user_can(request.user, Capability.RUN_PROCESSES)})  # fmt: skip


@public
def body_detail(request: HttpRequest, slug: str) -> HttpResponse:
    body = get_object_or_404(PublicBody.objects.prefetch_related("councils"), slug=slug)
    acts = services.acts_for(request.user, body)
    context = {"body": body, "acts": acts, "members": body.members.order_by("full_name") if acts else None,
               "happening": [link for c in body.councils.all() for link in sections.links(c)][:50]}  # fmt: skip
    return render(request, "publicbodies/detail.html", context)


@requires(Capability.RUN_PROCESSES)
def body_create(request: HttpRequest) -> HttpResponse:
    """Officers record a body serving their council (an NHS trust, a police force); site admins any."""
    form = BodyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not user_can(request.user, Capability.RUN_PROCESSES, Scope.of(data["councils"])):
            form.add_error("councils", "You can record bodies only for councils you work for")
        else:
            try:
                body = services.create(request.user, data["name"], data["kind"], data["code"], data["councils"])
            except services.BodyError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Recorded {body.name}")
                return redirect(body)
    return render(request, "publicbodies/create.html", {"form": form})


@requires(Capability.USE_ACCOUNT, scope=scope_of_body)
def body_members(request: HttpRequest, slug: str) -> HttpResponse:
    """Who acts for the body: anyone acting for it may add or remove accounts."""
    body = get_object_or_404(PublicBody, slug=slug)
    if not services.acts_for(request.user, body):
        raise PermissionDenied("Only people acting for this body can change who acts for it.")
    form = MemberForm(request.POST or None)
    if request.method == "POST" and "remove" in request.POST:
        member = body.members.filter(pk=request.POST.get("remove")).first()
        if member is not None and services.remove_member(request.user, body, member):
            messages.success(request, "Removed the account")
        return redirect("publicbodies:members", slug=body.slug)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
        if user is None:
            form.add_error("email", "No active account has that email address: ask them to create one first")
        else:
            services.add_member(request.user, body, user)
            messages.success(request, "Added the account")
            return redirect("publicbodies:members", slug=body.slug)
    return render(request, "publicbodies/members.html",
                  {"body": body, "form": form, "members": body.members.order_by("full_name")})  # fmt: skip
