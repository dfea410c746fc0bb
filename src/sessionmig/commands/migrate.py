"""`sessionmig migrate`: move sessions of an event into a community's video library.

Whatever is not given on the command line is asked on a terminal (community, then
event, then sessions, then confirmation: R2) and is a usage error off a terminal.
"""

import sys
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from sessionmig.commands._common import (
    ShowFormatOpt,
    id_option,
    positive_ids,
    read_stdin,
    state,
    yes_option,
)
from sessionmig.errors import Cancelled, UsageError, os_reason
from sessionmig.i18n import N_, _, ngettext
from sessionmig.render import Col, ShowFormat, status
from sessionmig.words import OUTCOMES, STEPS, word

if TYPE_CHECKING:
    from sessionmig.access import Actor
    from sessionmig.context import AppContext
    from sessionmig.documents import MigrateResult
    from sessionmig.plans import Plan
    from sessionmig.prompts import Prompter
    from sessionmig.store.migrate import MigrationResult

# What differs per session; the community, the actor and the time are the same for the
# whole batch and are said once, under the table.
AUDIT_COLUMNS = (
    Col("session_id", N_("Session"), "right"),
    Col("title", N_("Title"), text=True),
    Col("outcome", N_("Outcome"), words=OUTCOMES),
    Col("reason", N_("Reason"), text=True, wrap=True),
    Col("video_id", N_("Video"), "right"),
)


def make_prompter() -> "Prompter":
    """The prompter seam: tests replace this factory to feed key presses."""
    from sessionmig.prompts import QuestionaryPrompter

    return QuestionaryPrompter()


def interactive() -> bool:
    from sessionmig.prompts import can_prompt

    return can_prompt()


HELP = _(
    "Migrate sessions of an event into a community's video library.\n\n"
    "Only a client-level administrator may migrate (R1). Only online sessions with a "
    "video file or an iFrame URL move (R4); the others are reported with their reason "
    "(exit 1). Each video arrives as a draft (R7); the session leaves the event's "
    "public listing (R6) and can never move again (R9). Re-running is safe.\n\n"
    "For a reviewed migration, `--dry-run --plan-out FILE` writes a plan, and `--plan "
    "FILE` applies exactly that plan later (refused, with what changed, if any of its "
    "sessions changed, moved or was deleted meanwhile).\n\n"
    "Example: sessionmig --as ana@acme.test migrate --community 50 --event 10 "
    "--all-eligible --yes --format json"
)


def migrate(
    ctx: typer.Context,
    community: Annotated[
        int | None,
        id_option("--community", _("Destination community (asked on a terminal when missing).")),
    ] = None,
    event: Annotated[
        int | None,
        id_option("--event", _("Source event (asked on a terminal when missing).")),
    ] = None,
    session: Annotated[
        list[int] | None,
        typer.Option(
            "--session",
            metavar="ID",
            callback=positive_ids,
            help=_("A session of the event to migrate; repeat for several."),
        ),
    ] = None,
    all_eligible: Annotated[
        bool,
        typer.Option(
            "--all-eligible",
            help=_(
                "Every eligible session of the event (and report those already in "
                "this community as already_migrated)."
            ),
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help=_("Migrate nothing if any requested session is refused.")),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Report what would happen; write nothing."))
    ] = False,
    yes: Annotated[bool, yes_option()] = False,
    plan_out: Annotated[
        str | None,
        typer.Option(
            "--plan-out",
            metavar="FILE",
            help=_(
                "With --dry-run: write the plan to FILE (- for stdout; the report then "
                "goes to stderr), for review and for --plan."
            ),
        ),
    ] = None,
    plan_file: Annotated[
        str | None,
        typer.Option(
            "--plan",
            metavar="FILE",
            help=_(
                "Apply exactly this reviewed plan (- for stdin), all or nothing; with "
                "--dry-run, only check it."
            ),
        ),
    ] = None,
    fmt: ShowFormatOpt = ShowFormat.table,
) -> None:
    app_ctx = state(ctx)
    if plan_file is not None:
        given = [
            flag
            for flag, present in (
                ("--community", community is not None),
                ("--event", event is not None),
                ("--session", bool(session)),
                ("--all-eligible", all_eligible),
                ("--strict", strict),
                ("--plan-out", plan_out is not None),
            )
            if present
        ]
        if given:
            raise UsageError(
                _(
                    "migrate --plan: {flags} cannot be combined with --plan "
                    "(the plan says what to migrate, and is applied all or nothing)"
                ).format(flags=", ".join(given))
            )
        run_plan(app_ctx, plan_file, dry_run=dry_run, yes=yes, fmt=fmt)
        return
    if plan_out is not None and not dry_run:
        raise UsageError(
            _("migrate: --plan-out needs --dry-run (a dry run makes the plan; --plan applies it)")
        )
    if session and all_eligible:
        raise UsageError(_("migrate: give --session or --all-eligible, not both"))
    run_migration(
        app_ctx,
        community_id=community,
        event_id=event,
        session_ids=list(session) if session else None,
        all_eligible=all_eligible,
        strict=strict,
        dry_run=dry_run,
        yes=yes,
        fmt=fmt,
        plan_out=plan_out,
    )


