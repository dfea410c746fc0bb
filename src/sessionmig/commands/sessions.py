"""`sessionmig sessions`: the back-office view of event sessions."""

from typing import Annotated, Any

import typer

from sessionmig.commands._common import (
    ShowFormatOpt,
    id_option,
    listing_options,
    positive_id,
    state,
    yes_option,
)
from sessionmig.i18n import N_, _
from sessionmig.render import Col, ListingSpec, ListOptions, ShowFormat
from sessionmig.words import ELIGIBILITY, FORMATS, SOURCES

app = typer.Typer(help=_("Event sessions, as the back-office sees them."), no_args_is_help=True)

SESSIONS = ListingSpec(
    title=N_("Sessions"),
    columns=(
        Col("id", N_("ID"), "right"),
        Col("event_id", N_("Event"), "right"),
        Col("title", N_("Title"), text=True),
        Col("format", N_("Format"), words=FORMATS),
        Col("source", N_("Source"), words=SOURCES),
        Col("public", N_("Public")),
        Col("eligibility", N_("Eligibility"), words=ELIGIBILITY),
        Col("community_id", N_("Community id"), "right"),
        Col("community", N_("Community"), text=True),
    ),
    default=("id", "event_id", "title", "eligibility", "community"),
    empty=N_("no sessions match"),
)


@app.command(
    "list",
    help=_(
        "List sessions: the back-office listing, migrated ones included with their "
        "community.\n\n"
        "Example: sessionmig --as ana@acme.test sessions list --event 10 --eligible"
    ),
)
@listing_options(SESSIONS)
def list_sessions(
    ctx: typer.Context,
    event: Annotated[
        int | None,
        id_option("--event", _("Only this event.")),
    ] = None,
    eligible: Annotated[
        bool, typer.Option("--eligible", help=_("Only sessions that can migrate now (R4, R9)."))
    ] = False,
    migrated: Annotated[
        bool, typer.Option("--migrated", help=_("Only sessions already migrated."))
    ] = False,
    public: Annotated[
        bool,
        typer.Option("--public", help=_("Only what the event still shows to attendees (R6).")),
    ] = False,
    *,
    out: ListOptions,
) -> None:
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

    return _("Migrated to community '{community}' (#{community_id}) by {actor} on {when}").format(
        community=migration["community_title"],
        community_id=migration["community_id"],
        actor=migration["actor_name"],
        when=friendly_time(migration["migrated_at"]),
    )


@app.command(
    "show",
    help=_(
        "Show one session; a migrated one starts with the migration notice (R8).\n\n"
        "Example: sessionmig --as ana@acme.test sessions show 1000"
    ),
)
def show(
    ctx: typer.Context,
    session_id: Annotated[int, typer.Argument(metavar="ID", callback=positive_id)],
    fmt: ShowFormatOpt = ShowFormat.table,
) -> None:
    from sessionmig import render
    from sessionmig.store import queries
    from sessionmig.words import word

    app_ctx = state(ctx)
    data = queries.show_session(app_ctx.engine(), app_ctx.actor(), session_id)
    if fmt is ShowFormat.json:
        render.dump_json(data)
        return
    pairs: list[tuple[str, Any]] = []
    if data["migration"]:
        pairs.append((N_("Migration"), notice_line(data["migration"])))
    pairs += [
        (N_("ID"), data["id"]),
        (N_("Title"), data["title"]),
        (N_("Event"), f"{data['event']} (#{data['event_id']})"),
        (N_("Format"), word(FORMATS, data["format"])),
        (N_("Source"), word(SOURCES, data["source"])),
        (N_("Video"), data["source_ref"]),
        (N_("Thumbnail"), data["thumbnail"]),
        (N_("Speakers"), data["speakers"]),
        (N_("Partners"), data["partners"]),
        (N_("Public on event"), data["public"]),
        (N_("Eligibility"), data["eligibility_reason"] or word(ELIGIBILITY, data["eligibility"])),
        (N_("Summary"), data["summary"]),
    ]
    render.details(pairs, title=_("Session {id}").format(id=data["id"]))


DELETE_COLUMNS = (
    Col("session_id", N_("Session"), "right"),
    Col("title", N_("Title")),
    Col("event_id", N_("Event"), "right"),
    Col("event_name", N_("Event name")),
    Col("community_id", N_("Community"), "right"),
    Col("community_title", N_("Community title")),
    Col("video_id", N_("Video kept"), "right"),
    Col("deleted_by", N_("Deleted by")),
    Col("deleted_at", N_("Deleted at")),
)


@app.command(
    "delete",
    help=_(
        "Delete a session from its event; its community video stays intact (R10).\n\n"
        "Needs an admin or contributor grant covering the session's event. The migration "
        "record is kept (with the session's title), and a tombstone makes sure re-loading "
        "an export that still lists the session does not bring it back. Asks for "
        "confirmation on a terminal; elsewhere --yes is required.\n\n"
        "Example: sessionmig --as ana@acme.test sessions delete 1000 --yes"
    ),
)
def delete(
    ctx: typer.Context,
    session_id: Annotated[int, typer.Argument(metavar="ID", callback=positive_id)],
    yes: Annotated[bool, yes_option()] = False,
    fmt: ShowFormatOpt = ShowFormat.table,
) -> None:
    from sessionmig import render
    from sessionmig.errors import Cancelled, UsageError
    from sessionmig.prompts import QuestionaryPrompter, can_prompt
    from sessionmig.store import deletion

    app_ctx = state(ctx)
    engine, actor = app_ctx.engine(), app_ctx.actor()
    target = deletion.preview(engine, actor, session_id)  # exit 4 / 3 before any question
    if not yes:
        if not can_prompt():
            raise UsageError(_("sessions delete: --yes is required when not running interactively"))
        question = (
            _(
                "Delete session #{id} '{title}' from event '{event}'? Its video #{video} "
                "stays in community '{community}'. This cannot be undone."
            )
            if target["video_id"] is not None
            else _("Delete session #{id} '{title}' from event '{event}'? This cannot be undone.")
        )
        message = question.format(
            id=session_id,
            title=render.literal(target["title"]),
            event=render.literal(target["event_name"]),
            video=target["video_id"],
            community=render.literal(target["community_title"]),
        )
        if not QuestionaryPrompter().confirm(message, default=False):
            raise Cancelled()
    done = deletion.delete_session(engine, actor, session_id)
    app_ctx.committed(_("session {id} deleted").format(id=session_id))
    if fmt is ShowFormat.json:
        render.dump_json(done)
    else:
        render.details(
            [(c.header, done[c.key]) for c in DELETE_COLUMNS], title=_("Deleted session")
        )
    if done["video_id"] is not None:
        render.notice(
            _(
                "session {id} deleted; its community video {video} is kept intact in "
                "'{community}', and its migration record is kept"
            ).format(id=session_id, video=done["video_id"], community=done["community_title"])
        )
    else:
        render.notice(_("session {id} deleted").format(id=session_id))
