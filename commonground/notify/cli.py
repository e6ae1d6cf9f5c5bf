"""`commonground notify`: send the notices that are due, list the outbox, queue a test email."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from commonground.terminal import fail, out, require_schema, setup_django

app = typer.Typer(help="Notices: the outbox of emails and letters.", no_args_is_help=True, add_completion=False)


def _moment(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        fail(f"--at must be a date and time such as 2026-04-05T08:00, not {text!r}")
    from django.utils import timezone

    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@app.command("send-due")
def send_due(
    at: Annotated[str | None, typer.Option(help="Pretend it is this moment (YYYY-MM-DDTHH:MM, local time).")] = None,
) -> None:
    """Send every notice that is due now (the worker does this every few seconds; this is for scripts)."""
    setup_django()
    require_schema()
    from commonground.notify import services

    counts = services.deliver_due(_moment(at))
    out.print(
        f"Sent {counts['sent']}; {counts['retrying']} to try again; {counts['failed']} failed; "
        f"{counts['deferred']} waiting for a daily limit"
    )


@app.command("list")
def notify_list(
    status: Annotated[str | None, typer.Option(help="queued, sending, sent, failed or cancelled.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="Show at most this many.")] = 50,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """List notices, latest due first, with their status, attempts and last error."""
    if fmt not in ("text", "json"):
        fail(f"--format must be text or json, not {fmt!r}")
    setup_django()
    require_schema()
    import json

    from commonground.notify.models import Notice

    if status is not None and status not in Notice.Status.values:
        fail(f"--status must be one of {', '.join(Notice.Status.values)}, not {status!r}")
    notices = Notice.objects.order_by("-due_at", "-id")
    if status:
        notices = notices.filter(status=status)
    rows = [
        {
            "id": n.pk,
            "due": n.due_at.isoformat(timespec="minutes"),
            "channel": n.channel,
            "status": n.status,
            "attempts": n.attempts,
            "to": n.recipient_role,
            "subject": n.subject,
            "last_error": n.last_error,
        }
        for n in notices[:limit]
    ]
    if fmt == "json":
        out.print_json(json.dumps(rows))
        return
    if not rows:
        out.print("No notices")
    for row in rows:
        error = f"  [{row['last_error']}]" if row["last_error"] else ""
        out.print(
            f"{row['id']:>6}  {row['due']}  {row['channel']:<6} {row['status']:<9} {row['attempts']}  "
            f"{row['to'] or '-'}: {row['subject']}{error}",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )


@app.command("test")
def notify_test(email: Annotated[str, typer.Argument(help="Where to send the test email.")]) -> None:
    """Queue a test email, to check the mail settings; the worker sends it within seconds."""
    setup_django()
    require_schema()
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from commonground.notify import services

    try:
        validate_email(email)
    except ValidationError:
        fail(f"{email!r} is not an email address")
    notice = services.send(
        subject="Common Ground test email",
        body="This is a test: mail from Common Ground reaches this address.",
        template="notify.test",
        email=email,
        role="test",
    )
    out.print(f"Queued notice {notice.pk}. {services.mail_destination()}")
