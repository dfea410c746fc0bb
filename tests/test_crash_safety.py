"""Crash safety: a migration killed with SIGKILL at named points and at random moments
leaves the store sound (`db check`), every session fully migrated or untouched, and a
re-run of the same command completes the batch with no duplicate.

On SQLite with the rollback journal and with WAL, and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from benchmarks.synthetic import BENCH_ADMIN_EMAIL, synthetic_export
from tests.conftest import Cli, _fresh_url

NAMED_POINTS = ("videos", "hidden", "records", "commit")
RANDOM_KILLS = 30
SESSIONS = 3000  # about 2,100 eligible, all in one event: one large batch


@pytest.fixture(params=["sqlite-rollback", "sqlite-wal", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cli]:
    backend = "postgresql" if request.param == "postgresql" else "sqlite"
    urls = _fresh_url(backend, request, tmp_path)
    cli = Cli(next(urls), tmp_path)
    try:
        if request.param == "sqlite-wal":
            import sqlite3

            conn = sqlite3.connect(cli.url.removeprefix("sqlite:///"))
            assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
            conn.close()
        assert cli.load(synthetic_export(SESSIONS, n_events=1)).exit_code == 0
        yield cli
    finally:
        for _ in urls:  # drops the PostgreSQL database
            pass


def command(cli: Cli) -> list[str]:
    data = synthetic_export(SESSIONS, n_events=1)
    event = data["events"][0]["id"]
    community = data["communities"][0]["id"]
    return [
        sys.executable,
        "-m",
        "sessionmig",
        "--db",
        cli.url,
        "--as",
        BENCH_ADMIN_EMAIL,
        "migrate",
        "--community",
        str(community),
        "--event",
        str(event),
        "--all-eligible",
        "--yes",
        "--format",
        "json",
    ]


def env(**extra: str) -> dict[str, str]:
    out = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SESSIONMIG_") or k == "SESSIONMIG_LANG"
    }
    out.update({"SESSIONMIG_NO_PROMPT": "1", **extra})
    return out


def state(cli: Cli) -> dict[str, int]:
    eng = cli.engine()
    with eng.connect() as conn:
        out = {
            name: conn.execute(text(sql)).scalar_one()
            for name, sql in {
                "videos": "SELECT count(*) FROM community_video",
                "records": "SELECT count(*) FROM migration_record",
                "hidden": "SELECT count(*) FROM event_session WHERE NOT is_public",
                "speakers": "SELECT count(*) FROM video_speaker",
            }.items()
        }
    eng.dispose()
    return out


def assert_sound(cli: Cli) -> None:
    r = cli("db", "check")
    assert r.exit_code == 0, r.stdout + r.stderr
    s = state(cli)
    # Whole batch or nothing: each count is either 0 or the full batch, all together.
    assert s["videos"] == s["records"] == s["hidden"], s


def run_to_completion(cli: Cli) -> dict[str, Any]:
    proc = subprocess.run(command(cli), env=env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)


def test_kill_at_named_points_then_rerun(store: Cli) -> None:
    before = state(store)
    for point in NAMED_POINTS:
        proc = subprocess.run(
            command(store),
            env=env(SESSIONMIG_TEST_CRASH_AT=point),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == -signal.SIGKILL, (point, proc.stderr)
        assert_sound(store)
        assert state(store) == before, point  # killed before commit: nothing at all
    doc = run_to_completion(store)
    migrated = [r for r in doc["results"] if r["outcome"] == "migrated"]
    assert len(migrated) > 1500
    assert_sound(store)
    again = run_to_completion(store)
    assert {r["outcome"] for r in again["results"]} == {"already_migrated"}
    assert state(store)["records"] == len(migrated)


def test_kill_at_random_moments_then_rerun(store: Cli) -> None:
    rng = random.Random(20261123)
    # Calibrate on a dry run: how long a run takes, so the kills spread over it.
    start = time.monotonic()
    subprocess.run(
        [*command(store), "--dry-run"], env=env(), capture_output=True, timeout=300, check=True
    )
    span = (time.monotonic() - start) * 1.6
    completed = 0
    for _ in range(RANDOM_KILLS):
        proc = subprocess.Popen(
            command(store), env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        time.sleep(rng.uniform(0.05, span))
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=300)
        assert "Traceback" not in (err or "")
        if proc.returncode == 0:
            completed += 1
        assert_sound(store)
    doc = run_to_completion(store)
    assert_sound(store)
    outcomes = {r["outcome"] for r in doc["results"]}
    assert outcomes <= {"migrated", "already_migrated"}
    assert state(store)["records"] == len(doc["results"])
