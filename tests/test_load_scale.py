"""`load` of a generated export of a few thousand sessions: every row lands as the file
says on both backends, in batches whose boundaries do not matter, all or nothing, and a
second load changes nothing. (Time and memory are measured by benchmarks/run.py, P6.)"""

from __future__ import annotations

import copy
import gc
import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.synthetic import synthetic_export
from sessionmig.errors import InvalidInput
from sessionmig.store import loader
from tests.conftest import Cli, _fresh_url, data_rows, dump_store, pg_server_url, table_counts

N_SESSIONS = 2_500


@pytest.fixture(scope="module")
def export() -> dict[str, Any]:
    return synthetic_export(N_SESSIONS, n_events=7, seed=13)


def _load(cli: Cli, data: dict[str, Any], batch: int | None = None) -> Any:
    path = cli.tmp_path / "export.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    env = {loader.BATCH_ENV: str(batch)} if batch else None
    return cli("load", str(path), "--format", "json", env=env)


def _client_of(data: dict[str, Any]) -> dict[int, int]:
    audience = {a["id"]: a["client_id"] for a in data["audiences"]}
    return {e["id"]: audience[e["audience_id"]] for e in data["events"]}


def expected_rows(data: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """What the store must hold after loading `data` into an empty store, sorted as
    tests/conftest.py's dump_store sorts it."""
    client_of = _client_of(data)
    sessions, speakers, partners = [], [], []
    for s in data["sessions"]:
        client = client_of[s["event_id"]]
        src = s.get("source") or {}
        sessions.append(
            (
                s["id"],
                client,
                s["event_id"],
                s["title"],
                s.get("summary", ""),
                s["format"],
                src.get("kind"),
                src.get("ref"),
                s.get("thumbnail"),
                True,
            )
        )
        speakers += [(s["id"], x, client, i) for i, x in enumerate(s["speaker_ids"])]
        partners += [(s["id"], x, client, i) for i, x in enumerate(s["partner_ids"])]
    return {
        name: sorted(rows, key=repr)
        for name, rows in (
            ("session", sessions),
            ("session_speaker", speakers),
            ("session_partner", partners),
        )
    }


def test_a_generated_export_loads_row_for_row(cli: Cli, export: dict[str, Any]) -> None:
    r = _load(cli, export)
    assert r.exit_code == 0, r.stderr
    assert r.json()["sessions"] == N_SESSIONS
    store = dump_store(cli.url)
    for name, rows in expected_rows(export).items():
        assert store[name] == rows, name
    counts = table_counts(cli.url)
    for table, key in (
        ("client", "clients"),
        ("audience", "audiences"),
        ("app_user", "users"),
        ("event", "events"),
        ("community", "communities"),
        ("speaker", "speakers"),
        ("partner", "partners"),
        ("session", "sessions"),
    ):
        assert counts[table] == len(export[key]), table
    assert counts["user_grant"] == sum(len(u["grants"]) for u in export["users"])


@pytest.mark.parametrize("batch", [7, 1_000, N_SESSIONS - 1, N_SESSIONS, N_SESSIONS + 1])
def test_batch_boundaries_change_nothing(
    sqlite_url: str, tmp_path: Path, export: dict[str, Any], batch: int
) -> None:
    cli = Cli(sqlite_url, tmp_path)
    r = _load(cli, export, batch)
    assert r.exit_code == 0, r.stderr
    store = dump_store(cli.url)
    for name, rows in expected_rows(export).items():
        assert store[name] == rows, (name, batch)


def test_postgresql_batches_too(db_url: str, tmp_path: Path, export: dict[str, Any]) -> None:
    """Small batches on either backend (PostgreSQL copies in batches of rows as well)."""
    cli = Cli(db_url, tmp_path)
    assert _load(cli, export, 333).exit_code == 0
    store = dump_store(cli.url)
    for name, rows in expected_rows(export).items():
        assert store[name] == rows, name


def test_both_backends_hold_the_same_rows(
    request: pytest.FixtureRequest, tmp_path: Path, export: dict[str, Any]
) -> None:
    if not pg_server_url():
        pytest.skip("PostgreSQL: set SESSIONMIG_TEST_PG_URL to run")
    dumps = []
    for backend in ("sqlite", "postgresql"):
        urls = _fresh_url(backend, request, tmp_path / backend)
        (tmp_path / backend).mkdir()
        url = next(urls)
        try:
            cli = Cli(url, tmp_path / backend)
            assert _load(cli, export).exit_code == 0
            dump = dump_store(url)
            del dump["store_info"]  # each store's own id
            dumps.append(dump)
        finally:
            urls.close()
    assert dumps[0] == dumps[1]


@pytest.mark.parametrize("where", ["shape", "reference"])
def test_an_invalid_last_row_writes_nothing(cli: Cli, export: dict[str, Any], where: str) -> None:
    data = copy.deepcopy(export)
    last = len(data["sessions"]) - 1
    if where == "shape":
        data["sessions"][last]["format"] = "webinar"
        error = f"sessions[{last}].format: 'webinar' is not one of online, in_person, hybrid"
    else:
        data["sessions"][last]["speaker_ids"].append(999)
        n = len(data["sessions"][last]["speaker_ids"]) - 1
        error = f"sessions[{last}].speaker_ids[{n}]: speaker 999 does not exist"
    r = _load(cli, data, 100)
    assert r.exit_code == 2
    assert error in r.stderr
    assert "Traceback" not in r.stderr
    assert data_rows(cli.url) == 0


def test_an_invalid_last_row_changes_a_loaded_store_in_nothing(
    cli: Cli, export: dict[str, Any]
) -> None:
    assert _load(cli, export).exit_code == 0
    before = dump_store(cli.url)
    data = copy.deepcopy(export)
    for s in data["sessions"]:
        s["title"] = "changed " + s["title"][:480]
    data["sessions"][-1]["event_id"] = 999
    r = _load(cli, data, 100)
    assert r.exit_code == 2
    assert dump_store(cli.url) == before


def test_reloading_changes_nothing(cli: Cli, export: dict[str, Any]) -> None:
    assert _load(cli, export).exit_code == 0
    before = dump_store(cli.url)
    again = _load(cli, export, 500)
    assert again.exit_code == 0, again.stderr
    assert again.json()["sessions"] == N_SESSIONS
    assert dump_store(cli.url) == before


def test_reloading_replaces_changed_links(cli: Cli, export: dict[str, Any]) -> None:
    assert _load(cli, export).exit_code == 0
    data = copy.deepcopy(export)
    data["sessions"][0]["speaker_ids"] = data["sessions"][0]["speaker_ids"][:1]
    data["sessions"][-1]["partner_ids"] = []
    assert _load(cli, data, 100).exit_code == 0
    store = dump_store(cli.url)
    for name, rows in expected_rows(data).items():
        assert store[name] == rows, name


def test_the_garbage_collector_runs_again_after_a_load(db_url: str) -> None:
    """The loader pauses it while it builds rows; an error must not leave it off."""
    from sessionmig.store import engine as store_engine

    eng = store_engine.create(store_engine.parse_url(db_url))
    try:
        assert gc.isenabled()
        with pytest.raises(InvalidInput):
            loader.load(eng, b'{"sessions": [{"id": 0}]}')
        assert gc.isenabled()
        loader.load(eng, b"{}")
        assert gc.isenabled()
    finally:
        eng.dispose()
