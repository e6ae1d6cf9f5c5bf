"""The outbox: queueing once, delivering when due through a real SMTP server, retrying, failing visibly."""

from __future__ import annotations

import datetime as dt
import email

import pytest

from commonground.accounts.roles import Role
from commonground.accounts.scopes import Scope
from commonground.notify import services
from commonground.notify.models import Notice
from tests.notify.conftest import AT

MINUTE = dt.timedelta(minutes=1)


def _notice(**extra) -> Notice:
    fields = {"subject": "Your nomination", "body": "It was received.", "template": "test.notice"}
    return services.send(**{**fields, "email": "friend@example.org", **extra})


def test_send_queues_an_email_or_a_letter_and_needs_an_address(db):
    mail = _notice()
    assert (mail.channel, mail.status, mail.made, mail.attempts) == ("email", "queued", True, 0)
    letter = services.send(subject="S", body="B", template="t", name="A Owner", address="1 High St\nTown\nDE1 1AA")
    assert letter.channel == "letter" and letter.recipient == "A Owner, 1 High St, Town, DE1 1AA"
    with pytest.raises(services.NoticeError, match="email address or a postal address"):
        services.send(subject="S", body="B", template="t")


def test_dedupe_makes_a_reminder_once_and_requeues_a_cancelled_one(db, make_user):
    thing = make_user("thing@example.org")  # any model can be what a notice is about
    first = _notice(about=thing, template="test.reminder", dedupe_key="remind:1")
    again = _notice(about=thing, template="test.reminder", dedupe_key="remind:1", subject="Changed")
    assert again.pk == first.pk and not again.made and again.subject == "Your nomination"
    assert Notice.objects.count() == 1
    assert services.cancel(thing, "test.reminder") == 1
    assert services.notices_about(thing).get().status == "cancelled"
    revived = _notice(about=thing, template="test.reminder", dedupe_key="remind:1", subject="Changed")
    assert revived.made and revived.status == "queued" and revived.subject == "Changed"
    assert services.cancel(thing, "test.reminder", keep=["remind:1"]) == 0


def test_a_scheduled_notice_goes_on_its_moment_not_before(db, smtp_server):
    notice = services.schedule(AT + dt.timedelta(days=3), subject="Deadline", body="Soon.", template="t",
                               email="owner@example.org")  # fmt: skip
    assert services.deliver_due(AT + dt.timedelta(days=3) - MINUTE) == {}
    assert smtp_server.state.messages == []
    assert services.deliver_due(AT + dt.timedelta(days=3)) == {"sent": 1}
    notice.refresh_from_db()
    assert notice.status == "sent" and notice.sent_at == AT + dt.timedelta(days=3) and notice.attempts == 1
    (mail,) = smtp_server.state.messages
    assert mail.recipients == ["owner@example.org"]
    message = email.message_from_bytes(mail.data)
    assert message["Subject"] == "Deadline" and message["X-Commonground-Reference"] == f"notice-{notice.pk}"
    assert notice.provider_id == message["Message-ID"]


def test_a_temporary_refusal_is_retried_with_growing_waits_then_sent(db, smtp_server):
    notice = _notice(due=AT)
    smtp_server.state.rcpt_replies.extend(["451 4.3.0 Mailbox busy, try later", "421 4.7.0 Too many connections"])
    assert services.deliver_due(AT) == {"retrying": 1}
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("queued", 1)
    assert "451" in notice.last_error and "try later" in notice.last_error
    assert AT + MINUTE <= notice.next_attempt_at <= AT + MINUTE * 1.1
    assert services.deliver_due(AT + MINUTE / 2) == {}  # not before its next attempt
    second = notice.next_attempt_at
    assert services.deliver_due(second) == {"retrying": 1}
    notice.refresh_from_db()
    assert second + 2 * MINUTE <= notice.next_attempt_at <= second + 2.2 * MINUTE
    assert services.deliver_due(notice.next_attempt_at) == {"sent": 1}
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == ("sent", 3, "")
    assert len(smtp_server.state.messages) == 1


def test_a_permanent_refusal_fails_at_once(db, smtp_server):
    notice = _notice(due=AT)
    smtp_server.state.rcpt_replies.append("550 5.1.1 No such mailbox")
    assert services.deliver_due(AT) == {"failed": 1}
    notice.refresh_from_db()
    assert notice.status == "failed" and notice.attempts == 1 and "550 recipient refused" in notice.last_error


def test_retries_stop_after_the_last_attempt_and_the_officer_sees_why(db, smtp_server, client, make_user):
    notice = _notice(due=AT)
    smtp_server.state.rcpt_replies.extend(["452 4.2.2 Mailbox full"] * services.MAX_ATTEMPTS)
    at = AT
    for _ in range(services.MAX_ATTEMPTS):
        services.deliver_due(at)
        notice.refresh_from_db()
        at = notice.next_attempt_at
    assert (notice.status, notice.attempts) == ("failed", services.MAX_ATTEMPTS)
    client.force_login(make_user("officer@example.org", roles=(Role.COUNCIL_OFFICER,)))
    page = client.get("/notify/?status=failed").content.decode()
    row = page[page.index(f'id="notice-{notice.pk}"') :]
    assert "Failed" in row and "452 recipient refused: 4.2.2 Mailbox full" in row and "Try again" in row
    assert "<strong>failed (1)</strong>" in page
    assert client.post(f"/notify/{notice.pk}/retry/").status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("queued", 0)


