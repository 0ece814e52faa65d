"""Writing a batch's rows in bulk: one statement compiled once, many rows.

A catch-up writes hundreds of thousands of rows, and most of its time went to
per-row work in the layers above the database, not to the database: on SQLite,
SQLAlchemy building each row's parameters and looking up each value's
converter; on PostgreSQL, many-row ``INSERT`` statements built as text. A
``Bulk`` statement is compiled once per dialect and its column types'
converters are looked up once, so a row costs one call that makes the tuple of
its driver values; the values stored are exactly those SQLAlchemy would store,
since the converters are the types' own (on SQLite, ids, instants and days are
written inline as the same text theirs make).

On SQLite the tuples go to the driver's ``executemany``. On PostgreSQL the
inserts of whole rows (``Bulk.insert_into``) go through ``COPY ... FROM STDIN``,
the database's own bulk load, inside the same transaction; other statements
run through SQLAlchemy as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeEngine

__all__ = ["Bulk"]


class Bulk:
    """A statement run for many rows at once; build one per statement, at import.

    With ``sort_by`` (parameter names, usually the key's columns) SQLite gets the
    rows in that order: neighbouring keys land on the same pages, so a batch
    dirties fewer of them. Sorting the converted values (text, numbers) costs far
    less than sorting ids. ``COPY`` on PostgreSQL takes them as they come.
    """

    def __init__(
        self,
        statement: Executable,
        *,
        sort_by: Sequence[str] = (),
        rows_of: sa.Table | None = None,
    ) -> None:
        """``rows_of``: the table whose whole rows the statement inserts (an insert
        that skips conflicts, say); its rows may then be given as tuples."""
        self.statement = statement
        self.sort_by = tuple(sort_by)
        # The columns of a row given as a tuple, in its order.
        self.columns = None if rows_of is None else [c.name for c in rows_of.columns]
        # Set for a plain insert of whole rows: what PostgreSQL can load with COPY.
        self.table: sa.Table | None = None
        # Per kind of row (tuples or mappings): COPY's row converter and statement.
        self._copy_plans: dict[bool, tuple[Callable[[Any], tuple[Any, ...]], Any]] = {}
        # Per dialect and kind of row: the SQL, the row converter, the positions to sort by.
        self._compiled: dict[
            tuple[str, bool], tuple[str, Callable[[Any], tuple[Any, ...]], Any]
        ] = {}

    @classmethod
    def insert_into(cls, table: sa.Table, *, sort_by: Sequence[str] = ()) -> Bulk:
        """Insert whole rows (every column named) into ``table``."""
        bulk = cls(table.insert(), sort_by=sort_by, rows_of=table)
        bulk.table = table
        return bulk

    def execute(self, conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per row (each naming every parameter)."""
        self._run(conn, rows, positional=False)

    def insert_rows(self, conn: sa.Connection, rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows given as tuples of the table's columns, in the table's order.

        For a statement inserting whole rows (``insert_into``, or one given
        ``rows_of``). A catch-up writes most of its rows once and never looks at
        them again; made as tuples, they cost no dict to build and no lookup by
        name to convert. A read model with more than a few columns makes them as
        a ``NamedTuple`` whose fields are the columns: the first row's field
        names are checked against the table, so a field out of place fails
        rather than writes a value into the wrong column.
        """
        if self.columns is None:
            raise TypeError("rows as tuples are for an insert of whole rows (see rows_of)")
        fields = getattr(rows[0], "_fields", None) if rows else None
        if fields is not None and list(fields) != self.columns:
            raise TypeError(f"row fields {list(fields)} are not the columns {self.columns}")
        self._run(conn, rows, positional=True)

    def _run(self, conn: sa.Connection, rows: Sequence[Any], *, positional: bool) -> None:
        if not rows:
            return
        dialect = conn.dialect
        if dialect.name == "postgresql" and self.table is not None:
            self._copy(conn, self.table, rows, positional)
            return
        if not dialect.positional:
            if positional:
                assert self.columns is not None
                rows = [dict(zip(self.columns, row, strict=True)) for row in rows]
            conn.execute(self.statement, list(rows))
            return
        sql, convert, order = self._compile(dialect, positional)
        values = list(map(convert, rows))
        if order is not None:
            values.sort(key=order)
        conn.exec_driver_sql(sql, values)

    def _copy(
        self, conn: sa.Connection, table: sa.Table, rows: Sequence[Any], positional: bool
    ) -> None:
        from psycopg import sql

        plan = self._copy_plans.get(positional)
        if plan is None:
            names = [c.name for c in table.columns]
            conversions = [_conversion(c.type, conn.dialect) for c in table.columns]
            plan = self._copy_plans[positional] = (
                _row_converter(names, conversions, positions=names if positional else None),
                sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
                ),
            )
        convert, statement = plan
        # The transaction's own connection: the rows are part of the batch's transaction.
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(convert(row))

    def _compile(
        self, dialect: Dialect, positional: bool
    ) -> tuple[str, Callable[[Any], tuple[Any, ...]], Any]:
        found = self._compiled.get((dialect.name, positional))
        if found is None:
            compiled = self.statement.compile(dialect=dialect)  # type: ignore[attr-defined]
            names = list(compiled.positiontup or ())
            conversions = [_conversion(compiled.binds[n].type, dialect) for n in names]
            order = itemgetter(*(names.index(n) for n in self.sort_by)) if self.sort_by else None
            columns = self.columns if positional else None
            convert = _row_converter(names, conversions, positions=columns)
            found = (compiled.string, convert, order)
            self._compiled[dialect.name, positional] = found
        return found


@dataclass(frozen=True)
class _Conversion:
    """How one parameter's value becomes its driver value.

    ``convert`` is the type's own converter (None: the value goes as it is).
    ``inline``, where set, is an expression written into the row converter for
    the common case, equal to ``convert`` for it, with ``convert`` (``{c}``)
    still handling the rest: a catch-up converts a few million values, and each
    call of a small Python function costs about as much as the conversion.
    """

    convert: Callable[[Any], Any] | None
    inline: str | None = None


def _conversion(type_: TypeEngine[Any], dialect: Dialect) -> _Conversion:
    """The type's own converter, and on SQLite an equal inline form for the common values.

    SQLite keeps ids, instants and days as text, and flags as 0 or 1.
    SQLAlchemy's instant converter fills its format string from a dict of the
    fields (about 3 µs an instant); the same format filled from a tuple of them
    takes 0.9 µs, less than ``isoformat`` on an aware instant (1.4 µs; 0.8 µs
    on a naive one, so about half goes to an offset SQLite's text drops). An
    id's text is its ``hex``, written ``'%032x' % int`` without the property's
    call. Only exact ``UUID``, ``datetime``, ``date`` and ``bool`` values, in
    the default formats, take the inline way.
    """
    convert = type_._cached_bind_processor(dialect)
    if convert is None or dialect.name != "sqlite":
        return _Conversion(convert)
    impl = type_.dialect_impl(dialect)
    if isinstance(impl, sqlite.DATETIME) and impl._storage_format == _SQLITE_INSTANT:
        # SQLAlchemy's own format, fields as they are (the zone is not written).
        fields = ", ".join(
            f"{{v}}.{name}"
            for name in ("year", "month", "day", "hour", "minute", "second", "microsecond")
        )
        return _Conversion(
            convert,
            f"'%04d-%02d-%02d %02d:%02d:%02d.%06d' % ({fields}) if type({{v}}) is datetime"
            " else {c}({v})",
        )
    if isinstance(impl, sqlite.DATE) and impl._storage_format == _SQLITE_DAY:
        return _Conversion(convert, "{v}.isoformat() if type({v}) is date else {c}({v})")
    if isinstance(impl, sa.Boolean) and not dialect.supports_native_boolean:
        return _Conversion(convert, "1 if {v} is True else 0 if {v} is False else {c}({v})")
    character_based = not (dialect.supports_native_uuid and getattr(impl, "native_uuid", False))
    if isinstance(impl, sa.Uuid) and impl.as_uuid and character_based:
        return _Conversion(convert, "'%032x' % {v}.int if type({v}) is UUID else {c}({v})")
    return _Conversion(convert)


_SQLITE_INSTANT = sqlite.DATETIME._storage_format
_SQLITE_DAY = sqlite.DATE._storage_format


def _row_converter(
    names: Sequence[str],
    conversions: Sequence[_Conversion],
    *,
    positions: Sequence[str] | None = None,
) -> Callable[[Any], tuple[Any, ...]]:
    """One function taking a row to the tuple of its parameters' driver values.

    Written out per statement, so a row costs one call: a value whose type has
    no converter is passed as it is, the others go through their type's own
    (inline where ``_conversion`` gives a form). A row is a mapping by parameter
    name, or, with ``positions`` (the names in the row's order), a tuple, which
    is unpacked whole: one of another length is refused.
    """
    namespace: dict[str, Any] = {
        "UUID": UUID,
        "date": date,
        "datetime": datetime,
    }
    lines = []
    # A tuple row is unpacked into these names, one per position.
    unpacked = [] if positions is None else [f"r{i}" for i in range(len(positions))]
    items = []
    for i, (name, conversion) in enumerate(zip(names, conversions, strict=True)):
        value = f"row[{name!r}]" if positions is None else unpacked[positions.index(name)]
        if conversion.convert is None:
            items.append(value)
            continue
        namespace[f"c{i}"] = conversion.convert
        if conversion.inline is None:
            items.append(f"c{i}({value})")
            continue
        if positions is None:
            lines.append(f"    v{i} = {value}\n")
        else:
            unpacked[positions.index(name)] = f"v{i}"
        # NULL goes as None, as the type's converter would pass it: no call for it.
        inline = conversion.inline.format(v=f"v{i}", c=f"c{i}")
        items.append(f"(None if v{i} is None else {inline})")
    if unpacked:
        lines.insert(0, f"    {', '.join(unpacked)}, = row\n")
    source = f"def convert(row):\n{''.join(lines)}    return ({', '.join(items)},)\n"
    exec(compile(source, f"<bulk row converter: {', '.join(names)}>", "exec"), namespace)
    converter: Callable[[Any], tuple[Any, ...]] = namespace["convert"]
    return converter
