"""`sessionmig db check`: every invariant of the store, one set-based query each.

Most of these are also guarded by the schema (foreign keys, UNIQUE, triggers); the
check still looks, because a store can be edited by hand, restored from a partial
backup, or written with foreign keys off. Each check returns the ids involved.

What is compared, and what is not: a `load` may legitimately update a session's
content (title, summary, source, speakers, partners) after it migrated, and the
video keeps what it carried at migration time (R5, R10). So the video is compared
with the migration record written in the same transaction (title, source event id
and name, community, time), never with the session's current content.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    func,
    literal_column,
    or_,
    select,
)

from sessionmig.emails import email_key
from sessionmig.i18n import N_, Msg, _
from sessionmig.store import tables as t
from sessionmig.store.engine import translate_errors
from sessionmig.store.storeinfo import read_store_id


@dataclass(frozen=True)
class Violation:
    check: str
    message: str  # English (JSON); a `Msg`, shown in the reader's language in a table
    ids: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        return f"{self.check}: {self.message}"

    def shown_line(self) -> str:
        """The line people read: the check's name (a code) and its sentence in their
        language."""
        from sessionmig.i18n import shown

        return f"{self.check}: {shown(self.message)}"


@dataclass
class Report:
    sessions: int
    videos: int
    records: int
    violations: list[Violation]
    store_id: str | None = None

    @property
    def sound(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        """For people: in the reader's language."""
        return _(
            "{sessions} sessions, {videos} videos, {records} migration records checked; "
            "store id {store_id}"
        ).format(
            sessions=self.sessions,
            videos=self.videos,
            records=self.records,
            store_id=self.store_id or _("missing"),
        )


@dataclass(frozen=True)
class Check:
    name: str
    query: Callable[[], Select[Any]]
    message: Callable[[Any], Msg]
    # For an invariant SQL cannot state (one computed in Python): the query gives the
    # candidates, and a row is a violation when this says so.
    violates: Callable[[Any], bool] | None = None


def _label(text: str) -> ColumnElement[Any]:
    """A constant string rendered inline (our own words, never data)."""
    return literal_column("'" + text.replace("'", "''") + "'")


# --- R6 / R9: a migrated session is hidden, a hidden session migrated exactly once ------


def _migrated_public() -> Select[Any]:
    s, r = t.session, t.record
    return (
        select(s.c.id.label("session_id"), r.c.id.label("record_id"))
        .select_from(s)
        .join(r, r.c.session_id == s.c.id)
        .where(s.c.is_public.is_(True))
        .order_by(s.c.id)
    )


def _hidden_records() -> Select[Any]:
    s, r = t.session, t.record
    return (
        select(s.c.id.label("session_id"), func.count(r.c.id).label("records"))
        .select_from(s)
        .outerjoin(r, r.c.session_id == s.c.id)
        .where(s.c.is_public.is_(False))
        .group_by(s.c.id)
        .having(func.count(r.c.id) != 1)
        .order_by(s.c.id)
    )


def _session_recorded_twice() -> Select[Any]:
    r = t.record
    return (
        select(
            r.c.session_id,
            func.count().label("records"),
            func.min(r.c.community_id).label("first_community_id"),
            func.max(r.c.community_id).label("last_community_id"),
        )
        .group_by(r.c.session_id)
        .having(func.count() > 1)
        .order_by(r.c.session_id)
    )


def _session_copied_twice() -> Select[Any]:
    v = t.video
    return (
        select(
            v.c.source_session_id.label("session_id"),
            func.count().label("videos"),
            func.min(v.c.id).label("first_video_id"),
            func.max(v.c.id).label("last_video_id"),
        )
        .where(v.c.source_session_id.is_not(None))
        .group_by(v.c.source_session_id)
        .having(func.count() > 1)
        .order_by(v.c.source_session_id)
    )


# --- R5 / R11: each record has its video, each migrated video its one record ----------


def _record_video_missing() -> Select[Any]:
    r, v = t.record, t.video
    return (
        select(r.c.id.label("record_id"), r.c.session_id, r.c.video_id)
        .select_from(r)
        .outerjoin(v, v.c.id == r.c.video_id)
        .where(v.c.id.is_(None))
        .order_by(r.c.id)
    )


