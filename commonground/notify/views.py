"""The officer's outbox and letters to print; following and one-click unsubscribing for residents.
Thin: the work is in services.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires
from commonground.accounts.roles import Capability
from commonground.notify import letters as printing
from commonground.notify import services
from commonground.notify.models import Notice


@requires(Capability.RUN_PROCESSES)
def outbox(request: HttpRequest) -> HttpResponse:
    mine = services.visible(request.user)
    status = request.GET.get("status", "")
    about = request.GET.get("about", "")[:60]
    notices = mine.filter(status=status) if status in Notice.Status.values else mine
    if about:
        notices = notices.filter(related_type=about)
    counts = dict(mine.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return render(
        request,
        "notify/outbox.html",
        {
            "page": Paginator(notices.order_by("-due_at", "-id"), 100).get_page(request.GET.get("page")),
            "statuses": [(s.value, s.label, counts.get(s.value, 0)) for s in Notice.Status],
            "status": status,
            "about": about,
            "letters_waiting": services.letters_to_print(request.user).count(),
            "destination": services.mail_destination(),
            "max_attempts": services.MAX_ATTEMPTS,
        },
    )


@requires(Capability.RUN_PROCESSES)
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(services.visible(request.user), pk=pk)
    try:
        services.retry(request.user, notice)
    except services.NoticeError as exc:
        return HttpResponseBadRequest(str(exc))
    messages.success(request, f"Notice {notice.pk} will be sent again shortly")
    return redirect("notify:outbox")


@requires(Capability.RUN_PROCESSES)
def letters(request: HttpRequest) -> HttpResponse:
    waiting = services.letters_to_print(request.user)
    error = ""
    if request.method == "POST":
        chosen = list(waiting.filter(pk__in=[v for v in request.POST.getlist("letter") if v.isdigit()]))
        if not chosen:
            error = "Choose at least one letter"
        elif request.POST.get("action") == "posted":
            posted = services.mark_posted(request.user, chosen)
            messages.success(request, f"{posted} letter{'s' if posted != 1 else ''} marked as posted")
            return redirect("notify:letters")
        else:
            response = HttpResponse(printing.render_pdf(chosen), content_type="application/pdf")
            response["Content-Disposition"] = 'attachment; filename="letters.pdf"'
            return response
    return render(request, "notify/letters.html", {"letters": waiting[:500], "error": error})


@requires(Capability.USE_ACCOUNT)
def following(request: HttpRequest) -> HttpResponse:
    return render(request, "notify/following.html", {"topics": services.following(request.user)})


@requires(Capability.USE_ACCOUNT)
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    topic = request.POST.get("topic", "")
    try:
        if request.POST.get("action") == "unfollow":
            services.unfollow(request.user, topic)
            messages.success(request, f"You no longer follow {topic}")
        else:
            services.follow(request.user, topic)
            messages.success(request, f"You now follow {topic}: you will get its news by email")
    except services.NoticeError as exc:
        return HttpResponseBadRequest(str(exc))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("notify:following")


@public
@csrf_exempt  # the signed token is the credential; mail programs POST here without cookies (RFC 8058)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, topic = services.read_unsubscribe_token(token)
    except services.NoticeError as exc:
        return render(request, "notify/unsubscribe.html", {"error": str(exc)}, status=400)
    done = request.method == "POST"
    if done:
        services.unfollow(user, topic)
    return render(request, "notify/unsubscribe.html", {"topic": topic, "done": done})
