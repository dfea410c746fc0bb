"""Write `store/tables.py` from the SQLModel models: one declaration of the schema.

    python -m sessionmig.store.codegen          # rewrite tables.py from models.py
    python -m sessionmig.store.codegen --check  # exit 1 if tables.py is out of date

The models in models.py are the schema a person edits (Alembic reads them too). The
commands run on plain SQLAlchemy Core tables, because importing SQLModel and building
its models costs ~250 ms of start-up per command (benchmarks/run.py, P4). This module
renders those tables as Python source, deterministically: every table in the order of
models.py, its columns in order (type with its variants, nullability, autoincrement,
defaults), then its constraints (primary key, foreign keys, unique, check) and indexes,
each sorted by name and carrying its final name, and the metadata's naming convention.
SQLModel's own column types become their SQLModel-free equivalents (`AutoString` a
`String`, `UTCDateTime` the twin in sqltypes.py).

Anything it does not know how to render (a callable default, a functional index, a
dialect option, ...) stops it with a `CodegenError` naming the table and column,
rather than writing a table that differs from the model: teach `_Renderer` first.
tests/test_schema.py fails when the committed tables.py is not what this writes.
"""

from __future__ import annotations

import argparse
import keyword
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import (
    CheckConstraint,
    Column,
    Constraint,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
)
from sqlalchemy.schema import ColumnCollectionConstraint, ColumnDefault, DefaultClause
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import String, TypeEngine

from sessionmig.store import sqltypes

TABLES_PY = Path(__file__).with_name("tables.py")
COMMAND = "python -m sessionmig.store.codegen"

# The names the store modules know some tables by (`t.video`, `t.session`,
# `t.record`); every other table is named after itself.
SHORT_NAMES: Mapping[str, str] = {
    "community_video": "video",
    "event_session": "session",
    "migration_record": "record",
}

LINE = 100  # the project's line length (pyproject.toml, ruff)

HEADER = '''"""Core `Table` handles of the schema: generated from models.py by
`{command}`, do not edit.

The SQLModel models in models.py are the one declaration of the schema (Alembic reads
them); change a table there, then run the command above. Commands run on these plain
SQLAlchemy tables so that none imports SQLModel at start-up (benchmarks/run.py, P4).
tests/test_schema.py fails when this file is not what the generator writes, and proves
that both definitions match the migrated schema (alembic compare_metadata) on SQLite and
PostgreSQL. Constraint and index names are final (`conv`): the naming convention below
is not applied to them again.
"""
'''


class CodegenError(Exception):
    """The models use a feature the generator cannot render faithfully."""


def _q(value: str) -> str:
    """A Python string literal, double-quoted when possible (the project's style)."""
    text = repr(value)
    if text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1].replace("\\'", "'") + '"'
    return text


def _call(name: str, args: Sequence[str], indent: int) -> str:
    """`name(args...)` on one line if it fits, otherwise one argument per line."""
    flat = f"{name}({', '.join(args)})"
    if indent + len(flat) + 1 <= LINE:
        return flat
    pad = " " * (indent + 4)
    return f"{name}(\n" + "".join(f"{pad}{a},\n" for a in args) + " " * indent + ")"


