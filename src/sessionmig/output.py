"""The process's standard streams, set up so that an output error is told apart from any
other error and never ends in a traceback.

- stdout is the document (a table, JSON, CSV). A write that fails raises `OutputError`
  (a `SessionmigError`: the root command maps it): exit 74 (EX_IOERR), or a quiet
  exit 141 when the reader closed the pipe (EPIPE), as a process killed by SIGPIPE
  reports it.
- stderr is for people. A notice that cannot be written is dropped (the stream is
  then pointed at /dev/null): the exit code still tells what happened.
- A standard file descriptor closed when the program starts is filled with /dev/null
  so that no file or socket opened later takes its number; stdout then answers every
  write with `OutputError` ("stdout is closed"), stdin stays `None` (readers say it
  is closed), stderr is silent.

Imported at start-up: standard library only.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import Any

from sessionmig.errors import OutputError


def _fd_is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _devnull_onto(fd: int) -> None:
    """Point `fd` at /dev/null: a closed descriptor gets it (open() takes the lowest free
    number), an open one is replaced."""
    null = os.open(os.devnull, os.O_RDWR)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)


class _RawStdout(io.FileIO):
    """fd 1, whose failed writes say that they were writes of the output."""

    def write(self, data: Any) -> int:
        try:
            return super().write(data) or 0
        except OSError as exc:
            raise OutputError.from_os_error(exc) from None


class _RawStderr(io.FileIO):
    """fd 2: a write that fails sends the rest of stderr to /dev/null."""

    def write(self, data: Any) -> int:
        try:
            return super().write(data) or 0
        except OSError:
            _devnull_onto(2)
            return len(data)


class _ClosedStdout(io.TextIOBase):
    """Stands for a stdout that was closed when the program started."""

    silenced = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not self.silenced:
            raise OutputError.from_os_error(OSError(errno.EBADF, "stdout is closed"))
        return len(text)

    def isatty(self) -> bool:
        return False


def _rewrap(stream: Any, raw: io.FileIO) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=getattr(stream, "line_buffering", False),
        write_through=getattr(stream, "write_through", False),
    )


def install() -> None:
    """Set up the standard streams of a real process (idempotent). Streams that are not
    the process's own (a test runner's captured streams) are left as they are."""
    closed = [fd for fd in (0, 1, 2) if not _fd_is_open(fd)]
    for fd in closed:
        _devnull_onto(fd)
    out: Any = sys.stdout
    if out is None:
        sys.stdout = _ClosedStdout()
    elif _process_own(out, sys.__stdout__, 1):
        out.flush()
        sys.stdout = _rewrap(out, _RawStdout(1, "w", closefd=False))
    err: Any = sys.stderr
    if err is None or 2 in closed:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (process-long)
    elif _process_own(err, sys.__stderr__, 2):
        err.flush()
        sys.stderr = _rewrap(err, _RawStderr(2, "w", closefd=False))


def _process_own(stream: Any, original: Any, fd: int) -> bool:
    return stream is original and _owns_fd(stream, fd)


def _owns_fd(stream: Any, fd: int) -> bool:
    try:
        return bool(stream.fileno() == fd)
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return False


def flush() -> None:
    """Flush stdout now, inside the error mapping: what is still buffered fails here, not
    in the interpreter's last flush at exit (which would print "Exception ignored")."""
    sys.stdout.flush()
    sys.stderr.flush()


def abandon_stdout() -> None:
    """Whatever stdout still holds goes nowhere: after an output error, or when the run
    stops (Ctrl-C) while a slow reader has not taken the report yet, the last flush at
    exit must neither fail nor block."""
    stream = sys.stdout
    if isinstance(stream, _ClosedStdout):
        stream.silenced = True
        return
    if _owns_fd(stream, 1):
        _devnull_onto(1)
