"""Tables (rich), JSON and CSV from the same rows; the pager.

Text from the data is printed literally: cells are rich `Text` objects (never
parsed as markup) and control characters, escapes and bidi overrides are shown
as visible escapes (`\\x1b`, `\\u202e`). JSON and CSV carry the data unchanged.

Tables are for people (SPEC "Screens for people"): they fit the width (`layout`,
counted in terminal cells), show a listing's default columns, are bounded (a
`ListOptions.window`), and go through the pager on a terminal when taller than it.
Every listing prints through one entry point, `listing`.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import itertools
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from enum import Enum, StrEnum
from json.encoder import encode_basestring as _json_str  # C; ensure_ascii=False's own
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from sessionmig.i18n import N_, _, french, shown
from sessionmig.words import word

if TYPE_CHECKING:
    from sessionmig.paging import Page, Window


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
    """Local time on a terminal, ISO 8601 UTC otherwise (the GitHub CLI's rule).

    On a terminal the local time carries its numeric offset, `2026-11-24 16:44:56 +01:00`
    (in French the date in the French manner, `24/11/2026 16:44:56 +01:00`), never a zone
    name (`CET` is ambiguous and cannot be read back): pasted into `history --since/--until`,
    it names that very second, in either language."""
    if terminal is None:
        terminal = stdout_is_terminal()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not terminal:
        return iso_utc(value)
    try:
        local = value.astimezone()
    except (OverflowError, ValueError, OSError):  # at the calendar's edges
        return iso_utc(value)
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes, seconds = divmod(int(abs(offset).total_seconds()), 60)
    zone = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}" + (f":{seconds:02d}" if seconds else "")
    clock = local.time().replace(microsecond=0, tzinfo=None).isoformat()
    return f"{friendly_date(local.date(), terminal=True)} {clock} {zone}"


def friendly_date(value: date, *, terminal: bool) -> str:
    """ISO 8601 (`2026-06-01`), but on a terminal in French the French manner
    (`01/06/2026`), which `history --since/--until` read back as well."""
    if terminal and french():
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return value.isoformat()


class Col(NamedTuple):
    """One column of a listing: its JSON/CSV key, its table header, and how it fits.

    Columns are fixed by default: ids, counts, dates and statuses are never cut or
    wrapped. `text` marks long text from the data (titles, names, e-mails, references):
    a table cuts it to one line with `…` to fit the width (`wrap`: wraps it instead,
    for the few sentences a person must read whole, such as a refusal's reason).
    `header` is marked with `N_()` and shown in the reader's language; `words` maps the
    codes of a column (statuses, outcomes) to their words (`words.py`), shown likewise.
    """

    key: str
    header: str = ""  # every column of the tool has one (tests/test_i18n.py)
    justify: str = "left"
    text: bool = False
    wrap: bool = False
    words: Mapping[str, str] | None = None

    @property
    def title(self) -> str:
        return _(self.header) if self.header else self.key.replace("_", " ").capitalize()

    def shown(self, value: Any) -> Any:
        """The value as a table shows it: the word for a code, a `Msg` translated."""
        return word(self.words, value) if self.words else shown(value)


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
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return friendly_time(value, terminal=terminal)
    if isinstance(value, date):
        return friendly_date(value, terminal=terminal)
    if isinstance(value, list | tuple):
        return ", ".join(literal(shown(v)) for v in value)
    return literal(shown(value))


# --- width -------------------------------------------------------------------------------

WIDE = 200  # off a terminal without COLUMNS: logs and pipes get wide tables, as before
GAP = 2  # cells between two columns of a table (see `_rich_table`)
MIN_TEXT = 8  # a text column is cut to no fewer cells than this (or its header, if longer)


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def _terminal_size(stream: object) -> os.terminal_size | None:
    try:
        return os.get_terminal_size(stream.fileno())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return None


def output_width(file: IO[str] | None = None) -> int:
    """The width tables must fit: the terminal's on a terminal; off a terminal `COLUMNS`
    when it is set to a positive number, else `WIDE`."""
    out = file or sys.stdout
    if _isatty(out):
        size = _terminal_size(out)
        if size is not None and size.columns > 0:
            return size.columns
    raw = os.environ.get("COLUMNS", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return WIDE if not _isatty(out) else 80


def cut(text: str, width: int) -> str:
    """`text` in at most `width` terminal cells: cut with `…` when longer (wide CJK
    characters and emoji count two cells; a wide character is never split)."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    return set_cell_size(text, width - 1).rstrip(" ") + "…"


def fit_widths(
    natural: Sequence[int], minimum: Sequence[int], width: int, gap: int = GAP
) -> list[int] | None:
    """Column widths that fit `width` cells with `gap` cells between columns, or None
    when even the minimums do not.

    Every column gets its natural width when they all fit. Otherwise the columns that
    may shrink (minimum below natural) share what the others leave, by water-filling:
    each gets min(natural, max(minimum, level)) for the highest level that fits, so a
    short title keeps its whole width and the long ones end up equally wide; the cells
    left over go one each to the first columns still short of their natural width.
    """
    room = width - gap * (len(natural) - 1)
    if sum(natural) <= room:
        return list(natural)
    if sum(minimum) > room:
        return None

    def at(level: int) -> list[int]:
        return [min(n, max(m, level)) for n, m in zip(natural, minimum, strict=True)]

    low, high = 0, max(natural)  # at(low) fits, at(high) does not
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if sum(at(mid)) <= room else (low, mid)
    widths = at(low)
    spare = room - sum(widths)
    for i, n in enumerate(natural):
        if spare and widths[i] < n:
            widths[i] += 1
            spare -= 1
    return widths


class Layout(NamedTuple):
    """Which columns a table shows (indexes into its columns) and their widths."""

    shown: tuple[int, ...]
    widths: tuple[int, ...]

    def dropped(self, count: int) -> list[int]:
        return [i for i in range(count) if i not in self.shown]


def layout(columns: Sequence[Col], cells: Sequence[Sequence[str]], width: int) -> Layout:
    """Fit a table of `cells` (rows of rendered strings) to `width` cells.

    Fixed columns keep their natural width, and every header stays whole. Text columns
    shrink, down to `MIN_TEXT` cells or their header. When even that does not fit, the
    rightmost columns are left out, one at a time, down to the first column, which is
    always shown (a width narrower than it is the one case where a line is longer).
    """
    from rich.cells import cell_len

    headers = [cell_len(c.title) for c in columns]
    natural = list(headers)
    for row in cells:
        for i, value in enumerate(row):
            n = cell_len(value)
            if n > natural[i]:
                natural[i] = n
    minimum = [
        max(h, min(n, MIN_TEXT)) if c.text else n
        for c, h, n in zip(columns, headers, natural, strict=True)
    ]
    shown = list(range(len(columns)))
    while True:
        widths = fit_widths([natural[i] for i in shown], [minimum[i] for i in shown], width)
        if widths is not None:
            return Layout(tuple(shown), tuple(widths))
        if len(shown) == 1:
            return Layout(tuple(shown), (minimum[shown[0]],))
        shown.pop()


# --- printing to the terminal, a pipe or the pager ------------------------------------------

PAGER_ENV = "SESSIONMIG_PAGER"


def console(file: IO[str] | None = None, *, width: int | None = None) -> Any:
    """A rich console that never interprets markup or emoji codes, as wide as
    `output_width` says (on a terminal its width, else COLUMNS, else wide)."""
    from rich.console import Console

    out = file or sys.stdout
    return Console(
        file=out,
        width=width or output_width(out),
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )


def pager_command(env: Mapping[str, str] | None = None) -> list[str] | None:
    """The pager to use on a terminal, as an argument list (shlex-split, run without a
    shell): SESSIONMIG_PAGER if set, else PAGER if set and not empty, else `less -FRX`
    when it is installed. An empty SESSIONMIG_PAGER, or `cat`, means no pager."""
    import shlex
    import shutil

    env = os.environ if env is None else env
    if PAGER_ENV in env:
        name, raw = PAGER_ENV, env[PAGER_ENV]
    elif env.get("PAGER", "").strip():
        name, raw = "PAGER", env["PAGER"]
    elif shutil.which("less"):
        return ["less", "-FRX"]
    else:
        return None
    try:
        argv = shlex.split(raw)
    except ValueError as exc:
        notice(
            _("{name}: cannot read {value} as a command ({error}); not paging").format(
                name=name, value=repr(raw), error=exc
            )
        )
        return None
    if not argv or os.path.basename(argv[0]) == "cat":
        return None
    return argv


def page(text: str, argv: Sequence[str]) -> bool:
    """Show `text` through the pager `argv`; False when it cannot be started.

    A pager that exits before reading everything (q in less) is not an error. Ctrl-C
    belongs to the pager while it runs (less uses it), so this process ignores it.
    """
    import signal
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # git's habit: a bare `less` keeps colours, quits if short
    env.setdefault("LV", "-c")
    from sessionmig.errors import os_reason

    try:
        proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE, env=env)
    except OSError as exc:
        notice(
            _("pager {pager} cannot be started ({error}); not paging").format(
                pager=repr(argv[0]), error=os_reason(exc)
            )
        )
        return False
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        previous = None
    try:
        assert proc.stdin is not None
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        try:
            proc.stdin.write(text.encode(encoding, errors="replace"))
            proc.stdin.close()
        except OSError as exc:  # EPIPE: the pager quit early
            if not isinstance(exc, BrokenPipeError) and exc.errno != errno.EPIPE:
                raise
            with contextlib.suppress(OSError):
                proc.stdin.close()
        proc.wait()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return True


def show(
    renderables: Sequence[Any], file: IO[str] | None = None, *, width: int | None = None
) -> None:
    """Print rich renderables; on a terminal, through the pager when taller than it."""
    out = file or sys.stdout
    con = console(out, width=width)
    pager = pager_command() if out is sys.stdout and _isatty(out) else None
    if pager is None:
        for r in renderables:
            con.print(r)
        return
    with con.capture() as captured:
        for r in renderables:
            con.print(r)
    text = captured.get()
    size = _terminal_size(out)
    if size is not None and text.count("\n") >= size.lines and page(text, pager):
        return
    out.write(text)
    out.flush()


# --- tables ---------------------------------------------------------------------------------


def _rich_table(title: str | None, *, header: bool = True) -> Any:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # No outer edge and collapsed padding: GAP (2) cells between columns, none outside.
    return Table(
        title=Text(literal(title), no_wrap=True, overflow="ellipsis") if title else None,
        box=box.SIMPLE_HEAD,
        show_header=header,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        header_style="bold",
        title_justify="left",
    )


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Col],
    *,
    title: str | None = None,
    caption: str | None = None,
    file: IO[str] | None = None,
) -> None:
    """A table for people that fits `output_width`: one line per row (text columns cut
    with `…`, or wrapped for `Col.wrap`), headers whole, ids/counts/dates/statuses whole.
    Columns that cannot fit at all are left out from the right, and stderr says which.
    `caption` is a line of text printed under the table."""
    from rich.text import Text

    out = file or sys.stdout
    terminal = _isatty(out)
    width = output_width(out)
    cells = [[cell(c.shown(row.get(c.key)), terminal=terminal) for c in columns] for row in rows]
    fit = layout(columns, cells, width)
    tbl = _rich_table(title)
    for i, w in zip(fit.shown, fit.widths, strict=True):
        col = columns[i]
        tbl.add_column(
            col.title,
            justify=col.justify,
            width=w,
            no_wrap=not col.wrap,
            overflow="fold" if col.wrap else "ellipsis",
        )
    for values in cells:
        tbl.add_row(
            *(
                Text(values[i] if columns[i].wrap else cut(values[i], w))
                for i, w in zip(fit.shown, fit.widths, strict=True)
            )
        )
    renderables: list[Any] = [tbl]
    if caption:
        renderables.append(Text(literal(caption)))
    # Narrower than the first column alone: that column stays whole, wider than asked.
    needed = sum(fit.widths) + GAP * (len(fit.widths) - 1)
    show(renderables, out, width=max(width, needed))
    dropped = fit.dropped(len(columns))
    if dropped:
        notice(
            _(
                "left out to fit {width} columns: {keys} "
                "(choose columns with --columns, or see every field with --format json)"
            ).format(width=width, keys=", ".join(columns[i].key for i in dropped))
        )


