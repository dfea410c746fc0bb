#!/usr/bin/env python
"""sessionmig performance benchmark, with budgets.

Run from a checkout after `pip install '.[dev]'`:

    python benchmarks/run.py [--sizes 1000,10000,100000] [--repeat N] \
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--quick] [--markdown]

Every figure is a median (`statistics.median`) of several runs timed with
`time.perf_counter`, reported as a RATIO to a floor measured in the same run,
interleaved run by run, so that a noisy or slow machine moves both alike:

P1  start-up, whole process: `sessionmig --version` and a bash completion request,
    against `python -c "import typer"`. `--help` (Typer's rich help) is reported
    without a budget. Budget 1.5x.
P2  migration of 10,000 and 100,000 eligible sessions of one event in ONE batch:
    `sessionmig.store.migrate.migrate()` in this process on a fresh copy of the
    store, against raw `sqlite3` (or `psycopg`) doing the identical writes in one
    transaction on another fresh copy; the row counts of both results are
    compared after every run. Budget 3x; scaling t(100k)/t(10k) budget 12
    (1.2 x the size ratio).
P3  `sessions list --event E --eligible --format json` on the largest store, in
    this process (`queries.list_sessions` + `render.listing(...)` as JSON into a
    StringIO) against the raw SQL query + `json.dumps` of the same objects; both
    outputs are compared. Budget 3x.
    `history` as a table (its first 100 rows, 80 columns) on a store of as many
    migration records as the largest size, in this process (`store.history.history`
    with the table's window + `render.listing`) against the raw driver running the
    same `LIMIT 101` query and `COUNT(*)` and printing the rows as plain text; the ids
    shown and the count left out are compared. Budget 3x. And the same command as a
    whole process on that store against the smallest size's: a bounded table prints
    in about the time of a small store. Budget 1.2.
P7  the cost of PostgreSQL's row-level security (revision 0006_row_security), with
    `--pg` only: P2's migration (every P2 size) and P3's listing (the largest size),
    as a login linked to the client administrator, against the same run as the
    operator (the schema's owner, whom row-level security does not filter), on fresh
    copies of the same store, interleaved. Budget 1.3x.
P4  read commands, whole process, on the 1,000-session store (`events list`,
    `communities list`, `sessions list --event E --format json`) against
    `python -c "import sqlmodel"`. Budget 1.2x.

P6  `load` of a synthetic export (10 events) into an empty store, at every size >= 10,000:
    `loader.load` in this process (reading the file included) against the floor:
    `json.load` of the same file plus the driver's executemany of the same rows in one
    transaction (raw sqlite3, or psycopg), each on a fresh empty store, row counts of
    both compared after every run. Budget 3x. And the peak memory of the whole command
    (`sessionmig --db URL load FILE`) against `json.load` of the same file, each in a
    fresh process. Budget 2.5x. The peak of loading an empty export (the interpreter,
    the imports and the connection) is reported beside it, without a budget.

Before any process is measured, sessionmig's modules are compiled (`ensure_bytecode`),
as installing a package does: under PYTHONDONTWRITEBYTECODE an editable checkout would
otherwise compile them in every process.

Peak memory is measured per process by `peak_kb(argv, env)`: a fresh, tiny parent
spawns the command and reads that child's `ru_maxrss` with wait4(2); such rows have
the unit KB (`Result.unit`) and show MB in the table.

With `--pg URL` (a server URL; the benchmark creates `bench_*` databases there and
always drops them), P2, P3 and P6 also run on PostgreSQL against `psycopg` floors.

The stores are synthetic (`benchmarks/synthetic.py`: `synthetic_export`) and are loaded
with the real loader into schemas made by `sessionmig.store.schema.upgrade`.
Progress goes to stderr; the table goes to stdout (`--markdown`: a Markdown table
for the README). The exit code is 0 whatever the ratios (`--fail-on-miss`: 1 when a
budget is missed) and 3 when a result of the project differs from its floor's.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import io
import itertools
import json
import math
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# benchmarks/ itself is on the path when this runs as `python benchmarks/run.py`.
from synthetic import BENCH_ADMIN_EMAIL, synthetic_export

DEFAULT_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (200,)
P2_MIN_SIZE = 10_000  # P2 runs at the sizes >= this (or at the largest size when none is)
ELIGIBLE_SHARE = 0.70  # synthetic_export: about 70% of the sessions are eligible
TABLES = (
    "event_session",
    "community_video",
    "video_speaker",
    "video_partner",
    "migration_record",
)

BUDGET_P1 = 1.5
BUDGET_P2 = 3.0
BUDGET_P2_SCALING_FACTOR = 1.2  # x the size ratio: 12 for 100k / 10k
BUDGET_P3 = 3.0
BUDGET_P3_HISTORY_SCALING = 1.2  # a bounded table: about the time of a small store
BUDGET_P4 = 1.2
BUDGET_P7 = 1.3


class Mismatch(Exception):
    """The project's result differs from its floor's: the comparison is void."""


def log(message: str) -> None:
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    measure: str  # P1 .. P4
    what: str
    backend: str
    size: int | None
    runs: int
    median: float  # seconds, or the larger time for a scaling row
    floor: float
    budget: float | None
    floor_name: str
    extra: dict[str, float] = field(default_factory=dict)  # phase medians, seconds
    unit: str = "s"  # "s": median and floor are seconds; "KB": peak memory in kilobytes

    @property
    def ratio(self) -> float:
        return self.median / self.floor if self.floor > 0 else math.inf

    @property
    def verdict(self) -> str:
        if self.budget is None:
            return "info"
        return "PASS" if self.ratio <= self.budget else "MISS"


class Results(list[Result]):
    """The run's results, each logged (stderr) as soon as it is measured, so that a run
    that fails or is interrupted later still tells what it measured."""

    def append(self, result: Result) -> None:
        log("  measured: " + " | ".join(rows_of([result])[0]))
        super().append(result)

    def extend(self, results: Iterable[Result]) -> None:
        for result in results:
            self.append(result)

    def __iadd__(self, results: Iterable[Result]) -> Results:  # type: ignore[override,misc]
        self.extend(results)
        return self


def fmt_time(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def fmt_kb(kb: float) -> str:
    if kb >= 1024:
        return f"{kb / 1024:.1f} MB"
    return f"{kb:.0f} KB"


def fmt_value(value: float, unit: str) -> str:
    return fmt_kb(value) if unit == "KB" else fmt_time(value)


def fmt_size(size: int | None) -> str:
    return "-" if size is None else f"{size:,}"


HEADERS = (
    "ID",
    "Measure",
    "Backend",
    "Size",
    "Runs",
    "Median",
    "Floor",
    "Ratio",
    "Budget",
    "Result",
)


def rows_of(results: Sequence[Result]) -> list[tuple[str, ...]]:
    out = []
    for r in results:
        scaling = "scaling" in r.what
        out.append(
            (
                r.measure,
                r.what,
                r.backend,
                fmt_size(r.size),
                str(r.runs),
                fmt_value(r.median, r.unit),
                fmt_value(r.floor, r.unit),
                f"{r.ratio:.2f}" if scaling else f"{r.ratio:.2f}x",
                "-" if r.budget is None else (f"{r.budget:g}" if scaling else f"{r.budget:g}x"),
                r.verdict,
            )
        )
    return out


def render_text(results: Sequence[Result]) -> str:
    rows = [HEADERS, *rows_of(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    right = {3, 4, 5, 6, 7, 8}
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(results: Sequence[Result]) -> str:
    head = list(HEADERS)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    for row in rows_of(results):
        cells = [c.replace("|", "\\|") for c in row]
        cells[1] = f"`{cells[1]}`" if cells[0] in ("P1", "P4") else cells[1]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_floors(results: Sequence[Result]) -> list[str]:
    seen: dict[tuple[str, str], None] = {}
    for r in results:
        seen.setdefault((f"{r.measure} {r.backend}", r.floor_name), None)
    return [f"{key}: {name}" for key, name in seen]


def render_phases(results: Sequence[Result]) -> list[str]:
    lines = []
    for r in results:
        if r.extra:
            parts = ", ".join(f"{k} {fmt_time(v)}" for k, v in r.extra.items())
            lines.append(f"{r.measure} {r.backend} {fmt_size(r.size)}: {parts}")
    return lines


# --------------------------------------------------------------------------- timing


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run fn once (gc collected before, left enabled during) and return (seconds, value)."""
    gc.collect()
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def alternate(
    runs: int, project: Callable[[], float], floor: Callable[[], Any]
) -> tuple[list[float], list[float]]:
    """`runs` timings of each side, the order alternating run by run so that drift hits
    both alike: (project times, floor times)."""
    project_times: list[float] = []
    floor_times: list[float] = []
    for i in range(runs):
        for side in ("project", "floor") if i % 2 == 0 else ("floor", "project"):
            if side == "project":
                project_times.append(project())
            else:
                floor_times.append(timed(floor)[0])
    return project_times, floor_times


# --------------------------------------------------------------------------- peak memory

# A fresh, tiny parent per measure: it spawns the command and reads that one child's
# resource usage with wait4(2). Not this process's own children: on Linux a child
# spawned by a large parent (vfork + exec) starts its high-water mark at the parent's,
# so the benchmark, holding exports of 100,000 sessions, would inflate every figure.
# The parent imports nothing but `os`, `sys` and `time` (about 10 MB, below every
# command measured).
_PEAK_PARENT = r"""
import os, sys, time
out, err, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
fds = [os.open(os.devnull, os.O_RDONLY)]
fds += [os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) for p in (out, err)]
actions = [(os.POSIX_SPAWN_DUP2, fd, n) for n, fd in enumerate(fds)]
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, repr(elapsed))
"""


@dataclass
class Peak:
    """One run of a command measured by `peak_kb`."""

    kb: int  # the child's peak resident set (ru_maxrss, KB on Linux)
    seconds: float  # wall time from spawn to exit, measured by the parent
    returncode: int
    stdout: bytes
    stderr: bytes


