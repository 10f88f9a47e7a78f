"""Split a Markdown file into YAML front matter and body, keeping line numbers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from brochure.errors import SourceError
from brochure.source import yamlwords


@dataclass(frozen=True)
class FrontMatter:
    """Parsed front matter with a way back to the line of every key."""

    data: dict[str, Any]
    node: yaml.Node | None
    first_line: int  # file line of the first YAML line
    body: str
    body_line: int  # file line where the body starts

    def line_of(self, *path: str | int) -> int | None:
        """Return the file line of the value at `path` (keys and list indexes)."""
        return self._find(path)[0]

    def place_of(self, *path: str | int) -> tuple[int | None, int | None]:
        """Return the file line and column where the text of the value at `path` starts.

        The column is None when it cannot be told (block and folded text, missing keys).
        """
        line, node, found = self._find(path)
        if not found or not isinstance(node, yaml.ScalarNode):
            return line, None
        if node.style in (">", "|"):  # block text starts on the line after `>` or `|`
            return self.first_line + node.start_mark.line + 1, None
        quote = 1 if node.style in ('"', "'") else 0
        return self.first_line + node.start_mark.line, node.start_mark.column + 1 + quote

    def _find(self, path: tuple[str | int, ...]) -> tuple[int | None, yaml.Node | None, bool]:
        node = self.node
        line = self.first_line
        for step in path:
            if isinstance(node, yaml.MappingNode):
                match = [(k, v) for k, v in node.value if k.value == step]
                if not match:
                    return line, node, False
                key, node = match[0]
                line = self.first_line + key.start_mark.line
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if step >= len(node.value):
                    return line, node, False
                node = node.value[step]
                line = self.first_line + node.start_mark.line
            else:
                return line, node, False
        return line, node, True


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps an impossible date such as 2026-11-31 as text for the schema,
    and refuses aliases (`*name`): a few of them nested can expand without end."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, REFERENCE_PROBLEM, event.start_mark)  # type: ignore[arg-type]
        if self.depth >= MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            self.depth -= 1

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


YAML_HINT = "Check the indentation and put text that contains a colon in quotes"
REFERENCE_PROBLEM = "a reference to another value (`*name`) is not allowed"
ALIAS_HINT = "Write the value out in full instead of `&name` and `*name`"
NESTING_HINT = "Write at most a few levels of lists and `key: value` lines inside each other"
MAX_YAML_BYTES = 64_000  # a brand file is about 3 KB, front matter under 2 KB
MAX_FRONT_MATTER_BYTES = 16_000  # printed text too: it is laid out with the brochure
MAX_YAML_DEPTH = 20  # levels of lists and mappings inside each other (the brand file uses 5)


def parse_yaml(text: str, first_line: int = 1, what: str = "invalid YAML") -> FrontMatter:
    """Parse YAML that starts at file line `first_line`, keeping the way back to lines.

    Raises SourceError (no path yet), in plain words with the file line, for invalid YAML,
    YAML longer than MAX_YAML_BYTES, aliases, nesting too deep to read and a value lost to a
    comment (`teal: #2A6F7F`).
    """
    _check_size(text, MAX_YAML_BYTES, "the file", first_line)
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or str(exc)).strip()
        if problem == REFERENCE_PROBLEM or problem.startswith("nested more than"):
            line = mark.line + first_line if mark else first_line
            hint = ALIAS_HINT if problem == REFERENCE_PROBLEM else NESTING_HINT
            raise SourceError(None, f"{what}: {problem}", line=line, hint=hint) from None
        said = yamlwords.explain(exc, text)
        raise SourceError(None, said.message, line=first_line + said.line, hint=said.hint) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as NUL
        line = first_line + text.count("\n", 0, exc.position)
        raise SourceError(
            None,
            f"{what}: a control character (code {exc.character:#04x}) is not allowed",
            line=line,
            hint="Delete the invisible character on that line (retype the line)",
        ) from None
    except (yaml.YAMLError, RecursionError):  # nothing else is known to raise these
        raise SourceError(
            None, f"{what}: cannot be read", line=first_line, hint=YAML_HINT
        ) from None
    lost = yamlwords.lost_to_comment(node, text)
    if lost:
        line, key, value = lost
        raise SourceError(
            None,
            f"`{key}` is empty: a `#` right after the colon starts a comment, so `{value}` "
            "is not read",
            line=first_line + line,
            hint=f'Put the value in double quotes: {key}: "{value}"',
        )
    return FrontMatter(
        data=data if data is not None else {},
        node=node,
        first_line=first_line,
        body="",
        body_line=0,
    )


def _check_size(text: str, limit: int, what: str, line: int) -> None:
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise SourceError(
            None,
            f"{what} is longer than {limit // 1000} KB",
            line=line,
            hint="Keep it to the fields it needs",
        )


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (with or without a BOM); SourceError when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(
            path, "the file is not UTF-8 text", hint="Save it as UTF-8 in your editor"
        ) from None
    except OSError as exc:
        raise SourceError(path, f"cannot read the file: {unreadable(exc)}", hint=OS_HINT) from None


OS_HINT = "Check that it is a file you may read (its permissions), then try again"


def unreadable(exc: OSError) -> str:
    """Say in plain words why a file could not be read."""
    if isinstance(exc, IsADirectoryError):
        return "it is a folder"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "it is not there (a broken link?)"
    return (exc.strerror or str(exc)).lower()


def read_yaml_file(path: Path) -> FrontMatter:
    """Read a whole YAML file; SourceError naming the file for non-UTF-8 text or bad YAML."""
    text = read_text(path)
    try:
        return parse_yaml(text)
    except SourceError as exc:
        raise exc.at(path) from None


def split(text: str) -> FrontMatter:
    """Parse `---` delimited YAML front matter at the top of `text`."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise SourceError(
            None,
            "the file does not start with front matter",
            line=1,
            hint="Put a line with three dashes (---) first, then title, layout and the other "
            "fields, then another --- line",
        )
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            break
    else:
        raise SourceError(
            None,
            "the front matter is never closed",
            line=1,
            hint="Add a line with three dashes (---) after the last field",
        )
    yaml_text = "".join(lines[1:index])
    _check_size(yaml_text, MAX_FRONT_MATTER_BYTES, "the front matter", 2)
    front = parse_yaml(yaml_text, 2, "invalid YAML in the front matter")
    if not isinstance(front.data, dict):
        raise SourceError(None, "the front matter must be a list of `field: value` lines", line=2)
    return dataclasses.replace(front, body="".join(lines[index + 1 :]), body_line=index + 2)
