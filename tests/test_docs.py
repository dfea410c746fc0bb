"""The command reference stays in sync with the code: every command has help text with
an example, and appears in the README."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from sessionmig.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def leaves(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    subs = getattr(command, "commands", None)
    if not subs:
        return [(path, command)]
    out = []
    for name, sub in sorted(subs.items()):
        out.extend(leaves(sub, (*path, name)))
    return out


COMMANDS = leaves(typer.main.get_command(app))


def test_every_spec_command_exists() -> None:
    names = {" ".join(p) for p, _ in COMMANDS}
    assert names >= {
        "db init",
        "db check",
        "load",
        "demo",
        "events list",
        "sessions list",
        "sessions show",
        "sessions delete",
        "communities list",
        "videos list",
        "videos show",
        "videos publish",
        "videos unpublish",
        "migrate",
        "history",
    }


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_has_help_with_an_example(path: tuple[str, ...], command: Any) -> None:
    text = command.help or ""
    assert len(text.strip()) > 20, path
    assert "Example: sessionmig" in text, path


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_is_in_the_readme(path: tuple[str, ...], command: Any) -> None:
    assert f"sessionmig {' '.join(path)}" in README, path


def test_quick_start_is_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [line for line in section.strip().splitlines() if line.strip()]
    assert lines == [
        "python3 -m pip install . && sessionmig demo",
        "python3 -m pip install '.[dev]' && python3 -m pytest",
    ]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet '.[dev]'" in ci
    assert "python -m pytest" in ci
