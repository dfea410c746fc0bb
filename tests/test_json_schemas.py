"""`sessionmig schema [NAME]`: the JSON Schemas are valid draft 2020-12, generated from
the definitions the tool validates and builds its JSON with, and they agree with the
tool: the shipped demo export and the test sample validate, hostile files that `load`
refuses on their own are refused by the export schema too, and the output documents
declare exactly the keys the commands print. (Every JSON the test suite prints is
validated against its schema by tests/conftest.py's `Cli`.)"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from sessionmig import documents, export_format, export_models, schemas
from tests import sample
from tests.conftest import NOT_VALIDATED, Cli, assert_valid
from tests.test_hostile_input import (
    bad_enum_or_grant,
    bad_link,
    bad_strings,
    missing_field,
    unknown_field,
    wrong_type,
)


@pytest.fixture
def offline(tmp_path: Path) -> Cli:
    """No store at all: `schema` needs none."""
    return Cli(f"sqlite:///{tmp_path}/no/such/dir/store.db", tmp_path)


def test_schema_lists_the_documents(offline: Cli) -> None:
    r = offline("schema", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert r.json() == list(schemas.REGISTRY)
    assert {"export", "migrate", "plan", "history", "events", "sessions"} <= set(r.json())
    assert {"communities", "videos"} <= set(r.json())
    r = offline("schema")
    assert r.exit_code == 0
    for name, doc in schemas.REGISTRY.items():
        assert name in r.stdout and doc.title in r.stdout


@pytest.mark.parametrize("name", list(schemas.REGISTRY))
def test_each_schema_is_valid_draft_2020_12_with_an_id(offline: Cli, name: str) -> None:
    r = offline("schema", name)
    assert r.exit_code == 0, r.stderr
    schema = r.json()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:sessionmig:schema:{name}"
    assert schema["title"].startswith(f"sessionmig {name}: ")
    assert schema["description"]


def test_an_unknown_schema_name_is_exit_2_naming_the_valid_ones(offline: Cli) -> None:
    r = offline("schema", "whatever")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == (
        f"error: schema: unknown document 'whatever'; one of: {', '.join(schemas.REGISTRY)}\n"
    )


def test_every_command_that_prints_json_has_a_schema() -> None:
    """The conftest hook validates each command's JSON against `schemas.COMMANDS`; a
    command missing there (and not in NOT_VALIDATED) fails the first test that runs it."""
    from tests.test_docs import COMMANDS

    printing = {
        " ".join(path) for path, command in COMMANDS if any(p.name == "fmt" for p in command.params)
    } - {"schema"}
    assert printing - set(NOT_VALIDATED) <= set(schemas.COMMANDS), printing - set(schemas.COMMANDS)
    assert NOT_VALIDATED == {}


def test_output_objects_refuse_unknown_keys() -> None:
    schema = schemas.schema("migrate")
    good = {
        "dry_run": True,
        "actor": "ana@acme.test",
        "community": {"id": 50, "title": "Acme Academy"},
        "event": {"id": 10, "name": "Acme Summit 2026"},
        "results": [],
    }
    validator = Draft202012Validator(schema)
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "extra": 1})
    assert not validator.is_valid({**good, "community": {"id": 50, "title": "x", "more": 1}})
    assert not validator.is_valid({**good, "results": [{"session_id": 1}]})


# --- the outputs' declarations are the commands' columns ---------------------------------


def _keys(kind: Any) -> list[str]:
    return list(kind.__annotations__)


def test_listing_documents_declare_the_listing_columns() -> None:
    from sessionmig.commands import communities, events, history, sessions, videos
    from sessionmig.store.history import KEYS

    for kind, columns in (
        (documents.EventRow, events.EVENTS.columns),
        (documents.SessionRow, sessions.SESSIONS.columns),
        (documents.CommunityRow, communities.COMMUNITIES.columns),
        (documents.VideoRow, videos.VIDEOS.columns),
        (documents.HistoryRow, history.HISTORY.columns),
        (documents.DeletedSession, sessions.DELETE_COLUMNS),
    ):
        assert _keys(kind) == [c.key for c in columns], kind
    assert _keys(documents.HistoryRow) == list(KEYS)


def test_load_result_declares_every_list_of_the_export() -> None:
    assert _keys(documents.LoadResult) == [
        *export_models.ExportIn.model_fields,
        "skipped_deleted_sessions",
    ]


# --- the export schema agrees with `load` ------------------------------------------------


def export_validator() -> Draft202012Validator:
    return Draft202012Validator(
        schemas.schema("export"), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def test_the_demo_export_and_the_sample_validate() -> None:
    demo = json.loads((resources.files("sessionmig") / "demo.json").read_text(encoding="utf-8"))
    assert_valid("export", demo)
    assert_valid("export", sample.export())
    assert_valid("export", {})  # every list is optional


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["users"][0]["grants"][0].update(scope_id=7), "users/0/grants/0"),
        (lambda d: d["users"][2]["grants"][0].pop("scope_id"), "users/2/grants/0"),
        (lambda d: d["sessions"][0].update(source={"kind": "url"}), "sessions/0/source"),
        (lambda d: d["sessions"][0].update(title="a\x00b"), "sessions/0/title"),
        (lambda d: d["users"][0].update(email="not-an-email"), "users/0/email"),
        (lambda d: d["sessions"][0].update(speaker_ids=[5, 5]), "sessions/0/speaker_ids"),
        (lambda d: d["clients"][0].update(id=2**63), "clients/0/id"),
        (lambda d: d["events"][0].update(starts_on="2026-02-30"), "events/0/starts_on"),
    ],
    ids=[
        "client-grant-with-scope-id",
        "audience-grant-without",
        "url-without-ref",
        "nul",
        "email",
        "speaker-twice",
        "id-bound",
        "impossible-date",
    ],
)
def test_the_export_schema_refuses_what_load_refuses_in_one_document(
    change: Any, where: str
) -> None:
    data = sample.export()
    change(data)
    parsed, errors = export_format.parse(json.dumps(data).encode("utf-8"))
    if parsed is not None:  # a file that is whole but repeats an id in a list
        errors = export_format.check_references(parsed, export_format.Known())
    assert errors, "load accepts it"
    found = {"/".join(map(str, e.absolute_path)) for e in export_validator().iter_errors(data)}
    assert any(f.startswith(where) for f in found), found


def _integral_float_for_an_integer(errors: list[str]) -> bool:
    """JSON Schema cannot tell 1.0 from 1 (the schema's description says so)."""
    return all(
        "expected an integer, got" in e and e.rsplit(" ", 1)[-1].endswith(".0") for e in errors
    )


ONE_DOCUMENT = st.one_of(
    wrong_type(), missing_field(), bad_strings(), bad_enum_or_grant(), unknown_field(), bad_link()
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
@given(raw=ONE_DOCUMENT)
def test_hostile_files_that_load_refuses_on_their_own_fail_the_export_schema(raw: bytes) -> None:
    """A sample of tests/test_hostile_input.py's generated files: those whose errors are
    found in the document itself (not by the cross-reference checks, which need the
    store) are refused by the schema as well."""
    _, errors = export_format.parse(raw)
    if not errors or _integral_float_for_an_integer(errors):
        return  # a cross-reference error: load's job, not the schema's
    data = json.loads(raw.decode("utf-8"))
    assert not export_validator().is_valid(data), errors
