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
from sessionmig.render import Col, ListingSpec, ListOptions, ShowFormat

app = typer.Typer(help="Community videos: list, show, publish, unpublish.", no_args_is_help=True)

VIDEOS = ListingSpec(
    title="Community videos",
    columns=(
        Col("id", "ID", "right"),
        Col("community_id", "Community id", "right"),
        Col("community_title", "Community", text=True),
        Col("status"),
        Col("title", text=True),
        Col("source_kind", "Source"),
        Col("source_ref", "Video", text=True),
        Col("source_event_id", "Event id", "right"),
        Col("source_event_name", "Event", text=True),
        Col("source_session_id", "Session", "right"),
        Col("speakers", text=True),
        Col("partners", text=True),
        Col("created_at", "Created"),
    ),
    default=("id", "status", "title", "community_title", "source_event_name"),
    empty="no videos match",
)


class VideoStatus(StrEnum):
    draft = "draft"
    published = "published"


IdsArg = Annotated[
    list[int], typer.Argument(metavar="ID...", callback=positive_ids, help="Video ids.")
]


@app.command("list")
@listing_options(VIDEOS)
def list_videos(
    ctx: typer.Context,
    community: Annotated[
        int | None,
        id_option("--community", "Only this community."),
    ] = None,
    status: Annotated[
        VideoStatus | None,
        typer.Option("--status", case_sensitive=False, help="Only videos with this status."),
    ] = None,
    *,
    out: ListOptions,
) -> None:
    """List the videos of the communities you can read, with their carried content (R5).

    Example: sessionmig --as ana@acme.test videos list --community 50 --status draft
    """
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


@app.command("show")
def show(
    ctx: typer.Context,
    video_id: Annotated[int, typer.Argument(metavar="ID", callback=positive_id)],
    fmt: ShowFormatOpt = ShowFormat.table,
) -> None:
    """Show one community video with everything it carries from its session (R5).

    Example: sessionmig --as ana@acme.test videos show 1 --format json
    """
    from sessionmig import render
    from sessionmig.store import videos

    app_ctx = state(ctx)
    data = videos.show_video(app_ctx.engine(), app_ctx.actor(), video_id)
    if fmt is ShowFormat.json:
        render.dump_json(data)
        return
    render.details(_pairs(data), title=f"Video {data['id']}")


def _pairs(data: dict[str, Any]) -> list[tuple[str, Any]]:
    speakers = [
        f"{s['name']} ({s['company']})" if s["company"] else s["name"] for s in data["speakers"]
    ]
    return [
        ("ID", data["id"]),
        ("Community", f"{data['community_title']} (#{data['community_id']})"),
        ("Status", data["status"]),
        ("Title", data["title"]),
        ("Source", data["source_kind"]),
        ("Video", data["source_ref"]),
        ("Thumbnail", data["thumbnail"]),
        ("Source event", f"{data['source_event_name']} (#{data['source_event_id']})"),
        ("Source session", data["source_session_id"]),
        ("Speakers", speakers),
        ("Partners", [p["name"] for p in data["partners"]]),
        ("Created", data["created_at"]),
        ("Status changed", data["status_changed_at"]),
        ("Summary", data["summary"]),
    ]


def _set_status(ctx: typer.Context, ids: list[int], status: str, fmt: ShowFormat) -> None:
    from sessionmig import render
    from sessionmig.store import videos

    app_ctx = state(ctx)
    change = videos.set_status(app_ctx.engine(), app_ctx.actor(), ids, status)
    app_ctx.committed(
        f"{'published' if status == 'published' else 'unpublished'}: "
        + ", ".join(str(i) for i in change.changed)
        if change.changed
        else None
    )
    if fmt is ShowFormat.json:
        render.dump_json([{k: row.get(k) for k in VIDEOS.keys} for row in change.rows])
    else:
        render.table(change.rows, VIDEOS.pick(VIDEOS.default), title=VIDEOS.title)
    word = "published" if status == "published" else "unpublished (back to draft)"
    parts = []
    if change.changed:
        parts.append(f"{word}: {', '.join(str(i) for i in change.changed)}")
    if change.unchanged:
        parts.append(
            f"already {status}, nothing to do: {', '.join(str(i) for i in change.unchanged)}"
        )
    render.notice("; ".join(parts))


@app.command("publish")
def publish(ctx: typer.Context, ids: IdsArg, fmt: ShowFormatOpt = ShowFormat.table) -> None:
    """Publish videos: they become visible on their community (R7).

    Needs an admin or contributor grant covering each video's community. All or
    nothing: every id is checked before any is changed. Publishing a published
    video changes nothing (exit 0).

    Example: sessionmig --as ana@acme.test videos publish 1 2 3
    """
    _set_status(ctx, ids, "published", fmt)


@app.command("unpublish")
def unpublish(ctx: typer.Context, ids: IdsArg, fmt: ShowFormatOpt = ShowFormat.table) -> None:
    """Unpublish videos: they go back to draft, hidden from their community.

    Same permissions and all-or-nothing checks as `videos publish`.

    Example: sessionmig --as ana@acme.test videos unpublish 3
    """
    _set_status(ctx, ids, "draft", fmt)
