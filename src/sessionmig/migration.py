"""The migration rules as plain functions over plain data (no database, no terminal).

R1  only a client-level administrator may migrate          -> access.can_migrate, check_may_migrate
R4  only online sessions recorded as a video file or a URL  -> eligibility
R9  a session moves once, never to a second community       -> eligibility, plan
R2/R3 community first, then an event, then its sessions     -> plan (scoping is the store's)
R5/R6/R7/R11 what a migration writes                        -> store.migrate.apply_plan
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from sessionmig.access import Actor, can_migrate
from sessionmig.errors import PermissionDenied
from sessionmig.i18n import Msg, _

# R4: « Seules les sessions de type "En ligne" ayant pour source un fichier vidéo
# ou une URL (iFrame) peuvent être importées. »
ELIGIBLE_FORMAT = "online"
ELIGIBLE_SOURCES = ("video_file", "url")

ELIGIBLE = "eligible"
NOT_ONLINE = "not_online"
NO_RECORDING = "no_recording"
ALREADY_MIGRATED: Final = "already_migrated"
STRICT = "strict"

MIGRATED: Final = "migrated"
REFUSED: Final = "refused"
OutcomeCode = Literal["migrated", "already_migrated", "refused"]


@dataclass(frozen=True)
class SessionFacts:
    """What the rules need to know of a session."""

    id: int
    title: str
    format: str
    source_kind: str | None
    migrated_to_id: int | None = None
    migrated_to_title: str | None = None


@dataclass(frozen=True)
class Verdict:
    code: str  # ELIGIBLE or a reason code
    # The reason in English (JSON, plans) that people read in their language (a `Msg`);
    # None when eligible.
    reason: Msg | None

    @property
    def eligible(self) -> bool:
        return self.code == ELIGIBLE


def eligibility_code(migrated_to_id: int | None, format: str, source_kind: str | None) -> str:
    """The code of `eligibility` alone, without its sentence: what a listing prints for
    each of its rows (tests/test_streaming.py checks that both agree)."""
    if migrated_to_id is not None:
        return ALREADY_MIGRATED
    if format != ELIGIBLE_FORMAT:
        return NOT_ONLINE
    if source_kind not in ELIGIBLE_SOURCES:
        return NO_RECORDING
    return ELIGIBLE


def eligibility(s: SessionFacts) -> Verdict:
    """R4 and R9: can this session move at all, and if not, why (code and sentence)."""
    if s.migrated_to_id is not None:
        title = s.migrated_to_title or f"#{s.migrated_to_id}"
        return Verdict(
            ALREADY_MIGRATED,
            Msg(
                "already migrated to community '{title}' (#{id}); a session moves once (R9)",
                title=title,
                id=s.migrated_to_id,
            ),
        )
    if s.format != ELIGIBLE_FORMAT:
        if s.format == "in_person":
            reason = Msg("in person session: only online sessions can move (R4)")
        elif s.format == "hybrid":
            reason = Msg("hybrid session: only online sessions can move (R4)")
        else:
            reason = Msg("{format} session: only online sessions can move (R4)", format=s.format)
        return Verdict(NOT_ONLINE, reason)
    if s.source_kind not in ELIGIBLE_SOURCES:
        return Verdict(
            NO_RECORDING,
            Msg(
                "a live session with no recording: only a video file or an iFrame URL can move (R4)"
            )
            if s.source_kind == "live"
            else Msg("no video source: only a video file or an iFrame URL can move (R4)"),
        )
    return Verdict(ELIGIBLE, None)


def check_may_migrate(actor: Actor) -> None:
    """R1: « accessible que pour les utilisateurs ayant un droit d'accès administrateur
    au niveau du back-office client »."""
    if not can_migrate(actor):
        raise PermissionDenied(
            _(
                "{actor} may not migrate sessions: only an administrator of the whole "
                "client back-office can (R1)"
            ).format(actor=actor.email)
        )


@dataclass(frozen=True)
class Outcome:
    session_id: int
    title: str
    outcome: OutcomeCode
    code: str | None  # reason code when refused or already migrated
    reason: str | None  # English (JSON, plans); a `Msg`, shown in the reader's language
    video_id: int | None = None


@dataclass(frozen=True)
class Plan:
    community_id: int
    to_migrate: tuple[SessionFacts, ...]
    outcomes: tuple[Outcome, ...]  # in request order; MIGRATED ones get their video id on apply

    @property
    def refused(self) -> bool:
        return any(o.outcome == REFUSED for o in self.outcomes)


def select_all_eligible(sessions: Iterable[SessionFacts], community_id: int) -> list[int]:
    """`--all-eligible`: the eligible sessions plus those already in this very community
    (so a re-run reports them `already_migrated` and exits 0)."""
    return [s.id for s in sessions if eligibility(s).eligible or s.migrated_to_id == community_id]


def plan(community_id: int, requested: Sequence[SessionFacts], *, strict: bool = False) -> Plan:
    """The outcome of each requested session, in request order (duplicates ignored).

    A session already in this community is `already_migrated` (a safe re-run); one in
    another community, or refused by R4, is `refused` with its reason. With `strict`,
    any refusal refuses the whole batch: the sessions that were fine carry the reason
    `not migrated: --strict`.
    """
    seen: set[int] = set()
    outcomes: list[Outcome] = []
    movers: list[SessionFacts] = []
    for s in requested:
        if s.id in seen:
            continue
        seen.add(s.id)
        verdict = eligibility(s)
        if verdict.eligible:
            movers.append(s)
            outcomes.append(Outcome(s.id, s.title, MIGRATED, None, None))
        elif s.migrated_to_id == community_id:
            outcomes.append(
                Outcome(
                    s.id,
                    s.title,
                    ALREADY_MIGRATED,
                    ALREADY_MIGRATED,
                    Msg("already in this community; nothing to do"),
                )
            )
        else:
            outcomes.append(Outcome(s.id, s.title, REFUSED, verdict.code, verdict.reason))
    if strict and any(o.outcome == REFUSED for o in outcomes):
        outcomes = [
            o
            if o.outcome == REFUSED
            else Outcome(o.session_id, o.title, REFUSED, STRICT, Msg("not migrated: --strict"))
            for o in outcomes
        ]
        movers = []
    return Plan(community_id, tuple(movers), tuple(outcomes))
