"""A time shown on a terminal can be pasted back: listings show local time with a numeric
offset (`2026-11-24 16:44:56 +01:00`), and `--since`/`--until` accept exactly that, so the
record it names is found. Zone names (`CET`) are ambiguous and refused with the fix."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sessionmig.commands.history import parse_when
from sessionmig.errors import UsageError
from sessionmig.render import friendly_time
from tests import sample
from tests.conftest import Cli, migrate_sessions
from tests.proc import base_env

SHOWN = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}")
AT = datetime(2026, 11, 24, 15, 44, 56, 250000, tzinfo=UTC)  # 16:44:56 in Paris


@pytest.fixture
def paris(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_terminal_shows_local_time_with_a_numeric_offset(paris: None) -> None:
    assert friendly_time(AT, terminal=True) == "2026-11-24 16:44:56 +01:00"
    summer = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert friendly_time(summer, terminal=True) == "2026-07-01 10:00:00 +02:00"
    assert friendly_time(AT, terminal=False) == "2026-11-24T15:44:56Z"


@pytest.mark.parametrize(
    "shown",
    [
        "2026-11-24 16:44:56 +01:00",
        "2026-11-24 16:44:56+01:00",
        "2026-11-24 16:44:56 +0100",
        "2026-11-24T16:44:56+01:00",
        "2026-11-24 15:44:56 Z",
        "2026-11-24 15:44:56 UTC",
        "2026-11-24T15:44:56Z",
    ],
)
def test_what_is_shown_parses_back_to_that_second(shown: str) -> None:
    assert parse_when("--since", shown) == AT.replace(microsecond=0)
    assert parse_when("--until", shown, end=True) == AT.replace(microsecond=0, second=57)


@pytest.mark.parametrize("zone", ["CET", "CEST", "EST", "Europe/Paris"])
def test_zone_names_are_refused_with_the_numeric_form(zone: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_when("--until", f"2026-11-24 16:44:56 {zone}")
    assert "--until" in info.value.message and "+01:00" in info.value.message


def test_a_time_pasted_from_a_terminal_listing_selects_that_record(
    loaded: Cli, tmp_path: Path
) -> None:
    """End to end: `history` in a real terminal (TZ=Europe/Paris), the time copied from its
    table, pasted into --since and --until, finds exactly that record."""
    pexpect = pytest.importorskip("pexpect")
    migrate_sessions(loaded, 50, 10, [sample.ONLINE_FILE], at=AT)
    migrate_sessions(loaded, 50, 10, [sample.ONLINE_URL], at=AT.replace(second=57, microsecond=100))
    env = base_env(SESSIONMIG_DB=loaded.url, TZ="Europe/Paris", TERM="xterm")
    env.pop("COLUMNS")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "sessionmig", "--as", sample.ADMIN, "history", "--session", str(sample.ONLINE_FILE)],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 250),
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    shown = SHOWN.findall(child.before)
    assert shown == ["2026-11-24 16:44:56 +01:00"], child.before
    pasted = subprocess.run(
        [
            sys.executable,
            "-m",
            "sessionmig",
            *["--as", sample.ADMIN, "history", "--since", shown[0], "--until", shown[0]],
            *["--format", "json"],
        ],
        env={**env, "TZ": "America/New_York"},  # whoever pastes it, wherever they are
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert pasted.returncode == 0, pasted.stderr
    assert [r["session_id"] for r in json.loads(pasted.stdout)] == [sample.ONLINE_FILE]
    assert os.environ.get("TZ") != "America/New_York"
