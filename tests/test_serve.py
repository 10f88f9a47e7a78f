"""`brochure serve` and the catalog page: the real server over HTTP, on a temp project."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from brochure.serve.server import host_name, page_name
from brochure.serve.watch import affected
from brochure.source.content import load
from brochure.source.project import Project

from .conftest import copy_project, invoke, pdf_text, replace_in
from .live import Server

SLUGS = ["conditions", "exosomes-vs-prp", "results-timeline"]
PNG = b"\x89PNG\r\n\x1a\n"


def titles(root: Path) -> dict[str, str]:
    project = Project.at(root)
    return {s: load(project.brochures_dir / f"{s}.md", project.layouts()).title for s in SLUGS}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the tests that only read (with a symlink out of out/ planted)."""
    root = copy_project(tmp_path_factory.mktemp("served") / "project")
    server = Server(root)
    (root / "out" / "brand-link.yml").symlink_to(root / "_brand.yml")
    (root / "out" / "up").symlink_to(root)
    leads = root / "out" / "leads"  # where `brochure personalize` writes by default
    leads.mkdir()
    (leads / "conditions-jane-doe.pdf").write_bytes((root / "out" / "conditions.pdf").read_bytes())
    (leads / "manifest.csv").write_text("First Name,Email\nJane,jane@example.com\n")
    (root / "out" / "copies").symlink_to(leads)
    yield server
    server.stop()


@pytest.fixture
def server(project: Path) -> Iterator[Server]:
    """A server of its own, on a fresh copy of the project that the test may edit."""
    server = Server(project)
    yield server
    server.stop()


# ---- The catalog page --------------------------------------------------------------------


def test_catalog_lists_every_brochure(served: Server) -> None:
    status, html = served.text("/")
    assert status == 200
    for slug, title in titles(served.root).items():
        assert title in html
        assert f'href="{slug}.pdf"' in html and f'href="{slug}.html"' in html
        assert f'src="thumbs/{slug}.png?v=' in html
        status, kind, body = served.get(f"/thumbs/{slug}.png")
        assert (status, kind, body[:8]) == (200, "image/png", PNG)
    assert "2 pages" in html and "Conditions layout" in html
    assert "Reviewed November 2026" in html and "Ready to print" in html
    assert "Elixir and Wellness" in html and "480 590 5693" in html
    assert served.text("/index.html") == (200, html)


def test_live_reload_script_only_in_served_pages(served: Server) -> None:
    for page in ("index.html", "conditions.html"):
        assert "/_brochure/events" in served.text(f"/{page}")[1]
        on_disk = (served.root / "out" / page).read_text(encoding="utf-8")
        assert "<script" not in on_disk and "_brochure" not in on_disk


def test_serves_pdf_and_preview(served: Server) -> None:
    status, kind, body = served.get("/conditions.pdf")
    assert (status, kind, body[:5]) == (200, "application/pdf", b"%PDF-")
    assert body == (served.root / "out" / "conditions.pdf").read_bytes()
    status, html = served.text("/conditions.html")
    assert status == 200 and "Aging skin" in html


@pytest.mark.parametrize(
    "path",
    [
        "/../_brand.yml",
        "/%2e%2e/_brand.yml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/static/../../_brand.yml",
        "/static/%2e%2e/%2e%2e/_brand.yml",
        "/thumbs/..%2f..%2f_brand.yml",
        "/..%5c_brand.yml",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/_brand.yml",
        "/brand-link.yml",
        "/up/_brand.yml",
        "/.build-state.json",
        "/thumbs/",
        "/static",
        "/static/",
        "/nothing.html",
    ],
)
def test_paths_outside_out_and_folders_get_404(served: Server, path: str) -> None:
    status, _, body = served.get(path)
    assert status == 404, path
    assert b"Elixir" not in body and b"root:" not in body


LEAD_PATHS = [
    "/leads/manifest.csv",
    "/leads/conditions-jane-doe.pdf",
    "/leads%2fmanifest.csv",
    "/LEADS/manifest.csv",
    "/Leads/conditions-jane-doe.pdf",
    "/thumbs/../leads/manifest.csv",
    "/copies/manifest.csv",
    "/leads/",
    "/leads",
]


def test_lead_copies_are_never_served(served: Server) -> None:
    leads = served.root / "out" / "leads"
    assert (leads / "manifest.csv").is_file()
    assert (leads / "conditions-jane-doe.pdf").is_file()
    for path in LEAD_PATHS:
        status, _, body = served.get(path)
        assert status == 404, path
        assert b"jane" not in body.lower() and not body.startswith(b"%PDF"), path
    assert served.get("/conditions.pdf")[0] == 200  # the office copy next to it still is


