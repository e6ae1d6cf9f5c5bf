"""Delivery pages: every funded thing's record, timeline and photos for anyone; updates and milestones by
the council's officers where it lives. The work is in services.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from commonground.accounts.permissions import public, requires, user_can
from commonground.accounts.roles import Capability
from commonground.accounts.scopes import Scope
from commonground.delivery import services
from commonground.delivery.forms import MilestoneForm, UpdateForm
from commonground.delivery.models import Milestone, Photo, Record
from commonground.delivery.services import DeliveryError


def scope_of_record(request: HttpRequest, pk: int, **kwargs) -> Scope | None:
    """Where the record in the address lives: its council and neighbourhood."""
    return services.scope_of(get_object_or_404(Record.objects.select_related("council", "neighbourhood"), pk=pk))


def _record(pk: int) -> Record:
    return get_object_or_404(Record.objects.select_related("council", "neighbourhood"), pk=pk)


@public
def record_list(request: HttpRequest) -> HttpResponse:
    source = request.GET.get("source", "")
    source = source if source in Record.Source.values else ""
    found = services.records(council=request.GET.get("council", "")[:16], source=source)
    slug = request.GET.get("neighbourhood", "")[:80]
    if slug:
        found = found.filter(neighbourhood__slug=slug)
    return render(
        request, "delivery/list.html", {"records": found[:500], "source": source, "sources": Record.Source.choices}
    )


@public
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _record(pk)
    return render(
        request,
        "delivery/detail.html",
        {
            "record": item,
            "timeline": services.timeline(item),
            "milestones": item.milestones.all(),
            "left": max(item.amount_pence - item.spent_pence, 0),
            "over": max(item.spent_pence - item.amount_pence, 0),
            "can_update": user_can(request.user, Capability.RUN_PROCESSES, services.scope_of(item)),
        },
    )


def _form_page(request, item: Record, form, heading: str, button: str, multipart: bool = False) -> HttpResponse:
    context = {"form": form, "heading": heading, "caption": item.title, "button": button, "multipart": multipart,
               "back": item.get_absolute_url(), "intro": []}  # fmt: skip
    return render(request, "govuk/simple_form.html", context)


@requires(Capability.RUN_PROCESSES, scope=scope_of_record)
def post_update(request: HttpRequest, pk: int) -> HttpResponse:
    item = _record(pk)
    initial = {"status": item.status, "progress": item.progress, "spent": f"{item.spent_pence / 100:.2f}"}
    form = UpdateForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_update(
                request.user, item, text=data["text"], status=data["status"], progress=data["progress"],
                spent_pence=data["spent"], photo=data.get("photo"), alt_text=data.get("alt_text", ""),
            )  # fmt: skip
        except DeliveryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, "Update published")
            return redirect("delivery:detail", pk=item.pk)
    return _form_page(request, item, form, "Post an update", "Publish the update", multipart=True)


@requires(Capability.RUN_PROCESSES, scope=scope_of_record)
def add_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    item = _record(pk)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_milestone(request.user, item, form.cleaned_data["title"], form.cleaned_data["due_on"])
        except DeliveryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, "Milestone added")
            return redirect("delivery:detail", pk=item.pk)
    return _form_page(request, item, form, "Add a milestone", "Add the milestone")


@require_POST
@requires(Capability.RUN_PROCESSES, scope=scope_of_record)
def milestone_done(request: HttpRequest, pk: int, milestone: int) -> HttpResponse:
    item = _record(pk)
    found = get_object_or_404(Milestone, pk=milestone, record=item)
    try:
        services.complete_milestone(request.user, found, timezone.localdate())
    except DeliveryError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Milestone met: {found.title}")
    return redirect("delivery:detail", pk=item.pk)


@public
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A stored photo, sent with the type its content was checked to be (photos of funded work are public)."""
    found = get_object_or_404(Photo, pk=pk)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404("The photo's file is missing") from None
    response = FileResponse(handle, content_type=services.CONTENT_TYPES[found.kind])
    response["Content-Disposition"] = f'inline; filename="photo-{found.pk}.{found.kind}"'
    response["Cache-Control"] = "public, max-age=86400"
    return response
