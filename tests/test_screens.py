"""Screens for people (SPEC "Screens for people"): tables fit the width, show their default
columns, take --columns / --limit / --all, and bounded tables fetch only what they show.

Widths are measured in terminal cells with rich's own `cell_len` (wide CJK characters and
emoji take two), as a terminal draws them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from rich.cells import cell_len

from sessionmig.commands.communities import COMMUNITIES
from sessionmig.commands.events import EVENTS
from sessionmig.commands.history import HISTORY
from sessionmig.commands.sessions import SESSIONS
from sessionmig.commands.videos import VIDEOS
from sessionmig.render import MIN_TEXT, Col, ListingSpec, cell, cut, fit_widths, layout
from sessionmig.store.queries import CHUNK_ROWS
from tests import sample
from tests.conftest import BACKENDS, Cli, Run, shared_cli
from tests.test_literal_text import HOSTILE, RAW_CONTROLS

# Every listing, with arguments that list the same rows in every store used here.
LISTINGS: dict[str, tuple[ListingSpec, tuple[str, ...], str]] = {
    "events": (EVENTS, ("events", "list"), "id"),
    "sessions": (SESSIONS, ("sessions", "list"), "id"),
    "communities": (COMMUNITIES, ("communities", "list"), "id"),
    "videos": (VIDEOS, ("videos", "list"), "id"),
    "history": (HISTORY, ("history",), "session_id"),
}

LONG = ("A very long session title that goes on " * 20)[:500]
CJK = ("日本語のセッションタイトル、とても長い" * 40)[:500]
EMOJI = ("🎥 Replay 🎉 " * 60)[:500]
HOSTILE_LONG = ((HOSTILE + " ") * 10)[:500]


def hostile_export() -> dict[str, Any]:
    """The sample export with 500-character titles and names of every kind: plain,
    wide CJK, emoji, and hostile (markup, escapes, bidi, control characters)."""
    data = sample.export()
    titles = {
        sample.ONLINE_FILE: HOSTILE_LONG,
        sample.ONLINE_URL: CJK,
        sample.ONLINE_FILE_2: EMOJI,
        sample.EVENT11_ONLINE: LONG,
        sample.IN_PERSON: HOSTILE,
    }
    for s in data["sessions"]:
        s["title"] = titles.get(s["id"], s["title"])
    data["events"][0]["name"] = CJK
    data["events"][1]["name"] = HOSTILE_LONG
    data["communities"][0]["title"] = LONG
    data["communities"][1]["title"] = EMOJI
    data["audiences"][0]["name"] = HOSTILE_LONG
    data["audiences"][1]["name"] = CJK
    data["users"][0]["name"] = HOSTILE_LONG
    data["speakers"][0]["name"] = CJK
    data["partners"][0]["name"] = EMOJI
    return data


def migrate_all(cli: Cli, community: int, event: int) -> None:
    r = cli(
        "migrate",
        "--community",
        str(community),
        "--event",
        str(event),
        "--all-eligible",
        "--yes",
        "--format",
        "json",
        actor=sample.ADMIN,
    )
    assert r.exit_code == 0, r.stderr


def build_hostile(cli: Cli) -> None:
    assert cli.load(hostile_export()).exit_code == 0
    migrate_all(cli, 50, 10)
    migrate_all(cli, 51, 11)


def build_demo(cli: Cli) -> None:
    # Off a terminal, `demo` loads the demo organisation and migrates one event.
    r = cli("demo")
    assert r.exit_code == 0, r.stderr


MANY = 150


def build_many(cli: Cli) -> None:
    # 150 events, 150 communities, 150 sessions in event 12, all migrated into community 50
    # (150 videos, 150 records): every listing below has exactly 150 rows.
    data = sample.with_many(sample.export(), sessions=MANY, events=MANY - 3, communities=MANY - 2)
    assert cli.load(data).exit_code == 0
    migrate_all(cli, 50, 12)


@pytest.fixture(scope="module", params=BACKENDS)
def hostile(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cli]:
    yield from shared_cli(request, tmp_path_factory, build_hostile)


@pytest.fixture(scope="module", params=["sqlite"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    yield from shared_cli(request, tmp_path_factory, build_demo)


@pytest.fixture(scope="module", params=BACKENDS)
def many(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    yield from shared_cli(request, tmp_path_factory, build_many)


def table_lines(r: Run, exit_code: int = 0) -> tuple[list[str], list[str]]:
    """(header cells, row lines) of a table: title, header, rule, rows."""
    assert r.exit_code == exit_code, r.stderr
    lines = r.stdout.splitlines()
    assert set(lines[2]) == {"─"}, lines[:3]
    return re.split(r" {2,}", lines[1].strip()), lines[3:]


def json_rows(cli: Cli, args: tuple[str, ...], actor: str, *extra: str) -> list[dict[str, Any]]:
    r = cli(*args, "--format", "json", *extra, actor=actor)
    assert r.exit_code == 0, r.stderr
    rows: list[dict[str, Any]] = r.json()
    return rows


def whole(value: str, line: str) -> bool:
    """`value` appears in `line` uncut, not inside a longer word or number."""
    return re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", line) is not None


def check_table(
    r: Run, spec: ListingSpec, keys: tuple[str, ...], rows: list[dict[str, Any]], width: int
) -> None:
    """The promises of a table for people, at `width` cells."""
    for line in r.stdout.splitlines():
        assert cell_len(line) <= width, (width, cell_len(line), line)
    for ch in RAW_CONTROLS:
        assert ch not in r.stdout, repr(ch)
    headers, lines = table_lines(r)
    shown = spec.pick(keys)[: len(headers)]
    assert headers == [c.title for c in shown]  # every header whole, in order
    assert len(lines) == min(len(rows), 100)  # one line per row
    for row, line in zip(rows, lines, strict=False):
        for col in shown:
            if not col.text:  # ids, counts, dates and statuses: never cut
                value = cell(row[col.key], terminal=False)
                assert value == "" or whole(value, line), (col.key, value, line)


def check_default_table(cli: Cli, actor: str, name: str, width: int) -> Run:
    spec, args, _ = LISTINGS[name]
    rows = json_rows(cli, args, actor)
    assert rows, "the store lists something"
    r = cli(*args, actor=actor, env={"COLUMNS": str(width)})
    check_table(r, spec, spec.default, rows, width)
    assert r.stderr == ""  # nothing left out: the default columns fit 80 cells
    return r


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", LISTINGS)
def test_every_listing_of_the_demo_fits_the_width_one_line_per_row(
    demo: Cli, name: str, width: int
) -> None:
    check_default_table(demo, "ana@acme.test", name, width)


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", LISTINGS)
def test_every_listing_with_long_and_hostile_text_fits_the_width_one_line_per_row(
    hostile: Cli, name: str, width: int
) -> None:
    r = check_default_table(hostile, sample.ADMIN, name, width)
    spec = LISTINGS[name][0]
    if width == 80 and any(c.text for c in spec.pick(spec.default)):
        assert "…" in r.stdout  # 500-character text is cut, with an ellipsis


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", LISTINGS)
def test_every_column_at_once_still_fits_leaving_out_what_cannot(
    hostile: Cli, name: str, width: int
) -> None:
    spec, args, _ = LISTINGS[name]
    rows = json_rows(hostile, args, sample.ADMIN)
    r = hostile(
        *args, "--columns", ",".join(spec.keys), actor=sample.ADMIN, env={"COLUMNS": str(width)}
    )
    check_table(r, spec, spec.keys, rows, width)
    headers, _ = table_lines(r)
    if len(headers) < len(spec.keys):
        left_out = [c.key for c in spec.columns[len(headers) :]]
        assert f"left out to fit {width} columns: {', '.join(left_out)}" in r.stderr


@pytest.mark.parametrize("width", [30, 12, 3])
def test_tiny_widths_leave_out_trailing_columns_but_never_cut_the_first(
    hostile: Cli, width: int
) -> None:
    rows = json_rows(hostile, ("sessions", "list"), sample.ADMIN)
    r = hostile("sessions", "list", actor=sample.ADMIN, env={"COLUMNS": str(width)})
    headers, lines = table_lines(r)
    assert "left out to fit" in r.stderr
    assert headers[0] == "ID" and len(lines) == len(rows)
    for row, line in zip(rows, lines, strict=True):
        assert line.split()[0] == str(row["id"])
    if width >= 4:  # the ID column (4 cells) fits: so does every line
        assert all(cell_len(line) <= width for line in r.stdout.splitlines())


# --- --columns -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LISTINGS)
def test_columns_pick_and_order_in_every_format(hostile: Cli, name: str) -> None:
    spec, args, id_key = LISTINGS[name]
    picked = [spec.keys[-1], id_key]  # the last key first, then the id
    option = ("--columns", ",".join(picked))
    full = json_rows(hostile, args, sample.ADMIN)
    as_json = json_rows(hostile, args, sample.ADMIN, *option)
    assert [list(row) for row in as_json] == [picked] * len(full)
    assert as_json == [{k: row[k] for k in picked} for row in full]
    r = hostile(*args, "--format", "csv", *option, actor=sample.ADMIN)
    reader = csv.reader(io.StringIO(r.stdout, newline=""))
    assert next(reader) == picked
    assert len(list(reader)) == len(full)
    r = hostile(*args, *option, actor=sample.ADMIN, env={"COLUMNS": "80"})
    headers, lines = table_lines(r)
    assert headers == [c.title for c in spec.pick(picked)]
    assert len(lines) == len(full)


def test_json_and_csv_keep_every_key_by_default(hostile: Cli) -> None:
    for spec, args, _ in LISTINGS.values():
        rows = json_rows(hostile, args, sample.ADMIN)
        assert all(tuple(row) == spec.keys for row in rows)
        r = hostile(*args, "--format", "csv", actor=sample.ADMIN)
        assert next(csv.reader(io.StringIO(r.stdout))) == list(spec.keys)


@pytest.mark.parametrize("name", LISTINGS)
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_unknown_column_is_exit_2_naming_the_valid_keys(hostile: Cli, name: str, fmt: str) -> None:
    spec, args, id_key = LISTINGS[name]
    r = hostile(*args, "--format", fmt, "--columns", f"{id_key},nope", actor=sample.ADMIN)
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == (
        f"error: --columns: unknown key 'nope'; valid keys: {', '.join(spec.keys)}\n"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "--columns: give one or more of these keys"),
        (",", "--columns: give one or more of these keys"),
        ("id,title,id", "--columns: id given more than once"),
        ("id,\x1b[2J", "unknown key '\\x1b[2J'"),
    ],
)
def test_bad_columns_values(hostile: Cli, value: str, message: str) -> None:
    r = hostile("sessions", "list", "--columns", value, actor=sample.ADMIN)
    assert r.exit_code == 2 and message in r.stderr and "Traceback" not in r.stderr
    assert "\x1b" not in r.stderr


def test_columns_are_read_case_and_space_insensitively(hostile: Cli) -> None:
    rows = json_rows(hostile, ("events", "list"), sample.ADMIN, "--columns", " ID , Name ")
    assert [list(r) for r in rows] == [["id", "name"]] * len(rows)


# --- bounded tables ---------------------------------------------------------------------------

BOUNDED: dict[str, tuple[str, ...]] = {
    "events": ("events", "list"),
    "sessions": ("sessions", "list", "--event", "12"),
    "communities": ("communities", "list"),
    "videos": ("videos", "list", "--community", "50"),
    "history": ("history", "--event", "12"),
}


@pytest.mark.parametrize("name", BOUNDED)
def test_a_table_shows_100_rows_and_says_what_it_left_out(many: Cli, name: str) -> None:
    args = BOUNDED[name]
    assert len(json_rows(many, args, sample.ADMIN)) == MANY  # JSON: every row
    r = many(*args, actor=sample.ADMIN)
    _, lines = table_lines(r)
    assert len(lines) == 100
    assert r.stderr == (
        "showing the first 100 of 150 rows, 50 left out: see them with --limit 150 or --all "
        "(or --format json/csv)\n"
    )
    r = many(*args, "--limit", "120", actor=sample.ADMIN)
    assert len(table_lines(r)[1]) == 120
    assert "showing the first 120 of 150 rows, 30 left out" in r.stderr
    r = many(*args, "--all", actor=sample.ADMIN)
    assert len(table_lines(r)[1]) == MANY
    assert r.stderr == ""
    r = many(*args, "--limit", "150", actor=sample.ADMIN)
    assert len(table_lines(r)[1]) == MANY
    assert r.stderr == ""


@pytest.mark.parametrize("name", BOUNDED)
def test_json_and_csv_list_everything_unless_limit(many: Cli, name: str) -> None:
    args = BOUNDED[name]
    full = json_rows(many, args, sample.ADMIN)
    assert len(full) == MANY
    assert json_rows(many, args, sample.ADMIN, "--limit", "120") == full[:120]
    assert json_rows(many, args, sample.ADMIN, "--all") == full
    for extra, n in (((), MANY), (("--limit", "7"), 7)):
        r = many(*args, "--format", "csv", *extra, actor=sample.ADMIN)
        assert r.exit_code == 0 and r.stderr == ""
        assert len(list(csv.DictReader(io.StringIO(r.stdout)))) == n


@pytest.mark.parametrize("name", BOUNDED)
@pytest.mark.parametrize(
    "bad",
    [
        ["--limit", "0"],
        ["--limit", "-3"],
        ["--limit", str(2**63)],
        ["--limit", "9" * 40],
        ["--limit", "x"],
        ["--limit", "5", "--all"],
    ],
)
def test_bad_limits_are_exit_2(many: Cli, name: str, bad: list[str]) -> None:
    r = many(*BOUNDED[name], *bad, actor=sample.ADMIN)
    assert (r.exit_code, r.stdout) == (2, "")
    assert "--limit" in r.stderr and "Traceback" not in r.stderr


def test_the_largest_limit_is_accepted(many: Cli) -> None:
    rows = json_rows(many, BOUNDED["history"], sample.ADMIN, "--limit", str(2**63 - 1))
    assert len(rows) == MANY
    r = many(*BOUNDED["history"], "--limit", str(2**63 - 1), actor=sample.ADMIN)
    assert len(table_lines(r)[1]) == MANY


@pytest.fixture
def statements() -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement sent to the database while the test runs."""
    from sqlalchemy import Engine, event

    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