def run_migration(
    app_ctx: "AppContext",
    *,
    community_id: int | None,
    event_id: int | None,
    session_ids: list[int] | None,
    all_eligible: bool,
    strict: bool,
    dry_run: bool,
    yes: bool,
    fmt: ShowFormat,
    plan_out: str | None = None,
) -> None:
    """The whole flow, shared by `migrate` and `demo`: ask what is missing, apply, report.
    With `plan_out` (a dry run), the plan is written there (`-`: stdout, and the
    report goes to stderr)."""
    from sessionmig.migration import check_may_migrate
    from sessionmig.store.migrate import migrate as apply

    engine = app_ctx.engine()
    actor = app_ctx.actor()
    check_may_migrate(actor)  # R1 before anything is asked or read

    can_ask = interactive()
    missing = []
    if community_id is None:
        missing.append("--community")
    if event_id is None:
        missing.append("--event")
    if session_ids is None and not all_eligible:
        missing.append("--session/--all-eligible")
    if not yes and not dry_run:
        missing.append("--yes")
    if missing and not can_ask:
        raise UsageError(
            _("migrate: missing {flags} (required when not running interactively)").format(
                flags=", ".join(missing)
            )
        )

    if can_ask and missing:
        _check_given(engine, actor, community_id, event_id, session_ids)
        prompter = make_prompter()
        community_id = community_id or _ask_community(prompter, engine, actor)
        event_id = event_id or _ask_event(prompter, engine, actor, community_id)
        if session_ids is None and not all_eligible:
            session_ids = _ask_sessions(prompter, engine, actor, event_id)
        if not yes and not dry_run:
            _confirm(prompter, engine, actor, community_id, event_id, session_ids)
    assert community_id is not None and event_id is not None

    with status(_("planning the migration")) as step:
        result = apply(
            engine,
            actor,
            community_id=community_id,
            event_id=event_id,
            session_ids=None if all_eligible else session_ids,
            strict=strict,
            dry_run=dry_run,
            step=lambda label: step(_("migrating: {what} written").format(what=word(STEPS, label))),
            fingerprints=plan_out is not None,
        )
    app_ctx.committed(summary_line(result) if result.migrated_at is not None else None)
    if plan_out is not None:
        write_plan(result, plan_out)
    report(result, fmt, file=sys.stderr if plan_out == "-" else None)
    if result.refused:
        raise typer.Exit(1)


# --- reviewed plans ----------------------------------------------------------------------


