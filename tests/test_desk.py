"""The front desk under `brochure serve`: the real server, a real aiosmtpd, a real Chromium.

Forms are posted over HTTP as a browser would (the session cookie and the page's token), and
once through headless Chromium, from the catalog page to the message in the mail server.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import time
import urllib.request
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from starlette.applications import Starlette

from brochure.serve.desk import Desk as DeskPages
from brochure.serve.desk import on_this_computer
from brochure.source.project import Project

from .conftest import ROOT, copy_project, write
from .live import Server
from .mailserver import PASSWORD, MailServer
from .test_send import clinic, fill_in, pdf_of, server  # noqa: F401 (fixtures)
from .test_serve_browser import Tab, browser, loaded  # noqa: F401 (fixture)

MARIA = {
    "first_name": "Maria",
    "last_name": "López",
    "email": "maria@clinic.test",
    "coordinator": "Ana",
    "lead_id": "W-1",
    "brochure": "conditions",
}


class Desk:
    """A browser's view of the front desk: the session cookie and the form's token."""

    def __init__(self, served: Server) -> None:
        self.served = served
        self.cookie = ""
        self.token = ""

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, **headers: str
    ) -> tuple[int, dict[str, str], str]:
        """Send a request; return the status, headers (lower case names) and page text."""
        conn = http.client.HTTPConnection("127.0.0.1", self.served.port, timeout=60)
        sent = {"Host": f"127.0.0.1:{self.served.port}"}
        if self.cookie:
            sent["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update({k.replace("_", "-"): v for k, v in headers.items()})
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            got = {k.lower(): v for k, v in response.getheaders()}
            return response.status, got, response.read().decode("utf-8")
        finally:
            conn.close()

    def open_form(self, slug: str = "conditions") -> str:
        """GET the form, as a click on a card's Email to a patient does."""
        status, headers, page = self.request("GET", f"/desk/email?brochure={quote(slug)}")
        assert status == 200, page
        if "set-cookie" in headers:
            self.cookie = headers["set-cookie"].split(";")[0]
            assert "HttpOnly" in headers["set-cookie"]
            assert "SameSite=strict" in headers["set-cookie"]
        self.token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        return page

    def post(self, fields: dict[str, str], **headers: str) -> tuple[int, str]:
        base = f"http://127.0.0.1:{self.served.port}"
        browser_headers = {"Origin": base, "Sec_Fetch_Site": "same-origin", **headers}
        status, _, page = self.request(
            "POST", "/desk/email", {"token": self.token, **fields}, **browser_headers
        )
        return status, page


