"""Composition root of the loans service.

So far it boots, connects, and follows the registration stream (skipping and counting the event
types it has no handler for yet); the loan domain arrives with its own issue.
"""

from __future__ import annotations

from fastapi import FastAPI
from xkld_shared.contracts.topics import Stream
from xkld_shared.http.app import service_app
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime

from xkld_loans.settings import LoansSettings

SERVICE = "loans"
MIGRATIONS = "xkld_loans:migrations"


def create_app(settings: LoansSettings | None = None) -> FastAPI:
    settings = settings or LoansSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    runtime = ServiceRuntime(SERVICE, settings)

    async def start(rt: ServiceRuntime, app: FastAPI) -> None:
        app.state.pool = await rt.open_pool()
        await rt.add_consumer(Stream.REGISTRATION, {})
        rt.new_relay()

    return service_app(runtime, start)
