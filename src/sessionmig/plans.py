"""Reviewed migration plans, as plain functions over plain data (no database, no file).

A plan (`migrate ... --dry-run --plan-out FILE`) records, for each session it would
migrate, a fingerprint of everything that decides the session's eligibility or is
copied into its community video (R4, R5). `migrate --plan FILE` applies exactly that
plan, all or nothing (`recheck`): a session gone, moved, no longer eligible or whose
fingerprint changed refuses the whole plan, each failing session with what changed.

The fingerprint is `sha256:` and the SHA-256 of the canonical JSON (keys sorted, no
spaces, UTF-8, no ASCII escaping) of the object with the keys of `FIELDS`:

- `title`, `summary`, `format`, `thumbnail` (a string or null);
- `source`: `{"kind", "ref"}` or null;
- `speakers`: `[{"id", "name", "company"}]` in the session's order (R5 copies the
  company too); `partners`: `[{"id", "name"}]` in the session's order;
- `event_name`: the source event's name (R5 copies it).

Each field also gets its own digest (the first 16 hex digits of the SHA-256 of its
canonical JSON), so that a refusal can say *which* field changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sessionmig.i18n import N_, Msg
from sessionmig.migration import (
    ALREADY_MIGRATED,
    MIGRATED,
    REFUSED,
    Outcome,
    SessionFacts,
    eligibility,
)

FORMAT = "sessionmig-plan/1"
FORMAT_PREFIX = "sessionmig-plan/"
FORMAT_VERSION = 1

# The fields a fingerprint covers, and what a refusal says when one changed.
FIELDS: Mapping[str, str] = {
    "title": N_("title changed"),
    "summary": N_("summary changed"),
    "format": N_("format changed"),
    "source": N_("source changed"),
    "thumbnail": N_("thumbnail changed"),
    "speakers": N_("speakers changed"),
    "partners": N_("partners changed"),
    "event_name": N_("event name changed"),
}
# A fingerprint that changed while every field's digest agrees (a plan edited by hand).
CONTENT_CHANGED = N_("content changed")
DIGEST_LENGTH = 16

# Reason codes of a plan's refusals (the sentences are for people, the codes for tests).
DELETED = "deleted"
MOVED = "moved"
OTHER_EVENT = "other_event"
NOT_ELIGIBLE = "not_eligible"
CHANGED = "changed"
STALE = "stale"
NOT_IN_COMMUNITY = "not_in_community"

ALREADY_HERE = Msg("already in this community; nothing to do")
STALE_REASON = Msg("not migrated: the plan is stale")


@dataclass(frozen=True)
class SessionContent:
    """What a fingerprint covers: what decides eligibility (format, source) and what a
    migration copies into the video (R5)."""

    title: str
    summary: str
    format: str
    source_kind: str | None
    source_ref: str | None
    thumbnail: str | None
    speakers: tuple[tuple[int, str, str | None], ...]  # (id, name, company), in order
    partners: tuple[tuple[int, str], ...]  # (id, name), in order
    event_name: str


@dataclass(frozen=True)
class Fingerprint:
    value: str  # "sha256:" + 64 hex digits
    digests: Mapping[str, str]  # field -> 16 hex digits, for every key of FIELDS


def canonical(value: Any) -> bytes:
    """The canonical JSON of a value: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def parts(content: SessionContent) -> dict[str, Any]:
    """The fingerprinted object, one key per field of FIELDS."""
    source = (
        None
        if content.source_kind is None
        else {"kind": content.source_kind, "ref": content.source_ref}
    )
    return {
        "title": content.title,
        "summary": content.summary,
        "format": content.format,
        "source": source,
        "thumbnail": content.thumbnail,
        "speakers": [{"id": i, "name": n, "company": c} for i, n, c in content.speakers],
        "partners": [{"id": i, "name": n} for i, n in content.partners],
        "event_name": content.event_name,
    }


def fingerprint(content: SessionContent) -> Fingerprint:
    whole = parts(content)
    digests = {
        name: hashlib.sha256(canonical(whole[name])).hexdigest()[:DIGEST_LENGTH] for name in FIELDS
    }
    return Fingerprint("sha256:" + hashlib.sha256(canonical(whole)).hexdigest(), digests)


def changed_fields(planned: Fingerprint, current: Fingerprint) -> list[str]:
    """The fields whose digest differs, in FIELDS order. A changed fingerprint whose
    digests all agree (a plan edited by hand) is reported as `content`."""
    if planned.value == current.value:
        return []
    names = [n for n in FIELDS if planned.digests.get(n) != current.digests.get(n)]
    return names or ["content"]


# --- the plan and its re-check ------------------------------------------------------------


@dataclass(frozen=True)
class PlannedSession:
    """A session the plan migrates, as the reviewer saw it."""

    id: int
    title: str
    fingerprint: Fingerprint


@dataclass(frozen=True)
class PlanEntry:
    """A session listed by the plan without being migrated by it: already in the plan's
    community, or refused (then with its reason)."""

    id: int
    title: str
    reason: str | None = None


@dataclass(frozen=True)
class Plan:
    """A reviewed plan, as read from its file (plan_format.read)."""

    store_id: str
    planned_by_email: str
    planned_by_name: str
    planned_at: str
    community_id: int
    community_title: str
    event_id: int
    event_name: str
    sessions: tuple[PlannedSession, ...]
    already_migrated: tuple[PlanEntry, ...] = ()
    refused: tuple[PlanEntry, ...] = ()

    @property
    def ids(self) -> list[int]:
        """Every session the re-check looks at: the plan's and those already migrated."""
        return [s.id for s in self.sessions] + [e.id for e in self.already_migrated]