def text(page: str) -> str:
    """The words of a page, tags removed, whitespace folded."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def mail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailServer]:
    """One mail server for the tests that share a front desk (each mails its own address)."""
    started = MailServer(tmp_path_factory.mktemp("mail")).start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory, mail: MailServer) -> Iterator[Server]:
    """`brochure serve` on a clinic project that can send to `mail` (started once: ~6 s)."""
    root = fill_in(copy_project(tmp_path_factory.mktemp("desk") / "project"), mail)
    with pytest.MonkeyPatch.context() as env:  # what the server process inherits
        env.setenv("SSL_CERT_FILE", str(mail.ca_file))
        env.setenv("BROCHURE_SMTP_PASSWORD", PASSWORD)
        served = Server(root)
    yield served
    served.stop()


@pytest.fixture
def desk(front: Server) -> Desk:
    """A fresh browser session on the shared front desk."""
    return Desk(front)


@pytest.mark.parametrize(
    ("client", "answered"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:192.168.1.20", False),
        ("192.168.1.20", False),
        ("10.0.0.5", False),
        ("fe80::1", False),
        (None, False),
        ("not an address", False),
    ],
)
def test_the_desk_answers_only_this_computer(client: str | None, answered: bool) -> None:
    assert on_this_computer(client) is answered


def desk_app(project: Path) -> Starlette:
    """The desk pages alone, as `brochure serve` mounts them."""
    return Starlette(routes=DeskPages(Project.at(project)).routes())


def asgi(
    app: Starlette,
    method: str,
    path: str,
    client: str = "127.0.0.1",
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes = b"",
) -> tuple[int, dict[str, str], str]:
    """Ask the desk pages in-process (no build, no socket): status, headers, page."""
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (("Host", "h:80"), *headers)],
        "client": (client, 50000),
        "server": ("h", 80),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    got = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    page = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], got, page.decode()


def test_the_desk_pages_refuse_other_computers(project: Path) -> None:
    """Even with --host 0.0.0.0 (the previews open to the network)."""
    app = desk_app(project)
    for path in ("/desk/sent", "/desk/email"):
        status, _, page = asgi(app, "GET", path, client="192.0.2.7")
        assert status == 403
        assert (
            "Emailing and the list of sent emails work only on the computer that runs "
            "brochure serve."
        ) in text(page)
    for client in ("127.0.0.1", "::1"):
        status, _, page = asgi(app, "GET", "/desk/sent", client=client)
        assert (status, "No emails have been sent yet." in text(page)) == (200, True)


def test_catalog_links_to_the_desk_only_when_served(desk: Desk) -> None:
    status, page = desk.served.text("/")
    assert status == 200
    assert '<body class="served">' in page
    assert 'href="desk/email?brochure=conditions"' in page and 'href="desk/sent"' in page
    assert text(page).count("Printing tip: double-sided, flip on short edge, at 100%") == 1
    assert '<a class="button primary" href="overview.pdf" target="_blank"' in page
    for path in ("/desk/email?brochure=overview", "/desk/sent"):  # ready for a strict CSP
        status, headers, page = desk.request("GET", path)
        assert status == 200 and headers["x-frame-options"] == "DENY"
        assert "<script" not in page and not re.search(r"\son[a-z]+=", page)
        assert " style=" not in page
    on_disk = (desk.served.root / "out" / "index.html").read_text(encoding="utf-8")
    assert '<body class="on-disk">' in on_disk
    assert "Emailing a handout works when this page is opened through brochure serve" in text(
        on_disk
    )


def test_bad_input_says_what_to_fix_and_sends_nothing(desk: Desk, mail: MailServer) -> None:
    desk.open_form()
    cases = [
        (
            {**MARIA, "email": "maria-at-clinic"},
            "email",
            "“maria-at-clinic” is not an email address: check it, it looks like name@example.com",
        ),
        ({**MARIA, "brochure": ""}, "brochures", "Tick at least one handout to send"),
        (
            {**MARIA, "brochure": "../_brand"},
            "brochures",
            "There is no handout called “../_brand”: tick the handouts from the list",
        ),
        ({**MARIA, "first_name": " "}, "first_name", "Enter the patient’s first name"),
    ]
    for fields, field, message in cases:
        status, page = desk.post(fields)
        assert status == 400, page
        assert text(page).startswith("Error: Email a handout to a patient")  # the title
        assert f"Nothing was sent: please check this {message}" in text(page)
        error = f'<p class="field-error" id="{field}-error">'
        assert error + f'<span class="visually-hidden">Error: </span>{message}</p>' in unescape(
            page
        )
        if field != "brochures":
            assert re.search(
                f'<input id="{field}" [^>]*aria-describedby="[^"]*{field}-error"'
                '[^>]* aria-invalid="true" autofocus>',
                page,
            ), page
        else:
            assert '<fieldset class="handouts invalid" aria-describedby="brochures-error">' in page
        assert f'value="{fields["email"]}"' in page  # what was typed stays
    assert mail.handler.to("maria@clinic.test") == []


def test_posts_from_elsewhere_are_refused(desk: Desk, mail: MailServer) -> None:
    desk.open_form()
    refused = "This form cannot be sent Nothing was sent."
    for headers in (
        {"Origin": "http://evil.test", "Sec_Fetch_Site": "cross-site"},
        {"Origin": "null"},
        {"Sec_Fetch_Site": "same-site"},
    ):
        status, page = desk.post(MARIA, **headers)  # even with the right token
        assert (status, refused in text(page)) == (403, True), headers
    good_token = desk.token
    for wrong in ("0" * 64, "", "é" * 64):
        desk.token = wrong
        status, page = desk.post(MARIA)
        assert (status, refused in text(page)) == (403, True), wrong
    desk.token, desk.cookie = good_token, ""  # a token without its session cookie
    status, page = desk.post(MARIA)
    assert (status, refused in text(page)) == (403, True)
    assert mail.handler.to("maria@clinic.test") == []


def test_send_then_confirm_before_sending_again_and_the_sent_view(
    desk: Desk, mail: MailServer
) -> None:
    page = desk.open_form("conditions")
    assert 'value="conditions" checked' in page
    assert "Emailing is not set up yet" not in text(page)
    status, page = desk.post(MARIA)
    assert status == 200, page
    assert re.search(r"Sent to maria@clinic\.test at \d{1,2}:\d\d [AP]M", text(page)), text(page)
    assert (
        "Maria López gets “Skin concerns exosomes may help” by email. It is listed under Sent "
        "emails." in text(page)
    )
    assert 'value="Maria"' not in page  # the form is empty for the next patient
    (got,) = mail.handler.to("maria@clinic.test")
    name, pdf, _ = pdf_of(got.message)
    assert name == "Skin concerns exosomes may help - Maria López.pdf"
    assert "Prepared for Maria López" in pdf

    # The same person again, another handout, a minute later: asked first, nothing sent.
    status, page = desk.post({**MARIA, "brochure": "exosomes-vs-prp"})
    assert status == 200
    assert "You emailed maria@clinic.test at" in text(page)
    assert (
        "That email had “Skin concerns exosomes may help”. Send “Exosomes and PRP” now too? "
        "Press Send again, or Cancel."
    ) in text(page)
    assert '<input type="hidden" name="confirm" value="maria@clinic.test">' in page
    assert ">Send again</button>" in page and 'value="Maria"' in page
    assert len(mail.handler.to("maria@clinic.test")) == 1
    status, page = desk.post(
        {**MARIA, "email": "MARIA@clinic.test", "brochure": "exosomes-vs-prp", "confirm": "x"}
    )
    assert "You emailed maria@clinic.test" in text(page)  # a confirmation for another address
    status, page = desk.post(
        {**MARIA, "brochure": "exosomes-vs-prp", "confirm": "maria@clinic.test"}
    )
    assert "Sent to maria@clinic.test at" in text(page)
    assert len(mail.handler.to("maria@clinic.test")) == 2
    assert pdf_of(mail.handler.to("maria@clinic.test")[1].message)[0].startswith(
        "Exosomes and PRP - "
    )

    status, _, page = desk.request("GET", "/desk/sent")
    assert status == 200
    rows = [text(r) for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "maria@" in r]
    when = r"(\d{1,2}:\d\d [AP]M)"
    assert [re.sub(when, "TIME", r) for r in rows] == [
        "TIME Maria López maria@clinic.test “Exosomes and PRP” Sent",
        "TIME Maria López maria@clinic.test “Skin concerns exosomes may help” Sent",
    ]
    # A mailbox the server refuses: said in plain words, listed as not sent.
    mail.handler.replies["nobody@clinic.test"].append("550 5.1.1 No such user")
    status, page = desk.post({**MARIA, "email": "nobody@clinic.test"})
    assert (
        "Not sent: the mail server refused nobody@clinic.test It answered: 550 5.1.1 No such "
        "user. Check the address with the patient, correct it and send again."
    ) in text(page)
    status, _, page = desk.request("GET", "/desk/sent")
    assert (
        "nobody@clinic.test “Skin concerns exosomes may help” Not sent: 550 5.1.1 No such user"
        in text(page)
    )

    # A busy server: tried three times within seconds (not mail.yml's waits), then said so.
    mail.handler.replies["busy@clinic.test"].extend(["451 4.3.0 Try later"] * 3)
    start = time.monotonic()
    status, page = desk.post({**MARIA, "email": "busy@clinic.test"})
    assert 3 <= time.monotonic() - start < 10  # the desk's waits, 1 + 2 s
    assert (
        "Not sent to busy@clinic.test: the mail server did not take it just now It answered: "
        "451 4.3.0 Try later (tried 3 times). Try again in a few minutes."
    ) in text(page)

    # Lead copies made for the desk are never served.
    assert (desk.served.root / "out/leads/front-desk").is_dir()
    for path in ("/leads/front-desk/", "/leads/front-desk/state.json", "/leads/manifest.csv"):
        assert desk.served.get(path)[0] == 404


def test_the_page_says_when_emailing_is_not_set_up(
    clinic: Path,  # noqa: F811
    server: MailServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BROCHURE_SMTP_PASSWORD")
    app = desk_app(clinic)
    status, headers, page = asgi(app, "GET", "/desk/email?brochure=conditions")
    assert status == 200
    assert (
        "Emailing is not set up yet The mail password is not set, so no email can go out. "
        "Whoever started brochure serve: stop it (Ctrl-C), type export "
        "BROCHURE_SMTP_PASSWORD=the-password in the same window, and start brochure "
        "serve again."
    ) in text(page)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    cookie = ("Cookie", headers["set-cookie"].split(";")[0])
    form = urlencode({**MARIA, "token": token}).encode()
    status, _, page = asgi(app, "POST", "/desk/email", headers=(cookie,), body=form)
    assert status == 200
    assert "Not sent: emailing is not set up yet The mail password is not set" in text(page)
    # A token is only good on the server that made it (a restart makes a new secret).
    status, _, page = asgi(desk_app(clinic), "POST", "/desk/email", headers=(cookie,), body=form)
    assert status == 403
    # The shipped mail.yml (placeholders) says what to fill in, at its line.
    write(clinic, "mail.yml", (ROOT / "mail.yml").read_text(encoding="utf-8"))
    page = text(asgi(app, "GET", "/desk/email")[2])
    assert "Emailing is not set up yet mail.yml:" in page
    assert "is a placeholder. Fill in your mail provider's SMTP server." in page
    assert server.handler.received == []


def test_the_browser_sends_from_the_catalog(
    desk: Desk,
    mail: MailServer,
    browser: str,  # noqa: F811
) -> None:
    arrived: list[float] = []
    handle = mail.handler.handle_DATA

    async def stamped(*args: object) -> str:
        arrived.append(time.monotonic())
        return await handle(*args)

    mail.handler.handle_DATA = stamped  # type: ignore[method-assign]
    with urllib.request.urlopen(f"http://{browser}/json/list", timeout=10) as reply:
        target = next(t for t in json.load(reply) if t["type"] == "page")
    tab = Tab(target["webSocketDebuggerUrl"])
    tab.call("Page.enable")
    tab.call("Page.navigate", url=desk.served.base + "/")
    loaded(tab, "document.readyState === 'complete' && !!document.querySelector('.served')", 15)
    link = "document.querySelector('a[href=\"desk/email?brochure=conditions\"]')"
    assert tab.evaluate(f"{link}.offsetParent !== null") is True  # shown when served
    tab.evaluate(f"{link}.click()")
    loaded(tab, "location.pathname === '/desk/email' && document.readyState === 'complete'", 15)
    assert tab.evaluate("document.querySelector('#brochure-conditions').checked") is True

    def fill(fields: dict[str, str]) -> None:
        for name, value in fields.items():
            field = f"document.getElementById({json.dumps(name)})"
            tab.evaluate(f"{field}.value = ''; {field}.focus()")
            tab.call("Input.insertText", text=value)

    def send() -> float:
        tab.evaluate("window.before = true")
        clicked = time.monotonic()
        tab.evaluate("document.querySelector('button[type=submit]').click()")
        loaded(tab, "window.before === undefined && document.readyState === 'complete'", 30)
        return clicked

    # Keyboard only: Enter in a field sends the form; the mistake gets the focus, and says why.
    fill({"first_name": "Rosa", "last_name": "Díaz", "email": "rosa-at-clinic"})
    tab.evaluate("window.before = true")
    for kind in ("keyDown", "keyUp"):
        key = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13}
        tab.call(
            "Input.dispatchKeyEvent",
            type=kind,
            **key,
            **({"text": "\r"} if kind == "keyDown" else {}),
        )
    loaded(tab, "window.before === undefined && document.readyState === 'complete'", 30)
    focused = "document.activeElement"
    assert tab.evaluate(f"{focused}.id + ' ' + {focused}.getAttribute('aria-describedby')") == (
        "email email-hint email-error"
    )
    assert tab.evaluate("document.getElementById('email-error').textContent") == (
        "Error: “rosa-at-clinic” is not an email address: check it, it looks like name@example.com"
    )
    assert tab.evaluate("document.getElementById('last_name').value") == "Díaz"  # kept
    assert mail.handler.to("rosa@clinic.test") == []

    fill({"email": "rosa@clinic.test"})
    clicked = send()
    page = tab.evaluate("document.querySelector('main').innerText")
    assert re.search(r"Sent to rosa@clinic\.test at \d{1,2}:\d\d [AP]M", page), page
    assert tab.evaluate("document.activeElement.className") == "notice notice-sent"  # read out
    (got,) = mail.handler.to("rosa@clinic.test")
    assert got.rcpt_tos == ["rosa@clinic.test"]
    name, pdf, _ = pdf_of(got.message)
    assert (name, "Prepared for Rosa Díaz" in pdf) == (
        "Skin concerns exosomes may help - Rosa Díaz.pdf",
        True,
    )
    took = arrived[0] - clicked
    print(f"\nfront desk: Send clicked -> message at the mail server: {took:.2f} s")

    # The same person again: the page asks first, and nothing more is sent.
    fill({"first_name": "Rosa", "last_name": "Díaz", "email": "rosa@clinic.test"})
    send()
    page = tab.evaluate("document.querySelector('main').innerText")
    assert "You emailed rosa@clinic.test at" in page, page
    assert tab.evaluate("document.querySelector('button[type=submit]').innerText") == "Send again"
    assert len(mail.handler.to("rosa@clinic.test")) == 1

    # At phone width the form fits: nothing to scroll sideways.
    tab.call(
        "Emulation.setDeviceMetricsOverride",
        width=390,
        height=844,
        deviceScaleFactor=2,
        mobile=True,
    )
    tab.call("Page.reload")
    loaded(tab, "document.readyState === 'complete' && !!document.getElementById('email')", 15)
    width = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert tab.evaluate(f"document.documentElement.clientWidth === 390 && {width}") is True
    tab.call("Emulation.clearDeviceMetricsOverride")

    # Another site's page posts the form (no token): refused, nothing sent.
    before = len(mail.handler.received)
    attack = (
        f'<form method="post" action="{desk.served.base}/desk/email">'
        + "".join(f'<input name="{k}" value="{v}">' for k, v in MARIA.items())
        + "</form>"
    )
    tab.call("Page.navigate", url="data:text/html," + quote(attack))
    loaded(tab, "document.readyState === 'complete' && !!document.forms[0]", 15)
    tab.evaluate("document.forms[0].submit()")
    loaded(tab, "document.title.startsWith('This form cannot be sent')", 15)
    assert len(mail.handler.received) == before

    # The catalog opened from the folder: Print works, emailing says it needs brochure serve.
    tab.call("Page.navigate", url=(desk.served.root / "out" / "index.html").as_uri())
    loaded(tab, "document.readyState === 'complete' && !!document.querySelector('.on-disk')", 15)
    assert tab.evaluate(f"{link}.offsetParent") is None
    note = "document.querySelector('.on-disk-note')"
    assert tab.evaluate(f"{note}.offsetParent !== null && {note}.innerText").startswith(
        "Emailing a handout works when this page is opened through brochure serve"
    )
    tab.ws.close()
