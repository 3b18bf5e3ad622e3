"""Campaign broadcasts over HTTP: Zalo's delivery callback (token), and the channel report for
officers (their communes, or their province), as JSON, CSV or XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import io
import uuid
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from xkld_shared.clock import VIETNAM, vietnam_today
from xkld_shared.errors import FieldProblem, InvalidInput, NotSignedIn
from xkld_shared.http.wiring import from_app_state, state_value
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_notifications.adapters import broadcasts as db
from xkld_notifications.application.broadcasts import BroadcastFlow
from xkld_notifications.domain.broadcast import Happened

router = APIRouter(prefix="/sms", tags=["sms"])

Staff = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
Pool = Annotated[asyncpg.Pool, Depends(from_app_state("pool", asyncpg.Pool))]
Flow = Annotated[BroadcastFlow, Depends(from_app_state("broadcast_flow", BroadcastFlow))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_DAYS = 366


class ZaloTokenRefused(NotSignedIn):
    code = "zalo_callback_token_invalid"

    def __init__(self) -> None:
        super().__init__(
            "Mã xác thực của thông báo từ Zalo không đúng", "The Zalo callback's token is wrong"
        )


async def _zalo_token(request: Request, token: Annotated[str, Query(max_length=200)] = "") -> None:
    secret = state_value(request, "zalo_callback_token", SecretStr).get_secret_value().encode()
    if not secret or not hmac.compare_digest(token.encode(), secret):
        raise ZaloTokenRefused


class ZaloMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    msg_id: str = Field(max_length=100)
    tracking_id: str = Field(max_length=100)


class ZaloEvent(BaseModel):
    """Zalo's webhook body; only `user_received_message` is about delivery."""

    model_config = ConfigDict(extra="ignore")

    event_name: str = Field(max_length=100)
    message: ZaloMessage | None = None


@router.post("/zalo-callbacks", dependencies=[Depends(_zalo_token)])
async def receive_zalo_event(event: ZaloEvent, flow: Flow, pool: Pool) -> dict[str, bool]:
    """Idempotent: a repeated or late callback changes nothing (`changed: false`)."""
    message_id = _delivered_message(event)
    if message_id is None or event.message is None:
        return {"accepted": True, "changed": False}
    changed = await flow.report(pool, message_id, Happened.ZALO_DELIVERED, event.message.msg_id)
    return {"accepted": True, "changed": bool(changed)}


def _delivered_message(event: ZaloEvent) -> uuid.UUID | None:
    """The broadcast message a delivery event is about; None for other events and ids."""
    if event.event_name != "user_received_message" or event.message is None:
        return None
    try:
        return uuid.UUID(event.message.tracking_id)
    except ValueError:
        return None


class ChannelLine(BaseModel):
    channel: str
    sent: int
    delivered: int
    failed: int
    cost_vnd: int
    fallbacks: int
    no_account: int


_HEADINGS = [
    "Kênh",
    "Đã gửi",
    "Đã nhận",
    "Không thành công",
    "Chi phí (đồng)",
    "Chuyển kênh",
    "Không có Zalo",
]
_NAMES = {"zalo": "Zalo ZNS", "sms": "SMS", "suppressed": "Không gửi (từ chối nhận)"}


@router.get("/channel-report", response_model=None)
async def channel_report(
    staff: Staff,
    pool: Pool,
    start: Annotated[
        dt.date | None, Query(alias="from", description="first local day; default: 30 days")
    ] = None,
    end: Annotated[
        dt.date | None, Query(alias="to", description="last local day, included; default: today")
    ] = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Response | dict[str, Any]:
    """Broadcast messages queued between the two days, per channel: sent, delivered, failed
    (for Zalo: handed on to SMS), cost in VND, fallbacks. Counts follow the reader's area."""
    start, end = _date_range(start, end)
    lines = await _channel_lines(pool, staff, start, end)
    if format == "json":
        return {"from": start, "to": end, "channels": [line.model_dump() for line in lines]}
    return _channel_file(lines, start, end, format)


def _date_range(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    end = end or vietnam_today()
    start = start or end - dt.timedelta(days=29)
    if end < start or (end - start).days >= _MAX_DAYS:
        raise InvalidInput.of(
            [
                FieldProblem(
                    "to",
                    "Khoảng ngày không hợp lệ (từ ≤ đến, tối đa 366 ngày)",
                    "Bad date range (from ≤ to, at most 366 days)",
                )
            ]
        )
    return start, end


async def _channel_lines(
    pool: asyncpg.Pool, staff: Principal, start: dt.date, end: dt.date
) -> list[ChannelLine]:
    province = staff.scope.province if Role.LABOUR_OFFICER in staff.roles else None
    begins = dt.datetime.combine(start, dt.time(0), tzinfo=VIETNAM)
    ends = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=VIETNAM)
    rows = await db.channel_report(pool, sorted(staff.scope.communes), province, begins, ends)
    return [ChannelLine(**dict(r)) for r in rows]


def _channel_file(lines: list[ChannelLine], start: dt.date, end: dt.date, format: str) -> Response:
    title = f"Báo cáo kênh gửi tin chiến dịch từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
    table = _table(lines)
    name = f"kenh-gui-tin-{start}-{end}"
    if format == "csv":
        return _download(_csv(title, table), "text/csv; charset=utf-8", f"{name}.csv")
    return _download(_xlsx(title, table), XLSX, f"{name}.xlsx")


def _table(lines: list[ChannelLine]) -> list[list[Any]]:
    return [
        [_NAMES[x.channel], x.sent, x.delivered, x.failed, x.cost_vnd, x.fallbacks, x.no_account]
        for x in lines
    ]


def _csv(title: str, table: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title])
    writer.writerow(_HEADINGS)
    writer.writerows(table)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel reads Vietnamese


def _xlsx(title: str, table: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Kenh gui tin"
    sheet.append([title])
    sheet.append(_HEADINGS)
    for line in table:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _download(body: bytes, media_type: str, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=media_type, headers=headers)


async def broadcast_report(
    request: Request, message_id: uuid.UUID, provider_id: str, delivered: bool
) -> bool | None:
    """An SMS delivery report about a broadcast message; None when it is about another SMS."""
    flow: BroadcastFlow | None = getattr(request.app.state, "broadcast_flow", None)
    if flow is None:
        return None
    happened = Happened.SMS_DELIVERED if delivered else Happened.SMS_FAILED
    return await flow.report(request.app.state.pool, message_id, happened, provider_id)


async def broadcast_stop(request: Request, phone_e164: str) -> None:
    """A stop keyword also stops campaign messages to that phone, contact here or not."""
    flow: BroadcastFlow | None = getattr(request.app.state, "broadcast_flow", None)
    if flow is not None:
        await flow.stop_keyword(request.app.state.pool, phone_e164)