def _counts(statement: str) -> bool:
    """The statement that counts a listing's rows (a listing may count in its columns)."""
    return statement.lstrip().lower().startswith("select count(*)")


def _params(params: Any) -> list[Any]:
    if isinstance(params, dict):
        return list(params.values())
    return list(params or ())


@pytest.mark.parametrize("name", BOUNDED)
def test_a_bounded_table_fetches_only_the_rows_it_shows(
    many: Cli, name: str, statements: list[tuple[str, Any]]
) -> None:
    # The listing's query carries LIMIT 101 (one more row tells that some are left out),
    # then one COUNT says how many; JSON asks for every row and counts nothing (on
    # PostgreSQL with the probe's LIMIT of a chunk and a row: 150 rows fit in one chunk,
    # so that one statement is the listing).
    r = many(*BOUNDED[name], actor=sample.ADMIN)
    assert r.exit_code == 0
    limited = [(s, p) for s, p in statements if "LIMIT" in s.upper()]
    assert limited and all(101 in _params(p) for _, p in limited), limited
    assert any(_counts(s) for s, _ in statements)
    statements.clear()
    r = many(*BOUNDED[name], "--format", "json", actor=sample.ADMIN)
    assert r.exit_code == 0 and len(r.json()) == MANY
    limited = [(s, p) for s, p in statements if "LIMIT" in s.upper()]
    if many.url.startswith("postgresql"):
        assert len(limited) == 1 and CHUNK_ROWS + 1 in _params(limited[0][1]), limited
    else:
        assert not limited, limited
    assert not [s for s, _ in statements if _counts(s)]


