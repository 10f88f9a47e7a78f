"""Email templates: `emails/NAME.md` (subject, preheader, Markdown body with Jinja2 fields)
-> subject, plain text and branded HTML for one lead. Pure, apart from reading the file.

The body is turned into HTML once (with its `{{ ... }}` and `{% ... %}` tags kept intact) and
then rendered per lead by Jinja2 with autoescaping, so a lead's name is always text, never
markup. The plain-text part is rendered from the Markdown itself.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markdown
from markupsafe import Markup

from brochure.errors import BrochureError, SourceError
from brochure.source.brand import Brand
from brochure.source.frontmatter import split
from brochure.source.locales import Strings, folded_text
from brochure.source.project import Project
from brochure.source.schema import suggest

FIELDS = ("subject", "preheader")
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
# Words that would tell anyone who sees the inbox something about the lead's health.
HEALTH_WORDS = (
    "acne",
    "rosacea",
    "eczema",
    "psoriasis",
    "melasma",
    "dermatitis",
    "scar",
    "alopecia",
    "hair loss",
    "pigmentation",
    "condition",
    "diagnos",
    "symptom",
    "disease",
    # Spanish (matched without accents: "acné" and "rosácea" are found as acne, rosacea)
    "cicatri",
    "caida del cabello",
    "pigmentacion",
    "enfermedad",
    "diagnost",
    "sintoma",
    "padecimiento",
    "condicion",
    "manchas",
)
LIST_ITEM = re.compile(r"^([-*+]|\d+[.)])\s")
PALETTE_ROLES = ("primary", "secondary", "light", "dark")
# Inline styles for the tags the Markdown body makes (email clients ignore <style> blocks).
TAG_STYLES = {
    "p": "margin:0 0 16px;",
    "h2": "margin:24px 0 8px;font-family:Georgia,'Times New Roman',serif;font-size:20px;"
    "font-weight:normal;line-height:1.3;color:{primary};",
    "h3": "margin:20px 0 6px;font-size:16px;line-height:1.3;color:{primary};",
    "ul": "margin:0 0 16px;padding:0 0 0 22px;",
    "ol": "margin:0 0 16px;padding:0 0 0 22px;",
    "li": "margin:0 0 6px;",
    "blockquote": "margin:0 0 16px;padding:10px 16px;background:{light};"
    "border-left:3px solid {secondary};",
    "strong": "color:{dark};",
}


@dataclass(frozen=True)
class Email:
    """One lead's email, rendered: subject, preheader, plain text and HTML body."""

    subject: str
    preheader: str
    text: str
    html: Markup  # the body only; frame.py puts it in the branded page


@dataclass(frozen=True)
class EmailTemplate:
    """A parsed `emails/NAME.md`, ready to render for any number of leads."""

    path: Path
    name: str
    subject: jinja2.Template
    preheader: jinja2.Template
    text: jinja2.Template
    html: jinja2.Template
    lines: dict[str, int]  # the file line of the subject, preheader and body

    def render(self, context: dict[str, Any]) -> Email:
        """Render the email for one lead (`context`: the lead's and the clinic's fields)."""
        try:
            subject = " ".join(self.subject.render(context).split())
            preheader = " ".join(self.preheader.render(context).split())
            text = plain_text(self.text.render(context))
            html = Markup(_tidy(self.html.render(context)))
        except jinja2.TemplateError as exc:
            raise self._error(exc) from None
        return Email(subject, preheader, text, html)

    def _error(self, exc: jinja2.TemplateError) -> SourceError:
        line = _template_line(exc, self.lines)
        if isinstance(exc, jinja2.UndefinedError):
            name = re.search(r"'([^']+)' is undefined", str(exc))
            field = name.group(1) if name else str(exc)
            return SourceError(
                self.path,
                f"unknown field `{{{{ {field} }}}}`",
                line=line,
                hint=suggest(field, sorted(SAMPLE)),
            )
        return SourceError(self.path, f"template error: {exc}", line=line)


def load(project: Project, name: str, colors: dict[str, str]) -> EmailTemplate:
    """Read `emails/NAME.md` and check it (fields, Jinja tags, subject) before any sending."""
    path = project.emails_dir / f"{name}.md"
    if not path.is_file():
        found = sorted(p.stem for p in project.emails_dir.glob("*.md"))
        hint = suggest(name, found) if found else "Create emails/brochures.md (see the README)"
        raise BrochureError(f"no email named `{name}` in emails/. {hint}")
    try:
        front = split(path.read_text(encoding="utf-8-sig"))
    except SourceError as exc:
        raise exc.at(path) from None
    except UnicodeDecodeError:
        raise SourceError(path, "the file is not UTF-8 text", hint="Save it as UTF-8") from None
    for key in front.data:
        if key not in FIELDS:
            raise SourceError(
                path, f"unknown field `{key}`", line=front.line_of(key), hint=suggest(key, FIELDS)
            )
    subject = front.data.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        raise SourceError(
            path,
            "missing `subject`",
            line=front.line_of("subject"),
            hint="Add a line `subject: ...` to the front matter",
        )
    folded = folded_text(subject)
    health = next((w for w in HEALTH_WORDS if w in folded), None)
    if health:
        raise SourceError(
            path,
            f"the subject line mentions a health detail (“{health}”)",
            line=front.line_of("subject"),
            hint="Keep health details out of the subject: anyone who sees the inbox can read "
            "it. Put them in the body",
        )
    lines = {
        "subject": front.line_of("subject") or 2,
        "preheader": front.line_of("preheader") or 2,
        "body": front.body_line,
    }
    text_env = _env(autoescape=False)
    html_env = _env(autoescape=True)
    try:
        template = EmailTemplate(
            path=path,
            name=name,
            subject=text_env.from_string(subject),
            preheader=text_env.from_string(str(front.data.get("preheader") or "")),
            text=text_env.from_string(front.body),
            html=html_env.from_string(body_html(front.body, colors)),
            lines=lines,
        )
    except jinja2.TemplateSyntaxError as exc:
        raise SourceError(
            path,
            f"template error: {exc.message}",
            line=front.body_line + (exc.lineno or 1) - 1,
            hint="Check the {{ }} and {% %} tags",
        ) from None
    template.render(SAMPLE)  # an unknown field stops here, before anything is sent
    return template


