"""`sessionmig history`: where did a session go, who moved it, when (R11)."""

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from sessionmig.commands._common import id_option, listing_options, state
from sessionmig.errors import UsageError
from sessionmig.render import Col, ListingSpec, ListOptions

# The columns are the spec's `history --format json` keys, in order.
HISTORY = ListingSpec(
    title="Migration history",
    columns=(
        Col("session_id", "Session", "right"),
        Col("session_title", "Title", text=True),
        Col("event_id", "Event id", "right"),
        Col("event_name", "Event", text=True),
        Col("community_id", "Community id", "right"),
        Col("community_title", "Community", text=True),
        Col("actor_email", "Actor", text=True),
        Col("actor_name", "Actor name", text=True),
        Col("migrated_at", "Migrated at"),
        Col("video_id", "Video", "right"),
        Col("video_status", "Video status"),
    ),
    default=("migrated_at", "session_id", "session_title", "community_title", "actor_email"),
    empty="no migration records match",
)

# ISO 8601 as accepted here: a date, or a date and a time (hours, minutes, seconds,
# fraction) with an optional offset (Z or ±HH:MM). The groups tell the precision.
_WHEN = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<hour>\d{2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>\.\d{1,6})?)?)?"
    r"(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)


def parse_when(option: str, raw: str, *, end: bool = False) -> datetime:
    """An ISO 8601 date or timestamp as an aware UTC datetime (naive means UTC).

    With `end`, the exclusive upper bound of the period the value names: a date-only
    `--until 2026-11-23` includes that whole UTC day, `T10:15` that whole minute,
    `T10:15:30` that whole second (so a time copied from a listing, which shows whole
    seconds, includes that record); a fraction of a second is an exact instant.
    """
    match = _WHEN.match(raw.strip())
    if match is None:
        raise UsageError(
            f"{option}: {raw!r} is not an ISO 8601 date or timestamp "
            "(e.g. 2026-11-23 or 2026-11-23T10:15:00Z)"
        )
    text = match.group(0).replace("Z", "+00:00")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: {raw!r} is not a valid date or time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if not end:
        return value
    if match.group("fraction"):
        step = timedelta(microseconds=1)
    elif match.group("second"):
        step = timedelta(seconds=1)
    elif match.group("minute"):
        step = timedelta(minutes=1)
    elif match.group("hour"):
        step = timedelta(hours=1)
    else:
        step = timedelta(days=1)
    return value + step


@listing_options(HISTORY)
def history(
    ctx: typer.Context,
    community: Annotated[
        int | None,
        id_option("--community", "Only moves into this community (one you can read)."),
    ] = None,
    event: Annotated[
        int | None,
        id_option("--event", "Only moves from this event (one you can read)."),
    ] = None,
    session: Annotated[
        int | None,
        id_option("--session", "Only this session (deleted sessions included)."),
    ] = None,
    actor_email: Annotated[
        str | None,
        typer.Option("--actor", metavar="EMAIL", help="Only moves made by this user."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="From this ISO 8601 date or timestamp on (naive times are UTC).",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="DATE",
            help="Up to this date or timestamp; a date includes that whole UTC day.",
        ),
    ] = None,
    *,
    out: ListOptions,
) -> None:
    """The migration records you can read, newest first: who moved which session, when.

    A record is visible to users whose grants cover its event or its community.
    Records of deleted sessions are kept, with the titles they had. Without --limit,
    JSON and CSV list every record and a table the first 100.

    Example: sessionmig --as sam@acme.test history --event 10 --since 2026-11-01 --format csv
    """
    from sessionmig.render import listing
    from sessionmig.store.history import Filters
    from sessionmig.store.history import history as records

    start = parse_when("--since", since) if since is not None else None
    before = parse_when("--until", until, end=True) if until is not None else None
    if start is not None and before is not None and start >= before:
        raise UsageError(f"--since {since} is after --until {until}")
    if actor_email is not None and not actor_email.strip():
        raise UsageError("--actor: an e-mail address is required")
    app_ctx = state(ctx)
    page = records(
        app_ctx.engine(),
        app_ctx.actor(),
        Filters(
            community_id=community,
            event_id=event,
            session_id=session,
            actor_email=actor_email,
            since=start,
            before=before,
        ),
        out.window(),
    )
    listing(page, HISTORY, out)