def _record_video_mismatch() -> Select[Any]:
    r, v = t.record, t.video
    return (
        select(
            r.c.id.label("record_id"),
            r.c.session_id,
            r.c.video_id,
            r.c.community_id,
            v.c.community_id.label("video_community_id"),
            v.c.source_session_id,
            r.c.client_id,
            v.c.client_id.label("video_client_id"),
        )
        .select_from(r)
        .join(v, v.c.id == r.c.video_id)
        .where(
            or_(
                v.c.community_id != r.c.community_id,
                v.c.source_session_id.is_distinct_from(r.c.session_id),
                v.c.client_id != r.c.client_id,
            )
        )
        .order_by(r.c.id)
    )


def _video_records() -> Select[Any]:
    v, r = t.video, t.record
    return (
        select(
            v.c.id.label("video_id"),
            v.c.source_session_id.label("session_id"),
            func.count(r.c.id).label("records"),
        )
        .select_from(v)
        .outerjoin(r, r.c.video_id == v.c.id)
        .where(v.c.source_session_id.is_not(None))
        .group_by(v.c.id, v.c.source_session_id)
        .having(func.count(r.c.id) != 1)
        .order_by(v.c.id)
    )


def _video_vs_record() -> Select[Any]:
    """R5: the video's title and source event are the ones the record remembers (both
    written from the session in the same transaction, at the same instant)."""
    r, v = t.record, t.video
    return (
        select(
            r.c.id.label("record_id"),
            r.c.session_id,
            v.c.id.label("video_id"),
            (v.c.title != r.c.session_title).label("title"),
            (v.c.source_event_id != r.c.event_id).label("source_event_id"),
            (v.c.source_event_name != r.c.event_name).label("source_event_name"),
            (v.c.created_at != r.c.migrated_at).label("created_at"),
        )
        .select_from(r)
        .join(v, v.c.id == r.c.video_id)
        .where(
            or_(
                v.c.title != r.c.session_title,
                v.c.source_event_id != r.c.event_id,
                v.c.source_event_name != r.c.event_name,
                v.c.created_at != r.c.migrated_at,
            )
        )
        .order_by(r.c.id)
    )


def _copy_orphaned() -> Select[Any]:
    v, vs, vp = t.video, t.video_speaker, t.video_partner
    speakers = (
        select(_label("speaker").label("kind"), vs.c.video_id, vs.c.position)
        .select_from(vs)
        .outerjoin(v, v.c.id == vs.c.video_id)
        .where(v.c.id.is_(None))
    )
    partners = (
        select(_label("partner").label("kind"), vp.c.video_id, vp.c.position)
        .select_from(vp)
        .outerjoin(v, v.c.id == vp.c.video_id)
        .where(v.c.id.is_(None))
    )
    union = speakers.union_all(partners).subquery()
    return select(union).order_by(union.c.kind, union.c.video_id, union.c.position)


# --- R10 / R11: deleted sessions ----------------------------------------------------------


def _record_without_session() -> Select[Any]:
    r, s, d = t.record, t.session, t.deleted_session
    return (
        select(r.c.id.label("record_id"), r.c.session_id)
        .select_from(r)
        .outerjoin(s, s.c.id == r.c.session_id)
        .outerjoin(d, d.c.session_id == r.c.session_id)
        .where(s.c.id.is_(None), d.c.session_id.is_(None))
        .order_by(r.c.id)
    )


def _tombstone_alive() -> Select[Any]:
    d, s = t.deleted_session, t.session
    return (
        select(d.c.session_id)
        .select_from(d)
        .join(s, s.c.id == d.c.session_id)
        .order_by(d.c.session_id)
    )


# --- nothing ever crosses clients ---------------------------------------------------------


def _session_link_across_clients(link: Any, other: Any, key: str, kind: str) -> Select[Any]:
    s = t.session
    return (
        select(
            _label(kind).label("kind"),
            link.c.session_id,
            link.c[key].label("other_id"),
            link.c.client_id,
            s.c.client_id.label("session_client_id"),
            other.c.client_id.label("other_client_id"),
        )
        .select_from(link)
        .outerjoin(s, s.c.id == link.c.session_id)
        .outerjoin(other, other.c.id == link.c[key])
        .where(
            or_(
                s.c.id.is_(None),
                other.c.id.is_(None),
                s.c.client_id != link.c.client_id,
                other.c.client_id != link.c.client_id,
            )
        )
    )


