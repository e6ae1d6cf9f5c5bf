"""Asset notices through the one outbox: a statutory reminder goes on its day, by a real SMTP server."""

from __future__ import annotations

import datetime as dt
import email

import pytest
from django.utils import timezone

from commonground.assets import services
from commonground.notify import services as notify
from tests.notify.conftest import smtp_server  # noqa: F401  (a fixture)

D = dt.date


@pytest.fixture
def clock(fixed_today, monkeypatch):
    """The outbox's clock follows the assets' pinned today (09:00 on that day)."""
    nine = dt.time(9)
    monkeypatch.setattr(notify, "now", lambda: timezone.make_aware(dt.datetime.combine(fixed_today["today"], nine)))
    return fixed_today


def test_the_decision_reminder_is_sent_on_its_day_and_not_before(clock, nominated, smtp_server):  # noqa: F811
    # Received 5 January 2026: the council decides within 8 weeks (SI 2012/2421 reg 7), last day 1 March;
    # the nominator is reminded a week before, on 22 February at 08:00.
    on_the_day = timezone.make_aware(dt.datetime(2026, 2, 22, services.REMIND_HOUR))
    assert notify.deliver_due(on_the_day - dt.timedelta(days=1)) == {"sent": 1}  # the nomination's own notice
    assert notify.deliver_due(on_the_day - dt.timedelta(minutes=1)) == {}
    assert len(smtp_server.state.messages) == 1
    assert notify.deliver_due(on_the_day) == {"sent": 1}
    reminder = email.message_from_bytes(smtp_server.state.messages[-1].data)
    assert reminder["To"] == "friends@example.org"
    assert reminder["Subject"] == "The Red Lion: Council decides the nomination: last day 01 March 2026"
    assert "Sunday 01 March 2026" in reminder.get_payload(decode=True).decode()
    assert services.remind(D(2026, 2, 23)) == 0  # made once: the daily run adds no second reminder
    assert notify.deliver_due(on_the_day + dt.timedelta(days=1)) == {}


def test_a_reminder_made_moot_by_a_step_is_never_sent(clock, nominated, officer, smtp_server):  # noqa: F811
    clock["today"] = D(2026, 2, 1)
    services.decide(officer, nominated, True, "A well-used pub.", D(2026, 2, 1))
    notify.deliver_due(timezone.make_aware(dt.datetime(2026, 2, 22, 12)))
    subjects = [email.message_from_bytes(m.data)["Subject"] for m in smtp_server.state.messages]
    assert subjects and not any("Council decides the nomination: last day" in s for s in subjects)
