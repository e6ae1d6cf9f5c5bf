"""Reviews after the decision: when each is due, the reminder list and notices, and recording a review."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse

from commonground.accounts.models import RoleGrant
from commonground.accounts.roles import Capability, roles_allowed
from commonground.audit.service import record
from commonground.impact.errors import ImpactError
from commonground.impact.models import Assessment, Review
from commonground.impact.services import scope_of, site_link, today
from commonground.notify import services as notify
from commonground.publicbodies import services as bodies


def review_due_on(assessment: Assessment) -> dt.date | None:
    """When the decision is next due a review: the last review's next date, else the published version's."""
    last = assessment.reviews.order_by("-reviewed_on", "-id").first()
    if last is not None:
        return last.next_review
    version = assessment.published
    return version.review_date if version else None


def due_reviews(on: dt.date) -> list[dict]:
    """Published assessments whose review is due on or before `on`, most overdue first.

    This is the reminder list: the officer's page shows it, `commonground impact due-reviews` prints it,
    and `remind` (run daily by the worker) queues a notice from it to each of the body's reviewers."""
    due = []
    for assessment in Assessment.objects.exclude(published_version=None).select_related("body"):
        when = review_due_on(assessment)
        if when is not None and when <= on:
            due.append(
                {
                    "assessment": assessment,
                    "reference": assessment.reference,
                    "title": assessment.published_title,
                    "body": assessment.body,
                    "due": when,
                    "days_overdue": (on - when).days,
                }
            )
    return sorted(due, key=lambda d: (d["due"], d["reference"]))


REMIND_DAYS_BEFORE = 7


def reviewers(body) -> list:
    """Who is reminded of a body's reviews: the accounts named on it and the officers of the councils it
    serves (not site-wide roles, which would hear of every body's reviews)."""
    people = {u.pk: u for u in body.members.filter(is_active=True)}
    scopes = [f"council:{code}" for code in bodies.scope_of(body).councils]
    grants = RoleGrant.objects.filter(role__in=[r.value for r in roles_allowed(Capability.RUN_PROCESSES)],
                                      scope__in=scopes, user__is_active=True).select_related("user")  # fmt: skip
    for grant in grants:
        people.setdefault(grant.user_id, grant.user)
    return sorted(people.values(), key=lambda u: u.pk)


def remind(on: dt.date | None = None, days_before: int = REMIND_DAYS_BEFORE) -> int:
    """Queue a reminder to each reviewer of every review due within `days_before` days of `on` (or overdue),
    once per review date and person (the notify outbox delivers it). The worker runs this daily; returns
    how many notices were newly queued."""
    on = on or today()
    made = 0
    for due in due_reviews(on + dt.timedelta(days=days_before)):
        assessment, when = due["assessment"], due["due"]
        days = (when - on).days
        timing = f"is due on {when:%d %B %Y}" + (
            f" ({days} days away)" if days > 0 else " (overdue)" if days < 0 else ""
        )
        for person in reviewers(assessment.body):
            notice = notify.send(
                subject=f"Review due: {due['title']} ({assessment.reference})",
                body=f"The review of “{due['title']}” ({assessment.reference}) for {assessment.body.name} {timing}. "
                f"Look again at what the decision did to the places and people it touched, and record the review "
                f"at {site_link(reverse('impact:review', args=[assessment.reference]))}",
                template="impact.review_due",
                email=person.email,
                name=person.full_name,
                role="officer",
                about=assessment,
                scope=scope_of(assessment),
                dedupe_key=f"impact.review:{assessment.reference}:{when.isoformat()}:{person.pk}",
            )
            made += notice.made
    return made


@transaction.atomic
def record_review(actor, assessment: Assessment, reviewed_on: dt.date, note: str, next_review=None) -> Review:
    if assessment.published is None:
        raise ImpactError("only a published assessment is reviewed")
    if not note.strip():
        raise ImpactError("say what the review found")
    if next_review is not None and next_review <= reviewed_on:
        raise ImpactError("the next review must come after this one")
    review = Review.objects.create(
        assessment=assessment,
        reviewed_on=reviewed_on,
        note=note.strip(),
        next_review=next_review,
        by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor, "impact.review", assessment, object_label=assessment.reference,
           after={"reviewed_on": reviewed_on, "next_review": next_review})  # fmt: skip
    return review