def peak_kb(argv: Sequence[str], env: dict[str, str] | None = None) -> Peak:
    """Run `argv` (stdin /dev/null, stdout and stderr to files) under a fresh parent and
    return its peak RSS in KB, its wall time, exit code and output."""
    with tempfile.TemporaryDirectory(prefix="sessionmig-peak-") as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        done = subprocess.run(
            [sys.executable, "-S", "-c", _PEAK_PARENT, str(out), str(err), *argv],
            env=os.environ.copy() if env is None else env,
            capture_output=True,
            check=True,
        )
        rc, kb, seconds = done.stdout.split()
        return Peak(int(kb), float(seconds), int(rc), out.read_bytes(), err.read_bytes())


# --------------------------------------------------------------------------- P1 / P4: processes


def ensure_bytecode() -> None:
    """Compile sessionmig's modules, as installing a package does (pip writes the .pyc
    files of a wheel). A checkout installed in editable mode under
    PYTHONDONTWRITEBYTECODE (CI sets it) would otherwise compile every module again in
    every process measured, which no installed copy does: P1's floor, `import typer`,
    is compiled already."""
    import compileall

    import sessionmig

    compileall.compile_dir(Path(sessionmig.__file__).parent, quiet=1, force=False)


def sessionmig_command() -> list[str]:
    """The `sessionmig` console script beside this interpreter, else its equivalent
    (`python -m sessionmig` would not answer `_SESSIONMIG_COMPLETE`: its program name
    differs)."""
    bindir = Path(sys.executable).parent
    script = shutil.which("sessionmig", path=str(bindir))
    if script:
        return [script]
    return [
        sys.executable,
        "-c",
        "import sys; sys.argv[0] = 'sessionmig'; from sessionmig.cli import main; main()",
    ]


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SESSIONMIG_", "_SESSIONMIG_", "COMP_"))
    }
    env["SESSIONMIG_NO_PROMPT"] = "1"
    env.update(extra)
    return env


@dataclass
class Proc:
    name: str
    argv: list[str]
    env: dict[str, str]
    check: Callable[[str], bool] = lambda _out: True


