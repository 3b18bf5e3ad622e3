"""One read for everything a loan's page shows but the balance: the application, the regime
it was evaluated under, its history, its schedule and its repayments.

The portal's loan page used to ask for these in five requests at once. Each one paid for its
own token check, middleware, tracing and connection on both sides, and under load the page
waited for the slowest of five. These are the same views as the single routes, read on one
connection after one branch check; the balance stays its own request because it can refuse the
chosen day on its own."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter
from xkld_shared.audit import trail_of

from xkld_loans.adapters import bank_views, store
from xkld_loans.application.regime_book import RegimeBook
from xkld_loans.domain.regime_model import Regime
from xkld_loans.entrypoints.http import (
    Applications,
    application_view,
    readable,
    with_province_share,
)
from xkld_loans.entrypoints.http_bank import BankStaff, history_entry
from xkld_loans.entrypoints.http_regimes import regime_view

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
    async with service.pool.acquire() as conn:
        row = await readable(conn, application_id, staff)
        instalments = await store.schedule_of(conn, application_id)
        paid = await bank_views.repayments_of(conn, application_id)
        regimes = await service.regimes.current(conn)
    trail = await trail_of(service.pool, "loan_application", str(application_id))
    application = application_view(row)
    return {
        "application": application,
        "regime": _regime_named(service.regimes, regimes, application),
        "history": [history_entry(entry) for entry in trail],
        "schedule": with_province_share(instalments, row["evaluation"]),
        "repayments": paid,
    }


def _regime_named(
    book: RegimeBook, regimes: Sequence[Regime], application: dict[str, Any]
) -> dict[str, Any] | None:
    code = application["evaluation"]["regime_code"]
    named = next((regime for regime in regimes if regime.code == code), None)
    return None if named is None else regime_view(book, named)