def _session_links() -> Select[Any]:
    union = (
        _session_link_across_clients(t.session_speaker, t.speaker, "speaker_id", "speaker")
        .union_all(
            _session_link_across_clients(t.session_partner, t.partner, "partner_id", "partner")
        )
        .subquery()
    )
    return select(union).order_by(union.c.kind, union.c.session_id, union.c.other_id)


def _owner_mismatch(
    kind: str, child: Any, parent: Any, key: str, child_id: Any | None = None
) -> Select[Any]:
    """Rows of `child` whose `key` names no `parent` row of the same client."""
    return (
        select(
            _label(kind).label("kind"),
            (child_id if child_id is not None else child.c.id).label("id"),
            child.c[key].label("parent_id"),
            child.c.client_id,
            parent.c.client_id.label("parent_client_id"),
        )
        .select_from(child)
        .outerjoin(parent, parent.c.id == child.c[key])
        .where(or_(parent.c.id.is_(None), parent.c.client_id != child.c.client_id))
    )


def _owners() -> Select[Any]:
    parts = [
        _owner_mismatch("event in audience", t.event, t.audience, "audience_id"),
        _owner_mismatch("community in audience", t.community, t.audience, "audience_id"),
        _owner_mismatch("session in event", t.session, t.event, "event_id"),
        _owner_mismatch("video in community", t.video, t.community, "community_id"),
        _owner_mismatch("record into community", t.record, t.community, "community_id"),
        _owner_mismatch("record by user", t.record, t.app_user, "actor_user_id"),
    ]
    union = parts[0].union_all(*parts[1:]).subquery()
    return select(union).order_by(union.c.kind, union.c.id)


def _record_session_client() -> Select[Any]:
    r, s = t.record, t.session
    return (
        select(
            r.c.id.label("record_id"),
            r.c.session_id,
            r.c.client_id,
            s.c.client_id.label("session_client_id"),
        )
        .select_from(r)
        .join(s, s.c.id == r.c.session_id)
        .where(s.c.client_id != r.c.client_id)
        .order_by(r.c.id)
    )


def _copy_across_clients() -> Select[Any]:
    """A video's speaker or partner copy names a speaker or partner of another client
    (only while that speaker or partner still exists: the copy outlives it)."""
    v, vs, vp, sp, pa = t.video, t.video_speaker, t.video_partner, t.speaker, t.partner
    speakers = (
        select(
            _label("speaker").label("kind"),
            vs.c.video_id,
            vs.c.speaker_id.label("other_id"),
            v.c.client_id,
            sp.c.client_id.label("other_client_id"),
        )
        .select_from(vs)
        .join(v, v.c.id == vs.c.video_id)
        .join(sp, sp.c.id == vs.c.speaker_id)
        .where(sp.c.client_id != v.c.client_id)
    )
    partners = (
        select(
            _label("partner").label("kind"),
            vp.c.video_id,
            vp.c.partner_id.label("other_id"),
            v.c.client_id,
            pa.c.client_id.label("other_client_id"),
        )
        .select_from(vp)
        .join(v, v.c.id == vp.c.video_id)
        .join(pa, pa.c.id == vp.c.partner_id)
        .where(pa.c.client_id != v.c.client_id)
    )
    union = speakers.union_all(partners).subquery()
    return select(union).order_by(union.c.kind, union.c.video_id, union.c.other_id)


def _grant_scope() -> Select[Any]:
    """A grant's audience, event or community belongs to its user's client."""
    g, u, a, e, c = t.user_grant, t.app_user, t.audience, t.event, t.community
    return (
        select(
            g.c.id.label("grant_id"),
            g.c.user_id,
            u.c.client_id,
            g.c.scope,
            g.c.scope_id,
        )
        .select_from(g)
        .join(u, u.c.id == g.c.user_id)
        .outerjoin(
            a,
            and_(g.c.scope == "audience", a.c.id == g.c.scope_id, a.c.client_id == u.c.client_id),
        )
        .outerjoin(
            e, and_(g.c.scope == "event", e.c.id == g.c.scope_id, e.c.client_id == u.c.client_id)
        )
        .outerjoin(
            c,
            and_(g.c.scope == "community", c.c.id == g.c.scope_id, c.c.client_id == u.c.client_id),
        )
        .where(g.c.scope != "client", a.c.id.is_(None), e.c.id.is_(None), c.c.id.is_(None))
        .order_by(g.c.id)
    )


