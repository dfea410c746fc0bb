"""`sessionmig events`: the events the actor can read."""

import typer

from sessionmig.commands._common import listing_options, state
from sessionmig.i18n import N_, _
from sessionmig.render import Col, ListingSpec, ListOptions

app = typer.Typer(help=_("Events and their sessions' migration status."), no_args_is_help=True)

EVENTS = ListingSpec(
    title=N_("Events"),
    columns=(
        Col("id", N_("ID"), "right"),
        Col("name", N_("Name"), text=True),
        Col("audience", N_("Audience"), text=True),
        Col("starts_on", N_("Starts")),
        Col("ends_on", N_("Ends")),
        Col("sessions", N_("Sessions"), justify="right"),
        Col("eligible", N_("Eligible"), justify="right"),
        Col("migrated", N_("Migrated"), justify="right"),
    ),
    default=("id", "name", "starts_on", "sessions", "eligible", "migrated"),
    empty=N_("no events you can read"),
)


@app.command(
    "list",
    help=_(
        "List the events you can read, with counts of sessions, eligible and migrated ones."
        "\n\nExample: sessionmig --as ana@acme.test events list --format json"
    ),
)
@listing_options(EVENTS)
def list_events(ctx: typer.Context, out: ListOptions) -> None:
    from sessionmig.render import listing
    from sessionmig.store import queries

    app_ctx = state(ctx)
    page = queries.list_events(app_ctx.engine(), app_ctx.actor(), out.window())
    listing(page, EVENTS, out)
