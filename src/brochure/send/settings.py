"""Read `mail.yml`: how to reach the mail server, who the email is from, how fast to send."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Any, NoReturn

from brochure.errors import BrochureError, SourceError
from brochure.source.brand import Brand
from brochure.source.frontmatter import FrontMatter, read_yaml_file
from brochure.source.leads import EMAIL
from brochure.source.project import MAIL_FILE, Project
from brochure.source.schema import suggest

PASSWORD_VARIABLE = "BROCHURE_SMTP_PASSWORD"
SECURITY = ("starttls", "ssl", "none")
KEYS = ("smtp", "from", "reply_to", "unsubscribe", "rate_per_minute", "retry_wait_seconds")
SMTP_KEYS = ("host", "port", "security", "username", "timeout")
DEFAULT_WAITS = (10.0, 60.0, 300.0)  # seconds before each retry of a temporary failure
HINT = f"See {MAIL_FILE} in the README, section Emailing the brochures to leads"


@dataclass(frozen=True)
class MailSettings:
    """The checked contents of mail.yml (the password is never in it)."""

    path: Path
    host: str
    port: int
    security: str  # starttls | ssl | none
    username: str
    sender: Address  # the From: header
    reply_to: str  # an address, or "" (a lead's coordinator email wins)
    unsubscribe_to: str  # where opt-out emails go, or "" for the from address
    rate_per_minute: float  # 0: no limit
    retry_waits: tuple[float, ...]
    timeout: float
    front: FrontMatter  # for the line of each setting

    @property
    def unsubscribe(self) -> str:
        """The address that takes opt-out requests."""
        return self.unsubscribe_to or self.sender.addr_spec

    def line_of(self, *where: str) -> int | None:
        """The line of a setting in mail.yml."""
        return self.front.line_of(*where)


def load(project: Project) -> MailSettings:
    """Read and check mail.yml; an `Error:` with the line of any mistake."""
    path = project.mail_path
    if not path.is_file():
        raise SourceError(
            path,
            "no mail settings: the file is not there",
            hint=f"Create {MAIL_FILE} next to _brand.yml with smtp, from and rate_per_minute "
            "(the README shows an example)",
        )
    front = read_yaml_file(path)
    reader = _Reader(path, front)
    data = front.data if isinstance(front.data, dict) else reader.fail((), "not a list of settings")
    for key in data:
        if key not in KEYS:
            reader.fail((key,), f"unknown setting `{key}`", suggest(str(key), KEYS) or HINT)
    smtp = data.get("smtp")
    if not isinstance(smtp, dict):
        reader.fail(("smtp",), "missing `smtp:` (the mail server)", HINT)
    for key in smtp:
        if key not in SMTP_KEYS:
            reader.fail(
                ("smtp", key), f"unknown setting `smtp.{key}`", suggest(str(key), SMTP_KEYS)
            )
    security = str(smtp.get("security") or "starttls").lower()
    if security not in SECURITY:
        reader.fail(
            ("smtp", "security"),
            f"`security: {security}` is not one of {', '.join(SECURITY)}",
            "Use starttls (port 587), ssl (port 465) or none (a server on this computer only)",
        )
    port = reader.number(("smtp", "port"), 465 if security == "ssl" else 587, whole=True)
    if not 0 < port < 65536:
        reader.fail(("smtp", "port"), f"port {port} does not exist", "Use 587, 465 or 25")
    sender = reader.address(("from",), required=True)
    assert sender is not None
    reply_to = reader.address(("reply_to",))
    unsubscribe = reader.address(("unsubscribe",))
    waits = data.get("retry_wait_seconds", DEFAULT_WAITS)
    if not isinstance(waits, list | tuple) or not all(
        isinstance(w, int | float) and not isinstance(w, bool) and w >= 0 for w in waits
    ):
        reader.fail(
            ("retry_wait_seconds",),
            "`retry_wait_seconds` must be a list of seconds",
            "Write it as [10, 60, 300], or leave it out",
        )
    return MailSettings(
        path=path,
        host=reader.text(("smtp", "host"), required=True),
        port=port,
        security=security,
        username=reader.text(("smtp", "username")),
        sender=sender,
        reply_to=reply_to.addr_spec if reply_to else "",
        unsubscribe_to=unsubscribe.addr_spec if unsubscribe else "",
        rate_per_minute=reader.number(("rate_per_minute",), 30),
        retry_waits=tuple(float(w) for w in waits),
        timeout=reader.number(("smtp", "timeout"), 60),
        front=front,
    )


def is_placeholder(text: str) -> bool:
    """Tell a placeholder (`.example` domains, example.com, "Placeholder") from real details."""
    folded = text.casefold()
    return (
        not folded.strip()
        or "placeholder" in folded
        or any(
            mark in folded
            for mark in (".example", "example.com", "example.org", "example.net", "@example")
        )
    )


def placeholders(project: Project, mail: MailSettings, brand: Brand) -> list[SourceError]:
    """The example details still to fill in before real emails go out, as errors at their line."""
    found: list[SourceError] = []
    checks: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
        (mail.host, ("smtp", "host"), "the mail server", "your mail provider's SMTP server"),
        (
            mail.sender.addr_spec,
            ("from",),
            "the from address",
            "the address the clinic sends from (your mail provider must allow it)",
        ),
        (mail.reply_to, ("reply_to",), "the reply_to address", 'a real address, or ""'),
        (mail.unsubscribe_to, ("unsubscribe",), "the unsubscribe address", 'a real address, or ""'),
    )
    for value, where, what, fill in checks:
        if value and is_placeholder(value):
            found.append(
                SourceError(
                    mail.path,
                    f"{what} `{value}` is a placeholder",
                    line=mail.line_of(*where),
                    hint=f"Fill in {fill}",
                )
            )
    brand_file = read_yaml_file(project.brand_path)
    brand_checks: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
        (
            brand.address,
            ("meta", "address"),
            "the clinic's postal address",
            "the real street address: the law on commercial email (CAN-SPAM) wants it in "
            "every email",
        ),
        (
            brand.booking_url,
            ("meta", "link", "booking"),
            "the booking link",
            "the clinic's real booking page",
        ),
        (brand.website, ("meta", "link", "home"), "the website", "the real one"),
    )
    for value, where, what, fill in brand_checks:
        if is_placeholder(value):
            found.append(
                SourceError(
                    project.brand_path,
                    f"{what} `{value}` is a placeholder" if value else f"{what} is missing",
                    line=brand_file.line_of(*where),
                    hint=f"Fill in {fill}",
                )
            )
    return found


def get_password(
    settings: MailSettings, prompt: Callable[[str], str] | None = None
) -> Callable[[], str]:
    """Return a function that finds the password when the server asks for one.

    From the environment variable BROCHURE_SMTP_PASSWORD, else from `prompt` (a hidden
    prompt on a terminal), else an `Error:` that says how to give it.
    """

    def password() -> str:
        value = os.environ.get(PASSWORD_VARIABLE)
        if value:
            return value
        if prompt is not None:
            return prompt(f"Password for {settings.username} at {settings.host}")
        raise BrochureError(
            f"no password for the mail server {settings.host}. Set it for this session "
            f"with `export {PASSWORD_VARIABLE}=...` (never in a file of the project), or "
            "run the command in a terminal to type it."
        )

    return password


class _Reader:
    """Walks the parsed mail.yml; every mistake is an error at its line."""

    def __init__(self, path: Path, front: FrontMatter) -> None:
        self.path = path
        self.front = front

    def fail(self, where: tuple[str, ...], message: str, hint: str = "") -> NoReturn:
        raise SourceError(self.path, message, line=self.front.line_of(*where), hint=hint)

    def get(self, where: tuple[str, ...]) -> Any:
        value: Any = self.front.data
        for step in where:
            value = value.get(step) if isinstance(value, dict) else None
        return value

    def text(self, where: tuple[str, ...], required: bool = False) -> str:
        value = self.get(where)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(where, f"missing `{'.'.join(where)}`", HINT)
            return ""
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.fail(where, f"`{'.'.join(where)}` must be text", HINT)
        return str(value).strip()

    def number(self, where: tuple[str, ...], default: float, whole: bool = False) -> Any:
        value = self.get(where)
        if value is None:
            return default
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
        if not ok or (whole and not isinstance(value, int)):
            kind = "a whole number" if whole else "a number"
            self.fail(where, f"`{'.'.join(where)}` is `{value}`, not {kind}", HINT)
        return value

    def address(self, where: tuple[str, ...], required: bool = False) -> Address | None:
        text = self.text(where, required)
        if not text:
            return None
        name, addr = parseaddr(text)
        if not EMAIL.match(addr or ""):
            self.fail(
                where,
                f"`{'.'.join(where)}` is not an email address: {text}",
                'Write it as "Elixir and Wellness <hello@your-clinic.com>" (in quotes), or '
                "just the address",
            )
        user, _, domain = addr.rpartition("@")
        return Address(display_name=name, username=user, domain=domain)
