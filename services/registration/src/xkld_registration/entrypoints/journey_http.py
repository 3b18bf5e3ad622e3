"""HTTP routes of the journey: reading it, assessment, withdrawal, the loan question, consent.

One command per endpoint, each answering the file's new state. Scope (commune or province) is
checked by the application on the locked file.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field
from xkld_shared.audit import SEALED

from xkld_registration.adapters.journey_store import PostgresJourneyFiles, records_of
from xkld_registration.application.file_scope import file_in_scope
from xkld_registration.application.journey_terms import Note
from xkld_registration.domain.consent import Purpose
from xkld_registration.domain.journey_commands import LoanTerms
from xkld_registration.entrypoints.journey_common import (
    CODE,
    Body,
    Commune,
    FollowUp,
    FreeNote,
    JourneyState,
    Labour,
    Reader,
    StepKey,
    answer,
    context,
    invalid,
)
from xkld_registration.entrypoints.wiring import Consents, DbPool, WorkerJourneys

router = APIRouter(
    prefix="/registrations/{registration_id}",
    tags=["hành trình (journey)"],
    dependencies=[StepKey],
)


@router.get("/journey")
async def get_journey(registration_id: uuid.UUID, pool: DbPool, reader: Reader) -> dict[str, Any]:
    """Bước hiện tại của hồ sơ, các điều kiện xuất cảnh còn thiếu và nhật ký các bước."""
    async with pool.acquire() as conn, conn.transaction():
        file = await file_in_scope(
            PostgresJourneyFiles(), conn, registration_id, reader, lock=False
        )
        records = await records_of(conn, registration_id)
    state = answer(registration_id, file.journey).model_dump(mode="json")
    steps = [_shown(r) for r in records]
    return state | {"records": steps}


def _shown(record: Any) -> dict[str, Any]:
    # Sealed health details are not opened here: reading them is not this page's purpose.
    details = record["details"]
    shown = {k: SEALED for k in details} if "sealed" in details else details
    return dict(record) | {"details": shown, "recorded_at": record["recorded_at"].isoformat()}


# --- assessment (labour officer) --------------------------------------------------------------


class Assessment(Body):
    assessed_on: dt.date | None = Field(None, description="Ngày xét duyệt (mặc định: hôm nay)")


class Reason(Body):
    reason_code: str = Field(pattern=CODE, description="Mã lý do", examples=["not_voluntary"])
    reason: str | None = Field(None, max_length=2000, description="Diễn giải của cán bộ")

    def note(self) -> Note:
        return Note(self.reason_code, self.reason)


@router.post("/eligibility")
async def find_eligible(
    registration_id: uuid.UUID,
    body: Assessment,
    request: Request,
    officer: Labour,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Xác nhận hồ sơ đủ điều kiện (Luật 69/2020, Điều 44)."""
    ctx = context(request, officer)
    journey = await journeys.find_eligible(registration_id, ctx, body.assessed_on)
    return answer(registration_id, journey)


@router.post("/rejection")
async def reject(
    registration_id: uuid.UUID,
    body: Reason,
    request: Request,
    officer: Labour,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Từ chối hồ sơ, có lý do."""
    ctx = context(request, officer)
    journey = await journeys.reject(registration_id, ctx, body.note())
    return answer(registration_id, journey)


@router.post("/withdrawal")
async def withdraw(
    registration_id: uuid.UUID,
    body: Reason,
    request: Request,
    officer: FollowUp,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Người lao động rút hồ sơ (chỉ trước khi xuất cảnh)."""
    ctx = context(request, officer)
    journey = await journeys.withdraw(registration_id, ctx, body.note())
    return answer(registration_id, journey)


# --- loan (commune officer) -------------------------------------------------------------------


class LoanRequestBody(Body):
    requested_vnd: int = Field(gt=0, description="Số tiền đề nghị vay (VND)", examples=[90_000_000])
    cost_breakdown_vnd: dict[str, int] = Field(
        min_length=1,
        description="Chi phí theo hợp đồng, từng khoản (VND)",
        examples=[{"service_fee": 60_000_000, "airfare": 15_000_000, "training": 25_000_000}],
    )
    purpose_code: str = Field(pattern=CODE, examples=["labour_export_costs"])
    purpose_note: str | None = Field(None, max_length=2000)
    requested_term_months: int = Field(gt=0, le=240)
    market_code: str = Field(pattern=CODE, examples=["JP"])
    # The bank's lending programme (not the market's, such as TITP): it picks the loan regime.
    programme: Literal["labour_export", "labour_export_poor_district", "korea_eps_deposit"] = Field(
        "labour_export",
        description="Chương trình cho vay của NHCSXH: XKLĐ, XKLĐ huyện nghèo, ký quỹ EPS",
    )
    contract_term_months: int = Field(gt=0, le=240)

    def terms(self) -> LoanTerms:
        self._check_costs()
        return LoanTerms(
            requested_vnd=self.requested_vnd,
            cost_breakdown_vnd=dict(self.cost_breakdown_vnd),
            purpose_code=self.purpose_code,
            requested_term_months=self.requested_term_months,
            market_code=self.market_code,
            programme=self.programme,
            contract_term_months=self.contract_term_months,
        )

    def _check_costs(self) -> None:
        costs = self.cost_breakdown_vnd
        if any(v <= 0 for v in costs.values()) or not all(0 < len(k) <= 40 for k in costs):
            raise invalid(
                "cost_breakdown_vnd",
                "Mỗi khoản chi phí cần tên (1–40 ký tự) và số tiền VND dương",
                "Each cost needs a name (1-40 characters) and a positive VND amount",
            )
        if self.requested_vnd > sum(costs.values()):
            raise invalid(
                "requested_vnd",
                "Số tiền vay không được vượt tổng chi phí theo hợp đồng",
                "The loan cannot exceed the total contract costs",
            )


@router.post("/loan-request")
async def request_loan(
    registration_id: uuid.UUID,
    body: LoanRequestBody,
    request: Request,
    officer: Commune,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Đề nghị vay vốn NHCSXH (cần sự đồng ý chia sẻ hồ sơ với ngân hàng)."""
    ctx = context(request, officer)
    journey = await journeys.request_loan(registration_id, ctx, body.terms(), body.purpose_note)
    return answer(registration_id, journey)


@router.post("/no-loan")
async def declare_no_loan(
    registration_id: uuid.UUID,
    body: FreeNote,
    request: Request,
    officer: Commune,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Người lao động khai không vay vốn."""
    ctx = context(request, officer)
    journey = await journeys.declare_no_loan(registration_id, ctx, body.note)
    return answer(registration_id, journey)


class ConsentChange(Body):
    purpose: Literal["share_with_bank", "share_with_enterprise", "success_story"]
    granted: bool
    consent_text_version: str = Field(pattern=r"^[A-Za-z0-9._-]{1,20}$")


@router.post("/consents", status_code=204)
async def change_consent(
    registration_id: uuid.UUID,
    body: ConsentChange,
    request: Request,
    consents: Consents,
    officer: Commune,
) -> None:
    """Ghi nhận người lao động đồng ý (hoặc rút lại đồng ý) chia sẻ hồ sơ với ngân hàng hoặc
    doanh nghiệp; lịch sử đồng ý được giữ nguyên."""
    await consents.change(
        context(request, officer),
        registration_id,
        Purpose(body.purpose),
        body.granted,
        body.consent_text_version,
    )
