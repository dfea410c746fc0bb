"""Interactive prompts: the only module that talks to questionary.

Commands receive a `Prompter` and tests replace it; `QuestionaryPrompter` is the
real one. questionary (and prompt_toolkit) are imported lazily inside the
methods, so `sessionmig --help` never pays for them.

Rules kept by every prompt:

- Ctrl-C, Esc and end of input all raise `errors.Cancelled`.
- Every message, label and disabled-reason goes through `render.literal`, so
  data such as ``"[bold red]x[/]"``, ``"\\x1b[2J"`` or ``"\\u202e"`` is shown as
  plain, visibly escaped text and never interpreted by the terminal.
- Prompt only when `can_prompt()` says so (stdin and stdout are terminals and
  ``SESSIONMIG_NO_PROMPT`` is unset): prompting into a pipe would corrupt output.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sessionmig import render
from sessionmig.errors import Cancelled, UsageError
from sessionmig.i18n import N_, _, french

if TYPE_CHECKING:
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output
    from questionary import Choice, Question

NO_PROMPT_ENV = "SESSIONMIG_NO_PROMPT"
# Marked with N_ and shown in the reader's language (`_()` where they are used).
AT_LEAST_ONE = N_("Tick at least one (<space> ticks the highlighted item, <ctrl-a> ticks all)")
DISABLED_FALLBACK = N_("unavailable")
# The pickers filter as you type (questionary's search filter, which frees no letter for
# j/k moves); with it, questionary binds all/invert in the checkbox to Ctrl-A / Ctrl-I.
SELECT_INSTRUCTION = N_("(type to filter by title or #id, arrows to move, <enter> to choose)")
CHECKBOX_INSTRUCTION = N_(
    "(type to filter by title or #id, arrows to move, <space> ticks, "
    "<ctrl-a> all, <ctrl-i> invert, <enter> to confirm)"
)
# questionary's own words (its confirm's answers and hint, its checkbox's answer line),
# in the reader's language.
YES_WORD = N_("Yes")
NO_WORD = N_("No")
YES_OR_NO = N_("(Y/n)")
NO_OR_YES = N_("(y/N)")
# Translators: the keys that answer yes to a confirmation, besides y and Y.
YES_KEYS = N_("y")
DONE = N_("done ({n} selections)")


@dataclass(frozen=True)
class Option:
    """One choice offered to the user."""

    value: int
    """What the prompt returns, e.g. a community, event or session id."""
    label: str
    """Text shown; raw data, passed through `render.literal` by the prompter."""
    disabled_reason: str | None = None
    """When set, the choice is shown but cannot be selected; the reason is shown next to it."""


class Prompter(Protocol):
    """The seam commands use for questions; tests supply a scripted fake."""

    def choose_one(self, message: str, options: Sequence[Option]) -> int: ...

    def choose_many(self, message: str, options: Sequence[Option]) -> list[int]: ...

    def confirm(self, message: str, *, default: bool = False) -> bool: ...


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def can_prompt() -> bool:
    """True only when stdin AND stdout are both terminals and SESSIONMIG_NO_PROMPT is not set.

    Any non-empty value of SESSIONMIG_NO_PROMPT disables prompting.
    """
    if os.environ.get(NO_PROMPT_ENV):
        return False
    return _isatty(sys.stdin) and _isatty(sys.stdout)


def build_choices(options: Sequence[Option]) -> list[Choice]:
    """questionary choices for `options`, in order, with every text made terminal-safe.

    Titles are plain `str` (questionary never parses them as markup) escaped by
    `render.literal`; a disabled option carries its escaped reason (or
    ``"unavailable"`` when the reason is empty) so questionary shows it greyed out.
    """
    from questionary import Choice

    choices: list[Choice] = []
    for option in options:
        disabled: str | None = None
        if option.disabled_reason is not None:
            disabled = render.literal(option.disabled_reason) or _(DISABLED_FALLBACK)
        choices.append(
            Choice(title=render.literal(option.label), value=option.value, disabled=disabled)
        )
    return choices


def at_least_one(selected: Sequence[object]) -> bool | str:
    """The checkbox validator: an empty selection is refused with a hint, shown under the list."""
    return True if selected else _(AT_LEAST_ONE)


def _require_selectable(message: str, options: Sequence[Option]) -> None:
    if not options:
        raise UsageError(
            _("nothing to choose from for {question}").format(
                question=repr(render.literal(message))
            )
        )
    if all(option.disabled_reason is not None for option in options):
        reasons = sorted(
            {render.literal(o.disabled_reason) or _(DISABLED_FALLBACK) for o in options}
        )
        raise UsageError(
            _(
                "nothing can be chosen for {question}: every option is unavailable ({reasons})"
            ).format(question=repr(render.literal(message)), reasons="; ".join(reasons))
        )


def _add_escape_cancels(question: Question) -> None:
    """Make Esc abort the prompt exactly like Ctrl-C (questionary binds only Ctrl-C/Ctrl-Q).

    The binding is eager, so it wins over questionary's catch-all key and over
    prompt_toolkit's Esc-prefixed (meta) bindings. prompt_toolkit delivers a lone
    Esc after its `ttimeoutlen` (0.5 s) since it could start an escape sequence.
    """
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.key_binding.key_processor import KeyPressEvent

    escape = KeyBindings()

    @escape.add("escape", eager=True)
    def _cancel(event: KeyPressEvent) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    app = question.application
    existing = app.key_bindings
    app.key_bindings = escape if existing is None else merge_key_bindings([existing, escape])


def _keep_disabled_unselectable(question: Question, *, guard: str) -> None:
    """Disabled choices stay unselectable while a search filter is on.

    questionary 2.1.1 checks "disabled" by the cursor's index in the *unfiltered* list,
    while the cursor moves in the filtered one. Left alone, typing a filter puts the
    cursor on the first match even when it is disabled, <space> then ticks it (or
    <enter> picks it in a select), and a move can spin forever when the items at the
    cursor's indexes in the full list are all disabled. Here: "disabled" is read from
    the choice under the cursor; a filter puts the cursor on its first enabled match;
    and `guard` (<space> in a checkbox, <enter> in a select) does nothing on a
    disabled choice. Without questionary's control (another version), nothing changes.
    """
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.key_binding.key_processor import KeyPressEvent
    from prompt_toolkit.keys import Keys
    from questionary.prompts.common import InquirerControl, Separator

    app = question.application
    control = next(
        (c for c in app.layout.find_all_controls() if isinstance(c, InquirerControl)), None
    )
    if control is None:
        return

    def enabled(choice: Any) -> bool:
        return not isinstance(choice, Separator) and not choice.disabled

    def valid() -> bool:
        # True also when the filter shows nothing enabled: a move then stops at once.
        return enabled(control.get_pointed_at()) or not any(
            enabled(c) for c in control.filtered_choices
        )

    add_character = control.add_search_character

    def add_search_character(char: Any) -> None:
        add_character(char)
        for i, choice in enumerate(control.filtered_choices):
            if enabled(choice):
                control.pointed_at = i
                break

    control.is_selection_valid = valid  # type: ignore[method-assign]
    control.add_search_character = add_search_character  # type: ignore[method-assign]

    existing = app.key_bindings
    if existing is None:
        return
    # questionary's own binding of that key (the last exact match is the one that runs).
    originals = [b for b in existing.get_bindings_for_keys((guard,)) if Keys.Any not in b.keys]
    if not originals:
        return
    original = originals[-1]
    guarded = KeyBindings()

    @guarded.add(guard, eager=True)
    def _only_enabled(event: KeyPressEvent) -> None:
        if enabled(control.get_pointed_at()):
            original.handler(event)

    app.key_bindings = merge_key_bindings([existing, guarded])


def _speak_the_readers_language(question: Question) -> None:
    """questionary's own words in the reader's language: a confirmation's hint and answer
    (its module's constants, read when the prompt is drawn), the French `o` for yes (as
    `y` does), and a checkbox's answer line (`done (3 selections)`)."""
    if not french():
        return
    import re

    import questionary.prompts.confirm as confirm_module
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.key_binding.key_processor import KeyPressEvent
    from prompt_toolkit.keys import Keys
    from prompt_toolkit.layout.controls import FormattedTextControl

    confirm_module.YES = _(YES_WORD)  # type: ignore[attr-defined]
    confirm_module.NO = _(NO_WORD)  # type: ignore[attr-defined]
    confirm_module.YES_OR_NO = _(YES_OR_NO)  # type: ignore[attr-defined]
    confirm_module.NO_OR_YES = _(NO_OR_YES)  # type: ignore[attr-defined]

    app = question.application
    existing = app.key_bindings
    keys = sorted({*_(YES_KEYS), *_(YES_KEYS).upper()} - {"y", "Y"})
    bound = existing.get_bindings_for_keys(("y",)) if existing is not None else []
    yes = [b for b in bound if Keys.Any not in b.keys]  # questionary's own `y`, if any
    if existing is not None and yes and keys:
        answer_yes = yes[-1].handler
        extra = KeyBindings()

        def _yes(event: KeyPressEvent) -> None:
            answer_yes(event)

        for key in keys:
            extra.add(key)(_yes)
        app.key_bindings = merge_key_bindings([existing, extra])

    done = re.compile(r"^done \((\d+) selections\)$")
    for control in app.layout.find_all_controls():
        if not isinstance(control, FormattedTextControl) or not callable(control.text):
            continue
        tokens_of = control.text

        def translated(tokens_of: Callable[[], Any] = tokens_of) -> Any:
            tokens = tokens_of()
            if not isinstance(tokens, list):
                return tokens
            out = []
            for token in tokens:
                match = done.match(token[1]) if len(token) >= 2 else None
                if match is not None:
                    token = (token[0], _(DONE).format(n=match.group(1)), *token[2:])
                out.append(token)
            return out

        control.text = translated


