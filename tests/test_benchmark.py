"""`benchmarks/run.py --quick` runs end to end and reports every measure.

No timing is asserted here (the suite never asserts timings): this only proves that
the committed benchmark still works against the current code, on SQLite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "run.py"


def test_quick_benchmark_reports_every_measure() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SESSIONMIG_") or k == "SESSIONMIG_LANG"
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    for measure in ("P1", "P2", "P3", "P4", "P5"):
        rows = [line for line in lines if line.startswith(f"{measure} ")]
        assert rows, f"no {measure} row in:\n{done.stdout}"
        for row in rows:
            assert row.rstrip().endswith(("PASS", "MISS", "info")), row
    # The rows named by the brief, each with a verdict.
    text = done.stdout
    for what in (
        "sessionmig --version",
        "completion",
        "--help",
        "migrate",
        "sessions list --event E --eligible --format json",
        "events list",
        "communities list",
        "sessions list --event E --format json",
        "history table, first 100 of",
        "history --format json (",
        "videos list --format json (",
        "communities list --format json: peak memory",
    ):
        assert what in text, what
    # P6, the load: its time, its peak memory, and the baseline's peak beside them.
    p6 = [line for line in lines if line.startswith("P6 ")]
    assert any("load 200 sessions " in row for row in p6), text
    assert any("load 200 sessions: peak memory" in row and " MB " in row for row in p6), text
    assert any("load of an empty export: peak memory" in row for row in p6), text


def test_peak_kb_measures_the_command_not_its_parent() -> None:
    """`peak_kb` reports the peak RSS of the command alone: 64 MB touched by the command
    show, and what the calling process holds does not."""
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import run  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(SCRIPT.parent))
    held = bytearray(128 * 1024 * 1024)
    held[::4096] = b"\x01" * len(held[::4096])
    idle = run.peak_kb([sys.executable, "-c", "print('ok')"])
    busy = run.peak_kb(
        [sys.executable, "-c", "b = bytearray(64 << 20); b[::4096] = b'x' * (16 << 10)"]
    )
    del held
    assert idle.returncode == 0 and idle.stdout == b"ok\n"
    assert busy.returncode == 0
    assert idle.kb < 64 * 1024
    assert busy.kb >= 64 * 1024 > idle.kb
    assert run.fmt_kb(2048) == "2.0 MB" and run.fmt_kb(512) == "512 KB"
