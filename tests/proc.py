"""Run the real `sessionmig` program in a subprocess with its standard streams in a chosen
state: a pipe, a full device, closed, or a pipe whose reader has gone (EPIPE)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# stdout: "pipe" (captured), "full" (/dev/full: every write fails with ENOSPC), "closed"
# (fd 1 closed when the program starts), "epipe" (a pipe whose read end is already closed).
STDOUT_MODES = ("pipe", "full", "closed", "epipe")
# stdin: "devnull" (empty, not a terminal) or "closed" (fd 0 closed at start).
STDIN_MODES = ("devnull", "closed")


@dataclass
class Proc:
    returncode: int
    stdout: str
    stderr: str


def base_env(**extra: str) -> dict[str, str]:
    """The environment of a non-interactive run: no SESSIONMIG_* leaking from the caller."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SESSIONMIG_") or k == "SESSIONMIG_LANG"
    }
    env.update(SESSIONMIG_NO_PROMPT="1", COLUMNS="200", PYTHONIOENCODING="utf-8")
    env.update(extra)
    return env


def run(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    stdout: str = "pipe",
    stdin: str = "devnull",
    stdin_data: bytes | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> Proc:
    """`python -m sessionmig ARGS` with its streams set up as asked; stderr is captured."""
    assert stdout in STDOUT_MODES and stdin in STDIN_MODES
    closers: list[int] = []
    out_target: int | None
    if stdout == "pipe":
        out_target = subprocess.PIPE
    elif stdout == "full":
        out_target = os.open("/dev/full", os.O_WRONLY)
        closers.append(out_target)
    elif stdout == "epipe":
        read_end, out_target = os.pipe()
        os.close(read_end)  # the reader is gone before the first write
        closers.append(out_target)
    else:
        out_target = None
    close_fds = [fd for fd, mode in ((0, stdin), (1, stdout)) if mode == "closed"]

    def close_standard_fds() -> None:  # runs in the child, between fork and exec
        for fd in close_fds:
            os.close(fd)

    in_target: int | None = subprocess.DEVNULL
    if stdin_data is not None:
        in_target = subprocess.PIPE
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "sessionmig", *args],
            stdin=in_target,
            stdout=out_target,
            stderr=subprocess.PIPE,
            input=stdin_data,
            env=dict(env),
            cwd=cwd,
            timeout=timeout,
            preexec_fn=close_standard_fds if close_fds else None,
        )
    finally:
        for fd in closers:
            os.close(fd)
    return Proc(
        proc.returncode,
        (proc.stdout or b"").decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )
