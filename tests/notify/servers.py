"""Two servers on loopback for the delivery tests: a small SMTP server and a fake GOV.UK Notify.

The SMTP server speaks enough of RFC 5321 for smtplib (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET,
QUIT) and can be told to answer RCPT with a refusal. The Notify fake follows the documented contract
(research notes §2, §7.4): it checks the JWT (HS256, iss = service id, iat within 30 seconds), the
request's required and allowed fields, and answers 201 with the documented body, or a scripted error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socketserver
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"my_test-key-{SERVICE_ID}-{SECRET}"
EMAIL_FIELDS = {"email_address", "template_id", "personalisation", "reference", "email_reply_to_id",
                "one_click_unsubscribe_url", "sanitise_content_for"}  # fmt: skip
LETTER_FIELDS = {"template_id", "personalisation", "reference"}


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: bytes


@dataclass
class SmtpState:
    messages: list[Mail] = field(default_factory=list)
    rcpt_replies: deque = field(default_factory=deque)  # replies to the next RCPT commands, then 250
    credentials: tuple[str, str] | None = None
    logins: list[str] = field(default_factory=list)


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self) -> None:
        state: SmtpState = self.server.state
        sender, recipients = "", []
        self.reply("220 test.invalid ESMTP")
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-test.invalid\r\n250-AUTH PLAIN\r\n250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 test.invalid")
            elif verb == "AUTH":
                _, user, password = base64.b64decode(command.split()[2]).decode().split("\0")
                state.logins.append(user)
                ok = state.credentials == (user, password)
                self.reply("235 2.7.0 Authentication successful" if ok else "535 5.7.8 Authentication failed")
            elif verb == "MAIL":
                sender, recipients = command[10:].strip("<> "), []
                self.reply("250 2.1.0 OK")
            elif verb == "RCPT":
                answer = state.rcpt_replies.popleft() if state.rcpt_replies else "250 2.1.5 OK"
                if answer.startswith("250"):
                    recipients.append(command[8:].strip("<> "))
                self.reply(answer)
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                state.messages.append(Mail(sender, recipients, data))
                self.reply("250 2.0.0 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 2.0.0 OK")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Command not recognised")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpServer:
    def __init__(self) -> None:
        self.state = SmtpState()
        self._server = _Server(("127.0.0.1", 0), _SmtpHandler)
        self._server.state = self.state
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _error(status: int, error: str, message: str) -> tuple[int, dict]:
    return status, {"errors": [{"error": error, "message": message}], "status_code": status}


def check_jwt(authorization: str) -> tuple[int, dict] | None:
    """None when the bearer token is good; else Notify's 403 (authentication.py's checks)."""
    if not authorization.startswith("Bearer "):
        return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
    try:
        header, claims, signature = authorization[7:].split(".")
        head, body = json.loads(_b64decode(header)), json.loads(_b64decode(claims))
    except ValueError:
        return _error(403, "AuthError", "Invalid token: signature, api token is not valid")
    if head.get("alg") != "HS256":
        return _error(403, "AuthError", "Invalid token: algorithm used is not HS256")
    if "iss" not in body:
        return _error(403, "AuthError", "Invalid token: iss field not provided")
    if "iat" not in body:
        return _error(403, "AuthError", "Invalid token: iat field not provided")
    expected = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    if body["iss"] != SERVICE_ID or not hmac.compare_digest(expected, _b64decode(signature)):
        return _error(403, "AuthError", "Invalid token: API key not found")
    if abs(time.time() - body["iat"]) > 30:
        return _error(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
    return None


class _NotifyHandler(BaseHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # keep test output quiet
        pass

    def answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        fake: FakeNotify = self.server.fake
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        fake.requests.append((self.path, payload, self.headers.get("Authorization", "")))
        refused = check_jwt(self.headers.get("Authorization", ""))
        if refused is None and fake.script:
            refused = fake.script.popleft()
        if refused is None:
            refused = self.validate(payload)
        if refused is not None:
            self.answer(*refused)
            return
        self.answer(201, self.created(payload))

    def validate(self, payload: dict) -> tuple[int, dict] | None:
        if self.path == "/v2/notifications/email":
            allowed, required = EMAIL_FIELDS, ("email_address", "template_id")
        elif self.path == "/v2/notifications/letter":
            allowed, required = LETTER_FIELDS, ("template_id",)
            lines = [k for k in payload.get("personalisation", {}) if k.startswith("address_line_")]
            if len(lines) < 3:
                return _error(400, "ValidationError", "Address must be at least 3 lines")
        else:
            return _error(404, "NoResultFound", "No result found")
        extra = sorted(set(payload) - allowed)
        if extra:
            unexpected = f"Additional properties are not allowed ({', '.join(extra)} was unexpected)"
            return _error(400, "ValidationError", unexpected)
        for name in required:
            if name not in payload:
                return _error(400, "ValidationError", f"{name} is a required property")
        if "@" not in payload.get("email_address", "@"):
            return _error(400, "ValidationError", "email_address Not a valid email address")
        return None

    def created(self, payload: dict) -> dict:
        notification_id = str(uuid.uuid4())
        base = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
        personalisation = payload.get("personalisation", {})
        template = {"id": payload["template_id"], "version": 1, "uri": f"{base}/v2/template/{payload['template_id']}"}
        content = {"subject": personalisation.get("subject", ""), "body": personalisation.get("body", "")}
        if self.path.endswith("/email"):
            content["from_email"] = "common.ground@notifications.service.gov.uk"
            if payload.get("one_click_unsubscribe_url"):
                content["one_click_unsubscribe_url"] = payload["one_click_unsubscribe_url"]
        body = {"id": notification_id, "reference": payload.get("reference"), "content": content,
                "uri": f"{base}/v2/notifications/{notification_id}", "template": template}  # fmt: skip
        if self.path.endswith("/email"):
            body["sanitised_content"] = {}
        else:
            body["scheduled_for"] = None
        return body


class FakeNotify:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict, str]] = []
        self.script: deque = deque()  # (status, body) answers for the next requests, then 201
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _NotifyHandler)
        self._server.fake = self
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def fail_next(self, status: int, error: str, message: str) -> None:
        self.script.append(_error(status, error, message))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
