"""The front desk under `brochure serve`: email handouts to one patient, see what was sent.

`/desk/email` is the form (one link away from each catalog card); posting it sends the
patient's personalised copies through the `brochure send` engine (same mail.yml, send log,
opt-out list and placeholder refusal). `/desk/sent` lists the last sends from the send log.
A post is taken only with this session's token (a cookie the form page sets, and a hidden
field that only a page of this server can read) and never from another site (Origin and
Sec-Fetch-Site). Pages work without JavaScript; they carry no script at all.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from brochure.errors import BrochureError
from brochure.source.project import Project

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

TEMPLATE = "_desk.html"
COOKIE = "brochure_desk"
WAITS = (1.0, 2.0)  # seconds before retrying a busy mail server: someone is waiting
RECENT = dt.timedelta(minutes=30)  # another send to the same address this soon: ask first
SHOWN = 50  # sends listed on the Sent page
MAX_FORM = 64 * 1024  # bytes: a form is a few hundred
FIELDS = ("first_name", "last_name", "email", "coordinator", "lead_id")
ON_DISK, SERVED = '<body class="on-disk">', '<body class="served">'


def served(html: str) -> str:
    """Mark the catalog page as served: its front-desk links show, the on-disk note hides."""
    return html.replace(ON_DISK, SERVED, 1)


# ---- Who may post ----------------------------------------------------------------------


@dataclass(frozen=True)
class Tokens:
    """Per-session form tokens: an HMAC of the session cookie with this server's secret."""

    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def token(self, session: str) -> str:
        return hmac.new(self.secret, session.encode(), hashlib.sha256).hexdigest()

    def valid(self, session: str, token: str) -> bool:
        return bool(session) and hmac.compare_digest(self.token(session).encode(), token.encode())


# No script at all, nothing loaded from elsewhere; forms post only to this server.
POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def cross_site(headers: Mapping[str, str]) -> bool:
    """Tell whether a browser says the request comes from a page of another origin.

    Browsers send Sec-Fetch-Site and Origin with form posts (Origin "null" from a sandboxed
    or data: page); a request without either (not a browser) must still carry the token.
    """
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = headers.get("origin")
    return origin is not None and origin != f"http://{headers.get('host', '')}"


def on_this_computer(client: str | None) -> bool:
    """Tell whether a request comes from this computer (the desk never answers others,
    even when `--host 0.0.0.0` opens the previews to the network)."""
    import ipaddress

    try:
        address = ipaddress.ip_address(client or "")
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack socket
    return (mapped or address).is_loopback


# ---- The form --------------------------------------------------------------------------


@dataclass
class Form:
    """What was typed in the form, and what is wrong with it (field id -> message)."""

    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, ""))
    slugs: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.values['first_name']} {self.values['last_name']}".strip()


def read_form(data: Mapping[str, list[str]], handouts: Mapping[str, str]) -> Form:
    """Check a posted form: a first name, an email address, known handouts."""
    from brochure.source.leads import EMAIL

    form = Form()
    for name in FIELDS:
        form.values[name] = " ".join((data.get(name) or [""])[0].split())
    form.slugs = list(dict.fromkeys(s for s in data.get("brochure", []) if s))
    if not form.values["first_name"]:
        form.errors["first_name"] = "Enter the patient’s first name"
    email = form.values["email"]
    if not email:
        form.errors["email"] = "Enter the patient’s email address"
    elif not EMAIL.match(email):
        form.errors["email"] = (
            f"“{email}” is not an email address: check it, it looks like name@example.com"
        )
    unknown = [s for s in form.slugs if s not in handouts]
    if unknown:
        form.errors["brochures"] = (
            f"There is no handout called “{unknown[0]}”: tick the handouts from the list"
        )
    elif not form.slugs:
        form.errors["brochures"] = "Tick at least one handout to send"
    return form


@dataclass(frozen=True)
class Notice:
    """The box at the top of a page: what happened, in a receptionist's words."""

    kind: str  # sent | error | confirm
    headline: str
    detail: str = ""


def handouts(project: Project) -> dict[str, str]:
    """Every brochure that can be read: slug -> title."""
    from brochure.build.pipeline import Pipeline

    pipeline = Pipeline(project)
    found = {}
    for path in project.brochure_paths():
        brochure, _ = pipeline.read(path, checks=False)
        if brochure is not None:
            found[brochure.slug] = brochure.title
    return found


