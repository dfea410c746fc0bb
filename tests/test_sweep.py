"""A generated sweep: every command and subcommand × hostile option values × the states
of the standard streams (stdout a file, /dev/full, closed, or a pipe whose reader is gone;
stdin empty or closed), in real processes. No case may end in a traceback, in Python's
"Exception ignored" at exit, in a signal, or in an undocumented exit code; an error is
one `error: ` line (an invalid export lists its errors above it).

The cases: each command with valid options under all 8 stream states; each option of
each command given each hostile value (empty, zero, negative, beyond 64 bits, huge,
not-a-number, non-UTF-8 bytes, rich markup, terminal escapes, bidi, 5,000 digits, printf
and format strings, an option name), and each option left without its value, under a
stream state drawn with a fixed seed; hostile root options and environment values; every
group without its subcommand; and the cases of issue 9 by name. They run through
tests/sweep_driver.py (one fork per case, so hundreds of processes fit in seconds), split
over two drivers with a store each; a few run as genuine `python -m sessionmig` execs to
prove the fork faithful.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from sessionmig.cli import app
from sessionmig.demo import demo_export
from tests.conftest import Cli, _fresh_url
from tests.proc import STDIN_MODES, STDOUT_MODES, base_env, run

SEED = 9
DOCUMENTED = {0, 1, 2, 3, 4, 5, 74, 130, 141}
STATES = [(out, inp) for out in STDOUT_MODES for inp in STDIN_MODES]
DRIVER = Path(__file__).with_name("sweep_driver.py")
LANES = 2
PER_OPTION = 7  # hostile values per option, drawn with the seed; every command gets all

HOSTILE = {
    "empty": "",
    "zero": "0",
    "negative": "-1",
    "int64+1": "9223372036854775808",
    "huge": "99999999999999999999999",
    "float": "1e309",
    "nan": "nan",
    "non-utf8": "\udcff\udcfe\udc80abc",  # bytes 0xff 0xfe 0x80 in argv (surrogateescape)
    "markup": "[bold red]boom[/]",
    "escapes": "\x1b[2J\x1b]0;owned\x07\r",
    "bidi": "\u202eevil\u2066",
    "long": "9" * 5000,
    "format": "%s%n{0}{!r}",
    "option-like": "--help",
}

# Valid values per option, so that every other option of a case is fine.
VALID = {
    "--format": "json",
    "--community": "51",
    "--event": "10",
    "--session": "1000",
    "--actor": "ana@acme.test",
    "--since": "2026-01-01",
    "--until": "9999-12-31",
    "--limit": "5",
    "--status": "draft",
}
# Arguments and the options each command needs to run its real work.
BASE = {
    ("communities", "list"): [],
    ("db", "check"): [],
    ("db", "init"): [],
    ("demo",): [],
    ("events", "list"): [],
    ("history",): [],
    ("load",): ["export.json"],
    ("logins", "link"): ["ana@acme.test", "sm_sweep_role"],
    ("logins", "list"): [],
    ("logins", "unlink"): ["ana@acme.test"],
    ("migrate",): ["--community", "50", "--event", "12", "--all-eligible", "--yes"],
    ("schema",): ["history"],
    ("sessions", "delete"): ["1040", "--yes"],
    ("sessions", "list"): [],
    ("sessions", "show"): ["1000"],
    ("videos", "list"): [],
    ("videos", "publish"): ["1"],
    ("videos", "show"): ["1"],
    ("videos", "unpublish"): ["1"],
    ("whoami",): [],
}
ROOT = ["--as", "ana@acme.test"]


def commands() -> list[tuple[tuple[str, ...], Any]]:
    def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in sorted(subs.items()):
                yield from walk(sub, (*path, name))
        else:
            yield path, command

    return list(walk(typer.main.get_command(app)))


def groups() -> list[tuple[str, ...]]:
    root = typer.main.get_command(app)
    return [()] + [
        (name,) for name, sub in sorted(root.commands.items()) if hasattr(sub, "commands")
    ]


def deal(rng: random.Random, n_params: int) -> list[list[str]]:
    """Hostile values for each of a command's options: together every value, each option
    at least PER_OPTION of them (or all of them when fewer)."""
    labels = sorted(HOSTILE)
    dealt: list[list[str]] = [[] for _ in range(n_params)]
    for k, label in enumerate(rng.sample(labels, len(labels)) if n_params else []):
        dealt[k % n_params].append(label)
    for mine in dealt:
        extra = [label for label in rng.sample(labels, len(labels)) if label not in mine]
        mine.extend(extra[: max(0, PER_OPTION - len(mine))])
    return dealt


def generate(cwd: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    cases: list[dict[str, Any]] = []

    def add(argv: list[str], why: str, state: tuple[str, str] | None = None, **extra: str) -> None:
        out, inp = state or rng.choice(STATES)
        cases.append(
            {
                "argv": argv,
                "env": {**env, **extra},
                "cwd": str(cwd),
                "stdout": out,
                "stdin": inp,
                "why": why,
            }
        )

    listed = commands()
    assert {p for p, _ in listed} == set(BASE), "a command without its sweep arguments"
    for path, command in listed:
        base = BASE[path]
        for state in STATES:  # every command under every state of its streams
            add([*ROOT, *path, *base], "valid, every stream state", state)
        if any(p.opts[0] == "--format" for p in command.params):
            for fmt in ("table", "json", "csv"):
                add([*ROOT, *path, *base, "--format", fmt], f"valid --format {fmt}")
        for param, labels in zip(command.params, deal(rng, len(command.params)), strict=True):
            name = param.opts[0]
            is_flag = bool(getattr(param, "is_flag", False))
            for label in labels:
                value = HOSTILE[label]
                if param.param_type_name == "argument":  # in place of the real argument
                    flags = [a for a in base if a.startswith("--")]
                    add([*ROOT, *path, value, *flags], f"argument {label}")
                elif is_flag:
                    add([*ROOT, *path, *base, f"{name}={value}"], f"{name}= {label}")
                else:
                    add([*ROOT, *path, *base, name, value], f"{name} {label}")
            if param.param_type_name == "option" and not is_flag:
                add([*ROOT, *path, *base, name], f"{name} without its value")
                if name in VALID:
                    add([*ROOT, *path, *base, name, VALID[name]], f"{name} valid")
    for label, value in HOSTILE.items():
        path, _ = rng.choice(listed)
        add(["--as", value, *path, *BASE[path]], f"--as {label}")
        path, _ = rng.choice(listed)
        add(["--db", value or "x", *ROOT, *path, *BASE[path]], f"--db {label}")
        path, _ = rng.choice(listed)
        add(
            [*ROOT, *path, *BASE[path]],
            f"SESSIONMIG_BUSY_TIMEOUT {label}",
            SESSIONMIG_BUSY_TIMEOUT=value.replace("\x00", ""),
        )
    for option in ("--db", "--as"):
        add([option], f"{option} without its value")
    for group in groups():
        add(list(group), "group without its command")
        add([*group, "--help"], "help")
        add([*group, "--bogus"], "unknown option")
    add(["--version"], "version")
    add(["nosuchcommand"], "unknown command")
    # Issue 9's cases, by name.
    for out, inp in STATES:
        add(["--version"], "issue 9: --version", (out, inp))
        add([*ROOT, "history", "--format", "csv"], "issue 9: history csv", (out, inp))
    add(["load", "-"], "issue 9: load - with stdin closed", ("pipe", "closed"))
    add(["--db"], "issue 9: --db without its value", ("pipe", "devnull"))
    add([*ROOT, "history", "--limit", "99999999999999999999"], "issue 9: --limit beyond 64 bits")
    for value in ("9999-12-31", "0001-01-01T00:00+01:00"):
        for option in ("--since", "--until"):
            add([*ROOT, "history", option, value], f"issue 9: {option} {value}")
    for value in ("inf", "nan", "1e309", "1e12", "-1"):
        add(
            [*ROOT, "events", "list"],
            f"issue 9: SESSIONMIG_BUSY_TIMEOUT={value}",
            SESSIONMIG_BUSY_TIMEOUT=value,
        )
    add(
        [*ROOT, "events", "list"],
        "issue 9: a store file that is not a database",
        SESSIONMIG_DB=f"sqlite:///{cwd / 'export.json'}",
    )
    add(
        [*ROOT, "events", "list"],
        "issue 9: XDG_DATA_HOME is a file",
        SESSIONMIG_DB="",
        XDG_DATA_HOME=str(cwd / "export.json"),
    )
    add(
        ["demo"],
        "issue 9: default store directory cannot be made",
        SESSIONMIG_DB="",
        XDG_DATA_HOME="/sys/sessionmig-sweep",
    )
    add([*ROOT, "history", "--until", "2026-11-24 16:44:56 CET"], "issue 9: zone name")
    return cases


def check(case: dict[str, Any], result: dict[str, Any]) -> str | None:
    """What is wrong with one case's outcome, or None."""
    code, err = result["code"], result["stderr"]
    if "Traceback" in err or "Exception ignored" in err:
        return "traceback"
    if code not in DOCUMENTED:
        return f"exit {code}"
    lines = err.strip().splitlines()
    helped = code == 2 and "Usage:" in result["stdout"]  # a group without its command
    errored = bool(lines) and lines[-1].startswith("error: ")
    if code in (2, 3, 4, 5, 74, 130) and not helped and not errored:
        return "no error line"
    if code == 141 and any(line.startswith("error: ") for line in lines):
        return "a closed pipe is quiet"
    if code == 74 and sum(line.startswith("error: ") for line in lines) != 1:
        return "one line for an output error"
    argv = case["argv"]
    asked_json = "--format" in argv and argv[argv.index("--format") + 1 :][:1] == ["json"]
    printed = code == 0 and case["stdout"] == "pipe" and "--help" not in argv
    if printed and asked_json and not result["stdout_is_json"]:
        return "stdout is not the JSON asked for"
    return None


