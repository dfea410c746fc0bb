"""The README's examples run: every `sessionmig …` command of its code blocks, in the
README's order, against a fresh demo store (`sessionmig demo` off a terminal, in a temporary
XDG_DATA_HOME, as a newcomer would), each in a real process. Each exits 0 (or the code the
README gives it), prints no traceback, and prints a document that parses when it asks for
JSON or CSV. Examples that need something this machine may not have are listed below with
their reason; an example that is neither run nor listed fails the suite."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path

import pytest

from sessionmig.demo import demo_export
from tests.proc import base_env, run

README = Path(__file__).resolve().parent.parent / "README.md"

# Examples that are not run, each with its reason (matched by substring).
NOT_RUN = {
    "postgresql+psycopg://": "needs a PostgreSQL server of the reader's own",
}
# Files the examples name, made in the example's working directory.
FILES = {
    "acme-export.json": lambda: json.dumps(demo_export()),
}
# Exit codes other than 0 that the README gives an example (none today).
EXIT: dict[str, int] = {}
# What an example's output must show, beyond parsing (the README's own words).
SHOWS = {
    "sessions show 1000": "Migrated to community 'Acme Replay Library' (#51) by Ana Martin",
    "events list": "Acme Summit 2026",
    "SESSIONMIG_LANG=fr sessionmig --as ana@acme.test events list": "Évènements",
    "LANG=fr_FR.UTF-8 sessionmig --help": "Afficher ce message et quitter.",
}


# `sessionmig …`, possibly after environment assignments (`LANG=fr_FR.UTF-8 sessionmig …`).
COMMAND = re.compile(r"^(?:[A-Z_]+=\S*\s+)*sessionmig(?:\s|$)")


def readme_examples() -> list[str]:
    """Every `sessionmig …` command in the README's fenced code blocks, in order; a line
    holding several commands (`pip install . && sessionmig demo`) gives each."""
    commands: list[str] = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", README.read_text("utf-8"), re.M | re.S):
        for line in block.splitlines():
            for part in line.split("&&"):
                part = part.strip()
                if COMMAND.match(part):
                    commands.append(part)
    return commands


def split_command(command: str) -> tuple[dict[str, str], list[str]]:
    """The environment assignments before `sessionmig`, and its arguments."""
    words = shlex.split(command)
    at = words.index("sessionmig")
    return dict(w.split("=", 1) for w in words[:at]), words[at + 1 :]


EXAMPLES = readme_examples()


def reason_not_run(command: str) -> str | None:
    return next((why for needle, why in NOT_RUN.items() if needle in command), None)


def test_the_readme_has_examples_of_every_kind() -> None:
    text = " ".join(EXAMPLES)
    for command in ("demo", "load", "migrate", "history", "videos publish", "sessions delete"):
        assert f" {command}" in f" {text}", command


@pytest.mark.parametrize("command", [c for c in EXAMPLES if reason_not_run(c)])
def test_examples_not_run_say_why(command: str) -> None:
    pytest.skip(f"not run: {reason_not_run(command)}")


def test_every_readme_example_runs_on_a_fresh_demo_store(tmp_path: Path) -> None:
    env = base_env(XDG_DATA_HOME=str(tmp_path / "data"))
    for name, content in FILES.items():
        (tmp_path / name).write_text(content(), encoding="utf-8")
    demo = run(["demo"], env=env, cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    ran = 0
    for command in EXAMPLES:
        if reason_not_run(command):
            continue
        assignments, args = split_command(command)
        example_env = {**env, **assignments}
        if {"LANG", "LC_ALL", "LC_MESSAGES"} & assignments.keys():
            example_env.pop("SESSIONMIG_LANG", None)  # the example's locale decides
        p = run(args, env=example_env, cwd=tmp_path)
        ran += 1
        where = f"README example `{command}`:\n{p.stderr}"
        assert "Traceback" not in p.stderr, where
        assert p.returncode == EXIT.get(command, 0), where
        if "--format" in args:
            fmt = args[args.index("--format") + 1]
            if fmt == "json":
                json.loads(p.stdout)
            elif fmt == "csv":
                rows = list(csv.reader(io.StringIO(p.stdout)))
                assert rows and rows[0], where
        for needle, shown in SHOWS.items():
            if needle in command:
                assert shown in p.stdout, where + p.stdout
    assert ran >= 10
