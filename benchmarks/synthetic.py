"""Synthetic back-office exports, in the `load FILE` format of the spec, for the
benchmark (benchmarks/run.py) and the tests that need a large or a second store.

Not part of the installed package: `python benchmarks/run.py` imports it from its own
directory, the tests as `benchmarks.synthetic` (pytest puts the checkout on the path).
Pure standard library: the functions here only build plain dicts that `json.dumps`
accepts and that the loader validates like any other export.

- `synthetic_export()` is a large, seeded, generated store for benchmarks and load
  tests; `bench_emails()` names its admin and reader.
- `write_export()` writes an export as UTF-8 JSON (the demo's `demo.json` in the
  package was written by it).
"""

from __future__ import annotations

import gc
import json
import os
import random
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Final

__all__ = [
    "BENCH_ADMIN_EMAIL",
    "BENCH_READER_EMAIL",
    "EXPORT_KEYS",
    "Export",
    "bench_emails",
    "synthetic_export",
    "write_export",
]

Row = dict[str, Any]
"""One object of an export list (a client, a session, ...)."""

Export = dict[str, list[Row]]
"""A whole back-office export: the spec's top-level object."""

EXPORT_KEYS: Final[tuple[str, ...]] = (
    "clients",
    "audiences",
    "users",
    "events",
    "communities",
    "speakers",
    "partners",
    "sessions",
)

BENCH_ADMIN_EMAIL: Final = "admin@bench.test"
"""Admin at client scope of `synthetic_export(..., client_id=1)`."""
BENCH_READER_EMAIL: Final = "reader@bench.test"
"""Reader at client scope of `synthetic_export(..., client_id=1)`."""


def _grant(role: str, scope: str, scope_id: int | None = None) -> Row:
    grant: Row = {"role": role, "scope": scope}
    if scope != "client":
        if scope_id is None:
            raise ValueError(f"a grant at {scope} scope needs a scope_id")
        grant["scope_id"] = scope_id
    return grant


# --------------------------------------------------------------------------- synthetic

# Id layout of a synthetic client: base = client_id * _CLIENT_STRIDE, then one
# block per kind. Never collides with the demo's ids (all below 3,000) nor with
# another synthetic client's.
_CLIENT_STRIDE: Final = 1_000_000_000
_AUDIENCE_BASE: Final = 1
_USER_BASE: Final = 101
_EVENT_BASE: Final = 1_001
_COMMUNITY_BASE: Final = 10_001
_SPEAKER_BASE: Final = 100_001
_PARTNER_BASE: Final = 1_000_001
_SESSION_BASE: Final = 10_000_001
_MAX_EVENTS: Final = _COMMUNITY_BASE - _EVENT_BASE
_MAX_SESSIONS: Final = _CLIENT_STRIDE - _SESSION_BASE

_TOPICS: Final = (
    "Data strategy",
    "Community growth",
    "Hybrid production",
    "Sponsorship",
    "Security",
    "Accessibility",
    "Event marketing",
    "Ticketing",
    "Sustainability",
    "Live streaming",
    "Mobile apps",
    "Analytics",
    "Stratégie de contenu",
    "Expérience participant",
    "Partenariats",
    "Innovation",
)
_FORMATS_WORDS: Final = (
    "keynote",
    "workshop",
    "panel",
    "case study",
    "masterclass",
    "fireside chat",
    "deep dive",
    "Q&A",
    "atelier",
    "table ronde",
    "démo",
)
_SUMMARY_OPENINGS: Final = (
    "A practical session on",
    "Retour d'expérience sur",
    "Everything you need to know about",
    "Lessons learned in",
    "Tour d'horizon :",
    "A hands-on introduction to",
)
_FIRST_NAMES: Final = (
    "Alice",
    "Bruno",
    "Chloé",
    "David",
    "Elif",
    "Farid",
    "Greta",
    "Hugo",
    "Inès",
    "Jonas",
    "Kenji",
    "Laura",
    "Mehdi",
    "Nora",
    "Oscar",
    "Paula",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
)
_LAST_NAMES: Final = (
    "Martin",
    "Dubois",
    "Janssens",
    "Peeters",
    "Müller",
    "Rossi",
    "García",
    "Nowak",
    "Haddad",
    "Nguyen",
    "Smith",
    "Lefèvre",
    "De Vries",
    "Costa",
    "Kowalski",
    "Yilmaz",
)
_COMPANIES: Final = (
    "Initech",
    "Umbrella",
    "Helix Cloud",
    "Nordlicht",
    "Greenwave",
    "Datacore",
    "Vandelay",
    "Stark Events",
    "Wayne Media",
    "Soylent",
    "Hooli",
    "Massive Dynamic",
)


def bench_emails(client_id: int = 1) -> tuple[str, str]:
    """(admin, reader) emails of `synthetic_export(..., client_id=client_id)`.

    Emails are unique across the whole store, so clients other than 1 get
    their own domain: `admin@client7.bench.test` for client 7.
    """
    if client_id == 1:
        return BENCH_ADMIN_EMAIL, BENCH_READER_EMAIL
    return f"admin@client{client_id}.bench.test", f"reader@client{client_id}.bench.test"


def synthetic_export(
    n_sessions: int, *, n_events: int = 10, seed: int = 0, client_id: int = 1
) -> Export:
    """A large generated store with one client, for benchmarks and load tests.

    One client, 3 audiences, an admin and a reader at client scope (see
    `bench_emails`), `n_events` events, 3 communities, max(5, n/20) speakers,
    max(3, n/100) partners, and `n_sessions` sessions spread evenly over the
    events (contiguous id blocks per event). About 70% of the sessions are
    eligible (online with a video file or URL); the rest are in person,
    hybrid, online live or online without a source. Each session has 1-3
    speakers and 0-2 partners. The same arguments give the same export.
    """
    if n_sessions < 0 or n_sessions > _MAX_SESSIONS:
        raise ValueError(f"n_sessions must be between 0 and {_MAX_SESSIONS}")
    if not 1 <= n_events <= _MAX_EVENTS:
        raise ValueError(f"n_events must be between 1 and {_MAX_EVENTS}")
    if client_id < 1:
        raise ValueError("client_id must be a positive integer")
    rng = random.Random(seed)
    base = client_id * _CLIENT_STRIDE
    admin_email, reader_email = bench_emails(client_id)

    audience_ids = [base + _AUDIENCE_BASE + i for i in range(3)]
    audiences: list[Row] = [
        {"id": aid, "client_id": client_id, "name": f"Bench {label}"}
        for aid, label in zip(audience_ids, ("North", "South", "Online"), strict=True)
    ]
    users: list[Row] = [
        {
            "id": base + _USER_BASE,
            "client_id": client_id,
            "email": admin_email,
            "name": "Bench Admin",
            "grants": [_grant("admin", "client")],
        },
        {
            "id": base + _USER_BASE + 1,
            "client_id": client_id,
            "email": reader_email,
            "name": "Bench Reader",
            "grants": [_grant("reader", "client")],
        },
    ]
    first_day = date(2026, 1, 5)
    events: list[Row] = []
    event_slugs: list[str] = []
    for i in range(n_events):
        starts = first_day + timedelta(days=(i * 3) % 350)
        events.append(
            {
                "id": base + _EVENT_BASE + i,
                "audience_id": audience_ids[i % 3],
                "name": f"Bench Conference {i + 1:04d}",
                "starts_on": starts.isoformat(),
                "ends_on": (starts + timedelta(days=i % 3)).isoformat(),
            }
        )
        event_slugs.append(f"bench-{i + 1:04d}")
    communities: list[Row] = [
        {"id": base + _COMMUNITY_BASE + i, "audience_id": audience_ids[i], "title": title}
        for i, title in enumerate(("Bench Academy", "Bench Replays", "Bench Lounge"))
    ]
    n_speakers = max(5, n_sessions // 20)
    speaker_ids = [base + _SPEAKER_BASE + i for i in range(n_speakers)]
    speakers: list[Row] = [
        {
            "id": sid,
            "client_id": client_id,
            "name": f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}",
            "company": rng.choice(_COMPANIES),
        }
        for sid in speaker_ids
    ]
    n_partners = max(3, n_sessions // 100)
    partner_ids = [base + _PARTNER_BASE + i for i in range(n_partners)]
    partners: list[Row] = [
        {"id": pid, "client_id": client_id, "name": f"{_COMPANIES[i % len(_COMPANIES)]} {i + 1}"}
        for i, pid in enumerate(partner_ids)
    ]

    # The export is acyclic: pausing the cyclic garbage collector while
    # building 10^5 dicts saves about a third of the time.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        sessions = _synthetic_sessions(
            rng,
            base,
            n_sessions,
            [e["id"] for e in events],
            event_slugs,
            speaker_ids,
            partner_ids,
        )
    finally:
        if gc_was_enabled:
            gc.enable()
    return {
        "clients": [{"id": client_id, "name": f"Bench Client {client_id}"}],
        "audiences": audiences,
        "users": users,
        "events": events,
        "communities": communities,
        "speakers": speakers,
        "partners": partners,
        "sessions": sessions,
    }


