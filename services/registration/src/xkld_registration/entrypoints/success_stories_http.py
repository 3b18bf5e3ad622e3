"""HTTP routes of success stories: write one (commune or labour officer), read it as JSON, as
the radio's text, or as a printable page; and the list of a scope's stories."""

from __future__ import annotations

import uuid
from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import Field

from xkld_registration.application.ports import StoryInput
from xkld_registration.domain.success_story import vnd
from xkld_registration.entrypoints.journey_common import Body, FollowUp, context
from xkld_registration.entrypoints.wiring import Stories

router = APIRouter(tags=["câu chuyện thành công (success stories)"])


class StoryBody(Body):
    job: str = Field(min_length=1, max_length=200, description="Công việc ở nước ngoài")
    savings_vnd: int = Field(ge=0, le=100_000_000_000, description="Tiền tiết kiệm (VND)")
    after_return: str = Field(min_length=1, max_length=1000, description="Làm gì sau khi về nước")


@router.put("/registrations/{registration_id}/success-story")
async def write_story(
    registration_id: uuid.UUID,
    body: StoryBody,
    request: Request,
    officer: FollowUp,
    stories: Stories,
) -> dict[str, Any]:
    """Viết (hoặc sửa) câu chuyện thành công: chỉ cho hợp đồng đã hoàn thành và khi người lao
    động đã đồng ý (mục đích success_story). Ghi nhật ký."""
    story = StoryInput(body.job, body.savings_vnd, body.after_return)
    return await stories.write(registration_id, context(request, officer), story)


@router.get("/registrations/{registration_id}/success-story")
async def read_story(
    registration_id: uuid.UUID, officer: FollowUp, stories: Stories
) -> dict[str, Any]:
    """Câu chuyện và bài đọc cho đài truyền thanh huyện (`radio_text_vi`); `story` là null khi
    chưa viết hoặc người lao động không (còn) đồng ý."""
    story = await stories.read(registration_id, officer)
    return {"registration_id": registration_id, "story": story}


_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Câu chuyện thành công</title>
<style>body{{font-family:serif;max-width:42em;margin:2em auto;line-height:1.5}}
dt{{font-weight:bold}}.radio{{border:1px solid #444;padding:1em;margin-top:2em}}</style>
</head><body>
<h1>Câu chuyện thành công: {name}, {commune}</h1>
<dl><dt>Thị trường</dt><dd>{country}</dd><dt>Công việc</dt><dd>{job}</dd>
<dt>Tiền tiết kiệm</dt><dd>{savings} đồng</dd><dt>Sau khi về nước</dt><dd>{after}</dd></dl>
<div class="radio"><h2>Bài đọc trên đài truyền thanh</h2><p>{radio}</p></div>
</body></html>
"""


_NONE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Câu chuyện thành công</title></head><body>
<p>Không có câu chuyện thành công để in: chưa viết, hoặc người lao động không đồng ý.</p>
<p><em>No success story to print: none written, or no consent.</em></p></body></html>
"""


@router.get("/registrations/{registration_id}/success-story/print", response_class=HTMLResponse)
async def print_story(registration_id: uuid.UUID, officer: FollowUp, stories: Stories) -> str:
    """Trang in câu chuyện thành công, mọi giá trị đều được thoát ký tự."""
    s = await stories.read(registration_id, officer)
    if s is None:
        return _NONE
    return _PAGE.format(
        name=escape(s["given_name"]),
        commune=escape(s["commune_name"]),
        country=escape(s["country_vi"]),
        job=escape(s["job"]),
        savings=vnd(s["savings_vnd"]),
        after=escape(s["after_return"]),
        radio=escape(s["radio_text_vi"]),
    )


@router.get("/success-stories")
async def list_stories(officer: FollowUp, stories: Stories) -> list[dict[str, Any]]:
    """Các câu chuyện thành công trong phạm vi của bạn (chỉ khi người lao động còn đồng ý)."""
    return await stories.listing(officer)
