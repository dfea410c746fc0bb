"""The command line's own coercion of choices and paths (cli._plain_coercion) against
Typer's, which builds a pydantic TypeAdapter for each parameter: the same value, or the
same message, for every choice and path parameter of every command; and a `load`
imports no pydantic at all (its memory budget, README P6)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from sessionmig import cli


def tree() -> list[tuple[str, Any, Any]]:
    """(command path, command, parameter) for every parameter under the root."""
    root = typer.main.get_command(cli.app)
    out: list[tuple[str, Any, Any]] = []
    stack: list[tuple[str, Any]] = [("sessionmig", root)]
    while stack:
        path, command = stack.pop()
        out.extend((path, command, p) for p in command.params)
        stack.extend((f"{path} {n}", c) for n, c in getattr(command, "commands", {}).items())
    return out


def plain(param: Any) -> Any:
    param._runtime_param = None
    cli._plain_coercion(param)
    return param._runtime_param


def outcome(runtime: Any, param: Any, command: Any, value: Any) -> tuple[str, Any]:
    try:
        return "value", runtime.coerce(value, param=param, ctx=Context(command))
    except BadParameter as exc:
        return "error", exc.message


def choice_values(param: Any) -> list[Any]:
    names = [str(c.value) for c in param.type_descriptor.choices]
    return [*names, *(n.upper() for n in names), "", "nope", "x\x1b[31m", " json", None]


def path_values(tmp: Path) -> list[Any]:
    (tmp / "file.json").write_text("{}", encoding="utf-8")
    return [str(tmp / "file.json"), str(tmp), str(tmp / "missing.json"), "-", "", "a\x00b", None]


def test_every_choice_and_path_parameter_is_coerced_as_typer_does(tmp_path: Path) -> None:
    tried = {"choice": 0, "path": 0}
    for where, command, param in tree():
        ours = plain(param)
        descriptor = param.type_descriptor
        if ours is None or type(ours).__name__ != "_PlainRuntimeParam":
            continue
        kind = "choice" if descriptor.is_choice else "path"
        values = choice_values(param) if kind == "choice" else path_values(tmp_path)
        typers = build_runtime_param(descriptor)
        for value in values:
            assert outcome(ours, param, command, value) == outcome(typers, param, command, value), (
                where,
                param.name,
                value,
            )
        tried[kind] += 1
    assert tried["choice"] >= 10 and tried["path"] >= 1, tried


def test_what_keeps_typers_coercion_is_what_click_does_not_hand_over_plainly() -> None:
    kept = set()
    for _where, _command, param in tree():
        ours = plain(param)
        annotation = param.type_descriptor.annotation
        if ours is None:
            kept.add(repr(annotation))
        else:
            assert annotation in (str, bool) or type(ours).__name__ == "_PlainRuntimeParam"
    assert kept == {"<class 'int'>", "list[int]"}, kept


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_load_imports_no_pydantic(tmp_path: Path, fmt: str) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"clients": [{"id": 1, "name": "Acme"}]}), encoding="utf-8")
    code = (
        "import sys; from sessionmig.cli import main; sys.argv = ['sessionmig', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', "
        "'pydantic_core')), file=sys.stderr)"
    )
    db = f"sqlite:///{tmp_path / 'store.db'}"
    args = ["--db", db]
    init = subprocess.run(
        [sys.executable, "-c", code, *args, "db", "init"], capture_output=True, text=True
    )
    assert init.returncode == 0, init.stderr
    done = subprocess.run(
        [sys.executable, "-c", code, *args, "load", str(export), "--format", fmt],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
    assert "clients" in done.stdout


def test_the_tree_is_wrapped_once_however_many_runs() -> None:
    root = typer.main.get_command(cli.app)
    cli._plain_tree(root)
    load = root.commands["load"]
    wrapped = load.get_params
    cli._plain_tree(root)
    assert load.get_params is wrapped and getattr(wrapped, "plain", False)
    ctx = Context(load)
    names = [p.name for p in load.get_params(ctx)]
    assert "help" in names
    assert all(type(p._runtime_param).__name__ != "AdapterRuntimeParam" for p in load.params)
    help_option = next(p for p in load.get_params(ctx) if p.name == "help")
    assert help_option._runtime_param is not None  # coerced plainly: no TypeAdapter
