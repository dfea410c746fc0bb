"""Hostile input: generated malformed and adversarial export files always end in exit 2,
errors that name their place, no traceback and zero rows written."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

from sessionmig.errors import InvalidInput
from sessionmig.export_models import ExportIn
from sessionmig.store import engine as store_engine
from sessionmig.store import loader
from tests import sample
from tests.conftest import Cli, data_rows

PLACE = re.compile(r'^(file|\(top level\)|(\w+|\[".*"\])(\[\d+\]|\.\w+|\[".*"\])*): \S.*$')
LISTS = tuple(ExportIn.model_fields)
REQUIRED = {
    "clients": ("id", "name"),
    "audiences": ("id", "client_id", "name"),
    "users": ("id", "client_id", "email", "name"),
    "events": ("id", "audience_id", "name", "starts_on", "ends_on"),
    "communities": ("id", "audience_id", "title"),
    "speakers": ("id", "client_id", "name"),
    "partners": ("id", "client_id", "name"),
    "sessions": ("id", "event_id", "title", "format"),
}
REFS = {
    "audiences": "client_id",
    "users": "client_id",
    "events": "audience_id",
    "communities": "audience_id",
    "speakers": "client_id",
    "partners": "client_id",
    "sessions": "event_id",
}
WRONG_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _as_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


@st.composite
def wrong_type(draw: st.DrawFn) -> bytes:
    data = sample.export()
    name = draw(st.sampled_from(LISTS))
    i = draw(st.integers(0, len(data[name]) - 1))
    key = draw(st.sampled_from(REQUIRED[name]))
    value = draw(WRONG_VALUES)
    original = data[name][i][key]
    if type(value) is type(original) or (
        key in ("starts_on", "ends_on") and isinstance(value, str)
    ):
        value = [value]  # never the right type
    data[name][i][key] = value
    return _as_bytes(data)


@st.composite
def missing_field(draw: st.DrawFn) -> bytes:
    data = sample.export()
    name = draw(st.sampled_from(LISTS))
    i = draw(st.integers(0, len(data[name]) - 1))
    del data[name][i][draw(st.sampled_from(REQUIRED[name]))]
    return _as_bytes(data)


@st.composite
def dangling_reference(draw: st.DrawFn) -> bytes:
    data = sample.export()
    name = draw(st.sampled_from(sorted(REFS)))
    i = draw(st.integers(0, len(data[name]) - 1))
    data[name][i][REFS[name]] = draw(st.integers(100_000, 2**62))
    return _as_bytes(data)


@st.composite
def bad_link(draw: st.DrawFn) -> bytes:
    data = sample.export()
    i = draw(st.integers(0, 7))  # client 1's sessions
    field = draw(st.sampled_from(["speaker_ids", "partner_ids"]))
    kind = draw(st.sampled_from(["cross_client", "dangling", "twice", "zero"]))
    ids = data["sessions"][i][field]
    if kind == "cross_client":
        ids.append(95 if field == "speaker_ids" else 97)
    elif kind == "dangling":
        ids.append(draw(st.integers(100_000, 10**9)))
    elif kind == "twice":
        ids.extend([5, 5] if field == "speaker_ids" else [7, 7])
    else:
        ids.append(draw(st.integers(-(10**6), 0)))
    return _as_bytes(data)


@st.composite
def duplicate_id(draw: st.DrawFn) -> bytes:
    data = sample.export()
    name = draw(st.sampled_from(LISTS))
    data[name].append(copy.deepcopy(draw(st.sampled_from(data[name]))))
    return _as_bytes(data)


@st.composite
def bad_strings(draw: st.DrawFn) -> bytes:
    data = sample.export()
    i = draw(st.integers(0, len(data["sessions"]) - 1))
    kind = draw(st.sampled_from(["nul", "long_title", "long_summary", "empty", "long_ref"]))
    s = data["sessions"][i]
    if kind == "nul":
        s["title"] = draw(st.text(max_size=10)) + "\x00" + draw(st.text(max_size=10))
    elif kind == "long_title":
        s["title"] = "x" * draw(st.integers(501, 5000))
    elif kind == "long_summary":
        s["summary"] = "y" * draw(st.integers(20_001, 40_000))
    elif kind == "empty":
        s["title"] = ""
    else:
        s["thumbnail"] = "t" * draw(st.integers(2049, 4000))
    return _as_bytes(data)


@st.composite
def bad_enum_or_grant(draw: st.DrawFn) -> bytes:
    data = sample.export()
    kind = draw(st.sampled_from(["format", "source", "role", "scope", "grant_scope_id"]))
    word = draw(
        st.text(min_size=1, max_size=12).filter(
            lambda w: (
                w
                not in {
                    "online",
                    "in_person",
                    "hybrid",
                    "video_file",
                    "url",
                    "live",
                    "admin",
                    "contributor",
                    "reader",
                    "client",
                    "audience",
                    "event",
                    "community",
                }
            )
        )
    )
    if kind == "format":
        data["sessions"][0]["format"] = word
    elif kind == "source":
        data["sessions"][0]["source"] = {"kind": word, "ref": "x"}
    elif kind == "role":
        data["users"][0]["grants"][0]["role"] = word
    elif kind == "scope":
        data["users"][0]["grants"][0]["scope"] = word
    else:
        data["users"][0]["grants"][0]["scope_id"] = 7  # client scope takes none
    return _as_bytes(data)


@st.composite
def unknown_field(draw: st.DrawFn) -> bytes:
    data = sample.export()
    name = draw(st.sampled_from(LISTS))
    key = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
    if key in data[name][0] or key in (
        "grants",
        "company",
        "summary",
        "source",
        "thumbnail",
        "speaker_ids",
        "partner_ids",
    ):
        key = key + "_zz"
    data[name][0][key] = 1
    return _as_bytes(data)


@st.composite
def not_utf8(draw: st.DrawFn) -> bytes:
    raw = _as_bytes(sample.export())
    pos = draw(st.integers(0, len(raw) - 1))
    bad = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"]))
    return raw[:pos] + bad + raw[pos:]


@st.composite
def deep_nesting(draw: st.DrawFn) -> bytes:
    depth = draw(st.integers(300, 20_000))
    inner = "[" * depth + "]" * depth
    where = draw(st.sampled_from(["sessions", "top", "title"]))
    if where == "top":
        return inner.encode()
    if where == "title":
        return ('{"clients": [{"id": 1, "name": ' + inner + "}]}").encode()
    return ('{"sessions": ' + inner + "}").encode()


def _objects(
    value: Any, loc: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every JSON object in `value` with its place."""
    if isinstance(value, dict):
        yield loc, value
        for key, item in value.items():
            yield from _objects(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _objects(item, (*loc, i))


@st.composite
def duplicate_key(draw: st.DrawFn) -> bytes:
    """One object of the export (the top level, a session, its source, a grant...) gets one
    of its keys twice, with another or the same value: JSON keeps the last one silently."""
    data = sample.export()
    _, obj = draw(st.sampled_from([o for o in _objects(data) if o[1]]))
    key = draw(st.sampled_from(sorted(obj)))
    marker = "__sessionmig_duplicate__"
    obj[marker] = draw(st.one_of(st.just(obj[key]), WRONG_VALUES))
    text = json.dumps(data, ensure_ascii=False).replace(f'"{marker}"', json.dumps(key), 1)
    return text.encode("utf-8")


def _is_export_object(raw: bytes) -> bool:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return (
        isinstance(value, dict)
        and not (set(value) - set(LISTS))
        and all(isinstance(v, list) and not v for v in value.values())
    )


garbage = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda s: s.encode("utf-8")),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        max_leaves=10,
    ).map(lambda v: json.dumps(v).encode()),
).filter(lambda b: not _is_export_object(b))