# --- e-mail keys: what sessionmig.emails.email_key makes of the address -------------
# Every look-up by e-mail compares keys; a key left stale by a hand edit or another tool
# would make a user unfindable, or two users one.


def _user_keys() -> Select[Any]:
    u = t.app_user
    return select(
        u.c.id.label("user_id"), u.c.email.label("email"), u.c.email_key.label("key")
    ).order_by(u.c.id)


def _record_keys() -> Select[Any]:
    r = t.record
    return (
        select(
            func.min(r.c.id).label("first_record_id"),
            func.count().label("records"),
            r.c.actor_email.label("email"),
            r.c.actor_email_key.label("key"),
        )
        .group_by(r.c.actor_email, r.c.actor_email_key)
        .order_by(func.min(r.c.id))
    )


def _stale_key(row: Any) -> bool:
    return bool(row.key != email_key(row.email))


def _store_id_missing() -> Select[Any]:
    """The store has its id (store_info, one row), which every migration plan names."""
    return select(literal_column("1").label("missing")).where(
        ~select(t.store_info.c.singleton).exists()
    )


def _of(client_id: Any) -> Msg:
    """Whose an object is, in a message; None means the object does not exist."""
    return Msg("missing") if client_id is None else Msg("of client {id}", id=client_id)


def _diff_fields(row: Any, names: Sequence[str]) -> str:
    return ", ".join(n for n in names if row._mapping[n])


def _says(template: str) -> Callable[[Any], Msg]:
    """A violation's sentence, its placeholders the row's columns (by their labels)."""
    return lambda r: Msg(template, **r._mapping)


# The kinds of rows a message names, as words of the catalogue (a `Msg` parameter is
# shown translated).
KINDS = (
    N_("speaker"),
    N_("partner"),
    N_("session"),
    N_("event"),
    N_("audience"),
    N_("community"),
    N_("video"),
    N_("user"),
    N_("client"),
    N_("record"),
    N_("event in audience"),
    N_("community in audience"),
    N_("session in event"),
    N_("video in community"),
    N_("record into community"),
    N_("record by user"),
)


