"""`sessionmig history`: where did a session go, who moved it, when (R11)."""

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from sessionmig.commands._common import id_option, listing_options, state
from sessionmig.context import require_text
from sessionmig.errors import UsageError
from sessionmig.i18n import N_, _
from sessionmig.render import Col, ListingSpec, ListOptions
from sessionmig.words import STATUSES

# The columns are the spec's `history --format json` keys, in order.
HISTORY = ListingSpec(
    title=N_("Migration history"),
    columns=(
        Col("session_id", N_("Session"), "right"),
        Col("session_title", N_("Title"), text=True),
        Col("event_id", N_("Event id"), "right"),
        Col("event_name", N_("Event"), text=True),
        Col("community_id", N_("Community id"), "right"),
        Col("community_title", N_("Community"), text=True),
        Col("actor_email", N_("Actor"), text=True),
        Col("actor_name", N_("Actor name"), text=True),
        Col("migrated_at", N_("Migrated at")),
        Col("video_id", N_("Video"), "right"),
        Col("video_status", N_("Video status"), words=STATUSES),
        Col("login", N_("Login"), text=True),
    ),
    default=("migrated_at", "session_id", "session_title", "community_title", "actor_email"),
    empty=N_("no migration records match"),
)

# ISO 8601 as accepted here: a date, or a date and a time (hours, minutes, seconds,
# fraction) with an optional offset (Z, UTC or ±HH:MM, with or without a space before
# it: what a terminal listing shows, `2026-11-24 16:44:56 +01:00`, reads back). The date
# may also be written in the French manner, day first (`24/11/2026 16:44:56 +01:00`, what
# a French terminal listing shows), in every language: a script's dates never depend on
# the locale. The groups tell the precision.
_WHEN = re.compile(
    r"^(?:(?P<date>\d{4}-\d{2}-\d{2})|(?P<day>\d{2})/(?P<month>\d{2})/(?P<year>\d{4}))"
    r"(?:[Tt ](?P<hour>\d{2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2})"
    r"(?P<fraction>[.,]\d{1,6})?)?)?"
    r" ?(?P<offset>[Zz]|UTC|GMT|(?P<sign>[+-])(?P<oh>\d{2})(?::?(?P<om>\d{2}))?)?)?$"
)
_ZONE_NAME = re.compile(
    r"^(?:\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})[Tt ][\d:.,]+\s*[A-Za-z][\w/+-]*$"
)

# The calendar's edges: an instant beyond them bounds nothing (or everything).
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def _to_utc(naive: datetime, offset: timedelta) -> datetime:
    try:
        return (naive - offset).replace(tzinfo=UTC)
    except OverflowError:  # before the year 1 or after 9999 once in UTC
        return _LATEST if offset < timedelta(0) else _EARLIEST


def parse_when(option: str, raw: str, *, end: bool = False) -> datetime:
    """An ISO 8601 date or timestamp as an aware UTC datetime (naive means UTC).

    With `end`, the exclusive upper bound of the period the value names: a date-only
    `--until 2026-11-23` includes that whole UTC day, `T10:15` that whole minute,
    `T10:15:30` that whole second (so a time copied from a listing, which shows whole
    seconds, includes that record); a fraction of a second is an exact instant.
    """
    text = raw.strip()
    match = _WHEN.match(text)
    if match is None:
        if _ZONE_NAME.match(text):
            raise UsageError(
                _(
                    "{option}: {value}: time zone names are ambiguous; give the offset as a "
                    "number, e.g. 2026-11-24 16:44:56 +01:00 (or Z for UTC)"
                ).format(option=option, value=repr(raw))
            )
        raise UsageError(
            _(
                "{option}: {value} is not an ISO 8601 date or timestamp "
                "(e.g. 2026-11-23, 2026-11-23T10:15:00Z or 2026-11-23 11:15:00 +01:00)"
            ).format(option=option, value=repr(raw))
        )
    g = match.groupdict()
    try:
        day = (
            datetime.fromisoformat(g["date"])
            if g["date"]
            else datetime(int(g["year"]), int(g["month"]), int(g["day"]))
        )
        naive = day.replace(
            hour=int(g["hour"] or 0),
            minute=int(g["minute"] or 0),
            second=int(g["second"] or 0),
            microsecond=int(((g["fraction"] or ".")[1:] + "000000")[:6]),
        )
        offset = timedelta(0)
        if g["sign"]:
            offset = timedelta(hours=int(g["oh"]), minutes=int(g["om"] or 0))
            if offset >= timedelta(hours=24) or (g["om"] and int(g["om"]) > 59):
                raise ValueError("offset out of range")
            offset = -offset if g["sign"] == "-" else offset
    except ValueError:
        raise UsageError(
            _("{option}: {value} is not a valid date or time").format(
                option=option, value=repr(raw)
            )
        ) from None
    if end:
        if g["fraction"]:
            step = timedelta(microseconds=1)
        elif g["second"]:
            step = timedelta(seconds=1)
        elif g["minute"]:
            step = timedelta(minutes=1)
        elif g["hour"]:
            step = timedelta(hours=1)
        else:
            step = timedelta(days=1)
        try:
            naive = naive + step
        except OverflowError:  # the period runs to the end of the calendar
            return _LATEST
    return _to_utc(naive, offset)


HELP = _(
    "The migration records you can read, newest first: who moved which session, when.\n\n"
    "A record is visible to users whose grants cover its event or its community. Records "
    "of deleted sessions are kept, with the titles they had. Without --limit, JSON and "
    "CSV list every record and a table the first 100.\n\n"
    "Example: sessionmig --as support@acme.test history --event 10 --since 2026-11-01 "
    "--format csv"
)


@listing_options(HISTORY)
def history(
    ctx: typer.Context,
    community: Annotated[
        int | None,
        id_option("--community", _("Only moves into this community (one you can read).")),
    ] = None,
    event: Annotated[
        int | None,
        id_option("--event", _("Only moves from this event (one you can read).")),
    ] = None,
    session: Annotated[
        int | None,
        id_option("--session", _("Only this session (deleted sessions included).")),
    ] = None,
    actor_email: Annotated[
        str | None,
        typer.Option("--actor", metavar="EMAIL", help=_("Only moves made by this user.")),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help=_(
                "From this ISO 8601 date or timestamp on (naive times are UTC); "
                "24/11/2026 16:44:56 +01:00, as a French table shows it, is read too."
            ),
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="DATE",
            help=_("Up to this date or timestamp; a date includes that whole UTC day."),
        ),
    ] = None,
    *,
    out: ListOptions,
) -> None:
    from sessionmig.render import listing
    from sessionmig.store.history import Filters
    from sessionmig.store.history import history as records

    start = parse_when("--since", since) if since is not None else None
    before = parse_when("--until", until, end=True) if until is not None else None
    if start is not None and before is not None and start >= before:
        raise UsageError(
            _("--since {since} is after --until {until}").format(since=since, until=until)
        )
    if actor_email is not None and not require_text("--actor", actor_email).strip():
        raise UsageError(_("--actor: an e-mail address is required"))
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
