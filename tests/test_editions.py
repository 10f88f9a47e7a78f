"""Language editions: conditions.es.md builds to out/es/, in Spanish words, kept in step."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from brochure.serve.watch import affected
from brochure.source.project import Project
from tests.conftest import invoke, pdf_text, replace_in, write
from tests.test_send import server  # noqa: F401  (a real SMTP server, aiosmtpd)
from tests.test_serve_browser import browser  # noqa: F401  (the headless Chromium fixture)

# Every English word the templates and the brand file put around a brochure's own text.
ENGLISH_UI = (
    "Call us at",
    "or book online at",
    "Book your free discovery call",
    "Page 1 of",
    "Reviewed",
    "November",
    "Results vary",
    "not FDA-approved",
    "compared",
)


def spanish_edition(root: Path, slug: str = "conditions", **fields: str) -> Path:
    """Write brochures/SLUG.es.md: the English text with Spanish front matter, no layout."""
    text = (root / "brochures" / f"{slug}.md").read_text(encoding="utf-8")
    text = re.sub(r"^layout: .*\n|^pages: .*\n", "", text, flags=re.MULTILINE)
    text = text.replace("lang: en-US", "lang: es-US")
    text = re.sub(
        r"^title: .*$", "title: Lo que los exosomas pueden ayudar", text, count=1, flags=re.M
    )
    for key, value in fields.items():
        text = text.replace("---\n", f"---\n{key}: {value}\n", 1)
    return write(root, f"brochures/{slug}.es.md", text)


@pytest.fixture(scope="module")
def spanish(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with Spanish editions of the conditions sheet and the comparison, built."""
    from tests.conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("spanish") / "project")
    spanish_edition(root, "conditions")
    spanish_edition(root, "exosomes-vs-prp")
    result = invoke(root, "build")
    assert result.exit_code == 0, result.output
    return root


def test_an_edition_builds_beside_its_original_in_its_language_folder(spanish: Path) -> None:
    out = spanish / "out"
    assert (out / "conditions.pdf").is_file()
    assert (out / "es" / "conditions.pdf").is_file()
    assert (out / "es" / "conditions.html").is_file()
    with pikepdf.open(out / "es" / "conditions.pdf") as pdf:
        assert str(pdf.Root.Lang) == "es-US"
        assert len(pdf.pages) == 2  # the page budget and layout come from conditions.md
        assert str(pdf.docinfo.Title).startswith("Lo que los exosomas pueden ayudar")


@pytest.mark.parametrize("slug", ["conditions", "exosomes-vs-prp"])
def test_every_word_around_the_content_is_spanish(spanish: Path, slug: str) -> None:
    text = pdf_text(spanish / "out" / "es" / f"{slug}.pdf")
    for english in ENGLISH_UI:
        assert english not in text, english
    assert "Agende su llamada de orientación gratis" in text
    assert "Llámenos al 480 590 5693" in text
    assert "o haga su cita por internet en" in text
    assert "Revisado en noviembre de 2026" in text
    assert "no están aprobados por la FDA" in text
    if slug == "conditions":
        assert "Página 1 de 2" in text and "Página 2 de 2" in text
    english = pdf_text(spanish / "out" / f"{slug}.pdf")
    assert "Call us at" in english and "Reviewed November 2026" in english


def test_the_comparison_caption_and_qr_code_alt_text_are_spanish(spanish: Path) -> None:
    html = (spanish / "out" / "es" / "exosomes-vs-prp.html").read_text(encoding="utf-8")
    assert "Comparación: Exosomes y PRP" in html
    assert 'alt="Código QR que abre nuestra página de citas, https://' in html
    assert 'lang="es-US"' in html


def test_an_editions_preview_reaches_the_shared_files(spanish: Path) -> None:
    html = (spanish / "out" / "es" / "conditions.html").read_text(encoding="utf-8")
    urls = re.findall(r"url\(\"?([^\")]+)", html) + re.findall(r'src="([^"]+)"', html)
    local = [u for u in urls if not u.startswith(("data:", "http"))]
    assert local and all(u.startswith("../static/") for u in local), local
    for url in local:
        assert (spanish / "out" / "es" / url).resolve().is_file(), url