def write_plan(result: "MigrationResult", target: str) -> None:
    """The dry run's outcomes as a plan, to `target` (a file, written whole or not at
    all, or `-` for stdout)."""
    from datetime import UTC, datetime

    from sessionmig import plan_format, plans, render

    if result.store_id is None:
        raise UsageError(
            _(
                "migrate --plan-out: this store has no id (a plan names its store): run "
                "`sessionmig db init`"
            )
        )
    sessions, already, refused = plans.plan_entries(result.outcomes, result.fingerprints)
    doc = plan_format.document(
        store_id=result.store_id,
        planned_by_email=result.actor.email,
        planned_by_name=result.actor.name,
        planned_at=datetime.now(UTC),
        community=result.community,
        event=result.event,
        sessions=sessions,
        already_migrated=already,
        refused=refused,
    )
    if target == "-":
        render.dump_json(doc)
        sys.stdout.flush()
        return
    try:
        render.dump_json_file(target, doc)
    except OSError as exc:
        raise UsageError(
            _("--plan-out {file}: cannot write the plan: {error}").format(
                file=target, error=os_reason(exc)
            )
        ) from None
    render.notice(
        _("plan written to {file}: {sessions}, {already}, {refused}").format(
            file=target,
            sessions=ngettext(
                "{n} session to migrate", "{n} sessions to migrate", len(sessions)
            ).format(n=len(sessions)),
            already=ngettext("{n} already migrated", "{n} already migrated", len(already)).format(
                n=len(already)
            ),
            refused=ngettext("{n} refused", "{n} refused", len(refused)).format(n=len(refused)),
        )
    )


def read_plan_source(source: str) -> bytes:
    if source == "-":
        return read_stdin(_("the plan"))
    try:
        with open(source, "rb") as f:
            return f.read()
    except OSError as exc:
        raise UsageError(
            _("--plan {file}: cannot read: {error}").format(file=source, error=os_reason(exc))
        ) from None


def run_plan(
    app_ctx: "AppContext", source: str, *, dry_run: bool, yes: bool, fmt: ShowFormat
) -> None:
    """`migrate --plan FILE`: check the plan, show it and ask on a terminal (unless
    --yes), then apply it all or nothing. With --dry-run, only check it."""
    from sessionmig import plan_format
    from sessionmig.migration import MIGRATED, check_may_migrate
    from sessionmig.store.migrate import apply_plan

    the_plan = plan_format.read(read_plan_source(source), source)
    engine = app_ctx.engine()
    actor = app_ctx.actor()
    check_may_migrate(actor)  # R1 for whoever applies it, before anything is asked
    ask = not yes and not dry_run
    if ask and (source == "-" or not interactive()):
        raise UsageError(
            _("migrate --plan: missing --yes (required when not running interactively)")
        )
    if ask:
        with status(_("checking the plan")):
            preview = apply_plan(engine, actor, the_plan, dry_run=True)
        if preview.refused:
            report(preview, fmt)
            raise typer.Exit(1)
        moving = sum(1 for o in preview.outcomes if o.outcome == MIGRATED)
        if moving:
            _show_plan(the_plan, preview, fmt)
            _confirm_plan(make_prompter(), preview, moving)
    with status(_("applying the plan")) as step:
        result = apply_plan(
            engine,
            actor,
            the_plan,
            dry_run=dry_run,
            step=lambda label: step(_("migrating: {what} written").format(what=word(STEPS, label))),
        )
    app_ctx.committed(summary_line(result) if result.migrated_at is not None else None)
    report(result, fmt)
    if result.refused:
        raise typer.Exit(1)


def _show_plan(the_plan: "Plan", preview: "MigrationResult", fmt: ShowFormat) -> None:
    from sessionmig import render

    made = _("plan made by {name} <{email}> at {when} on store {store}").format(
        name=the_plan.planned_by_name,
        email=the_plan.planned_by_email,
        when=the_plan.planned_at,
        store=the_plan.store_id,
    )
    if the_plan.refused:
        n = len(the_plan.refused)
        made += ngettext(
            "; {n} session it refused is left alone", "; {n} sessions it refused are left alone", n
        ).format(n=n)
    render.notice(made)
    # On a terminal stdout is the screen; with --format json it stays one document.
    report(
        preview,
        ShowFormat.table,
        file=sys.stderr if fmt is ShowFormat.json else None,
        title=_("Plan to apply (checked against the store now)"),
        summary=False,
    )


def _confirm_plan(prompter: "Prompter", preview: "MigrationResult", moving: int) -> None:
    from sessionmig.render import literal

    message = ngettext(
        "Apply this plan: migrate {n} session of '{event}' into '{community}' as {actor}? "
        "It arrives as a draft and leaves the event's public listing; this cannot be undone.",
        "Apply this plan: migrate {n} sessions of '{event}' into '{community}' as {actor}? "
        "They arrive as drafts and leave the event's public listing; this cannot be undone.",
        moving,
    ).format(
        n=moving,
        event=literal(preview.event["name"]),
        community=literal(preview.community["title"]),
        actor=literal(preview.actor.email),
    )
    if not prompter.confirm(message, default=False):
        raise Cancelled()


