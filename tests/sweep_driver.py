"""Runs many `sessionmig` invocations fast, each in its own process: this driver imports
the program once, then forks one child per case. The child sets up its standard streams
(a file, /dev/full, a closed descriptor, a pipe whose reader is gone), its environment
and argv, calls the console script's entry point (`sessionmig.cli:main`), and exits the
way the real program does, through the interpreter's own shutdown (where a failing last
flush of stdout would print "Exception ignored"). A descriptor closed "at start" is
closed and its `sys` stream set to None, exactly as CPython starts with it closed.

Usage: python tests/sweep_driver.py CASES.json RESULTS.json
A case: {"argv": [...], "env": {...}, "cwd": DIR, "stdout": MODE, "stdin": MODE}.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
import tempfile
import time

STDOUT_LIMIT = 4000
CHILD_TIMEOUT = 60


def _preload() -> None:
    """Import what commands import when they run, so that each child only runs."""
    import alembic.command  # noqa: F401
    import pydantic  # noqa: F401
    import rich.console
    import rich.table  # noqa: F401
    import sqlalchemy  # noqa: F401

    import sessionmig.cli
    import sessionmig.store.check
    import sessionmig.store.deletion
    import sessionmig.store.history
    import sessionmig.store.loader
    import sessionmig.store.migrate
    import sessionmig.store.queries
    import sessionmig.store.schema
    import sessionmig.store.videos  # noqa: F401


def _child(case: dict[str, object], out_path: str, err_path: str) -> None:
    """In the forked child: never returns (the interpreter exits with main's code)."""
    signal.alarm(CHILD_TIMEOUT)
    os.chdir(str(case["cwd"]))
    err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(err, 2)
    os.close(err)
    if case["stdin"] == "closed":
        os.close(0)
        sys.stdin = sys.__stdin__ = None  # type: ignore[assignment]
    else:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
    mode = case["stdout"]
    if mode == "closed":
        os.close(1)
        sys.stdout = sys.__stdout__ = None  # type: ignore[assignment]
    else:
        if mode == "pipe":
            target = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        elif mode == "full":
            target = os.open("/dev/full", os.O_WRONLY)
        else:  # "epipe": a pipe whose reader is already gone
            read_end, target = os.pipe()
            os.close(read_end)
        os.dup2(target, 1)
        os.close(target)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in dict(case["env"]).items()})  # type: ignore[call-overload]
    time.tzset()
    sys.argv = ["sessionmig", *[str(a) for a in case["argv"]]]  # type: ignore[attr-defined]
    from sessionmig.cli import main

    main()
    sys.exit(0)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    _preload()
    # Children share the driver's heap copy-on-write: without this, the collector (and the
    # interpreter's shutdown) would touch every page of it in every child (~0.6 s each).
    gc.freeze()
    results = []
    work = tempfile.mkdtemp(prefix="sweep-")
    out_path, err_path = os.path.join(work, "out"), os.path.join(work, "err")
    for case in cases:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(case, out_path, err_path)
        _, status = os.waitpid(pid, 0)
        with open(out_path, "a+b") as f:
            f.seek(0)
            stdout = f.read().decode("utf-8", "replace")
            f.truncate(0)
        try:
            json.loads(stdout)
            is_json = True
        except ValueError:
            is_json = False
        with open(err_path, "a+b") as f:
            f.seek(0)
            stderr = f.read().decode("utf-8", "replace")
            f.truncate(0)
        results.append(
            {
                "code": os.waitstatus_to_exitcode(status),
                "stdout": stdout[:STDOUT_LIMIT] if case["stdout"] == "pipe" else "",
                "stdout_is_json": is_json,
                "stderr": stderr,
            }
        )
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
