"""Demo and synthetic back-office exports, in the `load FILE` format of the spec.

Pure standard library: the functions here only build plain dicts that
`json.dumps` accepts and that the loader validates like any other export.

- `demo_export()` is the hand-written demo organisation used by `sessionmig demo`:
  two tenants ("Acme Events", the main one, and "Globex Media", whose data
  Acme's users must never see), users holding every role at every scope,
  events whose sessions mix every format and source kind.
- `synthetic_export()` is a large, seeded, generated store for benchmarks and
  load tests.
- `write_export()` writes either as UTF-8 JSON.

Id ranges of the demo (each id is also unique across kinds, so a test that
passes an id of the wrong kind gets "not found", never a lucky hit):

| kind        | Acme (client 1) | Globex (client 2) |
| ----------- | --------------- | ----------------- |
| clients     | 1               | 2                 |
| audiences   | 3-5             | 6                 |
| events      | 10-14           | 40-41             |
| communities | 50-52           | 60                |
| users       | 100-112         | 150-151           |
| speakers    | 300-311         | 350-353           |
| partners    | 500-505         | 550-551           |
| sessions    | 1000-1063       | 2000-2008         |
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import os
import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Final, NamedTuple

__all__ = [
    "BENCH_ADMIN_EMAIL",
    "BENCH_READER_EMAIL",
    "DEMO_ADMIN_EMAIL",
    "DEMO_CLIENT_ID",
    "DEMO_COMMUNITY_ID",
    "DEMO_EVENT_ID",
    "DEMO_OTHER_CLIENT_ADMIN_EMAIL",
    "DEMO_OTHER_CLIENT_ID",
    "DEMO_SUPPORT_EMAIL",
    "EXPORT_KEYS",
    "Export",
    "bench_emails",
    "demo_export",
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

DEMO_CLIENT_ID: Final = 1
""""Acme Events", the demo's main tenant."""
DEMO_OTHER_CLIENT_ID: Final = 2
""""Globex Media", a second tenant that Acme's users must never see."""
DEMO_ADMIN_EMAIL: Final = "ana@acme.test"
"""Ana Martin, admin at client scope of Acme: the actor of the demo migration."""
DEMO_SUPPORT_EMAIL: Final = "support@acme.test"
"""Acme's support agent: reader at client scope (sees everything, may change nothing)."""
DEMO_OTHER_CLIENT_ADMIN_EMAIL: Final = "gina@globex.test"
"""Globex's admin at client scope."""
DEMO_EVENT_ID: Final = 10
""""Acme Summit 2026": 13 eligible sessions out of 20, plus refusals of every kind."""
DEMO_COMMUNITY_ID: Final = 51
""""Acme Replay Library", in another audience than the event (R3: any community
of any audience of the client)."""

BENCH_ADMIN_EMAIL: Final = "admin@bench.test"
"""Admin at client scope of `synthetic_export(..., client_id=1)`."""
BENCH_READER_EMAIL: Final = "reader@bench.test"
"""Reader at client scope of `synthetic_export(..., client_id=1)`."""


# --------------------------------------------------------------------------- helpers


