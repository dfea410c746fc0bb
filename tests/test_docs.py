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


def listing_spec(command: Any) -> Any:
    """The ListingSpec a listing command was given by `listing_options` (None otherwise)."""
    return getattr(command.callback, "listing_spec", None)


LISTING_COMMANDS = [
    (path, command)
    for path, command in COMMANDS
    if path[-1] == "list" or path == ("history",) or listing_spec(command) is not None
]


@pytest.mark.parametrize(
    ("path", "command"), LISTING_COMMANDS, ids=[" ".join(p) for p, _ in LISTING_COMMANDS]
)
def test_every_listing_shares_the_output_options(path: tuple[str, ...], command: Any) -> None:
    # Screens for people: a listing (any `... list`, and history) takes the one shared
    # definition of --format/--columns/--limit/--all, never its own copy.
    assert listing_spec(command) is not None, f"{' '.join(path)}: use @listing_options"
    options = {opt for param in command.params for opt in param.opts}
    assert {"--format", "--columns", "--limit", "--all"} <= options


@pytest.mark.parametrize(
    ("path", "command"), LISTING_COMMANDS, ids=[" ".join(p) for p, _ in LISTING_COMMANDS]
)
def test_every_listing_documents_its_default_columns(path: tuple[str, ...], command: Any) -> None:
    spec = listing_spec(command)
    row = (
        f"| `sessionmig {' '.join(path)}` | {', '.join(f'`{k}`' for k in spec.default)} | "
        f"{', '.join(f'`{k}`' for k in spec.keys)} |"
    )
    assert row in README, row


def test_the_listings_are_the_spec_listings() -> None:
    names = {" ".join(p) for p, _ in LISTING_COMMANDS}
    assert names >= {"events list", "sessions list", "communities list", "videos list", "history"}
