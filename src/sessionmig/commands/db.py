"""`sessionmig db`: schema and store checks (operator commands; no actor)."""

import typer

from sessionmig.commands._common import ShowFormatOpt, state
from sessionmig.i18n import _, ngettext
from sessionmig.render import ShowFormat

app = typer.Typer(help=_("Create, upgrade and check the store."), no_args_is_help=True)


@app.command(
    "init",
    help=_(
        "Create the schema or upgrade it to the current version (idempotent).\n\n"
        "Example: sessionmig --db postgresql+psycopg://user@host/db db init"
    ),
)
def init(ctx: typer.Context) -> None:
    from sessionmig.render import notice
    from sessionmig.store import engine as store_engine
    from sessionmig.store import schema
    from sessionmig.store.storeinfo import read_store_id

    app_ctx = state(ctx)
    eng = app_ctx.engine(require_schema=False)
    app_ctx.require_operator("db init", require_schema=False)
    before, after = schema.upgrade(eng)
    upgraded = _("schema upgraded from {before} to {after}").format(
        before=before or _("nothing"), after=after
    )
    app_ctx.committed(upgraded if before != after else None)
    with store_engine.translate_errors(eng.url), eng.connect() as conn:
        store_id = read_store_id(conn)
    where = app_ctx.safe_db()
    if before == after:
        notice(
            _("schema is up to date ({after}), store id {store_id}: {where}").format(
                after=after, store_id=store_id, where=where
            )
        )
    else:
        notice(
            _("{upgraded}, store id {store_id}: {where}").format(
                upgraded=upgraded, store_id=store_id, where=where
            )
        )


@app.command(
    "check",
    help=_(
        "Verify every invariant of the store; list each violation with the ids involved."
        "\n\n"
        "Exit 0 with a one-line summary when the store is sound; exit 1 after listing the "
        "violations (one per line, or a JSON list with --format json). The summary (on "
        "stderr with --format json) ends with the store's id. Operator command: no --as "
        "needed.\n\n"
        "Example: sessionmig --db postgresql+psycopg://user@host/db db check --format json"
    ),
)
def check(ctx: typer.Context, fmt: ShowFormatOpt = ShowFormat.table) -> None:
    from sessionmig import render
    from sessionmig.errors import RulesRefused
    from sessionmig.store import check as store_check

    app_ctx = state(ctx)
    app_ctx.require_operator("db check")
    report = store_check.check_store(app_ctx.engine())
    if fmt is ShowFormat.json:
        render.dump_json(
            [{"check": v.check, "message": v.message, "ids": v.ids} for v in report.violations]
        )
    else:
        for v in report.violations:
            typer.echo(render.literal(v.shown_line()))
    if report.violations:
        n = len(report.violations)
        raise RulesRefused(
            ngettext(
                "db check: {n} violation found ({summary})",
                "db check: {n} violations found ({summary})",
                n,
            ).format(n=n, summary=report.summary())
        )
    line = _("store is sound: {summary}").format(summary=report.summary())
    if fmt is ShowFormat.json:
        render.notice(line)
    else:
        typer.echo(line)
