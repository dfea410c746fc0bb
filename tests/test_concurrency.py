"""Several OS processes migrating overlapping selections at the same moment, and a store
locked by another writer, on SQLite and on PostgreSQL.

The race: PROCESSES processes each run `python -m sessionmig --as ADMIN migrate
--community C_i --event E --session ... --yes --format json` against a synthetic store
(one event of 200 sessions, 3 communities). Selections overlap (every eligible session
is asked for by about half the processes, in a different order by each) and processes
go to different communities (community i % 3).

Importing everything `sessionmig` needs costs a Python process more than a second of
CPU, far more than a migration, so the racers are forked from one parent that imported
everything first (no connection, no thread before the fork). For each round the parent
forks PROCESSES children; each child says it is ready, waits for the round's barrier
file (the test creates it when every child is ready, so the migrations really start
together), and runs `sessionmig` exactly as `python -m sessionmig` does (runpy), its
stdout and stderr going to files; the parent records each child's exit status. Each
round runs on a fresh store of its own.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from benchmarks import synthetic
from sessionmig.store import engine as store_engine
from sessionmig.store import loader
from sessionmig.store import tables as t
from tests import sample
from tests.conftest import Cli, Hold, table_counts

PROCESSES = 8
ROUNDS = 3
N_SESSIONS = 200
ADMIN, _READER = synthetic.bench_emails(1)
RACE_TIMEOUT = 120.0

# argv: WORKDIR ROUNDS_JSON, where ROUNDS_JSON holds, per round, one list of sessionmig
# arguments per child.
RACER = r"""
import json, os, runpy, sys, time, traceback
workdir, rounds = sys.argv[1], json.loads(sys.argv[2])
import rich.console, sqlalchemy, sessionmig.cli, sessionmig.commands.migrate
import sessionmig.migration, sessionmig.render, sessionmig.store.engine
import sessionmig.store.migrate, sessionmig.store.queries
try:
    import psycopg
except ImportError:
    pass


def mark(name, content=""):
    with open(os.path.join(workdir, name + ".tmp"), "w") as fh:
        fh.write(content)
    os.replace(os.path.join(workdir, name + ".tmp"), os.path.join(workdir, name))