CHECKS: tuple[Check, ...] = (
    Check(
        "migrated_session_public",
        _migrated_public,
        _says(
            N_(
                "session {session_id} has migration record {record_id} "
                "but is still public on its event (R6)"
            )
        ),
    ),
    Check(
        "hidden_session_records",
        _hidden_records,
        _says(
            N_(
                "session {session_id} is hidden from its event but has "
                "{records} migration records, not exactly 1 (R6, R11)"
            )
        ),
    ),
    Check(
        "session_recorded_twice",
        _session_recorded_twice,
        _says(
            N_(
                "session {session_id} has {records} migration records "
                "(communities {first_community_id} and {last_community_id}); "
                "a session moves once (R9)"
            )
        ),
    ),
    Check(
        "session_copied_twice",
        _session_copied_twice,
        _says(
            N_(
                "session {session_id} has {videos} community videos "
                "(videos {first_video_id} and {last_video_id}); a session moves once (R9)"
            )
        ),
    ),
    Check(
        "record_video_missing",
        _record_video_missing,
        _says(
            N_(
                "migration record {record_id} (session {session_id}) names video "
                "{video_id}, which does not exist (R5, R11)"
            )
        ),
    ),
    Check(
        "record_video_mismatch",
        _record_video_mismatch,
        lambda r: (
            Msg(
                "migration record {record_id} (session {session_id}, community "
                "{community_id}, client {client_id}) names video {video_id} of community "
                "{video_community_id}, client {video_client_id}, copied from session "
                "{source_session_id}",
                **r._mapping,
            )
            if r.source_session_id is not None
            else Msg(
                "migration record {record_id} (session {session_id}, community "
                "{community_id}, client {client_id}) names video {video_id} of community "
                "{video_community_id}, client {video_client_id}, copied from no session",
                **r._mapping,
            )
        ),
    ),
    Check(
        "video_records",
        _video_records,
        _says(
            N_(
                "video {video_id} (from session {session_id}) has {records} "
                "migration records, not exactly 1 (R11)"
            )
        ),
    ),
    Check(
        "video_differs_from_record",
        _video_vs_record,
        lambda r: Msg(
            "video {video_id} differs from migration record {record_id} "
            "(session {session_id}) in: {fields} (R5)",
            video_id=r.video_id,
            record_id=r.record_id,
            session_id=r.session_id,
            fields=_diff_fields(r, ("title", "source_event_id", "source_event_name", "created_at")),
        ),
    ),
    Check(
        "video_copy_orphaned",
        _copy_orphaned,
        lambda r: Msg(
            "{kind} copy at position {position} belongs to video {video_id}, which does not exist",
            kind=Msg(r.kind),
            position=r.position,
            video_id=r.video_id,
        ),
    ),
    Check(
        "record_session_gone_without_tombstone",
        _record_without_session,
        _says(
            N_(
                "migration record {record_id} names session {session_id}, which is "
                "neither in its event nor recorded as deleted (R10, R11)"
            )
        ),
    ),
    Check(
        "tombstone_of_live_session",
        _tombstone_alive,
        _says("session {session_id} is recorded as deleted but still exists (R10)"),
    ),
    Check(
        "session_link_across_clients",
        _session_links,
        lambda r: Msg(
            "session {session_id} links {kind} {other_id} as client "
            "{client_id}, but the session is {session_owner} and the {kind} {other_owner}",
            session_id=r.session_id,
            kind=Msg(r.kind),
            other_id=r.other_id,
            client_id=r.client_id,
            session_owner=_of(r.session_client_id),
            other_owner=_of(r.other_client_id),
        ),
    ),
    Check(
        "owner_across_clients",
        _owners,
        lambda r: Msg(
            "{relation}: {child} {id} of client {client_id} names {parent} {parent_id}, "
            "{parent_owner}",
            relation=Msg(r.kind),
            child=Msg(r.kind.split()[0]),
            id=r.id,
            client_id=r.client_id,
            parent=Msg(r.kind.split()[-1]),
            parent_id=r.parent_id,
            parent_owner=_of(r.parent_client_id),
        ),
    ),
    Check(
        "record_session_across_clients",
        _record_session_client,
        _says(
            N_(
                "migration record {record_id} of client {client_id} names session "
                "{session_id} of client {session_client_id}"
            )
        ),
    ),
    Check(
        "video_copy_across_clients",
        _copy_across_clients,
        lambda r: Msg(
            "video {video_id} of client {client_id} carries a copy of {kind} "
            "{other_id}, of client {other_client_id}",
            video_id=r.video_id,
            client_id=r.client_id,
            kind=Msg(r.kind),
            other_id=r.other_id,
            other_client_id=r.other_client_id,
        ),
    ),
    Check(
        "grant_outside_client",
        _grant_scope,
        lambda r: Msg(
            "grant {grant_id} of user {user_id} (client {client_id}) covers "
            "{scope} {scope_id}, which is no {scope} of that client",
            grant_id=r.grant_id,
            user_id=r.user_id,
            client_id=r.client_id,
            scope=Msg(r.scope),
            scope_id=r.scope_id,
        ),
    ),
    Check(
        "user_email_key_stale",
        _user_keys,
        _says(N_("user {user_id}: the e-mail key '{key}' is not the key of '{email}'")),
        _stale_key,
    ),
    Check(
        "record_email_key_stale",
        _record_keys,
        _says(
            N_(
                "{records} migration records from {first_record_id} on: the e-mail key "
                "'{key}' is not the key of the actor's address '{email}'"
            )
        ),
        _stale_key,
    ),
    Check(
        "store_id_missing",
        _store_id_missing,
        lambda r: Msg("the store has no id (store_info is empty): run `sessionmig db init`"),
    ),
)


def _ids(row: Any) -> dict[str, Any]:
    return {k: v for k, v in row._mapping.items() if k == "kind" or k.endswith("id")}


def run(conn: Connection, checks: Sequence[Check] = CHECKS) -> list[Violation]:
    out: list[Violation] = []
    for check in checks:
        for row in conn.execute(check.query()):
            if check.violates is None or check.violates(row):
                out.append(Violation(check.name, check.message(row), _ids(row)))
    return out


def check_store(engine: Engine) -> Report:
    """Run every check in one read transaction (a consistent snapshot on PostgreSQL)."""
    with translate_errors(engine.url), engine.connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        counts = [
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.session, t.video, t.record)
        ]
        violations = run(conn)
        store_id = read_store_id(conn)
    return Report(counts[0], counts[1], counts[2], violations, store_id)
