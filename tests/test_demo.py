"""`sessionmig demo` loads the demo organisation shipped as an export file in the package,
through the same loader as `sessionmig load`."""

from __future__ import annotations

from importlib import resources

from sessionmig import demo
from tests.conftest import Cli, dump_store


def test_demo_export_is_package_data_in_the_load_format(cli: Cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The packaged file loads with `sessionmig load` like any export, and `demo` on the
    same store then changes no data: both load exactly that file."""
    with resources.as_file(resources.files("sessionmig") / demo.EXPORT_FILE) as path:
        loaded = cli("load", str(path), "--format", "json")
    assert loaded.exit_code == 0, loaded.stderr
    data = demo.demo_export()
    counts = {k: v for k, v in loaded.json().items() if k != "skipped_deleted_sessions"}
    assert counts == {key: len(rows) for key, rows in data.items()}
    before = dump_store(cli.url)

    ran = cli("demo", "--format", "json")
    assert ran.exit_code == 0, ran.stderr
    assert ", ".join(f"{n} {k}" for k, n in counts.items()) in ran.stderr
    after = dump_store(cli.url)
    for table in ("client", "audience", "app_user", "event", "community", "speaker", "partner"):
        assert after[table] == before[table], table
    listed = cli("sessions", "list", "--format", "json", actor=demo.DEMO_ADMIN_EMAIL)
    audiences = {a["id"]: a["client_id"] for a in data["audiences"]}
    client_of_event = {e["id"]: audiences[e["audience_id"]] for e in data["events"]}
    mine = {
        s["id"] for s in data["sessions"] if client_of_event[s["event_id"]] == demo.DEMO_CLIENT_ID
    }
    assert {row["id"] for row in listed.json()} == mine


def test_demo_constants_name_the_demo_objects() -> None:
    """The command's constants are the one place naming the file's objects: they must
    name a client admin, an event and a community of the same client."""
    data = demo.demo_export()
    admin = next(u for u in data["users"] if u["email"] == demo.DEMO_ADMIN_EMAIL)
    assert admin["client_id"] == demo.DEMO_CLIENT_ID
    assert {"role": "admin", "scope": "client"} in admin["grants"]
    audiences = {a["id"]: a["client_id"] for a in data["audiences"]}
    event = next(e for e in data["events"] if e["id"] == demo.DEMO_EVENT_ID)
    community = next(c for c in data["communities"] if c["id"] == demo.DEMO_COMMUNITY_ID)
    assert (
        audiences[event["audience_id"]]
        == audiences[community["audience_id"]]
        == demo.DEMO_CLIENT_ID
    )
