"""The wheel holds what users run: the demo as package data, no generators of test data.

Builds the wheel the way a user's `pip install .` does (pip, isolated build), from a
copy of the checkout so that the build leaves nothing behind in it.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sessionmig import demo

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "sessionmig"

# What the benchmark and the tests generate stores with (benchmarks/synthetic.py), and
# the module that used to hold them in the package.
GENERATORS = {"synthetic_export", "bench_emails", "write_export", "_synthetic_sessions"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    checkout = work / "checkout"
    checkout.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, checkout / name)
    shutil.copytree(
        ROOT / "src",
        checkout / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"),
    )
    out = work / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(checkout), "--no-deps", "-q", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = out.glob("sessionmig-*.whl")
    return built


def test_wheel_ships_the_demo_export_as_package_data(wheel: Path) -> None:
    from sessionmig.export_format import parse

    with zipfile.ZipFile(wheel) as zf:
        shipped = zf.read("sessionmig/demo.json")
    assert shipped == (PACKAGE / "demo.json").read_bytes()
    data, errors = parse(shipped)
    assert errors == [] and data is not None, errors[:5]


def test_wheel_holds_no_generator_code(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        sources = {n: zf.read(n).decode("utf-8") for n in names if n.endswith(".py")}
        top_level = zf.read("sessionmig-0.1.0.dist-info/top_level.txt").decode().split()
    assert top_level == ["sessionmig"]
    assert {n.split("/")[0] for n in names} == {"sessionmig", "sessionmig-0.1.0.dist-info"}
    assert "sessionmig/demo_data.py" not in names
    defined = {
        node.name
        for text in sources.values()
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    assert defined & GENERATORS == set()
    # The demo module reads the export; the 1,300 lines of literals are gone with it.
    assert len(sources["sessionmig/demo.py"].splitlines()) < 80


def test_installed_wheel_runs_the_demo_from_its_package_data(wheel: Path, tmp_path: Path) -> None:
    """Unpacked alone on the path (no checkout), the wheel's `sessionmig demo` loads its
    own demo.json: the same organisation and migration as from the checkout."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SESSIONMIG_") or k == "SESSIONMIG_LANG"
        },
        "PYTHONPATH": str(site),
        "SESSIONMIG_NO_PROMPT": "1",
    }
    run = [sys.executable, "-m", "sessionmig", "--db", f"sqlite:///{tmp_path / 'demo.db'}"]
    where = subprocess.run(
        [sys.executable, "-c", "import sessionmig; print(sessionmig.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(site)
    for args in (["db", "init"], ["demo", "--format", "json"]):
        done = subprocess.run(
            [*run, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    data = demo.demo_export()
    eligible = [
        s["id"]
        for s in data["sessions"]
        if s["event_id"] == demo.DEMO_EVENT_ID
        and s["format"] == "online"
        and (s["source"] or {}).get("kind") in ("video_file", "url")
    ]
    doc = json.loads(done.stdout)
    assert doc["actor"] == demo.DEMO_ADMIN_EMAIL
    assert (doc["community"]["id"], doc["event"]["id"]) == (
        demo.DEMO_COMMUNITY_ID,
        demo.DEMO_EVENT_ID,
    )
    assert {r["session_id"]: r["outcome"] for r in doc["results"]} == dict.fromkeys(
        eligible, "migrated"
    )
    assert f"{len(data['sessions'])} sessions" in done.stderr


def test_wheel_ships_the_compiled_french_catalogue(wheel: Path) -> None:
    """SPEC "Languages": French works from a plain `pip install .` (no Babel needed)."""
    name = "sessionmig/locale/fr/LC_MESSAGES/sessionmig.mo"
    with zipfile.ZipFile(wheel) as zf:
        shipped = zf.read(name)
    assert shipped == (PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "sessionmig.mo").read_bytes()
