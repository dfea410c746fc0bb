"""The rules of reviewed plans (sessionmig.plans, sessionmig.plan_format), without a
database: fingerprints, the re-check that decides each session's outcome, and what
reading a plan file refuses."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from sessionmig import plan_format, plans
from sessionmig.errors import UsageError
from sessionmig.migration import SessionFacts

CONTENT = plans.SessionContent(
    title="Keynote",
    summary="The opening keynote",
    format="online",
    source_kind="video_file",
    source_ref="videos/keynote.mp4",
    thumbnail="thumbs/keynote.jpg",
    speakers=((5, "Lea Dubois", "Acme"), (6, "Marc Lee", None)),
    partners=((7, "Globex"),),
    event_name="Acme Summit 2026",
)
STORE = "0b9f4c1e-8d2a-4f0e-9c3b-5a6d7e8f9a0b"


def current(content: plans.SessionContent = CONTENT, event_id: int = 10) -> plans.Current:
    return plans.Current(
        event_id=event_id,
        event_name=content.event_name,
        facts=SessionFacts(1000, content.title, content.format, content.source_kind),
        content=content,
    )


def a_plan(
    *sessions: plans.PlannedSession, already: tuple[plans.PlanEntry, ...] = ()
) -> plans.Plan:
    return plans.Plan(
        store_id=STORE,
        planned_by_email="ana@acme.test",
        planned_by_name="Ana Martin",
        planned_at="2026-11-23T22:19:37Z",
        community_id=50,
        community_title="Acme Academy",
        event_id=10,
        event_name="Acme Summit 2026",
        sessions=sessions,
        already_migrated=already,
    )


def planned(sid: int = 1000, content: plans.SessionContent = CONTENT) -> plans.PlannedSession:
    return plans.PlannedSession(sid, content.title, plans.fingerprint(content))


# --- fingerprints ----------------------------------------------------------------------------


def test_fingerprint_is_the_sha256_of_the_documented_canonical_json() -> None:
    import hashlib

    expected = {
        "title": "Keynote",
        "summary": "The opening keynote",
        "format": "online",
        "source": {"kind": "video_file", "ref": "videos/keynote.mp4"},
        "thumbnail": "thumbs/keynote.jpg",
        "speakers": [
            {"id": 5, "name": "Lea Dubois", "company": "Acme"},
            {"id": 6, "name": "Marc Lee", "company": None},
        ],
        "partners": [{"id": 7, "name": "Globex"}],
        "event_name": "Acme Summit 2026",
    }
    text = json.dumps(expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    fp = plans.fingerprint(CONTENT)
    assert fp.value == "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert set(fp.digests) == set(plans.FIELDS)
    assert all(len(v) == plans.DIGEST_LENGTH for v in fp.digests.values())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "Keynote!"}, "title"),
        ({"summary": "Another summary"}, "summary"),
        ({"format": "hybrid"}, "format"),
        ({"source_kind": "url"}, "source"),
        ({"source_ref": "videos/other.mp4"}, "source"),
        ({"thumbnail": None}, "thumbnail"),
        ({"speakers": ((6, "Marc Lee", None), (5, "Lea Dubois", "Acme"))}, "speakers"),
        ({"speakers": ((5, "Lea Dubois", "Initech"), (6, "Marc Lee", None))}, "speakers"),
        ({"partners": ()}, "partners"),
        ({"partners": ((7, "Globex Media"),)}, "partners"),
        ({"event_name": "Acme Summit"}, "event_name"),
    ],
)
def test_r5_every_copied_or_deciding_field_changes_the_fingerprint(
    change: dict[str, Any], field: str
) -> None:
    """R4 and R5: what decides eligibility or is copied into the video (speaker order
    and company included) is in the fingerprint, and the digests name the field."""
    before = plans.fingerprint(CONTENT)
    after = plans.fingerprint(dataclasses.replace(CONTENT, **change))
    assert after.value != before.value
    assert plans.changed_fields(before, after) == [field]


def test_an_unchanged_session_has_the_same_fingerprint() -> None:
    copy = dataclasses.replace(CONTENT)
    assert plans.fingerprint(copy) == plans.fingerprint(CONTENT)
    assert plans.changed_fields(plans.fingerprint(copy), plans.fingerprint(CONTENT)) == []


def test_a_fingerprint_edited_by_hand_is_content_changed() -> None:
    fp = plans.fingerprint(CONTENT)
    edited = plans.Fingerprint("sha256:" + "0" * 64, fp.digests)
    assert plans.changed_fields(edited, fp) == ["content"]


# --- the re-check --------------------------------------------------------------------------


def test_an_unchanged_plan_migrates_exactly_its_sessions() -> None:
    p = a_plan(planned(1000), planned(1001))
    checked = plans.recheck(p, {1000: current(), 1001: current()}, {})
    assert not checked.refused
    assert checked.to_migrate == (1000, 1001)
    assert [o.outcome for o in checked.outcomes] == ["migrated", "migrated"]


def test_one_changed_session_refuses_the_whole_plan_saying_what_changed() -> None:
    p = a_plan(planned(1000), planned(1001))
    edited = dataclasses.replace(CONTENT, title="Keynote (edited)", speakers=())
    checked = plans.recheck(p, {1000: current(), 1001: current(edited)}, {})
    assert checked.to_migrate == ()
    first, second = checked.outcomes
    assert (first.outcome, first.code, first.reason) == (
        "refused",
        plans.STALE,
        "not migrated: the plan is stale",
    )
    assert (second.outcome, second.reason) == ("refused", "title changed, speakers changed")
    assert second.title == "Keynote"  # the title the reviewer saw


def test_deleted_moved_and_other_event_sessions_are_refused() -> None:
    p = a_plan(planned(1000), planned(1001), planned(1002))
    moved = {1001: plans.Moved(51, "Benelux Replays")}
    checked = plans.recheck(p, {1001: current(), 1002: current(event_id=11)}, moved)
    reasons = {o.session_id: o.reason for o in checked.outcomes}
    assert reasons == {
        1000: "deleted",
        1001: "moved to community 'Benelux Replays' (#51)",
        1002: "moved to event 'Acme Summit 2026' (#11)",
    }


def test_r4_a_session_no_longer_eligible_says_why_and_what_changed() -> None:
    p = a_plan(planned())
    live = dataclasses.replace(CONTENT, source_kind="live", source_ref=None)
    [outcome] = plans.recheck(p, {1000: current(live)}, {}).outcomes
    assert outcome.code == plans.NOT_ELIGIBLE
    assert outcome.reason == (
        "no longer eligible: a live session with no recording: only a video file or an "
        "iFrame URL can move (R4); source changed"
    )


def test_r9_a_reapplied_plan_reports_already_migrated() -> None:
    """Sessions now in the plan's community (this plan applied before, or the same move
    made by hand) are a no-op, not a refusal: the re-run exits 0."""
    p = a_plan(planned(1000), already=(plans.PlanEntry(1006, "Closing"),))
    moved = {1000: plans.Moved(50, "Acme Academy"), 1006: plans.Moved(50, "Acme Academy")}
    checked = plans.recheck(p, {}, moved)  # 1000 deleted since: its record stays
    assert not checked.refused and checked.to_migrate == ()
    assert [(o.session_id, o.outcome) for o in checked.outcomes] == [
        (1000, "already_migrated"),
        (1006, "already_migrated"),
    ]


def test_already_migrated_sessions_stay_so_when_the_plan_is_stale() -> None:
    p = a_plan(planned(1000), already=(plans.PlanEntry(1006, "Closing"),))
    checked = plans.recheck(p, {}, {1006: plans.Moved(50, "Acme Academy")})
    assert [(o.outcome, o.reason) for o in checked.outcomes] == [
        ("refused", "deleted"),
        ("already_migrated", plans.ALREADY_HERE),
    ]


def test_plan_entries_split_a_dry_run_into_the_three_lists() -> None:
    from sessionmig.migration import Outcome

    fp = plans.fingerprint(CONTENT)
    outcomes = [
        Outcome(1000, "Keynote", "migrated", None, None),
        Outcome(1006, "Closing", "already_migrated", "already_migrated", plans.ALREADY_HERE),
        Outcome(1002, "Live", "refused", "no_recording", "live"),
    ]
    sessions, already, refused = plans.plan_entries(outcomes, {1000: fp})
    assert sessions == [plans.PlannedSession(1000, "Keynote", fp)]
    assert already == [plans.PlanEntry(1006, "Closing")]
    assert refused == [plans.PlanEntry(1002, "Live", "live")]


# --- the plan file -------------------------------------------------------------------------


def document(**changes: Any) -> dict[str, Any]:
    from datetime import UTC, datetime

    doc = plan_format.document(
        store_id=STORE,
        planned_by_email="ana@acme.test",
        planned_by_name="Ana Martin",
        planned_at=datetime(2026, 11, 23, 22, 19, 37, tzinfo=UTC),
        community={"id": 50, "title": "Acme Academy"},
        event={"id": 10, "name": "Acme Summit 2026"},
        sessions=[planned()],
        already_migrated=[plans.PlanEntry(1006, "Closing")],
        refused=[plans.PlanEntry(1002, "Live", "a live session")],
    )
    doc.update(changes)
    return doc


def raw(doc: Any) -> bytes:
    return json.dumps(doc).encode("utf-8")


def test_a_written_plan_reads_back_as_the_same_plan() -> None:
    p = plan_format.read(raw(document()), "plan.json")
    assert p.store_id == STORE and p.planned_at == "2026-11-23T22:19:37Z"
    assert p.sessions == (planned(),)
    assert p.already_migrated == (plans.PlanEntry(1006, "Closing"),)
    assert p.refused == (plans.PlanEntry(1002, "Live", "a live session"),)
    assert p.ids == [1000, 1006]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "not a plan (not UTF-8 text)"),
        (b"{", "not a plan (not valid JSON: "),
        (b"[]", 'not a sessionmig plan (no "format": "sessionmig-plan/1"'),
        (raw({"clients": []}), "not a sessionmig plan"),
        (raw(document(format="terraform-plan/1")), "not a sessionmig plan"),
        (
            raw(document(format="sessionmig-plan/2")),
            "the plan's format is sessionmig-plan/2; this version of sessionmig reads "
            "sessionmig-plan/1",
        ),
        (
            raw(document()).replace(b'"store_id"', b'"store_id": "x", "store_id"', 1),
            'not a plan: the key "store_id" appears twice in one object',
        ),
        (raw(document(store_id="not-a-uuid")), "not a valid plan: store_id: "),
        (raw(document(extra=1)), "not a valid plan: extra: unknown field"),
        (raw({**document(), "sessions": [{"id": 1}]}), "sessions[0].title: required"),
        (
            raw(document(refused=[{"id": 1000, "title": "Keynote", "reason": None}])),
            "not a valid plan: refused[0].id: session 1000 is listed twice",
        ),
        (b"[" * 100_000, "not a plan (JSON nested too deeply)"),
    ],
)
def test_what_is_not_a_readable_plan_is_one_line_exit_2(data: bytes, message: str) -> None:
    with pytest.raises(UsageError) as info:
        plan_format.read(data, "plan.json")
    assert info.value.exit_code == 2
    assert info.value.message.startswith("--plan plan.json: ")
    assert message in info.value.message, info.value.message
    assert "\n" not in info.value.message
