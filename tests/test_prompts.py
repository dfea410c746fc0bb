"""The questionary prompter driven by real key presses (pipe input, dummy output)."""

from __future__ import annotations

import functools
import io
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.key_binding.defaults import load_key_bindings
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output

from sessionmig import prompts
from sessionmig.errors import Cancelled, UsageError
from sessionmig.prompts import Option, QuestionaryPrompter

DOWN = "\x1b[B"
UP = "\x1b[A"
ENTER = "\r"
SPACE = " "
CTRL_C = "\x03"
CTRL_A = "\x01"  # questionary: tick all (with the search filter on)
CTRL_I = "\t"  # questionary: invert (Ctrl-I is Tab)
ESC = "\x1b"

OPTIONS = [
    Option(1, "alpha"),
    Option(2, "beta", disabled_reason="already migrated"),
    Option(3, "gamma"),
    Option(4, "delta"),
]


_shared_default_bindings = functools.cache(load_key_bindings)


@pytest.fixture(autouse=True)
def _share_default_key_bindings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Speed only: build prompt_toolkit's default (emacs/vi) bindings once, not per prompt.

    Every questionary prompt creates three Applications and each loads ~2,000 default
    bindings (two thirds of a prompt's cost). The bindings hold no state (their filters
    look up the running app), so sharing one set changes no behaviour.
    """
    monkeypatch.setattr(
        "prompt_toolkit.application.application.load_key_bindings", _shared_default_bindings
    )


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe_input:
        yield pipe_input


def run(
    pipe: PipeInput,
    keys: str,
    ask: Callable[[QuestionaryPrompter], Any],
    *,
    close: bool = True,
) -> Any:
    """Type `keys`, then run the prompt against them (as questionary's tests/utils.py does).

    The input is closed after the keys (unless `close` is false), so a prompt that is
    still open when the keys run out ends with `Cancelled` (end of input) instead of
    hanging the test run.
    """
    if keys:
        pipe.send_text(keys)
    if close:
        pipe.close()
    return ask(QuestionaryPrompter(input=pipe, output=DummyOutput()))


def one(options: list[Option] = OPTIONS) -> Callable[[QuestionaryPrompter], Any]:
    return lambda p: p.choose_one("Pick one", options)


def many(options: list[Option] = OPTIONS) -> Callable[[QuestionaryPrompter], Any]:
    return lambda p: p.choose_many("Pick some", options)


def confirm(default: bool = False) -> Callable[[QuestionaryPrompter], Any]:
    return lambda p: p.confirm("Really?", default=default)


# choose_one ---------------------------------------------------------------------------


def test_choose_one_enter_picks_first(pipe: PipeInput) -> None:
    assert run(pipe, ENTER, one()) == 1


def test_choose_one_down_skips_disabled(pipe: PipeInput) -> None:
    assert run(pipe, DOWN + ENTER, one()) == 3
    with create_pipe_input() as other:
        assert run(other, DOWN + DOWN + ENTER, one()) == 4


def test_choose_one_up_skips_disabled(pipe: PipeInput) -> None:
    assert run(pipe, DOWN + DOWN + UP + UP + ENTER, one()) == 1


def test_choose_one_starts_on_first_enabled(pipe: PipeInput) -> None:
    options = [Option(7, "x", disabled_reason="no"), Option(8, "y")]
    assert run(pipe, ENTER, one(options)) == 8


@pytest.mark.parametrize(
    "options",
    [[], [Option(1, "a", disabled_reason="locked"), Option(2, "b", disabled_reason="")]],
    ids=["none", "all-disabled"],
)
def test_choose_one_refuses_unusable_prompt(pipe: PipeInput, options: list[Option]) -> None:
    with pytest.raises(UsageError, match="nothing"):
        run(pipe, ENTER, one(options))


# choose_many --------------------------------------------------------------------------


def test_choose_many_toggles_specific_items(pipe: PipeInput) -> None:
    # tick gamma and delta (down skips the disabled beta), untick nothing
    keys = DOWN + SPACE + DOWN + SPACE + ENTER
    assert run(pipe, keys, many()) == [3, 4]


def test_choose_many_toggle_twice_unticks(pipe: PipeInput) -> None:
    keys = SPACE + DOWN + SPACE + SPACE + ENTER
    assert run(pipe, keys, many()) == [1]


def test_choose_many_returns_in_option_order(pipe: PipeInput) -> None:
    keys = DOWN + DOWN + SPACE + UP + UP + SPACE + ENTER  # delta first, then alpha
    assert run(pipe, keys, many()) == [1, 4]


def test_choose_many_select_all_takes_only_enabled(pipe: PipeInput) -> None:
    assert run(pipe, CTRL_A + ENTER, many()) == [1, 3, 4]


def test_choose_many_select_all_twice_clears(pipe: PipeInput) -> None:
    # Ctrl-A again clears everything; the empty selection is refused, so tick one more.
    assert run(pipe, CTRL_A + CTRL_A + ENTER + SPACE + ENTER, many()) == [1]


def test_choose_many_invert(pipe: PipeInput) -> None:
    assert run(pipe, SPACE + CTRL_I + ENTER, many()) == [3, 4]


def test_choose_many_invert_from_empty_takes_only_enabled(pipe: PipeInput) -> None:
    assert run(pipe, CTRL_I + ENTER, many()) == [1, 3, 4]


def test_choose_many_never_returns_disabled(pipe: PipeInput) -> None:
    # Tick and move five times: the cursor visits alpha, gamma, delta, alpha, gamma (it
    # wraps and never lands on the disabled beta), so only delta stays ticked.
    keys = (SPACE + DOWN) * 5 + ENTER
    assert run(pipe, keys, many()) == [4]


def test_choose_many_refuses_empty_selection(pipe: PipeInput) -> None:
    # Enter with nothing ticked keeps the prompt open; ticking one then enter returns it.
    assert run(pipe, ENTER + ENTER + DOWN + SPACE + ENTER, many()) == [3]


def test_choose_many_empty_selection_never_returns_empty_list(pipe: PipeInput) -> None:
    # Enter with nothing ticked, then the input ends: the prompt was still open.
    with pytest.raises(Cancelled):
        run(pipe, ENTER, many())


def test_at_least_one_validator() -> None:
    assert prompts.at_least_one([]) == prompts.AT_LEAST_ONE
    assert prompts.at_least_one([3]) is True


@pytest.mark.parametrize(
    "options",
    [[], [Option(1, "a", disabled_reason="locked")]],
    ids=["none", "all-disabled"],
)
def test_choose_many_refuses_unusable_prompt(pipe: PipeInput, options: list[Option]) -> None:
    with pytest.raises(UsageError):
        run(pipe, ENTER, many(options))


# filtering as you type ---------------------------------------------------------------------

BACKSPACE = "\x7f"
SESSIONS = [
    Option(1002, "#1002  Live Q&A", disabled_reason="a live session with no recording"),
    Option(1003, "#1003  Lost recording", disabled_reason="no video source"),
    Option(1000, "#1000  Keynote"),
    Option(1006, "#1006  Closing notes"),
]


def test_choose_one_filters_by_typed_text(pipe: PipeInput) -> None:
    assert run(pipe, "del" + ENTER, one()) == 4
    with create_pipe_input() as other:
        assert run(other, "GAM" + ENTER, one()) == 3  # case-insensitive


def test_choose_one_filters_by_id_and_spaces(pipe: PipeInput) -> None:
    assert run(pipe, "#1006  " + ENTER, one(SESSIONS)) == 1006
    with create_pipe_input() as other:
        assert run(other, "closing notes" + ENTER, one(SESSIONS)) == 1006


def test_choose_one_filter_lands_on_the_first_enabled_match(pipe: PipeInput) -> None:
    # "o" matches the disabled 1003 first, then 1000 and 1006: enter picks 1000.
    assert run(pipe, "o" + ENTER, one(SESSIONS)) == 1000


def test_choose_one_never_picks_a_disabled_match(pipe: PipeInput) -> None:
    # Only the disabled "beta" matches: enter does nothing; backspace clears the filter.
    assert run(pipe, "beta" + ENTER + BACKSPACE * 4 + ENTER, one()) == 1
    with create_pipe_input() as other, pytest.raises(Cancelled):
        run(other, "beta" + ENTER, one())  # still open when the keys run out


def test_choose_many_filters_and_ticks_what_is_shown(pipe: PipeInput) -> None:
    assert run(pipe, "gam" + SPACE + ENTER, many()) == [3]


def test_choose_many_keeps_ticks_while_the_filter_changes(pipe: PipeInput) -> None:
    keys = "del" + SPACE + BACKSPACE * 3 + "alp" + SPACE + ENTER
    assert run(pipe, keys, many()) == [1, 4]


def test_choose_many_never_ticks_a_disabled_match(pipe: PipeInput) -> None:
    # questionary 2.1.1 alone ticks "beta" here (its cursor lands on the first match).
    keys = "beta" + SPACE + ENTER + BACKSPACE * 4 + SPACE + ENTER
    assert run(pipe, keys, many()) == [1]


def test_choose_many_ctrl_a_and_ctrl_i_ignore_the_filter(pipe: PipeInput) -> None:
    # questionary's all/invert act on every enabled item, shown or filtered out.
    assert run(pipe, "gam" + CTRL_A + ENTER, many()) == [1, 3, 4]
    with create_pipe_input() as other:
        assert run(other, "gam" + SPACE + CTRL_I + ENTER, many()) == [1, 4]


def test_choose_many_moves_within_the_filtered_list(pipe: PipeInput) -> None:
    # "o" shows 1003 (disabled), 1000, 1006; down from 1000 goes to 1006, down again
    # wraps past the disabled one back to 1000.
    assert run(pipe, "o" + DOWN + SPACE + DOWN + SPACE + ENTER, many(SESSIONS)) == [1000, 1006]


ISOLATED = r"""
import json, sys
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from sessionmig.prompts import Option, QuestionaryPrompter
options, keys = json.loads(sys.argv[1])
with create_pipe_input() as pipe:
    pipe.send_text(keys)
    pipe.close()
    prompter = QuestionaryPrompter(input=pipe, output=DummyOutput())
    print(json.dumps(prompter.choose_many("x", [Option(*o) for o in options])))
"""


def isolated_choose_many(options: list[Option], keys: str) -> Any:
    """choose_many in a child process with a timeout: a key that makes questionary spin
    forever fails the test instead of hanging the test run."""
    arg = json.dumps([[[o.value, o.label, o.disabled_reason] for o in options], keys])
    done = subprocess.run(
        [sys.executable, "-c", ISOLATED, arg], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


SPINNERS = [
    Option(1, "a live", disabled_reason="live"),
    Option(2, "b none", disabled_reason="none"),
    Option(3, "c keynote"),
    Option(4, "d panel"),
]


def test_moving_in_a_filtered_list_never_hangs() -> None:
    # "o" shows "b none" (disabled) and "c keynote"; questionary 2.1.1 alone spins forever
    # on the down arrow, reading "disabled" at the unfiltered indexes 0 and 1.
    assert isolated_choose_many(SPINNERS, "o" + DOWN + DOWN + SPACE + ENTER) == [3]


def test_moving_when_the_filter_shows_only_disabled_items_stays_put() -> None:
    keys = "live" + DOWN + UP + SPACE + ENTER + BACKSPACE * 4 + "key" + SPACE + ENTER
    assert isolated_choose_many(SPINNERS, keys) == [3]


def _screen(keys: str, ask: Callable[[QuestionaryPrompter], Any]) -> str:
    output = io.StringIO()
    vt100 = Vt100_Output(output, lambda: Size(rows=24, columns=200), term="xterm")
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        ask(QuestionaryPrompter(input=pipe, output=vt100))
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.getvalue())


def test_instruction_lines_say_how_to_filter_and_which_keys_tick() -> None:
    screen = _screen(ENTER, one())
    assert prompts.SELECT_INSTRUCTION in screen
    screen = _screen(SPACE + ENTER, many())
    assert prompts.CHECKBOX_INSTRUCTION in screen
    assert "<ctrl-a> all, <ctrl-i> invert" in prompts.CHECKBOX_INSTRUCTION


def test_a_filtered_disabled_session_still_shows_its_reason() -> None:
    screen = _screen("Live" + BACKSPACE * 4 + SPACE + ENTER, many(SESSIONS))
    assert "#1002  Live Q&A (a live session with no recording)" in screen


# confirm ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "default", "expected"),
    [
        ("y" + ENTER, False, True),
        ("Y" + ENTER, False, True),
        ("n" + ENTER, True, False),
        ("N" + ENTER, True, False),
        (ENTER, False, False),
        (ENTER, True, True),
    ],
)
def test_confirm(pipe: PipeInput, keys: str, default: bool, expected: bool) -> None:
    assert run(pipe, keys, confirm(default)) is expected


# cancellation -------------------------------------------------------------------------

PROMPTS = {"choose_one": one(), "choose_many": many(), "confirm": confirm(True)}


@pytest.mark.parametrize("name", PROMPTS)
def test_ctrl_c_cancels(pipe: PipeInput, name: str) -> None:
    with pytest.raises(Cancelled) as info:
        run(pipe, DOWN + CTRL_C + ENTER, PROMPTS[name])
    assert info.value.exit_code == 130


@pytest.mark.parametrize("name", PROMPTS)
def test_escape_cancels(pipe: PipeInput, name: str) -> None:
    # A key right after Esc tells prompt_toolkit's parser that Esc was not the start of
    # an escape sequence, so Esc is delivered at once; the Esc binding is eager and exits
    # before the following key (and the Enter) can answer the prompt. The leading space
    # ticks an item in the checkbox, so without Esc every prompt here would return.
    with pytest.raises(Cancelled):
        run(pipe, SPACE + ESC + "z" + ENTER, PROMPTS[name])


@pytest.mark.parametrize("name", PROMPTS)
def test_same_keys_without_escape_answer(pipe: PipeInput, name: str) -> None:
    # Control for test_escape_cancels: the same keys minus Esc answer the prompt.
    assert run(pipe, SPACE + "z" + ENTER, PROMPTS[name]) in (1, [1], True)


@pytest.mark.parametrize("name", PROMPTS)
def test_lone_escape_cancels_after_timeout(
    pipe: PipeInput, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # A lone Esc with nothing after it (the real key press): prompt_toolkit delivers it
    # when its `ttimeoutlen` expires (0.5 s by default; shortened here to keep the test
    # fast). The pipe stays open, so the prompt ends because of Esc, not end of input.
    # Should Esc be ignored, the timer ends the input so the test fails instead of hanging.
    add_escape = prompts._add_escape_cancels

    def add_escape_fast(question: Any) -> None:
        add_escape(question)
        question.application.ttimeoutlen = 0.05

    monkeypatch.setattr(prompts, "_add_escape_cancels", add_escape_fast)
    guard = threading.Timer(3.0, pipe.close)
    guard.start()
    try:
        started = time.monotonic()
        with pytest.raises(Cancelled):
            run(pipe, ESC, PROMPTS[name], close=False)
        assert time.monotonic() - started < 1.0
    finally:
        guard.cancel()


@pytest.mark.parametrize("name", PROMPTS)
def test_end_of_input_cancels(pipe: PipeInput, name: str) -> None:
    with pytest.raises(Cancelled):
        run(pipe, DOWN, PROMPTS[name])


# terminal safety ----------------------------------------------------------------------

HOSTILE = [
    Option(10, "[bold red]x[/]"),
    Option(11, "\x1b[2J wipe"),
    Option(12, "evil\u202eexe.txt\nsecond line", disabled_reason="\x1b[31mred\x1b[0m"),
    Option(13, "<b>html</b>"),
]


def test_build_choices_escapes_titles_and_reasons() -> None:
    choices = prompts.build_choices(HOSTILE)
    assert [c.value for c in choices] == [10, 11, 12, 13]
    assert [c.title for c in choices] == [
        "[bold red]x[/]",
        "\\x1b[2J wipe",
        "evil\\u202eexe.txt\\x0asecond line",
        "<b>html</b>",
    ]
    assert [c.disabled for c in choices] == [None, None, "\\x1b[31mred\\x1b[0m", None]
    for choice in choices:
        assert isinstance(choice.title, str)
        assert "\x1b" not in choice.title and "\u202e" not in choice.title


def test_build_choices_empty_reason_still_disables() -> None:
    (choice,) = prompts.build_choices([Option(1, "a", disabled_reason="")])
    assert choice.disabled == prompts.DISABLED_FALLBACK


def test_hostile_labels_render_literally(pipe: PipeInput) -> None:
    # The escaped text reaches the screen verbatim: no raw ESC or bidi override is written.
    output = io.StringIO()
    vt100 = Vt100_Output(output, lambda: Size(rows=24, columns=200), term="xterm")
    pipe.send_text(DOWN + ENTER)
    pipe.close()
    prompter = QuestionaryPrompter(input=pipe, output=vt100)
    assert prompter.choose_one("Pick [red]\x1b[2J", HOSTILE) == 11
    screen = output.getvalue()
    assert "[bold red]x[/]" in screen
    assert "\\x1b[2J wipe" in screen
    assert "Pick [red]\\x1b[2J" in screen
    assert "\x1b[2J" not in screen.replace("\\x1b[2J", "")
    assert "\u202e" not in screen


def test_hostile_labels_in_checkbox_and_confirm(pipe: PipeInput) -> None:
    assert run(pipe, CTRL_A + ENTER, lambda p: p.choose_many("[b]\x1b[2J", HOSTILE)) == [10, 11, 13]
    with create_pipe_input() as other:
        assert run(other, "y" + ENTER, lambda p: p.confirm("\u202e[b]ok?\x1b[2J")) is True


# can_prompt ---------------------------------------------------------------------------


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize(
    ("stdin_tty", "stdout_tty", "env", "expected"),
    [
        (True, True, None, True),
        (True, True, "1", False),
        (True, True, "0", False),  # any non-empty value disables prompting
        (True, True, "", True),
        (False, True, None, False),
        (True, False, None, False),
        (False, False, None, False),
    ],
)
def test_can_prompt(
    monkeypatch: pytest.MonkeyPatch,
    stdin_tty: bool,
    stdout_tty: bool,
    env: str | None,
    expected: bool,
) -> None:
    monkeypatch.setattr(sys, "stdin", _Stream(stdin_tty))
    monkeypatch.setattr(sys, "stdout", _Stream(stdout_tty))
    if env is None:
        monkeypatch.delenv(prompts.NO_PROMPT_ENV, raising=False)
    else:
        monkeypatch.setenv(prompts.NO_PROMPT_ENV, env)
    assert prompts.can_prompt() is expected


def test_can_prompt_false_for_closed_or_missing_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(prompts.NO_PROMPT_ENV, raising=False)
    closed = _Stream(True)
    closed.close()

    def raising_isatty() -> bool:
        raise ValueError("I/O operation on closed file")

    monkeypatch.setattr(closed, "isatty", raising_isatty)
    monkeypatch.setattr(sys, "stdin", closed)
    monkeypatch.setattr(sys, "stdout", _Stream(True))
    assert prompts.can_prompt() is False
    monkeypatch.setattr(sys, "stdin", None)
    assert prompts.can_prompt() is False


def test_importing_prompts_does_not_import_questionary() -> None:
    code = (
        "import sys, sessionmig.prompts; "
        "bad = [m for m in ('questionary', 'prompt_toolkit') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
