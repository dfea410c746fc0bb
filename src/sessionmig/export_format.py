"""The back-office export format (`sessionmig load FILE`), validated in full before
anything is written: each object of the file checked by plain functions into a compact
row (the same rules as the pydantic models of export_models, which `sessionmig schema
export` is made from, and the same messages), then the cross-reference checks; every
error names its place, e.g.
`sessions[3].format: 'webinar' is not one of online, in_person, hybrid`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from json.decoder import WHITESPACE, scanstring  # type: ignore[attr-defined]
from typing import Any, Literal, NamedTuple, NoReturn, get_args

from sessionmig.emails import MAX_KEY_LENGTH, email_key
from sessionmig.i18n import N_, _

MAX_ID = 2**63 - 1
NAME_LENGTH = 500
SUMMARY_LENGTH = 20_000
REF_LENGTH = 2048

# The choices of the format, once: the checks below take their values, export_models'
# fields their types.
Role = Literal["admin", "contributor", "reader"]
Scope = Literal["client", "audience", "event", "community"]
Format = Literal["online", "in_person", "hybrid"]
SourceKind = Literal["video_file", "url", "live"]

# What the rules below refuse, as JSON Schema patterns (`sessionmig schema export`; the
# rules stay, for their messages).
NO_NUL = r"^[^\x00]*$"
EMAIL_PATTERN = r"^[^@\s\x00]+@[^@\s\x00]+$"


# --- the rules that are not types: a sentence when one is broken (also export_models') --


def nul_problem(value: str) -> str | None:
    return _("must not contain NUL characters") if "\x00" in value else None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def email_problem(value: str) -> str | None:
    if not _EMAIL.match(value):
        return _("{value} is not an e-mail address").format(value=repr(value))
    if len(email_key(value)) > MAX_KEY_LENGTH:
        return _("longer than {n} characters once case-folded").format(n=MAX_KEY_LENGTH)
    return None


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def day_of(value: Any) -> date | None:
    """The date of a `YYYY-MM-DD` string, or None."""
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return None


def grant_problem(_role: str, scope: str, scope_id: int | None) -> str | None:
    if scope == "client" and scope_id is not None:
        return _("a client-scope grant takes no scope_id")
    if scope != "client" and scope_id is None:
        return _("a {scope}-scope grant needs a scope_id").format(scope=scope)
    return None


def dates_problem(_id: int, _audience: int, _name: str, starts: date, ends: date) -> str | None:
    return _("ends_on is before starts_on") if ends < starts else None


def source_problem(kind: str, ref: str | None) -> str | None:
    if kind in ("video_file", "url") and ref is None:
        return _("a {kind} source needs a ref").format(kind=kind)
    return None


# --- validating one object ---------------------------------------------------------------
#
# Plain functions, not pydantic (whose import and models cost a load about 10 MB, the
# budget's margin at 10,000 sessions: README, P6). A check takes a value from the file
# and returns what the row keeps, or raises `Invalid` with what is wrong in pydantic's
# own shape (type, loc relative to the value, input, ctx), which `describe` words;
# export_models' pydantic models are the reference these checks are tested against.


class Invalid(Exception):
    """The errors of one value, as pydantic would list them."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


Check = Callable[[Any], Any]
_REQUIRED: Any = object()


def _fail(kind: str, value: Any, **ctx: Any) -> NoReturn:
    raise Invalid([{"type": kind, "loc": (), "input": value, "ctx": ctx}])


def _within(key: int | str, errors: list[dict[str, Any]], into: list[dict[str, Any]]) -> None:
    into.extend({**e, "loc": (key, *e["loc"])} for e in errors)


def _id(value: Any) -> int:
    if type(value) is not int:  # strict: not a bool, not a float
        _fail("int_type", value)
    if value <= 0:
        _fail("greater_than", value, gt=0)
    if value > MAX_ID:
        _fail("less_than_equal", value, le=MAX_ID)
    return value


