"""Run the real `brochure serve` in a subprocess and talk to it over HTTP."""

from __future__ import annotations

import contextlib
import http.client
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

START = "from brochure.cli import main; main()"
EVENTS = "/_brochure/events"  # the live server's reload event stream


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
        self.readers = [
            threading.Thread(target=self._read, args=(stream, out), daemon=True)
            for stream, out in ((self.proc.stdout, True), (self.proc.stderr, False))
        ]
        for reader in self.readers:
            reader.start()
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

    def until(self, path: str, check: Callable[[int, str], bool], timeout: float) -> None:
        """Wait until `check(status, text)` holds for `path`.

        Looks now, then again each time the server announces changed pages on its reload
        event stream (what an open browser page listens to), never on a timer.
        """
        deadline = time.monotonic() + timeout
        with self.events() as next_event:  # listening before the first look: no change is missed
            while True:
                status, text = self.text(path)
                if check(status, text):
                    return
                if not next_event(deadline - time.monotonic()):
                    raise AssertionError(
                        f"{path} did not change in {timeout} s: {status} {text[:2000]}"
                    )

    @contextlib.contextmanager
    def events(self) -> Iterator[Callable[[float], bool]]:
        """Listen to the server's reload events; yield `next_event(timeout)` -> got one."""
        address = self.base.removeprefix("http://").rsplit(":", 1)[0].strip("[]")
        conn = http.client.HTTPConnection(address, self.port, timeout=10)
        try:
            conn.request("GET", EVENTS)
            stream = conn.getresponse()
            assert stream.status == 200, stream.status
            assert stream.readline().startswith(b"retry:")  # the server has us listening now

            def next_event(timeout: float) -> bool:
                if timeout <= 0:
                    return False
                assert conn.sock is not None
                conn.sock.settimeout(timeout)
                try:
                    while not stream.readline().startswith(b"data:"):
                        pass  # blank lines and keep-alive comments
                except TimeoutError:
                    return False
                return True

            yield next_event
        finally:
            conn.close()

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
        for reader in self.readers:  # they end at the end of the output: take the last lines
            reader.join(timeout=timeout)
        return self.proc.returncode
