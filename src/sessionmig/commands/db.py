"""`sessionmig db`: schema and store checks (operator commands; no actor)."""

from __future__ import annotations

import typer

from sessionmig.commands._common import state

app = typer.Typer(help="Create, upgrade and check the store.", no_args_is_help=True)


@app.command("init")
def init(ctx: typer.Context) -> None:
    """Create the schema or upgrade it to the current version (idempotent).

    Example: sessionmig --db postgresql+psycopg://user@host/db db init
    """
    from sessionmig.render import notice
    from sessionmig.store import engine as store_engine
    from sessionmig.store import schema

    app_ctx = state(ctx)
    eng = app_ctx.engine(require_schema=False)
    with store_engine.translate_errors(eng.url):
        before = store_engine.schema_revision(eng)
        schema.upgrade(eng)
        after = store_engine.schema_revision(eng)
    where = app_ctx.safe_db()
    if before == after:
        notice(f"schema is up to date ({after}): {where}")
    else:
        notice(f"schema upgraded from {before or 'nothing'} to {after}: {where}")
