"""`sessionmig load`: validation in full before writing, idempotence, scoping of ids."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests import sample
from tests.conftest import Cli, data_rows, dump_store, table_counts


def test_load_then_reload_changes_nothing(cli: Cli) -> None:
    first = cli.load(sample.export())
    assert first.exit_code == 0, first.stderr
    before = dump_store(cli.url)
    assert len(before["session"]) == len(sample.export()["sessions"])
    again = cli.load(sample.export())
    assert again.exit_code == 0, again.stderr
    assert dump_store(cli.url) == before


def test_load_json_report(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    path.write_text(json.dumps(sample.export()))
    r = cli("load", str(path), "--format", "json")
    assert r.exit_code == 0
    report = r.json()
    assert report["sessions"] == 9
    assert report["users"] == 9
    assert report["skipped_deleted_sessions"] == []


def test_load_updates_by_id(loaded: Cli) -> None:
    data = sample.export()
    data["sessions"][0]["title"] = "Keynote (edited)"
    data["sessions"][0]["speaker_ids"] = [6]
    assert loaded.load(data).exit_code == 0
    shown = loaded(
        "sessions", "show", str(sample.ONLINE_FILE), "--format", "json", actor=sample.ADMIN
    ).json()
    assert shown["title"] == "Keynote (edited)"
    assert shown["speakers"] == ["Tom Peeters"]


def test_every_error_is_listed_with_its_place_and_nothing_is_written(cli: Cli) -> None:
    data = sample.export()
    data["sessions"][3]["format"] = "webinar"
    data["sessions"][1]["event_id"] = 999
    data["events"][0]["starts_on"] = "June 1st"
    data["users"][0]["grants"].append({"role": "owner", "scope": "client"})
    r = cli.load(data)
    assert r.exit_code == 2
    assert "sessions[3].format: 'webinar' is not one of online, in_person, hybrid" in r.stderr
    assert "events[0].starts_on: 'June 1st' is not a date (YYYY-MM-DD)" in r.stderr
    assert "users[0].grants[1].role: 'owner' is not one of admin, contributor, reader" in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("error: the file is invalid (")
    assert "Traceback" not in r.stderr
    assert data_rows(cli.url) == 0


def test_dangling_and_cross_client_references_are_errors(cli: Cli) -> None:
    data = sample.export()
    data["sessions"][1]["event_id"] = 999
    data["sessions"][0]["speaker_ids"] = [5, 95]  # 95 is Globex's speaker
    data["users"][0]["grants"].append({"role": "reader", "scope": "event", "scope_id": 90})
    data["sessions"].append(copy.deepcopy(data["sessions"][2]))
    r = cli.load(data)
    assert r.exit_code == 2
    assert "sessions[1].event_id: event 999 does not exist" in r.stderr
    assert "sessions[0].speaker_ids[1]: speaker 95 belongs to another client" in r.stderr
    assert "users[0].grants[1].scope_id: event 90 belongs to another client" in r.stderr
    assert "sessions[9].id: duplicate id 1002 (also sessions[2])" in r.stderr
    assert data_rows(cli.url) == 0


def test_references_may_point_to_objects_already_in_the_store(loaded: Cli) -> None:
    extra = {
        "sessions": [
            {
                "id": 1200,
                "event_id": 11,
                "title": "Late add",
                "format": "online",
                "source": {"kind": "url", "ref": "https://x.test/e"},
                "speaker_ids": [5],
                "partner_ids": [],
            }
        ]
    }
    r = loaded.load(extra)
    assert r.exit_code == 0, r.stderr
    # An id already held by another client cannot be taken over.
    steal = {"speakers": [{"id": 95, "client_id": 1, "name": "Gus"}]}
    r = loaded.load(steal)
    assert r.exit_code == 2
    assert "speakers[0].id: speaker 95 belongs to another client" in r.stderr


def test_not_json_not_utf8_and_wrong_top_level(cli: Cli, tmp_path: Path) -> None:
    cases = {
        b"this is not json": "file: not valid JSON",
        b"\xff\xfe{}": "file: not valid UTF-8",
        b"[1, 2]": "(top level): the top level must be a JSON object",
        b'{"sessions": 3}': "sessions: expected a list",
        b'{"widgets": []}': "widgets: unknown field",
    }
    for raw, expected in cases.items():
        path = tmp_path / "bad.json"
        path.write_bytes(raw)
        r = cli("load", str(path))
        assert r.exit_code == 2, raw
        assert expected in r.stderr, (raw, r.stderr)
        assert "Traceback" not in r.stderr
    assert data_rows(cli.url) == 0


def test_missing_file_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    r = cli("load", str(tmp_path / "nope.json"))
    assert r.exit_code == 2
    assert "error: cannot read" in r.stderr


def test_load_from_stdin(cli: Cli) -> None:
    r = cli("load", "-", input=json.dumps(sample.export()))
    assert r.exit_code == 0, r.stderr


def test_text_is_stored_as_is(cli: Cli) -> None:
    data = sample.export()
    weird = "[bold red]Hi[/] \x1b[2J \u202e emoji 🎥 \r end"
    data["sessions"][0]["title"] = weird
    assert cli.load(data).exit_code == 0
    shown = cli(
        "sessions", "show", str(sample.ONLINE_FILE), "--format", "json", actor=sample.ADMIN
    ).json()
    assert shown["title"] == weird


def test_nul_and_oversized_strings_are_refused(cli: Cli) -> None:
    data = sample.export()
    data["sessions"][0]["title"] = "a\x00b"
    data["sessions"][1]["title"] = "x" * 501
    data["sessions"][2]["summary"] = "y" * 20_001
    r = cli.load(data)
    assert r.exit_code == 2
    assert "sessions[0].title: must not contain NUL characters" in r.stderr
    assert "sessions[1].title: longer than 500 characters" in r.stderr
    assert "sessions[2].summary: longer than 20000 characters" in r.stderr


def _load_text(cli: Cli, tmp_path: Path, text: str) -> Any:
    path = tmp_path / "dup.json"
    path.write_text(text, encoding="utf-8")
    return cli("load", str(path))


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            '{"clients": [{"id": 1, "name": "First", "name": "Second"}]}',
            "clients[0]: duplicate key 'name'",
        ),
        (
            '{"clients": [{"id": 1, "name": "A"}], "clients": [{"id": 2, "name": "B"}]}',
            "(top level): duplicate key 'clients'",
        ),
        (
            '{"clients": [{"id": 1, "name": "A"}], "audiences": [], "sessions": [{"id": 5, '
            '"event_id": 1, "title": "t", "format": "online", '
            '"source": {"kind": "url", "ref": "https://x.test/1", "kind": "live"}}]}',
            "sessions[0].source: duplicate key 'kind'",
        ),
        (
            '{"users": [{"id": 3, "client_id": 1, "email": "a@b.test", "name": "A", '
            '"grants": [{"role": "admin", "scope": "client"}, '
            '{"role": "reader", "scope": "event", "scope_id": 10, "role": "admin"}]}]}',
            "users[0].grants[1]: duplicate key 'role'",
        ),
        (
            '{"clients": [{"id": 1, "name": "A", "id": 1}]}',
            "clients[0]: duplicate key 'id'",
        ),
        (
            '{"clients": [{"id": 1, "na\\u006de": "A", "name": "B"}]}',
            "clients[0]: duplicate key 'name'",
        ),
    ],
)
def test_duplicate_keys_are_refused_with_their_place(
    cli: Cli, tmp_path: Path, text: str, error: str
) -> None:
    """JSON would keep the last of two equal keys silently: the file is refused instead."""
    json.loads(text)  # the file is valid JSON: only the duplicate is wrong
    before = table_counts(cli.url)
    r = _load_text(cli, tmp_path, text)
    assert r.exit_code == 2, r.stderr
    assert f"  {error}\n" in r.stderr, r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("error: the file is invalid")
    assert table_counts(cli.url) == before
