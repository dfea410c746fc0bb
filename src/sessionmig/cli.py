"""The root command: global options and the one place errors become exit codes.

Start-up stays light: nothing here (nor in `commands/` at import time) imports
SQLAlchemy, SQLModel or questionary; commands import them when they run.

No `from __future__ import annotations` here nor in `commands/`: Typer reads every
command's type hints at start-up, and string annotations cost a compile() each
(~35 ms per process, every Tab press).
"""

import sys
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from sessionmig import __version__
from sessionmig.commands import (
    communities,
    db,
    demo,
    events,
    history,
    load,
    migrate,
    schema,
    sessions,
    videos,
)
from sessionmig.context import AppContext
from sessionmig.errors import Cancelled, InvalidInput, SessionmigError, UsageError


def fail(exc: SessionmigError) -> NoReturn:
    """Print one clear line on stderr (plus the details of an invalid file) and exit."""
    from sessionmig.render import literal

    if isinstance(exc, InvalidInput):
        for line in exc.details:
            sys.stderr.write(f"  {literal(line)}\n")
    sys.stderr.write(f"error: {literal(exc.message)}\n")
    sys.stderr.flush()
    raise typer.Exit(exc.exit_code)


# Typer vendors Click; its UsageError is BadParameter's base class.
ClickUsageError: type[Exception] = typer.BadParameter.__bases__[0]


def _plain_coercion(param: Any) -> Any:
    """Typer coerces every option through a pydantic TypeAdapter built on first use, which
    imports pydantic (~60-90 ms) even for a completion request. The root's str and bool
    options need nothing of it: Click hands over a str, a bool or None."""
    try:
        from typer._coercion import PassThroughRuntimeParam
    except ImportError:  # Typer's internals moved: keep its own coercion
        return param
    descriptor = getattr(param, "type_descriptor", None)
    try:
        if (
            descriptor is not None
            and descriptor.annotation in (str, bool)
            and getattr(param, "_runtime_param", False) is None
        ):
            param._runtime_param = PassThroughRuntimeParam(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
            )
    except (AttributeError, TypeError):  # a Typer whose internals differ: its own coercion
        pass
    return param


class RootGroup(TyperGroup):
    """Maps the domain's exceptions to the spec's exit codes, for every subcommand."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        for param in self.get_params(ctx):
            _plain_coercion(param)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SessionmigError as exc:
            fail(exc)
        except ClickUsageError as exc:
            # One line, not a usage banner: bad flags are exit 2 like any invalid input.
            sub = getattr(exc, "ctx", None)
            where = sub.command_path if sub is not None else "sessionmig"
            message = exc.format_message()  # type: ignore[attr-defined]
            fail(UsageError(f"{message} (see '{where} --help')"))
        except (KeyboardInterrupt, EOFError):
            fail(Cancelled())


app = typer.Typer(
    cls=RootGroup,
    name="sessionmig",
    help=(
        "Move the recordings of an event's online sessions into a community's video "
        "library, and keep the history of every move.\n\n"
        "Example: sessionmig --as ana@acme.test migrate --community 50 --event 10 --all-eligible --yes"
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
            help="SQLAlchemy database URL (sqlite:///file.db or postgresql+psycopg://...). "
            "Default: an embedded SQLite file in your user data directory.",
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="SESSIONMIG_ACTOR",
            metavar="EMAIL",
            show_envvar=True,
            help="The acting user; decides the client everything is scoped to.",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """sessionmig: migrate sessions from events to communities."""
    ctx.obj = AppContext(db=db_url or None, actor_email=actor or None)


app.add_typer(db.app, name="db")
app.command("load")(load.load)
app.command("demo")(demo.demo)
app.add_typer(events.app, name="events")
app.add_typer(sessions.app, name="sessions")
app.add_typer(communities.app, name="communities")
app.command("migrate")(migrate.migrate)
app.add_typer(videos.app, name="videos")
app.command("history")(history.history)
app.command("schema")(schema.schema)


def main() -> None:
    app()
