"""The `brochure` command line: thin commands that hand over to the modules."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from brochure import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
F = TypeVar("F", bound=Callable[..., Any])


def _project_dir(ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    """Take `--project` after the command, else the one before it, else the current folder."""
    if value is not None:
        return value
    return ctx.find_root().params.get("project_dir") or "."


def _project_option(callback: Callable[..., Any] | None = None) -> Callable[[F], F]:
    return click.option(
        "--project",
        "project_dir",
        default=None,
        type=click.Path(file_okay=False, exists=True),
        callback=callback,
        help="The project folder (the one with _brand.yml); default: the current folder.",
    )


project_option = _project_option(_project_dir)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="brochure")
@_project_option()  # `brochure --project DIR build` as well as `brochure build --project DIR`
def main(project_dir: str | None) -> None:
    """Turn Markdown brochures into clinic-branded, print-ready PDFs.

    Example: brochure build conditions
    """
    from brochure.scratch import scratch

    click.get_current_context().with_resource(scratch())


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--force", is_flag=True, help="Rebuild even brochures whose inputs are unchanged.")
@click.option(
    "--press",
    is_flag=True,
    help="Also write out/press/SLUG.pdf for a print shop (bleed and crop marks).",
)
@project_option
def build(slugs: tuple[str, ...], force: bool, press: bool, project_dir: str) -> None:
    """Build brochures into out/ (all of them, or the SLUGS named).

    Writes out/SLUG.pdf, out/SLUG.html (a browser preview) and out/index.html (the
    catalog page listing every brochure); with --press also out/press/SLUG.pdf, the file
    to send to a print shop.
    Example: brochure build exosomes-vs-prp
    """
    from brochure.build.run import build_all
    from brochure.source.project import Project

    # A build is short and makes little garbage: the cycle collector would only cost time
    # (~10% of a cold build). Long runs (serve, personalize) keep it on.
    gc.disable()
    try:
        ok = build_all(
            Project.at(project_dir),
            slugs,
            force=force,
            press=press,
            say=click.echo,
            warn=lambda line: click.echo(line, err=True),
        )
    finally:
        gc.enable()
    if not ok:
        sys.exit(1)


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json gives a machine-readable report for CI.",
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    hidden=True,
    help="Check as if today were this date (YYYY-MM-DD); for tests.",
)
@project_option
def check(slugs: tuple[str, ...], strict: bool, fmt: str, today: object, project_dir: str) -> None:
    """Check brochures for problems before they are printed (all, or the SLUGS named).

    Reads and lays out every brochure without writing anything, and reports front matter
    mistakes, page overflow, broken links, risky claims, a missing disclaimer, hard
    sentences, old review dates and rendering problems. Exit code 1 on errors
    (with --strict, on warnings too).
    Example: brochure check --strict conditions
    """
    from brochure.build.check import run
    from brochure.checks import report
    from brochure.source.project import Project

    day = today.date() if today is not None else None  # type: ignore[attr-defined]
    result = run(Project.at(project_dir), slugs, today=day)
    click.echo(report.as_json(result, strict) if fmt == "json" else report.text(result, strict))
    if result.failed(strict):
        sys.exit(1)


@main.command()
@click.argument("slug")
@click.option(
    "--layout",
    required=True,
    help="How the page is drawn: conditions, comparison, timeline, sheet or trifold.",
)
@project_option
def new(slug: str, layout: str, project_dir: str) -> None:
    """Start a new brochure: write brochures/SLUG.md for LAYOUT, with every field commented.

    It builds as it is; change the text, then run brochure build SLUG.
    Example: brochure new microneedling --layout sheet
    """
    from brochure.errors import display_path
    from brochure.source.project import Project
    from brochure.source.starter import create

    path = create(Project.at(project_dir), slug, layout)
    click.echo(f"wrote   {display_path(path)} (layout {layout}): edit it, then run")
    click.echo(f"        .venv/bin/brochure build {slug}")


@main.command("list")
@project_option
def list_(project_dir: str) -> None:
    """List the brochures: slug, title, layout and page budget."""
    from brochure.build.catalog import rows
    from brochure.source.project import Project

    table = rows(Project.at(project_dir))
    widths = [max(len(str(r[i])) for r in table) for i in range(len(table[0]))]
    for row in table:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@main.command()
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="The port to serve on (0 picks a free one).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to serve on; 0.0.0.0 opens it to your whole network.",
)
@project_option
def serve(port: int, host: str, project_dir: str) -> None:
    """Build everything, serve out/ in the browser and rebuild on every save.

    Open the address it prints: the catalog of every brochure, each with its PDF and
    preview. Saving a brochure, template, style or the brand file updates open pages.
    Example: brochure serve --port 8001
    """
    from brochure.serve.server import run
    from brochure.source.project import Project

    run(
        Project.at(project_dir),
        host,
        port,
        echo=lambda line: click.echo(line),
        warn=lambda line: click.echo(line, err=True),
    )


@main.command()
@click.argument("slugs", nargs=-1, required=True)
@click.option(
    "--leads",
    "leads_file",
    required=True,
    type=click.Path(dir_okay=False, exists=True),
    help="The leads file: CSV or Excel .xlsx (a header row; First Name required).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Where to write the copies.  [default: out/leads in the project]",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=0,
    help="Worker processes (0: one per CPU core).",
)
@click.option("--force", is_flag=True, help="Remake copies that are already up to date.")
@project_option
def personalize(
    slugs: tuple[str, ...],
    leads_file: str,
    out_dir: str | None,
    jobs: int,
    force: bool,
    project_dir: str,
) -> None:
    """Write one PDF per lead and brochure, plus manifest.csv for your mail merge.

    Each copy says "Prepared for NAME" (and the coordinator, when given) and its booking
    QR code and link carry the lead id.
    Example: brochure personalize conditions --leads leads.csv
    """
    from contextlib import ExitStack
    from pathlib import Path

    from brochure.errors import display_path
    from brochure.personalize.run import personalize as run
    from brochure.source.project import Project

    project = Project.at(project_dir)
    out = Path(out_dir) if out_dir else project.leads_dir
    with ExitStack() as stack:
        bar: list = []  # the progress bar, once the number of copies is known

        def start(total: int) -> None:
            bar.append(
                stack.enter_context(
                    click.progressbar(length=total, label="Personalising", file=sys.stderr)
                )
            )

        def echo(line: str) -> None:  # on a terminal, over the progress bar's line
            click.echo(("\r\x1b[K" if sys.stderr.isatty() else "") + line, err=True)

        summary = run(
            project,
            slugs,
            Path(leads_file),
            out,
            jobs=jobs,
            force=force,
            echo=echo,
            total=start,
            progress=lambda n: bar[0].update(n),
        )
    if summary.manifest is not None:
        click.echo(f"manifest: {display_path(summary.manifest)}")
    click.echo(summary.line())
    if summary.failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