def details(
    pairs: Sequence[tuple[str, Any]], *, title: str | None = None, file: IO[str] | None = None
) -> None:
    """A two-column field/value table for `show` commands, fitting `output_width`: labels
    whole on one line, long values wrapped inside the value column. Labels are marked
    with `N_()` and shown in the reader's language, and so are `Msg` values."""
    from rich.cells import cell_len
    from rich.text import Text

    out = file or sys.stdout
    terminal = _isatty(out)
    width = output_width(out)
    pairs = [(_(k), shown(v)) for k, v in pairs]
    label_width = max((cell_len(k) for k, _v in pairs), default=1)
    tbl = _rich_table(title, header=False)
    tbl.add_column("field", style="bold", no_wrap=True, width=label_width)
    tbl.add_column("value", overflow="fold", max_width=max(1, width - label_width - GAP))
    for key, value in pairs:
        text = (
            literal(value, keep_newlines=True)
            if isinstance(value, str)
            else cell(value, terminal=terminal)
        )
        tbl.add_row(Text(key), Text(text))
    show([tbl], out)


# --- listings -------------------------------------------------------------------------------

TABLE_LIMIT = 100  # rows a table shows without --limit / --all


class ListingSpec:
    """What a listing command prints: every column (its JSON keys, in order), the few
    its table shows by default, its table title and what an empty table says (both
    marked with `N_()`, shown in the reader's language).

    A plain class: listings are declared at start-up, where a frozen dataclass costs
    about a millisecond each to create."""

    __slots__ = ("columns", "default", "empty", "keys", "title")

    def __init__(
        self,
        title: str,
        columns: tuple[Col, ...],
        default: tuple[str, ...],
        empty: str = N_("nothing to show"),
    ) -> None:
        self.title = title
        self.columns = columns
        self.default = default
        self.empty = empty
        self.keys: tuple[str, ...] = tuple(c.key for c in columns)
        unknown = [k for k in default if k not in self.keys]
        if unknown or not default:
            raise ValueError(f"{title}: bad default columns {unknown}")

    def pick(self, keys: Sequence[str]) -> tuple[Col, ...]:
        by_key = {c.key: c for c in self.columns}
        return tuple(by_key[k] for k in keys)


