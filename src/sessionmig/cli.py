"""The root command: global options and the one place errors become exit codes.

Start-up stays light: nothing here (nor in `commands/` at import time) imports
SQLAlchemy, SQLModel or questionary; commands import them when they run.

No `from __future__ import annotations` here nor in `commands/`: Typer reads every
command's type hints at start-up, and string annotations cost a compile() each
(~35 ms per process, every Tab press).
"""

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

from sessionmig import __version__, clickwords
from sessionmig.commands import (
    communities,
    db,
    demo,
    events,
    history,
    load,
    logins,
    migrate,
    schema,
    sessions,
    videos,
)
from sessionmig.context import AppContext
from sessionmig.errors import (
    Cancelled,
    InvalidInput,
    OutputError,
    SessionmigError,
    UsageError,
)
from sessionmig.i18n import _


def _say(line: str) -> None:
    """One line on stderr; a stderr that cannot be written drops it (output.py)."""
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def fail(exc: SessionmigError, app_ctx: AppContext | None = None) -> NoReturn:
    """Print one clear line on stderr (plus the details of an invalid file) and exit.

    Once this run has committed a change, the line says what was committed instead of
    claiming that nothing changed; a reader that closed the pipe gets a quiet exit 141
    (and that one line only when something was committed)."""
    from sessionmig import output
    from sessionmig.render import literal, stdout_is_terminal

    note = app_ctx.commit_note() if app_ctx is not None else None
    if isinstance(exc, OutputError):
        output.abandon_stdout()
        if exc.broken_pipe:
            if note:
                _say(
                    _("note: the reader closed the output early; {note}").format(note=literal(note))
                )
            raise typer.Exit(exc.exit_code)
        message = f"{exc.message}; {note or _('nothing was changed')}"
    elif isinstance(exc, Cancelled):
        if stdout_is_terminal():
            _flush_quietly()
        else:  # a slow reader must not keep us waiting at exit for a report we dropped
            output.abandon_stdout()
        message = _("cancelled; {note}").format(note=note) if note else exc.message
    else:
        _flush_quietly()
        message = f"{exc.message}; {note}" if note else exc.message
    if isinstance(exc, InvalidInput):
        for line in exc.details:
            _say(f"  {literal(line)}")
    _say(_("error: {message}").format(message=literal(message)))
    raise typer.Exit(exc.exit_code)


def _flush_quietly() -> None:
    from sessionmig import output

    try:
        output.flush()
    except OutputError:
        output.abandon_stdout()


# Typer vendors Click; its UsageError is BadParameter's base class.
ClickUsageError: type[Exception] = typer.BadParameter.__bases__[0]


try:  # Typer's own coercion pieces, without the pydantic TypeAdapter around them
    from typer._click.exceptions import BadParameter
    from typer._coercion import PassThroughRuntimeParam, RuntimeParam
    from typer._display import _escape_control_characters  # type: ignore[attr-defined]
    from typer._param_types import coerce_cli_choice, coerce_cli_path, lenient_issubclass

    _TYPER_INTERNALS = True
except ImportError:  # Typer's internals moved: every parameter keeps Typer's coercion
    _TYPER_INTERNALS = False