def test_build_writes_the_catalog(built: Path) -> None:
    html = (built / "out" / "index.html").read_text(encoding="utf-8")
    for slug, title in titles(built).items():
        assert title in html
        assert (built / "out" / "thumbs" / f"{slug}.png").read_bytes()[:8] == PNG
    assert "<script" not in html
    assert "--color-primary: #1D4F5C" in html  # the brand's colours, not the template's
    assert "static/styles/fonts/NotoSerifDisplay-Regular.ttf" in html
    assert (built / "out" / "static" / "styles" / "fonts" / "NotoSans-Regular.ttf").is_file()


def test_unchanged_rebuild_leaves_the_catalog_alone(built: Path) -> None:
    page = built / "out" / "index.html"
    before = page.stat().st_mtime_ns
    result = invoke(built, "build")
    assert result.exit_code == 0, result.output
    assert "index.html" not in result.output
    assert page.stat().st_mtime_ns == before


def test_catalog_shows_a_failed_brochure(project: Path) -> None:
    replace_in(project, "brochures/exosomes-vs-prp.md", "pages: 1", "pages: none")
    result = invoke(project, "build")
    assert result.exit_code == 1
    assert "wrote   out/index.html (the catalog page)" in result.output
    html = (project / "out" / "index.html").read_text(encoding="utf-8")
    assert "1 error" in html
    assert "exosomes-vs-prp.md:5: `pages` must be a whole number of 1 or more" in html
    shipped = len(list((project / "brochures").glob("*.md")))
    assert html.count("Ready to print") == shipped - 1


# ---- Live rebuilds ---------------------------------------------------------------------


def test_edited_title_shows_on_catalog_and_preview(server: Server) -> None:
    replace_in(
        server.root,
        "brochures/exosomes-vs-prp.md",
        "title: Exosomes and PRP",
        "title: Exosomes or PRP, side by side",
    )
    new = "Exosomes or PRP, side by side"
    server.until("/exosomes-vs-prp.html", lambda s, t: new in t, timeout=3)
    server.until("/", lambda s, t: new in t, timeout=3)
    # The PDF follows, and only the edited brochure was rebuilt.
    server.wait_line(lambda line: line.startswith("built    exosomes-vs-prp "), timeout=15)
    assert new in pdf_text(server.root / "out" / "exosomes-vs-prp.pdf")
    assert not any("conditions" in line for line in server.lines[2:]), server.lines


def test_brand_change_rebuilds_every_brochure(server: Server) -> None:
    replace_in(server.root, "_brand.yml", "  phone: 480 590 5693\n", "")
    for page in ("/", "/conditions.html"):
        server.until(page, lambda s, t: s == 500 and "_brand.yml:5: missing `meta.phone`" in t, 5)
    replace_in(server.root, "_brand.yml", "meta:\n", "meta:\n  phone: 480 555 0199\n")
    for page in ("/", "/conditions.html", "/results-timeline.html"):
        server.until(page, lambda s, t: "480 555 0199" in t, timeout=5)
    every = ", ".join(sorted(p.stem for p in (server.root / "brochures").glob("*.md")))
    server.wait_line(lambda line: line.startswith(f"built    {every} "), timeout=20)


def test_broken_save_shows_error_and_fix_restores(server: Server) -> None:
    path = "brochures/exosomes-vs-prp.md"
    good = (server.root / path).read_text(encoding="utf-8")
    replace_in(server.root, path, "title: Exosomes and PRP", "title: Exosomes: and PRP")
    server.until(
        "/exosomes-vs-prp.html",
        lambda s, t: s == 500 and ("brochures/exosomes-vs-prp.md:2: the value has a colon" in t),
        timeout=5,
    )
    server.until("/", lambda s, t: "1 error" in t and "exosomes-vs-prp.md:2" in t, timeout=5)

    replace_in(server.root, path, "title: Exosomes: and PRP", "title: Exosomes and PRP")
    server.until(
        "/exosomes-vs-prp.html",
        lambda s, t: s == 200 and "Exosomes and PRP" in t and "could not be built" not in t,
        timeout=5,
    )

    replace_in(
        server.root,
        path,
        "## Which is right for me?",
        "## Which is right for me?\n\n![Before and after](../assets/missing.jpg)",
    )
    server.until(
        "/exosomes-vs-prp.html",
        lambda s, t: (
            s == 500
            and ("brochures/exosomes-vs-prp.md:39: image `../assets/missing.jpg` not found" in t)
        ),
        timeout=5,
    )
    (server.root / path).write_text(good, encoding="utf-8")
    server.until(
        "/exosomes-vs-prp.html", lambda s, t: s == 200 and "Which is right" in t, timeout=5
    )
    shipped = len(list((server.root / "brochures").glob("*.md")))
    server.until("/", lambda s, t: t.count("Ready to print") == shipped, timeout=15)
    assert server.proc.poll() is None


# ---- Safe by default -------------------------------------------------------------------


def test_default_bind_is_loopback(served: Server) -> None:
    assert served.base.startswith("http://127.0.0.1:")
    assert not served.errors  # no warning