class ListOptions(NamedTuple):
    """The output options every listing shares (`--format`, `--columns`, `--limit`,
    `--all`), checked: `columns` are the ones to print, in order."""

    fmt: ListFormat
    columns: tuple[Col, ...]
    limit: int | None = None
    all: bool = False

    @classmethod
    def parse(
        cls,
        spec: ListingSpec,
        fmt: ListFormat | str,
        columns: str | None = None,
        limit: int | None = None,
        all: bool = False,
    ) -> ListOptions:
        from sessionmig.errors import UsageError

        fmt = ListFormat(getattr(fmt, "value", fmt))
        if limit is not None and all:
            raise UsageError(_("--limit and --all cannot be combined: give one of them"))
        if columns is None:
            keys = spec.default if fmt is ListFormat.table else spec.keys
        else:
            given = [k.strip() for k in columns.split(",")]
            keys = tuple(k.lower() for k in given)
            valid = ", ".join(spec.keys)
            if not any(keys):
                raise UsageError(
                    _("--columns: give one or more of these keys: {keys}").format(keys=valid)
                )
            for raw, k in zip(given, keys, strict=True):
                if k not in spec.keys:
                    raise UsageError(
                        _("--columns: unknown key '{key}'; valid keys: {keys}").format(
                            key=raw, keys=valid
                        )
                    )
            twice = sorted({k for k in keys if keys.count(k) > 1})
            if twice:
                raise UsageError(
                    _("--columns: {keys} given more than once").format(keys=", ".join(twice))
                )
        return cls(fmt, spec.pick(keys), limit, all)

    def window(self) -> Window:
        """What to ask the store for: a table its first TABLE_LIMIT rows (or --limit N)
        and how many it leaves out; JSON and CSV every row unless --limit."""
        from sessionmig.paging import Window

        if self.fmt is not ListFormat.table:
            return Window(self.limit)
        if self.all:
            return Window(None)
        return Window(self.limit or TABLE_LIMIT, count_rest=True)