class QuestionaryPrompter:
    """The real `Prompter`, drawn with questionary.

    `input` / `output` (prompt_toolkit objects) are passed to every prompt; by
    default questionary uses the terminal. Tests pass `create_pipe_input()` and
    `DummyOutput()` and type real key presses.
    """

    def __init__(self, *, input: Input | None = None, output: Output | None = None) -> None:
        self._io: dict[str, Any] = {}
        if input is not None:
            self._io["input"] = input
        if output is not None:
            self._io["output"] = output

    def _ask(
        self,
        build: Callable[..., Question],
        *args: Any,
        guard: str | None = None,
        **kwargs: Any,
    ) -> Any:
        question = build(*args, **kwargs, **self._io)
        _add_escape_cancels(question)
        _speak_the_readers_language(question)
        if guard is not None:
            _keep_disabled_unselectable(question, guard=guard)
        try:
            return question.unsafe_ask()
        except (KeyboardInterrupt, EOFError):
            raise Cancelled() from None

    def _pick(
        self,
        build: Callable[..., Question],
        message: str,
        options: Sequence[Option],
        *,
        instruction: str,
        guard: str,
        **kwargs: Any,
    ) -> Any:
        """A list of `options` that filters as you type (questionary's search filter,
        which needs j/k free for typing), disabled choices kept unselectable."""
        _require_selectable(message, options)
        return self._ask(
            build,
            render.literal(message),
            choices=build_choices(options),
            use_search_filter=True,
            use_jk_keys=False,
            instruction=_(instruction),
            guard=guard,
            **kwargs,
        )

    def choose_one(self, message: str, options: Sequence[Option]) -> int:
        """A single-choice list: type to filter (by label, so by title or `#id`), arrows
        to move, enter to choose; disabled options are shown with their reasons and can
        never be chosen, filtered or not.

        Raises `UsageError` when there is no option or every option is disabled,
        instead of showing a prompt that cannot be answered.
        """
        import questionary

        answer = self._pick(
            questionary.select, message, options, instruction=SELECT_INSTRUCTION, guard="c-m"
        )
        return int(answer)

    def choose_many(self, message: str, options: Sequence[Option]) -> list[int]:
        """A checkbox list; returns the ticked values in the order of `options`.

        Typing filters the list (by label, so by title or `#id`; backspace edits the
        filter). questionary's own keys work: <space> ticks, <ctrl-a> ticks every
        enabled item, shown or filtered out (or clears all when all are ticked),
        <ctrl-i> (tab) inverts; disabled items show their reason and can never be
        ticked, filtered or not. An empty selection is refused with questionary's
        `validate`: enter with nothing ticked keeps the prompt open and shows
        `AT_LEAST_ONE` under the list. Since nothing could ever be ticked when there
        is no option or every option is disabled, that case raises `UsageError`
        instead of showing the prompt.
        """
        import questionary

        answer = self._pick(
            questionary.checkbox,
            message,
            options,
            instruction=CHECKBOX_INSTRUCTION,
            guard=" ",
            validate=at_least_one,
        )
        ticked = set(answer)
        chosen: list[int] = []
        for option in options:
            if (
                option.value in ticked
                and option.disabled_reason is None
                and option.value not in chosen
            ):
                chosen.append(option.value)
        return chosen

    def confirm(self, message: str, *, default: bool = False) -> bool:
        """A yes/no question; enter alone answers `default`."""
        import questionary

        answer = self._ask(questionary.confirm, render.literal(message), default=default)
        return bool(answer)
