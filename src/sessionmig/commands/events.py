"""`sessionmig events`: the events the actor can read."""

import typer

from sessionmig.commands._common import listing_options, state
from sessionmig.render import Col, ListingSpec, ListOptions

app = typer.Typer(help="Events and their sessions' migration status.", no_args_is_help=True)

EVENTS = ListingSpec(
    title="Events",
    columns=(
        Col("id", "ID", "right"),
        Col("name", text=True),
        Col("audience", text=True),
        Col("starts_on", "Starts"),
        Col("ends_on", "Ends"),
        Col("sessions", justify="right"),
        Col("eligible", justify="right"),
        Col("migrated", justify="right"),
    ),
    default=("id", "name", "starts_on", "sessions", "eligible", "migrated"),
    empty="no events you can read",
)


@app.command("list")
@listing_options(EVENTS)
def list_events(ctx: typer.Context, out: ListOptions) -> None:
    """List the events you can read, with counts of sessions, eligible and migrated ones.

    Example: sessionmig --as ana@acme.test events list --format json
    """
    from sessionmig.render import listing
    from sessionmig.store import queries

    app_ctx = state(ctx)
    page = queries.list_events(app_ctx.engine(), app_ctx.actor(), out.window())
    listing(page, EVENTS, out)
