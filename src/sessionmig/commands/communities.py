"""`sessionmig communities`: the client's communities and their video libraries."""

import typer

from sessionmig.commands._common import listing_options, state
from sessionmig.render import Col, ListingSpec, ListOptions

app = typer.Typer(help="Communities and their video libraries.", no_args_is_help=True)

COMMUNITIES = ListingSpec(
    title="Communities",
    columns=(
        Col("id", "ID", "right"),
        Col("title", text=True),
        Col("audience", text=True),
        Col("drafts", justify="right"),
        Col("published", justify="right"),
        Col("videos", justify="right"),
    ),
    default=("id", "title", "audience", "drafts", "published", "videos"),
    empty="no communities you can read",
)


@app.command("list")
@listing_options(COMMUNITIES)
def list_communities(ctx: typer.Context, out: ListOptions) -> None:
    """List the communities you can read, with their videos counted by status.

    Example: sessionmig --as ana@acme.test communities list
    """
    from sessionmig.render import listing
    from sessionmig.store import queries

    app_ctx = state(ctx)
    page = queries.list_communities(app_ctx.engine(), app_ctx.actor(), out.window())
    listing(page, COMMUNITIES, out)