def _unicode(value: str) -> None:
    """Refuse a lone surrogate (written as a \\uD800 escape), as pydantic does first."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            _fail("string_unicode", value)


def _text(max_length: int, min_length: int = 0, *rules: Callable[[str], str | None]) -> Check:
    """A string of `min_length` to `max_length` characters without NUL, then `rules`."""

    def check(value: Any) -> str:
        if type(value) is not str:
            _fail("string_type", value)
        _unicode(value)
        n = len(value)
        if n < min_length:
            _fail("string_too_short", value, min_length=min_length)
        if n > max_length:
            _fail("string_too_long", value, max_length=max_length)
        if "\x00" in value:
            _fail("value_error", value, error=nul_problem(value))
        for rule in rules:
            problem = rule(value)
            if problem is not None:
                _fail("value_error", value, error=problem)
        return value

    return check


def _day(value: Any) -> date:
    day = day_of(value)
    if day is None:
        _fail("date_type" if not isinstance(value, str) else "date_parsing", value)
    return day


def _one_of(choices: Any) -> Check:
    """One of a Literal's values: the code's own string, shared by every row (not the
    file's)."""
    allowed: tuple[str, ...] = get_args(choices)
    expected = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
    canonical = {a: a for a in allowed}

    def check(value: Any) -> str:
        if type(value) is str:
            known = canonical.get(value)
            if known is not None:
                return known
            _unicode(value)
        _fail("literal_error", value, expected=expected)

    return check


def _or_none(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def _list_of(item: Check) -> Check:
    """A list, kept as a tuple (smaller; an empty one is shared)."""

    def check(value: Any) -> tuple[Any, ...]:
        if type(value) is not list:
            _fail("list_type", value)
        try:
            return tuple(map(item, value))
        except Invalid:
            pass
        errors: list[dict[str, Any]] = []  # again, for every item's errors
        for i, v in enumerate(value):
            try:
                item(v)
            except Invalid as exc:
                _within(i, exc.errors, errors)
        raise Invalid(errors)

    return check


class _Model:
    """An object of the file: its fields in order (name, check, default: `_REQUIRED` or
    a value), no other key, then `rule` on the values. Returns the values in the
    fields' order."""

    __slots__ = ("fields", "names", "rule")

    def __init__(
        self,
        fields: Sequence[tuple[str, Check, Any]],
        rule: Callable[..., str | None] | None = None,
    ) -> None:
        self.fields = tuple(fields)
        self.names = frozenset(name for name, _check, _default in fields)
        self.rule = rule

    def __call__(self, value: Any) -> tuple[Any, ...]:
        if not isinstance(value, dict):
            _fail("model_type", value)
        values: list[Any] = []
        errors: list[dict[str, Any]] = []
        present = 0
        for name, check, default in self.fields:
            if name in value:
                present += 1
                try:
                    values.append(check(value[name]))
                except Invalid as exc:
                    _within(name, exc.errors, errors)
            elif default is _REQUIRED:
                errors.append({"type": "missing", "loc": (name,), "input": value})
            else:
                values.append(default)
        if present != len(value):
            errors.extend(
                {"type": "extra_forbidden", "loc": (key,), "input": v}
                for key, v in value.items()
                if key not in self.names
            )
        if errors:
            raise Invalid(errors)
        if self.rule is not None:
            problem = self.rule(*values)
            if problem is not None:
                _fail("value_error", value, error=problem)
        return tuple(values)


_NAME = _text(NAME_LENGTH, 1)
_REF = _text(REF_LENGTH, 1)
_IDS = _list_of(_id)
_GRANT = _Model(
    (
        ("role", _one_of(Role), _REQUIRED),
        ("scope", _one_of(Scope), _REQUIRED),
        ("scope_id", _or_none(_id), None),
    ),
    grant_problem,
)
_SOURCE = _Model(
    (("kind", _one_of(SourceKind), _REQUIRED), ("ref", _or_none(_REF), None)),
    source_problem,
)


# --- parsing ---------------------------------------------------------------------------


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def place(loc: Sequence[int | str]) -> str:
    """`sessions[3].format`; a key that is not a plain name is quoted: `["a b"]`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _IDENT.match(part):
            out += f"[{json.dumps(part)}]"
        else:
            out += f".{part}" if out else part
    return out or _("(top level)")


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except RecursionError:  # a deeply nested value
        text = "[...]" if isinstance(value, list) else "{...}"
    return text if len(text) <= 60 else text[:57] + "..."


def _expected(ctx: Mapping[str, Any]) -> str:
    raw = str(ctx.get("expected", ""))
    parts = re.split(r", | or ", raw)
    return ", ".join(p.strip("'") for p in parts if p)


def describe(error: Mapping[str, Any]) -> str:
    """One pydantic error as `place: message`, in the words of an administrator."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    where = place(error.get("loc", ()))
    got = _short(value)
    if kind == "missing":
        msg = _("required")
    elif kind == "extra_forbidden":
        msg = _("unknown field")
    elif kind == "literal_error":
        msg = _("{value} is not one of {expected}").format(value=got, expected=_expected(ctx))
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        msg = _("expected an integer, got {value}").format(value=got)
    elif kind == "greater_than":
        msg = _("must be a positive integer, got {value}").format(value=got)
    elif kind == "less_than_equal":
        msg = _("integer out of range")
    elif kind == "string_too_short":
        msg = _("must not be empty")
    elif kind == "string_too_long":
        msg = _("longer than {n} characters").format(n=ctx.get("max_length"))
    elif kind == "string_unicode":  # a lone surrogate, written as a \uD800 escape
        msg = _("not valid Unicode text (a lone surrogate)")
    elif kind == "string_type":
        msg = _("expected a string, got {value}").format(value=got)
    elif kind == "list_type":
        msg = _("expected a list, got {value}").format(value=got)
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        msg = (
            _("the top level must be a JSON object")
            if not error.get("loc")
            else _("expected an object, got {value}").format(value=got)
        )
    elif kind.startswith("date"):
        msg = _("{value} is not a date (YYYY-MM-DD)").format(value=got)
    elif kind == "json_invalid":
        msg = _("not valid JSON ({error})").format(error=ctx.get("error", _("parse error")))
        where = _("file")
    elif kind == "value_error":
        msg = str(ctx.get("error", error.get("msg", _("invalid value"))))
    else:
        msg = str(error.get("msg", _("invalid value")))
    return _("{place}: {message}").format(place=where, message=msg)


class _Repeated(dict[str, Any]):
    """A JSON object that had some of its keys twice (JSON keeps the last one silently)."""

    repeated: list[str]


# Rows: what the loader writes, one compact tuple per object of the file (a validated
# model lives only while its row is made; the file's own dicts are dropped as they are
# read). Fields are named as in the file.


class ClientRow(NamedTuple):
    id: int
    name: str


class AudienceRow(NamedTuple):
    id: int
    client_id: int
    name: str


class GrantRow(NamedTuple):
    role: str
    scope: str
    scope_id: int | None


class UserRow(NamedTuple):
    id: int
    client_id: int
    email: str
    email_key: str
    name: str
    grants: tuple[GrantRow, ...]


class EventRow(NamedTuple):
    id: int
    audience_id: int
    name: str
    starts_on: date
    ends_on: date


class CommunityRow(NamedTuple):
    id: int
    audience_id: int
    title: str


class SpeakerRow(NamedTuple):
    id: int
    client_id: int
    name: str
    company: str | None


class PartnerRow(NamedTuple):
    id: int
    client_id: int
    name: str


class SessionRow(NamedTuple):
    id: int
    event_id: int
    title: str
    summary: str
    format: str
    source_kind: str | None
    source_ref: str | None
    thumbnail: str | None
    speaker_ids: tuple[int, ...]
    partner_ids: tuple[int, ...]


@dataclass
class Export:
    """A validated export: one list of rows per list of the file, in the file's order."""

    clients: list[ClientRow] = field(default_factory=list)
    audiences: list[AudienceRow] = field(default_factory=list)
    users: list[UserRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    communities: list[CommunityRow] = field(default_factory=list)
    speakers: list[SpeakerRow] = field(default_factory=list)
    partners: list[PartnerRow] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)


Share = Callable[[int, int], int]  # dict.setdefault of the load: one int per id


def _user_row(values: tuple[Any, ...], _share: Share) -> UserRow:
    user_id, client_id, email, name, grants = values
    return UserRow(
        user_id, client_id, email, email_key(email), name, tuple(map(GrantRow._make, grants))
    )


def _session_row(values: tuple[Any, ...], share: Share) -> SessionRow:
    """A session's row; the ids it refers to (its event, speakers, partners), which the
    file repeats from session to session, are one int object each (the file's copy of
    an id is a new int each time: 32 bytes, three per session)."""
    session_id, event_id, title, summary, fmt, source, thumbnail, speakers, partners = values
    kind, ref = (None, None) if source is None else source
    if speakers:
        speakers = tuple([share(i, i) for i in speakers])
    if partners:
        partners = tuple([share(i, i) for i in partners])
    event_id = share(event_id, event_id)
    return SessionRow(
        session_id, event_id, title, summary, fmt, kind, ref, thumbnail, speakers, partners
    )


def _made(kind: Any) -> Callable[[tuple[Any, ...], Share], tuple[Any, ...]]:
    make = kind._make
    return lambda values, _share: make(values)


_ID = ("id", _id, _REQUIRED)
_NAMED = ("name", _NAME, _REQUIRED)
_CLIENT_ID = ("client_id", _id, _REQUIRED)
_AUDIENCE_ID = ("audience_id", _id, _REQUIRED)

# Each list of the file: the check of one of its objects (export_models' model of the
# same name, field for field), and its row.
_KINDS: Mapping[str, tuple[_Model, Callable[[tuple[Any, ...], Share], tuple[Any, ...]]]] = {
    "clients": (_Model((_ID, _NAMED)), _made(ClientRow)),
    "audiences": (_Model((_ID, _CLIENT_ID, _NAMED)), _made(AudienceRow)),
    "users": (
        _Model(
            (
                _ID,
                _CLIENT_ID,
                ("email", _text(NAME_LENGTH, 1, email_problem), _REQUIRED),
                _NAMED,
                ("grants", _list_of(_GRANT), ()),
            )
        ),
        _user_row,
    ),
    "events": (
        _Model(
            (
                _ID,
                _AUDIENCE_ID,
                _NAMED,
                ("starts_on", _day, _REQUIRED),
                ("ends_on", _day, _REQUIRED),
            ),
            dates_problem,
        ),
        _made(EventRow),
    ),
    "communities": (
        _Model((_ID, _AUDIENCE_ID, ("title", _NAME, _REQUIRED))),
        _made(CommunityRow),
    ),
    "speakers": (
        _Model((_ID, _CLIENT_ID, _NAMED, ("company", _or_none(_NAME), None))),
        _made(SpeakerRow),
    ),
    "partners": (_Model((_ID, _CLIENT_ID, _NAMED)), _made(PartnerRow)),
    "sessions": (
        _Model(
            (
                _ID,
                ("event_id", _id, _REQUIRED),
                ("title", _NAME, _REQUIRED),
                ("summary", _text(SUMMARY_LENGTH), ""),
                ("format", _one_of(Format), _REQUIRED),
                ("source", _or_none(_SOURCE), None),
                ("thumbnail", _or_none(_REF), None),
                ("speaker_ids", _IDS, ()),
                ("partner_ids", _IDS, ()),
            )
        ),
        _session_row,
    ),
}

# The json module's own words for what is wrong in a document (they follow "not valid
# JSON", untranslated, like the decoder's other messages).
_EXPECTING_VALUE = "Expecting value"
_EXPECTING_COMMA = "Expecting ',' delimiter"
_EXPECTING_COLON = "Expecting ':' delimiter"
_EXPECTING_NAME = "Expecting property name enclosed in double quotes"
_EXTRA_DATA = "Extra data"
_NOT_A_CONSTANT = "{name} is not a JSON value"
_BLANKS = " \t\n\r"  # JSON's whitespace (also matches "", the end of the text: harmless)


def _not_a_constant(name: str) -> Any:
    raise ValueError(_NOT_A_CONSTANT.format(name=name))  # NaN, Infinity: not JSON


def _pairs_hook(seen: list[_Repeated]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """The decoder's hook for every object: a plain dict, or a `_Repeated` (added to
    `seen`) when the object has a key twice."""

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        marked = _Repeated(obj)
        counts: dict[str, int] = {}
        for key, _value in pairs:
            counts[key] = counts.get(key, 0) + 1
        marked.repeated = [key for key, n in counts.items() if n > 1]
        seen.append(marked)
        return marked

    return pairs_hook


class _Reader:
    """Reads an export object by object with the json module's scanner: the top-level
    object and its lists by hand (a few characters of syntax), every element of a list
    in one `scan_once` call, validated at once into its row. Memory holds the text and
    the rows, never the whole document as Python objects."""

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.pos = start
        self.export = Export()
        self.errors: list[str] = []
        self.repeated: list[_Repeated] = []
        self.ids: dict[int, int] = {}  # the ids rows refer to, one int object each
        # The hook is no method of the reader: the scanner holds it, and a cycle through
        # the reader would keep the text alive until the next garbage collection.
        decoder = json.JSONDecoder(
            object_pairs_hook=_pairs_hook(self.repeated), parse_constant=_not_a_constant
        )
        self._scan: Callable[[str, int], tuple[Any, int]] = decoder.scan_once  # type: ignore[attr-defined]
        self._ws: Callable[[str, int], Any] = WHITESPACE.match

    def _skip(self, i: int) -> int:
        end: int = self._ws(self.text, i).end()
        return end

    def _fail(self, message: str, i: int) -> NoReturn:
        raise json.JSONDecodeError(message, self.text, i)

    def _value(self, i: int, loc: tuple[int | str, ...]) -> tuple[Any, int]:
        """One JSON value at `i`, checked for repeated keys."""
        try:
            value, end = self._scan(self.text, i)
        except StopIteration as stop:
            self._fail(_EXPECTING_VALUE, stop.value)
        if self.repeated:
            self.errors.extend(_repeated_keys(loc, value))
            self.repeated.clear()
        return value, end

    def read(self) -> None:
        text, i = self.text, self._skip(self.pos)
        if text[i : i + 1] != "{":
            _value, self.pos = self._value(i, ())  # a valid JSON document, or its error
            self._expect_end()
            self.errors.append(
                describe({"type": "model_type", "loc": (), "input": None})  # the top level
            )
            return
        seen: set[str] = set()
        i = self._skip(i + 1)
        if text[i : i + 1] == "}":
            self.pos = i + 1
            self._expect_end()
            return
        while True:
            if text[i : i + 1] != '"':
                self._fail(_EXPECTING_NAME, i)
            key, i = scanstring(text, i + 1)
            i = self._skip(i)
            if text[i : i + 1] != ":":
                self._fail(_EXPECTING_COLON, i)
            i = self._skip(i + 1)
            if key in seen:
                self.errors.append(
                    _("{place}: duplicate key {key}").format(place=place(()), key=repr(key))
                )
                _value, i = self._value(i, (key,))
            elif key in _KINDS and text[i : i + 1] == "[":
                i = self._list(key, i + 1)
            else:
                value, i = self._value(i, (key,))
                if key not in _KINDS:
                    self.errors.append(describe({"type": "extra_forbidden", "loc": (key,)}))
                else:
                    self.errors.append(
                        describe({"type": "list_type", "loc": (key,), "input": value})
                    )
            seen.add(key)
            i = self._skip(i)
            if text[i : i + 1] == "}":
                break
            if text[i : i + 1] != ",":
                self._fail(_EXPECTING_COMMA, i)
            i = self._skip(i + 1)
        self.pos = i + 1
        self._expect_end()

    def _expect_end(self) -> None:
        i = self._skip(self.pos)
        if i != len(self.text):
            self._fail(_EXTRA_DATA, i)

    def _list(self, name: str, i: int) -> int:
        """The elements of the list `name` from `i` (just after its `[`) to its `]`."""
        validate, row_of = _KINDS[name]
        share = self.ids.setdefault
        rows: list[Any] = getattr(self.export, name)
        text, index, errors, repeated = self.text, 0, self.errors, self.repeated
        scan, ws = self._scan, self._ws
        i = self._skip(i)
        if text[i : i + 1] == "]":
            return i + 1
        while True:  # the hot loop of a load: one element per turn, inlined
            try:
                obj, i = scan(text, i)
            except StopIteration as stop:
                self._fail(_EXPECTING_VALUE, stop.value)
            if repeated:
                errors.extend(_repeated_keys((name, index), obj))
                repeated.clear()
            try:
                rows.append(row_of(validate(obj), share))
            except Invalid as exc:
                errors.extend(describe({**e, "loc": (name, index, *e["loc"])}) for e in exc.errors)
            del obj  # the file's dict: its row holds what is kept
            index += 1
            c = text[i : i + 1]
            if c in _BLANKS:
                i = ws(text, i).end()
                c = text[i : i + 1]
            if c == ",":
                i += 1
                if text[i : i + 1] in _BLANKS:
                    i = ws(text, i).end()
            elif c == "]":
                return i + 1
            else:
                self._fail(_EXPECTING_COMMA, i)


def _walk(loc: tuple[int | str, ...], value: Any) -> Iterable[tuple[tuple[int | str, ...], Any]]:
    """Every value inside `value` with its place; iterative, so that a deep document cannot
    overflow Python's stack here."""
    stack: list[tuple[tuple[int | str, ...], Any]] = [(loc, value)]
    while stack:
        loc, value = stack.pop()
        yield loc, value
        if isinstance(value, dict):
            stack.extend(((*loc, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*loc, i), v) for i, v in reversed(list(enumerate(value))))


def _repeated_keys(loc: tuple[int | str, ...], value: Any) -> list[str]:
    """`sessions[3]: duplicate key 'title'` for every object in `value` that repeats a key."""
    return [
        _("{place}: duplicate key {key}").format(place=place(where), key=repr(k))
        for where, v in _walk(loc, value)
        if isinstance(v, _Repeated)
        for k in v.repeated
    ]


def decode(raw: bytes) -> tuple[str | None, list[str]]:
    """The export's text, or why it is not UTF-8."""
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [
            _("file: not valid UTF-8 (byte {byte} at offset {offset})").format(
                byte=f"{raw[exc.start]:#04x}", offset=exc.start
            )
        ]


def parse_text(text: str) -> tuple[Export | None, list[str]]:
    """Validate the shape of an export, object by object; never raises on bad input. Every
    error of the file is listed (a syntax error alone: nothing after it can be read)."""
    reader = _Reader(text, 1 if text.startswith("\ufeff") else 0)
    try:
        reader.read()
    except json.JSONDecodeError as exc:
        error = f"{exc.msg}: line {exc.lineno} column {exc.colno} (char {exc.pos})"
        return None, [describe({"type": "json_invalid", "ctx": {"error": error}})]
    except ValueError as exc:  # NaN or Infinity, an integer of too many digits
        return None, [describe({"type": "json_invalid", "ctx": {"error": str(exc)}})]
    except RecursionError:
        return None, [_("file: not valid JSON (nested too deeply)")]
    if reader.errors:
        return None, reader.errors
    return reader.export, []


def parse(raw: bytes) -> tuple[Export | None, list[str]]:
    """Decode and validate the shape of an export; never raises on bad input."""
    text, errors = decode(raw)
    return (None, errors) if text is None else parse_text(text)


# --- references --------------------------------------------------------------------------


@dataclass
class Known:
    """What the store already holds: id -> client id for each kind, and user e-mails."""

    clients: set[int] = field(default_factory=set)
    audiences: dict[int, int] = field(default_factory=dict)
    events: dict[int, int] = field(default_factory=dict)
    communities: dict[int, int] = field(default_factory=dict)
    speakers: dict[int, int] = field(default_factory=dict)
    partners: dict[int, int] = field(default_factory=dict)
    sessions: dict[int, int] = field(default_factory=dict)
    users: dict[int, int] = field(default_factory=dict)
    emails: dict[str, int] = field(default_factory=dict)  # emails.email_key -> user id


# One sentence per kind of object (their words and genders differ in French).
DOES_NOT_EXIST: Mapping[str, str] = {
    "client": N_("{place}: client {id} does not exist"),
    "audience": N_("{place}: audience {id} does not exist"),
    "event": N_("{place}: event {id} does not exist"),
    "community": N_("{place}: community {id} does not exist"),
    "speaker": N_("{place}: speaker {id} does not exist"),
    "partner": N_("{place}: partner {id} does not exist"),
}
ANOTHER_CLIENT: Mapping[str, str] = {
    "audience": N_("{place}: audience {id} belongs to another client"),
    "event": N_("{place}: event {id} belongs to another client"),
    "community": N_("{place}: community {id} belongs to another client"),
    "speaker": N_("{place}: speaker {id} belongs to another client"),
    "partner": N_("{place}: partner {id} belongs to another client"),
    "session": N_("{place}: session {id} belongs to another client"),
    "user": N_("{place}: user {id} belongs to another client"),
}
LISTED_TWICE: Mapping[str, str] = {
    "speaker": N_("{place}: speaker {id} is listed twice"),
    "partner": N_("{place}: partner {id} is listed twice"),
}


def _duplicates(name: str, items: Iterable[Any], errors: list[str]) -> None:
    first: dict[int, int] = {}
    for i, item in enumerate(items):
        if item.id in first:
            errors.append(
                _("{place}: duplicate id {id} (also {other})").format(
                    place=f"{name}[{i}].id", id=item.id, other=f"{name}[{first[item.id]}]"
                )
            )
        else:
            first[item.id] = i


def check_references(data: Export, known: Known) -> list[str]:
    """Dangling references, references across clients, duplicates and id clashes."""
    errors: list[str] = []
    for name in (
        "clients",
        "audiences",
        "users",
        "events",
        "communities",
        "speakers",
        "partners",
        "sessions",
    ):
        _duplicates(name, getattr(data, name), errors)

    clients = set(known.clients) | {c.id for c in data.clients}

    def owner(
        kind: str, new: dict[int, int], old: dict[int, int], ref: int, where: str
    ) -> int | None:
        client = new.get(ref, old.get(ref))
        if client is None:
            errors.append(_(DOES_NOT_EXIST[kind]).format(place=where, id=ref))
        return client

    def clash(kind: str, old: dict[int, int], obj_id: int, client: int | None, where: str) -> None:
        if client is not None and obj_id in old and old[obj_id] != client:
            errors.append(_(ANOTHER_CLIENT[kind]).format(place=where, id=obj_id))

    audiences: dict[int, int] = {}
    for i, a in enumerate(data.audiences):
        if a.client_id not in clients:
            errors.append(
                _(DOES_NOT_EXIST["client"]).format(
                    place=f"audiences[{i}].client_id", id=a.client_id
                )
            )
        clash("audience", known.audiences, a.id, a.client_id, f"audiences[{i}].id")
        audiences[a.id] = a.client_id

    events: dict[int, int] = {}
    for i, e in enumerate(data.events):
        client = owner(
            "audience", audiences, known.audiences, e.audience_id, f"events[{i}].audience_id"
        )
        clash("event", known.events, e.id, client, f"events[{i}].id")
        if client is not None:
            events[e.id] = client

    communities: dict[int, int] = {}
    for i, c in enumerate(data.communities):
        client = owner(
            "audience", audiences, known.audiences, c.audience_id, f"communities[{i}].audience_id"
        )
        clash("community", known.communities, c.id, client, f"communities[{i}].id")
        if client is not None:
            communities[c.id] = client

    speakers: dict[int, int] = {}
    for i, sp in enumerate(data.speakers):
        if sp.client_id not in clients:
            errors.append(
                _(DOES_NOT_EXIST["client"]).format(
                    place=f"speakers[{i}].client_id", id=sp.client_id
                )
            )
        clash("speaker", known.speakers, sp.id, sp.client_id, f"speakers[{i}].id")
        speakers[sp.id] = sp.client_id

    partners: dict[int, int] = {}
    for i, p in enumerate(data.partners):
        if p.client_id not in clients:
            errors.append(
                _(DOES_NOT_EXIST["client"]).format(place=f"partners[{i}].client_id", id=p.client_id)
            )
        clash("partner", known.partners, p.id, p.client_id, f"partners[{i}].id")
        partners[p.id] = p.client_id

    scope_tables = {
        "audience": (audiences, known.audiences),
        "event": (events, known.events),
        "community": (communities, known.communities),
    }
    emails: dict[str, int] = {}
    for i, u in enumerate(data.users):
        if u.client_id not in clients:
            errors.append(
                _(DOES_NOT_EXIST["client"]).format(place=f"users[{i}].client_id", id=u.client_id)
            )
        clash("user", known.users, u.id, u.client_id, f"users[{i}].id")
        key = u.email_key
        if key in emails:
            errors.append(
                _("{place}: {email} is already used by {other}").format(
                    place=f"users[{i}].email", email=repr(u.email), other=f"users[{emails[key]}]"
                )
            )
        elif known.emails.get(key, u.id) != u.id:
            errors.append(
                _("{place}: {email} is already used by another user").format(
                    place=f"users[{i}].email", email=repr(u.email)
                )
            )
        emails[key] = i
        for j, g in enumerate(u.grants):
            if g.scope == "client" or g.scope_id is None:
                continue
            new, old = scope_tables[g.scope]
            where = f"users[{i}].grants[{j}].scope_id"
            client = owner(g.scope, new, old, g.scope_id, where)
            if client is not None and client != u.client_id:
                errors.append(_(ANOTHER_CLIENT[g.scope]).format(place=where, id=g.scope_id))

    for i, s in enumerate(data.sessions):
        client = owner("event", events, known.events, s.event_id, f"sessions[{i}].event_id")
        clash("session", known.sessions, s.id, client, f"sessions[{i}].id")
        for field_name, kind, new, old, ids in (
            ("speaker_ids", "speaker", speakers, known.speakers, s.speaker_ids),
            ("partner_ids", "partner", partners, known.partners, s.partner_ids),
        ):
            seen: set[int] = set()
            for j, ref in enumerate(ids):
                where = f"sessions[{i}].{field_name}[{j}]"
                if ref in seen:
                    errors.append(_(LISTED_TWICE[kind]).format(place=where, id=ref))
                    continue
                seen.add(ref)
                ref_client = owner(kind, new, old, ref, where)
                if client is not None and ref_client is not None and ref_client != client:
                    errors.append(_(ANOTHER_CLIENT[kind]).format(place=where, id=ref))
    return errors