def setup_problem(project: Project) -> str:
    """Why emails cannot go out yet (mail.yml, placeholders, the password), or ''."""
    from brochure.send.settings import PASSWORD_VARIABLE, load, placeholders
    from brochure.source.brand import load as load_brand

    try:
        mail = load(project)
        unfilled = placeholders(project, mail, load_brand(project))
    except BrochureError as exc:
        return plain(exc, project)
    if unfilled:
        return plain(unfilled[0], project)
    if mail.username and not os.environ.get(PASSWORD_VARIABLE):
        return (
            f"The mail password is not set, so no email can go out. Whoever started "
            f"brochure serve: stop it (Ctrl-C), type export {PASSWORD_VARIABLE}=the-password "
            "in the same window, and start brochure serve again."
        )
    return ""


def plain(exc: BrochureError, project: Project) -> str:
    """An error's message without the machine's folders (paths from the project folder)."""
    from brochure.errors import SourceError, format_place

    if not isinstance(exc, SourceError) or exc.path is None:
        return exc.message
    try:
        where = exc.path.resolve().relative_to(project.root.resolve())
    except ValueError:
        where = Path(exc.path.name)
    return format_place(where, exc.line, exc.problem, exc.hint)


def clock(moment: dt.datetime) -> str:
    """`10:42 AM` today, `Nov 26, 10:42 AM` before, in this computer's time zone."""
    local = moment.astimezone()
    time = local.strftime("%I:%M %p").lstrip("0")
    if local.date() == dt.datetime.now().astimezone().date():
        return time
    return f"{local.strftime('%b')} {local.day}, {time}"


def titles(slugs: list[str] | tuple[str, ...], known: Mapping[str, str]) -> str:
    """`“Exosomes and PRP” and “Skin concerns”`."""
    quoted = [f"“{known.get(s, s)}”" for s in slugs]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


# ---- The pages -------------------------------------------------------------------------