def listing(page: Page, spec: ListingSpec, options: ListOptions) -> None:
    """The one way every listing prints: JSON or CSV of the chosen keys (every key by
    default), or a table of the chosen columns (the listing's default few), bounded, with
    a notice on stderr of the rows it left out.

    JSON and CSV are written row by row as the store hands them over (a streamed page
    fetches them in chunks): memory stays flat however long the listing. The page's
    rows are closed (their connection released) however the printing ends."""
    try:
        _listing(page, spec, options)
    finally:
        close = getattr(page.rows, "close", None)
        if close is not None:
            close()


def _listing(page: Page, spec: ListingSpec, options: ListOptions) -> None:
    columns = options.columns
    if options.fmt is ListFormat.json:
        stream_json(_projected(_batches(page.rows), [c.key for c in columns]))
        return
    if options.fmt is ListFormat.csv:
        dump_csv(page.rows, columns)
        return
    rows = list(page.rows)
    if not rows:
        notice(_(spec.empty))
        return
    table(rows, columns, title=_(spec.title))
    if page.left_out:
        total = len(rows) + page.left_out
        notice(
            _(
                "showing the first {shown} of {total} rows, {left} left out: "
                "see them with --limit {total} or --all (or --format json/csv)"
            ).format(shown=len(rows), total=total, left=page.left_out)
        )


def _batches(rows: Iterable[Mapping[str, Any]]) -> Iterator[Sequence[Mapping[str, Any]]]:
    """The rows a batch at a time: a streamed page's own chunks (written as each is
    fetched), else `STREAM_BATCH` rows at a time."""
    chunks = getattr(rows, "chunks", None)
    if chunks is not None:
        yield from chunks()
        return
    it = iter(rows)
    while batch := list(itertools.islice(it, STREAM_BATCH)):
        yield batch


