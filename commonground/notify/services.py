"""The outbox's public surface: other apps queue notices here, the worker delivers them, officers
see them, residents follow topics. Apps never touch the Notice model directly.

Delivery is at least once: a worker claims a due notice (status "sending", a lease of LEASE), sends
it outside any transaction, then records the result. Two workers never claim the same notice
(SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite takes its write lock at BEGIN, and the
claim is a compare-and-set besides). A worker that dies mid-send leaves the lease to run out, and
the notice is tried again.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.mail import get_connection
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F, Model, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.models import User
from commonground.accounts.roles import Capability, roles_allowed
from commonground.accounts.scopes import SITE, Scope
from commonground.audit.service import record
from commonground.notify import channels
from commonground.notify.models import Notice, Subscription

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # then the notice is marked failed and shown on the outbox page
FIRST_RETRY = dt.timedelta(minutes=1)  # doubled after each failure: 1, 2, 4 ... 64 minutes
LONGEST_WAIT = dt.timedelta(hours=6)
LEASE = dt.timedelta(minutes=10)  # far longer than one send can take (30-second timeouts)
TOPIC = re.compile(r"^[a-z][a-z0-9_]*:[A-Za-z0-9_.-]{1,100}$")
UNSUBSCRIBE_SALT = "commonground.notify.unsubscribe"


class NoticeError(ValueError):
    """A notice or subscription that cannot be made as asked; the message says why."""


def now() -> dt.datetime:
    """The outbox's clock; tests pass `now` explicitly or patch this."""
    return timezone.now()


# --- queueing ----------------------------------------------------------------------------------


def _delimited(values: Iterable[str]) -> str:
    values = sorted(set(filter(None, values)))
    return f",{','.join(values)}," if values else ""


def send(
    *,
    subject: str,
    body: str,
    template: str,
    email: str = "",
    name: str = "",
    address: str = "",
    role: str = "",
    about: Model | None = None,
    label: str = "",
    scope: Scope | None = None,
    dedupe_key: str = "",
    unsubscribe_url: str = "",
    due: dt.datetime | None = None,
) -> Notice:
    """Queue a notice: an email when there is an address, else a letter to the postal address.

    With `dedupe_key`, a second call returns the first notice unchanged (a reminder is made once); a
    cancelled one is queued again, since it was never sent. `.made` on the result says whether this
    call queued it. `about` names the object (its label must hold no personal data; `label` overrides).
    """
    email, address = email.strip(), address.strip()
    if not email and not address:
        raise NoticeError("a notice needs an email address or a postal address")
    due = due or now()
    fields = {
        "channel": Notice.Channel.EMAIL if email else Notice.Channel.LETTER,
        "recipient_email": email,
        "recipient_name": name[:200],
        "postal_address": address,
        "recipient_role": role[:40],
        "subject": " ".join(subject.split())[:300],
        "body": body,
        "template": template[:60],
        "related_type": about._meta.label_lower if about is not None else "",
        "related_id": str(about.pk) if about is not None else "",
        "related_label": (label or (str(about) if about is not None else ""))[:200],
        "scope_councils": _delimited(scope.councils) if scope else "",
        "scope_neighbourhoods": _delimited(scope.neighbourhoods) if scope else "",
        "unsubscribe_url": unsubscribe_url[:500],
        "due_at": due,
        "next_attempt_at": due,
    }
    if not dedupe_key:
        notice = Notice.objects.create(**fields)
        notice.made = True
        return notice
    existing = Notice.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None and existing.status == Notice.Status.CANCELLED:
        Notice.objects.filter(pk=existing.pk).update(**fields, status=Notice.Status.QUEUED, attempts=0, last_error="")
        existing.refresh_from_db()
        existing.made = True
        return existing
    if existing is None:
        try:
            with transaction.atomic():
                notice = Notice.objects.create(**fields, dedupe_key=dedupe_key[:200])
                notice.made = True
                return notice
        except IntegrityError:  # another writer made it first
            existing = Notice.objects.get(dedupe_key=dedupe_key)
    existing.made = False
    return existing