def test_the_catalog_lists_both_editions_with_a_language_filter(spanish: Path) -> None:
    html = (spanish / "out" / "index.html").read_text(encoding="utf-8")
    assert '<input type="radio" name="language" id="language-es">' in html
    assert "Spanish (español)" in html
    assert 'id="es-conditions" data-language="es"' in html
    assert 'href="es/conditions.pdf"' in html
    assert "edition of “Skin concerns exosomes may help”" in html


def test_list_and_single_builds_take_either_name(spanish: Path) -> None:
    listing = invoke(spanish, "list").output
    assert re.search(r"^es/conditions\s+Lo que los exosomas", listing, re.MULTILINE)
    for name in ("conditions.es", "es/conditions", "brochures/conditions.es.md"):
        result = invoke(spanish, "build", name)
        assert result.exit_code == 0, result.output
        assert "0 built, 1 skipped" in result.output


def test_a_missing_spanish_string_is_an_error_naming_it(project: Path) -> None:
    spanish_edition(project)
    replace_in(project, "locales/es.yml", "call_us: Llámenos al\n", "")
    result = invoke(project, "build", "conditions.es")
    assert result.exit_code == 1
    assert (
        "Error: locales/es.yml: the Spanish for `call_us` is missing. Add `call_us:` with the "
        "Spanish for “Call us at”; a missing string is never printed in English." in result.output
    )
    assert not (project / "out" / "es" / "conditions.pdf").exists()
    assert invoke(project, "build", "conditions").exit_code == 0  # English is not held up


def test_a_language_with_no_strings_file_is_an_error(project: Path) -> None:
    text = spanish_edition(project).read_text(encoding="utf-8")
    write(project, "brochures/conditions.fr.md", text.replace("lang: es-US", "lang: fr"))
    result = invoke(project, "build", "conditions.fr")
    assert result.exit_code == 1
    assert (
        "Error: locales/fr.yml: there are no French strings for the templates yet. Create "
        "locales/fr.yml with each string of the English list translated" in result.output
    )


def test_a_translation_must_keep_the_placeholders(project: Path) -> None:
    spanish_edition(project)
    replace_in(project, "locales/es.yml", "Página {page} de {pages}", "Página {pagina} de {pages}")
    result = invoke(project, "build", "conditions.es")
    assert result.exit_code == 1
    assert re.search(
        r"Error: locales/es.yml:\d+: `page_of` must keep \{page\} and \{pages\} exactly as in "
        r"English. Leave the names in braces untranslated",
        result.output,
    )


def test_an_edition_without_its_original_is_an_error(project: Path) -> None:
    write(project, "brochures/peels.es.md", "---\ntitle: Peelings\n---\nHola.\n")
    result = invoke(project, "build", "peels.es")
    assert result.exit_code == 1
    assert (
        "Error: brochures/peels.es.md: this is the Spanish edition of `peels.md`, which is not "
        "in brochures/. Add `peels.md`, or rename this file" in result.output
    )


def test_an_edition_whose_language_contradicts_its_name_is_an_error(project: Path) -> None:
    spanish_edition(project)
    replace_in(project, "brochures/conditions.es.md", "lang: es-US", "lang: en-US")
    result = invoke(project, "check", "conditions.es")
    assert result.exit_code == 1
    assert re.search(
        r"brochures/conditions.es.md:\d+: error: the file name says this is the `es` edition, "
        r"but `lang:` is `en-US`",
        result.output,
    )


