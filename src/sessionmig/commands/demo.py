"""`sessionmig demo`: a realistic demo organisation and a migration as its admin."""

import typer

from sessionmig.commands._common import ShowFormatOpt, state
from sessionmig.render import ShowFormat


def demo(ctx: typer.Context, fmt: ShowFormatOpt = ShowFormat.table) -> None:
    """Fill the store with a demo organisation, then migrate as its client admin.

    Loads two clients (audiences, users with every role at every scope, events with
    sessions of every format and source, speakers, partners, communities), then runs
    a migration as ana@acme.test: interactive on a terminal; off a terminal, every
    eligible session of the demo event into the demo community. Safe to re-run.

    Example: sessionmig demo
    """
    from sessionmig import demo as organisation
    from sessionmig import render
    from sessionmig.commands.migrate import interactive, run_migration
    from sessionmig.store import loader

    app_ctx = state(ctx)
    engine = app_ctx.engine()
    report = loader.load(engine, organisation.export_bytes())
    loaded = f"demo organisation loaded into {app_ctx.safe_db()}: " + ", ".join(
        f"{n} {k}" for k, n in report.counts.items()
    )
    app_ctx.committed(loaded)
    render.notice(loaded)
    app_ctx.actor_email = organisation.DEMO_ADMIN_EMAIL
    ask = interactive()
    render.notice(
        f"migrating as {organisation.DEMO_ADMIN_EMAIL} (client administrator)"
        + (
            ""
            if ask
            else f": every eligible session of event {organisation.DEMO_EVENT_ID} "
            f"into community {organisation.DEMO_COMMUNITY_ID}"
        )
    )
    run_migration(
        app_ctx,
        community_id=None if ask else organisation.DEMO_COMMUNITY_ID,
        event_id=None if ask else organisation.DEMO_EVENT_ID,
        session_ids=None,
        all_eligible=not ask,
        strict=False,
        dry_run=False,
        yes=not ask,
        fmt=fmt,
    )
