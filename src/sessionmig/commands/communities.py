"""`sessionmig communities`: the client's communities and their video libraries."""

import typer

from sessionmig.commands._common import ListFormatOpt, state
from sessionmig.render import Col, ListFormat

app = typer.Typer(help="Communities and their video libraries.", no_args_is_help=True)

COLUMNS = (
    Col("id", "ID", "right"),
    Col("title"),
    Col("audience"),
    Col("drafts", justify="right"),
    Col("published", justify="right"),
    Col("videos", justify="right"),
)


@app.command("list")
def list_communities(ctx: typer.Context, fmt: ListFormatOpt = ListFormat.table) -> None:
    """List the communities you can read, with their videos counted by status.

    Example: sessionmig --as ana@acme.test communities list
    """
    from sessionmig.render import listing
    from sessionmig.store import queries

    app_ctx = state(ctx)
    rows = queries.list_communities(app_ctx.engine(), app_ctx.actor())
    listing(rows, COLUMNS, fmt, title="Communities", empty="no communities you can read")