def test_a_stale_translation_is_named_by_section_until_marked_again(project: Path) -> None:
    spanish_edition(project)
    first = invoke(project, "check", "conditions.es")
    assert "warning: not marked as translated yet" in first.output
    assert "run `brochure translated conditions.es`" in first.output

    marked = invoke(project, "translated", "conditions.es")
    assert marked.exit_code == 0, marked.output
    text = (project / "brochures" / "conditions.es.md").read_text(encoding="utf-8")
    assert re.search(r"^translated_from: \"[0-9a-f]{12}\"$", text, re.MULTILINE)
    assert (project / "brochures" / "_translated" / "conditions.es.md").is_file()
    calm = invoke(project, "check", "--strict", "conditions.es")
    assert "translat" not in calm.output and "out of date" not in calm.output

    replace_in(project, "brochures/conditions.md", "## Dark spots and melasma\n", "## Dark spots\n")
    replace_in(project, "brochures/conditions.md", "subtitle: A guide", "subtitle: Your guide")
    stale = invoke(project, "check", "--strict", "conditions.es")
    assert stale.exit_code == 1
    line = next(x for x in stale.output.splitlines() if "out of date" in x)
    assert re.match(
        r"brochures/conditions.es.md:\d+: warning: out of date: brochures/conditions.md changed "
        r"since this Spanish edition was translated: the field `subtitle`, the section “Dark "
        r"spots” and the section “Dark spots and melasma” \(See the changes with `brochure "
        r"changes conditions.es`, bring this file in step, then run `brochure translated "
        r"conditions.es`\)",
        line,
    ), line

    diff = invoke(project, "changes", "conditions.es")
    assert diff.exit_code == 0
    assert "-## Dark spots and melasma\n+## Dark spots\n" in diff.output
    assert "+subtitle: Your guide" in diff.output

    assert invoke(project, "translated", "conditions.es").exit_code == 0
    assert "out of date" not in invoke(project, "check", "conditions.es").output
    assert "No changes" in invoke(project, "changes", "conditions.es").output


def test_marking_an_original_as_translated_is_refused(project: Path) -> None:
    result = invoke(project, "translated", "conditions")
    assert result.exit_code == 1
    assert (
        "Error: `conditions` is an original, not a translation. Name an edition, such as "
        "`conditions.es`." in result.output
    )


def test_a_declared_language_lists_the_originals_it_lacks(project: Path) -> None:
    replace_in(
        project, "_brand.yml", "    review_months:", "    languages: [en, es]\n    review_months:"
    )
    spanish_edition(project, "conditions")
    result = invoke(project, "check")
    assert (
        "brochures: warning: no Spanish edition of exosomes-vs-prp, overview and "
        "results-timeline yet (the brand file lists `es` in `languages`) (Start one with "
        "`brochure new exosomes-vs-prp.es`: a copy of the original to translate)" in result.output
    )


def test_editing_an_original_previews_its_editions_too(project: Path) -> None:
    spanish_edition(project)
    p = Project.at(project)
    assert affected(p, [p.brochures_dir / "conditions.md"]) == {"conditions", "es/conditions"}
    assert affected(p, [p.brochures_dir / "conditions.es.md"]) == {"es/conditions"}
    assert affected(p, [p.translated_dir / "conditions.es.md"]) == {"es/conditions"}
    assert affected(p, [p.locales_dir / "es.yml"]) is None  # every brochure


