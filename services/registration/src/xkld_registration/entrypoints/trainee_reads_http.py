"""Read-only HTTP routes of trainees for the staff's screens: the list of one's trainees
(paged), the search by name or CCCD (a POST, so names and CCCDs stay out of URLs and access
logs), one trainee's summary, and the trainees of a course.

Included after `trainees_http`, so its `/trainees/outcomes-due` is matched before
`/trainees/{trainee_id}` here."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.adapters.trainee_queries import PostgresTraineeReads
from xkld_registration.application.ports import TraineeQuery
from xkld_registration.application.trainee_reads import TraineeReads
from xkld_registration.entrypoints.openapi import READ_ERRORS
from xkld_registration.entrypoints.wiring import DbPool, Vault

Reader = Annotated[
    Principal,
    Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.TRAINING_STAFF)),
]
Trainers = Annotated[Principal, Depends(require(Role.LABOUR_OFFICER, Role.TRAINING_STAFF))]
TAGS: list[str | Any] = ["học nghề nông thôn (rural training)"]

router = APIRouter(tags=TAGS)


async def _make_reads(pool: DbPool, vault: Vault) -> TraineeReads:
    # Built per request from the pool and vault the service already holds: nothing to wire.
    return TraineeReads(pool, PostgresTraineeReads(), vault)


Reads = Annotated[TraineeReads, Depends(_make_reads)]


class TraineeFilters(BaseModel):
    """Bộ lọc danh sách học viên; mọi bộ lọc đều không bắt buộc."""

    model_config = ConfigDict(extra="forbid")

    commune_code: str | None = Field(None, pattern=r"^\d{5}$", description="Mã xã/phường")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)

    def query(self) -> TraineeQuery:
        return TraineeQuery(self.commune_code, page=self.page, page_size=self.page_size)


class TraineeSearch(TraineeFilters):
    """Tìm học viên theo tên (không dấu cũng được) hoặc số CCCD."""

    name: str | None = Field(
        None, min_length=1, max_length=200, description="Tên, có dấu hay không dấu"
    )
    cccd: str | None = Field(None, pattern=r"^\s*\d{12}\s*$", description="Số CCCD đầy đủ")


@router.get("/trainees", summary="Danh sách học viên (your trainees)", responses=READ_ERRORS)
async def list_trainees(
    reads: Reads, reader: Reader, filters: Annotated[TraineeFilters, Query()]
) -> dict[str, Any]:
    """Học viên học nghề trong phạm vi của bạn (xã của cán bộ xã; tỉnh của cán bộ lao động và
    trung tâm đào tạo cấp tỉnh), mới nhận trước, có phân trang."""
    return await reads.page(reader, filters.query())


@router.post("/trainees/search", summary="Tìm học viên theo tên hoặc CCCD", responses=READ_ERRORS)
async def search_trainees(reads: Reads, reader: Reader, body: TraineeSearch) -> dict[str, Any]:
    """Tìm theo tên không phân biệt dấu (mọi chữ phải có trong tên) hoặc đúng số CCCD. Gửi trong
    thân yêu cầu, để tên và CCCD không nằm trong URL hay nhật ký truy cập."""
    return await reads.page(reader, body.query(), name=body.name, cccd=body.cccd)


@router.get("/trainees/{trainee_id}", summary="Một học viên", responses=READ_ERRORS)
async def trainee(trainee_id: uuid.UUID, reads: Reads, reader: Reader) -> dict[str, Any]:
    """Thông tin học viên (không có CCCD, số điện thoại): xã, nhóm đối tượng QĐ 46, đồng ý."""
    return await reads.summary(reader, trainee_id)


@router.get(
    "/courses/{course_code}/trainees", summary="Học viên của khoá học", responses=READ_ERRORS
)
async def course_trainees(course_code: str, reads: Reads, staff: Trainers) -> list[dict[str, Any]]:
    """Học viên học nghề ở lại địa phương đã ghi danh khoá này (trong phạm vi của bạn): khoảng
    cách, số buổi có mặt/vắng, kết quả, chứng chỉ."""
    return await reads.of_course(staff, course_code)
