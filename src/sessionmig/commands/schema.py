"""`sessionmig schema [NAME]`: the JSON Schema of a document the tool reads or prints."""

from typing import Annotated

import typer

from sessionmig.commands._common import ShowFormatOpt
from sessionmig.i18n import N_, _
from sessionmig.render import Col, ShowFormat

COLUMNS = (
    Col("name", N_("Name")),
    Col("title", N_("Title"), text=True),
    Col("printed_by", N_("Printed by"), text=True),
    Col("read_by", N_("Read by"), text=True),
)


HELP = _(
    "Print the JSON Schema (draft 2020-12) of a document: the export `load` reads, a "
    "migration plan, the JSON of `migrate`, `history` and each listing, ...\n\n"
    "Without NAME, the names (a table; --format json: a list of names). The schemas are "
    "generated from the definitions the tool itself validates and builds its JSON with. "
    "No store and no --as needed.\n\n"
    "Example: sessionmig schema plan > plan.schema.json"
)


def schema(
    name: Annotated[
        str | None,
        typer.Argument(metavar="[NAME]", help=_("The document; without it, the list of names.")),
    ] = None,
    fmt: ShowFormatOpt = ShowFormat.table,
) -> None:
    from sessionmig import render, schemas
    from sessionmig.errors import UsageError

    if name is None:
        if fmt is ShowFormat.json:
            render.dump_json(schemas.names())
            return
        rows = [
            {
                "name": n,
                "title": _(doc.title),
                "printed_by": list(doc.printed_by),
                "read_by": list(doc.read_by),
            }
            for n, doc in schemas.REGISTRY.items()
        ]
        render.table(rows, COLUMNS, title=_("Document schemas (sessionmig schema NAME)"))
        return
    if name not in schemas.REGISTRY:
        raise UsageError(
            _("schema: unknown document {name}; one of: {names}").format(
                name=repr(name), names=", ".join(schemas.names())
            )
        )
    render.dump_json(schemas.schema(name))
