"""GOV.UK Notify: the client against a fake server that checks the JWT and answers as documented."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from commonground.notify import govuk, services
from tests.notify.conftest import AT, LETTER_TEMPLATE_ID, TEMPLATE_ID
from tests.notify.servers import API_KEY, SECRET, SERVICE_ID, check_jwt


def test_the_key_is_read_from_its_end_and_the_token_is_signed_with_the_secret():
    assert govuk.parse_key(API_KEY) == (SERVICE_ID, SECRET)  # the key's name has hyphens of its own
    token = govuk.token(SERVICE_ID, SECRET)
    assert check_jwt(f"Bearer {token}") is None
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"typ": "JWT", "alg": "HS256"}
    stale = govuk.token(SERVICE_ID, SECRET, issued_at=int(dt.datetime.now(dt.UTC).timestamp()) - 60)
    assert check_jwt(f"Bearer {stale}")[1]["errors"][0]["message"].startswith("Error: Your system clock")
    with pytest.raises(ValueError, match="not a GOV.UK Notify API key"):
        govuk.parse_key("not-a-key")


def _email(**extra):
    fields = {"subject": "Decision due", "body": "The council decides by 1 March.", "template": "t"}
    return services.send(**{**fields, "email": "friend@example.org", "due": AT, **extra})


def test_an_email_goes_through_notify_after_a_rate_limit_and_a_server_error(db, fake_notify):
    notice = _email()
    fake_notify.fail_next(429, "RateLimitError", "Exceeded rate limit for key type live of 3000 requests per 60 s")
    fake_notify.fail_next(500, "Exception", "Internal server error")
    assert services.deliver_due(AT) == {"retrying": 1}
    notice.refresh_from_db()
    assert "429 RateLimitError" in notice.last_error
    assert services.deliver_due(notice.next_attempt_at) == {"retrying": 1}
    notice.refresh_from_db()
    assert "500 Exception" in notice.last_error
    assert services.deliver_due(notice.next_attempt_at) == {"sent": 1}
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == ("sent", 3, "")
    path, payload, authorization = fake_notify.requests[-1]
    assert path == "/v2/notifications/email" and check_jwt(authorization) is None
    assert payload == {
        "email_address": "friend@example.org",
        "template_id": TEMPLATE_ID,
        "personalisation": {"subject": "Decision due", "body": "The council decides by 1 March."},
        "reference": f"notice-{notice.pk}",
    }
    assert len(notice.provider_id) == 36  # Notify's notification id


def test_a_refused_request_is_not_retried(db, fake_notify):
    notice = _email()
    fake_notify.fail_next(400, "ValidationError", "email_address Not a valid email address")
    assert services.deliver_due(AT) == {"failed": 1}
    notice.refresh_from_db()
    assert notice.status == "failed" and "400 ValidationError" in notice.last_error
    assert len(fake_notify.requests) == 1


def test_a_wrong_key_fails_without_the_key_in_the_error(db, settings, fake_notify):
    wrong = API_KEY[:-36] + "00000000-0000-4000-8000-000000000000"
    settings.COMMONGROUND_NOTIFY = {**settings.COMMONGROUND_NOTIFY, "api_key": wrong}
    notice = _email()
    assert services.deliver_due(AT) == {"failed": 1}
    notice.refresh_from_db()
    assert "403 AuthError: Invalid token: API key not found" in notice.last_error
    assert "00000000-0000-4000" not in notice.last_error and "eyJ" not in notice.last_error


def test_the_daily_limit_waits_for_midnight_utc_without_using_up_attempts(db, fake_notify):
    notice = _email()
    fake_notify.fail_next(429, "TooManyRequestsError", "Exceeded send limits (email: 250000) for today")
    assert services.deliver_due(AT) == {"deferred": 1}
    notice.refresh_from_db()
    assert notice.status == "queued" and notice.attempts == 0
    assert notice.next_attempt_at == dt.datetime(2026, 4, 2, 0, 5, tzinfo=dt.UTC)
    assert services.deliver_due(dt.datetime(2026, 4, 1, 23, 59, tzinfo=dt.UTC)) == {}
    assert services.deliver_due(notice.next_attempt_at) == {"sent": 1}


def test_no_response_is_retried(db, settings, fake_notify):
    settings.COMMONGROUND_NOTIFY = {**settings.COMMONGROUND_NOTIFY, "base_url": "http://127.0.0.1:1"}
    notice = _email()
    assert services.deliver_due(AT) == {"retrying": 1}
    notice.refresh_from_db()
    assert "503 NetworkError" in notice.last_error


def test_a_letter_goes_through_notify_with_its_address_lines(db, fake_notify):
    letter = services.send(subject="Listed", body="Your pub is listed.", template="t", name="Brewery plc",
                           address="1 High Street\nDemoton\nDE1 1AA", due=AT)  # fmt: skip
    assert services.deliver_due(AT) == {"sent": 1}
    path, payload, _ = fake_notify.requests[-1]
    assert path == "/v2/notifications/letter"
    assert payload == {
        "template_id": LETTER_TEMPLATE_ID,
        "personalisation": {
            "address_line_1": "Brewery plc",
            "address_line_2": "1 High Street",
            "address_line_3": "Demoton",
            "address_line_4": "DE1 1AA",
            "subject": "Listed",
            "body": "Your pub is listed.",
        },  # fmt: skip
        "reference": f"notice-{letter.pk}",
    }
    short = services.send(subject="S", body="B", template="t", address="Somewhere", due=AT)
    assert services.deliver_due(AT) == {"failed": 1}
    short.refresh_from_db()
    assert "needs 3 to 7 lines" in short.last_error


def test_an_announcement_carries_the_one_click_unsubscribe_address(db, settings, fake_notify, make_user):
    settings.COMMONGROUND_SITE_URL = "https://commonground.example.gov.uk"
    services.follow(make_user("res@example.org"), "neighbourhood:north-ward")
    assert services.announce("neighbourhood:north-ward", "Board meeting", "Thursday at 7pm.") == 1
    services.deliver_due()
    _, payload, _ = fake_notify.requests[-1]
    assert payload["one_click_unsubscribe_url"].startswith("https://commonground.example.gov.uk/notify/unsubscribe/")
