"""Pure-Python checks of the demo and synthetic exports (no database)."""

from __future__ import annotations

import ast
import datetime as dt
import json
import sys
import unicodedata
from collections import Counter
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from benchmarks import synthetic
from benchmarks.synthetic import EXPORT_KEYS, bench_emails, synthetic_export, write_export
from sessionmig.demo import DEMO_ADMIN_EMAIL, DEMO_COMMUNITY_ID, DEMO_EVENT_ID, demo_export

Export = dict[str, list[dict[str, Any]]]

ROLES = ("admin", "contributor", "reader")
SCOPES = ("client", "audience", "event", "community")
FORMATS = ("online", "in_person", "hybrid")
KINDS = ("video_file", "url", "live", None)

ROW_KEYS = {
    "clients": {"id", "name"},
    "audiences": {"id", "client_id", "name"},
    "users": {"id", "client_id", "email", "name", "grants"},
    "events": {"id", "audience_id", "name", "starts_on", "ends_on"},
    "communities": {"id", "audience_id", "title"},
    "speakers": {"id", "client_id", "name", "company"},
    "partners": {"id", "client_id", "name"},
    "sessions": {
        "id",
        "event_id",
        "title",
        "summary",
        "format",
        "source",
        "thumbnail",
        "speaker_ids",
        "partner_ids",
    },
}


def kind(session: dict[str, Any]) -> str | None:
    source = session["source"]
    return None if source is None else str(source["kind"])


def eligible(session: dict[str, Any]) -> bool:
    return session["format"] == "online" and kind(session) in ("video_file", "url")


def ineligible_category(session: dict[str, Any]) -> str | None:
    if session["format"] != "online":
        return str(session["format"])
    if kind(session) == "live":
        return "online+live"
    if kind(session) is None:
        return "online+none"
    return None


def check_text(value: Any, where: str, *, lo: int = 1, hi: int = 500) -> None:
    assert isinstance(value, str), where
    assert lo <= len(value) <= hi, f"{where}: length {len(value)}"
    assert "\x00" not in value, where


def check_id(value: Any, where: str) -> int:
    assert type(value) is int and value > 0, f"{where}: {value!r}"
    return value


class Index:
    """Owning client of every object, by kind, after validating the export."""

    def __init__(self, data: Export) -> None:
        assert list(data) == list(EXPORT_KEYS)
        for key, rows in data.items():
            ids = [check_id(row["id"], f"{key}.id") for row in rows]
            assert len(ids) == len(set(ids)), f"duplicate ids in {key}"
            for row in rows:
                assert set(row) == ROW_KEYS[key], f"{key} {row['id']}: {sorted(row)}"
        self.client = {c["id"]: c["id"] for c in data["clients"]}
        for c in data["clients"]:
            check_text(c["name"], f"client {c['id']}")
        self.audience = {}
        for a in data["audiences"]:
            assert a["client_id"] in self.client, f"audience {a['id']}"
            check_text(a["name"], f"audience {a['id']}")
            self.audience[a["id"]] = a["client_id"]
        self.event = {}
        for e in data["events"]:
            assert e["audience_id"] in self.audience, f"event {e['id']}"
            check_text(e["name"], f"event {e['id']}")
            starts = dt.date.fromisoformat(e["starts_on"])
            ends = dt.date.fromisoformat(e["ends_on"])
            assert starts <= ends, f"event {e['id']}"
            self.event[e["id"]] = self.audience[e["audience_id"]]
        self.community = {}
        for m in data["communities"]:
            assert m["audience_id"] in self.audience, f"community {m['id']}"
            check_text(m["title"], f"community {m['id']}")
            self.community[m["id"]] = self.audience[m["audience_id"]]
        self.speaker = {}
        for s in data["speakers"]:
            assert s["client_id"] in self.client
            check_text(s["name"], f"speaker {s['id']}")
            if s["company"] is not None:
                check_text(s["company"], f"speaker {s['id']} company")
            self.speaker[s["id"]] = s["client_id"]
        self.partner = {}
        for p in data["partners"]:
            assert p["client_id"] in self.client
            check_text(p["name"], f"partner {p['id']}")
            self.partner[p["id"]] = p["client_id"]
        by_scope = {"audience": self.audience, "event": self.event, "community": self.community}
        emails = [u["email"] for u in data["users"]]
        assert len(emails) == len(set(emails)), "emails are unique in the store"
        for u in data["users"]:
            where = f"user {u['id']}"
            assert u["client_id"] in self.client, where
            check_text(u["email"], where)
            assert "@" in u["email"], where
            check_text(u["name"], where)
            assert u["grants"], where
            for grant in u["grants"]:
                assert grant["role"] in ROLES, where
                assert grant["scope"] in SCOPES, where
                if grant["scope"] == "client":
                    assert set(grant) == {"role", "scope"}, where
                else:
                    assert set(grant) == {"role", "scope", "scope_id"}, where
                    owner = by_scope[grant["scope"]].get(grant["scope_id"])
                    assert owner == u["client_id"], f"{where}: {grant}"
        self.session = {}
        for s in data["sessions"]:
            where = f"session {s['id']}"
            assert s["event_id"] in self.event, where
            client = self.event[s["event_id"]]
            check_text(s["title"], where)
            check_text(s["summary"], where, lo=0, hi=20_000)
            assert s["format"] in FORMATS, where
            source = s["source"]
            if source is not None:
                assert source["kind"] in ("video_file", "url", "live"), where
                if source["kind"] == "live":
                    assert set(source) == {"kind"}, where
                else:
                    assert set(source) == {"kind", "ref"}, where
                    check_text(source["ref"], where, hi=2_048)
                    if source["kind"] == "url":
                        assert source["ref"].startswith("https://"), where
            if s["thumbnail"] is not None:
                check_text(s["thumbnail"], where, hi=2_048)
            for key, owners in (("speaker_ids", self.speaker), ("partner_ids", self.partner)):
                ids = s[key]
                assert isinstance(ids, list), where
                assert len(ids) == len(set(ids)), f"{where}: duplicate {key}"
                for ref in ids:
                    assert owners.get(ref) == client, f"{where}: {key} {ref}"
            assert len(s["speaker_ids"]) <= 3 and len(s["partner_ids"]) <= 2, where
            self.session[s["id"]] = client


