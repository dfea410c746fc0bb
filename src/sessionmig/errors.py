"""One exception hierarchy; the root command maps each class to the spec's exit code.

Imported at start-up: keep it free of heavy imports.
"""

from __future__ import annotations


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
