"""`sessionmig videos`: community videos, their carried content (R5) and status (R7)."""

from enum import StrEnum
from typing import Annotated, Any

import typer

from sessionmig.commands._common import (
    ShowFormatOpt,
    id_option,
    listing_options,
    positive_id,
    positive_ids,
    state,
)
from sessionmig.i18n import N_, _, ngettext
from sessionmig.render import Col, ListingSpec, ListOptions, ShowFormat
from sessionmig.words import SOURCES, STATUSES

app = typer.Typer(help=_("Community videos: list, show, publish, unpublish."), no_args_is_help=True)

VIDEOS = ListingSpec(
    title=N_("Community videos"),
    columns=(
        Col("id", N_("ID"), "right"),
        Col("community_id", N_("Community id"), "right"),
        Col("community_title", N_("Community"), text=True),
        Col("status", N_("Status"), words=STATUSES),
        Col("title", N_("Title"), text=True),
        Col("source_kind", N_("Source"), words=SOURCES),
        Col("source_ref", N_("Video"), text=True),
        Col("source_event_id", N_("Event id"), "right"),
        Col("source_event_name", N_("Event"), text=True),
        Col("source_session_id", N_("Session"), "right"),
        Col("speakers", N_("Speakers"), text=True),
        Col("partners", N_("Partners"), text=True),
        Col("created_at", N_("Created")),
    ),
    default=("id", "status", "title", "community_title", "source_event_name"),
    empty=N_("no videos match"),
)


class VideoStatus(StrEnum):
    draft = "draft"
    published = "published"


IdsArg = Annotated[
    list[int], typer.Argument(metavar="ID...", callback=positive_ids, help=_("Video ids."))
]


@app.command(
    "list",
    help=_(
        "List the videos of the communities you can read, with their carried content (R5)."
        "\n\nExample: sessionmig --as ana@acme.test videos list --community 50 --status draft"
    ),
)
@listing_options(VIDEOS)
def list_videos(
    ctx: typer.Context,
    community: Annotated[
        int | None,
        id_option("--community", _("Only this community.")),
    ] = None,
    status: Annotated[
        VideoStatus | None,
        typer.Option("--status", case_sensitive=False, help=_("Only videos with this status.")),
    ] = None,
    *,
    out: ListOptions,
) -> None:
    from sessionmig.render import listing
    from sessionmig.store import videos

    app_ctx = state(ctx)
    page = videos.list_videos(
        app_ctx.engine(),
        app_ctx.actor(),
        community_id=community,
        status=status.value if status else None,
        window=out.window(),
    )
    listing(page, VIDEOS, out)


@app.command(
    "show",
    help=_(
        "Show one community video with everything it carries from its session (R5).\n\n"
        "Example: sessionmig --as ana@acme.test videos show 1 --format json"
    ),
)
def show(
    ctx: typer.Context,
    video_id: Annotated[int, typer.Argument(metavar="ID", callback=positive_id)],
    fmt: ShowFormatOpt = ShowFormat.table,
) -> None:
    from sessionmig import render
    from sessionmig.store import videos

    app_ctx = state(ctx)
    data = videos.show_video(app_ctx.engine(), app_ctx.actor(), video_id)
    if fmt is ShowFormat.json:
        render.dump_json(data)
        return
    render.details(_pairs(data), title=_("Video {id}").format(id=data["id"]))


def _pairs(data: dict[str, Any]) -> list[tuple[str, Any]]:
    from sessionmig.words import word

    speakers = [
        f"{s['name']} ({s['company']})" if s["company"] else s["name"] for s in data["speakers"]
    ]
    return [
        (N_("ID"), data["id"]),
        (N_("Community"), f"{data['community_title']} (#{data['community_id']})"),
        (N_("Status"), word(STATUSES, data["status"])),
        (N_("Title"), data["title"]),
        (N_("Source"), word(SOURCES, data["source_kind"])),
        (N_("Video"), data["source_ref"]),
        (N_("Thumbnail"), data["thumbnail"]),
        (N_("Source event"), f"{data['source_event_name']} (#{data['source_event_id']})"),
        (N_("Source session"), data["source_session_id"]),
        (N_("Speakers"), speakers),
        (N_("Partners"), [p["name"] for p in data["partners"]]),
        (N_("Created"), data["created_at"]),
        (N_("Status changed"), data["status_changed_at"]),
        (N_("Summary"), data["summary"]),
    ]


def _set_status(ctx: typer.Context, ids: list[int], status: str, fmt: ShowFormat) -> None:
    from sessionmig import render
    from sessionmig.store import videos

    app_ctx = state(ctx)
    change = videos.set_status(app_ctx.engine(), app_ctx.actor(), ids, status)
    changed = ", ".join(str(i) for i in change.changed)
    unchanged = ", ".join(str(i) for i in change.unchanged)
    published = status == "published"
    app_ctx.committed(
        (_("published: {ids}") if published else _("unpublished: {ids}")).format(ids=changed)
        if change.changed
        else None
    )
    if fmt is ShowFormat.json:
        render.dump_json([{k: row.get(k) for k in VIDEOS.keys} for row in change.rows])
    else:
        render.table(change.rows, VIDEOS.pick(VIDEOS.default), title=_(VIDEOS.title))
    parts = []
    if change.changed:
        done = _("published: {ids}") if published else _("unpublished (back to draft): {ids}")
        parts.append(done.format(ids=changed))
    if change.unchanged:
        n = len(change.unchanged)
        already = (
            ngettext(
                "already published, nothing to do: {ids}",
                "already published, nothing to do: {ids}",
                n,
            )
            if published
            else ngettext(
                "already draft, nothing to do: {ids}", "already draft, nothing to do: {ids}", n
            )
        )
        parts.append(already.format(ids=unchanged))
    render.notice("; ".join(parts))


@app.command(
    "publish",
    help=_(
        "Publish videos: they become visible on their community (R7).\n\n"
        "Needs an admin or contributor grant covering each video's community. All or "
        "nothing: every id is checked before any is changed. Publishing a published "
        "video changes nothing (exit 0).\n\n"
        "Example: sessionmig --as ana@acme.test videos publish 1 2 3"
    ),
)
def publish(ctx: typer.Context, ids: IdsArg, fmt: ShowFormatOpt = ShowFormat.table) -> None:
    _set_status(ctx, ids, "published", fmt)


@app.command(
    "unpublish",
    help=_(
        "Unpublish videos: they go back to draft, hidden from their community.\n\n"
        "Same permissions and all-or-nothing checks as `videos publish`.\n\n"
        "Example: sessionmig --as ana@acme.test videos unpublish 3"
    ),
)
def unpublish(ctx: typer.Context, ids: IdsArg, fmt: ShowFormatOpt = ShowFormat.table) -> None:
    _set_status(ctx, ids, "draft", fmt)