class _Renderer:
    def __init__(self) -> None:
        self.sa_names: set[str] = {"MetaData", "Table", "Column"}
        self.other_imports: dict[str, set[str]] = {}

    # ------------------------------------------------------------------ imports

    def _use(self, module: str, name: str) -> str:
        if module == "sqlalchemy":
            self.sa_names.add(name)
        else:
            self.other_imports.setdefault(module, set()).add(name)
        return name

    def imports(self) -> str:
        lines = ["from __future__ import annotations", ""]
        third = {"sqlalchemy": self.sa_names}
        first: dict[str, set[str]] = {}
        for module, names in self.other_imports.items():
            (first if module.startswith("sessionmig") else third)[module] = names
        for group in (third, first):
            for module in sorted(group):
                listed = sorted(group[module])
                one = f"from {module} import {', '.join(listed)}"
                if len(one) <= LINE:
                    lines.append(one)
                else:
                    lines.append(
                        f"from {module} import (\n" + "".join(f"    {n},\n" for n in listed) + ")"
                    )
            if group and first:
                lines.append("")
        while lines[-1] == "":
            lines.pop()
        return "\n".join(lines)

    # ------------------------------------------------------------------ pieces

    def type_(self, type_: TypeEngine[Any], where: str) -> str:
        text = self._base_type(type_, where)
        for dialect, variant in sorted(getattr(type_, "_variant_mapping", {}).items()):
            text += f".with_variant({self._base_type(variant, where)}, {_q(dialect)})"
        return text

    def _base_type(self, type_: TypeEngine[Any], where: str) -> str:
        cls = type(type_)
        if cls.__module__ == "sqlmodel.sql.sqltypes" and cls.__name__ == "AutoString":
            # A String that picks a length on MySQL only: a String on SQLite and PostgreSQL.
            impl = type_.impl  # type: ignore[attr-defined]
            assert isinstance(impl, String)
            return self._base_type(String(length=impl.length, collation=impl.collation), where)
        if (
            cls.__module__ == "sqlmodel.sql.sqltypes" and cls.__name__ == "UTCDateTime"
        ) or cls is sqltypes.UTCDateTime:
            return self._use(sqltypes.__name__, "UTCDateTime") + "()"
        if getattr(sqlalchemy, cls.__name__, None) is cls:
            self._use("sqlalchemy", cls.__name__)
            return repr(type_)
        raise CodegenError(f"{where}: no rendering for column type {cls.__module__}.{cls.__name__}")

    @staticmethod
    def _refuse(where: str, what: str, present: bool) -> None:
        if present:
            raise CodegenError(f"{where}: {what} is not supported by {COMMAND}")

    def column(self, col: Column[Any], where: str) -> str:
        refuse = self._refuse
        refuse(where, "a column key other than its name", col.key != col.name)
        refuse(where, "a computed column", col.computed is not None)
        refuse(where, "an identity column", col.identity is not None)
        refuse(where, "onupdate", col.onupdate is not None or col.server_onupdate is not None)
        refuse(where, "column info", bool(col.info))
        refuse(where, "a dialect option", bool(col.dialect_kwargs))
        refuse(where, "a system column", col.system)
        refuse(where, "a quoted name", getattr(col.name, "quote", None) is not None)
        args = [_q(col.name), self.type_(col.type, where), f"nullable={col.nullable}"]
        if col.autoincrement != "auto":
            args.append(f"autoincrement={col.autoincrement!r}")
        if col.default is not None:
            args.append(f"default={self._default(col.default, where)}")
        if col.server_default is not None:
            args.append(f"server_default={self._server_default(col.server_default, where)}")
        if col.comment is not None:
            args.append(f"comment={_q(col.comment)}")
        return _call("Column", args, 4)

    @staticmethod
    def _default(default: Any, where: str) -> str:
        if isinstance(default, ColumnDefault) and default.is_scalar:
            value = default.arg
            if value is None or type(value) in (bool, int, float):
                return repr(value)
            if type(value) is str:
                return _q(value)
        raise CodegenError(f"{where}: only literal defaults (bool, int, float, str) are supported")

    def _server_default(self, default: Any, where: str) -> str:
        if isinstance(default, DefaultClause) and not default.for_update:
            arg = default.arg
            if isinstance(arg, str):
                return _q(arg)
            if isinstance(arg, TextClause):
                return f"{self._use('sqlalchemy', 'text')}({_q(arg.text)})"
        raise CodegenError(f"{where}: only text server defaults are supported")

    def _name(self, name: Any, where: str) -> list[str]:
        if name is None:
            return []
        if not isinstance(name, str) or getattr(name, "quote", None) is not None:
            raise CodegenError(f"{where}: cannot render the name {name!r}")
        self._use("sqlalchemy.schema", "conv")
        return [f"name=conv({_q(str(name))})"]

    def _common(self, const: Constraint, where: str) -> list[str]:
        self._refuse(where, "a dialect option", bool(const.dialect_kwargs))
        self._refuse(where, "constraint info", bool(const.info))
        self._refuse(where, "a constraint comment", const.comment is not None)
        args = self._name(const.name, where)
        if const.deferrable is not None:
            args.append(f"deferrable={const.deferrable!r}")
        if const.initially is not None:
            args.append(f"initially={_q(const.initially)}")
        return args

    def constraint(self, const: Constraint, where: str) -> str:
        cls = type(const).__name__
        self._use("sqlalchemy", cls)
        where = f"{where} {cls} {const.name}"
        assert isinstance(const, ColumnCollectionConstraint)
        columns = [_q(c.name) for c in const.columns]
        if isinstance(const, PrimaryKeyConstraint | UniqueConstraint):
            return _call(cls, [*columns, *self._common(const, where)], 4)
        if isinstance(const, ForeignKeyConstraint):
            self._refuse(where, "use_alter", const.use_alter)
            self._refuse(where, "match", const.match is not None)
            self._refuse(where, "link_to_name", any(e.link_to_name for e in const.elements))
            locals_ = "[" + ", ".join(_q(e.parent.name) for e in const.elements) + "]"
            remotes = "[" + ", ".join(_q(e.target_fullname) for e in const.elements) + "]"
            args = [locals_, remotes, *self._common(const, where)]
            for option in ("ondelete", "onupdate"):
                value = getattr(const, option)
                if value is not None:
                    args.append(f"{option}={_q(value)}")
            return _call(cls, args, 4)
        if isinstance(const, CheckConstraint):
            if not isinstance(const.sqltext, TextClause):
                raise CodegenError(f"{where}: only textual CHECK constraints are supported")
            return _call(cls, [_q(const.sqltext.text), *self._common(const, where)], 4)
        raise CodegenError(f"{where}: no rendering for {cls}")

    def index(self, index: Index, where: str) -> str:
        self._use("sqlalchemy", "Index")
        where = f"{where} index {index.name}"
        self._refuse(where, "a dialect option", bool(index.dialect_kwargs))
        self._refuse(where, "index info", bool(index.info))
        self._refuse(
            where,
            "an expression index",
            len(index.expressions) != len(index.columns)
            or not all(isinstance(e, Column) for e in index.expressions),
        )
        name = self._name(index.name, where)
        if not name:
            raise CodegenError(f"{where}: an index needs a name (or a naming convention)")
        columns = [_q(e.name) for e in index.expressions if isinstance(e, Column)]
        args = [name[0].removeprefix("name="), *columns]
        if index.unique:
            args.append("unique=True")
        return _call("Index", args, 4)

    def table(self, table: Table, variable: str) -> str:
        where = f"table {table.name}"
        self._refuse(where, "a schema", table.schema is not None)
        self._refuse(where, "a table comment", table.comment is not None)
        self._refuse(where, "table info", bool(table.info))
        self._refuse(where, "a dialect option", bool(table.dialect_kwargs))
        parts = [_q(table.name), "metadata"]
        parts += [self.column(c, f"{where}, column {c.name}") for c in table.columns]
        kinds: tuple[type[Constraint], ...] = (
            PrimaryKeyConstraint,
            ForeignKeyConstraint,
            UniqueConstraint,
            CheckConstraint,
        )
        known = set()
        for kind in kinds:
            group = [
                c
                for c in table.constraints
                if type(c) is kind and isinstance(c, ColumnCollectionConstraint)
            ]
            known.update(group)
            if kind is PrimaryKeyConstraint:
                group = [c for c in group if c.columns]  # every table has one, maybe empty
            parts += [self.constraint(c, where) for c in sorted(group, key=_sort_key)]
        unknown = set(table.constraints) - known
        if unknown:
            raise CodegenError(f"{where}: no rendering for {sorted(map(repr, unknown))}")
        parts += [self.index(i, where) for i in sorted(table.indexes, key=_sort_key)]
        body = "".join(f"    {p},\n" for p in parts)
        return f"{variable} = {self._use('sqlalchemy', 'Table')}(\n{body})"

    def naming_convention(self, convention: Mapping[Any, Any]) -> str:
        items = []
        for key, value in convention.items():
            if not (isinstance(key, str) and isinstance(value, str)):
                raise CodegenError(
                    f"naming convention {key!r}: only string templates are supported"
                )
            items.append(f"        {_q(key)}: {_q(value)},\n")
        return "metadata = MetaData(\n    naming_convention={\n" + "".join(items) + "    }\n)"


