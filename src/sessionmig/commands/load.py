"""`sessionmig load FILE`: load a back-office export."""

from pathlib import Path
from typing import Annotated, Any

import typer

from sessionmig.commands._common import ShowFormatOpt, read_stdin, state
from sessionmig.errors import InvalidInput, os_reason
from sessionmig.i18n import _, ngettext
from sessionmig.render import ShowFormat

HELP = _(
    "Load a back-office export (JSON) into the store.\n\n"
    "The whole file is validated first: if any of it is wrong, every error is listed "
    "with its place and nothing is written (exit 2). Loading the same file twice "
    "changes nothing; sessions deleted with `sessions delete` stay deleted.\n\n"
    "Example: sessionmig load acme-export.json"
)


def counts_text(counts: dict[str, int]) -> str:
    """`3 clients, 5 events, …` in the reader's language."""
    from sessionmig.words import PARTS, word

    return ", ".join(f"{n} {word(PARTS, part)}" for part, n in counts.items())


def load(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help=_("The export: a JSON file, or - for stdin."))
    ],
    fmt: ShowFormatOpt = ShowFormat.table,
) -> None:
    from sessionmig import render
    from sessionmig.store import loader
    from sessionmig.words import PARTS, word

    if str(file) == "-":
        raw = read_stdin(_("the export"))
    else:
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise InvalidInput(
                _("cannot read {file}: {error}").format(file=file, error=os_reason(exc))
            ) from None
    # Held in a list and popped into the call: the loader lets the bytes go once they are
    # decoded, so that they are not kept beside the text and the rows (issue 13).
    pending = [raw]
    del raw
    app_ctx = state(ctx)
    engine = app_ctx.engine()
    app_ctx.require_operator("load")
    with render.status(_("validating the export")) as step:
        report = loader.load(
            engine,
            pending.pop(),
            lambda label, n: step(_("loaded {n} {what}").format(n=n, what=word(PARTS, label))),
        )
    source = str(file) if str(file) != "-" else _("the export from stdin")
    app_ctx.committed(
        _("loaded {source}: {counts}").format(source=source, counts=counts_text(report.counts))
    )
    result: dict[str, Any] = {**report.counts, "skipped_deleted_sessions": report.skipped_deleted}
    if fmt is ShowFormat.json:
        render.dump_json(result)
        return
    render.details([(PARTS.get(k, k), v) for k, v in report.counts.items()], title=_("Loaded"))
    if report.skipped_deleted:
        n = len(report.skipped_deleted)
        render.notice(
            ngettext(
                "skipped {n} deleted session: {ids}", "skipped {n} deleted sessions: {ids}", n
            ).format(
                n=n,
                ids=", ".join(str(i) for i in report.skipped_deleted[:20])
                + (" ..." if n > 20 else ""),
            )
        )
