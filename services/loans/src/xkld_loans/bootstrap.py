"""Composition root of the loans service.

Loan applications up to the bank's decision (maker-checker) so far; it also follows the
registration stream, skipping and counting the event types it has no handler for yet.
"""

from __future__ import annotations

from fastapi import FastAPI
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.http.app import service_app
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime

from xkld_loans.application.applications import LoanApplications
from xkld_loans.domain.regimes import load_regimes
from xkld_loans.entrypoints import http
from xkld_loans.settings import LoansSettings

SERVICE = "loans"
MIGRATIONS = "xkld_loans:migrations"


def create_app(settings: LoansSettings | None = None) -> FastAPI:
    settings = settings or LoansSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    runtime = ServiceRuntime(SERVICE, settings)
    regimes = load_regimes()  # package data, read once; a bad file stops the service at start

    async def start(rt: ServiceRuntime, app: FastAPI) -> None:
        app.state.pool = pool = await rt.open_pool()
        app.state.loan_applications = LoanApplications(pool, Topics(settings.topic_prefix), regimes)
        await rt.add_consumer(Stream.REGISTRATION, {})
        rt.new_relay()

    return service_app(runtime, start, [http.router])
