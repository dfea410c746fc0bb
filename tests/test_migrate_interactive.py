"""`sessionmig migrate` on a terminal, through the real CLI entry point, with real key presses.

The two seams of `sessionmig.commands.migrate` are replaced: `interactive()` says "this
is a terminal" and `make_prompter()` returns the real `QuestionaryPrompter` reading
from a prompt_toolkit pipe. Every key of a scenario is typed up front and the pipe is
then closed: a prompt that should not have been shown (or that is still open when the
keys run out) ends in "cancelled" (exit 130) instead of hanging the test run.

The prompts of `tests/sample.py`'s store, as the admin sees them:

- communities, by title: 50 "Acme Academy", 51 "Benelux Replays";
- events, by start date: 10 "Acme Summit 2026", 11 "Benelux Days";
- event 10's sessions, by id: 1000 (online, file), 1001 (online, url), 1002 (live),
  1003 (no source), 1004 (in person), 1005 (hybrid), 1006 (online, file). Only 1000,
  1001 and 1006 can be ticked; the cursor skips the others.
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Iterator

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.key_binding.defaults import load_key_bindings
from prompt_toolkit.output import DummyOutput, Output
from prompt_toolkit.output.vt100 import Vt100_Output
from typer.testing import CliRunner

import sessionmig.cli
import sessionmig.commands.migrate as migrate_command
from sessionmig.prompts import QuestionaryPrompter
from tests import sample
from tests.conftest import Cli, Run, table_counts, validate_output

DOWN = "\x1b[B"
UP = "\x1b[A"
ENTER = "\r"
SPACE = " "
CTRL_C = "\x03"
CTRL_A = "\x01"  # questionary: tick all (with the search filter on)
CTRL_I = "\t"  # questionary: invert (Ctrl-I is Tab)

ELIGIBLE = [sample.ONLINE_FILE, sample.ONLINE_URL, sample.ONLINE_FILE_2]  # 1000, 1001, 1006
DISABLED = [sample.ONLINE_LIVE, sample.ONLINE_NONE, sample.IN_PERSON, sample.HYBRID]


_shared_default_bindings = functools.cache(load_key_bindings)


@pytest.fixture(autouse=True)
def _share_default_key_bindings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Speed only (as in tests/test_prompts.py): build prompt_toolkit's stateless default
    key bindings once instead of three times per prompt."""
    monkeypatch.setattr(
        "prompt_toolkit.application.application.load_key_bindings", _shared_default_bindings
    )


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe_input:
        yield pipe_input


