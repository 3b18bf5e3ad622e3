"""One read for everything a loan's page shows but the balance: the application, the regime
it was evaluated under, its history, its schedule and its repayments.

The portal's loan page used to ask for these in five requests at once. Each one paid for its
own token check, middleware, tracing and connection on both sides, and under load the page
waited for the slowest of five. These are the same views as the single routes, composed here;
the balance stays its own request because it can refuse the chosen day on its own."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from xkld_loans.entrypoints.http import Applications, get_application, get_schedule
from xkld_loans.entrypoints.http_bank import BankStaff, history, repayments
from xkld_loans.entrypoints.http_regimes import list_regimes

router = APIRouter(tags=["bank work"])


@router.get(
    "/loan-applications/{application_id}/summary",
    summary="Hồ sơ vay trong một lần đọc: hồ sơ, chế độ, lịch sử, lịch trả nợ, các lần trả",
)
async def loan_summary(
    application_id: uuid.UUID, service: Applications, staff: BankStaff
) -> dict[str, Any]:
    """`regime` is the regime named by the application's evaluation (null if it is gone);
    `schedule` and `repayments` are empty until the loan is disbursed."""
    application = await get_application(application_id, service, staff)
    return {
        "application": application,
        "regime": _regime_named(await list_regimes(service, staff), application),
        "history": await history(application_id, service, staff),
        "schedule": await get_schedule(application_id, service, staff),
        "repayments": await repayments(application_id, service, staff),
    }


def _regime_named(regimes: list[dict[str, Any]], application: dict[str, Any]) -> Any:
    code = application["evaluation"]["regime_code"]
    return next((regime for regime in regimes if regime.get("code") == code), None)
