"""Fast start: `--help`, `--version` and completion import nothing of the store or prompts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "sqlmodel", "questionary", "prompt_toolkit", "alembic", "psycopg")

PROBE = """
import json, sys
sys.argv = ["sessionmig", *json.loads(sys.argv[1])]
try:
    from sessionmig.cli import main
    main()
except SystemExit:
    pass
print("\\nMODULES=" + json.dumps(sorted(m.split(".")[0] for m in sys.modules)), file=sys.stderr)
"""


def loaded_modules(args: list[str], env: dict[str, str] | None = None) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )
    line = [x for x in proc.stderr.splitlines() if x.startswith("MODULES=")][-1]
    return set(json.loads(line.removeprefix("MODULES=")))


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], ["migrate", "--help"], ["sessions", "list", "--help"]]
)
def test_help_and_version_import_no_heavy_module(args: list[str]) -> None:
    modules = loaded_modules(args)
    assert not modules & set(HEAVY), modules & set(HEAVY)


def test_shell_completion_imports_no_heavy_module() -> None:
    env = {
        "_SESSIONMIG_COMPLETE": "complete_bash",
        "COMP_WORDS": "sessionmig ses",
        "COMP_CWORD": "1",
    }
    modules = loaded_modules([], env)
    assert not modules & set(HEAVY)


def test_installed_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sessionmig", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("sessionmig ")
