"""Sign-up, sign-in, account page and role management. Thin: the work is in services.py."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from commonground.accounts import services
from commonground.accounts.forms import PeopleSearchForm, RolesForm, SignInForm, SignUpForm
from commonground.accounts.models import User
from commonground.accounts.permissions import public, requires
from commonground.accounts.roles import ROLE_HINTS, Capability, Role
from commonground.audit.service import record
from commonground.core import sections


@public
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:account")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def link(token: str) -> str:
            return request.build_absolute_uri(reverse("accounts:confirm", args=[token]))

        services.ask_to_sign_up(data["email"], data["full_name"], data["password1"], link)
        return redirect("accounts:sign-up-sent")
    return render(request, "accounts/sign_up.html", {"form": form})


@public
def sign_up_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/sign_up_sent.html")


@public
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); POST confirms the address and signs the person in."""
    if request.method == "POST":
        user = services.confirm_sign_up(token)
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your account has been created")
            return redirect("accounts:account")
        return render(request, "accounts/confirm.html", {"broken": True}, status=400)
    return render(request, "accounts/confirm.html", {"broken": False})


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked is not None:
            response.status_code = 429
            response["Retry-After"] = str(max(1, math.ceil((form.locked.resets_at - timezone.now()).total_seconds())))
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        record(form.user, "accounts.password_reset", form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        record(self.request.user, "accounts.password_change", self.request.user)
        messages.success(self.request, "Your password has been changed")
        return response


@requires(Capability.USE_ACCOUNT)
def account(request: HttpRequest) -> HttpResponse:
    roles = [(r.label, ROLE_HINTS[r]) for r in Role if request.user.has_role(r)]
    return render(request, "accounts/account.html", {"roles": roles, "todo": len(sections.todo(request.user))})


@requires(Capability.USE_ACCOUNT)
def todo(request: HttpRequest) -> HttpResponse:
    """What needs this person's action, in their scope, from every app (through core.sections: no app imported):
    deadlines set in law or in a legal agreement first, then the rest by date."""
    items = sections.todo(request.user)
    today = timezone.localdate()
    for item in items:
        item["overdue"] = item["due"] is not None and item["due"] < today
        item["days"] = (item["due"] - today).days if item["due"] is not None else None
    context = {
        "statutory": [i for i in items if i["statutory"]],
        "others": [i for i in items if not i["statutory"]],
        "horizon": sections.TODO_HORIZON_DAYS,
    }
    return render(request, "accounts/todo.html", context)


@requires(Capability.VERIFY_RESIDENTS)
def people(request: HttpRequest) -> HttpResponse:
    form = PeopleSearchForm(request.GET or None)
    users = User.objects.prefetch_related("role_grants").order_by("email")
    if form.is_valid() and form.cleaned_data["q"]:
        q = form.cleaned_data["q"]
        users = users.filter(Q(email__icontains=q) | Q(full_name__icontains=q))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/people.html", {"form": form, "page": page})


@requires(Capability.VERIFY_RESIDENTS)
def person_roles(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    grantable = services.granting_scopes(request.user)
    scope = request.GET.get("scope") if request.GET.get("scope") in grantable else next(iter(grantable))
    initial = {"scope": scope, "roles": [g.role for g in person.grants if g.scope == scope]}
    form = RolesForm(request.POST or None, grantable=grantable, initial=initial)
    if request.method == "POST" and form.is_valid():
        wanted = {Role(r) for r in form.cleaned_data["roles"]}
        scope = form.cleaned_data["scope"]
        changed = services.set_roles(request.user, person, wanted, grantable[scope], scope)
        messages.success(request, f"Roles for {person.full_name} {'updated' if changed else 'unchanged'}")
        return redirect("accounts:people")
    return render(request, "accounts/person_roles.html", {"form": form, "person": person})
