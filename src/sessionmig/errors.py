"""One exception hierarchy; the root command maps each class to the spec's exit code.

Messages are for people: they are written in the reader's language where they are
raised (`i18n._`), and printed on stderr; the exit code is the same in every language.

Imported at start-up: keep it free of heavy imports.
"""

from __future__ import annotations

import errno

from sessionmig.i18n import N_, _

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

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("cancelled, nothing was changed"))


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
        reason = os_reason(exc)
        return cls(
            _("cannot write the output: {reason}").format(reason=reason),
            broken_pipe=exc.errno == errno.EPIPE,
        )


# The system's words for the errors of files and streams a user can cause (os.strerror
# is English whatever the locale), as catalogue entries.
OS_ERRORS = (
    N_("No space left on device"),
    N_("Bad file descriptor"),
    N_("Permission denied"),
    N_("No such file or directory"),
    N_("Is a directory"),
    N_("Not a directory"),
    N_("Broken pipe"),
    N_("Read-only file system"),
    N_("Input/output error"),
    N_("File exists"),
    N_("File name too long"),
    N_("stdout is closed"),
)


def os_reason(exc: OSError) -> str:
    """What went wrong with a file or a stream, in the reader's language when the
    catalogue knows the system's words."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return _(reason)
