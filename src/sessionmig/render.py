"""Tables (rich), JSON and CSV from the same rows.

Text from the data is printed literally: cells are rich `Text` objects (never
parsed as markup) and control characters, escapes and bidi overrides are shown
as visible escapes (`\\x1b`, `\\u202e`). JSON and CSV carry the data unchanged.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from typing import IO, Any


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ShowFormat(StrEnum):
    table = "table"
    json = "json"


_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
_UNSAFE_WITH_NEWLINES = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def literal(value: object, *, keep_newlines: bool = False) -> str:
    """A data string made safe for a terminal: controls and bidi marks become visible escapes."""
    text = "" if value is None else str(value)
    pattern = _UNSAFE if keep_newlines else _UNSAFE_WITH_NEWLINES
    return pattern.sub(_escape, text)


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def iso_utc(value: datetime) -> str:
    """Stable ISO 8601 in UTC, e.g. 2026-11-23T22:19:37Z."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def friendly_time(value: datetime, *, terminal: bool | None = None) -> str:
    """Local time on a terminal, ISO 8601 UTC otherwise (the GitHub CLI's rule)."""
    if terminal is None:
        terminal = stdout_is_terminal()
    if not terminal:
        return iso_utc(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone()
    return local.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


@dataclass(frozen=True)
class Col:
    key: str
    header: str = ""
    justify: str = "left"
    no_wrap: bool = False

    @property
    def title(self) -> str:
        return self.header or self.key.replace("_", " ").capitalize()


def _plain(value: Any) -> Any:
    """A JSON-ready value: datetimes in ISO 8601 UTC, dates in ISO, the rest unchanged."""
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def cell(value: Any, *, terminal: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return friendly_time(value, terminal=terminal)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(literal(v) for v in value)
    return literal(value)


def console(file: IO[str] | None = None) -> Any:
    """A rich console that never interprets markup or emoji codes. Off a terminal (and
    without COLUMNS) it is wide, so tables in logs and pipes do not wrap at 80."""
    import os

    from rich.console import Console

    out = file or sys.stdout
    width = None
    if not out.isatty() and not os.environ.get("COLUMNS"):
        width = 200
    return Console(
        file=out, width=width, highlight=False, emoji=False, markup=False, soft_wrap=False
    )


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Col],
    *,
    title: str | None = None,
    caption: str | None = None,
    file: IO[str] | None = None,
) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    terminal = stdout_is_terminal() if file is None else file.isatty()
    tbl = Table(
        title=Text(literal(title)) if title else None,
        caption=Text(literal(caption)) if caption else None,
        box=box.SIMPLE_HEAD,
        header_style="bold",
        title_justify="left",
        caption_justify="left",
    )
    for col in columns:
        tbl.add_column(col.title, justify=col.justify, no_wrap=col.no_wrap)  # type: ignore[arg-type]
    for row in rows:
        tbl.add_row(*(Text(cell(row.get(c.key), terminal=terminal)) for c in columns))
    console(file).print(tbl)


def _json_default(value: Any) -> Any:
    """What json cannot encode natively (called only for those values)."""
    plain = _plain(value)
    if plain is value:
        raise TypeError(f"not JSON serializable: {type(value).__name__}")
    return plain


def dump_json(data: Any, file: IO[str] | None = None) -> None:
    out = file or sys.stdout
    # One string, one write; `_plain` only for the values json cannot encode itself.
    out.write(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n")


def dump_csv(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[Col], file: IO[str] | None = None
) -> None:
    out = file or sys.stdout
    # RFC 4180 line ends: fields holding \r or \n are then quoted, so they read back intact.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in columns])
    for row in rows:
        values = []
        for c in columns:
            v = _plain(row.get(c.key))
            if isinstance(v, list):
                v = "; ".join(str(x) for x in v)
            values.append("" if v is None else v)
        writer.writerow(values)


def listing(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Col],
    fmt: ListFormat | ShowFormat | str,
    *,
    title: str | None = None,
    empty: str = "nothing to show",
) -> None:
    """Print a listing in the requested format; JSON/CSV keys are the columns' keys."""
    fmt = getattr(fmt, "value", fmt)
    if fmt == "json":
        dump_json([{c.key: row.get(c.key) for c in columns} for row in rows])
    elif fmt == "csv":
        dump_csv(rows, columns)
    elif not rows:
        notice(empty)
    else:
        table(rows, columns, title=title)


def details(
    pairs: Sequence[tuple[str, Any]], *, title: str | None = None, file: IO[str] | None = None
) -> None:
    """A two-column field/value table for `show` commands."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    terminal = stdout_is_terminal() if file is None else file.isatty()
    tbl = Table(
        title=Text(literal(title)) if title else None,
        box=box.SIMPLE,
        show_header=False,
        title_justify="left",
    )
    tbl.add_column("field", style="bold")
    tbl.add_column("value")
    for key, value in pairs:
        text = (
            literal(value, keep_newlines=True)
            if isinstance(value, str)
            else cell(value, terminal=terminal)
        )
        tbl.add_row(Text(key), Text(text))
    console(file).print(tbl)


class status:
    """A transient status line on stderr while work runs, on a terminal only.

    `with status("loading") as step: step("sessions written")` — off a terminal the
    step is a no-op, so logs and pipes stay clean."""

    def __init__(self, initial: str) -> None:
        self._initial = initial
        self._status: Any = None

    def __enter__(self) -> Any:
        if sys.stderr.isatty():
            from rich.console import Console

            self._status = Console(stderr=True).status(literal(self._initial))
            self._status.start()
        return self.step

    def step(self, message: str) -> None:
        if self._status is not None:
            self._status.update(literal(message))

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()


def notice(message: str) -> None:
    """A line for the human (stderr), so stdout stays a clean document."""
    sys.stderr.write(literal(message) + "\n")
    sys.stderr.flush()
