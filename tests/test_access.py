"""The permission rules as plain functions (no database)."""

from __future__ import annotations

import pytest

from sessionmig.access import Actor, Grant, can_migrate, edit_reach, read_reach


def actor(*grants: Grant) -> Actor:
    return Actor(1, 1, "a@x.test", "A", grants)


def test_r1_only_client_admin_may_migrate() -> None:
    assert can_migrate(actor(Grant("admin", "client")))
    for scope in ("audience", "event", "community"):
        assert not can_migrate(actor(Grant("admin", scope, 7)))
    for role in ("contributor", "reader"):
        assert not can_migrate(actor(Grant(role, "client")))
    assert not can_migrate(actor())


@pytest.mark.parametrize(
    ("grant", "event", "community"),
    [
        (Grant("reader", "client"), True, True),
        (Grant("reader", "audience", 2), True, True),
        (Grant("reader", "audience", 3), False, False),
        (Grant("reader", "event", 10), True, False),
        (Grant("reader", "community", 50), False, True),
    ],
)
def test_grant_covers_everything_below_its_scope(
    grant: Grant, event: bool, community: bool
) -> None:
    reach = read_reach(actor(grant))
    assert reach.covers_event(10, audience_id=2) is event
    assert reach.covers_community(50, audience_id=2) is community


def test_readers_do_not_edit() -> None:
    a = actor(Grant("reader", "client"), Grant("contributor", "event", 10))
    assert edit_reach(a).covers_event(10, 2)
    assert not edit_reach(a).covers_event(11, 2)
    assert not edit_reach(a).covers_community(50, 2)
    assert edit_reach(actor()).empty
