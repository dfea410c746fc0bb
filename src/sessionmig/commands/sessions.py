"""`sessionmig sessions`: the back-office view of event sessions."""

from typing import Annotated, Any

import typer

from sessionmig.commands._common import (
    ShowFormatOpt,
    id_option,
    listing_options,
    positive_id,
    state,
)
from sessionmig.render import Col, ListingSpec, ListOptions, ShowFormat

app = typer.Typer(help="Event sessions, as the back-office sees them.", no_args_is_help=True)

SESSIONS = ListingSpec(
    title="Sessions",
    columns=(
        Col("id", "ID", "right"),
        Col("event_id", "Event", "right"),
        Col("title", text=True),
        Col("format"),
        Col("source"),
        Col("public"),
        Col("eligibility"),
        Col("community_id", "Community id", "right"),
        Col("community", "Community", text=True),
    ),
    default=("id", "event_id", "title", "eligibility", "community"),
    empty="no sessions match",
)


@app.command("list")
@listing_options(SESSIONS)
def list_sessions(
    ctx: typer.Context,
    event: Annotated[
        int | None,
        id_option("--event", "Only this event."),
    ] = None,
    eligible: Annotated[
        bool, typer.Option("--eligible", help="Only sessions that can migrate now (R4, R9).")
    ] = False,
    migrated: Annotated[
        bool, typer.Option("--migrated", help="Only sessions already migrated.")
    ] = False,
    public: Annotated[
        bool,
        typer.Option("--public", help="Only what the event still shows to attendees (R6)."),
    ] = False,
    *,
    out: ListOptions,
) -> None:
    """List sessions: the back-office listing, migrated ones included with their community.

    Example: sessionmig --as ana@acme.test sessions list --event 10 --eligible
    """
    from sessionmig.render import listing
    from sessionmig.store import queries

    app_ctx = state(ctx)
    page = queries.list_sessions(
        app_ctx.engine(),
        app_ctx.actor(),
        event_id=event,
        eligible=eligible,
        migrated=migrated,
        public=public,
        window=out.window(),
    )
    listing(page, SESSIONS, out)


def notice_line(migration: dict[str, Any]) -> str:
    """R8: « la session a été migrée vers une communauté (avec le titre de celle-ci, le nom
    de l'utilisateur ayant effectué la migration, ainsi que la date et l'heure) »."""
    from sessionmig.render import friendly_time

    return (
        f"Migrated to community '{migration['community_title']}' "
        f"(#{migration['community_id']}) by {migration['actor_name']} "
        f"on {friendly_time(migration['migrated_at'])}"
    )


@app.command("show")
def show(
    ctx: typer.Context,
    session_id: Annotated[int, typer.Argument(metavar="ID", callback=positive_id)],
    fmt: ShowFormatOpt = ShowFormat.table,
) -> None:
    """Show one session; a migrated one starts with the migration notice (R8).

    Example: sessionmig --as ana@acme.test sessions show 1000
    """
    from sessionmig import render
    from sessionmig.store import queries

    app_ctx = state(ctx)
    data = queries.show_session(app_ctx.engine(), app_ctx.actor(), session_id)
    if fmt is ShowFormat.json:
        render.dump_json(data)
        return
    pairs: list[tuple[str, Any]] = []
    if data["migration"]:
        pairs.append(("Migration", notice_line(data["migration"])))
    pairs += [
        ("ID", data["id"]),
        ("Title", data["title"]),
        ("Event", f"{data['event']} (#{data['event_id']})"),
        ("Format", data["format"]),
        ("Source", data["source"]),
        ("Video", data["source_ref"]),
        ("Thumbnail", data["thumbnail"]),
        ("Speakers", data["speakers"]),
        ("Partners", data["partners"]),
        ("Public on event", data["public"]),
        ("Eligibility", data["eligibility_reason"] or data["eligibility"]),
        ("Summary", data["summary"]),
    ]
    render.details(pairs, title=f"Session {data['id']}")


DELETE_COLUMNS = (
    Col("session_id", "Session", "right"),
    Col("title"),
    Col("event_id", "Event", "right"),
    Col("event_name", "Event name"),
    Col("community_id", "Community", "right"),
    Col("community_title", "Community title"),
    Col("video_id", "Video kept", "right"),
    Col("deleted_by", "Deleted by"),
    Col("deleted_at", "Deleted at"),
)


@app.command("delete")
def delete(
    ctx: typer.Context,
    session_id: Annotated[int, typer.Argument(metavar="ID", callback=positive_id)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    fmt: ShowFormatOpt = ShowFormat.table,
) -> None:
    """Delete a session from its event; its community video stays intact (R10).

    Needs an admin or contributor grant covering the session's event. The migration
    record is kept (with the session's title), and a tombstone makes sure re-loading
    an export that still lists the session does not bring it back. Asks for
    confirmation on a terminal; elsewhere --yes is required.

    Example: sessionmig --as ana@acme.test sessions delete 1000 --yes
    """
    from sessionmig import render
    from sessionmig.errors import Cancelled, UsageError
    from sessionmig.prompts import QuestionaryPrompter, can_prompt
    from sessionmig.store import deletion

    app_ctx = state(ctx)
    engine, actor = app_ctx.engine(), app_ctx.actor()
    target = deletion.preview(engine, actor, session_id)  # exit 4 / 3 before any question
    if not yes:
        if not can_prompt():
            raise UsageError("sessions delete: --yes is required when not running interactively")
        kept = (
            f" Its video #{target['video_id']} stays in community "
            f"{render.literal(target['community_title'])!r}."
            if target["video_id"] is not None
            else ""
        )
        message = (
            f"Delete session #{session_id} {render.literal(target['title'])!r} from event "
            f"{render.literal(target['event_name'])!r}?{kept} This cannot be undone."
        )
        if not QuestionaryPrompter().confirm(message, default=False):
            raise Cancelled()
    done = deletion.delete_session(engine, actor, session_id)
    app_ctx.committed(f"session {session_id} deleted")
    if fmt is ShowFormat.json:
        render.dump_json(done)
    else:
        render.details([(c.title, done[c.key]) for c in DELETE_COLUMNS], title="Deleted session")
    if done["video_id"] is not None:
        render.notice(
            f"session {session_id} deleted; its community video {done['video_id']} is kept "
            f"intact in {done['community_title']!r}, and its migration record is kept"
        )
    else:
        render.notice(f"session {session_id} deleted")
