"""Success stories: written by the officer for a completed contract, shown only while the
worker's consent (purpose success_story) stands. Withdrawing it deletes the story
(`change_consent`); every read checks the consent too, so nothing appears without it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
from xkld_shared.audit import ChangeContext
from xkld_shared.db.pool import Conn
from xkld_shared.errors import NotFound
from xkld_shared.identity.principal import Principal

from xkld_registration.application.file_log import audit_file
from xkld_registration.application.file_scope import file_in_scope
from xkld_registration.application.ports import JourneyFiles, StoryInput, StoryRow, StoryStore
from xkld_registration.application.scope import listed_scope
from xkld_registration.domain.success_story import (
    Story,
    StoryNeedsConsent,
    check_completed,
    given_name,
    radio_text,
)


class StoryNotFound(NotFound):
    code = "story_not_found"

    def __init__(self) -> None:
        super().__init__(
            "Không có câu chuyện thành công (chưa viết, hoặc người lao động không đồng ý)",
            "No success story (none written, or the worker has not consented)",
        )


class SuccessStories:
    def __init__(
        self,
        pool: asyncpg.Pool,
        stores: tuple[JourneyFiles, StoryStore],
        commune_name: Callable[[str], str],
    ) -> None:
        self._pool = pool
        self._files, self._store = stores
        self._commune_name = commune_name

    async def write(self, rid: uuid.UUID, ctx: ChangeContext, story: StoryInput) -> dict[str, Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            file = await file_in_scope(self._files, conn, rid, ctx.actor)
            check_completed(file.journey)
            if not await self._store.consented(conn, rid):
                raise StoryNeedsConsent
            await self._store.put(conn, rid, story, ctx.actor.username)
            shown = {
                "job": story.job,
                "savings_vnd": story.savings_vnd,
                "after_return": story.after_return,
            }
            await audit_file(conn, ctx, "success_story.written", rid, ({}, shown))
            return await self._one(conn, rid)

    async def read(self, rid: uuid.UUID, reader: Principal) -> dict[str, Any] | None:
        """The story, or None when there is none to show (none written, or no consent)."""
        async with self._pool.acquire() as conn:
            await file_in_scope(self._files, conn, rid, reader, lock=False)
            try:
                return await self._one(conn, rid)
            except StoryNotFound:
                return None

    async def listing(self, reader: Principal) -> list[dict[str, Any]]:
        """Every story in the reader's scope whose consent stands, newest first."""
        communes, province = listed_scope(reader)
        async with self._pool.acquire() as conn:
            rows = await self._store.in_scope(conn, communes, province)
        return [self._shown(r) for r in rows]

    async def _one(self, conn: Conn, rid: uuid.UUID) -> dict[str, Any]:
        row = await self._store.one(conn, rid)
        if row is None:
            raise StoryNotFound
        return self._shown(row)

    def _story(self, row: StoryRow) -> Story:
        return Story(
            given_name=given_name(row.full_name or ""),
            commune_name=self._commune_name(row.commune_code),
            country_vi=row.country_vi or "nước ngoài",
            job=row.job,
            term_months=row.term_months,
            savings_vnd=row.savings_vnd,
            after_return=row.after_return,
        )

    def _shown(self, row: StoryRow) -> dict[str, Any]:
        story = self._story(row)
        return {
            "registration_id": row.id,
            "given_name": story.given_name,
            "commune_name": story.commune_name,
            "country_vi": story.country_vi,
            "term_months": story.term_months,
            "job": story.job,
            "savings_vnd": story.savings_vnd,
            "after_return": story.after_return,
            "updated_at": row.updated_at,
            "radio_text_vi": radio_text(story),
        }
