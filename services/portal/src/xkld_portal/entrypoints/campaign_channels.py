"""The campaign broadcasts' channel report (issue 16): per channel, what was sent, delivered
and failed, what it cost in VND and how often Zalo handed a message on to SMS, over a range of
days and within the reader's area; downloadable as CSV or XLSX. The figures are notifications'."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from xkld_portal.application.errors import NothingHere
from xkld_portal.application.ports import Service
from xkld_portal.domain.labels import N_
from xkld_portal.entrypoints.after_return import officers_only
from xkld_portal.entrypoints.staff_common import answer_or_refusal
from xkld_portal.entrypoints.web import PortalDep, VisitorDep, attachment, render

router = APIRouter()
REPORT = "/sms/channel-report"
Day = Annotated[str | None, Query(max_length=10)]
_EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# notifications counts the messages it decided not to send as a channel of their own.
CHANNELS = {"sms": "SMS", "zalo": "Zalo", "suppressed": N_("Not sent")}


def _days(start: str | None, end: str | None) -> dict[str, str]:
    return {k: v for k, v in (("from", start), ("to", end)) if v}


@router.get("/campaign-channels")
async def channel_report(
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    officers_only(visitor)
    days = _days(start, end)
    report, refusal = await answer_or_refusal(
        portal.api.get(Service.NOTIFICATIONS, REPORT, token=visitor.token, params=days)
    )
    return render(
        request,
        portal,
        "campaign_channels.html",
        visitor=visitor,
        status_code=200 if refusal is None else refusal.status,
        report=report,
        refusal=refusal,
        start=start or "",
        end=end or "",
        query="&".join(f"{k}={v}" for k, v in days.items()),
        channels=CHANNELS,
    )


@router.get("/campaign-channels.{kind}")
async def channel_report_export(
    kind: str,
    portal: PortalDep,
    visitor: VisitorDep,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    officers_only(visitor)
    if kind not in _EXPORTS:
        raise NothingHere
    params = _days(start, end) | {"format": kind}
    body, _ = await portal.api.raw(
        Service.NOTIFICATIONS, REPORT, token=visitor.token, params=params
    )
    return attachment(body, _EXPORTS[kind], f"kenh-gui-tin-chien-dich.{kind}")
