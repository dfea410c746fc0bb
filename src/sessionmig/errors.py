"""One exception hierarchy; the root command maps each class to the spec's exit code.

Imported at start-up: keep it free of heavy imports.
"""

from __future__ import annotations

import errno

# Exit codes beyond the spec's 0-5 and 130 (README, "Exit codes").
EXIT_OUTPUT = 74  # EX_IOERR (sysexits.h): the output could not be written
EXIT_PIPE = 141  # 128 + SIGPIPE: the reader closed the pipe, as a SIGPIPE death reports


class SessionmigError(Exception):
    """An error a user can cause: printed as one line on stderr, never a traceback."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RulesRefused(SessionmigError):
    """Some requested sessions were refused by the rules, or `db check` found violations."""

    exit_code = 1


class UsageError(SessionmigError):
    """A missing flag, a bad option value or an invalid input file."""

    exit_code = 2


class InvalidInput(UsageError):
    """A data file that does not validate; carries every error with its place."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


class PermissionDenied(SessionmigError):
    """The actor's grants do not allow the action (R1 and the permission table)."""

    exit_code = 3


class NotFound(SessionmigError):
    """Unknown id, or an id of another client: the same answer for both."""

    exit_code = 4


class StoreUnavailable(SessionmigError):
    """Database unreachable, locked past its timeout, or schema not initialised."""

    exit_code = 5


class Cancelled(SessionmigError):
    """The user pressed Ctrl-C or Esc at a prompt."""

    exit_code = 130

    def __init__(self, message: str = "cancelled, nothing was changed") -> None:
        super().__init__(message)


class OutputError(SessionmigError):
    """stdout cannot be written (a full device, a closed stream): exit 74. When its
    reader closed the pipe (EPIPE), a quiet exit 141, like a tool piped into `head`."""

    exit_code = EXIT_OUTPUT

    def __init__(self, message: str, *, broken_pipe: bool = False) -> None:
        super().__init__(message)
        self.broken_pipe = broken_pipe
        if broken_pipe:
            self.exit_code = EXIT_PIPE

    @classmethod
    def from_os_error(cls, exc: OSError) -> OutputError:
        reason = exc.strerror or str(exc) or type(exc).__name__
        return cls(f"cannot write the output: {reason}", broken_pipe=exc.errno == errno.EPIPE)