@dataclass
class Desk:
    """The front-desk pages of one server: its tokens, and one send at a time."""

    project: Project
    tokens: Tokens = field(default_factory=Tokens)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def routes(self) -> list[Route]:
        from starlette.routing import Route

        return [
            Route("/desk/email", self.email, methods=["GET", "POST"]),
            Route("/desk/sent", self.sent),
        ]

    async def email(self, request: Request) -> Response:
        """The form (GET), or send what it holds (POST)."""
        session = request.cookies.get(COOKIE, "")
        if not on_this_computer(request.client.host if request.client else None):
            return self.respond(session, "elsewhere", status=403)
        known = await asyncio.to_thread(handouts, self.project)
        if request.method == "GET":
            form = Form()
            wanted = request.query_params.get("brochure", "")
            form.slugs = [wanted] if wanted in known else []
            setup = await asyncio.to_thread(setup_problem, self.project)
            return self.respond(session, "email", form=form, known=known, setup=setup)
        body = await _body(request)
        data = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        token = (data.get("token") or [""])[0]
        if cross_site(request.headers) or not self.tokens.valid(session, token):
            return self.respond(session, "refused", status=403)
        form = read_form(data, known)
        if form.errors:
            return self.respond(session, "email", form=form, known=known, status=400)
        confirmed = (data.get("confirm") or [""])[0].casefold() == form.values["email"].casefold()
        async with self.lock:  # one send at a time: a double click finds the first in the log
            setup = await asyncio.to_thread(setup_problem, self.project)
            if setup:
                unset = Notice("error", "Not sent: emailing is not set up yet", setup)
                return self.respond(session, "email", form=form, known=known, notice=unset)
            earlier = None if confirmed else await asyncio.to_thread(self.previous, form, known)
            if earlier is not None:  # sent to this person before: ask first
                return self.respond(session, "email", form=form, known=known, notice=earlier)
            notice = await asyncio.to_thread(self.deliver, form, known, confirmed)
        if notice.kind == "sent":
            form = Form(slugs=form.slugs)  # ready for the next patient
        return self.respond(session, "email", form=form, known=known, notice=notice)

    async def sent(self, request: Request) -> Response:
        """The last sends from the send log: who, what, when, how it went."""
        from brochure.send.log import SendLog

        session = request.cookies.get(COOKIE, "")
        if not on_this_computer(request.client.host if request.client else None):
            return self.respond(session, "elsewhere", status=403)

        def read() -> tuple[list[Any], dict[str, str]]:
            log = SendLog(self.project.send_log_path, readonly=True)
            try:
                return log.recent(SHOWN), handouts(self.project)
            finally:
                log.close()

        records, known = await asyncio.to_thread(read)
        return self.respond(session, "sent", records=records, known=known)

    def previous(self, form: Form, known: Mapping[str, str]) -> Notice | None:
        """Ask first when this address got an email a moment ago, or these handouts ever."""
        from brochure.send.log import FAILED, SendLog, send_key

        log = SendLog(self.project.send_log_path, readonly=True)
        try:
            earlier = [r for r in log.sends_to(form.values["email"]) if r.status != FAILED]
        finally:
            log.close()
        key = send_key(form.values["email"], form.values["lead_id"], tuple(form.slugs))
        same = next((r for r in earlier if send_key(r.email, r.lead_id, r.brochures) == key), None)
        what = titles(form.slugs, known)
        now = dt.datetime.now(dt.UTC)
        if earlier and now - earlier[0].updated < RECENT:
            last = earlier[0]
            had = titles(last.brochures, known)
            ask = "Send it again?" if had == what else f"Send {what} now too?"
            return Notice(
                "confirm",
                f"You emailed {last.email} at {clock(last.updated)}",
                f"That email had {had}. {ask} Press Send again, or Cancel.",
            )
        if same is not None:
            return Notice(
                "confirm",
                f"{what} already went to {same.email} ({clock(same.updated)})",
                "Send it again only if the patient asks for it: press Send again.",
            )
        return None

    def deliver(self, form: Form, known: Mapping[str, str], again: bool) -> Notice:
        """Send through the engine; say what happened in a receptionist's words."""
        from brochure.send import run
        from brochure.send.settings import get_password, load

        lead = run.LeadDetails(
            name=form.name,
            email=form.values["email"],
            lead_id=form.values["lead_id"],
            coordinator=form.values["coordinator"],
        )
        options = run.Options(send=True, resend=again, retry_waits=WAITS)
        try:
            outcome = run.send_one(
                self.project,
                tuple(form.slugs),
                lead,
                options,
                password=lambda: get_password(load(self.project))(),
            )
        except BrochureError as exc:
            return Notice("error", f"Not sent to {lead.email}", plain(exc, self.project))
        what = titles(form.slugs, known)
        if outcome.status is run.Status.SENT:
            return Notice(
                "sent",
                f"Sent to {outcome.email} at {clock(dt.datetime.now(dt.UTC))}",
                f"{form.name} gets {what} by email. It is listed under Sent emails.",
            )
        if outcome.status is run.Status.ALREADY_SENT:
            return Notice(
                "confirm",
                f"{what} already went to {outcome.email}",
                "Send it again only if the patient asks for it: press Send again.",
            )
        if outcome.status is run.Status.UNSUBSCRIBED:
            return Notice(
                "error",
                f"Not sent: {outcome.email} asked not to get emails from the clinic",
                "The address is on the opt-out list (unsubscribed.csv). Print the handout "
                "for the patient instead.",
            )
        if outcome.reply.startswith("5"):  # the server refused this address for good
            return Notice(
                "error",
                f"Not sent: the mail server refused {outcome.email}",
                f"It answered: {outcome.reply}. Check the address with the patient, "
                "correct it and send again.",
            )
        if outcome.reply:  # busy or unreachable, even after a few tries
            return Notice(
                "error",
                f"Not sent to {outcome.email}: the mail server did not take it just now",
                f"It answered: {outcome.reply}. Try again in a few minutes.",
            )
        return Notice("error", f"Not sent to {lead.email}", outcome.reason)

    def respond(self, session: str, page: str, status: int = 200, **context: Any) -> Response:
        """Render a desk page, with a session cookie if the browser has none yet."""
        from starlette.responses import HTMLResponse

        fresh = not session
        session = session or secrets.token_urlsafe(32)
        headers = {
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",  # never inside another site's page (clickjacking)
            "Referrer-Policy": "same-origin",  # "no-referrer" would send Origin: null
            "Content-Security-Policy": POLICY,
        }
        try:
            html = self.render(page, token=self.tokens.token(session), **context)
        except BrochureError as exc:
            html, status = (
                f"<!doctype html><title>Error</title><p>{escape(plain(exc, self.project))}",
                500,
            )
        response = HTMLResponse(html, status_code=status, headers=headers)
        if fresh:
            response.set_cookie(COOKIE, session, path="/desk", httponly=True, samesite="strict")
        return response

    def render(self, page: str, **context: Any) -> str:
        from markupsafe import Markup

        from brochure.render.html import brand_logo, environment, render_template, stylesheet
        from brochure.source.brand import load as load_brand

        brand = load_brand(self.project)
        css = stylesheet(
            self.project, brand, ("_catalog",), lambda rel: "/static/" + rel, common=False
        )
        defaults: dict[str, Any] = {
            "form": Form(),
            "known": {},
            "notice": None,
            "setup": "",
            "records": [],
        }
        return render_template(
            self.project,
            environment(self.project),
            TEMPLATE,
            **{**defaults, **context},
            page=page,
            brand=brand,
            logo=brand_logo(self.project, brand),
            css=Markup(css),
            clock=clock,
            titles=titles,
            shown=SHOWN,
        )


async def _body(request: Request) -> bytes:
    """The request body, at most MAX_FORM bytes (the rest is ignored)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            break
    return body[:MAX_FORM]