def of_client(data: Export, index: Index, client_id: int) -> dict[str, list[dict[str, Any]]]:
    owner = {
        "clients": lambda r: r["id"],
        "audiences": lambda r: r["client_id"],
        "users": lambda r: r["client_id"],
        "events": lambda r: index.event[r["id"]],
        "communities": lambda r: index.community[r["id"]],
        "speakers": lambda r: r["client_id"],
        "partners": lambda r: r["client_id"],
        "sessions": lambda r: index.session[r["id"]],
    }
    return {k: [r for r in rows if owner[k](r) == client_id] for k, rows in data.items()}


@pytest.fixture(scope="module")
def demo() -> Export:
    return demo_export()


@pytest.fixture(scope="module")
def demo_index(demo: Export) -> Index:
    return Index(demo)


@pytest.fixture(scope="module")
def acme(demo: Export, demo_index: Index) -> Export:
    return of_client(demo, demo_index, 1)


@pytest.fixture(scope="module")
def globex(demo: Export, demo_index: Index) -> Export:
    return of_client(demo, demo_index, 2)


# --------------------------------------------------------------------------- demo


def test_demo_is_a_valid_export(demo_index: Index) -> None:
    assert set(demo_index.client) == {1, 2}


def test_demo_ids_are_unique_across_kinds(demo: Export) -> None:
    ids = Counter(row["id"] for rows in demo.values() for row in rows)
    assert [i for i, n in ids.items() if n > 1] == []


def test_demo_clients(demo: Export) -> None:
    names = {c["id"]: c["name"] for c in demo["clients"]}
    assert names == {1: "Acme Events", 2: "Globex Media"}


def test_demo_sizes(acme: Export, globex: Export) -> None:
    assert len(acme["audiences"]) >= 3 and len(globex["audiences"]) >= 1
    assert len(acme["events"]) >= 4 and len(globex["events"]) >= 1
    assert len(acme["sessions"]) >= 60
    assert 6 <= len(globex["sessions"]) <= 12
    assert len(acme["communities"]) >= 3 and len(globex["communities"]) >= 1
    assert len({m["audience_id"] for m in acme["communities"]}) >= 3
    assert len({e["audience_id"] for e in acme["events"]}) >= 3
    for tenant in (acme, globex):
        assert tenant["speakers"] and tenant["partners"]
        assert all(s["company"] for s in tenant["speakers"])
        assert all(e["starts_on"].startswith("2026") for e in tenant["events"])


