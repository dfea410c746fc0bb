"""`sessionmig load FILE`: load a back-office export."""

from pathlib import Path
from typing import Annotated, Any

import typer

from sessionmig.commands._common import ShowFormatOpt, read_stdin, state
from sessionmig.errors import InvalidInput
from sessionmig.render import ShowFormat


def load(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The export: a JSON file, or - for stdin.")],
    fmt: ShowFormatOpt = ShowFormat.table,
) -> None:
    """Load a back-office export (JSON) into the store.

    The whole file is validated first: if any of it is wrong, every error is listed
    with its place and nothing is written (exit 2). Loading the same file twice
    changes nothing; sessions deleted with `sessions delete` stay deleted.

    Example: sessionmig load acme-export.json
    """
    from sessionmig import render
    from sessionmig.store import loader

    if str(file) == "-":
        raw = read_stdin("the export")
    else:
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read {file}: {exc.strerror or exc}") from None
    app_ctx = state(ctx)
    engine = app_ctx.engine()
    with render.status("validating the export") as step:
        report = loader.load(engine, raw, lambda label, n: step(f"loaded {n} {label}"))
    app_ctx.committed(
        f"loaded {file if str(file) != '-' else 'the export from stdin'}: "
        + ", ".join(f"{n} {k}" for k, n in report.counts.items())
    )
    result: dict[str, Any] = {**report.counts, "skipped_deleted_sessions": report.skipped_deleted}
    if fmt is ShowFormat.json:
        render.dump_json(result)
        return
    render.details([(k.replace("_", " "), v) for k, v in report.counts.items()], title="Loaded")
    if report.skipped_deleted:
        render.notice(
            f"skipped {len(report.skipped_deleted)} deleted session(s): "
            + ", ".join(str(i) for i in report.skipped_deleted[:20])
            + (" ..." if len(report.skipped_deleted) > 20 else "")
        )
