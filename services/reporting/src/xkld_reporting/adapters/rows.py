"""Reading and writing whole projection rows (dataclasses whose fields are the table's
columns, in order): one SELECT per table to read the rows a batch touches, and a binary COPY
into a per-connection staging table plus one upsert to write them back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from xkld_shared.db.pool import Conn

_PG_TYPES = {
    uuid.UUID: "uuid",
    str: "text",
    int: "bigint",
    bool: "boolean",
    dt.date: "date",
}


def stage_of(table: str) -> str:
    """The staging table of a projection table (see `projector.begin_batch`)."""
    return "stage_" + table.replace(".", "_")


def columns(model: type[Any]) -> list[tuple[str, str]]:
    hints = {f.name: f.type for f in dataclasses.fields(model)}
    return [(name, _pg_type(hint)) for name, hint in hints.items()]


def _pg_type(hint: object) -> str:
    """The column type of a field's annotation: its first type, when it is a union."""
    first = str(hint).split(" | ")[0]
    base = next(t for t in _PG_TYPES if _type_name(t) == first)
    return _PG_TYPES[base]


def _type_name(t: type[Any]) -> str:
    return {uuid.UUID: "uuid.UUID", dt.date: "dt.date"}.get(t, t.__name__)


async def load(
    conn: Conn,
    table: str,
    model: type[Any],
    where: str,
    ids: list[Any],
    key_of: Callable[[Any], Any] | None = None,
) -> dict[Any, Any]:
    """The rows whose uuid column `where` is one of `ids`, by `key_of(row)` (default: the
    first column)."""
    if not ids:
        return {}
    names = [name for name, _ in columns(model)]
    rows = await conn.fetch(
        f"SELECT {', '.join(names)} FROM {table} WHERE {where} = ANY($1::uuid[])", ids
    )
    loaded = [model(*row) for row in rows]  # selected in the fields' order
    key = key_of or (lambda r: getattr(r, names[0]))
    return {key(r): r for r in loaded}


async def save(
    conn: Conn, table: str, model: type[Any], keys: list[str], rows: Sequence[Any]
) -> None:
    """Upsert whole rows: COPY into the connection's staging table, then one INSERT … ON
    CONFLICT from it (binary COPY encodes rows far faster than 28 parameter arrays). Two round
    trips per table."""
    if not rows:
        return
    names = [name for name, _ in columns(model)]
    stage = stage_of(table)
    # A dataclass instance's __dict__ holds its fields in declaration order.
    await conn.copy_records_to_table(
        stage, records=[tuple(vars(row).values()) for row in rows], columns=names
    )
    updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in names if n not in keys)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    # Emptied at once, not only at commit: a rebuild's catch-up saves many batches in one
    # transaction, and a row staged twice would be upserted twice in one statement.
    await conn.execute(
        f"""INSERT INTO {table} ({", ".join(names)}) SELECT {", ".join(names)} FROM {stage}
            ON CONFLICT ({", ".join(keys)}) {action};
            DELETE FROM {stage};"""
    )
