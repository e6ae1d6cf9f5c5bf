"""Access checks for every view and API operation, in one place.

Each view is wrapped by exactly one of `public` (anyone, signed in or not) or
`requires(capability)` (signed in and holding a role that grants the capability, see roles.py).
A test walks every URL and API operation and fails if one carries neither mark.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse

from commonground.accounts.roles import Capability, roles_allowed

ACCESS_ATTRIBUTE = "commonground_access"


def user_can(user: Any, capability: Capability) -> bool:
    """True when a signed-in, active user holds a role that grants the capability."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.roles & roles_allowed(capability))


def public(view: Callable) -> Callable:
    """Mark a view as open to everyone; the mark is what the coverage test looks for."""
    setattr(view, ACCESS_ATTRIBUTE, "public")
    return view


def requires(capability: Capability) -> Callable[[Callable], Callable]:
    """Let the request through only for users who hold the capability.

    Anonymous users are sent to sign in (pages) or get 401 (API); signed-in users without the
    capability get 403.
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            denial = deny(request, capability)
            if denial is not None:
                return denial
            return view(request, *args, **kwargs)

        setattr(wrapped, ACCESS_ATTRIBUTE, capability)
        return wrapped

    return decorate


def deny(request: HttpRequest, capability: Capability) -> HttpResponse | None:
    """The response refusing this request, or None when the user may go ahead."""
    is_api = request.path.startswith("/api/")
    if not request.user.is_authenticated:
        if is_api:
            return JsonResponse({"detail": "Sign in to use this endpoint."}, status=401)
        return redirect_to_login(request.get_full_path())
    if user_can(request.user, capability):
        return None
    if is_api:
        return JsonResponse({"detail": f"This needs the '{capability}' permission."}, status=403)
    raise PermissionDenied(f"This needs the '{capability}' permission.")
