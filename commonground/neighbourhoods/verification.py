"""Verifying residents: a resident asks to be verified as living in a neighbourhood, an officer who verifies
residents there checks evidence and decides, and the resident is told.

The postcode is checked against the loaded postcode lookup (it must lie in one of the neighbourhood's LSOAs);
where no lookup is loaded for the area, the officer checks by evidence alone. Approval grants the verified
resident role for `neighbourhood:SLUG` (with the neighbourhood's councils, so the resident also reaches the
council's processes open to all its residents). The audit log names the account and the request by id only;
the name, address and postcode are on the request, seen by officers in scope, and erased
COMMONGROUND_VERIFICATION_KEEP_DAYS after the decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from commonground.accounts import services as accounts
from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability, Role
from commonground.audit.service import record
from commonground.engine import postcodes
from commonground.neighbourhoods import services
from commonground.neighbourhoods.models import Neighbourhood, VerificationRequest
from commonground.notify import services as notify
from commonground.places import services as places

Status = VerificationRequest.Status
TEMPLATE = "neighbourhoods.verification"


class VerificationError(ValueError):
    """A request or decision that cannot be made as asked; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def lookup_loaded(neighbourhood: Neighbourhood) -> bool:
    """Whether the postcode lookup covers any of the neighbourhood's LSOAs."""
    return any(places.has_postcodes(area) for area in services.areas_of(neighbourhood))


def check_postcode(neighbourhood: Neighbourhood, text: str) -> tuple[str, str]:
    """The postcode in its published form and how it was checked; VerificationError, saying plainly why,
    when the lookup knows the area and the postcode is not in it."""
    postcode = postcodes.normalise(text or "")
    if postcode is None:
        raise VerificationError("Enter a real postcode, like XX2 1DH", "postcode")
    if not lookup_loaded(neighbourhood):
        return postcode, VerificationRequest.PostcodeCheck.NO_LOOKUP
    found = places.postcode_lsoa_ids(postcode)
    if not found:
        raise VerificationError(
            f"We do not recognise the postcode {postcode}. Check it: it may be new, or no longer in use. If it "
            "is right, ask the council to verify you another way",
            "postcode",
        )
    if not found & {a.pk for a in services.areas_of(neighbourhood)}:
        raise VerificationError(
            f"{postcode} is not in {neighbourhood.name}: the postcode lies outside the neighbourhood's "
            f"boundary. Check the postcode, or ask to be verified for the neighbourhood you live in",
            "postcode",
        )
    return postcode, VerificationRequest.PostcodeCheck.INSIDE


def is_verified(user, neighbourhood: Neighbourhood) -> bool:
    scope = f"neighbourhood:{neighbourhood.slug}"
    return any(g.role == Role.VERIFIED_RESIDENT and g.scope == scope for g in getattr(user, "grants", ()))


def waiting_for(user, neighbourhood: Neighbourhood) -> VerificationRequest | None:
    return VerificationRequest.objects.filter(neighbourhood=neighbourhood, user=user, status=Status.WAITING).first()


def latest_for(user, neighbourhood: Neighbourhood) -> VerificationRequest | None:
    found = VerificationRequest.objects.filter(neighbourhood=neighbourhood, user=user)
    return found.order_by("-asked_at", "-id").first()


def ask(user, neighbourhood: Neighbourhood, *, full_name: str, address: str, postcode: str,
        reply_by: str = VerificationRequest.Reply.EMAIL) -> VerificationRequest:  # fmt: skip
    """A resident's request; one waiting request per person and neighbourhood."""
    if is_verified(user, neighbourhood):
        raise VerificationError(f"You are already verified as a resident of {neighbourhood.name}")
    if not full_name.strip():
        raise VerificationError("Enter your full name", "full_name")
    if not address.strip():
        raise VerificationError("Enter your address", "address")
    if reply_by not in VerificationRequest.Reply.values:
        raise VerificationError("Choose how we should tell you", "reply_by")
    postcode, check = check_postcode(neighbourhood, postcode)
    try:
        with transaction.atomic():
            request = VerificationRequest.objects.create(
                neighbourhood=neighbourhood, user=user, full_name=full_name.strip(), address=address.strip(),
                postcode=postcode, reply_by=reply_by, postcode_check=check,
            )  # fmt: skip
            after = {"neighbourhood": neighbourhood.slug, "account": user.pk, "postcode_check": check}
            record(user, "neighbourhoods.verification_asked", request, after=after)
    except IntegrityError:
        raise VerificationError(
            f"You have already asked to be verified for {neighbourhood.name}: an officer will decide soon"
        ) from None
    return request


