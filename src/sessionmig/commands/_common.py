"""Options and helpers shared by the command modules (light imports only)."""

from typing import Annotated, Any

import typer

from sessionmig.context import AppContext
from sessionmig.render import ListFormat, ShowFormat

ListFormatOpt = Annotated[
    ListFormat,
    typer.Option("--format", "-f", case_sensitive=False, help="Output format: table, json or csv."),
]
ShowFormatOpt = Annotated[
    ShowFormat,
    typer.Option("--format", "-f", case_sensitive=False, help="Output format: table or json."),
]


MAX_ID = 2**63 - 1


def positive_id(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_ID:
        raise typer.BadParameter(f"ids are positive integers, got {value}")
    return value


def id_option(flag: str, help: str) -> Any:
    """An optional positive-id flag, e.g. `--event ID`."""
    return typer.Option(flag, metavar="ID", callback=positive_id, help=help)


def positive_ids(values: list[int] | None) -> list[int] | None:
    for v in values or []:
        positive_id(v)
    return values


def state(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext)
    return obj
