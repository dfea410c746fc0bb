"""`sessionmig schema [NAME]`: the JSON Schema of a document the tool reads or prints."""

from typing import Annotated

import typer

from sessionmig.commands._common import ShowFormatOpt
from sessionmig.render import Col, ShowFormat

COLUMNS = (
    Col("name"),
    Col("title", text=True),
    Col("printed_by", "Printed by", text=True),
    Col("read_by", "Read by", text=True),
)


def schema(
    name: Annotated[
        str | None,
        typer.Argument(metavar="[NAME]", help="The document; without it, the list of names."),
    ] = None,
    fmt: ShowFormatOpt = ShowFormat.table,
) -> None:
    """Print the JSON Schema (draft 2020-12) of a document: the export `load` reads, a
    migration plan, the JSON of `migrate`, `history` and each listing, ...

    Without NAME, the names (a table; --format json: a list of names). The schemas are
    generated from the definitions the tool itself validates and builds its JSON with.
    No store and no --as needed.

    Example: sessionmig schema plan > plan.schema.json
    """
    from sessionmig import render, schemas
    from sessionmig.errors import UsageError

    if name is None:
        if fmt is ShowFormat.json:
            render.dump_json(schemas.names())
            return
        rows = [
            {
                "name": n,
                "title": doc.title,
                "printed_by": list(doc.printed_by),
                "read_by": list(doc.read_by),
            }
            for n, doc in schemas.REGISTRY.items()
        ]
        render.table(rows, COLUMNS, title="Document schemas (sessionmig schema NAME)")
        return
    if name not in schemas.REGISTRY:
        raise UsageError(f"schema: unknown document {name!r}; one of: {', '.join(schemas.names())}")
    render.dump_json(schemas.schema(name))
