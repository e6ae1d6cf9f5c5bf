"""Access checks for every view and API operation, in one place.

Each view is wrapped by exactly one of `public` (anyone, signed in or not) or
`requires(capability, scope=...)` (signed in and holding a role that grants the capability, see
roles.py; with `scope`, held where the object acted on lives, see scopes.py). A test walks every URL
and API operation and fails if one carries neither mark.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse

from commonground.accounts.roles import RESIDENTIAL, Capability, roles_allowed
from commonground.accounts.scopes import Scope

ACCESS_ATTRIBUTE = "commonground_access"
SCOPE_ATTRIBUTE = "commonground_scope"
ANYWHERE = object()  # `user_can(...)` without an object: does the person hold the capability anywhere?
ScopeOf = Callable[..., Scope | None]  # (request, *view_args, **view_kwargs) -> where the object lives


def user_can(user: Any, capability: Capability, scope: Scope | None | object = ANYWHERE) -> bool:
    """True when a signed-in, active user holds a role that grants the capability; with `scope`, held
    in a scope that reaches an object living there (None: an object tied to no place, site-wide only)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    allowed = roles_allowed(capability)
    grants = [g for g in user.grants if g.role in allowed]
    if scope is ANYWHERE:
        return bool(grants)
    return any(g.covers(scope, residential=g.role in RESIDENTIAL) for g in grants)


def public(view: Callable) -> Callable:
    """Mark a view as open to everyone; the mark is what the coverage test looks for."""
    setattr(view, ACCESS_ATTRIBUTE, "public")
    return view


def requires(capability: Capability, scope: ScopeOf | None = None) -> Callable[[Callable], Callable]:
    """Let the request through only for users who hold the capability (where the object lives, when
    `scope` says where that is: it gets the view's arguments and raises Http404 for no such object).

    Anonymous users are sent to sign in (pages) or get 401 (API); signed-in users without the
    capability, or holding it only elsewhere, get 403.
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            denial = deny(request, capability)
            if denial is None and scope is not None:
                denial = deny(request, capability, scope(request, *args, **kwargs))
            if denial is not None:
                return denial
            return view(request, *args, **kwargs)

        setattr(wrapped, ACCESS_ATTRIBUTE, capability)
        setattr(wrapped, SCOPE_ATTRIBUTE, scope)
        return wrapped

    return decorate


def deny(request: HttpRequest, capability: Capability, scope: Scope | None | object = ANYWHERE) -> HttpResponse | None:
    """The response refusing this request, or None when the user may go ahead."""
    is_api = request.path.startswith("/api/")
    if not request.user.is_authenticated:
        if is_api:
            return JsonResponse({"detail": "Sign in to use this endpoint."}, status=401)
        return redirect_to_login(request.get_full_path())
    if user_can(request.user, capability, scope):
        return None
    where = "" if scope is ANYWHERE else " here: your role is held for another council or neighbourhood"
    if is_api:
        return JsonResponse({"detail": f"This needs the '{capability}' permission{where}."}, status=403)
    raise PermissionDenied(f"This needs the '{capability}' permission{where}.")