@dataclass(frozen=True)
class Current:
    """A session as the store holds it now, read inside the write lock."""

    event_id: int
    event_name: str
    facts: SessionFacts  # format, source kind (migrated_to left empty: see `Moved`)
    content: SessionContent


@dataclass(frozen=True)
class Moved:
    """Where a session's migration record says it went (the record outlives the session)."""

    community_id: int
    community_title: str


@dataclass(frozen=True)
class Recheck:
    outcomes: tuple[Outcome, ...]  # the plan's sessions, then those already migrated
    to_migrate: tuple[int, ...]  # empty when any session is refused: all or nothing

    @property
    def refused(self) -> bool:
        return any(o.outcome == REFUSED for o in self.outcomes)


def _refused(entry_id: int, title: str, code: str, reason: Msg) -> Outcome:
    return Outcome(entry_id, title, REFUSED, code, reason)


def _already(entry_id: int, title: str) -> Outcome:
    return Outcome(entry_id, title, ALREADY_MIGRATED, ALREADY_MIGRATED, ALREADY_HERE)


def _moved(entry_id: int, title: str, moved: Moved) -> Outcome:
    return _refused(
        entry_id,
        title,
        MOVED,
        Msg(
            "moved to community '{title}' (#{id})",
            title=moved.community_title,
            id=moved.community_id,
        ),
    )


def check_session(
    plan: Plan, planned: PlannedSession, current: Current | None, moved: Moved | None
) -> Outcome:
    """One planned session against the store now: `migrated` (still exactly as
    reviewed), `already_migrated` (now in the plan's community: a re-applied plan), or
    `refused` with everything that changed, in the words of a reviewer."""
    if moved is not None:
        if moved.community_id == plan.community_id:
            return _already(planned.id, planned.title)
        return _moved(planned.id, planned.title, moved)
    if current is None:
        return _refused(planned.id, planned.title, DELETED, Msg("deleted"))
    codes: list[str] = []
    reasons: list[Msg] = []
    if current.event_id != plan.event_id:
        codes.append(OTHER_EVENT)
        reasons.append(
            Msg("moved to event '{name}' (#{id})", name=current.event_name, id=current.event_id)
        )
    verdict = eligibility(current.facts)
    if not verdict.eligible:
        codes.append(NOT_ELIGIBLE)
        reasons.append(Msg("no longer eligible: {reason}", reason=verdict.reason))
    changed = changed_fields(planned.fingerprint, fingerprint(current.content))
    if changed:
        codes.append(CHANGED)
        reasons.append(Msg.joined(", ", (Msg(FIELDS.get(n, CONTENT_CHANGED)) for n in changed)))
    if reasons:
        return _refused(planned.id, planned.title, codes[0], Msg.joined("; ", reasons))
    return Outcome(planned.id, planned.title, MIGRATED, None, None)


def check_already(plan: Plan, entry: PlanEntry, moved: Moved | None) -> Outcome:
    """A session the plan found already in its community: still there (its record is
    append-only, so it stays there even if the session was deleted since)."""
    if moved is not None and moved.community_id == plan.community_id:
        return _already(entry.id, entry.title)
    if moved is not None:
        return _moved(entry.id, entry.title, moved)
    return _refused(
        entry.id,
        entry.title,
        NOT_IN_COMMUNITY,
        Msg(
            "no longer in community '{title}' (#{id})",
            title=plan.community_title,
            id=plan.community_id,
        ),
    )


def recheck(plan: Plan, current: Mapping[int, Current], moved: Mapping[int, Moved]) -> Recheck:
    """The plan against the store now, all or nothing: if any session is refused,
    the sessions that could have moved are refused too (`not migrated: the plan is
    stale`) and nothing is migrated; those already in the community stay
    `already_migrated` (a no-op either way)."""
    outcomes = [check_session(plan, s, current.get(s.id), moved.get(s.id)) for s in plan.sessions]
    outcomes += [check_already(plan, e, moved.get(e.id)) for e in plan.already_migrated]
    if any(o.outcome == REFUSED for o in outcomes):
        outcomes = [
            _refused(o.session_id, o.title, STALE, STALE_REASON) if o.outcome == MIGRATED else o
            for o in outcomes
        ]
    return Recheck(tuple(outcomes), tuple(o.session_id for o in outcomes if o.outcome == MIGRATED))


def plan_entries(
    outcomes: Sequence[Outcome], fingerprints: Mapping[int, Fingerprint]
) -> tuple[list[PlannedSession], list[PlanEntry], list[PlanEntry]]:
    """A dry run's outcomes as a plan's three lists: the sessions it migrates (with
    their fingerprints), those already in the community, and those refused."""
    sessions: list[PlannedSession] = []
    already: list[PlanEntry] = []
    refused: list[PlanEntry] = []
    for o in outcomes:
        if o.outcome == MIGRATED:
            sessions.append(PlannedSession(o.session_id, o.title, fingerprints[o.session_id]))
        elif o.outcome == ALREADY_MIGRATED:
            already.append(PlanEntry(o.session_id, o.title))
        else:
            refused.append(PlanEntry(o.session_id, o.title, o.reason))
    return sessions, already, refused