if _TYPER_INTERNALS:

    class _PlainRuntimeParam(RuntimeParam):
        """A choice or a path coerced by Typer's own function, as its TypeAdapter would:
        a ValueError it raises is pydantic's "Value error, ..." message."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            descriptor = param.type_descriptor
            try:
                if descriptor.is_choice:
                    return coerce_cli_choice(
                        value,
                        choices=descriptor.choices,
                        case_sensitive=descriptor.case_sensitive,
                        ctx=ctx,
                    )
                info = descriptor.parameter_info
                path_type = info.path_type
                if path_type is None and lenient_issubclass(self.annotation, Path):
                    path_type = self.annotation
                if lenient_issubclass(path_type, Path) and isinstance(value, str):
                    value = path_type(value)  # what TypeAdapter(Path) makes of a str
                return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)
            except ValueError as exc:
                message = _escape_control_characters(f"Value error, {exc}")
                raise BadParameter(message, ctx=ctx, param=param) from None


def _plain_coercion(param: Any) -> Any:
    """Typer coerces every parameter through a pydantic TypeAdapter built on first use,
    which imports pydantic: about 60-90 ms even for a completion request, and about 8 MB
    of memory (`load`'s budget at 10,000 sessions, README P6). The kinds Click hands
    over plainly need nothing of it: a str or a bool is taken as it comes; a choice (an
    Enum) and a path get Typer's own function (`_PlainRuntimeParam`). Any other kind
    (an int, a list) keeps Typer's coercion; so does every parameter if Typer's
    internals differ from these."""
    if not _TYPER_INTERNALS:
        return param
    descriptor = getattr(param, "type_descriptor", None)
    try:
        if descriptor is None or getattr(param, "_runtime_param", False) is not None:
            return param
        annotation = descriptor.annotation
        single = not param.multiple and param.nargs == 1
        kind: Any = None
        if annotation in (str, bool):
            kind = PassThroughRuntimeParam
        elif single and descriptor.parameter_info.parser is None and not descriptor.is_file:
            choice = lenient_issubclass(annotation, Enum) and descriptor.is_choice
            path = lenient_issubclass(annotation, Path) and descriptor.is_path
            if choice or path:
                kind = _PlainRuntimeParam
        if kind is not None:
            param._runtime_param = kind(
                parameter_info=descriptor.parameter_info, annotation=annotation
            )
    except (AttributeError, TypeError):  # a Typer whose internals differ: its own coercion
        pass
    return param


def _plain_tree(root: Any) -> None:
    """`_plain_coercion` for every parameter of `root` and every command under it, their
    `--help` included (made by `get_params` for each context: wrapped here)."""
    stack = [root]
    while stack:
        command = stack.pop()
        if not getattr(command.get_params, "plain", False):  # once, however many runs
            command.get_params = _coercing(command.get_params)
        stack.extend(getattr(command, "commands", {}).values())


def _coercing(get_params: Callable[[Any], list[Any]]) -> Callable[[Any], list[Any]]:
    def params(ctx: Any) -> list[Any]:
        return [_plain_coercion(param) for param in get_params(ctx)]

    params.plain = True  # type: ignore[attr-defined]
    return params


T = TypeVar("T")


class RootGroup(TyperGroup):
    """The one place where errors become the spec's exit codes, for the root options
    (parsed in `parse_args`: `--version`, `--db`, `--as`) and every subcommand (`invoke`).

    Besides the domain's exceptions: a bad flag is one line and exit 2 (no usage
    banner), Ctrl-C and end of input are exit 130, output that cannot be written is
    exit 74 and a closed pipe a quiet exit 141 (`OutputError`). stdout is flushed
    inside the mapping, so the last buffered bytes fail here, never at exit."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from sessionmig import output

        output.install()
        clickwords.localize(self)
        _plain_tree(self)
        return super().main(*args, **kwargs)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return self._mapped(ctx, lambda: super(RootGroup, self).parse_args(ctx, args))

    def invoke(self, ctx: Any) -> Any:
        return self._mapped(ctx, lambda: super(RootGroup, self).invoke(ctx))

    def _mapped(self, ctx: Any, call: Callable[[], T]) -> T:
        from sessionmig import output

        try:
            try:
                result = call()
            except (typer.Exit, SystemExit):
                output.flush()
                raise
            output.flush()
            return result
        except SessionmigError as exc:
            fail(exc, _app_context(ctx))
        except ClickUsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help is already printed
                _flush_quietly()
                raise typer.Exit(2) from None
            # One line, not a usage banner: bad flags are exit 2 like any invalid input.
            sub = getattr(exc, "ctx", None)
            where = sub.command_path if sub is not None else "sessionmig"
            message = clickwords.usage_message(exc)
            fail(
                UsageError(
                    _("{message} (see '{command} --help')").format(message=message, command=where)
                ),
                _app_context(ctx),
            )
        except (KeyboardInterrupt, EOFError):
            fail(Cancelled(), _app_context(ctx))


def _app_context(ctx: Any) -> AppContext | None:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, AppContext) else None


app = typer.Typer(
    cls=RootGroup,
    name="sessionmig",
    help=_(
        "Move the recordings of an event's online sessions into a community's video "
        "library, and keep the history of every move.\n\n"
        "Example: sessionmig --as ana@acme.test migrate --community 50 --event 10 "
        "--all-eligible --yes"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sessionmig {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    db_url: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="SESSIONMIG_DB",
            metavar="URL",
            show_envvar=True,
            help=_(
                "SQLAlchemy database URL (sqlite:///file.db or postgresql+psycopg://...). "
                "Default: an embedded SQLite file in your user data directory."
            ),
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="SESSIONMIG_ACTOR",
            metavar="EMAIL",
            show_envvar=True,
            help=_("The acting user; decides the client everything is scoped to."),
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help=_("Print the version and exit.")
        ),
    ] = False,
) -> None:
    """sessionmig: migrate sessions from events to communities."""
    ctx.obj = AppContext(db=db_url or None, actor_email=actor or None)


app.add_typer(db.app, name="db")
app.command("load", help=load.HELP)(load.load)
app.command("demo", help=demo.HELP)(demo.demo)
app.add_typer(events.app, name="events")
app.add_typer(sessions.app, name="sessions")
app.add_typer(communities.app, name="communities")
app.command("migrate", help=migrate.HELP)(migrate.migrate)
app.add_typer(videos.app, name="videos")
app.command("history", help=history.HELP)(history.history)
app.command("schema", help=schema.HELP)(schema.schema)
app.add_typer(logins.app, name="logins")
app.command("whoami", help=logins.WHOAMI_HELP)(logins.whoami)


def main() -> None:
    app()