def test_every_role_at_every_scope_in_client_1(acme: Export) -> None:
    pairs = {(g["role"], g["scope"]) for u in acme["users"] for g in u["grants"]}
    assert pairs == set(product(ROLES, SCOPES))


def test_named_demo_users(demo: Export) -> None:
    users = {u["email"]: u for u in demo["users"]}
    ana = users[DEMO_ADMIN_EMAIL]
    assert (ana["name"], ana["client_id"]) == ("Ana Martin", 1)
    assert ana["grants"] == [{"role": "admin", "scope": "client"}]
    assert users["support@acme.test"]["grants"] == [{"role": "reader", "scope": "client"}]
    assert users["gina@globex.test"]["client_id"] == 2
    assert users["gina@globex.test"]["grants"] == [{"role": "admin", "scope": "client"}]
    for email, scope in (
        ("audience.admin@acme.test", "audience"),
        ("event.admin@acme.test", "event"),
        ("community.admin@acme.test", "community"),
    ):
        assert {"role": "admin", "scope": scope} in [
            {"role": g["role"], "scope": g["scope"]} for g in users[email]["grants"]
        ]
    assert all(u["email"].endswith("@acme.test") for u in demo["users"] if u["client_id"] == 1)
    assert all(u["email"].endswith("@globex.test") for u in demo["users"] if u["client_id"] == 2)


def test_every_format_and_source_kind(acme: Export, globex: Export) -> None:
    sessions = acme["sessions"]
    assert {s["format"] for s in sessions} == set(FORMATS)
    assert {kind(s) for s in sessions} == set(KINDS)
    assert {(s["format"], kind(s)) for s in sessions} >= {
        ("online", "video_file"),
        ("online", "url"),
        ("online", "live"),
        ("online", None),
        ("in_person", None),
        ("in_person", "video_file"),
        ("hybrid", "url"),
        ("hybrid", "video_file"),
    }
    assert any(eligible(s) for s in globex["sessions"])
    assert any(not eligible(s) for s in globex["sessions"])


def test_demo_event_has_eligible_and_every_kind_of_refusal(demo: Export, acme: Export) -> None:
    assert DEMO_EVENT_ID in {e["id"] for e in acme["events"]}
    assert acme["events"][0]["id"] == DEMO_EVENT_ID, "the first event of client 1"
    sessions = [s for s in demo["sessions"] if s["event_id"] == DEMO_EVENT_ID]
    n_eligible = sum(eligible(s) for s in sessions)
    assert n_eligible > len(sessions) / 2
    assert {ineligible_category(s) for s in sessions} == {
        None,
        "in_person",
        "hybrid",
        "online+live",
        "online+none",
    }
    kinds = {kind(s) for s in sessions if eligible(s)}
    assert kinds == {"video_file", "url"}


def test_demo_community(demo: Export, demo_index: Index) -> None:
    assert demo_index.community[DEMO_COMMUNITY_ID] == 1
    event = next(e for e in demo["events"] if e["id"] == DEMO_EVENT_ID)
    community = next(m for m in demo["communities"] if m["id"] == DEMO_COMMUNITY_ID)
    assert community["audience_id"] != event["audience_id"], "shows R3 across audiences"


def test_demo_text_is_realistic(acme: Export) -> None:
    titles = [s["title"] for s in acme["sessions"]]
    assert len(set(titles)) == len(titles)
    assert "[Replay] Keynote: Acme in 2026" in titles
    assert any(any(unicodedata.category(ch) == "So" for ch in t) for t in titles), "emoji"
    assert any(any(ch in "éèàçôù" for ch in t) for t in titles), "accents"
    assert any("\n" in s["summary"] for s in acme["sessions"])
    refs = [s["source"]["ref"] for s in acme["sessions"] if kind(s) == "video_file"]
    assert all(r.startswith("videos/") and r.endswith(".mp4") and r.isascii() for r in refs)
    urls = [s["source"]["ref"] for s in acme["sessions"] if kind(s) == "url"]
    assert any(u.startswith("https://player.vimeo.com/video/") for u in urls)
    thumbs = [s["thumbnail"] for s in acme["sessions"]]
    with_thumb = [t for t in thumbs if t is not None]
    assert len(with_thumb) > len(thumbs) * 0.75 and len(with_thumb) < len(thumbs)
    assert all(t.startswith("thumbs/") and t.endswith(".jpg") for t in with_thumb)
    assert {len(s["speaker_ids"]) for s in acme["sessions"]} == {0, 1, 2, 3}
    assert {len(s["partner_ids"]) for s in acme["sessions"]} == {0, 1, 2}