def can_verify(user, neighbourhood: Neighbourhood) -> bool:
    """Officers holding VERIFY_RESIDENTS for the site, the neighbourhood's council or the neighbourhood."""
    return user_can(user, Capability.VERIFY_RESIDENTS, services.scope_of(neighbourhood))


def queue(user, neighbourhood: Neighbourhood | None = None) -> QuerySet[VerificationRequest]:
    """Waiting requests this person may decide (in one neighbourhood, or everywhere they verify), oldest first."""
    found = VerificationRequest.objects.filter(status=Status.WAITING).select_related("neighbourhood", "user")
    if neighbourhood is not None:
        return found.filter(neighbourhood=neighbourhood) if can_verify(user, neighbourhood) else found.none()
    slugs = [n.slug for n in Neighbourhood.objects.filter(pk__in=found.values("neighbourhood")) if can_verify(user, n)]
    return found.filter(neighbourhood__slug__in=slugs)


def _tell(request: VerificationRequest) -> None:
    """Email the resident (or write to them, if they asked for a letter or have no email address)."""
    neighbourhood = request.neighbourhood
    page = settings.COMMONGROUND_SITE_URL + reverse("neighbourhoods:detail", args=[neighbourhood.slug])
    if request.status == Status.APPROVED:
        subject = f"You are verified as a resident of {neighbourhood.name}"
        body = (
            f"Dear {request.full_name},\n\nA council officer has checked your evidence and verified you as a "
            f"resident of {neighbourhood.name}. You can now vote and volunteer in its processes that are open to "
            f"verified residents.\n\nSee what is happening: {page}"
        )
    else:
        subject = f"We could not verify you as a resident of {neighbourhood.name}"
        body = (
            f"Dear {request.full_name},\n\nA council officer could not verify you as a resident of "
            f"{neighbourhood.name}.\n\nWhy: {request.reason}\n\nYou can ask again with other evidence: "
            f"{settings.COMMONGROUND_SITE_URL + reverse('neighbourhoods:verify', args=[neighbourhood.slug])}"
        )
    by_post = request.reply_by == VerificationRequest.Reply.LETTER or not request.user.email
    notify.send(
        subject=subject, body=body, template=TEMPLATE, email="" if by_post else request.user.email,
        name=request.full_name, address="" if not by_post else f"{request.address}\n{request.postcode}",
        role="resident", about=request, scope=services.scope_of(neighbourhood),
        dedupe_key=f"{TEMPLATE}:{request.pk}",
    )  # fmt: skip


@transaction.atomic
def decide(actor, request: VerificationRequest, *, approve: bool, evidence: list[str], reason: str = "") -> None:
    """Approve (granting the verified resident role for the neighbourhood) or refuse with a reason; the
    resident is told. Only an officer who verifies residents where the neighbourhood lives decides."""
    request = VerificationRequest.objects.select_for_update().select_related("neighbourhood", "user").get(pk=request.pk)
    neighbourhood = request.neighbourhood
    if not can_verify(actor, neighbourhood):
        raise VerificationError("You do not verify residents in this neighbourhood")
    if request.status != Status.WAITING:
        raise VerificationError("This request has already been decided")
    unknown = [kind for kind in evidence if kind not in VerificationRequest.Evidence.values]
    if unknown:
        raise VerificationError("Choose the kinds of evidence from the list", "evidence")
    if approve and not evidence:
        raise VerificationError("Say what evidence you saw before verifying someone", "evidence")
    if not approve and not reason.strip():
        raise VerificationError("Say why the request is refused: the resident is told", "reason")
    request.status = Status.APPROVED if approve else Status.REFUSED
    request.evidence = sorted(set(evidence))
    request.reason = "" if approve else reason.strip()
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.save(update_fields=["status", "evidence", "reason", "decided_at", "decided_by"])
    if approve:
        councils = tuple(services.councils_of(neighbourhood.slug))
        accounts.set_roles(actor, request.user, {Role.VERIFIED_RESIDENT}, frozenset({Role.VERIFIED_RESIDENT}),
                           f"neighbourhood:{neighbourhood.slug}", councils)  # fmt: skip
    record(actor, "neighbourhoods.verification_decided", request,
           after={"neighbourhood": neighbourhood.slug, "account": request.user_id, "status": request.status,
                  "evidence": request.evidence})  # fmt: skip
    _tell(request)


erase_old = services.erase_old_verification_requests
