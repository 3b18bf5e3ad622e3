"""Message templates: the explainer texts a campaign sends, prints or reads out. Each edit is a
new version (the old one stays, so a broadcast says which text it sent), with an audit row."""

from __future__ import annotations

from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext
from xkld_shared.db.pool import Conn
from xkld_shared.errors import NotFound

from xkld_outreach.application.ports import CampaignStore
from xkld_outreach.application.unit_of_work import audited, once


class TemplateNotFound(NotFound):
    code = "template_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy mẫu tin", "No such message template")


def template_body(row: asyncpg.Record) -> dict[str, Any]:
    body = {
        k: row[k]
        for k in (
            "code",
            "version",
            "title",
            "sms_text",
            "zalo_template_id",
            "zalo_params",
            "announcement",
            "edited_by",
        )
    }
    return body | {"edited_at": row["edited_at"].isoformat()}


class Templates:
    def __init__(self, pool: asyncpg.Pool, store: CampaignStore) -> None:
        self._pool = pool
        self._store = store

    async def all(self) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            return [template_body(r) for r in await self._store.templates(conn)]

    async def one(self, code: str) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            row = await self._store.template(conn, code)
            if row is None:
                raise TemplateNotFound
            versions = await self._store.template_versions(conn, code)
        return template_body(row) | {"versions": [_version(v) for v in versions]}

    async def edit(
        self,
        code: str,
        fields: dict[str, Any],
        context: ChangeContext,
        keyed: idempotency.Keyed,
    ) -> idempotency.Answer:
        async def work(conn: Conn) -> idempotency.Answer:
            current = await self._store.template(conn, code, lock=True)
            if current is None:
                raise TemplateNotFound
            row = await self._store.insert_template(
                conn, code, current["version"] + 1, fields, context.actor.username
            )
            before, after = template_body(current), template_body(row)
            await audited(conn, context, "message_template.edited", code, before, after)
            return idempotency.Answer(200, after)

        return await once(self._pool, keyed, work)


def _version(v: asyncpg.Record) -> dict[str, Any]:
    return {
        "version": v["version"],
        "edited_by": v["edited_by"],
        "edited_at": v["edited_at"].isoformat(),
    }