# --- prompts (R2: community first, then the event, then its sessions) -------------------


def _check_given(
    engine: Any,
    actor: "Actor",
    community_id: int | None,
    event_id: int | None,
    session_ids: list[int] | None,
) -> None:
    """Ids given as flags are checked before any question: no answering prompts for a
    command that can only end in "not found"."""
    from sessionmig.errors import NotFound
    from sessionmig.store import queries
    from sessionmig.store.migrate import event_sessions

    with queries.reading(engine) as conn:
        if community_id is not None:
            queries.require_community(conn, actor, community_id)
        if event_id is not None:
            queries.require_event(conn, actor, event_id)
    if event_id is not None and session_ids:
        known = {f.id for f in event_sessions(engine, actor, event_id)}
        for sid in session_ids:
            if sid not in known:
                raise NotFound(
                    _("session {id} not found in event {event}").format(id=sid, event=event_id)
                )


def _ask_community(prompter: "Prompter", engine: Any, actor: "Actor") -> int:
    from sessionmig.prompts import Option
    from sessionmig.store import queries

    page = queries.list_communities(engine, actor)
    options = [
        Option(
            r["id"],
            ngettext(
                "#{id}  {title}  ({audience}, {n} video)",
                "#{id}  {title}  ({audience}, {n} videos)",
                r["videos"],
            ).format(id=r["id"], title=r["title"], audience=r["audience"], n=r["videos"]),
        )
        for r in page.rows
    ]
    if not options:
        raise UsageError(_("migrate: your client has no community to migrate into"))
    return prompter.choose_one(_("Destination community:"), options)


def _ask_event(prompter: "Prompter", engine: Any, actor: "Actor", community_id: int) -> int:
    from sessionmig.prompts import Option
    from sessionmig.store import queries

    page = queries.list_events(engine, actor)
    from sessionmig.render import friendly_date

    options = [
        Option(
            r["id"],
            ngettext(
                "#{id}  {name}  ({starts}, {eligible} eligible of {n} session)",
                "#{id}  {name}  ({starts}, {eligible} eligible of {n} sessions)",
                r["sessions"],
            ).format(
                id=r["id"],
                name=r["name"],
                starts=friendly_date(r["starts_on"], terminal=True),
                eligible=r["eligible"],
                n=r["sessions"],
            ),
            None if r["eligible"] else _("no eligible session"),
        )
        for r in page.rows
    ]
    if not options:
        raise UsageError(_("migrate: your client has no event"))
    return prompter.choose_one(_("Source event:"), options)


def _ask_sessions(prompter: "Prompter", engine: Any, actor: "Actor", event_id: int) -> list[int]:
    from sessionmig.i18n import shown
    from sessionmig.migration import eligibility
    from sessionmig.prompts import Option
    from sessionmig.store.migrate import event_sessions

    facts = event_sessions(engine, actor, event_id)
    options = []
    for f in facts:
        verdict = eligibility(f)
        reason = shown(verdict.reason) if verdict.reason is not None else None
        options.append(Option(f.id, f"#{f.id}  {f.title}", reason))
    return prompter.choose_many(_("Sessions to migrate:"), options)


def _confirm(
    prompter: "Prompter",
    engine: Any,
    actor: "Actor",
    community_id: int,
    event_id: int,
    session_ids: list[int] | None,
) -> None:
    from sessionmig.render import literal
    from sessionmig.store import queries

    with queries.reading(engine) as conn:
        community = queries.require_community(conn, actor, community_id)
        event = queries.require_event(conn, actor, event_id)
    names = {"event": literal(event.name), "community": literal(community.title)}
    if session_ids is None:
        message = _(
            "Migrate every eligible session of '{event}' into '{community}'? They arrive as "
            "drafts and leave the event's public listing; this cannot be undone."
        ).format(**names)
    else:
        message = ngettext(
            "Migrate {n} session of '{event}' into '{community}'? It arrives as a draft "
            "and leaves the event's public listing; this cannot be undone.",
            "Migrate {n} sessions of '{event}' into '{community}'? They arrive as drafts "
            "and leave the event's public listing; this cannot be undone.",
            len(session_ids),
        ).format(n=len(session_ids), **names)
    if not prompter.confirm(message, default=False):
        raise Cancelled()