FOREIGN_HOSTS = [
    "evil.example",
    "evil.example:{port}",
    "127.0.0.1.evil.example:{port}",
    "localhost.evil.example",
    "127.0.0.1:{port}@evil.example",
    "127.0.0.1:http",
    "",
]


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_foreign_host_header_is_refused(served: Server, host: str) -> None:
    """A page on another site that rebinds its name to 127.0.0.1 reads nothing."""
    for path in ("/", "/conditions.pdf", "/conditions.html", "/_brochure/events"):
        status, _, body = served.get(path, host=host.format(port=served.port))
        assert status == 403, (host, path)
        assert body == b"Forbidden: open the address that brochure serve printed"


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:{port}", "localhost", "LocalHost:{port}", "[::1]:{port}"]
)
def test_loopback_host_names_are_served(served: Server, host: str) -> None:
    status, kind, body = served.get("/", host=host.format(port=served.port))
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert b"Elixir and Wellness" in body
    assert served.get("/conditions.pdf", host=host.format(port=served.port))[0] == 200


def test_host_option_address_is_allowed(served: Server) -> None:
    other = Server(served.root, "--host", "127.0.0.2")
    try:
        assert other.base == f"http://127.0.0.2:{other.port}"
        assert other.get("/conditions.pdf")[0] == 200  # Host: 127.0.0.2:PORT
        for host in ("127.0.0.2", "localhost:{port}"):
            assert other.get("/", host=host.format(port=other.port))[0] == 200, host
        for host in ("evil.example:{port}", "192.168.1.20:{port}"):
            assert other.get("/", host=host.format(port=other.port))[0] == 403, host
    finally:
        assert other.stop() == 0


def test_all_interfaces_warns_and_ctrl_c_stops_cleanly(served: Server) -> None:
    other = Server(served.root, "--host", "0.0.0.0")
    try:
        assert any("Warning: serving on all network interfaces" in e for e in other.errors)
        # Others on the network open it by this computer's address or name, never a domain.
        for host in ("192.168.1.20:{port}", socket.gethostname(), "localhost"):
            assert other.get("/", host=host.format(port=other.port))[0] == 200, host
        assert other.get("/", host=f"evil.example:{other.port}")[0] == 403
        import http.client

        events = http.client.HTTPConnection("127.0.0.1", other.port, timeout=10)
        events.request("GET", "/_brochure/events")  # an open page keeps a stream open
        assert events.getresponse().status == 200
    finally:
        code = other.stop(timeout=8)
    assert code == 0
    assert other.lines[-1] == "Stopped."
    assert not any("Traceback" in line for line in other.errors)


def test_port_in_use_is_an_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke(project, "serve", "--port", str(port))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot serve on 127.0.0.1:{port}: ")
    assert f"Pick another port with --port {port + 1}" in result.output
    assert not (project / "out").exists()


# ---- Pure parts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/", "index.html"),
        ("/conditions.pdf", "conditions.pdf"),
        ("/thumbs/a.png", "thumbs/a.png"),
        ("/../x", None),
        ("/a/../../x", None),
        ("//etc/passwd", None),
        ("/thumbs/", None),
        ("/.hidden", None),
        ("/a\\b", None),
        ("/c:/x", None),
    ],
)
def test_page_name(url: str, name: str | None) -> None:
    assert page_name(url) == name


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("LocalHost", "localhost"),
        ("[::1]:8000", "[::1]"),
        ("[::1]", "[::1]"),
        ("evil.example:80", "evil.example"),
        ("127.0.0.1:http", None),
        (":8000", None),
        ("", None),
    ],
)
def test_host_name(header: str, name: str | None) -> None:
    assert host_name(header) == name


def test_affected(tmp_path: Path) -> None:
    project = Project(tmp_path)
    brochures = project.brochures_dir
    assert affected(project, [brochures / "conditions.md"]) == {"conditions"}
    assert affected(project, [brochures / "a.md", brochures / "b.md"]) == {"a", "b"}
    for scratch in (".a.md.swp", "a.md~", "4913", "sedX1b2c3", "#a.md#", "_draft.md"):
        assert affected(project, [brochures / scratch]) == set(), scratch
    for shared in (
        project.brand_path,
        project.templates_dir / "base.html",
        project.styles_dir / "common.css",
        project.assets_dir / "logo.svg",
        brochures / "photo.jpg",
    ):
        assert affected(project, [brochures / "a.md", shared]) is None, shared


def test_saving_claims_file_rechecks_every_brochure(server: Server) -> None:
    rule = (
        "rules:\n  - id: no-glow\n    phrases: [glow]\n    level: error\n"
        "    message: we do not promise a glow\n    instead: say what may change\n"
    )
    (server.root / "claims.yml").write_text(rule, encoding="utf-8")
    server.until("/", lambda s, t: "risky claim “glow”" in t, timeout=15)