def _sort_key(item: ColumnCollectionConstraint | Index) -> tuple[str, list[str]]:
    return (str(item.name or ""), [str(c.name) for c in item.columns])


def _variable(table: Table, short_names: Mapping[str, str], taken: set[str]) -> str:
    name = short_names.get(table.name, table.name)
    if not name.isidentifier() or keyword.iskeyword(name) or name in taken:
        raise CodegenError(
            f"table {table.name}: {name!r} cannot be its variable in tables.py; "
            "add a name for it to SHORT_NAMES in codegen.py"
        )
    taken.add(name)
    return name


def render(
    tables: Iterable[Table],
    naming_convention: Mapping[Any, Any],
    *,
    short_names: Mapping[str, str] = SHORT_NAMES,
) -> str:
    """The source of a module that defines `metadata` and one variable per table."""
    renderer = _Renderer()
    blocks = [renderer.naming_convention(naming_convention)]
    variables: set[str] = {"annotations", "metadata"}
    blocks += [renderer.table(t, _variable(t, short_names, variables)) for t in tables]
    imported = renderer.sa_names.union(*renderer.other_imports.values())
    clash = sorted(variables & imported)
    if clash:
        raise CodegenError(
            f"{clash[0]!r} would be both a table and an import in tables.py; "
            "add a name for that table to SHORT_NAMES in codegen.py"
        )
    head = HEADER.format(command=COMMAND) + "\n" + renderer.imports() + "\n\n"
    return head + "\n\n".join(blocks) + "\n"


def models_source() -> str:
    """What tables.py must hold for the models as they are now."""
    from sqlmodel import SQLModel

    from sessionmig.store import models

    mine = {
        cls.__table__
        for cls in vars(models).values()
        if isinstance(cls, type)
        and issubclass(cls, SQLModel)
        and cls.__module__ == models.__name__
        and hasattr(cls, "__table__")
    }
    ordered = [t for t in SQLModel.metadata.tables.values() if t in mine]
    return render(ordered, SQLModel.metadata.naming_convention)


def main(argv: Sequence[str] | None = None, *, out: Callable[[str], object] = print) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    parser.add_argument("--path", type=Path, default=TABLES_PY, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    path: Path = args.path
    try:
        source = models_source()
    except CodegenError as exc:
        out(f"codegen: {exc}")
        return 2
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if args.check:
        if current == source:
            out(f"{path.name} is up to date with models.py")
            return 0
        out(f"{path} is out of date with models.py: run {COMMAND}")
        return 1
    if current == source:
        out(f"{path.name} is up to date with models.py")
        return 0
    path.write_text(source, encoding="utf-8", newline="\n")
    out(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