# --- output -----------------------------------------------------------------------------


def result_json(result: "MigrationResult") -> "MigrateResult":
    """The spec's `migrate --format json` object (documents.MigrateResult)."""
    return {
        "dry_run": result.dry_run,
        "actor": result.actor.email,
        "community": {"id": result.community["id"], "title": result.community["title"]},
        "event": {"id": result.event["id"], "name": result.event["name"]},
        "results": [
            {
                "session_id": o.session_id,
                "title": o.title,
                "outcome": o.outcome,
                "reason": o.reason,
                "video_id": o.video_id,
            }
            for o in result.outcomes
        ],
    }


def counts_line(migrated: int, already: int, refused: int, planned: bool) -> str:
    """`13 migrated, 0 already migrated, 0 refused` (`planned`: `would be migrated`)."""
    moved = (
        ngettext("{n} would be migrated", "{n} would be migrated", migrated)
        if planned
        else ngettext("{n} migrated", "{n} migrated", migrated)
    )
    return ", ".join(
        (
            moved.format(n=migrated),
            ngettext("{n} already migrated", "{n} already migrated", already).format(n=already),
            ngettext("{n} refused", "{n} refused", refused).format(n=refused),
        )
    )


def summary_line(result: "MigrationResult") -> str:
    counts: dict[str, int] = {}
    for o in result.outcomes:
        counts[o.outcome] = counts.get(o.outcome, 0) + 1
    line = _(
        "{counts} — community '{community}' (#{community_id}), event '{event}' (#{event_id})"
    ).format(
        counts=counts_line(
            counts.get("migrated", 0),
            counts.get("already_migrated", 0),
            counts.get("refused", 0),
            result.dry_run,
        ),
        community=result.community["title"],
        community_id=result.community["id"],
        event=result.event["name"],
        event_id=result.event["id"],
    )
    return line + (_(" (dry run: nothing was written)") if result.dry_run else "")


def audit_caption(result: "MigrationResult") -> str:
    """The line under the audit table: where to, by whom, when (the same for every row)."""
    from sessionmig.render import friendly_time

    names = {
        "community": result.community["title"],
        "community_id": result.community["id"],
        "event": result.event["name"],
        "event_id": result.event["id"],
        "actor": result.actor.email,
    }
    if result.dry_run:
        line = _(
            "Community '{community}' (#{community_id}), event '{event}' (#{event_id}), "
            "by {actor}, nothing written (dry run)"
        )
    elif result.migrated_at is not None and any(o.outcome == "migrated" for o in result.outcomes):
        line = _(
            "Community '{community}' (#{community_id}), event '{event}' (#{event_id}), "
            "by {actor}, at {when}"
        )
        names["when"] = friendly_time(result.migrated_at)
    else:
        line = _(
            "Community '{community}' (#{community_id}), event '{event}' (#{event_id}), "
            "by {actor}, nothing migrated"
        )
    return line.format(**names)


def report(
    result: "MigrationResult",
    fmt: ShowFormat,
    *,
    file: IO[str] | None = None,
    title: str | None = None,
    summary: bool = True,
) -> None:
    from sessionmig import render

    if fmt is ShowFormat.json:
        render.dump_json(result_json(result), file)
    elif result.outcomes:
        rows = [
            {
                "session_id": o.session_id,
                "title": o.title,
                "outcome": "would migrate"
                if result.dry_run and o.outcome == "migrated"
                else o.outcome,
                "reason": o.reason,
                "video_id": o.video_id,
            }
            for o in result.outcomes
        ]
        title = title or (
            _("Migration audit (dry run)") if result.dry_run else _("Migration audit")
        )
        render.table(rows, AUDIT_COLUMNS, title=title, caption=audit_caption(result), file=file)
    if not result.outcomes:
        render.notice(_("nothing to migrate: no eligible session in this event"))
    if summary:
        render.notice(summary_line(result))
