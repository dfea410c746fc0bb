"""`sessionmig demo`: a realistic demo organisation and a migration as its admin."""

import typer

from sessionmig.commands._common import ShowFormatOpt, state
from sessionmig.i18n import _
from sessionmig.render import ShowFormat

HELP = _(
    "Fill the store with a demo organisation, then migrate as its client admin.\n\n"
    "Loads two clients (audiences, users with every role at every scope, events with "
    "sessions of every format and source, speakers, partners, communities), then runs "
    "a migration as ana@acme.test: interactive on a terminal; off a terminal, every "
    "eligible session of the demo event into the demo community. Safe to re-run.\n\n"
    "Example: sessionmig demo"
)


def demo(ctx: typer.Context, fmt: ShowFormatOpt = ShowFormat.table) -> None:
    from sessionmig import demo as organisation
    from sessionmig import render
    from sessionmig.commands.load import counts_text
    from sessionmig.commands.migrate import interactive, run_migration
    from sessionmig.store import loader

    app_ctx = state(ctx)
    engine = app_ctx.engine()
    app_ctx.require_operator("demo")
    report = loader.load(engine, organisation.export_bytes())
    loaded = _("demo organisation loaded into {store}: {counts}").format(
        store=app_ctx.safe_db(), counts=counts_text(report.counts)
    )
    app_ctx.committed(loaded)
    render.notice(loaded)
    app_ctx.actor_email = organisation.DEMO_ADMIN_EMAIL
    ask = interactive()
    render.notice(
        (
            _("migrating as {actor} (client administrator)")
            if ask
            else _(
                "migrating as {actor} (client administrator): every eligible session of "
                "event {event} into community {community}"
            )
        ).format(
            actor=organisation.DEMO_ADMIN_EMAIL,
            event=organisation.DEMO_EVENT_ID,
            community=organisation.DEMO_COMMUNITY_ID,
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
