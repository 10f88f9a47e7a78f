"""A real SMTP server for the tests: aiosmtpd on loopback, STARTTLS with a throwaway
certificate (trustme), AUTH, and replies the tests script per recipient."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "frontdesk@clinic.test", "correct horse"


@dataclass
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: object  # the client's address and port: one per connection

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.data)  # type: ignore[return-value]


@dataclass
class Handler:
    """Accepts mail; `replies[address]` scripts RCPT answers ("451 ...", "550 ...", "drop")."""

    received: list[Received] = field(default_factory=list)
    replies: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))
    logins: list[tuple[str, str]] = field(default_factory=list)
    controller: Controller | None = None
    hold_at: int = 0  # hold the Nth message (from 1) in DATA until `release` is set
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append((login, password))
            return AuthResult(success=(login, password) == (USER, PASSWORD), handled=False)
        return AuthResult(success=False, handled=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        script = self.replies.get(address.lower())
        if script:
            reply = script.popleft()
            if reply in ("drop", "down"):  # the connection drops, as when a server restarts
                server.transport.close()
                if reply == "down":  # ...and the server stays down
                    threading.Thread(target=self.controller.stop).start()
                return "421 4.3.2 closing"
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content, session.peer)
        )
        if self.hold_at and len(self.received) == self.hold_at:
            self.holding.set()  # the server has the message; the client waits for 250
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return f"250 2.0.0 Ok: queued as {len(self.received)}"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


class MailServer:
    """aiosmtpd with STARTTLS required and AUTH (or neither), on 127.0.0.1 and a free port."""

    def __init__(self, tmp: Path, secure: bool = True) -> None:
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1")
        self.ca_file = tmp / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self.handler = Handler()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.secure = secure
        tls = {
            "tls_context": context,
            "require_starttls": True,
            "authenticator": self.handler.authenticate,
            "auth_require_tls": True,
        }
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **(tls if secure else {})
        )
        self.handler.controller = self.controller

    def start(self) -> MailServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.handler.release.set()
        if self.controller._thread is not None:  # not stopped by a "down" reply
            self.controller.stop()

    def mail_yml(self, timeout: float = 30, **extra: object) -> str:
        """mail.yml for this server (no rate limit, short retry waits unless given)."""
        settings = {"rate_per_minute": 0, "retry_wait_seconds": "[0.05, 0.1]", **extra}
        lines = [
            "smtp:",
            "  host: 127.0.0.1",
            f"  port: {self.port}",
            f"  security: {'starttls' if self.secure else 'none'}",
            *([f"  username: {USER}"] if self.secure else []),
            f"  timeout: {timeout}",
            'from: "Elixir and Wellness <hello@clinic.test>"',
            *(f"{key}: {value}" for key, value in settings.items()),
        ]
        return "\n".join(lines) + "\n"
