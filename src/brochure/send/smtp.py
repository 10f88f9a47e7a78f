"""Talk to the mail server: one connection for the whole run, retries, the rate limit.

Replies are sorted the way SMTP means them: 2xx accepted, 4xx (and a dropped connection)
temporary, tried again after a wait, 5xx permanent, reported at once.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from brochure.errors import BrochureError
from brochure.send.settings import PASSWORD_VARIABLE, MailSettings


@dataclass(frozen=True)
class Delivery:
    """How handing one message to the server ended."""

    ok: bool
    reply: str  # the server's reply, e.g. "250 2.0.0 Ok: queued as 1234"
    permanent: bool = False  # a 5xx: trying again will not help


class _Temporary(Exception):
    """A 4xx reply or a dropped connection: worth another try."""


class _Unreachable(_Temporary):
    """No connection to the server at all (it is down, or the network is)."""


class _Permanent(Exception):
    """A 5xx reply: this message will not be accepted."""


class Mailer:
    """One connection to the mail server, reused for every message of a run."""

    def __init__(
        self,
        settings: MailSettings,
        password: Callable[[], str],
        *,
        context: ssl.SSLContext | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.password = password
        self.context = context or ssl.create_default_context()
        self.sleep = sleep
        self.smtp: smtplib.SMTP | None = None
        self.interval = 60.0 / settings.rate_per_minute if settings.rate_per_minute else 0.0
        self.last = float("-inf")  # when the last message was handed over (monotonic)
        self._password: str | None = None

    def connect(self) -> None:
        """Open the connection and log in; a plain `Error:` when that cannot be done."""
        s = self.settings
        where = f"{s.host}:{s.port}"
        try:
            self.smtp = self._open()
        except smtplib.SMTPAuthenticationError as exc:
            raise BrochureError(
                f"the mail server {s.host} refused the user name and password "
                f"({_reply(exc.smtp_code, exc.smtp_error)}). Check `username` in mail.yml and "
                f"the password in {PASSWORD_VARIABLE}."
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise BrochureError(
                f"the mail server {where} does not offer a login on this connection. Check "
                "`security` and `port` in mail.yml (starttls with 587, ssl with 465)."
            ) from None
        except ssl.SSLError as exc:
            raise BrochureError(
                f"no secure connection to the mail server {where} ({exc.reason or exc}). "
                "Check `security` and `port` in mail.yml (starttls with 587, ssl with 465)."
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise BrochureError(
                f"cannot reach the mail server {where} ({_describe(exc)}). Check `host`, "
                "`port` and `security` in mail.yml, and the internet connection."
            ) from None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self.context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                smtp.starttls(context=self.context)
        smtp.ehlo_or_helo_if_needed()  # MAIL FROM comes next, without smtplib's sendmail
        if s.username:
            if self._password is None:
                self._password = self.password()
            smtp.login(s.username, self._password)
        return smtp

    def deliver(self, message: EmailMessage, sender: str, recipient: str) -> Delivery:
        """Hand one message to the server: retried after each wait of mail.yml's
        `retry_wait_seconds` while the server answers "try later" or the line drops."""
        waits = self.settings.retry_waits
        reply, unreachable = "", False
        for attempt in range(len(waits) + 1):
            if attempt:
                self.sleep(waits[attempt - 1])
            try:
                return Delivery(True, self._send(message, sender, recipient))
            except _Permanent as exc:
                return Delivery(False, str(exc), permanent=True)
            except _Temporary as exc:
                reply = str(exc)
                unreachable = isinstance(exc, _Unreachable)
        if unreachable:  # every other lead would wait as long: stop the run instead
            raise BrochureError(
                f"lost the mail server {self.settings.host} during the run: {reply}. Run the "
                "same command again later: only the leads not yet sent are mailed."
            )
        tries = len(waits) + 1
        return Delivery(False, f"{reply} (tried {tries} time{'s' if tries != 1 else ''})")

    def _send(self, message: EmailMessage, sender: str, recipient: str) -> str:
        self._wait_for_rate()
        if self.smtp is None:  # the connection dropped: a new one
            try:
                self.smtp = self._open()
            except (OSError, smtplib.SMTPException) as exc:
                raise _Unreachable(f"no new connection ({_describe(exc)})") from None
        smtp = self.smtp
        assert smtp is not None
        data = message.as_bytes(policy=policy.SMTP)
        options = ["SMTPUTF8"] if not (sender + recipient).isascii() else []
        try:
            self.last = time.monotonic()
            self._check(*smtp.mail(sender, options), smtp)
            self._check(*smtp.rcpt(recipient), smtp)
            code, text = smtp.data(data)
            self._check(code, text, smtp)
            return _reply(code, text)
        except smtplib.SMTPResponseException as exc:  # e.g. DATA refused before the text
            self._reset(smtp)
            raise (_Permanent if exc.smtp_code >= 500 else _Temporary)(
                _reply(exc.smtp_code, exc.smtp_error)
            ) from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise _Temporary(f"the connection dropped ({_describe(exc)})") from None

    def _check(self, code: int, text: bytes | str, smtp: smtplib.SMTP) -> None:
        if 200 <= code < 300:
            return
        self._reset(smtp)
        if code == 421:  # the server is closing the connection
            self.close()
        raise (_Permanent if code >= 500 else _Temporary)(_reply(code, text))

    def _reset(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def _wait_for_rate(self) -> None:
        if self.interval:
            wait = self.last + self.interval - time.monotonic()
            if wait > 0:
                self.sleep(wait)

    def close(self) -> None:
        """Say goodbye to the server (QUIT) and close the connection."""
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _reply(code: int, text: bytes | str) -> str:
    """`550 5.1.1 No such mailbox`: a server reply on one line."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return "no such host"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