def run_proc(proc: Proc) -> float:
    gc.collect()
    start = time.perf_counter()
    done = subprocess.run(proc.argv, env=proc.env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    out = done.stdout.decode("utf-8", "replace")
    if done.returncode != 0 or not proc.check(out):
        raise Mismatch(
            f"{proc.name}: exit {done.returncode}, unexpected output "
            f"{out[:200]!r} {done.stderr.decode('utf-8', 'replace')[-400:]!r}"
        )
    return elapsed


def interleaved(
    floor: Proc, procs: Sequence[Proc], runs: int, warmup: bool
) -> tuple[list[float], list[list[float]]]:
    """Round-robin: floor, each command, floor, ... so noise hits all of them alike.
    One untimed warm-up round first (page cache, .pyc files) unless `--quick`."""
    if warmup:
        for p in (floor, *procs):
            run_proc(p)
    floor_times: list[float] = []
    times: list[list[float]] = [[] for _ in procs]
    for _ in range(runs):
        floor_times.append(run_proc(floor))
        for i, p in enumerate(procs):
            times[i].append(run_proc(p))
    return floor_times, times


def bench_p1(runs: int, warmup: bool = True) -> list[Result]:
    cmd = sessionmig_command()
    env = clean_env()
    floor = Proc("import typer", [sys.executable, "-c", "import typer"], env)
    procs = [
        Proc(
            "sessionmig --version",
            [*cmd, "--version"],
            env,
            lambda out: out.startswith("sessionmig "),
        ),
        Proc(
            "completion: sessionmig ses<TAB>",
            cmd,
            clean_env(
                _SESSIONMIG_COMPLETE="complete_bash",
                COMP_WORDS="sessionmig ses",
                COMP_CWORD="1",
            ),
            lambda out: out.split() == ["sessions"],
        ),
        Proc("sessionmig --help", [*cmd, "--help"], env, lambda out: "migrate" in out),
    ]
    log(f"P1: {len(procs)} commands + floor, {runs} runs each ({' '.join(cmd)})")
    floor_times, times = interleaved(floor, procs, runs, warmup)
    f = median(floor_times)
    budgets = [BUDGET_P1, BUDGET_P1, None]
    return [
        Result("P1", p.name, "process", None, runs, median(t), f, b, 'python -c "import typer"')
        for p, t, b in zip(procs, times, budgets, strict=True)
    ]


def bench_p4(store: Store, runs: int, warmup: bool = True) -> list[Result]:
    cmd = [*sessionmig_command(), "--db", f"sqlite:///{store.path}", "--as", BENCH_ADMIN_EMAIL]
    env = clean_env()
    floor = Proc("import sqlmodel", [sys.executable, "-c", "import sqlmodel"], env)
    n_event = store.event_sizes[store.event_id]

    def json_list_of(n: int) -> Callable[[str], bool]:
        return lambda out: isinstance(v := json.loads(out), list) and len(v) == n

    procs = [
        Proc("events list", [*cmd, "events", "list"], env, lambda out: "Bench" in out),
        Proc("communities list", [*cmd, "communities", "list"], env, lambda out: "Bench" in out),
        Proc(
            "sessions list --event E --format json",
            [*cmd, "sessions", "list", "--event", str(store.event_id), "--format", "json"],
            env,
            json_list_of(n_event),
        ),
    ]
    log(f"P4: {len(procs)} commands + floor on the {store.n_sessions:,}-session store, {runs} runs")
    floor_times, times = interleaved(floor, procs, runs, warmup)
    f = median(floor_times)
    return [
        Result(
            "P4",
            p.name,
            "sqlite",
            store.n_sessions,
            runs,
            median(t),
            f,
            BUDGET_P4,
            'python -c "import sqlmodel"',
        )
        for p, t in zip(procs, times, strict=True)
    ]


# --------------------------------------------------------------------------- stores


@dataclass
class Store:
    """A loaded synthetic store: a SQLite file or a PostgreSQL database (the template)."""

    backend: str
    path: Path | None  # SQLite
    dbname: str | None  # PostgreSQL
    n_sessions: int
    event_id: int
    community_id: int
    event_sizes: dict[int, int]
    eligible_ids: list[int]  # of event_id, in id order


def is_eligible(s: dict[str, Any]) -> bool:
    src = s.get("source")
    return s["format"] == "online" and bool(src) and src["kind"] in ("video_file", "url")


def make_export(n_sessions: int, n_events: int) -> tuple[dict[str, Any], bytes]:
    data = synthetic_export(n_sessions, n_events=n_events, seed=0)
    return data, json.dumps(data, ensure_ascii=False).encode("utf-8")


def describe(data: dict[str, Any], backend: str, path: Path | None, dbname: str | None) -> Store:
    event_id = data["events"][0]["id"]
    sizes: dict[int, int] = {}
    for s in data["sessions"]:
        sizes[s["event_id"]] = sizes.get(s["event_id"], 0) + 1
    return Store(
        backend=backend,
        path=path,
        dbname=dbname,
        n_sessions=len(data["sessions"]),
        event_id=event_id,
        community_id=data["communities"][0]["id"],
        event_sizes=sizes,
        eligible_ids=sorted(
            s["id"] for s in data["sessions"] if s["event_id"] == event_id and is_eligible(s)
        ),
    )


def migration_export(n_eligible: int) -> tuple[dict[str, Any], bytes]:
    """One event holding at least `n_eligible` eligible sessions."""
    n = math.ceil(n_eligible / ELIGIBLE_SHARE * 1.02) + 20
    while True:
        data, raw = make_export(n, 1)
        if sum(1 for s in data["sessions"] if is_eligible(s)) >= n_eligible:
            return data, raw
        n = math.ceil(n * 1.05)


def load_into(url: str, raw: bytes) -> None:
    from sessionmig.store import engine as store_engine
    from sessionmig.store import loader, schema

    eng = store_engine.create(store_engine.parse_url(url))
    try:
        schema.upgrade(eng)
        loader.load(eng, raw)
    finally:
        eng.dispose()


class SqliteStores:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._n = 0

    def build(self, label: str, data: dict[str, Any], raw: bytes) -> Store:
        path = self.root / f"{label}.db"
        start = time.perf_counter()
        load_into(f"sqlite:///{path}", raw)
        log(f"  loaded {label} into SQLite in {time.perf_counter() - start:.1f} s")
        return describe(data, "sqlite", path, None)

    def fresh_copy(self, store: Store) -> Path:
        assert store.path is not None
        self._n += 1
        dest = self.root / f"run-{self._n}.db"
        shutil.copyfile(store.path, dest)
        return dest


class PgServer:
    """Creates `bench_*` databases on the server and drops every one of them on close."""

    def __init__(self, url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        self.url = make_url(url)
        if self.url.get_backend_name() != "postgresql":
            raise SystemExit("--pg: a postgresql URL is needed")
        self.tag = uuid.uuid4().hex[:8]
        self.created: list[str] = []
        self.roles: list[str] = []
        self.admin: Any = psycopg.connect(
            self.conninfo(self.url.database or "postgres"), autocommit=True
        )
        self._n = 0
        self.version = str(self.admin.execute("SHOW server_version").fetchone()[0]).split()[0]

    def sa_url(self, dbname: str) -> str:
        return self.url.set(database=dbname).render_as_string(hide_password=False)

    def conninfo(self, dbname: str) -> str:
        return self.url.set(drivername="postgresql", database=dbname).render_as_string(
            hide_password=False
        )

    def create(self, suffix: str, template: str | None = None) -> str:
        name = f"bench_{self.tag}_{suffix}"
        self.created.append(name)
        tpl = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        self.admin.execute(f'CREATE DATABASE "{name}"{tpl}')  # type: ignore[arg-type]
        return name

    def drop(self, name: str) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        if name in self.created:
            self.created.remove(name)

    def build(self, label: str, data: dict[str, Any], raw: bytes) -> Store:
        import psycopg

        name = self.create(label)
        start = time.perf_counter()
        load_into(self.sa_url(name), raw)
        with psycopg.connect(self.conninfo(name), autocommit=True) as conn:
            # What autovacuum would have done by the time anyone migrates.
            conn.execute("VACUUM ANALYZE")
            # `db init` made the store's login group (cluster-wide): dropped on close.
            store_id = conn.execute("SELECT id FROM store_info").fetchone()
        if store_id is not None:
            from sessionmig.store.identity import group_role_for

            self.roles.append(group_role_for(str(store_id[0])))
        log(f"  loaded {label} into PostgreSQL in {time.perf_counter() - start:.1f} s")
        return describe(data, "postgresql", None, name)

    def fresh_copy(self, store: Store) -> str:
        assert store.dbname is not None
        self._n += 1
        return self.create(f"run{self._n}", template=store.dbname)

    def login_role(self) -> str:
        """A LOGIN role of this run (roles are cluster-wide: dropped on close)."""
        name = f"bench_{self.tag}_login"
        if name not in self.roles:
            self.admin.execute(f'CREATE ROLE "{name}" LOGIN')  # type: ignore[arg-type]
            self.roles.append(name)
        return name

    def login_url(self, dbname: str, role: str) -> str:
        return self.url.set(username=role, password=None, database=dbname).render_as_string(
            hide_password=False
        )

    def close(self) -> None:
        for name in list(self.created):
            try:
                self.drop(name)
            except Exception as exc:  # keep dropping the others
                log(f"could not drop database {name}: {exc}")
        for role in self.roles:
            try:
                self.admin.execute(f'DROP ROLE IF EXISTS "{role}"')  # type: ignore[arg-type]
            except Exception as exc:
                log(f"could not drop role {role}: {exc}")
        self.admin.close()


# --------------------------------------------------------------------------- P2: migration


def project_actor(url: str) -> Any:
    from sessionmig.context import AppContext

    ctx = AppContext(db=url, actor_email=BENCH_ADMIN_EMAIL)
    actor = ctx.actor()
    ctx.engine().dispose()
    return actor


def project_engine(url: str) -> Any:
    """The engine the CLI would use, with its pool warmed by the schema check."""
    from sessionmig.store import engine as store_engine

    eng = store_engine.create(store_engine.parse_url(url))
    assert store_engine.schema_revision(eng) == store_engine.SCHEMA_HEAD
    return eng


def run_project_migration(
    url: str, actor: Any, store: Store, ids: list[int]
) -> tuple[float, dict[str, float]]:
    from sessionmig.store.migrate import migrate

    eng = project_engine(url)
    marks: list[tuple[str, float]] = []

    def step(label: str) -> None:
        marks.append((label, time.perf_counter()))

    try:
        gc.collect()
        start = time.perf_counter()
        result = migrate(
            eng,
            actor,
            community_id=store.community_id,
            event_id=store.event_id,
            session_ids=ids,
            step=step,
        )
        elapsed = time.perf_counter() - start
    finally:
        eng.dispose()
    migrated = sum(1 for o in result.outcomes if o.outcome == "migrated")
    if migrated != len(ids):
        raise Mismatch(f"the project migrated {migrated} sessions of {len(ids)}")
    phases: dict[str, float] = {}
    prev = start
    for label, at in marks:
        phases[f"->{label}"] = at - prev
        prev = at
    phases["->commit"] = start + elapsed - prev
    return elapsed, phases


def _now_text() -> str:
    # The stored form of the project's DateTime columns on SQLite.
    return datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


SQLITE_FLOOR = (
    """INSERT INTO community_video (client_id, community_id, status, title, summary,
        source_kind, source_ref, thumbnail, source_event_id, source_event_name,
        source_session_id, created_at)
    SELECT s.client_id, :community, 'draft', s.title, s.summary, s.source_kind, s.source_ref,
        s.thumbnail, e.id, e.name, s.id, :now
    FROM temp.bench_ids b JOIN event_session s ON s.id = b.id JOIN event e ON e.id = s.event_id""",
    """INSERT INTO video_speaker (video_id, position, speaker_id, name, company)
    SELECT v.id, ss.position, sp.id, sp.name, sp.company
    FROM temp.bench_ids b JOIN community_video v ON v.source_session_id = b.id
    JOIN session_speaker ss ON ss.session_id = b.id JOIN speaker sp ON sp.id = ss.speaker_id""",
    """INSERT INTO video_partner (video_id, position, partner_id, name)
    SELECT v.id, sp.position, pa.id, pa.name
    FROM temp.bench_ids b JOIN community_video v ON v.source_session_id = b.id
    JOIN session_partner sp ON sp.session_id = b.id JOIN partner pa ON pa.id = sp.partner_id""",
    """UPDATE event_session SET is_public = 0 WHERE id IN (SELECT id FROM temp.bench_ids)""",
    """INSERT INTO migration_record (client_id, session_id, session_title, event_id,
        event_name, community_id, video_id, actor_user_id, actor_email, actor_email_key,
        actor_name, migrated_at)
    SELECT s.client_id, s.id, s.title, e.id, e.name, :community, v.id, :actor_id, :email,
        :email_key, :name, :now
    FROM temp.bench_ids b JOIN event_session s ON s.id = b.id JOIN event e ON e.id = s.event_id
    JOIN community_video v ON v.source_session_id = s.id""",
)


def run_sqlite_floor(path: Path, actor: Any, store: Store, ids: list[int]) -> float:
    """Raw sqlite3, one transaction: the ids into a temp table, then one INSERT ... SELECT
    (or UPDATE) per table, the same rows as the project writes."""
    from sessionmig.emails import email_key

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        params = {
            "community": store.community_id,
            "actor_id": actor.id,
            "email": actor.email,
            "email_key": email_key(actor.email),
            "name": actor.name,
        }
        gc.collect()
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TEMP TABLE bench_ids (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO temp.bench_ids VALUES (?)", ((i,) for i in ids))
        params["now"] = _now_text()
        for sql in SQLITE_FLOOR:
            conn.execute(sql, params)
        conn.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        conn.close()


def sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        out = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        out["event_session hidden"] = conn.execute(
            "SELECT count(*) FROM event_session WHERE NOT is_public"
        ).fetchone()[0]
        return out
    finally:
        conn.close()


PG_FLOOR = (
    """INSERT INTO community_video (client_id, community_id, status, title, summary,
        source_kind, source_ref, thumbnail, source_event_id, source_event_name,
        source_session_id, created_at)
    SELECT s.client_id, %(community)s, 'draft', s.title, s.summary, s.source_kind,
        s.source_ref, s.thumbnail, e.id, e.name, s.id, %(now)s
    FROM event_session s JOIN event e ON e.id = s.event_id
    WHERE s.id = ANY(%(ids)s)""",
    """INSERT INTO video_speaker (video_id, position, speaker_id, name, company)
    SELECT v.id, ss.position, sp.id, sp.name, sp.company
    FROM community_video v JOIN session_speaker ss ON ss.session_id = v.source_session_id
    JOIN speaker sp ON sp.id = ss.speaker_id
    WHERE v.source_session_id = ANY(%(ids)s)""",
    """INSERT INTO video_partner (video_id, position, partner_id, name)
    SELECT v.id, sp.position, pa.id, pa.name
    FROM community_video v JOIN session_partner sp ON sp.session_id = v.source_session_id
    JOIN partner pa ON pa.id = sp.partner_id
    WHERE v.source_session_id = ANY(%(ids)s)""",
    """UPDATE event_session SET is_public = false WHERE id = ANY(%(ids)s)""",
    """INSERT INTO migration_record (client_id, session_id, session_title, event_id,
        event_name, community_id, video_id, actor_user_id, actor_email, actor_email_key,
        actor_name, migrated_at)
    SELECT s.client_id, s.id, s.title, e.id, e.name, %(community)s, v.id, %(actor_id)s,
        %(email)s, %(email_key)s, %(name)s, %(now)s
    FROM event_session s JOIN event e ON e.id = s.event_id
    JOIN community_video v ON v.source_session_id = s.id
    WHERE s.id = ANY(%(ids)s)""",
)


def run_pg_floor(conninfo: str, actor: Any, store: Store, ids: list[int]) -> float:
    """psycopg, one transaction: one INSERT ... SELECT (or UPDATE) per table with the
    ids as one int8[] parameter."""
    import psycopg

    from sessionmig.emails import email_key

    with psycopg.connect(conninfo) as conn:
        conn.execute("SELECT 1")
        conn.rollback()
        params = {
            "community": store.community_id,
            "actor_id": actor.id,
            "email": actor.email,
            "email_key": email_key(actor.email),
            "name": actor.name,
            "ids": ids,
        }
        gc.collect()
        start = time.perf_counter()
        with conn.transaction():
            params["now"] = datetime.now(UTC)
            for sql in PG_FLOOR:
                conn.execute(sql, params)  # type: ignore[arg-type]
        return time.perf_counter() - start


def pg_counts(conninfo: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(conninfo) as conn:
        out = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # type: ignore[index]
        out["event_session hidden"] = conn.execute(  # type: ignore[index]
            "SELECT count(*) FROM event_session WHERE NOT is_public"
        ).fetchone()[0]
        return out


def check_counts(project: dict[str, int], floor: dict[str, int], what: str) -> None:
    if project != floor:
        raise Mismatch(f"{what}: row counts differ: project {project} floor {floor}")


def bench_p2(backend: str, stores: Any, store: Store, n: int, runs: int) -> Result:
    ids = store.eligible_ids[:n]
    if len(ids) < n:
        raise SystemExit(f"the migration store holds only {len(ids)} eligible sessions")
    if backend == "sqlite":
        actor = project_actor(f"sqlite:///{store.path}")
    else:
        actor = project_actor(stores.sa_url(store.dbname))
    project_times: list[float] = []
    floor_times: list[float] = []
    phase_runs: list[dict[str, float]] = []
    log(f"P2 {backend}: migrating {n:,} sessions, {runs} runs")
    for i in range(runs):
        # Alternate which side goes first, so neither always gets the warmer cache.
        order = ("project", "floor") if i % 2 == 0 else ("floor", "project")
        counts: dict[str, dict[str, int]] = {}
        for side in order:
            if backend == "sqlite":
                path = stores.fresh_copy(store)
                try:
                    if side == "project":
                        elapsed, phases = run_project_migration(
                            f"sqlite:///{path}", actor, store, ids
                        )
                        phase_runs.append(phases)
                        project_times.append(elapsed)
                    else:
                        floor_times.append(run_sqlite_floor(path, actor, store, ids))
                    counts[side] = sqlite_counts(path)
                finally:
                    path.unlink(missing_ok=True)
            else:
                name = stores.fresh_copy(store)
                try:
                    if side == "project":
                        elapsed, phases = run_project_migration(
                            stores.sa_url(name), actor, store, ids
                        )
                        phase_runs.append(phases)
                        project_times.append(elapsed)
                    else:
                        floor_times.append(run_pg_floor(stores.conninfo(name), actor, store, ids))
                    counts[side] = pg_counts(stores.conninfo(name))
                finally:
                    stores.drop(name)
        check_counts(counts["project"], counts["floor"], f"P2 {backend} {n}")
        if counts["project"]["migration_record"] != n:
            raise Mismatch(f"P2 {backend} {n}: {counts['project']['migration_record']} records")
        log(
            f"  run {i + 1}: project {fmt_time(project_times[-1])}, "
            f"floor {fmt_time(floor_times[-1])}"
        )
    phases = {k: median([p[k] for p in phase_runs]) for k in phase_runs[0]}
    floor_name = (
        "raw sqlite3: temp id table + INSERT...SELECT / UPDATE, one transaction"
        if backend == "sqlite"
        else "raw psycopg: INSERT...SELECT / UPDATE with = ANY(int8[]), one transaction"
    )
    return Result(
        "P2",
        f"migrate {n:,} sessions, one batch",
        backend,
        n,
        runs,
        median(project_times),
        median(floor_times),
        BUDGET_P2,
        floor_name,
        phases,
    )


def p2_scaling(results: Sequence[Result]) -> list[Result]:
    out = []
    by_backend: dict[str, list[Result]] = {}
    for r in results:
        by_backend.setdefault(r.backend, []).append(r)
    for backend, rs in by_backend.items():
        rs = sorted(rs, key=lambda r: r.size or 0)
        for small, big in itertools.pairwise(rs):
            assert small.size and big.size
            factor = big.size / small.size
            out.append(
                Result(
                    "P2",
                    f"scaling t({big.size:,})/t({small.size:,})",
                    backend,
                    big.size,
                    min(small.runs, big.runs),
                    big.median,
                    small.median,
                    BUDGET_P2_SCALING_FACTOR * factor,
                    f"t({small.size:,}) of the project; budget {BUDGET_P2_SCALING_FACTOR} x "
                    "the size ratio",
                )
            )
    return out


# --------------------------------------------------------------------------- P3: listing


LIST_SQL = """SELECT s.id, s.event_id, e.name, s.title, s.format, s.source_kind, s.is_public,
    r.community_id, c.title
FROM event_session s JOIN event e ON e.id = s.event_id
LEFT JOIN migration_record r ON r.session_id = s.id
LEFT JOIN community c ON c.id = r.community_id
WHERE s.client_id = {p} AND s.event_id = {p} AND s.format = 'online'
    AND s.source_kind IN ('video_file', 'url') AND r.id IS NULL
ORDER BY s.event_id, s.id"""


def floor_listing_json(rows: Sequence[tuple[Any, ...]]) -> str:
    objects = [
        {
            "id": sid,
            "event_id": event_id,
            "title": title,
            "format": fmt,
            "source": kind or "none",
            "public": bool(public),
            "eligibility": "eligible",
            "community_id": community_id,
            "community": community,
        }
        for sid, event_id, _event, title, fmt, kind, public, community_id, community in rows
    ]
    return json.dumps(objects, ensure_ascii=False, indent=2) + "\n"


def run_project_listing(eng: Any, actor: Any, event_id: int) -> tuple[float, str]:
    from sessionmig.commands.sessions import SESSIONS
    from sessionmig.render import ListOptions, listing
    from sessionmig.store.queries import list_sessions

    buf = io.StringIO()
    out = ListOptions.parse(SESSIONS, "json")

    def call() -> None:
        page = list_sessions(eng, actor, event_id=event_id, eligible=True, window=out.window())
        with contextlib.redirect_stdout(buf):
            listing(page, SESSIONS, out)

    elapsed, _ = timed(call)
    return elapsed, buf.getvalue()


def bench_p3(backend: str, stores: Any, store: Store, runs: int) -> Result:
    url = f"sqlite:///{store.path}" if backend == "sqlite" else stores.sa_url(store.dbname)
    actor = project_actor(url)
    eng = project_engine(url)
    if backend == "sqlite":
        conn: Any = sqlite3.connect(store.path)
        sql = LIST_SQL.format(p="?")
    else:
        import psycopg

        conn = psycopg.connect(stores.conninfo(store.dbname), autocommit=True)
        sql = LIST_SQL.format(p="%s")
    args = (actor.client_id, store.event_id)

    def floor() -> str:
        return floor_listing_json(conn.execute(sql, args).fetchall())

    log(
        f"P3 {backend}: listing event {store.event_id} of the {store.n_sessions:,} store, {runs} runs"
    )
    try:
        # One untimed round each: warm caches and compiled statements, check the outputs.
        _, project_out = run_project_listing(eng, actor, store.event_id)
        floor_out = floor()
        if project_out != floor_out:
            raise Mismatch(f"P3 {backend}: the project's JSON differs from the floor's")
        n_rows = len(json.loads(floor_out))
        if n_rows != len(store.eligible_ids):
            raise Mismatch(f"P3 {backend}: {n_rows} rows, expected {len(store.eligible_ids)}")
        project_times, floor_times = alternate(
            runs, lambda: run_project_listing(eng, actor, store.event_id)[0], floor
        )
    finally:
        conn.close()
        eng.dispose()
    return Result(
        "P3",
        f"sessions list --event E --eligible --format json ({n_rows:,} rows)",
        backend,
        store.n_sessions,
        runs,
        median(project_times),
        median(floor_times),
        BUDGET_P3,
        f"raw {'sqlite3' if backend == 'sqlite' else 'psycopg'} query + json.dumps "
        "of the same objects",
    )


# --------------------------------------------------------------------------- P3: history table

HISTORY_FROM = """FROM migration_record r
JOIN community c ON c.id = r.community_id AND c.client_id = r.client_id
LEFT JOIN event e ON e.id = r.event_id AND e.client_id = r.client_id
LEFT JOIN community_video v ON v.id = r.video_id
WHERE r.client_id = {p}"""
HISTORY_SQL = (
    "SELECT r.session_id, r.session_title, r.event_id, r.event_name, r.community_id, c.title, "
    "r.actor_email, r.actor_name, r.migrated_at, r.video_id, v.status "
    + HISTORY_FROM
    + " ORDER BY r.migrated_at DESC, r.id DESC LIMIT 101"
)
HISTORY_COUNT_SQL = "SELECT count(*) " + HISTORY_FROM
HISTORY_SHOWN = 100


def history_store(stores: Any, backend: str, n: int) -> tuple[Store, str]:
    """A store holding `n` migration records (one event of at least `n` eligible sessions,
    all migrated in one batch by the project), and its URL."""
    data, raw = migration_export(n)
    log(f"building the history store: {n:,} migration records")
    store = stores.build(f"hist-{n}" if backend == "sqlite" else f"hist{n}", data, raw)
    url = f"sqlite:///{store.path}" if backend == "sqlite" else stores.sa_url(store.dbname)
    actor = project_actor(url)
    start = time.perf_counter()
    run_project_migration(url, actor, store, store.eligible_ids[:n])
    log(f"  migrated {n:,} sessions in {time.perf_counter() - start:.1f} s")
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(stores.conninfo(store.dbname), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    return store, url


def run_project_history(eng: Any, actor: Any) -> tuple[float, list[int], int]:
    """`history` as a table (first 100 rows, 80 columns) in this process: the bounded
    store query and the rich table, written to a StringIO."""
    from sessionmig.commands.history import HISTORY
    from sessionmig.render import ListOptions, listing
    from sessionmig.store.history import Filters, history

    out = ListOptions.parse(HISTORY, "table")
    seen: dict[str, Any] = {}

    def call() -> None:
        page = history(eng, actor, Filters(), out.window())
        seen["page"] = page
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            listing(page, HISTORY, out)

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    try:
        elapsed, _ = timed(call)
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    page = seen["page"]
    return elapsed, [r["session_id"] for r in page.rows], page.left_out


def bench_p3_history(
    backend: str, stores: Any, store: Store, url: str, n: int, runs: int
) -> Result:
    actor = project_actor(url)
    eng = project_engine(url)
    if backend == "sqlite":
        conn: Any = sqlite3.connect(store.path)
        p = "?"
    else:
        import psycopg

        conn = psycopg.connect(stores.conninfo(store.dbname), autocommit=True)
        p = "%s"
    sql, count_sql = HISTORY_SQL.format(p=p), HISTORY_COUNT_SQL.format(p=p)
    args = (actor.client_id,)

    def floor() -> tuple[list[int], int]:
        rows = conn.execute(sql, args).fetchall()
        left_out = 0
        if len(rows) > HISTORY_SHOWN:
            rows = rows[:HISTORY_SHOWN]
            left_out = conn.execute(count_sql, args).fetchone()[0] - HISTORY_SHOWN
        # The same five columns as the project's table, as plain fixed-width text.
        lines = [
            f"{r[8]!s:26}  {r[0]:>7}  {str(r[1])[:20]:20}  {str(r[5])[:20]:20}  {r[6]}"
            for r in rows
        ]
        text = "\n".join(lines)
        assert text.count("\n") == len(rows) - 1
        return [r[0] for r in rows], left_out

    log(f"P3 {backend}: history table of the {n:,}-record store, {runs} runs")
    try:
        _, ids, left_out = run_project_history(eng, actor)
        if (ids, left_out) != floor():
            raise Mismatch(f"P3 {backend}: the project's history table differs from the floor's")
        if len(ids) != min(n, HISTORY_SHOWN) or len(ids) + left_out != n:
            raise Mismatch(f"P3 {backend}: {len(ids)} rows shown, {left_out} left out of {n}")
        project_times, floor_times = alternate(
            runs, lambda: run_project_history(eng, actor)[0], floor
        )
    finally:
        conn.close()
        eng.dispose()
    return Result(
        "P3",
        f"history table, first {min(n, HISTORY_SHOWN)} of {n:,} records",
        backend,
        n,
        runs,
        median(project_times),
        median(floor_times),
        BUDGET_P3,
        f"raw {'sqlite3' if backend == 'sqlite' else 'psycopg'}: the same LIMIT 101 query and "
        "COUNT(*), rows as plain text",
    )


def bench_p3_history_scaling(small: tuple[int, str], big: tuple[int, str], runs: int) -> Result:
    """`sessionmig history` (a table) as a whole process on the big store against the same
    command on the small one: a bounded table prints in about the time of a small store."""
    cmd = sessionmig_command()
    env = clean_env(COLUMNS="80")

    def proc(n: int, url: str) -> Proc:
        return Proc(
            f"history on {n:,} records",
            [*cmd, "--db", url, "--as", BENCH_ADMIN_EMAIL, "history"],
            env,
            lambda out: "Migration history" in out,
        )

    log(f"P3: history table, whole process, {small[0]:,} vs {big[0]:,} records, {runs} runs")
    floor_times, times = interleaved(proc(*small), [proc(*big)], runs, warmup=True)
    return Result(
        "P3",
        f"history table, whole process: scaling t({big[0]:,})/t({small[0]:,} records)",
        "sqlite",
        big[0],
        runs,
        median(times[0]),
        median(floor_times),
        BUDGET_P3_HISTORY_SCALING,
        f"the same command on the {small[0]:,}-record store",
    )


# --------------------------------------------------------------------------- P6: load

BUDGET_P6 = 3.0
BUDGET_P6_MEMORY = 2.5
P6_MIN_SIZE = 10_000  # P6 runs at the sizes >= this (or at the largest size when none is)
# The floor's peak: `json.load` of the same file in a fresh process.
JSON_LOAD = "import json, sys; json.load(open(sys.argv[1], encoding='utf-8'))"
LOAD_COUNTED = (
    "client",
    "audience",
    "app_user",
    "user_grant",
    "event",
    "community",
    "speaker",
    "partner",
    "event_session",
    "session_speaker",
    "session_partner",
)


def floor_rows(data: dict[str, Any]) -> list[tuple[str, tuple[str, ...], Any]]:
    """(table, columns, rows) of an export as plain tuples straight from `json.load`'s
    dicts: what the store holds after the load, with nothing checked."""
    from sessionmig.emails import email_key
    from sessionmig.store.loader import SESSION_COLUMNS  # the loader's own column order

    audience = {a["id"]: a["client_id"] for a in data.get("audiences", [])}
    client = {e["id"]: audience[e["audience_id"]] for e in data.get("events", [])}
    users = data.get("users", [])
    sessions = data.get("sessions", [])
    no_source: dict[str, Any] = {}
    return [
        ("client", ("id", "name"), ((c["id"], c["name"]) for c in data.get("clients", []))),
        (
            "audience",
            ("id", "client_id", "name"),
            ((a["id"], a["client_id"], a["name"]) for a in data.get("audiences", [])),
        ),
        (
            "app_user",
            ("id", "client_id", "email", "email_key", "name"),
            (
                (u["id"], u["client_id"], u["email"], email_key(u["email"]), u["name"])
                for u in users
            ),
        ),
        (
            "user_grant",
            ("user_id", "role", "scope", "scope_id"),
            (
                (u["id"], g["role"], g["scope"], g.get("scope_id"))
                for u in users
                for g in u.get("grants", [])
            ),
        ),
        (
            "event",
            ("id", "client_id", "audience_id", "name", "starts_on", "ends_on"),
            (
                (
                    e["id"],
                    audience[e["audience_id"]],
                    e["audience_id"],
                    e["name"],
                    e["starts_on"],
                    e["ends_on"],
                )
                for e in data.get("events", [])
            ),
        ),
        (
            "community",
            ("id", "client_id", "audience_id", "title"),
            (
                (c["id"], audience[c["audience_id"]], c["audience_id"], c["title"])
                for c in data.get("communities", [])
            ),
        ),
        (
            "speaker",
            ("id", "client_id", "name", "company"),
            (
                (x["id"], x["client_id"], x["name"], x.get("company"))
                for x in data.get("speakers", [])
            ),
        ),
        (
            "partner",
            ("id", "client_id", "name"),
            ((x["id"], x["client_id"], x["name"]) for x in data.get("partners", [])),
        ),
        (
            "event_session",
            SESSION_COLUMNS,
            (
                (
                    s["id"],
                    client[s["event_id"]],
                    s["event_id"],
                    s["title"],
                    s.get("summary", ""),
                    s["format"],
                    (s.get("source") or no_source).get("kind"),
                    (s.get("source") or no_source).get("ref"),
                    s.get("thumbnail"),
                    True,
                )
                for s in sessions
            ),
        ),
        (
            "session_speaker",
            ("session_id", "speaker_id", "client_id", "position"),
            (
                (s["id"], x, client[s["event_id"]], i)
                for s in sessions
                for i, x in enumerate(s.get("speaker_ids", []))
            ),
        ),
        (
            "session_partner",
            ("session_id", "partner_id", "client_id", "position"),
            (
                (s["id"], x, client[s["event_id"]], i)
                for s in sessions
                for i, x in enumerate(s.get("partner_ids", []))
            ),
        ),
    ]


def run_load_floor(backend: str, target: str, path: Path) -> float:
    """`json.load` of the file, then the driver's executemany of every row in one
    transaction (raw sqlite3, or psycopg's executemany), into an empty store."""
    gc.collect()
    if backend == "sqlite":
        conn: Any = sqlite3.connect(target, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        start = time.perf_counter()
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        conn.execute("BEGIN IMMEDIATE")
        for table, cols, rows in floor_rows(data):
            marks = ", ".join("?" * len(cols))
            conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        conn.close()
        return elapsed
    import psycopg

    with psycopg.connect(target) as pconn:
        pconn.execute("SELECT 1")
        pconn.rollback()
        start = time.perf_counter()
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        with pconn.transaction(), pconn.cursor() as cur:
            for table, cols, rows in floor_rows(data):
                marks = ", ".join(["%s"] * len(cols))
                cur.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",  # type: ignore[arg-type]
                    rows,
                )
        return time.perf_counter() - start


def run_project_load(url: str, path: Path) -> float:
    """`loader.load` in this process, reading the file as the command does."""
    from sessionmig.store import loader

    eng = project_engine(url)
    try:
        gc.collect()
        start = time.perf_counter()
        loader.load(eng, path.read_bytes())
        return time.perf_counter() - start
    finally:
        eng.dispose()


def load_counts(backend: str, target: str) -> dict[str, int]:
    if backend == "sqlite":
        conn: Any = sqlite3.connect(target)
    else:
        import psycopg

        conn = psycopg.connect(target)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in LOAD_COUNTED}
    finally:
        conn.close()


class EmptyStores:
    """Fresh empty stores (schema at head, no rows) of one backend, made from one
    template: a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL."""

    def __init__(self, backend: str, root: Path, pg: PgServer | None) -> None:
        self.backend, self.root, self.pg = backend, root, pg
        self._n = 0
        if backend == "sqlite":
            self.template = str(root / "p6-empty.db")
            self._init(f"sqlite:///{self.template}")
        else:
            assert pg is not None
            self.template = pg.create("p6empty")
            self._init(pg.sa_url(self.template))

    @staticmethod
    def _init(url: str) -> None:
        from sessionmig.store import engine as store_engine
        from sessionmig.store import schema

        eng = store_engine.create(store_engine.parse_url(url))
        try:
            schema.upgrade(eng)
        finally:
            eng.dispose()

    def fresh(self) -> tuple[str, str]:
        """(SQLAlchemy URL, driver target) of a new empty store."""
        self._n += 1
        if self.backend == "sqlite":
            path = self.root / f"p6-run-{self._n}.db"
            shutil.copyfile(self.template, path)
            return f"sqlite:///{path}", str(path)
        assert self.pg is not None
        name = self.pg.create(f"p6run{self._n}", template=self.template)
        return self.pg.sa_url(name), self.pg.conninfo(name)

    def drop(self, target: str) -> None:
        if self.backend == "sqlite":
            Path(target).unlink(missing_ok=True)
        else:
            assert self.pg is not None
            from sqlalchemy.engine import make_url

            name = make_url(target).database
            assert name is not None
            self.pg.drop(name)

    def close(self) -> None:
        if self.backend == "sqlite":
            Path(self.template).unlink(missing_ok=True)
        else:
            assert self.pg is not None
            self.pg.drop(self.template)


def bench_p6(stores: EmptyStores, path: Path, n: int, runs: int, mem_runs: int) -> list[Result]:
    """`load` of an n-session export into an empty store: time against the floor in this
    process, and peak memory of the whole command against `json.load` of the file, each
    in a fresh process."""
    backend = stores.backend
    project_times: list[float] = []
    floor_times: list[float] = []
    log(f"P6 {backend}: loading {n:,} sessions ({path.stat().st_size / 1e6:.1f} MB), {runs} runs")
    for i in range(runs):
        counts: dict[str, dict[str, int]] = {}
        for side in ("project", "floor") if i % 2 == 0 else ("floor", "project"):
            url, target = stores.fresh()
            try:
                if side == "project":
                    project_times.append(run_project_load(url, path))
                else:
                    floor_times.append(run_load_floor(backend, target, path))
                counts[side] = load_counts(backend, target)
            finally:
                stores.drop(target)
        check_counts(counts["project"], counts["floor"], f"P6 {backend} {n}")
        if counts["project"]["event_session"] != n:
            raise Mismatch(f"P6 {backend} {n}: {counts['project']['event_session']} sessions")
        log(
            f"  run {i + 1}: project {fmt_time(project_times[-1])}, "
            f"floor {fmt_time(floor_times[-1])}"
        )
    env = clean_env()
    cmd = sessionmig_command()
    project_kb: list[float] = []
    floor_kb: list[float] = []
    baseline_kb: list[float] = []
    empty = path.with_name("p6-empty-export.json")
    empty.write_text("{}", encoding="utf-8")
    for _ in range(mem_runs):
        for export, into in ((path, project_kb), (empty, baseline_kb)):
            url, target = stores.fresh()
            try:
                done = peak_kb([*cmd, "--db", url, "load", str(export)], env)
                if done.returncode != 0:
                    raise Mismatch(
                        f"P6 {backend}: load exit {done.returncode}: {done.stderr[-300:]!r}"
                    )
                into.append(done.kb)
            finally:
                stores.drop(target)
        floor_kb.append(peak_kb([sys.executable, "-c", JSON_LOAD, str(path)], env).kb)
    log(
        f"  peak: load {fmt_kb(median(project_kb))}, json.load {fmt_kb(median(floor_kb))}, "
        f"load of an empty export {fmt_kb(median(baseline_kb))}"
    )
    floor_name = (
        "json.load + raw sqlite3 executemany of the same rows, one transaction"
        if backend == "sqlite"
        else "json.load + psycopg executemany of the same rows, one transaction"
    )
    return [
        Result(
            "P6",
            f"load {n:,} sessions",
            backend,
            n,
            runs,
            median(project_times),
            median(floor_times),
            BUDGET_P6,
            floor_name,
        ),
        Result(
            "P6",
            f"load {n:,} sessions: peak memory",
            backend,
            n,
            mem_runs,
            median(project_kb),
            median(floor_kb),
            BUDGET_P6_MEMORY,
            "peak RSS of json.load of the same file, fresh process",
            unit="KB",
        ),
        Result(
            "P6",
            "load of an empty export: peak memory (the baseline)",
            backend,
            n,
            mem_runs,
            median(baseline_kb),
            median(floor_kb),
            None,
            "peak RSS of json.load of the same file, fresh process",
            unit="KB",
        ),
    ]


def run_p6(
    root: Path, pg: PgServer | None, sizes: Sequence[int], repeat: int, *, quick: bool
) -> list[Result]:
    """P6 at every size >= 10,000 (else the largest), on SQLite and on `--pg`'s server."""
    out: list[Result] = []
    for n in [s for s in sizes if s >= P6_MIN_SIZE] or [max(sizes)]:
        data, raw = make_export(n, 10)
        del data
        path = root / f"p6-export-{n}.json"
        path.write_bytes(raw)
        del raw
        runs = repeat if quick or n <= 50_000 else min(repeat, 3)
        for backend in ("sqlite", "postgresql") if pg is not None else ("sqlite",):
            stores = EmptyStores(backend, root, pg)
            try:
                out += bench_p6(stores, path, n, runs, 1 if quick else 3)
            finally:
                stores.close()
        path.unlink()
    return sorted(out, key=lambda r: (r.backend != "sqlite", r.size or 0))


# --------------------------------------------------------------------------- P5: streamed listings

BUDGET_P5_TIME = 2.0
BUDGET_P5_MEMORY = 1.5  # peak RSS on the largest store over the same command's on the smallest
P5_LISTINGS = ("history", "videos list", "sessions list", "events list", "communities list")
P5_MEMORY_RUNS = 3


def p5_store(stores: Any, backend: str, n: int) -> tuple[Store, str, dict[str, int]]:
    """The `n`-session store of 10 events, every eligible session migrated (about 70% of
    them: as many videos and migration records) by the project, event by event into the
    3 communities in turn; its URL, and the row count each listing must print."""
    from sessionmig.store.migrate import migrate

    data, raw = make_export(n, 10)
    log(f"building the P5 store: {n:,} sessions, every eligible one migrated")
    store = stores.build(f"p5-{n}" if backend == "sqlite" else f"p5_{n}", data, raw)
    url = f"sqlite:///{store.path}" if backend == "sqlite" else stores.sa_url(store.dbname)
    actor = project_actor(url)
    eng = project_engine(url)
    migrated = 0
    try:
        for i, event in enumerate(data["events"]):
            ids = sorted(
                s["id"] for s in data["sessions"] if s["event_id"] == event["id"] and is_eligible(s)
            )
            migrate(
                eng,
                actor,
                community_id=data["communities"][i % len(data["communities"])]["id"],
                event_id=event["id"],
                session_ids=ids,
            )
            migrated += len(ids)
    finally:
        eng.dispose()
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(stores.conninfo(store.dbname), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    counts = {
        "history": migrated,
        "videos list": migrated,
        "sessions list": len(data["sessions"]),
        "events list": len(data["events"]),
        "communities list": len(data["communities"]),
    }
    return store, url, counts


def p5_argv(name: str) -> list[str]:
    return [*name.split(), "--format", "json"]


def run_project_p5(name: str, eng: Any, actor: Any) -> tuple[float, str]:
    """The listing as its command prints it, in this process: the store's streamed page
    and `render.listing` as JSON, into a StringIO."""
    from sessionmig.render import ListOptions, listing
    from sessionmig.store import queries, videos
    from sessionmig.store.history import Filters, history

    if name == "history":
        from sessionmig.commands.history import HISTORY as spec
    elif name == "videos list":
        from sessionmig.commands.videos import VIDEOS as spec
    elif name == "sessions list":
        from sessionmig.commands.sessions import SESSIONS as spec
    elif name == "events list":
        from sessionmig.commands.events import EVENTS as spec
    else:
        from sessionmig.commands.communities import COMMUNITIES as spec
    out = ListOptions.parse(spec, "json")
    buf = io.StringIO()

    def call() -> None:
        window = out.window()
        if name == "history":
            page = history(eng, actor, Filters(), window)
        elif name == "videos list":
            page = videos.list_videos(eng, actor, window=window)
        elif name == "sessions list":
            page = queries.list_sessions(eng, actor, window=window)
        elif name == "events list":
            page = queries.list_events(eng, actor, window)
        else:
            page = queries.list_communities(eng, actor, window)
        with contextlib.redirect_stdout(buf):
            listing(page, spec, out)

    elapsed, _ = timed(call)
    return elapsed, buf.getvalue()


P5_SQL = {
    "history": """SELECT r.session_id, r.session_title, r.event_id, r.event_name, r.community_id,
        c.title, r.actor_email, r.actor_name, r.migrated_at, r.video_id, v.status, r.login
    FROM migration_record r
    JOIN community c ON c.id = r.community_id AND c.client_id = r.client_id
    LEFT JOIN event e ON e.id = r.event_id AND e.client_id = r.client_id
    LEFT JOIN community_video v ON v.id = r.video_id
    WHERE r.client_id = {p} ORDER BY r.migrated_at DESC, r.id DESC""",
    "videos list": """SELECT v.id, v.community_id, c.title, v.status, v.title, v.source_kind,
        v.source_ref, v.source_event_id, v.source_event_name, v.source_session_id, v.created_at
    FROM community_video v JOIN community c ON c.id = v.community_id
    WHERE v.client_id = {p} ORDER BY v.community_id, v.id""",
    "sessions list": """SELECT s.id, s.event_id, s.title, s.format, s.source_kind, s.is_public,
        r.community_id, c.title
    FROM event_session s JOIN event e ON e.id = s.event_id
    LEFT JOIN migration_record r ON r.session_id = s.id
    LEFT JOIN community c ON c.id = r.community_id
    WHERE s.client_id = {p} ORDER BY s.event_id, s.id""",
    "events list": """SELECT e.id, e.name, a.name, e.starts_on, e.ends_on, count(s.id),
        coalesce(sum(CASE WHEN s.format = 'online' AND s.source_kind IN ('video_file', 'url')
            AND r.id IS NULL THEN 1 ELSE 0 END), 0),
        count(r.id)
    FROM event e JOIN audience a ON a.id = e.audience_id
    LEFT JOIN event_session s ON s.event_id = e.id
    LEFT JOIN migration_record r ON r.session_id = s.id
    WHERE e.client_id = {p}
    GROUP BY e.id, e.name, a.name, e.starts_on, e.ends_on ORDER BY e.starts_on, e.id""",
    "communities list": """SELECT c.id, c.title, a.name,
        coalesce(sum(CASE WHEN v.status = 'draft' THEN 1 ELSE 0 END), 0),
        coalesce(sum(CASE WHEN v.status = 'published' THEN 1 ELSE 0 END), 0),
        count(v.id)
    FROM community c JOIN audience a ON a.id = c.audience_id
    LEFT JOIN community_video v ON v.community_id = c.id
    WHERE c.client_id = {p} GROUP BY c.id, c.title, a.name ORDER BY c.title, c.id""",
}
P5_NAMES_SQL = """SELECT x.video_id, x.name FROM {table} x
    JOIN community_video v ON v.id = x.video_id
    WHERE v.client_id = {p} ORDER BY x.video_id, x.position"""
P5_KEYS = {
    "history": (
        "session_id",
        "session_title",
        "event_id",
        "event_name",
        "community_id",
        "community_title",
        "actor_email",
        "actor_name",
        "migrated_at",
        "video_id",
        "video_status",
        "login",
    ),
    "events list": (
        "id",
        "name",
        "audience",
        "starts_on",
        "ends_on",
        "sessions",
        "eligible",
        "migrated",
    ),
    "communities list": ("id", "title", "audience", "drafts", "published", "videos"),
}


def _iso_seconds(value: Any) -> Any:
    """A timestamp as the listings print it: ISO 8601 UTC to the second, `Z`. SQLite
    hands over the stored text (UTC, `YYYY-MM-DD HH:MM:SS.ffffff`), psycopg a datetime."""
    if isinstance(value, str):
        return f"{value[:10]}T{value[11:19]}Z"
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _json_plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso_seconds(value)
    return value.isoformat()  # a date (psycopg)


def floor_p5(name: str, conn: Any, p: str, client_id: int, writer: str = "json") -> str:
    """The same document from the raw driver: one query, fetchall, plain dicts,
    `json.dumps` of the whole list (`writer="sessionmig"`: written by the listings' own
    JSON writer, `render.stream_json`, instead)."""
    rows = conn.execute(P5_SQL[name].format(p=p), (client_id,)).fetchall()
    objects: list[dict[str, Any]]
    if name == "history":
        keys = P5_KEYS[name]
        objects = [dict(zip(keys, r, strict=True)) for r in rows]
        for o in objects:
            o["migrated_at"] = _iso_seconds(o["migrated_at"])
    elif name == "videos list":
        names: dict[str, dict[int, list[str]]] = {}
        for table in ("video_speaker", "video_partner"):
            by_video: dict[int, list[str]] = {}
            sql = P5_NAMES_SQL.format(table=table, p=p)
            for video_id, person in conn.execute(sql, (client_id,)).fetchall():
                by_video.setdefault(video_id, []).append(person)
            names[table] = by_video
        speakers, partners = names["video_speaker"], names["video_partner"]
        objects = [
            {
                "id": vid,
                "community_id": community_id,
                "community_title": community,
                "status": status,
                "title": title,
                "source_kind": kind,
                "source_ref": ref,
                "source_event_id": event_id,
                "source_event_name": event,
                "source_session_id": session_id,
                "speakers": speakers.get(vid, []),
                "partners": partners.get(vid, []),
                "created_at": _iso_seconds(created),
            }
            for (
                vid,
                community_id,
                community,
                status,
                title,
                kind,
                ref,
                event_id,
                event,
                session_id,
                created,
            ) in rows
        ]
    elif name == "sessions list":
        objects = [
            {
                "id": sid,
                "event_id": event_id,
                "title": title,
                "format": fmt,
                "source": kind or "none",
                "public": bool(public),
                "eligibility": (
                    "already_migrated"
                    if community_id is not None
                    else "not_online"
                    if fmt != "online"
                    else "eligible"
                    if kind in ("video_file", "url")
                    else "no_recording"
                ),
                "community_id": community_id,
                "community": community,
            }
            for sid, event_id, title, fmt, kind, public, community_id, community in rows
        ]
    else:
        keys = P5_KEYS[name]
        objects = [dict(zip(keys, r, strict=True)) for r in rows]
    if writer == "sessionmig":
        from sessionmig.render import stream_json

        buf = io.StringIO()
        stream_json([objects], buf)
        return buf.getvalue()
    return json.dumps(objects, ensure_ascii=False, indent=2, default=_json_plain) + "\n"


def bench_p5_time(
    backend: str, stores: Any, store: Store, url: str, counts: dict[str, int], runs: int
) -> list[Result]:
    actor = project_actor(url)
    eng = project_engine(url)
    if backend == "sqlite":
        conn: Any = sqlite3.connect(store.path)
        p = "?"
    else:
        import psycopg

        conn = psycopg.connect(stores.conninfo(store.dbname), autocommit=True)
        p = "%s"
    driver = "sqlite3" if backend == "sqlite" else "psycopg"
    results = []
    try:
        for name in P5_LISTINGS:
            # One untimed round each: warm caches, compare the documents.
            _, project_out = run_project_p5(name, eng, actor)
            floor_out = floor_p5(name, conn, p, actor.client_id)
            if project_out != floor_out:
                raise Mismatch(f"P5 {backend} {name}: the project's JSON differs from the floor's")
            n_rows = len(json.loads(project_out))
            if n_rows != counts[name]:
                raise Mismatch(f"P5 {backend} {name}: {n_rows} rows, expected {counts[name]}")
            if floor_p5(name, conn, p, actor.client_id, "sessionmig") != floor_out:
                raise Mismatch(f"P5 {backend} {name}: render.stream_json differs from json.dumps")
            log(f"P5 {backend}: {name} --format json, {n_rows:,} rows, {runs} runs")
            times: dict[str, list[float]] = {"project": [], "json": [], "sessionmig": []}
            sides = list(times)
            for i in range(runs):  # the order rotates run by run: drift hits all alike
                for side in sides[i % 3 :] + sides[: i % 3]:
                    if side == "project":
                        times[side].append(run_project_p5(name, eng, actor)[0])
                    else:
                        call = functools.partial(floor_p5, name, conn, p, actor.client_id, side)
                        times[side].append(timed(call)[0])
            what = f"{name} --format json ({n_rows:,} rows)"
            results.append(
                Result(
                    "P5",
                    what,
                    backend,
                    store.n_sessions,
                    runs,
                    median(times["project"]),
                    median(times["json"]),
                    BUDGET_P5_TIME,
                    f"raw {driver}: the same query, fetchall, json.dumps of the whole list",
                )
            )
            results.append(
                Result(
                    "P5",
                    f"{what}, store only",
                    backend,
                    store.n_sessions,
                    runs,
                    median(times["project"]),
                    median(times["sessionmig"]),
                    None,
                    f"raw {driver}: the same query, fetchall, the listings' own JSON writer "
                    "(render.stream_json) of the whole list",
                )
            )
    finally:
        conn.close()
        eng.dispose()
    return results


def bench_p5_memory(url: str, counts: dict[str, int], runs: int) -> dict[str, tuple[int, float]]:
    """Peak RSS (median KB) of each listing's whole process, and its wall time (median s);
    the documents are checked for their row counts."""
    cmd = [*sessionmig_command(), "--db", url, "--as", BENCH_ADMIN_EMAIL]
    env = clean_env()
    out: dict[str, tuple[int, float]] = {}
    for name in P5_LISTINGS:
        peaks = []
        for _ in range(runs):
            peak = peak_kb([*cmd, *p5_argv(name)], env)
            if peak.returncode != 0:
                raise Mismatch(
                    f"P5 {name}: exit {peak.returncode}: "
                    f"{peak.stderr.decode('utf-8', 'replace')[-400:]}"
                )
            n_rows = len(json.loads(peak.stdout))
            if n_rows != counts[name]:
                raise Mismatch(f"P5 {name}: {n_rows} rows, expected {counts[name]}")
            peaks.append(peak)
        kb = int(median([p.kb for p in peaks]))
        seconds = median([p.seconds for p in peaks])
        log(f"  {name}: peak {fmt_kb(kb)}, {fmt_time(seconds)} (whole process)")
        out[name] = (kb, seconds)
    return out


def p5_memory_results(
    peaks: dict[tuple[str, int], dict[str, tuple[int, float]]], runs: int
) -> list[Result]:
    """Per backend and listing: the peak on each larger store over the smallest's
    (budget on the largest), or the bare peak when only one size ran."""
    results = []
    for backend in ("sqlite", "postgresql"):
        sizes = sorted(n for b, n in peaks if b == backend)
        if not sizes:
            continue
        small = sizes[0]
        for name in P5_LISTINGS:
            base = peaks[backend, small][name][0]
            if len(sizes) == 1:
                results.append(
                    Result(
                        "P5",
                        f"{name} --format json: peak memory",
                        backend,
                        small,
                        runs,
                        base,
                        base,
                        None,
                        "itself (one size: no scaling)",
                        unit="KB",
                    )
                )
                continue
            for n in sizes[1:]:
                results.append(
                    Result(
                        "P5",
                        f"{name} --format json: peak memory scaling m({n:,})/m({small:,})",
                        backend,
                        n,
                        runs,
                        peaks[backend, n][name][0],
                        base,
                        BUDGET_P5_MEMORY if n == sizes[-1] else None,
                        f"peak RSS of the same command on the {small:,}-session store",
                        unit="KB",
                    )
                )
    return results


P5_SMALL = 1_000
P5_SMALL_RUNS = 15


def bench_p5(
    lite: SqliteStores, pg: PgServer | None, sizes: Sequence[int], repeat: int, quick: bool
) -> list[Result]:
    timing: list[Result] = []
    peaks: dict[tuple[str, int], dict[str, tuple[int, float]]] = {}
    memory_runs = 1 if quick else P5_MEMORY_RUNS
    for n in sizes:
        runs = repeat if quick or n <= 50_000 else min(repeat, 3)
        if not quick and n <= P5_SMALL:
            # A small store's listings take 1-10 ms: a median of 3 moved by 2x from one
            # run to the next (README, P5); 15 cost well under a second.
            runs = max(runs, P5_SMALL_RUNS)
        backends: list[tuple[str, Any]] = [("sqlite", lite)]
        if pg is not None:
            backends.append(("postgresql", pg))
        for backend, stores in backends:
            store, url, counts = p5_store(stores, backend, n)
            try:
                timing += bench_p5_time(backend, stores, store, url, counts, runs)
                log(
                    f"P5 {backend}: peak memory of each listing, {n:,} sessions, {memory_runs} runs"
                )
                peaks[backend, n] = bench_p5_memory(url, counts, memory_runs)
            finally:
                if store.path is not None:
                    store.path.unlink(missing_ok=True)
                if store.dbname is not None:
                    stores.drop(store.dbname)
    timing.sort(
        key=lambda r: (
            r.backend != "sqlite",
            P5_LISTINGS.index(r.what.split(" --")[0]),
            r.what.endswith("store only"),
            r.size or 0,
        )
    )
    return timing + p5_memory_results(peaks, memory_runs)


# --------------------------------------------------------------------------- P7: row-level security


def link_login(pg: PgServer, store: Store) -> str:
    """Link this run's login role to the benchmark's client administrator in `store`
    with the real `sessionmig logins link`, run as the operator (copies made from the
    store afterwards keep the link)."""
    assert store.dbname is not None
    role = pg.login_role()
    cmd = [
        *sessionmig_command(),
        "--db",
        pg.sa_url(store.dbname),
        "logins",
        "link",
        BENCH_ADMIN_EMAIL,
        role,
    ]
    done = subprocess.run(cmd, env=clean_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"logins link failed ({done.returncode}): {done.stderr.strip()}")
    return role


def bench_p7_migration(pg: PgServer, store: Store, n: int, runs: int) -> Result:
    ids = store.eligible_ids[:n]
    role = link_login(pg, store)
    assert store.dbname is not None
    actor = project_actor(pg.sa_url(store.dbname))
    login_times: list[float] = []
    operator_times: list[float] = []
    log(f"P7: migrating {n:,} sessions as a linked login and as the operator, {runs} runs")
    for i in range(runs):
        order = ("login", "operator") if i % 2 == 0 else ("operator", "login")
        counts: dict[str, dict[str, int]] = {}
        for side in order:
            name = pg.fresh_copy(store)
            try:
                url = pg.login_url(name, role) if side == "login" else pg.sa_url(name)
                elapsed, _phases = run_project_migration(url, actor, store, ids)
                (login_times if side == "login" else operator_times).append(elapsed)
                counts[side] = pg_counts(pg.conninfo(name))
            finally:
                pg.drop(name)
        check_counts(counts["login"], counts["operator"], f"P7 {n}")
        log(
            f"  run {i + 1}: login {fmt_time(login_times[-1])}, "
            f"operator {fmt_time(operator_times[-1])}"
        )
    return Result(
        "P7",
        f"migrate {n:,} sessions as a linked client admin (row-level security)",
        "postgresql",
        n,
        runs,
        median(login_times),
        median(operator_times),
        BUDGET_P7,
        "the same migration by the operator (the schema owner: no row-level security)",
    )


def bench_p7_listing(pg: PgServer, store: Store, runs: int) -> Result:
    role = link_login(pg, store)
    assert store.dbname is not None
    actor = project_actor(pg.sa_url(store.dbname))
    as_login = project_engine(pg.login_url(store.dbname, role))
    as_operator = project_engine(pg.sa_url(store.dbname))
    log(f"P7: listing event {store.event_id} as a linked login and as the operator, {runs} runs")
    try:
        _, login_out = run_project_listing(as_login, actor, store.event_id)
        _, operator_out = run_project_listing(as_operator, actor, store.event_id)
        if login_out != operator_out:
            raise Mismatch("P7: the linked login's listing differs from the operator's")
        n_rows = len(json.loads(login_out))
        login_times: list[float] = []
        operator_times: list[float] = []
        for i in range(runs):
            for side in ("login", "operator") if i % 2 == 0 else ("operator", "login"):
                eng = as_login if side == "login" else as_operator
                elapsed = run_project_listing(eng, actor, store.event_id)[0]
                (login_times if side == "login" else operator_times).append(elapsed)
    finally:
        as_login.dispose()
        as_operator.dispose()
    return Result(
        "P7",
        f"sessions list --event E --eligible --format json as a linked client admin "
        f"({n_rows:,} rows)",
        "postgresql",
        store.n_sessions,
        runs,
        median(login_times),
        median(operator_times),
        BUDGET_P7,
        "the same listing by the operator (the schema owner: no row-level security)",
    )


# --------------------------------------------------------------------------- driver


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Benchmark sessionmig against floors measured in the same run, with budgets.",
    )
    ap.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="store sizes in sessions, comma-separated (default: %(default)s). P4 uses the "
        "smallest, P3 the largest, P2 and P6 every size >= 10,000 (else the largest).",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs per measure (default 5; 3 for P2 above 50,000 sessions; process "
        "measures run 3x as often, they are short)",
    )
    ap.add_argument("--pg", metavar="URL", help="also run P2, P3 and P6 on this PostgreSQL server")
    ap.add_argument(
        "--quick", action="store_true", help="tiny sizes, one run: a smoke test of this script"
    )
    ap.add_argument(
        "--markdown",
        action="store_true",
        help="print a Markdown table for the README (the plain table goes to stderr)",
    )
    ap.add_argument("--fail-on-miss", action="store_true", help="exit 1 when any budget is missed")
    ap.add_argument(
        "--only",
        default="P1,P2,P3,P4,P5,P6,P7",
        help="measures to run, comma-separated (default: %(default)s)",
    )
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.quick:
        sizes = list(QUICK_SIZES)
        repeat = args.repeat or 1
    else:
        try:
            sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
        except ValueError:
            raise SystemExit("--sizes: comma-separated integers, e.g. 1000,10000") from None
        repeat = args.repeat or 5
    if not sizes or min(sizes) < 10 or repeat < 1:
        raise SystemExit("--sizes: at least 10 sessions; --repeat: at least 1")
    only = {m.strip().upper() for m in args.only.split(",")}
    proc_runs = repeat if args.quick else 3 * repeat
    p2_sizes = [s for s in sizes if s >= P2_MIN_SIZE] or [max(sizes)]

    def p2_runs(n: int) -> int:
        return repeat if args.repeat or args.quick or n <= 50_000 else 3

    results = Results()
    started = time.perf_counter()
    ensure_bytecode()
    pg: PgServer | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="sessionmig-bench-") as tmp:
            lite = SqliteStores(Path(tmp))
            if args.pg and ({"P2", "P3", "P5", "P6", "P7"} & only):
                try:
                    pg = PgServer(args.pg)
                except ImportError:
                    raise SystemExit("--pg needs psycopg: pip install '.[postgres]'") from None
                except Exception as exc:
                    raise SystemExit(f"--pg: cannot connect: {exc}") from None
            if "P1" in only:
                results += bench_p1(proc_runs, warmup=not args.quick)
            listing_sizes = sorted(
                ({min(sizes)} if "P4" in only else set())
                | ({max(sizes)} if {"P3", "P7"} & only else set())
            )
            listing_stores: dict[tuple[str, int], Store] = {}
            for n in listing_sizes:
                log(f"building the {n:,}-session store (10 events)")
                data, raw = make_export(n, 10)
                listing_stores["sqlite", n] = lite.build(f"list-{n}", data, raw)
                if pg is not None and n == max(sizes) and {"P3", "P7"} & only:
                    listing_stores["postgresql", n] = pg.build(f"list{n}", data, raw)
                del data, raw
            if "P4" in only:
                results += bench_p4(
                    listing_stores["sqlite", min(sizes)], proc_runs, warmup=not args.quick
                )
            if "P3" in only:
                results.append(
                    bench_p3("sqlite", lite, listing_stores["sqlite", max(sizes)], repeat)
                )
                if pg is not None:
                    results.append(
                        bench_p3("postgresql", pg, listing_stores["postgresql", max(sizes)], repeat)
                    )
                history_sizes = sorted({min(sizes), max(sizes)})
                history_urls: dict[int, str] = {}
                for n in history_sizes:
                    hstore, history_urls[n] = history_store(lite, "sqlite", n)
                    if n == max(sizes):
                        results.append(
                            bench_p3_history("sqlite", lite, hstore, history_urls[n], n, repeat)
                        )
                if len(history_sizes) > 1:
                    small, big = history_sizes
                    results.append(
                        bench_p3_history_scaling(
                            (small, history_urls[small]), (big, history_urls[big]), proc_runs
                        )
                    )
                if pg is not None:
                    n = max(sizes)
                    pstore, purl = history_store(pg, "postgresql", n)
                    results.append(bench_p3_history("postgresql", pg, pstore, purl, n, repeat))
                    assert pstore.dbname is not None
                    pg.drop(pstore.dbname)
            if "P7" in only and pg is not None:
                results.append(
                    bench_p7_listing(pg, listing_stores["postgresql", max(sizes)], repeat)
                )
            if {"P2", "P7"} & only:
                p2: list[Result] = []
                for n in p2_sizes:
                    data, raw = migration_export(n)
                    log(
                        f"building the migration store: {len(data['sessions']):,} sessions in one event"
                    )
                    if "P2" in only:
                        store = lite.build(f"mig-{n}", data, raw)
                        p2.append(bench_p2("sqlite", lite, store, n, p2_runs(n)))
                        assert store.path is not None
                        store.path.unlink()
                    if pg is not None:
                        pg_store = pg.build(f"mig{n}", data, raw)
                        if "P2" in only:
                            p2.append(bench_p2("postgresql", pg, pg_store, n, p2_runs(n)))
                        if "P7" in only:
                            results.append(bench_p7_migration(pg, pg_store, n, p2_runs(n)))
                        assert pg_store.dbname is not None
                        pg.drop(pg_store.dbname)
                    del data, raw
                results += sorted(p2, key=lambda r: (r.backend != "sqlite", r.size or 0))
                results += p2_scaling(p2)
            if "P5" in only:
                results += bench_p5(lite, pg, sizes, repeat, args.quick)
            if "P6" in only:
                results += run_p6(Path(tmp), pg, sizes, repeat, quick=args.quick)
    except Mismatch as exc:
        log(f"MISMATCH: {exc}")
        if results:
            log("what was measured before:\n" + render_text(results))
        return 3
    except BaseException:
        if results:
            log("aborted; what was measured before:\n" + render_text(results))
        raise
    finally:
        if pg is not None:
            pg.close()
    order = {"P1": 1, "P2": 2, "P3": 3, "P4": 4, "P5": 5, "P6": 6, "P7": 7}
    results.sort(key=lambda r: order[r.measure])
    pg_version = pg.version if pg is not None else None
    print_report(results, args, sizes, repeat, time.perf_counter() - started, pg_version)
    missed = [r for r in results if r.verdict == "MISS"]
    return 1 if (missed and args.fail_on_miss) else 0


def environment_line(pg_version: str | None) -> str:
    parts = [
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
        f"{os.cpu_count()} CPUs",
        platform.system(),
    ]
    with contextlib.suppress(Exception):
        import sqlalchemy

        parts.append(f"SQLAlchemy {sqlalchemy.__version__}")
    if pg_version:
        parts.append(f"PostgreSQL {pg_version}")
    return ", ".join(parts)


def print_report(
    results: Sequence[Result],
    args: argparse.Namespace,
    sizes: Sequence[int],
    repeat: int,
    elapsed: float,
    pg_version: str | None,
) -> None:
    missed = [r for r in results if r.verdict == "MISS"]
    summary = f"{sum(r.verdict == 'PASS' for r in results)} within budget, {len(missed)} missed" + (
        ": " + ", ".join(f"{r.measure} {r.backend} {r.what}" for r in missed) if missed else ""
    )
    env = environment_line(pg_version)
    if args.markdown:
        print(
            f"Measured with `python benchmarks/run.py{' --quick' if args.quick else ''}` "
            f"(sizes {', '.join(f'{s:,}' for s in sizes)}; {env}). "
            "Ratio = median / median of the floor measured in the same run.\n"
        )
        print(render_markdown(results))
        print("\nFloors:\n")
        for line in render_floors(results):
            print(f"- {line}")
        sys.stderr.write("\n" + render_text(results) + "\n")
        for line in render_phases(results):
            sys.stderr.write(f"  {line}\n")
    else:
        print(
            f"sessionmig benchmark: {env}; sizes {', '.join(f'{s:,}' for s in sizes)}; "
            f"repeat {repeat}; {elapsed:.0f} s"
        )
        print("ratio = median / floor median, both measured in this run, interleaved\n")
        print(render_text(results))
        print("\nfloors:")
        for line in render_floors(results):
            print(f"  {line}")
        phases = render_phases(results)
        if phases:
            print("\nphases of the project's migrate() (medians, from its step callback):")
            for line in phases:
                print(f"  {line}")
    print(f"\n{summary}")


if __name__ == "__main__":
    sys.exit(main())
