"""Text from the data is shown literally (or visibly escaped) in every table and notice,
and comes out unchanged in JSON and CSV."""

from __future__ import annotations

import csv
import io

import pytest

from sessionmig.render import literal
from tests import sample
from tests.conftest import Cli

HOSTILE = (
    "[bold red]Boom[/] [link=https://evil.test]click[/link] "
    "\x1b[2J\x1b]8;;https://evil.test\x07osc\x1b]8;;\x07 \rover \u202eevil\u202c "
    ":smile: 🎥"
)
WIDE = {"COLUMNS": "2000"}  # no wrapping: assertions read whole cells
RAW_CONTROLS = ("\x1b", "\x07", "\r", "\u202e", "\u202c")


def check_terminal_text(text: str) -> None:
    for ch in RAW_CONTROLS:
        assert ch not in text, repr(ch)
    assert "[bold red]Boom[/]" in text
    assert "[link=https://evil.test]click[/link]" in text
    assert "\\x1b[2J" in text and "\\u202e" in text and "\\x0dover" in text
    assert ":smile:" in text  # no emoji substitution


@pytest.fixture
def hostile(cli: Cli) -> Cli:
    data = sample.export()
    data["sessions"][0]["title"] = HOSTILE
    data["sessions"][0]["summary"] = HOSTILE
    data["events"][0]["name"] = HOSTILE
    data["communities"][0]["title"] = HOSTILE
    data["users"][0]["name"] = HOSTILE
    data["speakers"][0]["name"] = HOSTILE
    assert cli.load(data).exit_code == 0
    r = cli(
        "migrate",
        "--community",
        "50",
        "--event",
        "10",
        "--session",
        "1000",
        "--yes",
        actor=sample.ADMIN,
        env=WIDE,
    )
    assert r.exit_code == 0, r.stderr
    check_terminal_text(r.stdout)
    check_terminal_text(r.stderr)  # the summary line names the community and event
    return cli


@pytest.mark.parametrize(
    "args",
    [
        ["events", "list"],
        ["sessions", "list", "--event", "10"],
        ["sessions", "show", "1000"],
        ["communities", "list"],
    ],
)
def test_tables_show_data_literally(hostile: Cli, args: list[str]) -> None:
    r = hostile(*args, actor=sample.ADMIN, env=WIDE)
    assert r.exit_code == 0
    check_terminal_text(r.stdout)


def test_migration_notice_is_literal(hostile: Cli) -> None:
    r = hostile("sessions", "show", "1000", actor=sample.ADMIN, env=WIDE)
    notice = next(line for line in r.stdout.splitlines() if "Migrated to community" in line)
    assert "[bold red]Boom[/]" in notice


def test_json_and_csv_carry_the_data_unchanged(hostile: Cli) -> None:
    shown = hostile("sessions", "show", "1000", "-f", "json", actor=sample.ADMIN).json()
    assert shown["title"] == HOSTILE and shown["summary"] == HOSTILE
    assert shown["event"] == HOSTILE
    assert shown["migration"]["community_title"] == HOSTILE
    assert shown["migration"]["actor_name"] == HOSTILE
    assert shown["speakers"][0] == HOSTILE or HOSTILE in shown["speakers"]
    r = hostile("sessions", "list", "--event", "10", "-f", "csv", actor=sample.ADMIN)
    rows = list(csv.DictReader(io.StringIO(r.stdout, newline="")))
    assert rows[0]["title"] == HOSTILE and rows[0]["community"] == HOSTILE


def test_literal_escapes_every_dangerous_character() -> None:
    assert literal("a\x1bb") == "a\\x1bb"
    assert literal("\u202e") == "\\u202e"
    assert literal("line\nbreak") == "line\\x0abreak"
    assert literal("keep\nlines", keep_newlines=True) == "keep\nlines"
    assert literal("\x9b31m") == "\\x9b31m"  # C1 CSI
    assert literal("plain [b]text[/b] é 🎥") == "plain [b]text[/b] é 🎥"