def test_a_language_column_gives_each_lead_the_edition_in_its_language(project: Path) -> None:
    from brochure.source.leads import LeadRow, open_leads
    from tests.test_personalize import assert_same_pixels_as_full_render

    spanish_edition(project)
    leads = write(
        project,
        "leads.csv",
        "First Name,Last Name,Email,Language\n"
        "Maria,Gonzalez,maria@example.com,Español\n"
        "Ana,Ruiz,ana@example.com,es-MX\n"
        "Tom,Baker,tom@example.com,English\n"
        "Lee,Kim,lee@example.com,\n"
        "Sam,Ode,sam@example.com,Klingon\n",
    )
    result = invoke(project, "personalize", "conditions", "--leads", str(leads), "-j", "1")
    assert result.exit_code == 0, result.output
    assert (
        "leads.csv:6: warning: row 6: there is no “Klingon” edition of conditions: the copy is "
        "in English (Write one of en, es or the language's name)" in result.output
    )
    out = project / "out" / "leads"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf")) == [
        "conditions/Lee-Kim.pdf",
        "conditions/Sam-Ode.pdf",
        "conditions/Tom-Baker.pdf",
        "es/conditions/Ana-Ruiz.pdf",
        "es/conditions/Maria-Gonzalez.pdf",
    ]
    maria = pdf_text(out / "es/conditions/Maria-Gonzalez.pdf")
    assert "Preparado para Maria Gonzalez" in maria and "Llámenos al" in maria
    assert "Prepared for" not in maria and "Call us at" not in maria
    assert "Prepared for Tom Baker" in pdf_text(out / "conditions/Tom-Baker.pdf")

    # The stamped Spanish copy draws what a full render of the edition for Maria draws.
    row = next(r for r in open_leads(leads).rows() if r.first_name == "Maria")
    assert isinstance(row, LeadRow)
    maria_copy = out / "es/conditions/Maria-Gonzalez.pdf"
    assert_same_pixels_as_full_render(project, maria_copy, row, "conditions.es.md")


def test_new_edition_starts_as_a_copy_of_its_original_to_translate(project: Path) -> None:
    result = invoke(project, "new", "results-timeline.es")
    assert result.exit_code == 0, result.output
    text = (project / "brochures" / "results-timeline.es.md").read_text(encoding="utf-8")
    assert text.startswith("---\n# Translate every value below")
    assert "\nlang: es-US\n" in text and "\nlayout:" not in text and "\npages:" not in text
    built = invoke(project, "build", "results-timeline.es")
    assert built.exit_code == 0, built.output
    assert (project / "out" / "es" / "results-timeline.pdf").is_file()
    again = invoke(project, "new", "results-timeline.es")
    assert again.exit_code == 1 and "already exists" in again.output


def test_serve_previews_an_edition_and_updates_it_when_its_original_changes(
    project: Path,
) -> None:
    from tests.live import Server

    spanish_edition(project)
    assert invoke(project, "translated", "conditions.es").exit_code == 0
    live = Server(project)
    try:
        live.until("/es/conditions.html", lambda s, t: s == 200 and "Llámenos al" in t, 10)
        status, catalog = live.text("/")
        assert status == 200 and 'href="es/conditions.pdf"' in catalog
        # The original moves on: the edition's page in the browser is rebuilt and says so.
        replace_in(project, "brochures/conditions.md", "## Aging skin\n", "## Older skin\n")
        live.until("/", lambda s, t: "out of date: brochures/conditions.md changed" in t, 10)
        status, page = live.text("/es/conditions.html")
        assert status == 200 and "Llámenos al" in page
    finally:
        live.stop()


def test_the_language_filter_shows_one_languages_cards_in_a_browser(
    spanish: Path,
    browser: str,  # noqa: F811  (the fixture imported above)
) -> None:
    import json
    import urllib.request

    from tests.test_serve_browser import Tab

    with urllib.request.urlopen(f"http://{browser}/json/list", timeout=10) as reply:
        page = next(t for t in json.load(reply) if t["type"] == "page")
    tab = Tab(page["webSocketDebuggerUrl"])
    tab.call("Page.enable")
    tab.call("Page.navigate", url=(spanish / "out" / "index.html").as_uri())
    tab.event("Page.loadEventFired", lambda p: True, timeout=15)
    shown = "[...document.querySelectorAll('.card')].filter(c => c.offsetParent).map(c => c.id)"
    every = ["conditions", "es-conditions", "exosomes-vs-prp", "es-exosomes-vs-prp"]
    assert set(every) <= set(tab.evaluate(shown))  # all languages at first
    tab.evaluate("document.querySelector('label[for=language-es]').click()")
    assert tab.evaluate(shown) == ["es-conditions", "es-exosomes-vs-prp"]
    tab.evaluate("document.querySelector('label[for=language-en]').click()")
    assert "es-conditions" not in tab.evaluate(shown)
    assert "conditions" in tab.evaluate(shown)
    tab.ws.close()