SAMPLE: dict[str, Any] = {
    "first_name": "Maria",
    "last_name": "Lopez",
    "name": "Maria Lopez",
    "email": "maria@example.com",
    "lead_id": "L-001",
    "coordinator": "Ana",
    "coordinator_phone": "480 555 0100",
    "coordinator_email": "ana@example.com",
    "appointment": "Tue 3 Dec, 2:30 pm",
    "clinic": "Elixir and Wellness",
    "phone": "480 590 5693",
    "booking_url": "https://example.com/book?lead=L-001",
    "website": "https://example.com/",
    "brochures": ["Skin concerns exosomes may help"],
    "brochure_list": "our brochure",
}


def _env(autoescape: bool) -> jinja2.Environment:
    return jinja2.Environment(
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def body_html(body: str, colors: dict[str, str]) -> str:
    """Turn the Markdown body into inline-styled HTML, keeping its Jinja2 tags as they are."""
    tags: list[str] = []

    def hide(match: re.Match[str]) -> str:
        tags.append(match.group(0))
        return f"JINJATAG{len(tags) - 1}X"

    html = markdown.markdown(TAG.sub(hide, body), extensions=["sane_lists"])
    html = re.sub(r"JINJATAG(\d+)X", lambda m: tags[int(m.group(1))], html)
    palette = {role: colors.get(role, "#000000") for role in PALETTE_ROLES}
    for tag, style in TAG_STYLES.items():
        html = html.replace(f"<{tag}>", f'<{tag} style="{style.format(**palette)}">')
    link = f"color:{palette['primary']};text-decoration:underline;"
    return html.replace("<a href=", f'<a style="{link}" href=')


def _tidy(html: str) -> str:
    """Drop the empty paragraphs that `{% if %}` lines leave behind."""
    return re.sub(r"<p[^>]*>\s*</p>\s*", "", html)


def plain_text(text: str) -> str:
    """Markdown source -> plain text: bold marks, HTML breaks and link syntax taken out."""
    text = re.sub(r"<br\s*/?>[ \t]*\n?", "\x00", text)
    text = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"\1 (\2)", text)
    text = re.sub(r"^#{1,6}\s+", "", text, flags=re.M)
    paragraphs = [_reflow(p) for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    return "\n\n".join(paragraphs).replace("\x00", "\n") + "\n"


def _reflow(paragraph: str) -> str:
    """One line per paragraph (mail programs wrap it); lists keep one line per item."""
    lines = [line.strip() for line in paragraph.strip().splitlines()]
    if any(LIST_ITEM.match(line) for line in lines):
        return "\n".join(lines)
    return " ".join(lines).replace("\x00 ", "\x00")


def _template_line(exc: jinja2.TemplateError, lines: dict[str, int]) -> int | None:
    """The file line of a rendering error (Jinja keeps template lines in the traceback)."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.lineno:
        return lines["body"] + exc.lineno - 1
    tb = sys.exc_info()[2]
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return lines["body"] + line - 1 if line else None


@dataclass(frozen=True)
class Framing:
    """What the branded frame around every email shows (from _brand.yml and mail.yml)."""

    brand: Brand
    unsubscribe: str  # the opt-out address
    logo_src: str  # `cid:...` for the inline logo, or "" for none


def frame(email: Email, framing: Framing, booking_url: str, strings: Strings) -> tuple[str, str]:
    """Put a rendered email in the clinic's frame, in the words of `strings` (its language);
    return (plain text, HTML).

    Both carry the booking link, the phone, the disclaimer, the postal address and the way
    to opt out (the law on commercial email asks for the last two).
    """
    brand = strings.brand(framing.brand)
    colors = brand.colors
    dark = colors.get("dark") or colors.get("foreground", "#222222")
    context = {
        "subject": email.subject,
        "preheader": email.preheader,
        "text": email.text.rstrip() + "\n",
        "body": email.html,
        "clinic": brand.name,
        "phone": brand.phone,
        "phone_href": brand.phone_href,
        "booking_url": booking_url,
        "call_to_action": brand.call_to_action,
        "disclaimer": brand.disclaimer,
        "address": brand.address,
        "website": brand.website,
        "website_label": re.sub(r"^https?://|/$", "", brand.website),
        "unsubscribe": framing.unsubscribe,
        "unsubscribe_href": unsubscribe_href(framing.unsubscribe),
        "logo": framing.logo_src,
        "t": strings,
        "lang": strings.language,
        "c": {
            "primary": colors["primary"],
            "secondary": colors["secondary"],
            "light": colors.get("light", "#F6F1EA"),
            "dark": dark,
            "rule": colors.get("rule", "#DDDDDD"),
            "muted": colors.get("muted", dark),
        },
    }
    html_frame, text_frame = _frames()
    return text_frame.render(context), html_frame.render(context)


def unsubscribe_href(address: str) -> str:
    """The `mailto:` link that asks to opt out (header and body use the same)."""
    return f"mailto:{address}?subject=unsubscribe"


@functools.cache
def _frames() -> tuple[jinja2.Template, jinja2.Template]:
    loader = jinja2.PackageLoader("brochure", "data")
    html = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)
    text = jinja2.Environment(
        loader=loader,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return html.get_template("email.html"), text.get_template("email.txt")