def test_a_table_that_shows_everything_counts_nothing(
    many: Cli, statements: list[tuple[str, Any]]
) -> None:
    r = many("events", "list", "--limit", "500", actor=sample.ADMIN)
    assert len(table_lines(r)[1]) == MANY and r.stderr == ""
    assert not [s for s, _ in statements if _counts(s)]


# --- show commands -----------------------------------------------------------------------------

LABELS = {
    ("sessions", "show", "1000"): ["Migration", "ID", "Title", "Public on event", "Summary"],
    ("videos", "show", "1"): ["ID", "Community", "Source event", "Status changed", "Summary"],
}


@pytest.mark.parametrize("args", LABELS, ids=[" ".join(a) for a in LABELS])
def test_show_fits_80_columns_wrapping_values_not_labels(
    hostile: Cli, args: tuple[str, ...]
) -> None:
    r = hostile(*args, actor=sample.ADMIN, env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    starts = [line.split("  ")[0] for line in lines]
    for label in LABELS[args]:
        assert label in starts, label  # a label is whole, on the line its value starts
    assert len(lines) > len(LABELS[args]) + 5  # long values wrapped onto more lines
    for ch in RAW_CONTROLS:
        assert ch not in r.stdout


def test_delete_details_fit_80_columns(cli: Cli) -> None:
    assert cli.load(hostile_export()).exit_code == 0
    migrate_all(cli, 50, 10)
    r = cli("sessions", "delete", "1000", "--yes", actor=sample.ADMIN, env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.stderr
    assert all(cell_len(line) <= 80 for line in r.stdout.splitlines())
    assert any(line.startswith("Community title ") for line in r.stdout.splitlines())


def test_migrate_audit_fits_the_width(cli: Cli) -> None:
    data = hostile_export()
    assert cli.load(data).exit_code == 0
    args = (
        "migrate",
        "--community",
        "50",
        "--event",
        "10",
        "--session",
        "1000",
        "--session",
        "1001",
        "--session",
        "1004",
        "--yes",
    )
    for width in (80, 120):
        r = cli(*args, "--dry-run", actor=sample.ADMIN, env={"COLUMNS": str(width)})
        assert r.exit_code == 1, r.stderr  # 1004 is in person: refused
        assert all(cell_len(line) <= width for line in r.stdout.splitlines())
        headers, _ = table_lines(r, exit_code=1)
        assert headers == ["Session", "Title", "Outcome", "Reason", "Video"]
        assert "in person session:" in r.stdout  # the reason wraps, uncut
        assert "Community " in r.stdout and sample.ADMIN in r.stdout  # said once, below


# --- the layout itself ------------------------------------------------------------------------


def test_fit_widths_keeps_natural_widths_when_they_fit() -> None:
    assert fit_widths([4, 10, 6], [4, 8, 6], 24) == [4, 10, 6]


def test_fit_widths_shrinks_only_what_may_shrink_and_shares_fairly() -> None:
    # ID 4 fixed, two text columns of 40 and 5, a fixed date of 10; 40 cells.
    widths = fit_widths([4, 40, 5, 10], [4, 8, 5, 10], 40)
    assert widths == [4, 15, 5, 10]
    assert sum(widths) + 2 * 3 == 40
    assert fit_widths([4, 40, 30, 10], [4, 8, 8, 10], 40) == [4, 10, 10, 10]


def test_fit_widths_says_when_even_minimums_do_not_fit() -> None:
    assert fit_widths([4, 40], [4, 8], 13) is None
    assert fit_widths([4, 40], [4, 8], 14) == [4, 8]


def test_layout_leaves_out_columns_from_the_right_and_keeps_headers_whole() -> None:
    cols = [
        Col("id", "ID"),
        Col("title", text=True),
        Col("community_title", "Community", text=True),
    ]
    cells = [["1000", "x" * 50, "y" * 50]]
    assert layout(cols, cells, 80).widths == (4, 36, 36)
    fit = layout(cols, cells, 30)
    assert fit.shown == (0, 1, 2) and fit.widths == (4, 11, 11)
    assert layout(cols, cells, 25).widths == (4, MIN_TEXT, 9)  # headers whole
    assert layout(cols, cells, 24).shown == (0, 1)
    assert layout(cols, cells, 20).shown == (0, 1)
    assert layout(cols, cells, 2).shown == (0,) and layout(cols, cells, 2).widths == (4,)


def test_cut_counts_terminal_cells() -> None:
    assert cut("Keynote", 7) == "Keynote"
    assert cut("Keynote", 6) == "Keyno…"
    assert cut("日本語のタイトル", 7) == "日本語…"  # never half a wide character
    assert cell_len(cut("🎥🎥🎥🎥", 5)) <= 5
    assert cut("abc", 1) == "…"
    assert cut("abc", 0) == ""


def test_listing_specs_default_to_a_few_columns_with_their_id() -> None:
    for spec, _, id_key in LISTINGS.values():
        assert id_key in spec.default
        assert len(spec.default) <= 6
    with pytest.raises(ValueError):
        ListingSpec("x", (Col("id"),), ("nope",))


def test_videos_publish_table_shows_the_listing_default_columns(cli: Cli) -> None:
    build_hostile(cli)
    r = cli("videos", "publish", "1", "2", actor=sample.ADMIN, env={"COLUMNS": "80"})
    headers, lines = table_lines(r)
    assert headers == [c.title for c in VIDEOS.pick(VIDEOS.default)]
    assert len(lines) == 2 and all(cell_len(line) <= 80 for line in r.stdout.splitlines())
    r = cli("videos", "unpublish", "1", "--format", "json", actor=sample.ADMIN)
    assert tuple(r.json()[0]) == VIDEOS.keys


def test_the_window_a_listing_asks_the_store_for() -> None:
    from sessionmig.paging import Window
    from sessionmig.render import ListOptions

    def window(fmt: str, **kw: Any) -> Window:
        return ListOptions.parse(SESSIONS, fmt, **kw).window()

    assert window("table") == Window(100, count_rest=True)
    assert window("table", limit=120) == Window(120, count_rest=True)
    assert window("table", all=True) == Window(None)
    assert window("json") == window("csv") == window("json", all=True) == Window(None)
    assert window("csv", limit=7) == Window(7)


def test_pager_command(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from sessionmig import render

    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    assert render.pager_command({}) == ["less", "-FRX"]
    assert render.pager_command({"PAGER": "  "}) == ["less", "-FRX"]
    assert render.pager_command({"PAGER": "more -d"}) == ["more", "-d"]
    env = {"SESSIONMIG_PAGER": "'my pager' --x 'a b'", "PAGER": "more"}
    assert render.pager_command(env) == ["my pager", "--x", "a b"]  # split like a shell
    for off in ("", "cat", "/bin/cat -v", "   "):
        assert render.pager_command({"SESSIONMIG_PAGER": off, "PAGER": "more"}) is None
    assert render.pager_command({"PAGER": "cat"}) is None
    assert render.pager_command({"SESSIONMIG_PAGER": "less 'unclosed"}) is None
    assert "SESSIONMIG_PAGER: cannot read" in capsys.readouterr().err
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert render.pager_command({}) is None  # no less installed: no pager