def _slug(text: str, max_len: int = 60) -> str:
    """ASCII, lower-case, dash-separated form of `text` for file references."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "session"


def _vimeo_url(session_id: int) -> str:
    return f"https://player.vimeo.com/video/{870_000_000 + session_id * 37}"


def _youtube_url(session_id: int) -> str:
    digest = hashlib.sha256(f"sessionmig-demo-{session_id}".encode()).digest()
    video_id = base64.urlsafe_b64encode(digest).decode("ascii")[:11]
    return f"https://www.youtube.com/embed/{video_id}"


def _grant(role: str, scope: str, scope_id: int | None = None) -> Row:
    grant: Row = {"role": role, "scope": scope}
    if scope != "client":
        if scope_id is None:
            raise ValueError(f"a grant at {scope} scope needs a scope_id")
        grant["scope_id"] = scope_id
    return grant


def _user(user_id: int, client_id: int, email: str, name: str, *grants: Row) -> Row:
    return {
        "id": user_id,
        "client_id": client_id,
        "email": email,
        "name": name,
        "grants": list(grants),
    }


# --------------------------------------------------------------------------- demo


class _S(NamedTuple):
    """A hand-written demo session; ids, refs and thumbnails are derived from it."""

    title: str
    summary: str
    format: str
    # "file" (video_file), "vimeo" / "youtube" (url), "live", or None.
    source: str | None
    speakers: tuple[int, ...] = ()
    partners: tuple[int, ...] = ()
    thumbnail: bool = True


class _E(NamedTuple):
    id: int
    audience_id: int
    name: str
    slug: str
    starts_on: date
    ends_on: date
    sessions: tuple[_S, ...]


_ON, _IP, _HY = "online", "in_person", "hybrid"

_ACME_EVENTS: Final[tuple[_E, ...]] = (
    _E(
        10,
        3,
        "Acme Summit 2026",
        "summit-2026",
        date(2026, 6, 1),
        date(2026, 6, 2),
        (
            _S(
                "[Replay] Keynote: Acme in 2026",
                "Our CEO opens the Summit: a year of growth, the new community platform "
                "and what it means for your events.",
                _ON,
                "file",
                (301, 300),
                (500,),
            ),
            _S(
                "Keynote d'ouverture — Les 10 ans d'Acme 🎉",
                "Dix ans d'événements, de rencontres et de communautés : retour en images "
                "et annonces pour la suite.",
                _ON,
                "vimeo",
                (301,),
            ),
            _S(
                "Building trust with first-party data",
                "How consent, transparency and a clean data model turn registrations "
                "into lasting relationships.",
                _ON,
                "file",
                (302,),
                (501,),
            ),
            _S(
                "Atelier : mesurer l'engagement de vos communautés",
                "Indicateurs, tableaux de bord et pièges à éviter : un atelier pratique "
                "animé par l'équipe Customer Success.",
                _ON,
                "file",
                (300, 306),
            ),
            _S(
                "From webinar to evergreen content",
                "Give your webinars a second life: editing, chaptering and publishing "
                "replays where your audience already is.",
                _ON,
                "youtube",
                (309,),
            ),
            _S(
                "Cloud costs under control",
                "A practical look at streaming and storage costs for large virtual events.",
                _ON,
                "file",
                (307,),
                (502,),
            ),
            _S(
                "Table ronde : l'événementiel hybride après 2025",
                "Organisateurs, agences et prestataires techniques partagent ce qui a "
                "marché… et ce qui n'a pas marché.\n\nModération : Léa Dubois.",
                _ON,
                "vimeo",
                (300, 303, 308),
                (500, 503),
            ),
            _S(
                "Green events: reducing the footprint of your conferences 🌱",
                "Travel, catering, venues and streaming: where the carbon really goes, "
                "and what you can do about it this year.",
                _ON,
                "file",
                (308,),
                (503,),
            ),
            _S(
                "AI assistants for event teams: hype or help?",
                "Live demos of agenda building, translation and attendee support, with "
                "an honest look at the limits.",
                _ON,
                "vimeo",
                (303, 304),
                (501,),
            ),
            _S(
                "Retour d'expérience : la migration de notre médiathèque",
                "Comment nous avons déplacé 4 000 vidéos vers nos communautés sans perdre "
                "une seule statistique.",
                _ON,
                "file",
                (310,),
            ),
            _S(
                "Security by design for attendee data",
                "Threat modelling, access rights and audit trails for event platforms.",
                _ON,
                "file",
                (307,),
                (502,),
            ),
            _S(
                "Fireside chat with our Benelux partners",
                "Pieter and Eva on building a partner ecosystem across three languages.",
                _ON,
                "youtube",
                (305, 311),
                (500,),
            ),
            _S(
                "Closing keynote — What's next?",
                "The product roadmap for the second half of 2026, and a few surprises.",
                _ON,
                "file",
                (301,),
                thumbnail=False,
            ),
            # Not eligible (R4): each reason a demo should show.
            _S(
                "Networking breakfast ☕",
                "Coffee, croissants and introductions in the main hall.",
                _IP,
                None,
                (),
                (504,),
                thumbnail=False,
            ),
            _S(
                "Workshop: hands-on with the Acme API",
                "Bring your laptop: in-room workshop, recorded for the speakers only.",
                _IP,
                "file",
                (304, 310),
            ),
            _S(
                "Masterclass : storytelling pour les marques",
                "En salle et en ligne : construire un récit de marque qui tient sur "
                "toute la durée d'un événement.",
                _HY,
                "vimeo",
                (306,),
            ),
            _S(
                "Partner showcase",
                "Five partners, five minutes each, on stage and on stream.",
                _HY,
                "file",
                (311,),
                (500, 502),
            ),
            _S(
                "Live Q&A with the product team",
                "Ask anything, live. This session was not recorded.",
                _ON,
                "live",
                (304, 310),
            ),
            _S(
                "Live: Awards ceremony 🏆",
                "The Acme Awards 2026, streamed live from the main stage.",
                _ON,
                "live",
                (301,),
                (500,),
            ),
            _S(
                "Speed-dating partenaires (session en ligne)",
                "Rendez-vous de 10 minutes avec nos partenaires — pas d'enregistrement.",
                _ON,
                None,
                (),
                (501, 503),
            ),
        ),
    ),
    _E(
        11,
        3,
        "Journées Acme Lyon 2026",
        "lyon-2026",
        date(2026, 3, 17),
        date(2026, 3, 18),
        (
            _S(
                "Ouverture des Journées Acme",
                "Mot d'accueil et programme des deux jours.",
                _IP,
                "file",
                (301,),
            ),
            _S(
                "Conférence : la data au service de l'expérience visiteur",
                "Parcours, files d'attente, satisfaction : ce que les données disent de "
                "vos visiteurs.",
                _HY,
                "vimeo",
                (303, 306),
                (501,),
            ),
            _S(
                "Atelier pratique : créer un programme en 30 minutes",
                "Un atelier en petits groupes, sur place uniquement.",
                _IP,
                None,
                (300,),
            ),
            _S(
                "Témoignage client : Festival Lumière & Son",
                "Comment un festival de 80 000 visiteurs a digitalisé sa billetterie et "
                "sa communauté.",
                _ON,
                "file",
                (306,),
                (504,),
            ),
            _S(
                "Café-débat : l'accessibilité des événements ♿",
                "Échanges libres autour de l'accessibilité physique et numérique.",
                _IP,
                None,
                (308,),
                thumbnail=False,
            ),
            _S(
                "Les coulisses de la régie vidéo 🎬",
                "Caméras, mixage, sous-titrage : visite guidée de notre régie.",
                _ON,
                "youtube",
                (309,),
            ),
            _S(
                "Réseautage régional",
                "Rencontres entre participants de la région Auvergne-Rhône-Alpes.",
                _IP,
                None,
                (),
                (504,),
                thumbnail=False,
            ),
            _S(
                "Keynote : l'événement comme média",
                "Penser chaque événement comme une rédaction : formats, rythme, diffusion.",
                _HY,
                "file",
                (301, 309),
                (500,),
            ),
            _S(
                "Démo live : la nouvelle application mobile",
                "Démonstration en direct, sans enregistrement.",
                _ON,
                "live",
                (304,),
            ),
            _S(
                "Rencontre avec les partenaires Rhône-Alpes",
                "Stands et rendez-vous d'affaires.",
                _IP,
                None,
                (),
                (503, 504),
            ),
            _S(
                "Replay — Atelier SEO pour les pages événement",
                "Titres, balises et contenus : rendre vos pages événement visibles.",
                _ON,
                "vimeo",
                (310,),
            ),
            _S(
                "Clôture et remise des prix",
                "Les lauréats des Trophées Acme Lyon, en salle et en direct.",
                _HY,
                "live",
                (301,),
                (500,),
            ),
        ),
    ),
    _E(
        12,
        4,
        "Acme Benelux Days 2026",
        "benelux-days-2026",
        date(2026, 9, 22),
        date(2026, 9, 23),
        (
            _S(
                "Welcome to Acme Benelux Days",
                "Opening words from the Brussels team.",
                _IP,
                "file",
                (305,),
            ),
            _S(
                "Data-driven event marketing in the Low Countries",
                "Benchmarks from 120 events in Belgium, the Netherlands and Luxembourg.",
                _ON,
                "file",
                (302,),
                (501,),
            ),
            _S(
                "Panel: multilingual events (NL/FR/EN) 🇧🇪🇳🇱",
                "Interpretation, subtitles and community moderation in three languages.",
                _HY,
                "youtube",
                (305, 302, 311),
                (500,),
            ),
            _S(
                "Scaling registrations for 10,000 attendees",
                "Load testing, queues and what broke on launch day.",
                _ON,
                "vimeo",
                (307,),
                (502,),
            ),
            _S(
                "Workshop: accessible streaming",
                "Captions, audio description and player accessibility, step by step.",
                _ON,
                "file",
                (309,),
            ),
            _S(
                "Partner lunch 🍽️",
                "Lunch with the Benelux partner network.",
                _IP,
                None,
                (),
                (504,),
            ),
            _S(
                "Live: startup pitch competition",
                "Eight start-ups, three minutes each, one jury. Streamed live only.",
                _ON,
                "live",
                (305, 311),
                (500, 503),
            ),
            _S(
                "Energy-efficient venues",
                "What venue managers in Antwerp and Utrecht changed in two years.",
                _ON,
                "file",
                (308,),
                (503,),
            ),
            _S(
                "Ask me anything: Acme roadmap",
                "Open Q&A with product management (recording not available).",
                _ON,
                None,
                (304,),
            ),
            _S(
                "Case study: the Rotterdam Harbour Festival",
                "From paper tickets to a year-round community in eighteen months.",
                _ON,
                "youtube",
                (305,),
                thumbnail=False,
            ),
            _S(
                "Hybrid production on a budget",
                "One room, two cameras, a laptop: a realistic hybrid set-up.",
                _HY,
                "file",
                (309, 310),
            ),
            _S(
                "Closing drinks",
                "See you next year!",
                _IP,
                None,
                thumbnail=False,
            ),
        ),
    ),
    _E(
        13,
        5,
        "Partner Connect 2026",
        "partner-connect-2026",
        date(2026, 10, 6),
        date(2026, 10, 6),
        (
            _S(
                "Partner Connect kickoff",
                "The partner programme in 2026: tiers, benefits and new markets.",
                _ON,
                "file",
                (311, 301),
                (500, 502),
            ),
            _S(
                "Co-marketing playbook 2026",
                "Joint campaigns, shared webinars and lead sharing rules.",
                _ON,
                "vimeo",
                (311,),
                (501,),
            ),
            _S(
                "Certification track: Acme Integrator (part 1)",
                "Data model, permissions and the import API.",
                _ON,
                "file",
                (304,),
            ),
            _S(
                "Certification track: Acme Integrator (part 2)",
                "Webhooks, single sign-on and going live.",
                _ON,
                "file",
                (304,),
            ),
            _S(
                "Revenue sharing explained",
                "How commissions are computed, paid and reported.",
                _ON,
                "vimeo",
                (310,),
            ),
            _S(
                "Live office hours",
                "Drop in with your questions; not recorded.",
                _ON,
                "live",
                (311, 304),
            ),
            _S(
                "Roundtable: what partners expect from us",
                "An open discussion, in the room and online.",
                _HY,
                "file",
                (311, 302, 307),
                (501, 502),
            ),
            _S(
                "Partner awards dinner ✨",
                "Celebrating the partners of the year.",
                _IP,
                None,
                (),
                (504,),
            ),
            _S(
                "Tech deep dive: webhooks & SSO",
                "Signatures, retries, SAML and OIDC — with code samples.",
                _ON,
                "youtube",
                (307, 304),
                (502,),
            ),
            _S(
                "Recording pending — Partner Q&A",
                "The recording of this session has not been uploaded yet.",
                _ON,
                None,
                (311,),
            ),
        ),
    ),
    _E(
        14,
        3,
        "Acme Winter Webinar Series",
        "winter-webinars-2026",
        date(2026, 1, 13),
        date(2026, 2, 24),
        (
            _S(
                "Webinar #1 — Planning your 2026 event calendar",
                "Seasonality, budgets and the right mix of formats.",
                _ON,
                "vimeo",
                (300,),
            ),
            _S(
                "Webinar #2 — Email campaigns that convert 📈",
                "Subject lines, timing and reminders that fill your rooms.",
                _ON,
                "vimeo",
                (310,),
            ),
            _S(
                "Webinar #3 — Sponsors: packaging your offer",
                "Turning sponsorship into measurable visibility.",
                _ON,
                "file",
                (311,),
                (500,),
            ),
            _S(
                "Webinar #4 — Onsite check-in without queues",
                "Badges, QR codes and staffing for a smooth arrival.",
                _ON,
                "file",
                (304,),
            ),
            _S(
                "Webinar #5 — Live streaming 101",
                "Live only: cameras, encoders and a checklist for your first stream.",
                _ON,
                "live",
                (309,),
            ),
            _S(
                "Webinar #6 — RGPD et données participants",
                "Base légale, durée de conservation et droits des participants.",
                _ON,
                "file",
                (303,),
            ),
            _S(
                "Webinar #7 — Mesurer le ROI d'un salon",
                "Coûts complets, leads qualifiés et attribution.",
                _ON,
                "youtube",
                (306,),
            ),
            _S(
                "Webinar #8 — Community management au quotidien",
                "Animer, modérer et faire grandir une communauté entre deux événements.",
                _ON,
                "file",
                (300, 306),
            ),
            _S(
                "Webinar #9 — Accessibility checklist",
                "The recording is being captioned and will be added later.",
                _ON,
                None,
                (308,),
            ),
            _S(
                "Webinar #10 — Q&A spécial fin de saison",
                "Vos questions, nos réponses : toute l'équipe répond en direct (replay "
                "disponible).",
                _ON,
                "vimeo",
                (301, 310),
            ),
        ),
    ),
)

_GLOBEX_EVENTS: Final[tuple[_E, ...]] = (
    _E(
        40,
        6,
        "Globex Media Forum 2026",
        "media-forum-2026",
        date(2026, 5, 12),
        date(2026, 5, 13),
        (
            _S(
                "Globex Media Forum — Opening",
                "Welcome address by the Globex Media editorial board.",
                _ON,
                "file",
                (350,),
                (550,),
            ),
            _S(
                "The future of broadcast news",
                "Linear, streaming, social: where audiences will watch the news in 2030.",
                _ON,
                "vimeo",
                (351, 352),
            ),
            _S(
                "Podcast production masterclass 🎙️",
                "From script to distribution, in the studio and online.",
                _HY,
                "file",
                (353,),
                (551,),
            ),
            _S(
                "Audience analytics for newsrooms",
                "Metrics that help editors without chasing clicks.",
                _ON,
                "file",
                (352,),
            ),
            _S(
                "Networking cocktail",
                "Drinks on the rooftop terrace.",
                _IP,
                None,
                (),
                (550,),
                thumbnail=False,
            ),
            _S(
                "Live: Globex Media Awards",
                "The awards night, streamed live.",
                _ON,
                "live",
                (350, 351),
                (550, 551),
            ),
        ),
    ),
    _E(
        41,
        6,
        "Globex Streaming Night",
        "streaming-night-2026",
        date(2026, 11, 20),
        date(2026, 11, 20),
        (
            _S(
                "Streaming Night: opening set",
                "Three creators, one stage, a live audience of 50,000.",
                _ON,
                "youtube",
                (353,),
            ),
            _S(
                "Streaming Night: behind the scenes",
                "The recording is still being edited.",
                _ON,
                None,
                (351,),
            ),
            _S(
                "Streaming Night: live finale",
                "Live only.",
                _ON,
                "live",
                (350,),
            ),
        ),
    ),
)


def _session_rows(events: Sequence[_E], first_id: int) -> list[Row]:
    rows: list[Row] = []
    session_id = first_id
    for event in events:
        for spec in event.sessions:
            slug = _slug(spec.title)
            source: Row | None
            if spec.source == "file":
                source = {"kind": "video_file", "ref": f"videos/{event.slug}/{slug}.mp4"}
            elif spec.source == "vimeo":
                source = {"kind": "url", "ref": _vimeo_url(session_id)}
            elif spec.source == "youtube":
                source = {"kind": "url", "ref": _youtube_url(session_id)}
            elif spec.source == "live":
                source = {"kind": "live"}
            elif spec.source is None:
                source = None
            else:  # pragma: no cover - guarded by the tests on the tables above
                raise ValueError(f"unknown demo source {spec.source!r}")
            rows.append(
                {
                    "id": session_id,
                    "event_id": event.id,
                    "title": spec.title,
                    "summary": spec.summary,
                    "format": spec.format,
                    "source": source,
                    "thumbnail": f"thumbs/{event.slug}/{slug}.jpg" if spec.thumbnail else None,
                    "speaker_ids": list(spec.speakers),
                    "partner_ids": list(spec.partners),
                }
            )
            session_id += 1
    return rows


def _event_rows(events: Sequence[_E]) -> list[Row]:
    return [
        {
            "id": e.id,
            "audience_id": e.audience_id,
            "name": e.name,
            "starts_on": e.starts_on.isoformat(),
            "ends_on": e.ends_on.isoformat(),
        }
        for e in events
    ]


def demo_export() -> Export:
    """The demo organisation loaded by `sessionmig demo`.

    Deterministic: every call returns an equal, freshly built dict (mutating
    one result never affects the next).
    """
    clients: list[Row] = [
        {"id": DEMO_CLIENT_ID, "name": "Acme Events"},
        {"id": DEMO_OTHER_CLIENT_ID, "name": "Globex Media"},
    ]
    audiences: list[Row] = [
        {"id": 3, "client_id": 1, "name": "Acme France"},
        {"id": 4, "client_id": 1, "name": "Acme Benelux"},
        {"id": 5, "client_id": 1, "name": "Acme Partners Club"},
        {"id": 6, "client_id": 2, "name": "Globex Europe"},
    ]
    communities: list[Row] = [
        {"id": 50, "audience_id": 3, "title": "Acme Academy"},
        {"id": DEMO_COMMUNITY_ID, "audience_id": 4, "title": "Acme Replay Library"},
        {"id": 52, "audience_id": 5, "title": "Partners Lounge"},
        {"id": 60, "audience_id": 6, "title": "Globex Insiders"},
    ]
    g, u = _grant, _user
    users: list[Row] = [
        # Acme: every role at every scope appears at least once.
        u(100, 1, DEMO_ADMIN_EMAIL, "Ana Martin", g("admin", "client")),
        u(101, 1, DEMO_SUPPORT_EMAIL, "Samir Benali", g("reader", "client")),
        u(102, 1, "editor@acme.test", "Chloé Leroy", g("contributor", "client")),
        u(103, 1, "audience.admin@acme.test", "Hugo Bernard", g("admin", "audience", 3)),
        u(104, 1, "audience.contributor@acme.test", "Inès Moreau", g("contributor", "audience", 4)),
        u(105, 1, "audience.reader@acme.test", "Jan Peeters", g("reader", "audience", 4)),
        u(106, 1, "event.admin@acme.test", "Lucas Petit", g("admin", "event", DEMO_EVENT_ID)),
        u(
            107,
            1,
            "event.contributor@acme.test",
            "Emma Girard",
            g("contributor", "event", 11),
            g("contributor", "event", 14),
        ),
        u(108, 1, "event.reader@acme.test", "Noah Janssens", g("reader", "event", 12)),
        u(
            109,
            1,
            "community.admin@acme.test",
            "Camille Roux",
            g("admin", "community", DEMO_COMMUNITY_ID),
        ),
        u(
            110,
            1,
            "community.contributor@acme.test",
            "Sofia Lambert",
            g("contributor", "community", 50),
        ),
        u(111, 1, "community.reader@acme.test", "Tom Vermeulen", g("reader", "community", 52)),
        u(
            112,
            1,
            "partners.manager@acme.test",
            "Élodie Fontaine",
            g("admin", "audience", 5),
            g("reader", "event", DEMO_EVENT_ID),
            g("contributor", "community", 52),
        ),
        # Globex.
        u(150, 2, DEMO_OTHER_CLIENT_ADMIN_EMAIL, "Gina Rossi", g("admin", "client")),
        u(151, 2, "reader@globex.test", "Paolo Conti", g("reader", "client")),
    ]
    speakers: list[Row] = [
        {"id": sid, "client_id": cid, "name": name, "company": company}
        for sid, cid, name, company in (
            (300, 1, "Léa Dubois", "Acme"),
            (301, 1, "Marc Lefèvre", "Acme"),
            (302, 1, "Sophie Van den Berg", "Nordlicht Analytics"),
            (303, 1, "Karim Haddad", "Datacore"),
            (304, 1, "Julie Chen", "Acme"),
            (305, 1, "Pieter De Smet", "Brussels Digital Lab"),
            (306, 1, "Amélie Girard", "Université de Lyon"),
            (307, 1, "Thomas Müller", "Helix Cloud"),
            (308, 1, "Fatou Diallo", "Greenwave Energy"),
            (309, 1, "Olivia Brooks", "Streamline Media"),
            (310, 1, "Nicolas Garnier", "Acme"),
            (311, 1, "Eva Jacobs", "Acme Partners Club"),
            (350, 2, "Marco Bianchi", "Globex Media"),
            (351, 2, "Hannah Weber", "Globex Media"),
            (352, 2, "Ravi Patel", "Initech"),
            (353, 2, "Lucía Fernández", "Umbrella Studios"),
        )
    ]
    partners: list[Row] = [
        {"id": pid, "client_id": cid, "name": name}
        for pid, cid, name in (
            (500, 1, "Initech"),
            (501, 1, "Nordlicht Analytics"),
            (502, 1, "Helix Cloud"),
            (503, 1, "Greenwave Energy"),
            (504, 1, "Brasserie du Port"),
            (505, 1, "Crédit Horizon"),
            (550, 2, "Umbrella Studios"),
            (551, 2, "Soylent Audio"),
        )
    ]
    return {
        "clients": clients,
        "audiences": audiences,
        "users": users,
        "events": _event_rows(_ACME_EVENTS) + _event_rows(_GLOBEX_EVENTS),
        "communities": communities,
        "speakers": speakers,
        "partners": partners,
        "sessions": _session_rows(_ACME_EVENTS, 1000) + _session_rows(_GLOBEX_EVENTS, 2000),
    }


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