def schedule(due: dt.datetime, **notice) -> Notice:
    """Queue a notice that must not go before `due` (e.g. a week before a statutory deadline)."""
    return send(due=due, **notice)


def cancel(about: Model, template: str, keep: Iterable[str] = ()) -> int:
    """Cancel the queued notices of one kind about an object, except those whose dedupe keys are kept
    (e.g. reminders of deadlines a later step has made moot). Sent ones stay as they were."""
    return (
        Notice.objects.filter(
            related_type=about._meta.label_lower,
            related_id=str(about.pk),
            template=template,
            status=Notice.Status.QUEUED,
        )
        .exclude(dedupe_key__in=list(keep))
        .update(status=Notice.Status.CANCELLED)
    )


def notices_about(about: Model) -> QuerySet[Notice]:
    """Every notice about an object, newest first: the history shown on its page."""
    return Notice.objects.filter(related_type=about._meta.label_lower, related_id=str(about.pk))


# --- delivering --------------------------------------------------------------------------------


def _due(at: dt.datetime) -> QuerySet[Notice]:
    due = Notice.objects.filter(
        status__in=[Notice.Status.QUEUED, Notice.Status.SENDING], next_attempt_at__lte=at, due_at__lte=at
    )
    return due if channels.letters_by_provider() else due.filter(channel=Notice.Channel.EMAIL)


