"""`sessionmig communities`: the client's communities and their video libraries."""

import typer

from sessionmig.commands._common import listing_options, state
from sessionmig.i18n import N_, _
from sessionmig.render import Col, ListingSpec, ListOptions

app = typer.Typer(help=_("Communities and their video libraries."), no_args_is_help=True)

COMMUNITIES = ListingSpec(
    title=N_("Communities"),
    columns=(
        Col("id", N_("ID"), "right"),
        Col("title", N_("Title"), text=True),
        Col("audience", N_("Audience"), text=True),
        Col("drafts", N_("Drafts"), justify="right"),
        Col("published", N_("Published"), justify="right"),
        Col("videos", N_("Videos"), justify="right"),
    ),
    default=("id", "title", "audience", "drafts", "published", "videos"),
    empty=N_("no communities you can read"),
)


@app.command(
    "list",
    help=_(
        "List the communities you can read, with their videos counted by status.\n\n"
        "Example: sessionmig --as ana@acme.test communities list"
    ),
)
@listing_options(COMMUNITIES)
def list_communities(ctx: typer.Context, out: ListOptions) -> None:
    from sessionmig.render import listing
    from sessionmig.store import queries

    app_ctx = state(ctx)
    page = queries.list_communities(app_ctx.engine(), app_ctx.actor(), out.window())
    listing(page, COMMUNITIES, out)
