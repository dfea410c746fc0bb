"""Options and helpers shared by the command modules (light imports only)."""

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from sessionmig.context import AppContext
from sessionmig.i18n import _
from sessionmig.paging import MAX_LIMIT
from sessionmig.render import TABLE_LIMIT, ListFormat, ListingSpec, ListOptions, ShowFormat

ShowFormatOpt = Annotated[
    ShowFormat,
    typer.Option("--format", "-f", case_sensitive=False, help=_("Output format: table or json.")),
]


def yes_option() -> Any:
    """`--yes`/`-y`, for the commands that ask for confirmation on a terminal."""
    return typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))


MAX_ID = 2**63 - 1


def positive_id(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_ID:
        raise typer.BadParameter(_("ids are positive integers, got {value}").format(value=value))
    return value


def id_option(flag: str, help: str) -> Any:
    """An optional positive-id flag, e.g. `--event ID`."""
    return typer.Option(flag, metavar="ID", callback=positive_id, help=help)


def positive_ids(values: list[int] | None) -> list[int] | None:
    for v in values or []:
        positive_id(v)
    return values


def positive_limit(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_LIMIT:
        raise typer.BadParameter(
            _("N is a whole number from 1 to {max}, got {value}").format(max=MAX_LIMIT, value=value)
        )
    return value


def read_stdin(what: str) -> bytes:
    """All of stdin, for `load -` and `migrate --plan -` (`what`, in the reader's
    language, names it); one line and exit 2 when it cannot be read (closed when the
    program started: `sys.stdin` is then None)."""
    import sys

    from sessionmig.errors import UsageError

    if sys.stdin is None:
        raise UsageError(_("cannot read {what} from stdin: stdin is closed").format(what=what))
    try:
        return sys.stdin.buffer.read()
    except (OSError, ValueError) as exc:
        raise UsageError(
            _("cannot read {what} from stdin: {error}").format(what=what, error=exc)
        ) from None


def state(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext)
    return obj


# --- the output options of every listing ---------------------------------------------------

_OUTPUT_PARAMS = ("fmt", "columns", "limit", "show_all")


def _output_parameters(spec: ListingSpec) -> list[inspect.Parameter]:
    keys = ", ".join(spec.keys)
    default = ", ".join(spec.default)
    options: list[tuple[str, Any, Any]] = [
        (
            "fmt",
            Annotated[
                ListFormat,
                typer.Option(
                    "--format",
                    "-f",
                    case_sensitive=False,
                    help=_("Output format: table, json or csv."),
                ),
            ],
            ListFormat.table,
        ),
        (
            "columns",
            Annotated[
                str | None,
                typer.Option(
                    "--columns",
                    metavar="KEY,...",
                    help=_(
                        "The columns to print, in this order (table, CSV and JSON), among: "
                        "{keys}. Default in a table: {default}; in JSON and CSV every key."
                    ).format(keys=keys, default=default),
                ),
            ],
            None,
        ),
        (
            "limit",
            Annotated[
                int | None,
                typer.Option(
                    "--limit",
                    metavar="N",
                    callback=positive_limit,
                    help=_(
                        "At most N rows (N >= 1). Without it a table shows the first "
                        "{limit} and says how many it left out; JSON and CSV list every row."
                    ).format(limit=TABLE_LIMIT),
                ),
            ],
            None,
        ),
        (
            "show_all",
            Annotated[
                bool,
                typer.Option("--all", help=_("Every row, also in a table (not with --limit).")),
            ],
            False,
        ),
    ]
    return [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=hint)
        for name, hint, default in options
    ]


def listing_options(
    spec: ListingSpec,
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a listing command the output options every listing shares, defined once:
    `--format table|json|csv`, `--columns KEY,...`, `--limit N` and `--all` (the
    sqlite-utils `output_options` habit).

    The decorated function declares a parameter `out: ListOptions` instead of them and
    receives the checked options (an unknown --columns key, or --limit with --all, is
    exit 2 before the store is opened); it asks the store for `out.window()` and prints
    with `render.listing(page, spec, out)`.
    """

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        signature = inspect.signature(fn)
        if "out" not in signature.parameters or set(_OUTPUT_PARAMS) & set(signature.parameters):
            raise TypeError(f"{fn.__name__}: a listing takes `out: ListOptions`, not its options")
        kept = [p for name, p in signature.parameters.items() if name != "out"]

        @functools.wraps(fn)
        def command(
            *args: Any,
            fmt: ListFormat,
            columns: str | None,
            limit: int | None,
            show_all: bool,
            **kwargs: Any,
        ) -> None:
            out = ListOptions.parse(spec, fmt, columns, limit, show_all)
            fn(*args, **kwargs, out=out)

        params = [*kept, *_output_parameters(spec)]
        command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        command.listing_spec = spec  # type: ignore[attr-defined]  # read by tests/test_docs.py
        command.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
        return command

    return decorate