def small_export() -> dict[str, Any]:
    """A valid slice of the demo organisation (quick to load again and again)."""
    demo = demo_export()
    return {
        "clients": demo["clients"][:1],
        "audiences": [a for a in demo["audiences"] if a["id"] == 3],
        "events": [e for e in demo["events"] if e["id"] == 11],
        "sessions": [s for s in demo["sessions"] if s["event_id"] == 11][:3],
    }


@pytest.fixture(scope="module")
def stores(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One demo store per lane, each with the export file that `load` is given."""
    lanes = []
    tmp = tmp_path_factory.mktemp("sweep")
    urls = _fresh_url("sqlite", request, tmp)
    url = next(urls)
    assert Cli(url, tmp)("demo").exit_code == 0
    source = Path(url.removeprefix("sqlite:///"))
    for i in range(LANES):
        lane = tmp / f"lane{i}"
        lane.mkdir()
        shutil.copy(source, lane / "store.db")
        (lane / "export.json").write_text(json.dumps(small_export()), encoding="utf-8")
        lanes.append(lane)
    yield lanes
    next(urls, None)


def test_no_traceback_anywhere(stores: list[Path], tmp_path: Path) -> None:
    per_lane = []
    for i, lane in enumerate(stores):
        env = base_env(
            SESSIONMIG_DB=f"sqlite:///{lane / 'store.db'}",
            HOME=str(lane),
            SESSIONMIG_BUSY_TIMEOUT="5",
        )
        cases = generate(lane, env)
        per_lane.append(cases[i::LANES])
    total = sum(len(c) for c in per_lane)
    procs = []
    for i, cases in enumerate(per_lane):
        (tmp_path / f"cases{i}.json").write_text(json.dumps(cases), encoding="utf-8")
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    str(DRIVER),
                    str(tmp_path / f"cases{i}.json"),
                    str(tmp_path / f"results{i}.json"),
                ],
                stdin=subprocess.DEVNULL,
            )
        )
    for proc in procs:
        assert proc.wait(timeout=600) == 0
    failures = []
    for i, cases in enumerate(per_lane):
        results = json.loads((tmp_path / f"results{i}.json").read_text(encoding="utf-8"))
        assert len(results) == len(cases)
        for case, result in zip(cases, results, strict=True):
            wrong = check(case, result)
            if wrong:
                failures.append(
                    f"{wrong}: {case['why']}: sessionmig {' '.join(map(repr, case['argv']))} "
                    f"[stdout {case['stdout']}, stdin {case['stdin']}] -> exit {result['code']}\n"
                    f"{result['stderr'][-600:]}"
                )
    assert not failures, f"{len(failures)} of {total} cases:\n\n" + "\n\n".join(failures[:15])
    assert total >= 600, total


@pytest.mark.parametrize(
    ("argv", "stdout", "stdin", "code"),
    [
        (["--version"], "closed", "devnull", 74),
        (["--version"], "epipe", "devnull", 141),
        (["load", "-"], "pipe", "closed", 2),
        ([*ROOT, "history", "--format", "csv"], "full", "closed", 74),
        ([*ROOT, "events", "list", "--format", "json"], "closed", "closed", 74),
    ],
)
def test_the_fork_is_faithful_to_a_real_exec(
    stores: list[Path], argv: list[str], stdout: str, stdin: str, code: int
) -> None:
    """The same cases as genuine `python -m sessionmig` processes give the same answers."""
    lane = stores[0]
    p = run(
        argv,
        env=base_env(SESSIONMIG_DB=f"sqlite:///{lane / 'store.db'}"),
        stdout=stdout,
        stdin=stdin,
        cwd=lane,
    )
    assert p.returncode == code, p.stderr
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr
