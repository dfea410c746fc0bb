"""A small, hand-checked export: two clients, every kind of grant, every kind of session."""

from __future__ import annotations

from typing import Any

ADMIN = "ana@acme.test"  # admin, client scope
SUPPORT = "sam@acme.test"  # reader, client scope
AUDIENCE_ADMIN = "alice@acme.test"  # admin of audience 2
EVENT_READER = "eve@acme.test"  # reader of event 11 only
EVENT_CONTRIB = "carl@acme.test"  # contributor of event 10
COMMUNITY_ADMIN = "cora@acme.test"  # admin of community 50
COMMUNITY_CONTRIB = "cole@acme.test"  # contributor of community 50
NOBODY = "nick@acme.test"  # a user without grants
OTHER_ADMIN = "gina@globex.test"  # admin of client 2

# Session ids of event 10 by kind.
ONLINE_FILE = 1000
ONLINE_URL = 1001
ONLINE_LIVE = 1002
ONLINE_NONE = 1003
IN_PERSON = 1004
HYBRID = 1005
ONLINE_FILE_2 = 1006
EVENT11_ONLINE = 1100
OTHER_CLIENT_SESSION = 9000


def grant(role: str, scope: str, scope_id: int | None = None) -> dict[str, Any]:
    g: dict[str, Any] = {"role": role, "scope": scope}
    if scope_id is not None:
        g["scope_id"] = scope_id
    return g


def export() -> dict[str, Any]:
    def session(
        sid: int,
        event_id: int,
        title: str,
        fmt: str,
        kind: str | None,
        ref: str | None = None,
        speakers: tuple[int, ...] = (),
        partners: tuple[int, ...] = (),
    ) -> dict[str, Any]:
        source: dict[str, Any] | None = None
        if kind is not None:
            source = {"kind": kind}
            if ref is not None:
                source["ref"] = ref
        return {
            "id": sid,
            "event_id": event_id,
            "title": title,
            "summary": f"Summary of {title}",
            "format": fmt,
            "source": source,
            "thumbnail": f"thumbs/{sid}.jpg",
            "speaker_ids": list(speakers),
            "partner_ids": list(partners),
        }

    return {
        "clients": [{"id": 1, "name": "Acme Events"}, {"id": 2, "name": "Globex Media"}],
        "audiences": [
            {"id": 2, "client_id": 1, "name": "Acme France"},
            {"id": 3, "client_id": 1, "name": "Acme Benelux"},
            {"id": 90, "client_id": 2, "name": "Globex World"},
        ],
        "users": [
            {
                "id": 1,
                "client_id": 1,
                "email": ADMIN,
                "name": "Ana Martin",
                "grants": [grant("admin", "client")],
            },
            {
                "id": 2,
                "client_id": 1,
                "email": SUPPORT,
                "name": "Sam Support",
                "grants": [grant("reader", "client")],
            },
            {
                "id": 3,
                "client_id": 1,
                "email": AUDIENCE_ADMIN,
                "name": "Alice Audience",
                "grants": [grant("admin", "audience", 2)],
            },
            {
                "id": 4,
                "client_id": 1,
                "email": EVENT_READER,
                "name": "Eve Reader",
                "grants": [grant("reader", "event", 11)],
            },
            {
                "id": 5,
                "client_id": 1,
                "email": EVENT_CONTRIB,
                "name": "Carl Contributor",
                "grants": [grant("contributor", "event", 10)],
            },
            {
                "id": 6,
                "client_id": 1,
                "email": COMMUNITY_ADMIN,
                "name": "Cora Community",
                "grants": [grant("admin", "community", 50)],
            },
            {
                "id": 7,
                "client_id": 1,
                "email": COMMUNITY_CONTRIB,
                "name": "Cole Contributor",
                "grants": [grant("contributor", "community", 50)],
            },
            {"id": 8, "client_id": 1, "email": NOBODY, "name": "Nick Nobody", "grants": []},
            {
                "id": 90,
                "client_id": 2,
                "email": OTHER_ADMIN,
                "name": "Gina Globex",
                "grants": [grant("admin", "client")],
            },
        ],
        "events": [
            {
                "id": 10,
                "audience_id": 2,
                "name": "Acme Summit 2026",
                "starts_on": "2026-06-01",
                "ends_on": "2026-06-02",
            },
            {
                "id": 11,
                "audience_id": 3,
                "name": "Benelux Days",
                "starts_on": "2026-09-10",
                "ends_on": "2026-09-10",
            },
            {
                "id": 90,
                "audience_id": 90,
                "name": "Globex Expo",
                "starts_on": "2026-05-01",
                "ends_on": "2026-05-03",
            },
        ],
        "communities": [
            {"id": 50, "audience_id": 2, "title": "Acme Academy"},
            {"id": 51, "audience_id": 3, "title": "Benelux Replays"},
            {"id": 95, "audience_id": 90, "title": "Globex Club"},
        ],
        "speakers": [
            {"id": 5, "client_id": 1, "name": "Lea Dubois", "company": "Acme"},
            {"id": 6, "client_id": 1, "name": "Tom Peeters", "company": None},
            {"id": 95, "client_id": 2, "name": "Gus Globex", "company": "Globex"},
        ],
        "partners": [
            {"id": 7, "client_id": 1, "name": "Initech"},
            {"id": 8, "client_id": 1, "name": "Umbrella"},
            {"id": 97, "client_id": 2, "name": "Hooli"},
        ],
        "sessions": [
            session(
                ONLINE_FILE,
                10,
                "Keynote",
                "online",
                "video_file",
                "videos/keynote.mp4",
                (5, 6),
                (7, 8),
            ),
            session(
                ONLINE_URL,
                10,
                "Panel: the future",
                "online",
                "url",
                "https://player.vimeo.com/video/1",
                (6,),
                (),
            ),
            session(ONLINE_LIVE, 10, "Live Q&A", "online", "live"),
            session(ONLINE_NONE, 10, "Lost recording", "online", None),
            session(IN_PERSON, 10, "Workshop", "in_person", "video_file", "videos/w.mp4"),
            session(HYBRID, 10, "Hybrid talk", "hybrid", "url", "https://example.test/embed/2"),
            session(
                ONLINE_FILE_2,
                10,
                "Closing",
                "online",
                "video_file",
                "videos/closing.mp4",
                (5,),
                (7,),
            ),
            session(
                EVENT11_ONLINE,
                11,
                "Benelux opening",
                "online",
                "video_file",
                "videos/benelux.mp4",
                (6,),
                (8,),
            ),
            session(
                OTHER_CLIENT_SESSION,
                90,
                "Globex secret",
                "online",
                "video_file",
                "videos/globex.mp4",
                (95,),
                (97,),
            ),
        ],
    }


def with_many(
    data: dict[str, Any],
    *,
    sessions: int = 0,
    events: int = 0,
    communities: int = 0,
    title: str = "Bulk session",
) -> dict[str, Any]:
    """`data` plus an event 12 (audience 2) holding `sessions` online sessions with a video
    file (ids from 20000, titled `title #N`), `events` more empty events (ids from 2000)
    and `communities` more communities (ids from 3000), all of client 1."""
    data["events"].append(
        {
            "id": 12,
            "audience_id": 2,
            "name": "Bulk Days",
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-02",
        }
    )
    for n in range(events):
        data["events"].append(
            {
                "id": 2000 + n,
                "audience_id": 2,
                "name": f"Extra event {n}",
                "starts_on": "2027-01-01",
                "ends_on": "2027-01-01",
            }
        )
    for n in range(communities):
        data["communities"].append({"id": 3000 + n, "audience_id": 2, "title": f"Extra {n}"})
    for n in range(sessions):
        data["sessions"].append(
            {
                "id": 20000 + n,
                "event_id": 12,
                "title": f"{title} #{n}"[:500],
                "summary": "",
                "format": "online",
                "source": {"kind": "video_file", "ref": f"videos/bulk-{n}.mp4"},
                "thumbnail": None,
                "speaker_ids": [],
                "partner_ids": [],
            }
        )
    return data
