"""The `brochure` command line: thin commands that hand over to the modules."""

from __future__ import annotations

import sys

import click

from . import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}

project_option = click.option(
    "--project", "project_dir", default=".", show_default=True,
    type=click.Path(file_okay=False, exists=True),
    help="The project folder (the one with _brand.yml).")


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="brochure")
def main() -> None:
    """Turn Markdown brochures into clinic-branded, print-ready PDFs.

    Example: brochure build conditions
    """


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--force", is_flag=True, help="Rebuild even brochures whose inputs are unchanged.")
@project_option
def build(slugs: tuple[str, ...], force: bool, project_dir: str) -> None:
    """Build brochures into out/ (all of them, or the SLUGS named).

    Writes out/SLUG.pdf and out/SLUG.html (a browser preview).
    Example: brochure build exosomes-vs-prp
    """
    from .build import build as run
    from .build import summary
    from .project import Project

    outcomes = run(Project.at(project_dir), slugs, force=force,
                   echo=lambda line: click.echo(line, err=True))
    for outcome in outcomes:
        if outcome.status == "built":
            click.echo(f"built   out/{outcome.slug}.pdf ({outcome.pages} "
                       f"page{'s' if outcome.pages != 1 else ''})")
    click.echo(summary(outcomes))
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


@main.command("list")
@project_option
def list_(project_dir: str) -> None:
    """List the brochures: slug, title, layout and page budget."""
    from .catalog import rows
    from .project import Project

    table = rows(Project.at(project_dir))
    widths = [max(len(str(r[i])) for r in table) for i in range(len(table[0]))]
    for row in table:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


@main.command()
@click.argument("slugs", nargs=-1, required=True)
@click.option("--leads", "leads_file", required=True,
              type=click.Path(dir_okay=False, exists=True),
              help="The leads CSV (a header row; First Name required).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Where to write the copies.  [default: out/leads in the project]")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0,
              help="Worker processes (0: one per CPU core).")
@click.option("--force", is_flag=True, help="Remake copies that are already up to date.")
@project_option
def personalize(slugs: tuple[str, ...], leads_file: str, out_dir: str | None, jobs: int,
                force: bool, project_dir: str) -> None:
    """Write one PDF per lead and brochure, plus manifest.csv for your mail merge.

    Each copy says "Prepared for NAME" (and the coordinator, when given) and its booking
    QR code and link carry the lead id.
    Example: brochure personalize conditions --leads leads.csv
    """
    from contextlib import ExitStack
    from pathlib import Path

    from .errors import display_path
    from .personalize import personalize as run
    from .project import Project

    project = Project.at(project_dir)
    out = Path(out_dir) if out_dir else project.out_dir / "leads"
    with ExitStack() as stack:
        bar: list = []  # the progress bar, once the number of copies is known

        def start(total: int) -> None:
            bar.append(stack.enter_context(
                click.progressbar(length=total, label="Personalising", file=sys.stderr)))

        def echo(line: str) -> None:  # on a terminal, over the progress bar's line
            click.echo(("\r\x1b[K" if sys.stderr.isatty() else "") + line, err=True)

        summary = run(project, slugs, Path(leads_file), out, jobs=jobs, force=force,
                      echo=echo, total=start, progress=lambda n: bar[0].update(n))
    click.echo(f"manifest: {display_path(summary.manifest)}")
    click.echo(summary.line())
    if summary.failed:
        sys.exit(1)