def _synthetic_sessions(
    rng: random.Random,
    base: int,
    n_sessions: int,
    event_ids: list[int],
    event_slugs: list[str],
    speaker_ids: list[int],
    partner_ids: list[int],
) -> list[Row]:
    n_events = len(event_ids)
    sessions: list[Row] = []
    append = sessions.append
    rand = rng.random

    def pick(ids: list[int], k: int) -> list[int]:
        # k distinct ids, k <= 3 <= len(ids): cheaper than Random.sample here.
        n = len(ids)
        chosen: list[int] = []
        while len(chosen) < k:
            candidate = ids[int(rand() * n)]
            if candidate not in chosen:
                chosen.append(candidate)
        return chosen

    n_topics, n_words, n_openings = len(_TOPICS), len(_FORMATS_WORDS), len(_SUMMARY_OPENINGS)
    for i in range(n_sessions):
        session_id = base + _SESSION_BASE + i
        e = i * n_events // n_sessions
        r = rand()
        source: Row | None
        if r < 0.70:  # eligible
            fmt = "online"
            source = _synthetic_recorded(rand(), session_id, event_slugs[e])
        elif r < 0.775:
            fmt = "in_person"
            source = (
                _synthetic_recorded(rand(), session_id, event_slugs[e]) if rand() < 0.3 else None
            )
        elif r < 0.85:
            fmt = "hybrid"
            s = rand()
            source = (
                {"kind": "live"}
                if s < 0.3
                else _synthetic_recorded(rand(), session_id, event_slugs[e])
            )
        elif r < 0.925:
            fmt, source = "online", {"kind": "live"}
        else:
            fmt, source = "online", None
        topic = _TOPICS[int(rand() * n_topics)]
        word = _FORMATS_WORDS[int(rand() * n_words)]
        append(
            {
                "id": session_id,
                "event_id": event_ids[e],
                "title": f"{topic} {word} #{i + 1}",
                "summary": f"{_SUMMARY_OPENINGS[int(rand() * n_openings)]} {topic.lower()} "
                f"({word}), session {i + 1} of the benchmark store.",
                "format": fmt,
                "source": source,
                "thumbnail": None if rand() < 0.1 else f"thumbs/{event_slugs[e]}/s{i + 1}.jpg",
                "speaker_ids": pick(speaker_ids, 1 + int(rand() * 3)),
                "partner_ids": pick(partner_ids, int(rand() * 3)),
            }
        )
    return sessions


def _synthetic_recorded(r: float, session_id: int, event_slug: str) -> Row:
    if r < 0.6:
        return {"kind": "video_file", "ref": f"videos/{event_slug}/s{session_id}.mp4"}
    return {"kind": "url", "ref": f"https://player.vimeo.com/video/{session_id}"}


# --------------------------------------------------------------------------- output


def write_export(data: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write `data` to `path` as UTF-8 JSON (non-ASCII characters kept as they are)."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
