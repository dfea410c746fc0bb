"""The installed `sessionmig` console script in a real pseudo-terminal, driven with
pexpect like a person at a keyboard (shared by the pty tests).

The terminal answers prompt_toolkit's cursor position requests (CPR, ``ESC [ 6 n``) the
way xterm does; without an answer prompt_toolkit waits up to a second after each prompt.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

DOWN = "\x1b[B"
ENTER = "\r"
SPACE = " "
BACKSPACE = "\x7f"
CTRL_C = "\x03"
CTRL_A = "\x01"  # questionary: tick all (with the search filter on)
CTRL_I = "\t"  # questionary: invert (Ctrl-I is Tab)
CPR_REQUEST = "\x1b[6n"
CPR_ANSWER = "\x1b[1;1R"
TIMEOUT = 20
ROWS, COLS = 40, 120


def console_script() -> str:
    beside = Path(sys.executable).parent / "sessionmig"
    if beside.exists():
        return str(beside)
    found = shutil.which("sessionmig")
    if found is None:
        pytest.fail("the sessionmig console script is not installed")
    return found


def require_pty() -> None:
    try:
        master, slave = os.openpty()
    except OSError as exc:
        pytest.skip(f"no pseudo-terminal available: {exc}")
    os.close(master)
    os.close(slave)


def pty_env(url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a person's shell: no SESSIONMIG_* variable of the test run, no
    pager of the person running the tests (each test sets the one it means)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if (not k.startswith("SESSIONMIG_") or k == "SESSIONMIG_LANG")
        and k not in ("PAGER", "LESS", "COLUMNS", "LINES")
    }
    env.update(SESSIONMIG_DB=url, TERM="xterm", PYTHONUNBUFFERED="1")
    env.update(extra or {})
    return env


class Terminal:
    """One `sessionmig` process in a pty, with xterm's answer to cursor position requests."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        log: Path,
        dimensions: tuple[int, int] = (ROWS, COLS),
    ) -> None:
        import pexpect

        self._log = log.open("w", encoding="utf-8")
        try:
            self.child = pexpect.spawn(
                console_script(),
                args,
                env=env,
                encoding="utf-8",
                codec_errors="replace",
                timeout=TIMEOUT,
                dimensions=dimensions,
            )
        except (OSError, pexpect.ExceptionPexpect) as exc:  # pragma: no cover - host specific
            self._log.close()
            pytest.skip(f"cannot spawn in a pseudo-terminal: {exc}")
        self.child.logfile_read = self._log
        self.log_path = log

    def expect(self, text: Any) -> None:
        """Wait for `text` (or EOF), answering every CPR request on the way."""
        import pexpect

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
        import pexpect

        self.expect(pexpect.EOF)
        self.child.close()
        self._log.close()
        return self.child.exitstatus  # type: ignore[no-any-return]

    def screen(self) -> str:
        """Everything the terminal showed so far."""
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
        if not self._log.closed:
            self._log.close()


def spawner(tmp_path: Path) -> Iterator[Any]:
    """The body of a `spawn` fixture: `spawn(url, *args, env=..., dimensions=...)`."""
    pytest.importorskip("pexpect")
    require_pty()
    started: list[Terminal] = []

    def start(
        url: str,
        *args: str,
        env: Mapping[str, str] | None = None,
        dimensions: tuple[int, int] = (ROWS, COLS),
    ) -> Terminal:
        term = Terminal(
            list(args), pty_env(url, env), tmp_path / f"pty-{len(started)}.log", dimensions
        )
        started.append(term)
        return term

    yield start
    for term in started:
        term.kill()
