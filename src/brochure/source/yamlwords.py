"""YAML mistakes in plain words: what the parser says, told the way a marketer would fix it.

Every YAML reader (front matter, `_brand.yml`, `claims.yml`) goes through `parse_yaml`
(frontmatter.py), which hands parser errors to `explain`. No parser jargon ("mapping
values", "token", "scalar") reaches the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from brochure.problems import Problem

CURLY_QUOTES = "“”„‟‘’‚‛«»"
INDENT_HINT = "Indent the fields of one level with the same number of spaces as the lines above"
_FIELD = re.compile(r"^(?P<indent>\s*(?:-\s+)?)(?P<key>[^\s:#][^:#]*?):[ \t]+(?P<value>.*?)\s*$")
_LOST_VALUE = re.compile(r":[ \t]+(#\S.*?)\s*$")  # `teal: #2A6F7F`: the value became a comment


@dataclass(frozen=True)
class Explained:
    """A YAML mistake in plain words: the 0-based line in the text, message and hint."""

    line: int
    message: str
    hint: str


def quoted_example(line: str, straighten: bool = False) -> str:
    """Return the `field: value` line with its value in straight double quotes, or ''."""
    match = _FIELD.match(line)
    if not match:
        return ""
    value = match["value"]
    if straighten:
        value = value.strip(CURLY_QUOTES + " ")
    value = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{match["indent"]}{match["key"]}: "{value}"'.strip()


def _with_example(hint: str, line: str, straighten: bool = False) -> str:
    example = quoted_example(line, straighten)
    return f"{hint}: {example}" if example else hint


def explain(exc: yaml.MarkedYAMLError, text: str) -> Explained:  # noqa: C901, PLR0915 - one case a branch
    """Translate a parser error on `text` into plain words, at the line to fix."""
    lines = text.splitlines() or [""]
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    ctx = exc.context_mark or mark
    at = min(mark.line, len(lines) - 1) if mark else 0
    at_ctx = min(ctx.line, len(lines) - 1) if ctx else at

    def line(n: int) -> str:
        return lines[n] if 0 <= n < len(lines) else ""

    for n in dict.fromkeys((at, at_ctx)):
        if any(q in line(n) for q in CURLY_QUOTES) and "'\\t'" not in problem:
            return Explained(
                n,
                "curly quotes (“ ” or ‘ ’) do not count as quotes in this file",
                _with_example('Type straight quotes (") instead', line(n), straighten=True),
            )
    if "'\\t'" in problem:
        column = mark.column + 1 if mark else 1
        return Explained(
            at,
            f"there is a tab character at column {column}",
            "Use spaces instead of tabs to indent or separate words",
        )
    if "mapping values are not allowed" in problem:
        before = line(at)[: mark.column] if mark else ""
        if _FIELD.match(before + ": x"):
            if re.search(r":\s", before):  # a second `: ` in the value
                return Explained(
                    at,
                    "the value has a colon followed by a space, which starts a new field",
                    _with_example("Put the whole value in double quotes", line(at)),
                )
            return Explained(at, "this line is indented more than the line above", INDENT_HINT)
    if "could not find expected ':'" in problem:
        return Explained(
            at_ctx,
            "this line is not a `field: value` line (the colon and space are missing)",
            "Write the field name, a colon and a space, then the value; or indent a line "
            "that continues the text above it",
        )
    if "quoted scalar" in context:
        quote = line(at_ctx)[ctx.column] if ctx and ctx.column < len(line(at_ctx)) else '"'
        if "escape character" in problem:
            return Explained(
                at,
                "a backslash (\\) inside double quotes starts a special character",
                "Use single quotes around this value, or type the backslash twice (\\\\)",
            )
        return Explained(
            at_ctx,
            f"a quote ({quote}) opens here but is never closed",
            "Add the closing quote at the end of the value",
        )
    if "flow sequence" in context or "flow mapping" in context:
        return Explained(
            at_ctx,
            "a list in [brackets] or {braces} is not closed properly",
            "Close it on the same line, and put items that contain a comma or colon in quotes",
        )
    starts = re.search(r"found character '(.)' that cannot start", problem)
    special = starts.group(1) if starts else ""
    if any(w in context for w in ("alias", "anchor", "block scalar")) or "the tag" in problem:
        special = line(at_ctx)[ctx.column] if ctx and ctx.column < len(line(at_ctx)) else ""
        at = at_ctx
    if "mapping keys are not allowed" in problem:
        special = "?"
    if special:
        return Explained(
            at,
            f"a value cannot start with {special}",
            _with_example("Put the whole value in double quotes", line(at)),
        )
    if "another document" in problem:
        return Explained(at, "a second `---` line in the file", "Remove the extra --- line")
    if "found '<scalar>'" in problem and mark:
        before = line(at)[: mark.column].rstrip()
        if before.endswith(('"', "'", "]", "}")):
            return Explained(
                at,
                "there is more text after a closing quote or bracket",
                "Put quotes around the whole value, or take out the quotes or brackets in it",
            )
    if "expected <block end>" in problem or "expected key" in problem or "indicator" in problem:
        return Explained(
            at, "the indentation of this line does not match the lines above", INDENT_HINT
        )
    return Explained(
        at,
        "this line cannot be read",
        "Check the indentation and put text that contains a colon in double quotes",
    )


def lost_to_comment(node: yaml.Node | None, text: str) -> tuple[int, str, str] | None:
    """Find `key: #value`, where `#` made the value a comment; return (line, key, value).

    The line is 0-based in `text`. A comment after a space (`key: # note`) is left alone.
    """
    lines = text.splitlines()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if (
                    isinstance(value, yaml.ScalarNode)
                    and value.tag == "tag:yaml.org,2002:null"
                    and value.value == ""
                    and key.start_mark.line < len(lines)
                ):
                    source = lines[key.start_mark.line][key.end_mark.column :]
                    match = _LOST_VALUE.match(source)
                    if match:
                        return key.start_mark.line, str(key.value), match.group(1)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return None


def curly_quote_warnings(path: Path, node: yaml.Node | None, first_line: int) -> list[Problem]:
    """Warn about each value wrapped in curly quotes: they print as they are."""
    return [
        Problem(
            path,
            first_line + line,
            "warning",
            f"{value} is in curly quotes, which print on the page as they are",
            'Take them out, or type straight quotes (") if the value contains a colon',
            code="front-matter",
        )
        for line, value in curly_quoted(node)
    ]


def curly_quoted(node: yaml.Node | None) -> list[tuple[int, str]]:
    """Return (0-based line, value) of each unquoted value wrapped in curly quotes."""
    found = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            value = current.value.strip()
            if (
                current.style is None
                and len(value) > 1
                and value[0] in CURLY_QUOTES
                and value[-1] in CURLY_QUOTES
            ):
                found.append((current.start_mark.line, value))
        elif isinstance(current, yaml.MappingNode):
            stack.extend(v for _, v in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(found)
