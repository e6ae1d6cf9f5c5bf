"""A small GOV.UK Notify client on the standard library: one JWT per request, errors sorted by what to do.

Why not notifications-python-client: it pulls in requests and PyJWT for two POSTs. The contract
(alphagov/notifications-tech-docs rest-api; notifications-python-client 12.1.0 base.py, errors.py):
an API key is `{name}-{service id}-{secret}`; each request carries `Authorization: Bearer <JWT>`,
HS256 over {"iss": service id, "iat": now}, which the service accepts for 30 seconds. Errors come as
{"errors": [{"error": type, "message": text}], "status_code": n}; act on the status and type, never
the message. No Django here: settings pass the key in, so the config module can check its shape.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.request

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_KEY = re.compile(rf"^.+-({_UUID})-({_UUID})$")

RETRY, DAILY_LIMIT, PERMANENT = "retry", "daily-limit", "permanent"


class NotifyError(Exception):
    """A refused or failed request: the HTTP status, Notify's error type, and its message."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(f"GOV.UK Notify {status} {error}: {message}"[:400])
        self.status, self.error = status, error

    @property
    def kind(self) -> str:
        """RETRY (rate limit, server or network trouble), DAILY_LIMIT (wait for midnight UTC) or PERMANENT."""
        if self.status == 429:
            return DAILY_LIMIT if self.error == "TooManyRequestsError" else RETRY
        return RETRY if self.status >= 500 else PERMANENT

    def retry_after(self, now: dt.datetime) -> dt.datetime:
        """When a daily limit lifts: Notify's limits "reset at midnight UTC" (_limits.md)."""
        tomorrow = now.astimezone(dt.UTC).date() + dt.timedelta(days=1)
        return dt.datetime.combine(tomorrow, dt.time(0, 5), tzinfo=dt.UTC)


def parse_key(api_key: str) -> tuple[str, str]:
    """(service id, secret) from the end of the key, as the official client reads it (the name may hold hyphens)."""
    if not _KEY.match(api_key):
        raise ValueError("is not a GOV.UK Notify API key: expected name-serviceid-secret (two UUIDs at the end)")
    return api_key[-73:-37], api_key[-36:]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def token(service_id: str, secret: str, issued_at: int | None = None) -> str:
    """A JWT signed HS256 with the secret: header {"typ": "JWT", "alg": "HS256"}, claims iss and iat."""
    header = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    claims = {"iss": service_id, "iat": int(time.time()) if issued_at is None else issued_at}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


class Client:
    """POSTs to Notify's v2 API; every call returns the decoded 201 body or raises NotifyError."""

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout: float = 30) -> None:
        self.service_id, self._secret = parse_key(api_key)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def send_email(
        self,
        email_address: str,
        template_id: str,
        personalisation: dict,
        reference: str = "",
        one_click_unsubscribe_url: str = "",
    ) -> dict:
        payload = {"email_address": email_address, "template_id": template_id, "personalisation": personalisation}
        if reference:
            payload["reference"] = reference  # Notify: "must not contain any personal information"
        if one_click_unsubscribe_url:
            payload["one_click_unsubscribe_url"] = one_click_unsubscribe_url
        return self._post("/v2/notifications/email", payload)

    def send_letter(self, template_id: str, personalisation: dict, reference: str = "") -> dict:
        """A template letter: personalisation carries address_line_1.. (3 to 7 lines, the last a postcode)."""
        payload = {"template_id": template_id, "personalisation": personalisation}
        if reference:
            payload["reference"] = reference
        return self._post("/v2/notifications/letter", payload)

    def _post(self, path: str, payload: dict) -> dict:
        from commonground import __version__

        request = urllib.request.Request(  # noqa: S310  (the base URL is an http(s) address checked in config)
            self.base_url + path,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {token(self.service_id, self._secret)}",
                "Content-Type": "application/json",
                "User-Agent": f"commonground/{__version__}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise _error(exc.code, exc.read()) from None
        except (urllib.error.URLError, OSError) as exc:  # no response at all: the client's "503" (errors.py)
            reason = getattr(exc, "reason", exc)
            raise NotifyError(503, "NetworkError", f"no response from {self.base_url} ({reason})") from None
        try:
            return json.loads(body)
        except ValueError:
            raise NotifyError(503, "InvalidResponse", "the response was not JSON") from None


def _error(status: int, body: bytes) -> NotifyError:
    try:
        first = json.loads(body)["errors"][0]
        return NotifyError(status, str(first.get("error", "")), str(first.get("message", "")))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return NotifyError(status, "HTTPError", f"HTTP {status} without Notify's error envelope")
