"""The pager (SPEC "Screens for people"), in a real pseudo-terminal (tests/ptyterm.py).

On a terminal, a table taller than the screen goes through SESSIONMIG_PAGER, else PAGER,
else `less -FRX`; an empty SESSIONMIG_PAGER or `cat` turns it off; never off a terminal;
a pager that quits early is not an error. A fake pager (a Python script) records what
reached it and how it was started.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import sample
from tests.conftest import Cli, shared_cli
from tests.ptyterm import console_script, pty_env, spawner
from tests.test_literal_text import HOSTILE

ROWS = 300  # taller than the 40-line terminal, and more than a pipe's 64 KiB when wide
SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's styles (bold headers): what less -R shows

FAKE_PAGER = """
import json, os, sys
out, mode = sys.argv[1], sys.argv[2]
if mode == "early":  # read a little, then quit, as `q` in less does
    seen = sys.stdin.buffer.read(100)
else:
    seen = sys.stdin.buffer.read()
with open(out + ".bytes", "wb") as f:
    f.write(seen)
with open(out, "w") as f:
    json.dump({"argv": sys.argv[1:], "less": os.environ.get("LESS")}, f)
print("FAKE PAGER DONE")
"""


def build(cli: Cli) -> None:
    data = sample.with_many(sample.export(), sessions=ROWS, title="Bulk " + "x" * 300)
    data["sessions"][-1]["title"] = HOSTILE  # literal text must hold through the pager
    assert cli.load(data).exit_code == 0


@pytest.fixture(scope="module", params=["sqlite"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cli]:
    yield from shared_cli(request, tmp_path_factory, build)


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Any]:
    yield from spawner(tmp_path)


@pytest.fixture
def fake_pager(tmp_path: Path) -> Any:
    script = tmp_path / "fake pager.py"  # a space: the command line is shlex-split
    script.write_text(FAKE_PAGER, encoding="utf-8")

    def command(mode: str = "all") -> tuple[str, Path]:
        record = tmp_path / f"paged-{mode}.json"
        line = " ".join(shlex.quote(str(x)) for x in (sys.executable, script, record, mode))
        return line, record

    return command


TALL = ("--as", sample.ADMIN, "sessions", "list", "--event", "12", "--all")
SHORT = ("--as", sample.ADMIN, "events", "list")


def run(spawn: Any, store: Cli, args: tuple[str, ...], env: dict[str, str], **kw: Any) -> str:
    term = spawn(store.url, *args, env=env, **kw)
    assert term.finish() == 0
    screen: str = term.screen()
    assert "Traceback" not in screen
    return screen


def test_a_tall_table_goes_through_sessionmig_pager(
    spawn: Any, store: Cli, fake_pager: Any
) -> None:
    command, record = fake_pager()
    screen = run(spawn, store, TALL, {"SESSIONMIG_PAGER": command, "PAGER": "false"})
    assert "FAKE PAGER DONE" in screen
    assert "Bulk xxx" not in screen  # the rows went to the pager, not to the terminal
    started = json.loads(record.read_text())
    assert started["argv"][1] == "all"  # the command line's own arguments
    assert started["less"] == "FRX"  # a bare `less` would keep rich's styles and quit if short
    paged = Path(str(record) + ".bytes").read_bytes().decode("utf-8")
    text = SGR.sub("", paged)
    assert text.count("Bulk xxx") == ROWS - 1
    assert "showing the first" not in text  # --all: nothing left out
    # Literal text holds through the pager: only rich's own styles are escape sequences.
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "[bold red]Boom[/]" in text and "\\x1b[2J" in text


def test_pager_falls_back_to_PAGER(spawn: Any, store: Cli, fake_pager: Any) -> None:
    command, record = fake_pager()
    screen = run(spawn, store, TALL, {"PAGER": command})
    assert "FAKE PAGER DONE" in screen and record.exists()


def test_pager_falls_back_to_less_FRX(
    spawn: Any, store: Cli, fake_pager: Any, tmp_path: Path
) -> None:
    # A `less` first on PATH that is the fake pager: it is started as `less -FRX`.
    command, record = fake_pager()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    less = bindir / "less"
    less.write_text(f'#!/bin/sh\nexec {command} "$@"\n', encoding="utf-8")
    less.chmod(0o755)
    path = f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"
    screen = run(spawn, store, TALL, {"PATH": path})
    assert "FAKE PAGER DONE" in screen
    assert json.loads(record.read_text())["argv"][2:] == ["-FRX"]


@pytest.mark.parametrize("value", ["", "cat", "cat -v"], ids=["empty", "cat", "cat-v"])
def test_empty_pager_or_cat_turns_it_off(
    spawn: Any, store: Cli, fake_pager: Any, value: str
) -> None:
    command, record = fake_pager()
    screen = run(spawn, store, TALL, {"SESSIONMIG_PAGER": value, "PAGER": command})
    assert not record.exists()
    assert SGR.sub("", screen).count("Bulk xxx") == ROWS - 1  # printed on the terminal


def test_a_table_that_fits_the_screen_is_not_paged(spawn: Any, store: Cli, fake_pager: Any) -> None:
    command, record = fake_pager()
    screen = run(spawn, store, SHORT, {"SESSIONMIG_PAGER": command})
    assert "Bulk Days" in screen and not record.exists()


def test_never_a_pager_off_a_terminal(store: Cli, fake_pager: Any) -> None:
    command, record = fake_pager()
    done = subprocess.run(
        [console_script(), *TALL],
        env=pty_env(store.url, {"SESSIONMIG_PAGER": command, "PAGER": command}),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert not record.exists()
    assert done.stdout.count("Bulk xxx") == ROWS - 1


def test_a_pager_that_quits_early_is_not_an_error(spawn: Any, store: Cli, fake_pager: Any) -> None:
    # A 1,000-column terminal makes the table far bigger than a pipe holds: the pager
    # quits after 100 bytes, the next write fails with EPIPE, and that is a normal end.
    command, record = fake_pager("early")
    args = (*TALL, "--columns", "id,title,community_id,community")
    screen = run(spawn, store, args, {"SESSIONMIG_PAGER": command}, dimensions=(40, 1000))
    assert "FAKE PAGER DONE" in screen and record.exists()
    assert "error" not in screen.lower()


@pytest.mark.skipif(shutil.which("less") is None, reason="less is not installed")
def test_q_in_real_less_ends_the_command_cleanly(spawn: Any, store: Cli) -> None:
    term = spawn(store.url, *TALL)  # no pager set: less -FRX
    term.expect("Bulk xxx")
    term.send("q")
    assert term.finish() == 0
    screen = term.screen()
    assert "Traceback" not in screen and "error" not in screen.lower()


def test_a_pager_that_cannot_start_prints_directly(spawn: Any, store: Cli) -> None:
    missing = "/nonexistent/pager --flag"
    screen = run(spawn, store, TALL, {"SESSIONMIG_PAGER": missing})
    assert "pager '/nonexistent/pager' cannot be started" in screen
    assert SGR.sub("", screen).count("Bulk xxx") == ROWS - 1


def test_on_a_terminal_tables_fit_its_width_not_COLUMNS(spawn: Any, store: Cli) -> None:
    # Screens for people: on a terminal the width is the terminal's (an exported COLUMNS
    # is for pipes and logs); every line fits 100 cells, rows cut to one line each.
    from rich.cells import cell_len

    args = ("--as", sample.ADMIN, "sessions", "list", "--event", "12", "--limit", "5")
    screen = run(
        spawn, store, args, {"COLUMNS": "250", "SESSIONMIG_PAGER": ""}, dimensions=(40, 100)
    )
    lines = [SGR.sub("", line) for line in screen.replace("\r\n", "\n").split("\n")]
    table = [line for line in lines if "Bulk xxx" in line]
    assert len(table) == 5
    shown = [line for line in lines if not line.startswith("showing the first")]  # stderr
    assert all(cell_len(line) <= 100 for line in shown), max(shown, key=cell_len)
    assert any(cell_len(line) > 90 for line in table)  # as wide as the terminal allows
    assert all("…" in line for line in table)
