"""`brochure serve`: serve out/ on loopback, rebuild on save, reload open pages.

Only files under out/ are served, and only by exact name: no directory listings, no hidden
files, nothing a path can reach outside out/ (`..`, encoded or not, absolute paths,
symlinks), and nothing under out/leads/ (personalised copies hold lead data). Requests
must name this server in their Host header (its address or a loopback name), so a web page
cannot reach it through DNS rebinding. Pages served get a small live-reload script; the
files in out/ never do.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import socket
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from brochure.errors import BrochureError, error_line
from brochure.serve.rebuild import Failure, Rebuilder
from brochure.source.project import Project

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.responses import Response

DATA = Path(__file__).parent.parent / "data"
EVENTS = "/_brochure/events"
ALL_INTERFACES = {"0.0.0.0", "::", ""}
LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})
HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


def bracketed(host: str) -> str:
    """Write an address as it appears in a URL or Host header (`::1` -> `[::1]`)."""
    return f"[{host}]" if ":" in host else host


def host_name(header: str) -> str | None:
    """Return the name in a Host header, lower case, port removed; None if malformed."""
    name = header.strip().lower()
    if ":" in name and not name.endswith("]"):
        name, _, port = name.rpartition(":")
        if not port.isdigit():
            return None
    return name or None


@dataclass(frozen=True)
class Hosts:
    """The names a request's Host header may give: anything else may be DNS rebinding."""

    names: frozenset[str]
    any_ip: bool = False  # bound to all interfaces: any IP address of this computer too

    @classmethod
    def bound_to(cls, host: str) -> Hosts:
        """Return the names to answer to when listening on `host`."""
        if host in ALL_INTERFACES:
            return cls(LOOPBACK | {socket.gethostname().lower()}, any_ip=True)
        return cls(LOOPBACK | {bracketed(host).lower()})

    def allow(self, header: str) -> bool:
        """Tell whether a request with this Host header is for this server."""
        name = host_name(header)
        if name is None:
            return False
        if name in self.names:
            return True
        try:
            ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
        except ValueError:
            return False  # a domain name: only a rebinding page would send one
        return self.any_ip


class HostGuard:
    """ASGI middleware: refuse (403) HTTP requests whose Host header `hosts` does not allow."""

    def __init__(self, app: Callable, hosts: Hosts) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            if not self.hosts.allow(headers.get(b"host", b"").decode("latin-1")):
                from starlette.responses import PlainTextResponse

                refuse = PlainTextResponse(
                    "Forbidden: open the address that brochure serve printed",
                    status_code=403,
                    headers=HEADERS,
                )
                await refuse(scope, receive, send)
                return
        await self.app(scope, receive, send)


def page_name(url_path: str) -> str | None:
    """Turn a decoded URL path into a file name under out/, or None if it is not allowed."""
    rel = url_path.removeprefix("/") or "index.html"
    parts = rel.split("/")
    if any(
        not part or part.startswith(".") or "\\" in part or ":" in part or "\0" in part
        for part in parts
    ):
        return None  # empty (a folder), hidden, `..`, Windows-style or absolute paths
    return rel


def resolve(project: Project, name: str) -> Path | None:
    """Return the file `name` under out/, symlinks resolved, if it stays inside.

    Nothing under out/leads/ (any letter case) is returned: lead copies are not served.
    """
    base = project.out_dir.resolve()
    try:
        target = (base / name).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            return None
    except (OSError, ValueError):  # a name too long for the disk, or one it cannot hold
        return None
    private = target.relative_to(base).parts[0].casefold() == project.leads_dir.name.casefold()
    return None if private else target


def live_script() -> str:
    """Return the live-reload <script> element."""
    return f"<script>{_live_code()}</script>\n"


def _live_code() -> str:
    return "\n" + (DATA / "livereload.js").read_text(encoding="utf-8")


