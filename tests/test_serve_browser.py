"""End to end: a real headless Chromium with the catalog open reloads it by itself on save.

Uses Debian's `chromium` (never a browser download), driven over the DevTools protocol.
Skipped where Chromium is missing, except in CI (CI set), where that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import replace_in
from .live import Server

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Tab:
    """One page of a browser, driven over the DevTools protocol."""

    def __init__(self, ws_url: str) -> None:
        import websocket  # websocket-client, a test dependency

        self.ws = websocket.create_connection(ws_url, timeout=20, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []  # events that came while waiting for a reply

    def call(self, method: str, **params: object) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                return message
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str) -> object:
        """Return the value of `expression` in the page (None while it is reloading)."""
        reply = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        result = reply.get("result", {})
        if "exceptionDetails" in result or "result" not in result:
            return None
        return result["result"].get("value")

    def event(self, method: str, match: Callable[[dict], bool], timeout: float) -> dict:
        """Wait for the first `method` event whose params `match` (taking it); return them."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.events:
                if message["method"] == method and match(message.get("params", {})):
                    self.events.remove(message)
                    return message["params"]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {method} within {timeout} s")
            self.ws.settimeout(remaining)
            try:
                message = json.loads(self.ws.recv())
            except websocket_timeout() as exc:
                raise AssertionError(f"no {method} within {timeout} s") from exc
            if "method" in message:
                self.events.append(message)


def loaded(tab: Tab, expression: str, timeout: float) -> None:
    """Wait for the page that is loading to finish, then check `expression` holds in it."""
    tab.event("Page.loadEventFired", lambda _: True, timeout=timeout)
    assert tab.evaluate(expression) is True, expression


def websocket_timeout() -> type[Exception]:
    import websocket

    return websocket.WebSocketTimeoutException


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[str]:
    """A headless Chromium with a fresh profile; yields its DevTools address."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: CI must install it (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    profile = tmp_path / "chromium-profile"
    proc = subprocess.Popen(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Chromium says where DevTools listens on stderr once it is ready: read until then.
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("DevTools listening on ws://"):
                break
        else:
            raise AssertionError("Chromium exited before DevTools was ready")
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # never let it block
        yield line.split("ws://", 1)[1].split("/", 1)[0]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_open_catalog_reloads_itself_with_the_new_title(project: Path, browser: str) -> None:
    server = Server(project)
    try:
        with urllib.request.urlopen(f"http://{browser}/json/list", timeout=10) as reply:
            page = next(t for t in json.load(reply) if t["type"] == "page")
        tab = Tab(page["webSocketDebuggerUrl"])
        tab.call("Page.enable")
        tab.call("Network.enable")
        tab.call("Page.navigate", url=server.base + "/")
        # The page is ready once its reload event stream has sent its first bytes.
        stream = tab.event(
            "Network.requestWillBeSent",
            lambda p: p["request"]["url"].endswith("/_brochure/events"),
            timeout=15,
        )
        tab.event("Network.dataReceived", lambda p: p["requestId"] == stream["requestId"], 15)
        tab.event("Page.loadEventFired", lambda p: True, timeout=15)
        assert tab.evaluate("document.body.innerText.includes('Exosomes and PRP')") is True
        tab.evaluate("window.notReloaded = true")
        tab.events.clear()  # from here on, a load event is the page reloading itself

        replace_in(
            project,
            "brochures/exosomes-vs-prp.md",
            "title: Exosomes and PRP",
            "title: Exosomes or PRP, compared",
        )
        tab.event("Page.loadEventFired", lambda p: True, timeout=5)  # it reloaded by itself
        assert tab.evaluate("window.notReloaded") is None
        assert tab.evaluate("document.body.innerText.includes('Exosomes or PRP, compared')")
        assert tab.evaluate("document.body.innerText.includes('Exosomes and PRP')") is False
        tab.ws.close()
    finally:
        server.stop()


@pytest.mark.parametrize(("slug", "pages"), [("overview", 2), ("results-timeline", 1)])
def test_printing_a_preview_from_the_browser_gives_the_pdfs_pages(
    built: Path, tmp_path: Path, slug: str, pages: int
) -> None:
    """A browser prints the HTML preview on as many sheets as the PDF has (no stray footer)."""
    from pypdf import PdfReader

    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: CI must install it (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    printed = tmp_path / f"{slug}.pdf"
    subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={printed}",
            (built / "out" / f"{slug}.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert len(PdfReader(printed).pages) == len(PdfReader(built / "out" / f"{slug}.pdf").pages)
    assert len(PdfReader(printed).pages) == pages
