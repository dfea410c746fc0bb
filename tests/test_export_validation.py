"""`load`'s own checks (export_format, no pydantic) against the pydantic models that
`sessionmig schema export` is made from (export_models): for every object tried, both
accept it with the same values, or both refuse it with the same messages, in the same
order. The objects are every kind's valid object with each field removed or replaced by
each of a set of awkward values, then objects drawn by hypothesis."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from sessionmig import export_format as ef
from sessionmig.export_models import MODELS

VALID: dict[str, dict[str, Any]] = {
    "clients": {"id": 1, "name": "Acme"},
    "audiences": {"id": 2, "client_id": 1, "name": "North"},
    "users": {
        "id": 3,
        "client_id": 1,
        "email": "Ada@Example.com",
        "name": "Ada",
        "grants": [
            {"role": "admin", "scope": "client"},
            {"role": "reader", "scope": "event", "scope_id": 9},
        ],
    },
    "events": {
        "id": 4,
        "audience_id": 2,
        "name": "Summit",
        "starts_on": "2026-11-23",
        "ends_on": "2026-11-24",
    },
    "communities": {"id": 5, "audience_id": 2, "title": "Replays"},
    "speakers": {"id": 6, "client_id": 1, "name": "Grace", "company": "Navy"},
    "partners": {"id": 7, "client_id": 1, "name": "Partner"},
    "sessions": {
        "id": 8,
        "event_id": 4,
        "title": "Keynote",
        "summary": "Opening",
        "format": "online",
        "source": {"kind": "video_file", "ref": "s3://keynote.mp4"},
        "thumbnail": "https://cdn/k.png",
        "speaker_ids": [6, 10],
        "partner_ids": [7],
    },
}

AWKWARD: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2**63 - 1,
    2**63,
    10**30,
    1.0,
    1.5,
    "",
    "x",
    "x" * 500,
    "x" * 501,
    "x" * 2048,
    "x" * 2049,
    "x" * 20_001,
    "a\x00b",
    "\ud800",
    "é\udfff",
    "é",
    "online",
    "in_person",
    "live",
    "url",
    "video_file",
    "client",
    "event",
    "admin",
    "a@b",
    "not an e-mail",
    "ß" * 300 + "@x",
    "2026-11-23",
    "2026-02-30",
    "2026-1-1",
    " 2026-11-23",
    "20261123",
    [],
    [1],
    [1, 1],
    [1, "a", -2, None],
    [True],
    {},
    {"kind": "url"},
    {"kind": "url", "ref": "https://x"},
    {"kind": "live", "ref": None},
    {"kind": "stream"},
    {"role": "admin", "scope": "client", "scope_id": 3},
    {"role": "admin", "scope": "audience"},
    [{"role": "admin", "scope": "client"}, {"role": "boss", "scope": "x", "extra": 1}],
    [{"role": "reader", "scope": "community", "scope_id": 0}, "grant"],
]


def described(errors: list[dict[str, Any]], name: str) -> list[str]:
    return [ef.describe({**e, "loc": (name, 0, *e["loc"])}) for e in errors]


def plain(value: Any) -> Any:
    """A pydantic model's values as the checks return them: tuples in field order, lists
    as tuples."""
    if isinstance(value, BaseModel):
        return tuple(plain(getattr(value, f)) for f in type(value).model_fields)
    if isinstance(value, list):
        return tuple(plain(v) for v in value)
    return value


def by_models(name: str, obj: Any) -> tuple[Any, list[str]]:
    try:
        return plain(MODELS[name].model_validate(obj)), []
    except ValidationError as exc:
        return None, described(list(exc.errors(include_url=False)), name)


def by_checks(name: str, obj: Any) -> tuple[Any, list[str]]:
    check, _row = ef._KINDS[name]
    try:
        return check(obj), []
    except ef.Invalid as exc:
        return None, described(exc.errors, name)


def agree(name: str, obj: Any) -> None:
    assert by_checks(name, obj) == by_models(name, obj), (name, obj)


def variants(name: str) -> list[Any]:
    """The valid object, each field removed and each replaced by each awkward value,
    an unknown key (alone, with a missing field, and before the fields), and values
    that are no object at all."""
    base = VALID[name]
    out: list[Any] = [base, [], "x", None, 3]
    for key in base:
        out.append({k: v for k, v in base.items() if k != key})
        out.extend({**base, key: value} for value in AWKWARD)
    first = next(iter(base))
    out.append({**base, "unknown": 1})
    out.append({"zzz": 1, **{k: v for k, v in base.items() if k != first}})
    out.append({"zzz": 1, "aaa": [1], **base, first: "wrong"})
    return out


def test_the_checks_and_the_models_have_the_same_lists_and_fields() -> None:
    assert list(ef._KINDS) == list(MODELS)
    for name, model in MODELS.items():
        check, _row = ef._KINDS[name]
        assert [f for f, _c, _d in check.fields] == list(model.model_fields), name
    assert set(VALID) == set(MODELS)


@pytest.mark.parametrize("name", list(MODELS))
def test_the_checks_agree_with_the_models_on_every_variant(name: str) -> None:
    cases = variants(name)
    assert len(cases) > 50 * len(VALID[name])
    refused = 0
    for obj in cases:
        agree(name, obj)
        refused += by_checks(name, obj)[0] is None
    assert 0 < refused < len(cases)  # both sides of the line were tried
    assert by_checks(name, VALID[name])[1] == []


def test_the_rows_are_the_values_the_models_hold() -> None:
    for name, obj in VALID.items():
        values, errors = by_checks(name, obj)
        assert not errors
        row = ef._KINDS[name][1](values, {}.setdefault)
        assert row._fields[0] == "id" and row[0] == obj["id"]
    user = ef._KINDS["users"][1](by_checks("users", VALID["users"])[0], {}.setdefault)
    assert user.email_key == "ada@example.com"
    assert user.grants == (("admin", "client", None), ("reader", "event", 9))
    session = ef._KINDS["sessions"][1](by_checks("sessions", VALID["sessions"])[0], {}.setdefault)
    assert (session.source_kind, session.source_ref) == ("video_file", "s3://keynote.mp4")
    bare = {"id": 8, "event_id": 4, "title": "T", "format": "live"}
    assert by_checks("sessions", bare)[0] is None  # "live" is a source, not a format
    bare["format"] = "hybrid"
    values = by_checks("sessions", bare)[0]
    assert values == (8, 4, "T", "", "hybrid", None, None, (), ())
    # What a row keeps is not the file's copy when the code has its own: the literals.
    fmt = "".join(["hy", "brid"])
    assert by_checks("sessions", {**bare, "format": fmt})[0][4] is ef._KINDS["sessions"][0](bare)[4]


def test_pydantic_is_not_imported_by_the_checks() -> None:
    import subprocess

    code = (
        "import sys; from sessionmig import export_format; from sessionmig.store import loader; "
        "print(any(m.split('.')[0] in ('pydantic', 'pydantic_core') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**65), max_value=2**65)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["2026-01-31", "online", "url", "client", "a@b.c", "x" * 501]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@st.composite
def objects(draw: Any) -> tuple[str, Any]:
    name = draw(st.sampled_from(list(MODELS)))
    base = VALID[name]
    keys = draw(st.lists(st.sampled_from([*base, "extra"]), unique=True))
    obj = {k: base[k] for k in base if draw(st.booleans())}
    for k in keys:
        obj[k] = draw(json_values | st.just(base.get(k)))
    return name, obj


@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(objects())
def test_the_checks_agree_with_the_models_on_drawn_objects(case: tuple[str, Any]) -> None:
    agree(*case)


def test_a_parsed_export_keeps_one_copy_of_what_its_rows_repeat() -> None:
    import json

    sessions = [
        {**VALID["sessions"], "id": 100 + i, "event_id": 10**12, "speaker_ids": [10**13]}
        for i in range(3)
    ]
    data, errors = ef.parse(json.dumps({"sessions": sessions}).encode("utf-8"))
    assert not errors and data is not None
    first, *others = data.sessions
    for row in others:
        assert row.event_id is first.event_id  # one int, not the file's three
        assert row.speaker_ids[0] is first.speaker_ids[0]
        assert row.format is first.format and row.source_kind is first.source_kind
        assert row.partner_ids == (7,)