def _projected(
    batches: Iterable[Sequence[Mapping[str, Any]]], keys: list[str]
) -> Iterator[Sequence[Mapping[str, Any]]]:
    """The batches' rows with the chosen keys only, in order. A listing's rows all
    have the same keys: when a batch's first row has exactly these, in this order, the
    batch goes out as it is."""
    for batch in batches:
        if not batch or list(batch[0]) == keys:
            yield batch
        else:
            yield [{k: row.get(k) for k in keys} for row in batch]


# Items a JSON document encodes at once when the rows do not come in chunks: the
# encoder's set-up costs about as much as a small item, so it is paid per batch.
STREAM_BATCH = 1000


def stream_json(batches: Iterable[Sequence[Any]], file: IO[str] | None = None) -> None:
    """A JSON list written a batch of items at a time as the batches come, byte for
    byte what `dump_json` writes of the list of all their items (two-space indent, a
    final newline): each batch's text is the document's own slice of it."""
    out = file or sys.stdout
    sep = "[\n"
    for batch in batches:
        if not batch:
            continue
        out.write(sep + _json_items(batch))
        sep = ",\n"
    out.write("[]\n" if sep == "[\n" else "\n]\n")


def _json_encoder() -> json.JSONEncoder:
    return json.JSONEncoder(ensure_ascii=False, indent=2, default=_json_default)


class _NotFlat(Exception):
    """A value the flat-row writer leaves to the json module."""


def _json_field(value: Any) -> str:
    """The JSON text of one field of a listing's row, exactly as `json.dumps(...,
    ensure_ascii=False, indent=2, default=_json_default)` writes it two levels deep
    (in a dict in the document's list); `_NotFlat` for any other kind of value."""
    kind = type(value)
    if kind is str:
        return _json_str(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is datetime:
        return _json_str(iso_utc(value))
    if kind is list:
        if not value:
            return "[]"
        for item in value:
            if type(item) is not str:
                raise _NotFlat
        return "[\n      " + ",\n      ".join(map(_json_str, value)) + "\n    ]"
    if isinstance(value, str):  # a StrEnum, a label: json writes the string
        return _json_str(value)
    raise _NotFlat


def _json_items(batch: Sequence[Any]) -> str:
    """The text of a batch of the document's items: `"  {...},\n  {...}"`, what the
    json module writes of them inside the document's list (indent 2), without its
    brackets.

    The json module's indented encoder is written in Python, one generator per level:
    most of a listing's time. A listing's rows are flat dicts of strings, numbers,
    booleans, nulls, datetimes and lists of strings, all with the same keys: each row
    is written here in one join, with the keys' text made once per batch. Anything
    else (another kind of value, a row with other keys) is left to the json module,
    item by item, so the bytes are the same either way."""
    first = batch[0]
    keys: tuple[Any, ...] = tuple(first) if type(first) is dict else ()
    # Keys may be str subclasses (SQLAlchemy's labels): json writes them as strings.
    flat = bool(keys) and all(isinstance(k, str) for k in keys)
    heads = [_json_str(k) + ": " for k in keys] if flat else []
    encode = None
    texts = []
    for item in batch:
        if flat and type(item) is dict and tuple(item) == keys:
            try:
                texts.append(
                    "{\n    "
                    + ",\n    ".join(
                        [
                            head + _json_field(v)
                            for head, v in zip(heads, item.values(), strict=True)
                        ]
                    )
                    + "\n  }"
                )
                continue
            except _NotFlat:
                pass
        if encode is None:
            encode = _json_encoder().encode
        texts.append(encode([item])[4:-2])  # "[\n  " + the item's text + "\n]"
    return "  " + ",\n  ".join(texts)


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


def dump_json_file(path: str, data: Any) -> None:
    """A JSON document written whole or not at all: a temporary file beside `path`,
    then renamed over it. Raises OSError."""
    import os
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".sessionmig-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            dump_json(data, out)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
            if isinstance(v, bool):  # JSON's spelling, one for every program
                v = "true" if v else "false"
            elif isinstance(v, list):
                v = "; ".join(str(x) for x in v)
            values.append("" if v is None else v)
        writer.writerow(values)


class status:
    """A transient status line on stderr while work runs, on a terminal only.

    `with status(_("loading")) as step: step(_("sessions written"))` — off a terminal the
    step is a no-op, so logs and pipes stay clean. Callers give the words in the reader's
    language."""

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