def child(r, i, args):
    code = 1
    try:
        base = os.path.join(workdir, f"r{r}.p{i}")
        out = os.open(base + ".out", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        err = os.open(base + ".err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        mark(f"ready.r{r}.p{i}", str(os.getpid()))
        deadline = time.monotonic() + 120
        while not os.path.exists(os.path.join(workdir, f"go.r{r}")):
            if time.monotonic() > deadline:
                os._exit(97)
            time.sleep(0.001)
        os.dup2(out, 1)
        os.dup2(err, 2)
        sys.argv = ["sessionmig", *args]
        runpy.run_module("sessionmig", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


for r, jobs in enumerate(rounds):
    pids = {}
    for i, args in enumerate(jobs):
        pid = os.fork()
        if pid == 0:
            child(r, i, args)
        pids[pid] = i
    while pids:
        pid, status = os.wait()
        i = pids.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        mark(f"r{r}.p{i}.code", str(code))
"""


def _env(url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SESSIONMIG_") or k == "SESSIONMIG_LANG"
    }
    env.update(SESSIONMIG_DB=url, SESSIONMIG_NO_PROMPT="1", COLUMNS="200", **extra)
    return env


@dataclass
class Proc:
    index: int
    community: int
    requested: list[int]
    returncode: int
    stdout: str
    stderr: str

    def doc(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def fresh_stores(db_url: str, tmp_path: Path) -> Iterator[list[str]]:
    """ROUNDS fresh, initialised, empty stores: the `db_url` one and clones of it."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        assert url.database
        urls = [db_url]
        for r in range(1, ROUNDS):
            path = tmp_path / f"round{r}.db"
            shutil.copy(url.database, path)
            urls.append(f"sqlite:///{path}")
        yield urls
        return
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    names = [f"{url.database}_r{r}_{uuid.uuid4().hex[:4]}" for r in range(1, ROUNDS)]
    try:
        with admin.connect() as conn:
            for name in names:  # nobody is connected to the new empty store yet
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
        yield [db_url] + [url.set(database=n).render_as_string(hide_password=False) for n in names]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def synthetic_store(url: str) -> tuple[int, list[int], list[int]]:
    """Load the synthetic store; return its event, communities and eligible sessions."""
    data = synthetic.synthetic_export(N_SESSIONS, n_events=1, seed=7)
    eng = store_engine.create(store_engine.parse_url(url))
    try:
        loader.load(eng, json.dumps(data).encode())
    finally:
        eng.dispose()
    [event] = data["events"]
    communities = [c["id"] for c in data["communities"]]
    eligible = [
        s["id"]
        for s in data["sessions"]
        if s["format"] == "online" and (s["source"] or {}).get("kind") in ("video_file", "url")
    ]
    assert len(communities) == 3 and len(eligible) > 100
    return event["id"], communities, eligible


def selections(eligible: list[int], n: int, seed: int) -> list[list[int]]:
    """n overlapping windows of half the eligible sessions, each in its own order."""
    rng = random.Random(seed)
    width = len(eligible) // 2
    step = len(eligible) // n
    out = []
    for i in range(n):
        window = [eligible[(i * step + j) % len(eligible)] for j in range(width)]
        rng.shuffle(window)
        out.append(window)
    return out


Job = tuple[int, int, list[int]]  # community, event, sessions


def _wait_for(paths: list[Path], racer: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + RACE_TIMEOUT
    while not all(p.exists() for p in paths):
        if racer.poll() is not None:
            _out, err = racer.communicate()
            pytest.fail(f"the racers' parent ended ({racer.returncode}) before {what}:\n{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.005)


def race(urls: list[str], workdir: Path, rounds: list[list[Job]]) -> list[list[Proc]]:
    """Round r runs rounds[r]'s jobs in as many processes, together, against urls[r]."""
    argv: list[list[list[str]]] = []
    for url, jobs in zip(urls, rounds, strict=True):
        argv.append([])
        for community, event, sessions in jobs:
            args = ["--db", url, "--as", ADMIN, "migrate", "--community", str(community)]
            args += ["--event", str(event), "--yes", "--format", "json"]
            for sid in sessions:
                args += ["--session", str(sid)]
            argv[-1].append(args)
    racer = subprocess.Popen(
        [sys.executable, "-c", RACER, str(workdir), json.dumps(argv)],
        env=_env(urls[0]),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        results: list[list[Proc]] = []
        for r, jobs in enumerate(rounds):
            n = len(jobs)
            _wait_for([workdir / f"ready.r{r}.p{i}" for i in range(n)], racer, f"round {r}")
            pids = {(workdir / f"ready.r{r}.p{i}").read_text() for i in range(n)}
            assert len(pids) == n  # as many OS processes as jobs
            (workdir / f"go.r{r}").touch()
            codes = [workdir / f"r{r}.p{i}.code" for i in range(n)]
            _wait_for(codes, racer, f"the end of round {r}")
            results.append(
                [
                    Proc(
                        i,
                        community,
                        sessions,
                        int(codes[i].read_text()),
                        (workdir / f"r{r}.p{i}.out").read_text(encoding="utf-8"),
                        (workdir / f"r{r}.p{i}.err").read_text(encoding="utf-8"),
                    )
                    for i, (community, _event, sessions) in enumerate(jobs)
                ]
            )
        out, err = racer.communicate(timeout=RACE_TIMEOUT)
        assert racer.returncode == 0, (racer.returncode, out, err)
        return results
    finally:
        if racer.poll() is None:
            racer.kill()
            racer.wait()


def store_state(url: str) -> dict[str, Any]:
    """What the store holds after the race, read with SQLAlchemy."""
    eng = store_engine.create(store_engine.parse_url(url))
    r, v, s = t.record, t.video, t.session
    try:
        with eng.connect() as conn:
            records = conn.execute(
                select(r.c.session_id, r.c.community_id, r.c.video_id, r.c.actor_email)
            ).all()
            videos = conn.execute(
                select(v.c.id, v.c.source_session_id, v.c.community_id, v.c.status)
            ).all()
            hidden = {
                row[0] for row in conn.execute(select(s.c.id).where(s.c.is_public.is_(False)))
            }
            speakers = conn.execute(select(func.count()).select_from(t.video_speaker)).scalar()
    finally:
        eng.dispose()
    return {"records": records, "videos": videos, "hidden": hidden, "video_speakers": speakers}


def check_round(url: str, event: int, procs: list[Proc]) -> Counter[str]:
    """Every invariant of one round; returns the count of each outcome."""
    migrated_by: dict[int, list[int]] = {}  # session -> racers reporting `migrated`
    for p in procs:
        assert "Traceback" not in p.stderr, p.stderr
        assert p.returncode in (0, 1), (p.returncode, p.stderr)
        doc = p.doc()  # stdout is the JSON document and nothing else
        assert doc["dry_run"] is False and doc["actor"] == ADMIN
        assert doc["community"]["id"] == p.community and doc["event"]["id"] == event
        assert [o["session_id"] for o in doc["results"]] == p.requested
        refused = [o for o in doc["results"] if o["outcome"] == "refused"]
        assert p.returncode == (1 if refused else 0), (p.returncode, refused)
        for o in doc["results"]:
            assert o["outcome"] in ("migrated", "already_migrated", "refused"), o
            if o["outcome"] == "migrated":
                assert isinstance(o["video_id"], int) and o["reason"] is None
                migrated_by.setdefault(o["session_id"], []).append(p.index)
            elif o["outcome"] == "refused":
                # Only the race can refuse: every requested session was eligible.
                assert "already migrated" in o["reason"], o

    state = store_state(url)
    records = {row.session_id: row for row in state["records"]}
    record_counts = Counter(row.session_id for row in state["records"])
    video_counts = Counter(row.source_session_id for row in state["videos"])
    videos = {row.id: row for row in state["videos"]}

    # Exactly one record per migrated session and exactly one video per record.
    assert all(n == 1 for n in record_counts.values()), record_counts.most_common(3)
    assert all(n == 1 for n in video_counts.values()), video_counts.most_common(3)
    assert set(video_counts) == set(records)
    assert len(videos) == len(records)
    for sid, rec in records.items():
        video = videos[rec.video_id]
        assert video.source_session_id == sid
        assert video.community_id == rec.community_id  # one community per session
        assert video.status == "draft"
        assert rec.actor_email == ADMIN
    assert state["hidden"] == set(records)  # R6 for exactly the migrated sessions
    assert state["video_speakers"] > 0

    # Every requested session moved, reported `migrated` by exactly one racer: the one
    # whose community it is in; the others saw `already_migrated` (same community) or
    # a refusal (another community).
    requested = set().union(*(set(p.requested) for p in procs))
    assert set(records) == requested
    assert set(migrated_by) == set(records)
    twice = {sid: who for sid, who in migrated_by.items() if len(who) > 1}
    assert not twice, twice
    for p in procs:
        for o in p.doc()["results"]:
            rec = records[o["session_id"]]
            if o["outcome"] == "migrated":
                assert rec.community_id == p.community and rec.video_id == o["video_id"]
            elif o["outcome"] == "already_migrated":
                assert rec.community_id == p.community
                assert migrated_by[o["session_id"]] != [p.index]
            else:
                assert rec.community_id != p.community
    return Counter(o["outcome"] for p in procs for o in p.doc()["results"])


def test_concurrent_migrations_never_put_a_session_in_two_communities(
    fresh_stores: list[str], tmp_path: Path
) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("the racers are forked: needs os.fork")
    rounds: list[list[Job]] = []
    events: list[int] = []
    for r, url in enumerate(fresh_stores):
        event, communities, eligible = synthetic_store(url)
        picks = selections(eligible, PROCESSES, seed=r)
        rounds.append([(communities[i % 3], event, picks[i]) for i in range(PROCESSES)])
        events.append(event)
    workdir = tmp_path / "race"
    workdir.mkdir()

    results = race(fresh_stores, workdir, rounds)

    backend = make_url(fresh_stores[0]).get_backend_name()
    for r, procs in enumerate(results):
        outcomes = check_round(fresh_stores[r], events[r], procs)
        codes = Counter(p.returncode for p in procs)
        print(
            f"\n{backend} round {r + 1}: {len(procs)} processes, "
            f"{sum(outcomes.values())} requests, exit codes {sorted(codes.items())}, "
            f"outcomes {dict(sorted(outcomes.items()))}"
        )
        # The race happened: some session was asked for by a racer that did not win it.
        assert outcomes["migrated"] < sum(outcomes.values())


# --- a store locked by another writer ----------------------------------------------------


def _migrate_once(url: str, session: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sessionmig",
            "--as",
            sample.ADMIN,
            "migrate",
            "--community",
            "50",
            "--event",
            "10",
            "--session",
            str(session),
            "--yes",
            "--format",
            "json",
        ],
        env=_env(url, SESSIONMIG_BUSY_TIMEOUT="1"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


# Another writer holding the store's write lock: on PostgreSQL the event's session rows
# or the whole session table.
PG_LOCKS = {
    "rows": "SELECT id FROM event_session WHERE event_id = 10 FOR UPDATE",
    "table": "LOCK TABLE event_session IN EXCLUSIVE MODE",
}


def _assert_locked_exit(loaded: Cli, pg_lock: str = "rows") -> None:
    before = table_counts(loaded.url)
    writer = Hold(loaded.url, PG_LOCKS[pg_lock])
    try:
        done = _migrate_once(loaded.url, sample.ONLINE_FILE)
    finally:
        writer.release()
    assert done.returncode == 5, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    message = done.stderr.strip().lower()
    assert len(message.splitlines()) == 1, done.stderr
    assert "locked" in message and "retry" in message
    assert table_counts(loaded.url) == before


def test_locked_store_exits_5_and_says_to_retry(loaded: Cli) -> None:
    """SQLite: another connection in BEGIN IMMEDIATE; PostgreSQL: the event's session
    rows held FOR UPDATE. SESSIONMIG_BUSY_TIMEOUT=1 makes the wait short."""
    _assert_locked_exit(loaded)

    # Once the other writer is done, retrying works.
    again = loaded(
        "migrate",
        *("--community", "50", "--event", "10", "--session", str(sample.ONLINE_FILE)),
        *("--yes", "--format", "json"),
        actor=sample.ADMIN,
    )
    assert again.exit_code == 0, again.stderr
    [result] = again.json()["results"]
    assert result["outcome"] == "migrated"


def test_postgres_table_lock_exits_5(loaded: Cli) -> None:
    if make_url(loaded.url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only: LOCK TABLE")
    _assert_locked_exit(loaded, pg_lock="table")
