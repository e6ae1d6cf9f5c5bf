from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from commonground.accounts.permissions import requires
from commonground.accounts.roles import Capability
from commonground.audit.models import AuditRecord


@requires(Capability.READ_AUDIT_LOG)
def log(request: HttpRequest) -> HttpResponse:
    page = Paginator(AuditRecord.objects.order_by("-seq"), 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"page": page})
