"""`{% follow_button "neighbourhood:slug" "North Ward" %}`: any app's page can offer follow/unfollow."""

from __future__ import annotations

from django import template

from commonground.notify import services

register = template.Library()


@register.inclusion_tag("notify/_follow_button.html", takes_context=True)
def follow_button(context, topic: str, label: str = "") -> dict:
    request = context["request"]
    return {
        "topic": topic,
        "label": label or topic,
        "signed_in": request.user.is_authenticated,
        "following": services.is_following(request.user, topic),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
