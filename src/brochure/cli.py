"""The `brochure` command line: thin commands that hand over to the modules."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from contextlib import ExitStack
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


class ProgressBar:
    """A progress bar on stderr, drawn once the total is known; lines print above it."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.stack = ExitStack()
        self.bar: Any = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def start(self, total: int) -> None:
        bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
        self.bar = self.stack.enter_context(bar)

    def update(self, n: int) -> None:
        self.bar.update(n)

    def echo(self, line: str) -> None:
        """Print a line; on a terminal, over the progress bar's line."""
        click.echo(("\r\x1b[K" if sys.stderr.isatty() else "") + line, err=True)


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
    help="How the page is drawn: conditions, comparison, timeline, sheet or trifold.",
)
@project_option
def new(slug: str, layout: str | None, project_dir: str) -> None:
    """Start a new brochure: write brochures/SLUG.md for LAYOUT, with every field commented.

    It builds as it is; change the text, then run brochure build SLUG.
    Example: brochure new microneedling --layout sheet
    For a translation, name the edition: brochure new conditions.es writes a copy of
    conditions.md to translate, as brochures/conditions.es.md.
    """
    from brochure.errors import display_path
    from brochure.source.project import Project
    from brochure.source.starter import create

    path = create(Project.at(project_dir), slug, layout)
    what = f"layout {layout}" if layout else "a copy of its original"
    click.echo(f"wrote   {display_path(path)} ({what}): edit it, then run")
    click.echo(f"        .venv/bin/brochure build {slug}")


@main.command()
@click.argument("editions", nargs=-1, required=True)
@project_option
def translated(editions: tuple[str, ...], project_dir: str) -> None:
    """Mark translations as in step with their originals, as the originals are now.

    Run it when an edition says what its original says. Afterwards brochure check warns
    as soon as the original changes. Example: brochure translated conditions.es
    """
    from brochure.build.translate import mark
    from brochure.errors import display_path
    from brochure.source.project import Project

    project = Project.at(project_dir)
    for name in editions:
        path = mark(project, name)
        click.echo(f"marked  {display_path(path)} as translated from its original as it is now")


@main.command()
@click.argument("edition")
@project_option
def changes(edition: str, project_dir: str) -> None:
    """Show what changed in an edition's original since it was translated.

    Example: brochure changes conditions.es
    """
    from brochure.build.translate import changes as source_changes
    from brochure.source.project import Project

    text = source_changes(Project.at(project_dir), edition)
    click.echo(text or "No changes: the original is as it was when this edition was translated.")


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
    On this computer the catalog also emails a handout to a patient (mail.yml, password
    in BROCHURE_SMTP_PASSWORD) and lists the emails sent.
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
    from pathlib import Path

    from brochure.errors import display_path
    from brochure.personalize.run import personalize as run
    from brochure.source.project import Project

    project = Project.at(project_dir)
    out = Path(out_dir) if out_dir else project.leads_dir
    with ProgressBar("Personalising") as bar:
        summary = run(
            project,
            slugs,
            Path(leads_file),
            out,
            jobs=jobs,
            force=force,
            echo=bar.echo,
            total=bar.start,
            progress=bar.update,
        )
    if summary.manifest is not None:
        click.echo(f"manifest: {display_path(summary.manifest)}")
    click.echo(summary.line())
    if summary.failed:
        sys.exit(1)


@main.command()
@click.argument("slugs", nargs=-1, required=True)
@click.option(
    "--leads",
    "leads_file",
    type=click.Path(dir_okay=False, exists=True),
    help="The leads CSV (a header row; First Name and Email).",
)
@click.option("--to", "to", metavar="EMAIL", help="Send to one lead, without a CSV.")
@click.option("--name", metavar="NAME", help="With --to: the lead's full name.")
@click.option("--lead-id", default="", metavar="ID", help="With --to: the lead's id.")
@click.option("--coordinator", default="", metavar="NAME", help="With --to: the coordinator.")
@click.option("--send", "really", is_flag=True, help="Really send (without it: a dry run).")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most this many emails.")
@click.option(
    "--email",
    "email_name",
    default="brochures",
    show_default=True,
    metavar="NAME",
    help="The email template: emails/NAME.md.",
)
@click.option("--resend", is_flag=True, help="Send again to leads the send log says have it.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=0,
    help="Worker processes for the copies (0: one per CPU core).",
)
@project_option
def send(
    slugs: tuple[str, ...],
    leads_file: str | None,
    to: str | None,
    name: str | None,
    lead_id: str,
    coordinator: str,
    really: bool,
    limit: int | None,
    email_name: str,
    resend: bool,
    jobs: int,
    project_dir: str,
) -> None:
    """Email each lead their personalised copies of the brochures SLUGS, exactly once.

    A dry run unless --send: the emails are written to out/outbox/ (open them in your mail
    program) and nothing is sent. Settings are in mail.yml; the password comes from
    BROCHURE_SMTP_PASSWORD or is asked for. A lead already sent to is skipped.
    Example: brochure send conditions --leads leads.csv --send --limit 1
    """
    from pathlib import Path

    from brochure.errors import BrochureError
    from brochure.send import run
    from brochure.send.settings import get_password, load
    from brochure.source.project import Project

    if bool(leads_file) == bool(to):
        raise BrochureError(
            "Give either --leads leads.csv (every lead of a CSV) or --to EMAIL --name NAME "
            "(one lead)."
        )
    if to and not name:
        raise BrochureError('With --to, give the lead\'s name too: --name "Maria Lopez".')
    project = Project.at(project_dir)
    options = run.Options(send=really, limit=limit, email=email_name, resend=resend, jobs=jobs)

    def password() -> str:
        prompt = None
        if sys.stdin.isatty():
            prompt = lambda text: click.prompt(text, hide_input=True, err=True)  # noqa: E731
        return get_password(load(project), prompt)()

    if to:
        lead = run.LeadDetails(name=name or "", email=to, lead_id=lead_id, coordinator=coordinator)
        outcome = run.send_one(project, slugs, lead, options, password=password)
        if outcome.status is run.Status.FAILED:
            raise BrochureError(outcome.reason)
        click.echo(outcome.summary())
        return
    with ProgressBar("Sending" if really else "Writing emails") as bar:
        summary = run.send_leads(
            project,
            slugs,
            Path(leads_file or ""),
            options,
            password=password,
            echo=bar.echo,
            total=bar.start,
            progress=bar.update,
        )
    click.echo(summary.line())
    if summary.failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
