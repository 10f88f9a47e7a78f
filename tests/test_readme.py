"""The README's commands work exactly as typed: always `.venv/bin/brochure COMMAND`, with a
command and options the program has."""

from __future__ import annotations

import re
import shlex

import click

from brochure.cli import main

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(?:sh|text)\n(.*?)```", README, re.DOTALL)
INLINE = re.findall(r"`([^`\n]*\bbrochure [^`\n]*)`", README)


def _commands() -> list[str]:
    lines = [line.split(" #")[0].strip() for block in BLOCKS for line in block.splitlines()]
    return [line for line in lines + INLINE if re.match(r"(?:\S*/)?brochure\s", line)]


def test_every_command_is_typed_with_its_path() -> None:
    commands = _commands()
    assert len(commands) > 10
    assert [c for c in commands if not c.startswith(".venv/bin/brochure ")] == []


def test_every_command_and_option_exists() -> None:
    ctx = click.Context(main)
    for command in _commands():
        words = shlex.split(re.sub(r"[][|]", " ", command))[1:]
        if words[:1] == ["--project"]:
            words = words[2:]
        if words[0].startswith("-"):
            assert words[0] in ("--version", "-h"), command
            continue
        sub = main.get_command(ctx, words[0])
        assert sub is not None, command
        options = {o for p in sub.params for o in getattr(p, "opts", [])} | {"-h", "--help"}
        for word in words[1:]:
            if word.startswith("-"):
                assert word in options, (command, word)
