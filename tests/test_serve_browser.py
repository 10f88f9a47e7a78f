"""End to end: a real headless Chromium with the catalog open reloads it by itself on save.

Uses Debian's `chromium` (never a browser download), driven over the DevTools protocol.
Skipped where Chromium is missing, except in CI (CI set), where that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
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

    def call(self, method: str, **params: object) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                return message

    def evaluate(self, expression: str) -> object:
        """Return the value of `expression` in the page (None while it is reloading)."""
        reply = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        result = reply.get("result", {})
        if "exceptionDetails" in result or "result" not in result:
            return None
        return result["result"].get("value")

    def wait(self, expression: str, timeout: float) -> float:
        """Wait until `expression` is true in the page; return the seconds it took."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.evaluate(expression) is True:
                return time.monotonic() - start
            time.sleep(0.05)
        raise AssertionError(f"not true within {timeout} s: {expression}")


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
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and port_file.read_text().strip()):
            assert time.monotonic() < deadline, "Chromium did not start"
            assert proc.poll() is None, "Chromium exited"
            time.sleep(0.1)
        yield f"127.0.0.1:{port_file.read_text().split()[0]}"
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
        tab.call("Page.navigate", url=server.base + "/")
        tab.wait(
            "document.readyState === 'complete' && "
            "document.body.innerText.includes('Exosomes and PRP')",
            timeout=15,
        )
        tab.evaluate("window.notReloaded = true")
        time.sleep(0.5)  # let the page's event stream connect

        replace_in(
            project,
            "brochures/exosomes-vs-prp.md",
            "title: Exosomes and PRP",
            "title: Exosomes or PRP, compared",
        )
        took = tab.wait(
            "window.notReloaded === undefined && document.readyState === "
            "'complete' && document.body.innerText.includes("
            "'Exosomes or PRP, compared')",
            timeout=5,
        )
        assert took < 5
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
