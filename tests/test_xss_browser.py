"""Hostile content in a real headless Chromium: no script runs and nothing is fetched.

Every payload, if it ran, would mark the page (`data-pwned` on <html>) and ask a local HTTP
listener for a URL; the listener must see no request. A control page with the same payload
left unsanitised proves the harness would notice.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from brochure.build.pipeline import Pipeline
from brochure.render import markup
from brochure.source.project import Project

from .conftest import write
from .live import Server
from .test_errors import sheet
from .test_serve_browser import Tab, browser  # noqa: F401 - the browser fixture

MARK = "document.documentElement.dataset.pwned = '1'"
READY = "document.readyState === 'complete'"
PWNED = "document.documentElement.dataset.pwned === '1'"


class Listener:
    """An HTTP server on loopback that records every path asked for."""

    def __init__(self) -> None:
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def payloads(self) -> list[str]:
        """Raw HTML that runs script or fetches, in the ways issue 11 found."""
        run = f"{MARK}; new Image().src = '{self.base}/ran'"
        return [
            f'<noscript><p title="</noscript><img src=x onerror=\\"{run}\\">"></noscript>',
            f'<xmp><p title="</xmp><img src=x onerror=\\"{run}\\">"></xmp>',
            f'<textarea><p title="</textarea><img src=x onerror=\\"{run}\\">"></textarea>',
            f'<noembed><p title="</noembed><img src=x onerror=\\"{run}\\">"></noembed>',
            f'<title><p title="</title><img src=x onerror=\\"{run}\\">"></title>',
            f'Text <!--><img src=x onerror="{run}">--> more',
            f"<script>{run}</script>",
            f'<p style="-webkit-mask-image: url({self.base}/mask)">masked</p>',
            f'<p style="background: image-set(url({self.base}/set) 1x)">set</p>',
            f"![far]({self.base}/picture.png)",
            f'<svg><foreignObject><img src=x onerror="{run}"></foreignObject></svg>',
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    try:
        yield server
    finally:
        server.close()


def open_tab(browser: str) -> Tab:  # noqa: F811 - the fixture's value
    with urllib.request.urlopen(f"http://{browser}/json/list", timeout=10) as reply:
        page = next(t for t in json.load(reply) if t["type"] == "page")
    tab = Tab(page["webSocketDebuggerUrl"])
    tab.call("Page.enable")
    return tab


def visit(tab: Tab, url: str) -> None:
    """Open `url` and wait until it has loaded (every picture's error fired)."""
    tab.events.clear()
    tab.call("Page.navigate", url=url)
    tab.event("Page.loadEventFired", lambda _: True, timeout=15)
    assert tab.evaluate(f"{READY} && location.href === {json.dumps(url)}") is True


def navigate_and_watch(tab: Tab, url: str, until: str, timeout: float = 10) -> list[str]:
    """Open `url`; return the URLs the page requested, up to one ending with `until`."""
    tab.next_id += 1
    tab.ws.send(json.dumps({"id": tab.next_id, "method": "Page.navigate", "params": {"url": url}}))
    requested: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not any(u.endswith(until) for u in requested):
        message = json.loads(tab.ws.recv())
        if message.get("method") == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
        elif "method" in message:
            tab.events.append(message)
    return requested


def hostile_logo(project: Path, listener: Listener) -> None:
    (project / "assets/logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8" '
        f'onload="{MARK}"><script>{MARK}; fetch("{listener.base}/logo")</script>'
        '<foreignObject width="8" height="8"><img xmlns="http://www.w3.org/1999/xhtml" '
        f'src="{listener.base}/foreign"/></foreignObject>'
        f'<image href="{listener.base}/image.png" width="8" height="8"/>'
        '<circle cx="4" cy="4" r="3" fill="currentColor"/></svg>',
        encoding="utf-8",
    )


def test_sanitised_preview_runs_nothing_from_a_file(
    project: Path,
    browser: str,  # noqa: F811
    listener: Listener,
) -> None:
    """Opened from the folder (no server, no Content-Security-Policy), as the front desk does."""
    hostile_logo(project, listener)
    body = "\n\n".join(["Opening text.", *listener.payloads(), "Closing text."])
    path = write(project, "brochures/hostile.md", sheet(body + "\n"))
    pipeline = Pipeline(Project.at(project))
    brochure, _ = pipeline.read(path, checks=False)  # what the checks refuse, rendered anyway
    assert brochure is not None
    page = project / "out" / "hostile.html"
    write(project, "out/hostile.html", pipeline.preview(brochure).html)
    control = write(project, "out/control.html", markup.written_html(body))
    tab = open_tab(browser)

    visit(tab, control.as_uri())  # the same payloads unsanitised: the harness sees them run
    assert tab.evaluate(PWNED) is True
    assert "/ran" in listener.seen
    listener.seen.clear()

    visit(tab, page.as_uri())
    assert tab.evaluate("document.body.innerText.includes('Closing text.')") is True
    assert tab.evaluate(PWNED) is False
    assert tab.evaluate("document.querySelectorAll('script, foreignObject, image').length") == 0
    assert listener.seen == []
    tab.ws.close()


def test_served_pages_run_only_the_live_reload_script(
    project: Path,
    browser: str,  # noqa: F811
    listener: Listener,
) -> None:
    """A page in out/ with script and outside loads (as if written by anything else): the
    server's Content-Security-Policy blocks both, while the live-reload script runs."""
    server = Server(project)
    try:
        write(
            project,
            "out/planted.html",
            f"<!doctype html><html><head><link rel=stylesheet href='{listener.base}/css'>"
            f"</head><body><p>Planted</p><script>{MARK}</script>"
            f"<img src='{listener.base}/img' onerror=\"{MARK}\">"
            f"<iframe src='{listener.base}/frame'></iframe></body></html>",
        )
        tab = open_tab(browser)
        tab.call("Network.enable")
        requested = navigate_and_watch(tab, server.base + "/planted.html", "/_brochure/events")
        assert any(url.endswith("/_brochure/events") for url in requested)  # live reload ran
        tab.event("Page.loadEventFired", lambda _: True, timeout=15)
        assert tab.evaluate(READY) is True
        assert tab.evaluate("document.body.innerText.includes('Planted')") is True
        assert tab.evaluate(PWNED) is False
        assert listener.seen == []  # Chromium tried (and logged) each load: none went out
        tab.ws.close()
    finally:
        server.stop()


def test_catalog_and_error_page_show_hostile_text_as_text(
    project: Path,
    browser: str,  # noqa: F811
    listener: Listener,
) -> None:
    """A refused brochure is listed in the catalog and explained on its error page, with
    its title and the offending markup printed as text, never run."""
    run = f"{MARK}; new Image().src = '{listener.base}/ran'"
    title = f'"<img src=x onerror=\\"{run}\\">"'
    body = listener.payloads()[0] + "\n"
    write(
        project, "brochures/hostile.md", sheet(body).replace("title: Test sheet", f"title: {title}")
    )
    server = Server(project)
    try:
        tab = open_tab(browser)
        visit(tab, server.base + "/")
        assert tab.evaluate("document.body.innerText.includes('<img src=x onerror=')") is True
        assert tab.evaluate(PWNED) is False
        visit(tab, server.base + "/hostile.html")
        assert tab.evaluate("document.body.innerText.includes('`<noscript>`')") is True
        assert tab.evaluate(PWNED) is False
        assert listener.seen == []
        tab.ws.close()
    finally:
        server.stop()