class Terminal:
    """A scripted terminal for one test: the keys to type and what the prompts drew."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, pipe: PipeInput) -> None:
        self.monkeypatch = monkeypatch
        self.pipe = pipe
        self.screen = io.StringIO()
        self.prompters = 0

    def _output(self, capture: bool) -> Output:
        if not capture:
            return DummyOutput()
        return Vt100_Output(self.screen, lambda: Size(rows=40, columns=250), term="xterm")

    def run(self, cli: Cli, keys: str, *args: str, capture_screen: bool = False) -> Run:
        """`sessionmig migrate ARGS` as ana@acme.test on a "terminal" typing `keys`."""
        output = self._output(capture_screen)

        def make_prompter() -> QuestionaryPrompter:
            self.prompters += 1
            return QuestionaryPrompter(input=self.pipe, output=output)

        self.monkeypatch.setattr(migrate_command, "interactive", lambda: True)
        self.monkeypatch.setattr(migrate_command, "make_prompter", make_prompter)
        if keys:
            self.pipe.send_text(keys)
        self.pipe.close()
        env = {
            "SESSIONMIG_DB": cli.url,
            "SESSIONMIG_ACTOR": sample.ADMIN,
            "COLUMNS": "250",
        }
        self.monkeypatch.delenv("SESSIONMIG_NO_PROMPT", raising=False)
        result = CliRunner().invoke(
            sessionmig.cli.app,
            ["migrate", *args],
            env=env,
            catch_exceptions=False,
        )
        run = Run(result.exit_code, result.stdout, result.stderr)
        validate_output(["migrate", *args], run)
        return run


@pytest.fixture
def term(monkeypatch: pytest.MonkeyPatch, pipe: PipeInput) -> Terminal:
    return Terminal(monkeypatch, pipe)


def migrated(cli: Cli) -> dict[int, int]:
    """session id -> community id of every migrated session, read back non-interactively."""
    r = cli("sessions", "list", "--migrated", "--format", "json", actor=sample.ADMIN)
    assert r.exit_code == 0, r.stderr
    return {row["id"]: row["community_id"] for row in r.json()}


def outcomes(run: Run) -> dict[int, str]:
    return {r["session_id"]: r["outcome"] for r in json.loads(run.stdout)["results"]}


# --- the whole flow ----------------------------------------------------------------------


def test_full_flow_picks_community_event_sessions_and_confirms(loaded: Cli, term: Terminal) -> None:
    # Community: down to "Benelux Replays" (51). Event: the first, 10. Sessions: tick
    # 1000, skip to 1001 and tick it. Confirm: y.
    keys = DOWN + ENTER + ENTER + SPACE + DOWN + SPACE + ENTER + "y"
    r = term.run(loaded, keys, "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert term.prompters == 1
    doc = json.loads(r.stdout)  # stdout carries the JSON document and nothing else
    assert doc["community"] == {"id": 51, "title": "Benelux Replays"}
    assert doc["event"] == {"id": 10, "name": "Acme Summit 2026"}
    assert outcomes(r) == {sample.ONLINE_FILE: "migrated", sample.ONLINE_URL: "migrated"}
    assert migrated(loaded) == {sample.ONLINE_FILE: 51, sample.ONLINE_URL: 51}


def test_full_flow_table_output_ends_with_the_audit_table(loaded: Cli, term: Terminal) -> None:
    keys = ENTER + ENTER + DOWN + DOWN + SPACE + ENTER + "y"  # 50, event 10, session 1006
    r = term.run(loaded, keys)
    assert r.exit_code == 0, r.stderr
    assert "Migration audit" in r.stdout
    assert "Closing" in r.stdout
    assert migrated(loaded) == {sample.ONLINE_FILE_2: 50}


def test_second_event_is_reachable(loaded: Cli, term: Terminal) -> None:
    keys = ENTER + DOWN + ENTER + SPACE + ENTER + "y"  # 50, event 11, its only session
    r = term.run(loaded, keys, "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["event"]["id"] == 11
    assert migrated(loaded) == {sample.EVENT11_ONLINE: 50}


def test_select_all_ticks_only_eligible_sessions(loaded: Cli, term: Terminal) -> None:
    r = term.run(loaded, ENTER + ENTER + CTRL_A + ENTER + "y", "--format", "json")
    assert r.exit_code == 0, r.stderr  # nothing refused: no disabled session was ticked
    assert outcomes(r) == dict.fromkeys(ELIGIBLE, "migrated")
    assert migrated(loaded) == dict.fromkeys(ELIGIBLE, 50)


def test_invert_ticks_only_eligible_sessions(loaded: Cli, term: Terminal) -> None:
    # Tick 1000, then invert: 1001 and 1006 (never the disabled ones).
    r = term.run(loaded, ENTER + ENTER + SPACE + CTRL_I + ENTER + "y", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert outcomes(r) == {sample.ONLINE_URL: "migrated", sample.ONLINE_FILE_2: "migrated"}
    assert migrated(loaded) == {sample.ONLINE_URL: 50, sample.ONLINE_FILE_2: 50}


def test_empty_selection_is_refused_until_something_is_ticked(loaded: Cli, term: Terminal) -> None:
    # Enter with nothing ticked keeps the checkbox open; then tick 1000.
    r = term.run(loaded, ENTER + ENTER + ENTER + SPACE + ENTER + "y", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert migrated(loaded) == {sample.ONLINE_FILE: 50}


# --- confirmation ------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["n", ENTER], ids=["n", "default-no"])
def test_confirm_no_cancels_and_writes_nothing(loaded: Cli, term: Terminal, answer: str) -> None:
    before = table_counts(loaded.url)
    r = term.run(loaded, ENTER + ENTER + CTRL_A + ENTER + answer)
    assert r.exit_code == 130
    assert "cancelled" in r.stderr
    assert "Migration audit" not in r.stdout
    assert table_counts(loaded.url) == before
    assert migrated(loaded) == {}


def test_yes_flag_skips_the_confirmation(loaded: Cli, term: Terminal) -> None:
    # No "y" typed: had a confirmation been asked, the closed input would cancel it.
    r = term.run(loaded, ENTER + ENTER + SPACE + ENTER, "--yes", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert migrated(loaded) == {sample.ONLINE_FILE: 50}


# --- Ctrl-C at each step -----------------------------------------------------------------

STEPS = {
    "community": CTRL_C,
    "event": DOWN + ENTER + CTRL_C,
    "sessions": ENTER + ENTER + SPACE + CTRL_C,
    "confirm": ENTER + ENTER + CTRL_A + ENTER + CTRL_C,
}


@pytest.mark.parametrize("step", STEPS)
def test_ctrl_c_at_each_step_cancels_and_writes_nothing(
    loaded: Cli, term: Terminal, step: str
) -> None:
    before = table_counts(loaded.url)
    # Keys after Ctrl-C would answer the remaining prompts, were Ctrl-C ignored.
    r = term.run(loaded, STEPS[step] + ENTER + ENTER + CTRL_A + ENTER + "y", "--format", "json")
    assert r.exit_code == 130
    assert "cancelled" in r.stderr
    assert "Traceback" not in r.stderr
    assert r.stdout == ""
    assert table_counts(loaded.url) == before


# --- flags given in part: only what is missing is asked ----------------------------------


def test_community_and_event_given_asks_sessions_and_confirmation(
    loaded: Cli, term: Terminal
) -> None:
    # The first prompt is the checkbox: DOWN moves inside it (to 1001), not in a
    # community or event list.
    keys = DOWN + SPACE + ENTER + "y"
    r = term.run(loaded, keys, "--community", "51", "--event", "10", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert outcomes(r) == {sample.ONLINE_URL: "migrated"}
    assert migrated(loaded) == {sample.ONLINE_URL: 51}


def test_community_given_asks_event_first(loaded: Cli, term: Terminal) -> None:
    # First prompt is the event list: DOWN picks event 11.
    keys = DOWN + ENTER + SPACE + ENTER + "y"
    r = term.run(loaded, keys, "--community", "51", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["community"]["id"] == 51
    assert migrated(loaded) == {sample.EVENT11_ONLINE: 51}


def test_event_given_asks_community_then_sessions(loaded: Cli, term: Terminal) -> None:
    keys = DOWN + ENTER + DOWN + DOWN + SPACE + ENTER + "y"  # 51, then session 1006
    r = term.run(loaded, keys, "--event", "10", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert migrated(loaded) == {sample.ONLINE_FILE_2: 51}


def test_sessions_given_asks_community_event_and_confirmation(loaded: Cli, term: Terminal) -> None:
    keys = DOWN + ENTER + ENTER + "y"  # community 51, event 10, yes
    r = term.run(
        loaded,
        keys,
        "--session",
        str(sample.ONLINE_FILE),
        "--session",
        str(sample.ONLINE_FILE_2),
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.stderr
    assert migrated(loaded) == {sample.ONLINE_FILE: 51, sample.ONLINE_FILE_2: 51}


def test_all_eligible_given_asks_community_event_and_confirmation(
    loaded: Cli, term: Terminal
) -> None:
    r = term.run(loaded, ENTER + ENTER + "y", "--all-eligible", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert migrated(loaded) == dict.fromkeys(ELIGIBLE, 50)


def test_everything_given_but_yes_asks_only_confirmation(loaded: Cli, term: Terminal) -> None:
    args = ("--community", "50", "--event", "10", "--session", "1001", "--format", "json")
    r = term.run(loaded, "y", *args)
    assert r.exit_code == 0, r.stderr
    assert term.prompters == 1
    assert migrated(loaded) == {sample.ONLINE_URL: 50}


def test_everything_given_asks_nothing(loaded: Cli, term: Terminal) -> None:
    args = ("--community", "50", "--event", "10", "--session", "1001", "--yes")
    r = term.run(loaded, "", *args, "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert term.prompters == 0
    assert migrated(loaded) == {sample.ONLINE_URL: 50}


def test_dry_run_asks_no_confirmation_and_writes_nothing(loaded: Cli, term: Terminal) -> None:
    before = table_counts(loaded.url)
    r = term.run(loaded, ENTER + ENTER + CTRL_A + ENTER, "--dry-run", "--format", "json")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["dry_run"] is True
    assert {o["outcome"] for o in doc["results"]} == {"migrated"}
    assert table_counts(loaded.url) == before


# --- disabled sessions -------------------------------------------------------------------


def test_disabled_sessions_cannot_be_ticked(loaded: Cli, term: Terminal) -> None:
    # Tick, move down, seven times over seven sessions: the cursor only ever visits
    # 1000, 1001, 1006 (wrapping), so it ticks 1000, 1001, 1006, 1000 (off), 1001 (off),
    # 1006 (off), 1000: only 1000 stays ticked and no disabled session ever is.
    keys = ENTER + ENTER + (SPACE + DOWN) * 7 + ENTER + "y"
    r = term.run(loaded, keys, "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert outcomes(r) == {sample.ONLINE_FILE: "migrated"}
    assert migrated(loaded) == {sample.ONLINE_FILE: 50}


def test_up_from_first_wraps_to_last_eligible(loaded: Cli, term: Terminal) -> None:
    keys = ENTER + ENTER + UP + SPACE + ENTER + "y"  # wraps past disabled 1002-1005
    r = term.run(loaded, keys, "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert migrated(loaded) == {sample.ONLINE_FILE_2: 50}


def test_already_migrated_session_is_disabled(loaded: Cli, term: Terminal) -> None:
    r = loaded(
        "migrate",
        "--community",
        "51",
        "--event",
        "10",
        "--session",
        str(sample.ONLINE_FILE),
        "--yes",
        actor=sample.ADMIN,
    )
    assert r.exit_code == 0, r.stderr
    # 1000 is disabled now: the cursor starts on 1001 and space ticks it.
    r = term.run(loaded, ENTER + ENTER + SPACE + ENTER + "y", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert outcomes(r) == {sample.ONLINE_URL: "migrated"}
    # Now 1000 and 1001 are disabled: Ctrl-A ticks 1006 alone.
    with create_pipe_input() as other:
        r = Terminal(term.monkeypatch, other).run(
            loaded, ENTER + ENTER + CTRL_A + ENTER + "y", "--format", "json"
        )
    assert r.exit_code == 0, r.stderr
    assert outcomes(r) == {sample.ONLINE_FILE_2: "migrated"}
    assert migrated(loaded) == {
        sample.ONLINE_FILE: 51,
        sample.ONLINE_URL: 50,
        sample.ONLINE_FILE_2: 50,
    }


def test_disabled_sessions_are_shown_with_their_reason(loaded: Cli, term: Terminal) -> None:
    r = loaded(
        "migrate",
        "--community",
        "51",
        "--event",
        "10",
        "--session",
        str(sample.ONLINE_FILE),
        "--yes",
        actor=sample.ADMIN,
    )
    assert r.exit_code == 0, r.stderr
    # The checkbox is the first prompt here, so it is drawn in full before the typed keys
    # are read (later prompts may process typed-ahead keys before their first drawing).
    keys = SPACE + ENTER + "y"
    r = term.run(loaded, keys, "--community", "50", "--event", "10", capture_screen=True)
    assert r.exit_code == 0, r.stderr
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", term.screen.getvalue())
    for text in (
        "Sessions to migrate",
        "#1000  Keynote (already migrated to community 'Benelux Replays' (#51); "
        "a session moves once (R9))",
        "#1001  Panel: the future",
        "#1002  Live Q&A (a live session with no recording: only a video file or an "
        "iFrame URL can move (R4))",
        "#1003  Lost recording (no video source: only a video file or an iFrame URL can move (R4))",
        "#1004  Workshop (in person session: only online sessions can move (R4))",
        "#1005  Hybrid talk (hybrid session: only online sessions can move (R4))",
        "#1006  Closing",
        "Migrate 1 session of 'Acme Summit 2026' into 'Acme Academy'?",
    ):
        assert text in screen, (text, screen)
    assert migrated(loaded) == {sample.ONLINE_FILE: 51, sample.ONLINE_URL: 50}


# --- pickers filter as you type (Screens for people) --------------------------------------

BACKSPACE = "\x7f"


def test_pickers_filter_by_title_and_by_id(loaded: Cli, term: Terminal) -> None:
    # Community by a word of its title, event by its #id, session by a word of its title.
    keys = "benelux" + ENTER + "#10  " + ENTER + "Closing" + SPACE + ENTER + "y"
    r = term.run(loaded, keys, "--format", "json")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["community"]["id"], doc["event"]["id"]) == (51, 10)
    assert migrated(loaded) == {sample.ONLINE_FILE_2: 51}


def test_a_filtered_ineligible_session_shows_its_reason_and_cannot_be_ticked(
    loaded: Cli, term: Terminal
) -> None:
    # The filter shows only the live session: space does nothing on it; clearing the
    # filter and filtering again ticks 1006.
    keys = "Live" + SPACE + BACKSPACE * 4 + "Closing" + SPACE + ENTER + "y"
    args = ("--community", "50", "--event", "10")
    r = term.run(loaded, keys, *args, capture_screen=True)
    assert r.exit_code == 0, r.stderr
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", term.screen.getvalue())
    assert "type to filter by title or #id" in screen
    assert "<ctrl-a> all, <ctrl-i> invert" in screen
    assert (
        "#1002  Live Q&A (a live session with no recording: only a video file or an "
        "iFrame URL can move (R4))" in screen
    )
    assert migrated(loaded) == {sample.ONLINE_FILE_2: 50}


def test_a_filtered_disabled_event_cannot_be_chosen(loaded: Cli, term: Terminal) -> None:
    # Event 11's only session already moved: its event is disabled ("no eligible
    # session"); a filter that shows only it keeps enter from choosing it.
    r = loaded(
        "migrate",
        "--community",
        "51",
        "--event",
        "11",
        "--all-eligible",
        "--yes",
        actor=sample.ADMIN,
    )
    assert r.exit_code == 0, r.stderr
    keys = "Benelux Days" + ENTER + BACKSPACE * 12 + ENTER + SPACE + ENTER + "y"
    r = term.run(loaded, keys, "--community", "50", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["event"]["id"] == 10


def test_no_keys_at_all_cancels_at_the_first_prompt(loaded: Cli, term: Terminal) -> None:
    before = table_counts(loaded.url)
    r = term.run(loaded, "")
    assert r.exit_code == 130
    assert table_counts(loaded.url) == before


# --- ids given on the command line are checked before anything is asked ------------------

UNKNOWN_GIVEN = {
    "community": (("--community", "999"), "community 999 not found"),
    "event": (("--event", "999"), "event 999 not found"),
    "session": (
        ("--community", "50", "--event", "10", "--session", "4242"),
        "session 4242 not found in event 10",
    ),
}


@pytest.mark.parametrize("what", UNKNOWN_GIVEN)
def test_unknown_id_given_as_a_flag_fails_before_any_prompt(
    loaded: Cli, term: Terminal, what: str
) -> None:
    # No key at all: a prompt shown before the check ends in "cancelled" (130), not 4.
    args, message = UNKNOWN_GIVEN[what]
    before = table_counts(loaded.url)
    r = term.run(loaded, "", *args)
    assert (r.exit_code, message in r.stderr) == (4, True), r.stderr
    assert table_counts(loaded.url) == before
