"""`sessionmig demo` and `migrate` end to end in a real pseudo-terminal (tests/ptyterm.py):
the installed console script, driven with pexpect like a person at a keyboard."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sessionmig import demo
from tests.ptyterm import (
    BACKSPACE,
    CTRL_A,
    CTRL_C,
    CTRL_I,
    DOWN,
    ENTER,
    SPACE,
    console_script,
    pty_env,
    spawner,
)


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Any]:
    yield from spawner(tmp_path)


def migrated_sessions(url: str) -> dict[int, int]:
    """session id -> community id, read back by a non-interactive process."""
    done = subprocess.run(
        [
            console_script(),
            "--as",
            demo.DEMO_ADMIN_EMAIL,
            "sessions",
            "list",
            "--migrated",
            "--format",
            "json",
        ],
        env=pty_env(url, {"SESSIONMIG_NO_PROMPT": "1"}),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return {row["id"]: row["community_id"] for row in json.loads(done.stdout)}


def demo_prompt_order() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, list[int]]]:
    """What the demo admin's prompts list: communities by title, events by start date, and
    the eligible (R4) sessions of each event in id order."""
    export = demo.demo_export()
    client = demo.DEMO_CLIENT_ID
    audiences = {a["id"] for a in export["audiences"] if a["client_id"] == client}
    communities = sorted(
        (c for c in export["communities"] if c["audience_id"] in audiences),
        key=lambda c: (c["title"], c["id"]),
    )
    events = sorted(
        (e for e in export["events"] if e["audience_id"] in audiences),
        key=lambda e: (e["starts_on"], e["id"]),
    )
    eligible: dict[int, list[int]] = {e["id"]: [] for e in events}
    for s in sorted(export["sessions"], key=lambda s: s["id"]):
        source = s.get("source") or {}
        if (
            s["event_id"] in eligible
            and s["format"] == "online"
            and source.get("kind") in ("video_file", "url")
        ):
            eligible[s["event_id"]].append(s["id"])
    return communities, events, eligible


def test_demo_interactive_migration_in_a_terminal(spawn: Any, sqlite_url: str) -> None:
    communities, events, eligible = demo_prompt_order()
    assert len(communities) >= 2
    community = communities[1]  # one arrow down
    event = next(e for e in events if eligible[e["id"]])  # the list starts on it
    expected = eligible[event["id"]][1:]  # Ctrl-A ticks all, space unticks the first
    assert expected

    term = spawn(sqlite_url, "demo")
    term.expect("Destination community")
    term.send(DOWN + ENTER)
    term.expect("Source event")
    term.send(ENTER)
    term.expect("Sessions to migrate")
    term.send(CTRL_A + SPACE + ENTER)
    term.expect(f"Migrate {len(expected)} session")
    term.send("y")
    term.expect("Migration audit")
    term.expect(f"{len(expected)} migrated, 0 already migrated, 0 refused")
    assert term.finish() == 0
    assert "Traceback" not in term.log_path.read_text(encoding="utf-8", errors="replace")

    assert migrated_sessions(sqlite_url) == dict.fromkeys(expected, community["id"])


def test_demo_interactive_migration_in_a_french_terminal(spawn: Any, sqlite_url: str) -> None:
    """SPEC "Languages": the same flow for a person whose locale is French (LANG), with
    the French answer `o` (oui) at the confirmation."""
    communities, events, eligible = demo_prompt_order()
    event = next(e for e in events if eligible[e["id"]])
    expected = eligible[event["id"]]

    term = spawn(sqlite_url, "demo", env={"SESSIONMIG_LANG": "", "LANG": "fr_FR.UTF-8"})
    term.expect("Communauté de destination :")
    term.expect("tapez pour filtrer par titre ou #id")
    term.send(ENTER)
    term.expect("Évènement source :")
    term.send(ENTER)
    term.expect("Sessions à migrer :")
    term.expect("<espace> coche")
    term.send(CTRL_A + ENTER)
    term.expect(f"Migrer {len(expected)} sessions de")
    term.expect("(o/N)")
    term.send("o")
    term.expect("Oui")
    term.expect("Bilan de la migration")
    term.expect(f"{len(expected)} migrées, 0 déjà migrée, 0 refusée")
    assert term.finish() == 0
    assert "Traceback" not in term.log_path.read_text(encoding="utf-8", errors="replace")
    assert migrated_sessions(sqlite_url) == dict.fromkeys(expected, communities[0]["id"])


def test_ctrl_c_at_the_first_prompt_exits_130_and_migrates_nothing(
    spawn: Any, sqlite_url: str
) -> None:
    term = spawn(sqlite_url, "demo")
    term.expect("Destination community")
    term.send(CTRL_C)
    term.expect("cancelled")
    assert term.finish() == 130
    log = term.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log
    assert migrated_sessions(sqlite_url) == {}
    # The demo organisation was loaded (committed) before the first prompt: the last line
    # says so, never "nothing was changed".
    assert "nothing was changed" not in log
    last = log.strip().splitlines()[-1]
    assert "error: cancelled; already committed: demo organisation loaded into" in last, log


def test_ctrl_c_at_the_confirmation_exits_130_and_migrates_nothing(
    spawn: Any, sqlite_url: str
) -> None:
    term = spawn(sqlite_url, "demo")
    term.expect("Destination community")
    term.send(ENTER)
    term.expect("Source event")
    term.send(ENTER)
    term.expect("Sessions to migrate")
    term.send(CTRL_A + ENTER)
    term.expect("cannot be undone")
    term.send(CTRL_C)
    term.expect("cancelled")
    assert term.finish() == 130
    assert migrated_sessions(sqlite_url) == {}


def test_pickers_filter_as_you_type_in_a_terminal(spawn: Any, sqlite_url: str) -> None:
    """Screens for people: each picker filters by what is typed, matching the title or the
    `#id` of its labels; in the checkbox, Ctrl-I (questionary's invert with the filter on)
    works in a real terminal, and the instruction line says which keys do what."""
    communities, events, eligible = demo_prompt_order()
    community = communities[-1]
    event = next(e for e in events if len(eligible[e["id"]]) >= 2)
    typed_out = eligible[event["id"]][-1]
    expected = [s for s in eligible[event["id"]] if s != typed_out]

    term = spawn(sqlite_url, "demo")
    term.expect("Destination community")
    term.expect("type to filter")
    term.send(f"#{community['id']}  " + ENTER)
    term.expect("Source event")
    term.send(f"#{event['id']}  " + ENTER)
    term.expect("Sessions to migrate")
    term.expect("<ctrl-i> invert")
    # Tick the session typed by id, clear the filter, then invert: every other eligible one.
    filter_text = f"#{typed_out}"
    term.send(filter_text + SPACE + BACKSPACE * len(filter_text) + CTRL_I + ENTER)
    term.expect(f"Migrate {len(expected)} session")
    term.send("y")
    term.expect(f"{len(expected)} migrated, 0 already migrated, 0 refused")
    assert term.finish() == 0
    assert "Traceback" not in term.screen()
    assert migrated_sessions(sqlite_url) == dict.fromkeys(expected, community["id"])