def _claim(at: dt.datetime) -> Notice | None:
    """Take the next due notice for this worker, or None when nothing is due."""
    for _race in range(10):
        with transaction.atomic():
            candidate = _due(at).select_for_update(skip_locked=True).order_by("next_attempt_at", "id").first()
            if candidate is None:
                return None
            taken = Notice.objects.filter(pk=candidate.pk, status=candidate.status, attempts=candidate.attempts).update(
                status=Notice.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=at + LEASE
            )
        if taken:
            candidate.refresh_from_db()
            return candidate
    return None


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the n-th failed attempt: doubling, capped, with up to 10% jitter."""
    wait = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)
    return wait + wait * random.uniform(0, 0.1)


def _finish(notice: Notice, **fields) -> None:
    Notice.objects.filter(pk=notice.pk, status=Notice.Status.SENDING).update(**fields)


def _attempt(notice: Notice, at: dt.datetime, mail) -> str:
    try:
        provider_id = channels.deliver(notice, mail, at)
    except channels.Deferred as exc:
        _finish(
            notice,
            status=Notice.Status.QUEUED,
            attempts=F("attempts") - 1,  # waiting for a limit to lift is not a failure
            next_attempt_at=max(exc.until, at),
            last_error=channels.redact(str(exc)),
        )
        return "deferred"
    except channels.Permanent as exc:
        _finish(notice, status=Notice.Status.FAILED, last_error=channels.redact(str(exc)))
        return "failed"
    except Exception as exc:
        error = str(exc) if isinstance(exc, channels.Temporary) else f"unexpected {type(exc).__name__}: {exc}"
        if not isinstance(exc, channels.Temporary):
            logger.error("Notice %s: unexpected error while sending", notice.pk, exc_info=True)
        if notice.attempts >= MAX_ATTEMPTS:
            _finish(notice, status=Notice.Status.FAILED, last_error=channels.redact(error))
            return "failed"
        _finish(
            notice,
            status=Notice.Status.QUEUED,
            next_attempt_at=at + backoff(notice.attempts),
            last_error=channels.redact(error),
        )
        return "retrying"
    _finish(notice, status=Notice.Status.SENT, sent_at=at, provider_id=provider_id[:200], last_error="")
    return "sent"


def deliver_due(at: dt.datetime | None = None, limit: int = 500, stop: threading.Event | None = None) -> Counter:
    """Send every notice due by `at` (default now), at most `limit`; counts of sent, retrying, failed, deferred."""
    at = at or now()
    counts: Counter = Counter()
    mail = get_connection()
    try:
        for _ in range(limit):
            if stop is not None and stop.is_set():
                break
            notice = _claim(at)
            if notice is None:
                break
            counts[_attempt(notice, at, mail)] += 1
    finally:
        mail.close()
    if counts:
        logger.info("Notices: %s", ", ".join(f"{n} {what}" for what, n in sorted(counts.items())))
    return counts


def deliver_forever(stop: threading.Event, interval: float, daily: Sequence[Callable[[], object]] = ()) -> None:
    """The worker's delivery loop: send what is due every `interval` seconds until `stop` is set, and
    once a day (at start and after midnight) run the `daily` jobs (e.g. assets' reminders) and erase
    old personal data. Runs in a thread of `commonground worker`, so no cron job is needed."""
    last_day = None
    while not stop.is_set():
        try:
            if timezone.localdate() != last_day:
                last_day = timezone.localdate()
                for job in (erase_old, *daily):
                    try:
                        job()
                    except Exception:
                        logger.error("Daily job %s failed", getattr(job, "__qualname__", job), exc_info=True)
            deliver_due(stop=stop)
        except Exception:  # e.g. the database restarting: log it and try again next round
            logger.error("Notice delivery failed; trying again in %s seconds", interval, exc_info=True)
        finally:
            close_old_connections()
        stop.wait(interval)
    connection.close()


def erase_old(at: dt.datetime | None = None) -> int:
    """Blank the recipient and body of notices finished more than COMMONGROUND_NOTIFY_KEEP_DAYS ago,
    keeping what, when and to which role (the history on an object's page), and delete the private
    outbox's mail files as old. Returns how many notices were erased."""
    at = at or now()
    cutoff = at - dt.timedelta(days=settings.COMMONGROUND_NOTIFY_KEEP_DAYS)
    outbox = Path(settings.EMAIL_OUTBOX_DIR)
    for written in outbox.glob("*.eml") if outbox.is_dir() else ():
        if written.stat().st_mtime < cutoff.timestamp():
            written.unlink(missing_ok=True)
    finished = [Notice.Status.SENT, Notice.Status.FAILED, Notice.Status.CANCELLED]
    return Notice.objects.filter(status__in=finished, due_at__lt=cutoff, erased_at__isnull=True).update(
        recipient_email="", recipient_name="", postal_address="", body="", unsubscribe_url="", erased_at=at
    )


def mail_destination() -> str:
    """One line for `commonground serve` to say where mail goes."""
    backend = settings.EMAIL_BACKEND
    if backend.endswith("OutboxBackend"):
        where = (
            f"Mail is not sent: it is written to {settings.EMAIL_OUTBOX_DIR} (readable only by this user); "
            "set COMMONGROUND_EMAIL_HOST or COMMONGROUND_NOTIFY_API_KEY to send it"
        )
    elif backend.endswith("NotifyBackend"):
        where = "Mail is sent by GOV.UK Notify"
    elif backend == "django.core.mail.backends.smtp.EmailBackend":
        where = f"Mail is sent by SMTP through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    elif backend == "django.core.mail.backends.console.EmailBackend":
        where = "Mail is printed to this terminal: not for real use, password-reset links would be in the log"
    else:
        where = f"Mail goes to {backend}"
    if channels.letters_by_provider():
        return f"{where}; GOV.UK Notify posts letters."
    return f"{where}; officers print letters at /notify/letters/."


# --- officers ----------------------------------------------------------------------------------


def visible(user, capability: Capability = Capability.RUN_PROCESSES) -> QuerySet[Notice]:
    """The notices a person may see: all of them with a site-wide role, else those in their councils
    and neighbourhoods (a notice tied to no place is for site-wide roles only, as in accounts.scopes)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Notice.objects.none()
    allowed = roles_allowed(capability)
    grants = [g for g in user.grants if g.role in allowed]
    if any(g.kind == SITE for g in grants):
        return Notice.objects.all()
    reach = Q(pk__in=[])
    for grant in grants:
        if grant.kind == "council":
            reach |= Q(scope_councils__contains=f",{grant.key},")
        else:
            reach |= Q(scope_neighbourhoods__contains=f",{grant.key},")
    return Notice.objects.filter(reach)


def retry(actor, notice: Notice) -> None:
    """An officer sends a failed notice again (after fixing an address or the mail settings)."""
    if notice.status != Notice.Status.FAILED:
        raise NoticeError("only a failed notice can be tried again")
    with transaction.atomic():
        Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.QUEUED, attempts=0, next_attempt_at=now())
        record(actor, "notify.retry", notice, before={"status": "failed"}, after={"status": "queued"})


def letters_to_print(user, at: dt.datetime | None = None) -> QuerySet[Notice]:
    """Letters due and waiting for an officer to print and post (none when GOV.UK Notify posts them)."""
    if channels.letters_by_provider():
        return Notice.objects.none()
    return (
        visible(user)
        .filter(channel=Notice.Channel.LETTER, status=Notice.Status.QUEUED, due_at__lte=at or now())
        .order_by("due_at", "id")
    )


def mark_posted(actor, notices: Iterable[Notice]) -> int:
    """Record letters as posted: sent, by hand."""
    posted = 0
    with transaction.atomic():
        for notice in notices:
            done = Notice.objects.filter(pk=notice.pk, status=Notice.Status.QUEUED).update(
                status=Notice.Status.SENT, sent_at=now(), provider_id="posted by hand", attempts=F("attempts") + 1
            )
            if done:
                record(actor, "notify.posted", notice, after={"status": "sent"})
                posted += done
    return posted


# --- following topics -------------------------------------------------------------------------


def _topic(topic: str) -> str:
    if not TOPIC.match(topic or ""):
        raise NoticeError(f"{topic!r} is not a topic: use kind:key, e.g. neighbourhood:north-ward")
    return topic


def follow(user: User, topic: str) -> bool:
    """Follow a topic; True when newly followed."""
    subscription, made = Subscription.objects.get_or_create(user=user, topic=_topic(topic))
    if made:
        record(user, "notify.follow", subscription, after={"topic": topic})
    return made


def unfollow(user: User, topic: str) -> bool:
    """Stop following a topic; True when the person was following it."""
    subscription = Subscription.objects.filter(user=user, topic=topic).first()
    if subscription is None:
        return False
    with transaction.atomic():
        record(user, "notify.unfollow", subscription, before={"topic": topic})
        subscription.delete()
    return True


def is_following(user, topic: str) -> bool:
    signed_in = getattr(user, "is_authenticated", False)
    return signed_in and Subscription.objects.filter(user=user, topic=topic).exists()


def following(user: User) -> list[str]:
    return list(Subscription.objects.filter(user=user).values_list("topic", flat=True))


def followers(topic: str) -> QuerySet[User]:
    return User.objects.filter(is_active=True, subscriptions__topic=topic).order_by("pk")


def unsubscribe_token(user: User, topic: str) -> str:
    """A signed token naming the person and topic: the link works without signing in, and only for them."""
    return signing.dumps({"u": user.pk, "t": topic}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user: User, topic: str) -> str:
    return settings.COMMONGROUND_SITE_URL + reverse("notify:unsubscribe", args=[unsubscribe_token(user, topic)])


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """(person, topic) from an unsubscribe link; NoticeError when the link was not made here."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return User.objects.get(pk=data["u"]), str(data["t"])
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist):
        raise NoticeError("This unsubscribe link is not valid: it may have been copied incompletely") from None


def announce(
    topic: str,
    subject: str,
    body: str,
    *,
    about: Model | None = None,
    scope: Scope | None = None,
    dedupe_key: str = "",
    template: str = "notify.announcement",
) -> int:
    """Queue the announcement for every follower of the topic, each with their own unsubscribe link;
    returns how many were queued (with `dedupe_key`, a repeat queues none)."""
    _topic(topic)
    made = 0
    for user in followers(topic):
        link = unsubscribe_url(user, topic)
        notice = send(
            subject=subject,
            body=f"{body}\n\n---\nYou get this because you follow {topic}. To stop: {link}",
            template=template,
            email=user.email,
            name=user.full_name,
            role="follower",
            about=about,
            label="" if about is not None else topic,
            scope=scope,
            dedupe_key=f"{dedupe_key}:{user.pk}" if dedupe_key else "",
            unsubscribe_url=link,
        )
        made += notice.made
    return made