def content_policy() -> str:
    """Return the Content-Security-Policy of every page served: no script but the
    live-reload one (by its hash), nothing loaded from anywhere but this server (and the
    QR codes' data: pictures), no forms, frames or plugins."""
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(_live_code().encode()).digest()).decode()
    return (
        f"default-src 'none'; script-src 'sha256-{digest}'; connect-src 'self'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def inject(html: str, script: str) -> str:
    """Add `script` to an HTML page, just before </body>."""
    at = html.rfind("</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


def error_page(name: str, failure: Failure) -> str:
    """Return the page shown in place of `name` while it cannot be built."""
    from html import escape

    items = "\n".join(
        f'<li class="{escape(level)}">{escape(text)}</li>' for level, text in failure.lines
    )
    template = Template((DATA / "error.html").read_text(encoding="utf-8"))
    return template.substitute(page=escape(name), problems=items)


class Hub:
    """Send the names of changed pages to every open page (server-sent events)."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue[str | None]] = set()
        self.loop: asyncio.AbstractEventLoop | None = None

    def publish(self, pages: set[str]) -> None:
        """Tell the open pages which pages changed (call on the event loop)."""
        if pages:
            message = json.dumps(sorted(pages))
            for queue in self.queues:
                queue.put_nowait(message)

    def close(self) -> None:
        """End every event stream, so the server can stop at once (any thread)."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._end)

    def _end(self) -> None:
        for queue in self.queues:
            queue.put_nowait(None)

    async def stream(self) -> AsyncIterator[str]:
        """Yield the events for one open page until it closes or the server stops."""
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.queues.add(queue)
        try:
            yield "retry: 500\n\n"
            while True:
                try:
                    message = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if message is None:
                    return
                yield f"data: {message}\n\n"
        finally:
            self.queues.discard(queue)


def app(
    project: Project,
    rebuilder: Rebuilder,
    hub: Hub,
    echo: Callable[[str], None],
    ready: str = "",
    hosts: Hosts = Hosts(LOOPBACK),
) -> Starlette:
    """Return the web application: out/ files, error pages and the reload events.

    `ready` is printed once the application has started; requests for other hosts than
    `hosts` are refused.
    """
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    from brochure.serve.desk import Desk

    async def events(request: object) -> Response:
        return StreamingResponse(hub.stream(), media_type="text/event-stream", headers=HEADERS)

    return Starlette(
        routes=[
            Route(EVENTS, events),
            *Desk(project).routes(),
            Route("/{path:path}", _files(project, rebuilder)),
        ],
        middleware=[Middleware(HostGuard, hosts=hosts)],
        lifespan=_lifespan(project, rebuilder, hub, echo, ready),
    )


def _files(project: Project, rebuilder: Rebuilder) -> Callable[[Any], Awaitable[Response]]:
    """The route for out/: pages with the live-reload script, or the error in their place."""
    from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse

    from brochure.build.catalog import PAGE
    from brochure.serve.desk import served

    script = live_script()
    # PDFs are left without: Chromium's own PDF viewer does not work under the policy.
    page_headers = {**HEADERS, "Content-Security-Policy": content_policy()}

    async def files(request: Any) -> Response:
        name = page_name(request.scope["path"])
        if name is not None and name in rebuilder.failures:
            page = error_page(name, rebuilder.failures[name])
            return HTMLResponse(inject(page, script), status_code=500, headers=page_headers)
        path = resolve(project, name) if name is not None else None
        if path is None:
            return PlainTextResponse("Not found", status_code=404, headers=HEADERS)
        if path.suffix == ".html":
            html = path.read_text(encoding="utf-8")
            if name == PAGE:
                html = served(html)  # the catalog shows its front-desk links
            return HTMLResponse(inject(html, script), headers=page_headers)
        return FileResponse(path, headers=HEADERS if path.suffix == ".pdf" else page_headers)

    return files


def _lifespan(
    project: Project, rebuilder: Rebuilder, hub: Hub, echo: Callable[[str], None], ready: str
) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
    """While the application runs: watch the files and rebuild; say `ready` once watching."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: object) -> AsyncIterator[None]:
        hub.loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        watching = asyncio.Event()
        task = asyncio.create_task(live(project, rebuilder, hub, stop, echo, watching))
        await watching.wait()
        if ready:
            echo(ready)
        try:
            yield
        finally:
            stop.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


async def live(
    project: Project,
    rebuilder: Rebuilder,
    hub: Hub,
    stop: asyncio.Event,
    echo: Callable[[str], None],
    watching: asyncio.Event,
) -> None:
    """Rebuild on every change, previews first, and tell the open pages what changed.

    `watching` is set once changes are watched.
    """
    from brochure.serve.watch import affected, changes

    pending: set[str] | None = set()
    ready = asyncio.Event()

    async def collect() -> None:
        nonlocal pending
        async for batch in changes(project, stop, watching):
            more = affected(project, batch)
            pending = None if pending is None or more is None else pending | more
            ready.set()

    def report(task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            watching.set()
            echo(
                error_line(
                    f"watching the files failed: {task.exception()}. Pages will not "
                    "update by themselves; restart brochure serve"
                )
            )

    collector = asyncio.create_task(collect())
    collector.add_done_callback(report)
    try:
        while True:
            await ready.wait()
            ready.clear()
            todo, pending = pending, set()
            if todo == set():
                continue
            for pdf in (False, True):
                try:
                    hub.publish(await asyncio.to_thread(rebuilder.run, todo, pdf))
                except Exception:  # a bug or a file vanishing mid-save: keep serving
                    echo(
                        error_line("the rebuild failed; the server keeps running:\n")
                        + traceback.format_exc()
                    )
    finally:
        collector.cancel()


def bind(host: str, port: int) -> socket.socket:
    """Open the listening socket, or explain why it cannot be opened."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(64)
    except OSError as exc:
        sock.close()
        raise BrochureError(
            f"cannot serve on {host}:{port}: {exc.strerror or exc}. Pick another port "
            f"with --port {port + 1 if port else 8000}, or stop the program using it"
        ) from None
    return sock


def run(
    project: Project,
    host: str = "127.0.0.1",
    port: int = 8000,
    echo: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
) -> None:
    """Build everything, then serve out/ and rebuild on every save until Ctrl-C."""
    import uvicorn

    sock = bind(host, port)
    if host in ALL_INTERFACES:
        warn(
            "Warning: serving on all network interfaces: anyone on your network can open "
            "these pages. Use --host 127.0.0.1 to keep them on this computer."
        )
    shown = bracketed("127.0.0.1" if host in ALL_INTERFACES else host)
    url = f"http://{shown}:{sock.getsockname()[1]}/"
    rebuilder = Rebuilder(project, echo)
    hub = Hub()

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: object) -> None:
            hub.close()  # end the open event streams, or shutting down waits for them
            super().handle_exit(sig, frame)  # type: ignore[arg-type]

    try:
        rebuilder.run(None, pdf=True)
        config = uvicorn.Config(
            app(
                project,
                rebuilder,
                hub,
                echo,
                ready=f"Serving {url} (press Ctrl-C to stop)",
                hosts=Hosts.bound_to(host),
            ),
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # Ctrl-C while starting, or raised again by uvicorn once it has stopped cleanly
    finally:
        sock.close()
    echo("Stopped.")