def test_demo_is_deterministic_and_fresh() -> None:
    first = demo_export()
    assert first == demo_export()
    first["sessions"][0]["speaker_ids"].append(999)
    first["users"][0]["grants"].clear()
    assert demo_export() == demo_export() != first


def test_demo_round_trips_through_json(demo: Export, tmp_path: Path) -> None:
    assert json.loads(json.dumps(demo)) == demo
    path = tmp_path / "demo.json"
    write_export(demo, path)
    text = path.read_text(encoding="utf-8")
    assert "Élodie Fontaine" in text and "🎉" in text
    assert json.loads(text) == demo


# --------------------------------------------------------------------------- synthetic


def test_synthetic_shape_and_mix() -> None:
    data = synthetic_export(1000)
    index = Index(data)
    assert len(index.client) == 1
    assert len(data["sessions"]) == 1000
    assert len(data["events"]) == 10
    assert len(data["audiences"]) == 3 and len(data["communities"]) == 3
    assert len(data["speakers"]) == 50 and len(data["partners"]) == 10
    per_event = Counter(s["event_id"] for s in data["sessions"])
    assert set(per_event.values()) == {100}
    share = sum(eligible(s) for s in data["sessions"]) / 1000
    assert 0.6 <= share <= 0.8
    categories = Counter(ineligible_category(s) for s in data["sessions"])
    assert set(categories) == {None, "in_person", "hybrid", "online+live", "online+none"}
    assert {kind(s) for s in data["sessions"] if eligible(s)} == {"video_file", "url"}
    assert {len(s["speaker_ids"]) for s in data["sessions"]} == {1, 2, 3}
    assert {len(s["partner_ids"]) for s in data["sessions"]} == {0, 1, 2}
    users = {u["email"]: u["grants"] for u in data["users"]}
    assert users["admin@bench.test"] == [{"role": "admin", "scope": "client"}]
    assert users["reader@bench.test"] == [{"role": "reader", "scope": "client"}]
    assert json.loads(json.dumps(data)) == data


def test_synthetic_is_deterministic_for_a_seed() -> None:
    assert synthetic_export(300, seed=7) == synthetic_export(300, seed=7)
    assert synthetic_export(300, seed=7) != synthetic_export(300, seed=8)


@pytest.mark.parametrize(("n_sessions", "n_events"), [(0, 1), (1, 1), (7, 3), (25, 40), (999, 7)])
def test_synthetic_small_and_uneven_sizes(n_sessions: int, n_events: int) -> None:
    data = synthetic_export(n_sessions, n_events=n_events, seed=n_sessions)
    Index(data)
    assert len(data["sessions"]) == n_sessions
    assert len(data["events"]) == n_events
    assert len(data["speakers"]) == max(5, n_sessions // 20)
    assert len(data["partners"]) == max(3, n_sessions // 100)
    counts = Counter(s["event_id"] for s in data["sessions"])
    if n_sessions:
        sizes = [counts.get(e["id"], 0) for e in data["events"]]
        assert max(sizes) - min(sizes) <= 1


def test_synthetic_clients_never_collide() -> None:
    one, two, demo = synthetic_export(200), synthetic_export(200, client_id=2), demo_export()
    # Client ids are the caller's choice (1 and 2 are also the demo's); nothing else collides.
    for key in EXPORT_KEYS[1:]:
        ids = [row["id"] for row in one[key] + two[key] + demo[key]]
        assert len(ids) == len(set(ids)), key
    emails = [u["email"] for u in one["users"] + two["users"] + demo["users"]]
    assert len(emails) == len(set(emails))
    assert bench_emails(2) == ("admin@client2.bench.test", "reader@client2.bench.test")
    assert {u["email"] for u in two["users"]} == set(bench_emails(2))
    assert all(u["client_id"] == 2 for u in two["users"])


@pytest.mark.parametrize(
    "kwargs",
    [{"n_sessions": -1}, {"n_sessions": 5, "n_events": 0}, {"n_sessions": 5, "client_id": 0}],
)
def test_synthetic_rejects_bad_arguments(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        synthetic_export(**kwargs)


def test_module_uses_only_the_standard_library() -> None:
    tree = ast.parse(Path(synthetic.__file__).read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module
            roots.add(node.module.split(".")[0])
    assert roots - {"__future__"} <= set(sys.stdlib_module_names)