def test_an_unreachable_or_refusing_server_keeps_the_password_out_of_errors(db, settings, smtp_server):
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "cg", "hunter2-very-secret"
    smtp_server.state.credentials = ("cg", "a different password")
    notice = _notice(due=AT)
    assert services.deliver_due(AT) == {"retrying": 1}  # a credentials problem is fixed in settings, then sent
    notice.refresh_from_db()
    assert "535" in notice.last_error and "COMMONGROUND_EMAIL_HOST_PASSWORD" in notice.last_error
    assert "hunter2" not in notice.last_error and smtp_server.state.logins == ["cg"]
    settings.EMAIL_PORT = 1  # nothing listens there
    services.deliver_due(notice.next_attempt_at)
    notice.refresh_from_db()
    assert "unreachable" in notice.last_error and "hunter2" not in notice.last_error


def test_secrets_are_blanked_in_stored_errors(db, settings):
    from commonground.notify.channels import redact

    settings.EMAIL_HOST_PASSWORD = "pa55word-123"
    text = redact("login pa55word-123 failed; Authorization: Bearer eyJhbGc.eyJpc3M.c2lnbmF0dXJl")
    assert text == "login [secret] failed; Authorization: [token]"


def test_a_claimed_notice_is_not_claimed_twice_until_its_lease_runs_out(db):
    first, second = _notice(due=AT), _notice(due=AT)
    assert services._claim(AT).pk == first.pk
    assert services._claim(AT).pk == second.pk  # a second worker takes the next one
    assert services._claim(AT) is None
    # A worker that died mid-send: its lease runs out and the notice is tried again.
    again = services._claim(AT + services.LEASE)
    assert again.pk == first.pk and again.attempts == 2


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_notice_once(settings):
    import threading

    from django.core import mail
    from django.db import connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    notices = [_notice(due=AT, email=f"p{i}@example.org") for i in range(40)]
    start = threading.Barrier(2)

    def worker():
        start.wait()
        services.deliver_due(AT)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent_to = sorted(m.to[0] for m in mail.outbox)
    assert sent_to == sorted(n.recipient_email for n in notices)
    assert set(Notice.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_deliver_forever_runs_the_daily_jobs_and_sends(db, smtp_server):
    import threading

    class OneRound(threading.Event):
        def wait(self, timeout=None):  # the loop's pause between rounds: stop after the first
            self.set()
            return True

    ran = []
    _notice()
    services.deliver_forever(OneRound(), interval=0.01, daily=[lambda: ran.append("reminders")])
    assert ran == ["reminders"] and len(smtp_server.state.messages) == 1


def test_an_officer_sees_only_the_notices_in_their_scope(db, make_user):
    from commonground.accounts.models import RoleGrant
    from commonground.accounts.permissions import user_can
    from commonground.accounts.roles import Capability

    here = _notice(scope=Scope.of(["E06000001"], ["north-ward"]))
    there = _notice(scope=Scope.of(["E06000002"]))
    nowhere = _notice()
    council = make_user("council@example.org")
    RoleGrant.objects.create(user=council, role=Role.COUNCIL_OFFICER, scope="council:E06000001")
    board = make_user("board@example.org")
    RoleGrant.objects.create(user=board, role=Role.COUNCIL_OFFICER, scope="neighbourhood:north-ward")
    site = make_user("site@example.org", roles=(Role.COUNCIL_OFFICER,))
    resident = make_user("res@example.org")
    assert set(services.visible(council)) == {here}
    assert set(services.visible(board)) == {here}
    assert set(services.visible(site)) == {here, there, nowhere}
    assert list(services.visible(resident)) == []
    for user in (council, board, site, resident):  # the same answer as the permission check
        for notice in (here, there, nowhere):
            councils = frozenset(filter(None, notice.scope_councils.split(",")))
            neighbourhoods = frozenset(filter(None, notice.scope_neighbourhoods.split(",")))
            scope = Scope(councils, neighbourhoods) if councils or neighbourhoods else None
            expected = user_can(user, Capability.RUN_PROCESSES, scope)
            assert (notice in services.visible(user)) == expected


def test_personal_data_is_erased_after_the_keeping_period(db, settings, smtp_server, tmp_path):
    import os

    settings.COMMONGROUND_NOTIFY_KEEP_DAYS = 30
    settings.EMAIL_OUTBOX_DIR = tmp_path
    (tmp_path / "old.eml").write_text("a reset link")
    (tmp_path / "new.eml").write_text("a reset link")
    written_at, days = AT.timestamp(), 86400
    os.utime(tmp_path / "old.eml", (written_at, written_at))
    os.utime(tmp_path / "new.eml", (written_at + 5 * days, written_at + 5 * days))
    old = _notice(due=AT, name="A Person")
    services.deliver_due(AT)
    recent = _notice(due=AT + dt.timedelta(days=20))
    assert services.erase_old(AT + dt.timedelta(days=31)) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.recipient_email, old.recipient_name, old.body, old.subject) == ("", "", "", "Your nomination")
    assert old.erased_at is not None and recent.recipient_email == "friend@example.org"
    assert [p.name for p in tmp_path.iterdir()] == ["new.eml"]
