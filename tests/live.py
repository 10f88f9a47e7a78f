"""Run the real `brochure serve` in a subprocess and talk to it over HTTP."""

from __future__ import annotations

import http.client
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

START = "from brochure.cli import main; main()"


class Server:
    """`brochure serve --port 0` on a project, its output collected line by line."""

    def __init__(self, root: Path, *args: str) -> None:
        self.root = root
        self.proc = subprocess.Popen(
            [sys.executable, "-c", START, "serve", "--port", "0", "--project", str(root), *args],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.out: queue.Queue[str] = queue.Queue()
        self.lines: list[str] = []
        self.errors: list[str] = []
        threading.Thread(target=self._read, args=(self.proc.stdout, True), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, False), daemon=True).start()
        line = self.wait_line(lambda text: text.startswith("Serving "), timeout=60)
        self.base = line.split()[1].rstrip("/")
        self.port = int(self.base.rsplit(":", 1)[1])

    def _read(self, stream: object, out: bool) -> None:
        for line in stream:  # type: ignore[attr-defined]
            (self.lines if out else self.errors).append(line.rstrip("\n"))
            if out:
                self.out.put(line.rstrip("\n"))

    def wait_line(self, match: Callable[[str], bool], timeout: float) -> str:
        """Return the first new stdout line that matches."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.out.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise AssertionError(f"serve exited: {self.lines} {self.errors}") from None
                continue
            if match(line):
                return line
        raise AssertionError(f"no matching line in {timeout} s: {self.lines} {self.errors}")

    def get(
        self, path: str, method: str = "GET", host: str | None = None
    ) -> tuple[int, str, bytes]:
        """Send `path` as is (no normalising); return status, content type and body.

        `host` replaces the Host header http.client sends (the address and port).
        """
        address = self.base.removeprefix("http://").rsplit(":", 1)[0].strip("[]")
        conn = http.client.HTTPConnection(address, self.port, timeout=10)
        try:
            if host is None:
                conn.request(method, path)
            else:
                conn.putrequest(method, path, skip_host=True)
                conn.putheader("Host", host)
                conn.endheaders()
            response = conn.getresponse()
            return response.status, response.getheader("Content-Type", ""), response.read()
        finally:
            conn.close()

    def text(self, path: str) -> tuple[int, str]:
        status, _, body = self.get(path)
        return status, body.decode("utf-8")

    def until(self, path: str, check: Callable[[int, str], bool], timeout: float) -> float:
        """Poll `path` until `check(status, text)` holds; return the seconds it took."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            status, text = self.text(path)
            if check(status, text):
                return time.monotonic() - start
            time.sleep(0.05)
        raise AssertionError(f"{path} did not change in {timeout} s: {status} {text[:2000]}")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15) -> int:
        """Stop the server the way Ctrl-C does; return its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        time.sleep(0.1)  # let the reader threads take the last lines
        return self.proc.returncode
