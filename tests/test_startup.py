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
    "args",
    [
        ["--help"],
        ["--version"],
        ["migrate", "--help"],
        ["sessions", "list", "--help"],
        ["history", "--help"],
        ["schema", "--help"],
    ],
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


def test_schema_needs_no_store_and_imports_no_database_module() -> None:
    """`sessionmig schema NAME` is generated from the models in memory (pydantic), without
    SQLAlchemy or any store; the other commands never import the schema registry."""
    modules = loaded_modules(["schema", "plan"])
    assert "pydantic" in modules
    assert not modules & set(HEAVY), modules & set(HEAVY)


def test_installed_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sessionmig", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("sessionmig ")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    from importlib import resources

    url = f"sqlite:///{tmp_path_factory.mktemp('startup') / 'demo.db'}"
    with resources.as_file(resources.files("sessionmig") / "demo.json") as export:
        for args in (["db", "init"], ["load", str(export)]):
            subprocess.run(
                [sys.executable, "-m", "sessionmig", "--db", url, *args],
                capture_output=True,
                timeout=120,
                check=True,
            )
    return url


@pytest.mark.parametrize(
    "args",
    [
        ["events", "list"],
        ["communities", "list"],
        ["sessions", "list", "--event", "10", "--format", "json"],
        ["sessions", "show", "1000"],
        ["history", "--format", "csv"],
    ],
)
def test_commands_run_on_the_generated_tables_without_sqlmodel(
    demo_store: str, args: list[str]
) -> None:
    """Commands use store/tables.py (generated from the models), never the SQLModel
    models themselves, nor Alembic: what P4 of the benchmark measures."""
    modules = loaded_modules(["--db", demo_store, "--as", "ana@acme.test", *args])
    assert "sqlalchemy" in modules, "the command did not reach the store"
    assert not modules & {"sqlmodel", "alembic"}
