"""End to end in a real pseudo-terminal: the installed `sessionmig` console script, driven
with pexpect like a person at a keyboard.

The terminal answers prompt_toolkit's cursor position requests (CPR, ``ESC [ 6 n``) the
way xterm does; without an answer prompt_toolkit waits up to a second after each prompt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sessionmig import demo

pexpect = pytest.importorskip("pexpect")

DOWN = "\x1b[B"
ENTER = "\r"
SPACE = " "
CTRL_C = "\x03"
CTRL_A = "\x01"  # questionary: tick all (with the search filter on)
CTRL_I = "\t"  # questionary: invert (Ctrl-I is Tab)
CPR_REQUEST = "\x1b[6n"
CPR_ANSWER = "\x1b[1;1R"
TIMEOUT = 20


def console_script() -> str:
    beside = Path(sys.executable).parent / "sessionmig"
    if beside.exists():
        return str(beside)
    found = shutil.which("sessionmig")
    if found is None:
        pytest.fail("the sessionmig console script is not installed")
    return found


@pytest.fixture(scope="module")
def pty_available() -> None:
    try:
        master, slave = os.openpty()
    except OSError as exc:
        pytest.skip(f"no pseudo-terminal available: {exc}")
    os.close(master)
    os.close(slave)


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESSIONMIG_")}
    env.update(
        SESSIONMIG_DB=url,
        TERM="xterm",
        COLUMNS="120",
        LINES="40",
        PYTHONUNBUFFERED="1",
    )
    return env


class Terminal:
    """One `sessionmig` process in a pty, with xterm's answer to cursor position requests."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self._log = log.open("w", encoding="utf-8")
        try:
            self.child = pexpect.spawn(
                console_script(),
                args,
                env=env,
                encoding="utf-8",
                codec_errors="replace",
                timeout=TIMEOUT,
                dimensions=(40, 120),
            )
        except (OSError, pexpect.ExceptionPexpect) as exc:  # pragma: no cover - host specific
            self._log.close()
            pytest.skip(f"cannot spawn in a pseudo-terminal: {exc}")
        self.child.logfile_read = self._log
        self.log_path = log

    def expect(self, text: Any) -> None:
        """Wait for `text` (or EOF), answering every CPR request on the way."""
        while True:
            try:
                index = self.child.expect_exact([CPR_REQUEST, text])
            except (pexpect.TIMEOUT, pexpect.EOF) as exc:
                self._log.flush()
                pytest.fail(
                    f"waiting for {text!r}: {type(exc).__name__}\n"
                    + self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
                )
            if index == 0:
                self.child.send(CPR_ANSWER)
                continue
            return

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def finish(self) -> int | None:
        self.expect(pexpect.EOF)
        self.child.close()
        self._log.close()
        return self.child.exitstatus  # type: ignore[no-any-return]

    def kill(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
        if not self._log.closed:
            self._log.close()


@pytest.fixture
def spawn(pty_available: None, tmp_path: Path) -> Iterator[Any]:
    started: list[Terminal] = []

    def start(url: str, *args: str) -> Terminal:
        term = Terminal(list(args), _env(url), tmp_path / f"pty-{len(started)}.log")
        started.append(term)
        return term

    yield start
    for term in started:
        term.kill()


def migrated_sessions(url: str) -> dict[int, int]:
    """session id -> community id, read back by a non-interactive process."""
    done = subprocess.run(
        [
            console_script(),
            "--as",
            demo.DEMO_ADMIN_EMAIL,
            "sessions",
            "list",
            "--migrated",
            "--format",
            "json",
        ],
        env={**_env(url), "SESSIONMIG_NO_PROMPT": "1"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return {row["id"]: row["community_id"] for row in json.loads(done.stdout)}


def demo_prompt_order() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, list[int]]]:
    """What the demo admin's prompts list: communities by title, events by start date, and
    the eligible (R4) sessions of each event in id order."""
    export = demo.demo_export()
    client = demo.DEMO_CLIENT_ID
    audiences = {a["id"] for a in export["audiences"] if a["client_id"] == client}
    communities = sorted(
        (c for c in export["communities"] if c["audience_id"] in audiences),
        key=lambda c: (c["title"], c["id"]),
    )
    events = sorted(
        (e for e in export["events"] if e["audience_id"] in audiences),
        key=lambda e: (e["starts_on"], e["id"]),
    )
    eligible: dict[int, list[int]] = {e["id"]: [] for e in events}
    for s in sorted(export["sessions"], key=lambda s: s["id"]):
        source = s.get("source") or {}
        if (
            s["event_id"] in eligible
            and s["format"] == "online"
            and source.get("kind") in ("video_file", "url")
        ):
            eligible[s["event_id"]].append(s["id"])
    return communities, events, eligible


def test_demo_interactive_migration_in_a_terminal(spawn: Any, sqlite_url: str) -> None:
    communities, events, eligible = demo_prompt_order()
    assert len(communities) >= 2
    community = communities[1]  # one arrow down
    event = next(e for e in events if eligible[e["id"]])  # the list starts on it
    expected = eligible[event["id"]][1:]  # Ctrl-A ticks all, space unticks the first
    assert expected

    term = spawn(sqlite_url, "demo")
    term.expect("Destination community")
    term.send(DOWN + ENTER)
    term.expect("Source event")
    term.send(ENTER)
    term.expect("Sessions to migrate")
    term.send(CTRL_A + SPACE + ENTER)
    term.expect(f"Migrate {len(expected)} session(s)")
    term.send("y")
    term.expect("Migration audit")
    term.expect(f"{len(expected)} migrated, 0 already migrated, 0 refused")
    assert term.finish() == 0
    assert "Traceback" not in term.log_path.read_text(encoding="utf-8", errors="replace")

    assert migrated_sessions(sqlite_url) == dict.fromkeys(expected, community["id"])


def test_ctrl_c_at_the_first_prompt_exits_130_and_migrates_nothing(
    spawn: Any, sqlite_url: str
) -> None:
    term = spawn(sqlite_url, "demo")
    term.expect("Destination community")
    term.send(CTRL_C)
    term.expect("cancelled")
    assert term.finish() == 130
    assert "Traceback" not in term.log_path.read_text(encoding="utf-8", errors="replace")
    assert migrated_sessions(sqlite_url) == {}


def test_ctrl_c_at_the_confirmation_exits_130_and_migrates_nothing(
    spawn: Any, sqlite_url: str
) -> None:
    term = spawn(sqlite_url, "demo")
    term.expect("Destination community")
    term.send(ENTER)
    term.expect("Source event")
    term.send(ENTER)
    term.expect("Sessions to migrate")
    term.send(CTRL_A + ENTER)
    term.expect("cannot be undone")
    term.send(CTRL_C)
    term.expect("cancelled")
    assert term.finish() == 130
    assert migrated_sessions(sqlite_url) == {}
