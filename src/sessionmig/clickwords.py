"""Typer's and Click's own words in the reader's language: the help's frame (`Usage:`,
`Options`, `Commands`, `Show this message and exit.`, the completion options) and the
usage errors Click raises (`No such option`, `Missing option`, `Invalid value for …`).

Typer ≥ 0.26 vendors Click (`typer._click`), whose words are plain English strings;
`typer.core` and `typer.rich_utils` call the standard library's global `gettext`
(`i18n` binds their `_` to our catalogue). This module reaches the rest:

- `localize(root)` walks the command tree once (French only): each command's context
  makes a formatter whose usage line starts with our word, binds Typer's rich help
  panels' titles when help is drawn, and gives the help option our sentence;
- `usage_message(exc)` says a Click usage error in the reader's language, from the
  exception's own fields (its option, its parameter), and is Click's own message in
  English.

Imported at start-up (it only imports what `cli.py` already has: typer's core).
"""

from __future__ import annotations

import re
from typing import Any

from typer import _click

from sessionmig.i18n import _, french

# Click's and Typer's fixed words, as catalogue entries.
USAGE = "Usage: "
RICH_PANELS = {
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "DEPRECATED_STRING": "(deprecated) ",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}
COMPLETION_HELP = {
    "install_completion": "Install completion for the current shell.",
    "show_completion": "Show completion for the current shell, to copy it or customize the "
    "installation.",
}
HELP_OPTION = "Show this message and exit."
SUBCOMMAND_METAVAR = "COMMAND [ARGS]..."


def _catalogue_entries() -> None:  # pragma: no cover - never called: read by Babel
    _("Usage: ")
    _("Arguments")
    _("Options")
    _("Commands")
    _("Error")
    _("(deprecated) ")
    _("[default: {}]")
    _("[env var: {}]")
    _("[required]")
    _("Aborted.")
    _("Try [blue]'{command_path} {help_option}'[/] for help.")
    _("Install completion for the current shell.")
    _("Show completion for the current shell, to copy it or customize the installation.")
    _("Show this message and exit.")
    _("COMMAND [ARGS]...")
    # typer.core's own (it calls gettext; i18n binds it to our catalogue)
    _("Missing command.")
    _("No such command {name!r}.")
    _("(dynamic)")
    _("default: {default}")
    _("required")
    _("env var: {var}")
    _("Aborted!")


def _bind_rich_help() -> None:
    """Typer's rich help reads its panels' titles from module constants, computed when
    `typer.rich_utils` is imported (lazily, when help is drawn): set them to our words."""
    from typer import rich_utils

    for name, english in RICH_PANELS.items():
        setattr(rich_utils, name, _(english))


class _Formatter(_click.formatting.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _(USAGE) if prefix is None else prefix)


class _Context(_click.Context):
    """A context whose help speaks the reader's language."""

    formatter_class = _Formatter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        option = self.command.get_help_option(self)
        if option is not None:
            option.help = _(HELP_OPTION)

    def get_help(self) -> str:
        _bind_rich_help()
        return super().get_help()


def localize(root: Any) -> None:
    """Give every command of the tree under `root` the reader's words (French only; in
    English Typer and Click are left exactly as they are)."""
    if not french():
        return
    stack = [root]
    while stack:
        command = stack.pop()
        command.context_class = _Context
        if getattr(command, "subcommand_metavar", None) == SUBCOMMAND_METAVAR:
            command.subcommand_metavar = _(SUBCOMMAND_METAVAR)
        for param in getattr(command, "params", ()):
            english = COMPLETION_HELP.get(getattr(param, "name", "") or "")
            if english is not None:
                param.help = _(english)
        stack.extend(getattr(command, "commands", {}).values())


# --- usage errors ------------------------------------------------------------------------

# Patterns, compiled on first use (`re` caches them): this module is imported by every
# process, a Tab press included, and most never see a usage error.
_REQUIRES = r"^Option '(?P<opt>.+)' requires (?:an argument|(?P<n>\d+) arguments)\.$"
_NO_VALUE = r"^Option '(?P<opt>.+)' does not take a value\.$"
_EXTRA = r"^Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)$"
_DID_YOU_MEAN = r"(?s)^(?P<head>.*)\. Did you mean (?P<names>.+)\?$"
_NOT_ONE_OF = r"^(?:Value error, )?(?P<value>.+) is not one of (?P<choices>.+)\.$"
_PYDANTIC_INT = "Input should be a valid integer, unable to parse string as an integer"


def _param_hint(exc: Any) -> str:
    """The parameter a usage error names, as Click names it (`'--limit'`, `'ID'`)."""
    hint = getattr(exc, "param_hint", None)
    param = getattr(exc, "param", None)
    if hint is None and param is not None:
        try:
            hint = param.get_error_hint()
        except TypeError:
            hint = param.get_error_hint(getattr(exc, "ctx", None))
    if isinstance(hint, list | tuple):
        return " / ".join(repr(h) for h in hint)
    return "" if hint is None else str(hint)


def _value_message(message: str) -> str:
    """What Typer (pydantic) or Click says of a bad value; ours are already translated."""
    if message.startswith(_PYDANTIC_INT):
        return _("a whole number is expected")
    match = re.match(_NOT_ONE_OF, message)
    if match:
        return _("{value} is not one of {choices}").format(
            value=match["value"], choices=match["choices"]
        )
    return message


def usage_message(exc: Any) -> str:
    """A Click usage error's message in the reader's language (English: Click's own)."""
    english = str(exc.format_message())
    if not french():
        return english
    if isinstance(exc, _click.exceptions.NoSuchOption):
        name = exc.option_name
        text = _("No such option: {name}").format(name=name)
        if exc.possibilities:
            names = ", ".join(sorted(exc.possibilities))
            text += " " + _("(Possible options: {names})").format(names=names)
        return text
    if isinstance(exc, _click.exceptions.MissingParameter):
        param = exc.param
        hint = _param_hint(exc)
        kind = exc.param_type or getattr(param, "param_type_name", "parameter")
        if kind == "option":
            return _("Missing option {name}.").format(name=hint)
        if kind == "argument":
            return _("Missing argument {name}.").format(name=hint)
        return _("Missing parameter {name}.").format(name=hint)
    if isinstance(exc, _click.exceptions.BadParameter):
        hint = _param_hint(exc)
        message = _value_message(str(exc.message))
        if hint:
            return _("Invalid value for {name}: {message}").format(name=hint, message=message)
        return _("Invalid value: {message}").format(message=message)
    message = str(getattr(exc, "message", english))
    match = re.match(_REQUIRES, message)
    if match:
        if match["n"]:
            return _("Option {name} requires {n} arguments.").format(
                name=repr(match["opt"]), n=match["n"]
            )
        return _("Option {name} requires an argument.").format(name=repr(match["opt"]))
    match = re.match(_NO_VALUE, message)
    if match:
        return _("Option {name} does not take a value.").format(name=repr(match["opt"]))
    match = re.match(_EXTRA, message)
    if match:
        return _("Got unexpected extra arguments ({args})").format(args=match["args"])
    match = re.match(_DID_YOU_MEAN, message)
    if match:  # typer: "No such command 'x'. Did you mean 'y'?" (the head is translated)
        return _("{message}. Did you mean {names}?").format(
            message=match["head"], names=match["names"]
        )
    return message
