"""Back-office listings, scoped to the actor's client and grants."""

from __future__ import annotations

import csv
import io

import pytest

from tests import sample
from tests.conftest import Cli


def ids(rows: list[dict[str, object]]) -> list[object]:
    return [r["id"] for r in rows]


def test_admin_sees_every_event_of_their_client_with_counts(loaded: Cli) -> None:
    r = loaded("events", "list", "--format", "json", actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    rows = r.json()
    assert ids(rows) == [10, 11]
    summit = rows[0]
    assert summit == {
        "id": 10,
        "name": "Acme Summit 2026",
        "audience": "Acme France",
        "starts_on": "2026-06-01",
        "ends_on": "2026-06-02",
        "sessions": 7,
        "eligible": 3,
        "migrated": 0,
    }


def test_reader_of_one_event_sees_only_that_event(loaded: Cli) -> None:
    rows = loaded("events", "list", "--format", "json", actor=sample.EVENT_READER).json()
    assert ids(rows) == [11]
    sessions = loaded("sessions", "list", "--format", "json", actor=sample.EVENT_READER).json()
    assert ids(sessions) == [sample.EVENT11_ONLINE]
    r = loaded("sessions", "show", str(sample.ONLINE_FILE), actor=sample.EVENT_READER)
    assert r.exit_code == 4
    assert r.stderr.strip() == f"error: session {sample.ONLINE_FILE} not found"


def test_other_client_sees_only_its_own(loaded: Cli) -> None:
    rows = loaded("events", "list", "--format", "json", actor=sample.OTHER_ADMIN).json()
    assert ids(rows) == [90]
    comms = loaded("communities", "list", "--format", "json", actor=sample.OTHER_ADMIN).json()
    assert ids(comms) == [95]


def test_audience_admin_sees_their_audience(loaded: Cli) -> None:
    assert ids(loaded("events", "list", "-f", "json", actor=sample.AUDIENCE_ADMIN).json()) == [10]
    comms = loaded("communities", "list", "-f", "json", actor=sample.AUDIENCE_ADMIN).json()
    assert ids(comms) == [50]


def test_community_grant_reads_no_event(loaded: Cli) -> None:
    assert loaded("events", "list", "-f", "json", actor=sample.COMMUNITY_ADMIN).json() == []
    comms = loaded("communities", "list", "-f", "json", actor=sample.COMMUNITY_ADMIN).json()
    assert ids(comms) == [50]


def test_unknown_id_and_other_clients_id_answer_the_same(loaded: Cli) -> None:
    unknown = loaded("sessions", "show", "424242", actor=sample.ADMIN)
    foreign = loaded("sessions", "show", str(sample.OTHER_CLIENT_SESSION), actor=sample.ADMIN)
    assert unknown.exit_code == foreign.exit_code == 4
    assert unknown.stderr.replace("424242", "N") == foreign.stderr.replace(
        str(sample.OTHER_CLIENT_SESSION), "N"
    )
    for event in ("424242", "90"):
        r = loaded("sessions", "list", "--event", event, actor=sample.ADMIN)
        assert r.exit_code == 4
        assert r.stderr.strip() == f"error: event {event} not found"


def test_sessions_list_filters(loaded: Cli) -> None:
    def listed(*args: str) -> list[object]:
        r = loaded("sessions", "list", *args, "--format", "json", actor=sample.ADMIN)
        assert r.exit_code == 0, r.stderr
        return ids(r.json())

    assert listed("--event", "10", "--eligible") == [
        sample.ONLINE_FILE,
        sample.ONLINE_URL,
        sample.ONLINE_FILE_2,
    ]
    assert listed("--event", "11") == [sample.EVENT11_ONLINE]
    assert listed("--migrated") == []
    assert len(listed("--public")) == 8
    rows = loaded("sessions", "list", "--event", "10", "-f", "json", actor=sample.ADMIN).json()
    by_id = {r["id"]: r for r in rows}
    assert by_id[sample.ONLINE_LIVE]["eligibility"] == "no_recording"
    assert by_id[sample.IN_PERSON]["eligibility"] == "not_online"
    assert by_id[sample.ONLINE_NONE]["source"] == "none"
    assert set(rows[0]) == {
        "id",
        "event_id",
        "title",
        "format",
        "source",
        "public",
        "eligibility",
        "community_id",
        "community",
    }


def test_sessions_list_csv_parses_back(loaded: Cli) -> None:
    r = loaded("sessions", "list", "--event", "10", "--format", "csv", actor=sample.ADMIN)
    assert r.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [int(x["id"]) for x in rows][:2] == [sample.ONLINE_FILE, sample.ONLINE_URL]
    assert rows[0]["title"] == "Keynote"


def test_session_show_table_and_json(loaded: Cli) -> None:
    r = loaded("sessions", "show", str(sample.ONLINE_FILE), actor=sample.ADMIN)
    assert r.exit_code == 0
    assert "Keynote" in r.stdout and "Lea Dubois, Tom Peeters" in r.stdout
    data = loaded(
        "sessions", "show", str(sample.ONLINE_FILE), "-f", "json", actor=sample.ADMIN
    ).json()
    assert data["speakers"] == ["Lea Dubois", "Tom Peeters"]
    assert data["partners"] == ["Initech", "Umbrella"]
    assert data["migration"] is None
    assert data["eligibility"] == "eligible"


def test_tables_print_data_literally(cli: Cli) -> None:
    data = sample.export()
    data["sessions"][0]["title"] = "[bold red]Boom[/] \x1b[2J\x1b]8;;http://evil\x07x\u202e"
    assert cli.load(data).exit_code == 0
    r = cli("sessions", "list", "--event", "10", actor=sample.ADMIN)
    assert "[bold red]Boom[/]" in r.stdout
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout and "\x07" not in r.stdout
    assert "\\x1b[2J" in r.stdout and "\\u202e" in r.stdout


@pytest.mark.parametrize("args", [["sessions", "show", "0"], ["sessions", "list", "--event", "-3"]])
def test_bad_ids_are_usage_errors(loaded: Cli, args: list[str]) -> None:
    r = loaded(*args, actor=sample.ADMIN)
    assert r.exit_code == 2
    assert "Traceback" not in r.stderr


def test_actor_missing_or_unknown(loaded: Cli) -> None:
    r = loaded("events", "list")
    assert r.exit_code == 2
    assert "--as EMAIL" in r.stderr
    r = loaded("events", "list", actor="nobody@nowhere.test")
    assert r.exit_code == 3
    assert "unknown user 'nobody@nowhere.test'" in r.stderr


def test_empty_listing_says_so_on_stderr(loaded: Cli) -> None:
    r = loaded("events", "list", actor=sample.NOBODY)
    assert r.exit_code == 0
    assert r.stdout == ""
    assert "no events you can read" in r.stderr


def test_csv_spells_booleans_like_json(loaded: Cli) -> None:
    """One spelling for programs: `true`/`false` in CSV as in JSON (tables say yes/no)."""
    r = loaded("sessions", "list", "--event", "10", "--format", "csv", actor=sample.ADMIN)
    as_csv = {int(x["id"]): x["public"] for x in csv.DictReader(io.StringIO(r.stdout))}
    as_json = loaded(
        "sessions", "list", "--event", "10", "--format", "json", actor=sample.ADMIN
    ).json()
    assert set(as_csv.values()) == {"true"}
    assert as_csv == {x["id"]: "true" if x["public"] else "false" for x in as_json}
    from sessionmig.render import Col, dump_csv

    out = io.StringIO()
    dump_csv([{"a": True, "b": False, "c": None}], [Col("a"), Col("b"), Col("c")], out)
    assert out.getvalue() == "a,b,c\r\ntrue,false,\r\n"
    table = loaded(
        "sessions", "list", "--event", "10", "--columns", "id,public", actor=sample.ADMIN
    ).stdout
    assert " yes " in table and "True" not in table