def test_a_spanish_page_must_carry_the_spanish_disclaimer(project: Path) -> None:
    english = (
        "Results vary from person to person. Exosome treatments are not FDA-approved to treat "
        "any condition. Talk with a qualified provider about whether this treatment is right "
        "for you."
    )
    replace_in(project, "templates/base.html", "{{ brand.disclaimer }}", english)
    spanish_edition(project)
    assert invoke(project, "check", "conditions").exit_code == 0
    result = invoke(project, "check", "conditions.es")
    assert result.exit_code == 1
    assert (
        "brochures/conditions.es.md: error: the clinic's disclaimer is not readable on the "
        "printed pages" in result.output
    )


SPANISH_EMAIL = """---
subject: "{{ first_name }}, la información que nos pidió"
preheader: Su copia personal va adjunta.
---
Hola, {{ first_name }}:

Le adjuntamos {{ brochure_list }}.
"""


def test_send_mails_each_lead_in_their_language(
    project: Path,
    server: object,  # noqa: F811  (the fixture imported above)
) -> None:

    from tests.test_send import fill_in

    fill_in(project, server)  # type: ignore[arg-type]
    (project / "emails" / "brochures.es.md").unlink(missing_ok=True)  # the shipped one
    spanish_edition(project)
    write(
        project,
        "leads.csv",
        "First Name,Last Name,Email,Lead ID,Language\n"
        "María,Pérez,maria@clinic.test,L-1,Español\n"
        "Tom,Baker,tom@clinic.test,L-2,\n",
    )
    args = ("send", "conditions", "--leads", "leads.csv", "--jobs", "1", "--send")
    missing = invoke(project, *args[:-1])  # a dry run first: no Spanish email yet
    assert (
        "warning: there is no emails/brochures.es.md, so leads who get Spanish handouts get "
        "the English email." in missing.output
    )
    write(project, "emails/brochures.es.md", SPANISH_EMAIL)
    result = invoke(project, *args)
    assert result.exit_code == 0, result.output
    maria = server.handler.to("maria@clinic.test")[0].message  # type: ignore[attr-defined]
    assert maria["Subject"] == "María, la información que nos pidió"
    text = maria.get_body(("plain",)).get_content()
    assert "Le adjuntamos nuestro folleto “Lo que los exosomas pueden ayudar”." in text
    assert "O llámenos al 480 590 5693." in text
    assert "Recibe este correo porque pidió información a Elixir and Wellness." in text
    assert "no están aprobados por la FDA" in text
    assert "Call us" not in text and "unsubscribe" not in text.replace("mailto", "")
    html = maria.get_body(("html",)).get_content()
    assert '<html lang="es">' in html and "Darse de baja</a>" in html
    names = [p.get_filename() for p in maria.iter_attachments() if p.get_filename()]
    assert "Lo que los exosomas pueden ayudar - María Pérez.pdf" in names
    tom = server.handler.to("tom@clinic.test")[0].message  # type: ignore[attr-defined]
    assert "Or call us at 480 590 5693." in tom.get_body(("plain",)).get_content()
    assert '<html lang="en">' in tom.get_body(("html",)).get_content()


@pytest.mark.parametrize(
    ("subject", "word"),
    [("Su folleto sobre el acné", "acne"), ("Cicatrices y exosomas", "cicatri")],
)
def test_a_spanish_subject_with_a_health_detail_is_refused(
    project: Path,
    server: object,  # noqa: F811  (the fixture imported above)
    subject: str,
    word: str,
) -> None:
    from tests.test_send import fill_in

    fill_in(project, server)  # type: ignore[arg-type]
    spanish_edition(project)
    write(project, "emails/brochures.es.md", f"---\nsubject: {subject}\n---\nHola\n")
    result = invoke(project, "send", "conditions", "--leads", "leads.csv", "--jobs", "1")
    assert result.exit_code == 1
    assert (
        f"Error: emails/brochures.es.md:2: the subject line mentions a health detail (“{word}”)"
        in result.output
    )
