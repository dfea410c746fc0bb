"""Who may do what: the spec's permission table as plain functions over plain data.

A grant at a scope covers everything below it (client > audience > event or community).
No database and no terminal here, so every rule is testable on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

ROLES = ("admin", "contributor", "reader")
SCOPES = ("client", "audience", "event", "community")
EDITOR_ROLES = ("admin", "contributor")


@dataclass(frozen=True)
class Grant:
    role: str
    scope: str
    scope_id: int | None = None


@dataclass(frozen=True)
class Actor:
    id: int
    client_id: int
    email: str
    name: str
    grants: tuple[Grant, ...] = ()


@dataclass(frozen=True)
class Reach:
    """What a set of grants covers; the store turns it into a WHERE clause."""

    client_wide: bool = False
    audience_ids: frozenset[int] = field(default_factory=frozenset)
    event_ids: frozenset[int] = field(default_factory=frozenset)
    community_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (self.client_wide or self.audience_ids or self.event_ids or self.community_ids)

    def covers_event(self, event_id: int, audience_id: int) -> bool:
        return self.client_wide or audience_id in self.audience_ids or event_id in self.event_ids

    def covers_community(self, community_id: int, audience_id: int) -> bool:
        return (
            self.client_wide
            or audience_id in self.audience_ids
            or community_id in self.community_ids
        )


def reach(grants: Iterable[Grant], roles: Iterable[str] = ROLES) -> Reach:
    """The objects covered by the grants holding one of `roles`."""
    wanted = set(roles)
    client_wide = False
    audiences: set[int] = set()
    events: set[int] = set()
    communities: set[int] = set()
    for g in grants:
        if g.role not in wanted:
            continue
        if g.scope == "client":
            client_wide = True
        elif g.scope == "audience" and g.scope_id is not None:
            audiences.add(g.scope_id)
        elif g.scope == "event" and g.scope_id is not None:
            events.add(g.scope_id)
        elif g.scope == "community" and g.scope_id is not None:
            communities.add(g.scope_id)
    return Reach(client_wide, frozenset(audiences), frozenset(events), frozenset(communities))


def read_reach(actor: Actor) -> Reach:
    """Any grant lets its holder read what it covers."""
    return reach(actor.grants)


def edit_reach(actor: Actor) -> Reach:
    """Publishing videos and deleting sessions need `admin` or `contributor` covering the object."""
    return reach(actor.grants, EDITOR_ROLES)


def can_migrate(actor: Actor) -> bool:
    """R1: only an administrator of the whole client back-office may migrate.

    An admin of one audience, event or community is refused: nothing less than
    the client scope will do.
    """
    return any(g.role == "admin" and g.scope == "client" for g in actor.grants)
