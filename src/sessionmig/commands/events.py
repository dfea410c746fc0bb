"""`sessionmig events`: the events the actor can read."""

import typer

from sessionmig.commands._common import ListFormatOpt, state
from sessionmig.render import Col, ListFormat

app = typer.Typer(help="Events and their sessions' migration status.", no_args_is_help=True)

COLUMNS = (
    Col("id", "ID", "right"),
    Col("name"),
    Col("audience"),
    Col("starts_on", "Starts"),
    Col("ends_on", "Ends"),
    Col("sessions", justify="right"),
    Col("eligible", justify="right"),
    Col("migrated", justify="right"),
)


@app.command("list")
def list_events(ctx: typer.Context, fmt: ListFormatOpt = ListFormat.table) -> None:
    """List the events you can read, with counts of sessions, eligible and migrated ones.

    Example: sessionmig --as ana@acme.test events list --format json
    """
    from sessionmig.render import listing
    from sessionmig.store import queries

    app_ctx = state(ctx)
    rows = queries.list_events(app_ctx.engine(), app_ctx.actor())
    listing(rows, COLUMNS, fmt, title="Events", empty="no events you can read")
