"""Working the files: lists, search and a file's timeline, always within the reader's scope."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
from xkld_shared.audit import trail_of
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.identity.principal import Principal

from xkld_registration.application.ports import (
    FileFilters,
    FileFinder,
    LookupIndexes,
    PersonalDataVault,
    RegistrationRows,
    Sort,
)
from xkld_registration.application.queries import find_in_scope
from xkld_registration.domain.search import name_tokens

__all__ = ["FileFilters", "FileLists", "Lookup", "Sort"]


@dataclass(frozen=True)
class Lookup:
    """Search terms that are personal data: they travel in a request body, never in a URL."""

    name: str | None = None
    cccd: str | None = None


class FileLists:
    def __init__(
        self,
        pool: asyncpg.Pool,
        stores: tuple[FileFinder, RegistrationRows],
        vault: PersonalDataVault,
    ) -> None:
        self._pool = pool
        self._finder, self._rows = stores
        self._vault = vault

    async def page(
        self, reader: Principal, filters: FileFilters, lookup: Lookup | None = None
    ) -> dict[str, Any]:
        indexes = LookupIndexes() if lookup is None else self._indexes(lookup)
        async with self._pool.acquire() as conn:
            items, total = await self._finder.page(conn, reader, filters, indexes)
        return {
            "items": items,
            "page": filters.page,
            "page_size": filters.page_size,
            "total": total,
        }

    def _indexes(self, lookup: Lookup) -> LookupIndexes:
        """A name is searched by its tokens' blind indexes, a CCCD by its own."""
        name_index = None
        if lookup.name is not None:
            tokens = name_tokens(lookup.name)
            if not tokens:
                raise InvalidInput.of(
                    [
                        FieldProblem(
                            "name", "Hãy nhập ít nhất một chữ của tên", "Type part of a name"
                        )
                    ]
                )
            name_index = self._vault.name_index(tokens)
        cccd_index = None if lookup.cccd is None else self._vault.cccd_index(lookup.cccd.strip())
        return LookupIndexes(name_index, cccd_index)

    async def timeline(self, registration_id: uuid.UUID, reader: Principal) -> list[dict[str, Any]]:
        """Events and audit rows of one file, oldest first: what happened, and who did it."""
        await find_in_scope(self._pool, self._rows, registration_id, reader)
        async with self._pool.acquire() as conn:
            events = await self._finder.events_of(conn, registration_id)
        audits = await trail_of(self._pool, "registration", str(registration_id))
        entries = [_event_entry(r) for r in events] + [_audit_entry(r) for r in audits]
        return sorted(entries, key=lambda e: (e["at"], e["kind"] == "event"))


def _event_entry(row: asyncpg.Record) -> dict[str, Any]:
    envelope = row["envelope"]
    envelope = json.loads(envelope) if isinstance(envelope, str) else envelope
    return {
        "at": row["recorded_at"],
        "kind": "event",
        "type": row["event_type"],
        "actor": envelope.get("producer"),
        "details": envelope.get("payload", {}),
        "correlation_id": envelope.get("correlation_id"),
    }


def _audit_entry(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "at": row["occurred_at"],
        "kind": "audit",
        "type": row["action"],
        "actor": row["actor_username"],
        "details": row["changes"],
        "correlation_id": None if row["correlation_id"] is None else str(row["correlation_id"]),
    }