HOSTILE = st.one_of(
    wrong_type(),
    missing_field(),
    dangling_reference(),
    bad_link(),
    duplicate_id(),
    bad_strings(),
    bad_enum_or_grant(),
    unknown_field(),
    not_utf8(),
    deep_nesting(),
    duplicate_key(),
    garbage,
)


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> str:
    import shutil

    path = tmp_path_factory.mktemp("hostile") / "store.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def engine(empty_store: str) -> Iterator[Engine]:
    eng = store_engine.create(store_engine.parse_url(empty_store))
    yield eng
    eng.dispose()


def total_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return sum(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
            if t.name != "store_info"  # the store's own id, not data
        )


@settings(
    max_examples=1200, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
@given(raw=HOSTILE)
def test_hostile_files_are_refused_with_placed_errors(engine: Engine, raw: bytes) -> None:
    with pytest.raises(InvalidInput) as info:
        loader.load(engine, raw)
    assert info.value.details, raw[:200]
    for line in info.value.details:
        assert PLACE.match(line), line
    assert info.value.exit_code == 2
    assert total_rows(engine) == 0


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(raw=HOSTILE)
def test_hostile_files_through_the_cli(
    empty_store: str, tmp_path_factory: pytest.TempPathFactory, raw: bytes
) -> None:
    path = tmp_path_factory.mktemp("f") / "export.json"
    path.write_bytes(raw)
    r = Cli(empty_store, path.parent)("load", str(path))
    assert r.exit_code == 2
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert r.stderr.strip().splitlines()[-1].startswith("error: the file is invalid")
    assert data_rows(empty_store) == 0


@settings(
    max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
@given(raw=duplicate_key())
def test_duplicate_keys_are_refused_at_their_place(engine: Engine, raw: bytes) -> None:
    with pytest.raises(InvalidInput) as info:
        loader.load(engine, raw)
    assert any(": duplicate key " in line for line in info.value.details), info.value.details
    assert total_rows(engine) == 0


@pytest.mark.parametrize(
    "args",
    [
        ["sessions", "show", "-1"],
        ["sessions", "show", "abc"],
        ["sessions", "list", "--event", "0"],
        ["migrate", "--community", "-5", "--event", "10", "--all-eligible", "--yes"],
        ["migrate", "--community", "50", "--event", "10", "--session", "0", "--yes"],
        ["events", "list", "--format", "xml"],
        ["sessions", "show", "99999999999999999999999"],
    ],
)
def test_bad_option_values_are_usage_errors(loaded: Cli, args: list[str]) -> None:
    r = loaded(*args, actor=sample.ADMIN)
    assert r.exit_code == 2, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
